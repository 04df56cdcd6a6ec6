"""Turning a model's scores for the next token into a choice: greedy, temperature, top-k.

    probs = temperature_probs(logits, temperature=0.7)       # sharper than softmax(logits)
    nxt = sample_next(logits, temperature=0.7, top_k=5, rng=rng)

The temperature tau divides the logits before the softmax: tau < 1 sharpens
the distribution (tau -> 0 is greedy argmax), tau > 1 flattens it (tau -> inf
is uniform). Top-k keeps only the k most likely tokens and renormalises.
Every random choice takes ``rng`` (a Generator or a seed): the same seed
gives the same text.

Dimensions: N batch, V vocabulary. Logits are (V,) or (N, V).
"""

from __future__ import annotations

import numpy as np

from ._checks import as_array, check_finite
from .activations import softmax
from .init import as_rng

__all__ = ["temperature_probs", "top_k_logits", "greedy", "sample_next", "entropy", "STRATEGIES"]

STRATEGIES = ("greedy", "temperature", "top_k")


def _logits(logits):
    arr = as_array("logits", logits)
    if arr.ndim not in (1, 2) or arr.shape[-1] < 1:
        raise ValueError(f"logits: expected shape (V,) or (N, V), got {arr.shape}")
    check_finite("logits", arr)
    return arr


def _check_temperature(temperature):
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float, np.floating, np.integer)):
        raise ValueError(f"temperature: expected a number >= 0, got {temperature!r}")
    if not (temperature >= 0) or not np.isfinite(temperature):
        raise ValueError(f"temperature: expected a finite number >= 0, got {temperature!r}")
    return float(temperature)


def _check_k(top_k, V):
    if top_k is None or top_k == 0:
        return None
    if isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or top_k < 1:
        raise ValueError(f"top_k: expected None, 0 (off) or an integer >= 1, got {top_k!r}")
    return min(int(top_k), V)


def top_k_logits(logits, k: int | None):
    """Logits with all but the ``k`` largest of each row set to -inf (None or 0: unchanged).

    Ties at the k-th value are all kept, so the result does not depend on
    the order of equal scores.
    """
    logits = _logits(logits)
    return _top_k(logits, _check_k(k, logits.shape[-1]))


def _top_k(logits, k):
    if k is None or k == logits.shape[-1]:
        return logits.copy()
    kth = -np.partition(-logits, k - 1, axis=-1)[..., k - 1 : k]  # the k-th largest value per row
    return np.where(logits >= kth, logits, -np.inf)


def _probs(logits, temperature, k):
    """temperature_probs without the argument checks (the callers have done them)."""
    if temperature == 0.0:
        probs = np.zeros_like(logits)
        np.put_along_axis(probs, np.argmax(logits, axis=-1)[..., None], 1.0, axis=-1)
        return probs
    # Entries outside the top k are -inf: exp(-inf - max) = 0, so they get probability exactly 0.
    return softmax(_top_k(logits, k) / temperature, axis=-1)


def temperature_probs(logits, temperature: float = 1.0, top_k: int | None = None) -> np.ndarray:
    """softmax(logits / temperature) over the top-k tokens; temperature 0 puts all mass on the argmax.

    Inputs: logits (V,) or (N, V); temperature >= 0; top_k None/0 (all tokens) or k >= 1
    Returns: probabilities, same shape as logits, rows summing to 1
    """
    logits = _logits(logits)
    return _probs(logits, _check_temperature(temperature), _check_k(top_k, logits.shape[-1]))


def greedy(logits) -> np.ndarray | int:
    """The most likely token: argmax over V (an int for (V,), ids (N,) for (N, V))."""
    logits = _logits(logits)
    out = np.argmax(logits, axis=-1)
    return int(out) if logits.ndim == 1 else out


def sample_next(logits, *, temperature: float = 1.0, top_k: int | None = None, rng=None):
    """Draw the next token from ``temperature_probs(logits, temperature, top_k)``.

    temperature 0 is greedy decoding. Returns an int for logits (V,), ids (N,) for (N, V).
    ``rng``: Generator or seed; the draw uses one uniform number per row, so
    the same seed gives the same tokens whatever the temperature.
    """
    logits = _logits(logits)
    temperature = _check_temperature(temperature)
    k = _check_k(top_k, logits.shape[-1])
    if temperature == 0.0:
        return greedy(logits)
    probs = _probs(logits, temperature, k)  # checked once: this runs once per generated token
    rng = as_rng(rng)
    rows = probs.reshape(-1, probs.shape[-1])
    u = rng.random(rows.shape[0])[:, None]
    cdf = np.cumsum(rows, axis=-1)
    cdf[:, -1] = 1.0  # rounding must not leave u above the last bin
    picks = (u >= cdf).sum(axis=-1)
    # A token with probability 0 (outside the top k) must never be picked, even at a float tie.
    picks = np.where(rows[np.arange(len(picks)), picks] > 0, picks, np.argmax(rows, axis=-1))
    return int(picks[0]) if logits.ndim == 1 else picks


def entropy(probs, axis: int = -1) -> np.ndarray | float:
    """Shannon entropy in nats, sum(-p ln p) over ``axis`` (0 ln 0 = 0)."""
    p = as_array("probs", probs)
    if p.size and (p.min() < 0):
        raise ValueError(f"probs: expected non-negative probabilities, got a minimum of {p.min()}")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, -p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    out = terms.sum(axis=axis)
    return float(out) if np.ndim(out) == 0 else out
