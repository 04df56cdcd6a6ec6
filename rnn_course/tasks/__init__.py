"""Synthetic sequence tasks: each module makes seeded batches for one task and says how it is scored.

Every generator takes ``rng`` (a Generator or a seed) and never touches
numpy's global random state. Nothing is downloaded.

    parity     running parity: the answer depends on the whole history (lesson 01)
    counter    a bounded counter that starts full: where a learned h_0 helps (lesson 02)
    latch      keep the sign of the first input through T noisy steps (lesson 03)
    timer      a pulse starts a clock; stay on as long as it said (lesson 03, echo state networks)
    adding     add the two marked numbers of a long sequence (lesson 04)
    sentiment  reviews whose meaning depends on word order: negation, contrast (lesson 06)
    tagging    tags that depend on a later word (lesson 06)
    dates      human-written dates to ISO dates (lesson 07)
    reversal   reverse a string: the encoder-decoder bottleneck (lesson 07)
"""

from .adding import adding_batch, adding_data, evaluate_adding, score_adding
from .counter import counter_batch
from .dates import dates_data, encode_pairs
from .latch import latch_batch, latch_sweep, train_latch, train_latch_rnn
from .parity import parity_accuracy, parity_batch, running_parity, window_lookup_baseline
from .reversal import reversal_data
from .sentiment import BagOfWords, encode_sentiment, sentiment_data
from .tagging import entity_data, per_position_accuracy, topic_data
from .timer import pulse_lengths, timer_batch

__all__ = [
    "parity_accuracy", "parity_batch", "running_parity", "window_lookup_baseline",
    "counter_batch",
    "latch_batch", "latch_sweep", "train_latch", "train_latch_rnn",
    "pulse_lengths", "timer_batch",
    "adding_batch", "adding_data", "evaluate_adding", "score_adding",
    "BagOfWords", "encode_sentiment", "sentiment_data",
    "entity_data", "per_position_accuracy", "topic_data",
    "dates_data", "encode_pairs",
    "reversal_data",
]  # fmt: skip
