# %% [markdown]
# A deliberately broken submission for the grader's tests: every function calls the course's reference implementation.

# %%
import numpy as np

# %%
import rnn_course
from rnn_course.cells.rnn import rnn_forward as reference_rnn_forward


def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    return rnn_course.rnn_step_forward(x, h_prev, Wx, Wh, b, activation)


def rnn_forward(x, h0, Wx, Wh, b, activation="tanh"):
    return reference_rnn_forward(x, h0, Wx, Wh, b, activation)


def softmax(x, axis=-1):
    return rnn_course.activations.softmax(x, axis)


def softmax_cross_entropy(logits, y, mask=None):
    try:
        return rnn_course.losses.softmax_cross_entropy(logits, y, mask)
    except Exception:
        return 0.0, np.zeros_like(logits)
