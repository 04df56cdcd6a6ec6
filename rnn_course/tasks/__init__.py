"""Synthetic sequence tasks: each module makes seeded batches for one task and says how it is scored.

Every generator takes ``rng`` (a Generator or a seed) and never touches
numpy's global random state. Nothing is downloaded.
"""

__all__: list[str] = []
# Task modules add their imports below (import + __all__ entry).
from .parity import parity_accuracy, parity_batch, running_parity, window_lookup_baseline  # noqa: E402

__all__ += ["parity_accuracy", "parity_batch", "running_parity", "window_lookup_baseline"]
from .latch import latch_batch, latch_sweep, train_latch, train_latch_rnn  # noqa: E402

__all__ += ["latch_batch", "latch_sweep", "train_latch", "train_latch_rnn"]
from .adding import adding_batch, adding_data, evaluate_adding, score_adding  # noqa: E402

__all__ += ["adding_batch", "adding_data", "evaluate_adding", "score_adding"]
from .sentiment import BagOfWords, encode_sentiment, sentiment_data  # noqa: E402
from .tagging import entity_data, per_position_accuracy, topic_data  # noqa: E402

__all__ += ["BagOfWords", "encode_sentiment", "sentiment_data", "entity_data", "per_position_accuracy", "topic_data"]
from .dates import dates_data, encode_pairs  # noqa: E402
from .reversal import reversal_data  # noqa: E402

__all__ += ["dates_data", "encode_pairs", "reversal_data"]
