"""Reversing a string of random letters: the sequence-to-sequence task that exposes the bottleneck.

    sources, targets = reversal_data(1000, rng=0, min_len=2, max_len=16)
    sources[0], targets[0]        # ('hbjdc', 'cdjbh')

Output length = input length, and every output character depends on one
specific input character, so nothing can be compressed: an encoder-decoder
without attention must fit the whole string into its final state. How
accuracy falls with the length is a direct measure of what that fixed-size
vector can hold.
"""

from __future__ import annotations

import numpy as np

from ..init import as_rng
from ..text import CharVocab
from .dates import END, PAD, START

__all__ = ["LETTERS", "REVERSAL_SOURCE_VOCAB", "REVERSAL_TARGET_VOCAB", "reversal_data"]

LETTERS = "abcdefghij"
REVERSAL_SOURCE_VOCAB = CharVocab(LETTERS, specials=(PAD,))
REVERSAL_TARGET_VOCAB = CharVocab(LETTERS, specials=(PAD, START, END))


def reversal_data(n: int, rng=None, *, min_len: int = 2, max_len: int = 16):
    """``n`` pairs (random string of LETTERS, its reverse), lengths uniform in [min_len, max_len]."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n: expected an integer >= 1, got {n!r}")
    if not 1 <= min_len <= max_len:
        raise ValueError(f"min_len, max_len: expected 1 <= min_len <= max_len, got {min_len}, {max_len}")
    rng = as_rng(rng)
    lengths = rng.integers(min_len, max_len + 1, size=int(n))
    sources = ["".join(LETTERS[i] for i in rng.integers(0, len(LETTERS), size=L)) for L in lengths]
    return sources, [s[::-1] for s in sources]
