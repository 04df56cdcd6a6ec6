"""Small models built from the cells, each with a hand-written backward pass, and save/load.

``Model`` (base.py) holds a flat dict of parameters and a config; every model
implements ``loss(batch) -> (loss, grads)`` so ``rnn_course.train.fit`` can
train any of them.
"""

from .base import MODELS, Model, load_model, register_model
from .regressor import SequenceRegressor

__all__ = ["MODELS", "Model", "load_model", "register_model", "SequenceRegressor"]
# Model modules add their imports below (import + __all__ entry).
from .language import CharLanguageModel  # noqa: E402

__all__ += ["CharLanguageModel"]
from .lstm_variants import NoForgetLSTMRegressor  # noqa: E402

__all__ += ["NoForgetLSTMRegressor"]
from .classifier import SequenceClassifier  # noqa: E402
from .tagger import SequenceTagger  # noqa: E402

__all__ += ["SequenceClassifier", "SequenceTagger"]
from .seq2seq import Seq2Seq  # noqa: E402

__all__ += ["Seq2Seq"]
