"""Where the gradient goes in backpropagation through time (lesson 02).

BPTT sums, over every loss term L_t and every unrolled copy k <= t of the
recurrent weights, the gradient of L_t with respect to copy k:

    dL/dWh = sum_t sum_{k <= t} G[t, k],    G[t, k] = h_{k-1}^T delta_k^(t)

where delta_k^(t) = dL_t/da_k is L_t's gradient at step k's pre-activation
(it has travelled back through the Jacobians J_t ... J_{k+1}). This module
computes that table, the pairs (t, k) that truncated BPTT keeps, and how
many step-backward operations each variant of BPTT performs (the number of
times ``rnn_backward``'s loop calls ``rnn_step_backward``).

Dimensions: N batch, T time, D input, H hidden.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_cache, check_truncate, check_upstream
from .activations import ACTIVATIONS
from .cells import RNNCache

__all__ = ["dWh_contributions", "truncation_mask", "count_backward_steps"]


def _check_length(T) -> int:
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or T < 1:
        raise ValueError(f"T: expected an integer >= 1, got {T!r}")
    return int(T)


def dWh_contributions(dh, cache) -> np.ndarray:
    """Every loss step's gradient with respect to every copy of Wh.

    Inputs:
        dh: (N, T, H) gradient each loss term sends directly to the hidden
            states (the ``dh`` you would pass to ``rnn_backward``); row t of
            the time axis is taken to come from L_t
        cache: RNNCache from ``rnn_forward``
    Returns:
        G: (T, T, H, H) with G[t, k] = dL_t / dWh through copy k
           (zero for k > t: a loss cannot depend on later steps).
           ``G.sum(axis=(0, 1))`` is ``rnn_backward(dh, cache).dWh``.
    """
    check_cache(cache, RNNCache, "rnn_forward")
    N, T, H = cache.h.shape
    dh = check_upstream("dh", dh, (N, T, H), ("N", "T", "H"))
    _, grad = ACTIVATIONS[cache.activation]
    h = cache.h.transpose(1, 0, 2)  # (T, N, H): this function works one step at a time, h[k] is h_{k+1}
    h_prev = np.concatenate([cache.h0[None], h[:-1]], axis=0)  # (T, N, H)
    G = np.zeros((T, T, H, H), dtype=np.float64)
    # carry[t] is L_t's gradient at the state being processed: all loss
    # terms travel back together, one step at a time.
    carry = np.zeros((T, N, H), dtype=np.float64)
    WhT = cache.Wh.T
    for k in range(T - 1, -1, -1):
        carry[k] += dh[:, k]
        delta = carry[k:] * grad(h[k])  # (T - k, N, H): L_t for t >= k
        G[k:, k] = np.einsum("ni,tnj->tij", h_prev[k], delta)
        carry[k:] = delta @ WhT
    return G


def truncation_mask(T: int, truncate: int | None, truncate_mode: str = "chunk") -> np.ndarray:
    """Which (loss step t, copy k) pairs truncated BPTT keeps.

    Inputs:
        T: sequence length
        truncate: None (full BPTT) or k >= 1
        truncate_mode: "chunk" (t and k in the same block of ``truncate``
            steps counted from the start) or "window" (0 <= t - k < truncate:
            L_t reaches the last ``truncate`` copies, through at most
            truncate - 1 Jacobians)
    Returns:
        (T, T) boolean array M[t, k]; ``(G * M[..., None, None]).sum((0, 1))``
        is ``rnn_backward(dh, cache, truncate=..., truncate_mode=...).dWh``.
    """
    T = _check_length(T)
    check_truncate(truncate, truncate_mode)
    t = np.arange(T)[:, None]
    k = np.arange(T)[None, :]
    keep = k <= t
    if truncate is None:
        return keep
    if truncate_mode == "chunk":
        return keep & (t // truncate == k // truncate)
    return keep & (t - k < truncate)


def count_backward_steps(T: int, truncate: int | None = None, truncate_mode: str = "chunk") -> int:
    """How many single-step backward operations ``rnn_backward`` performs.

    Full BPTT and "chunk" truncation call ``rnn_step_backward`` once per
    step: T. In "window" mode with k < T (``rnn_backward_window``) the loss
    at step t goes back through min(k, t) steps, so the count is the sum of
    min(k, t) over t = 1..T: about T k once T is much longer than k.

    Inputs:
        T: sequence length; truncate, truncate_mode: as for ``rnn_backward``
    Returns:
        the count (an int)
    """
    T = _check_length(T)
    check_truncate(truncate, truncate_mode)
    if truncate is None or truncate_mode == "chunk" or truncate >= T:  # a window of T or more is full BPTT
        return T
    return sum(min(truncate, t) for t in range(1, T + 1))
