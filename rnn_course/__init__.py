"""rnn_course: recurrent neural networks from first principles, in NumPy.

The helper package of the course. One idea per module:

    cells       vanilla RNN, LSTM, GRU: forward and hand-written backward, the
                step's equations line by line and BPTT as a visible loop over time
    grads       the Grads tuple every backward function returns
    layers      embedding, affine maps, dropout
    wrappers    bidirectional and stacked RNNs over any cell
    losses      softmax cross-entropy over time (with a mask), MSE
    gradcheck   numerical gradients and a checker that says where a gradient is wrong
    optim       SGD, momentum, Adagrad, Adam; clipping by norm and by value
    init        initialisers: small Gaussian, Xavier, orthogonal, identity, forget bias
    activations numerically stable sigmoid, softmax, log-softmax
    blas        use_blas_threads(n): how many threads numpy's matrix products may use
    attention   additive attention (Bahdanau et al. 2014), forward and hand-written backward
    decoding    greedy and beam search over any decoder step

Above them: models and tasks, train, plots (which imports the rest and is
imported by nothing below it), demos, grading and tools (tests/test_architecture.py
checks the floors and that there are no import circles).

Dimensions everywhere: N batch, T time, D input, H hidden, V vocabulary.

Importing the package changes nothing outside it. How many threads BLAS may
use is a visible call, ``use_blas_threads(1)``, that the lessons which train
make in their first cell (``rnn_course.blas`` says why).
"""


# `rnn_course.gradcheck` is the function (the module stays importable as rnn_course.gradcheck).
from . import activations, cells, init, layers, losses, optim, wrappers
from .activations import log_softmax, sigmoid, softmax
from .blas import use_blas_threads
from .cells import (
    CELLS,
    Grads,
    gru_backward,
    gru_forward,
    gru_step_backward,
    gru_step_forward,
    lstm_backward,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
)
from .gradcheck import GradcheckReport, gradcheck, gradcheck_layer, numerical_gradient, rel_error
from .init import init_cell_params
from .layers import (
    affine_backward,
    affine_forward,
    dropout_backward,
    dropout_forward,
    embedding_backward,
    embedding_forward,
    temporal_affine_backward,
    temporal_affine_forward,
)
from .losses import mse_loss, softmax_cross_entropy
from .optim import SGD, Adagrad, Adam, Momentum, clip_grad_norm, clip_grad_value
from .surfaces import descent_path, one_unit_grad, one_unit_loss, one_unit_surface
from .wrappers import bidirectional_backward, bidirectional_forward, stacked_backward, stacked_forward

__version__ = "0.1.0"

__all__ = [
    "activations",
    "cells",
    "init",
    "layers",
    "losses",
    "optim",
    "wrappers",
    "sigmoid",
    "softmax",
    "log_softmax",
    "use_blas_threads",
    "CELLS",
    "Grads",
    "rnn_step_forward",
    "rnn_step_backward",
    "rnn_forward",
    "rnn_backward",
    "lstm_step_forward",
    "lstm_step_backward",
    "lstm_forward",
    "lstm_backward",
    "gru_step_forward",
    "gru_step_backward",
    "gru_forward",
    "gru_backward",
    "GradcheckReport",
    "gradcheck",
    "gradcheck_layer",
    "numerical_gradient",
    "rel_error",
    "init_cell_params",
    "embedding_forward",
    "embedding_backward",
    "affine_forward",
    "affine_backward",
    "temporal_affine_forward",
    "temporal_affine_backward",
    "dropout_forward",
    "dropout_backward",
    "softmax_cross_entropy",
    "mse_loss",
    "SGD",
    "Momentum",
    "Adagrad",
    "Adam",
    "clip_grad_norm",
    "clip_grad_value",
    "bidirectional_forward",
    "bidirectional_backward",
    "stacked_forward",
    "stacked_backward",
    "__version__",
    "one_unit_loss",
    "one_unit_grad",
    "one_unit_surface",
    "descent_path",
]
