"""Small models built from the cells, each with a hand-written backward pass, and save/load.

``Model`` (base.py) holds a flat dict of parameters and a config; every model
implements ``loss(batch) -> (loss, grads)`` so ``rnn_course.train.fit`` can
train any of them.

    SequenceRegressor      many-to-one regression (adding problem, lesson 04)
    NoForgetLSTMRegressor  the same with the forget gate pinned open (lesson 04's ablation)
    PeepholeLSTMRegressor  the same with peephole connections (lesson 04, Gers & Schmidhuber 2000)
    CIFGLSTMRegressor      the same with the forget gate coupled to the input gate, f = 1 - i (lesson 04)
    CharLanguageModel      char-level language model with stateful truncated BPTT (lesson 05)
    SequenceClassifier     many-to-one classification, final or pooled state (lesson 06)
    SequenceTagger         synced many-to-many, bidirectional and stacked (lesson 06)
    Seq2Seq                encoder-decoder with teacher forcing (lesson 07)
    AttentionSeq2Seq       the same with additive attention over the encoder's states (lesson 08)
"""

from .attention_seq2seq import AttentionSeq2Seq
from .base import MODELS, Model, load_model, register_model
from .classifier import SequenceClassifier
from .language import CharLanguageModel
from .lstm_variants import CIFGLSTMRegressor, NoForgetLSTMRegressor, PeepholeLSTMRegressor
from .regressor import SequenceRegressor
from .seq2seq import Seq2Seq
from .tagger import SequenceTagger

__all__ = [
    "MODELS", "Model", "load_model", "register_model",
    "SequenceRegressor", "NoForgetLSTMRegressor", "PeepholeLSTMRegressor", "CIFGLSTMRegressor",
    "CharLanguageModel", "SequenceClassifier", "SequenceTagger", "Seq2Seq", "AttentionSeq2Seq",
]  # fmt: skip
