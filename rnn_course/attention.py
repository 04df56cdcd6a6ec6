"""Additive attention (Bahdanau, Cho & Bengio 2014): a decoder state reads a weighted average of encoder states.

    context, weights, cache = additive_attention_forward(query, keys, Wq, Wk, v, mask)
    dquery, dkeys, dWq, dWk, dv = additive_attention_backward(dcontext, cache)

Dimensions: N batch, T key positions (the source), Hq query size, Hk key size, A attention size.
For every position t of every row:

    u_t     = tanh(query Wq + keys_t Wk)          (N, T, A)  a one-layer network scores each pair
    e_t     = u_t v                                (N, T)     the score of position t
    e_t     = -inf where mask is False             (padding: weight exactly 0)
    alpha_t = exp(e_t) / sum_t' exp(e_t')          (N, T)     softmax over positions t (axis 1)
    context = sum_t alpha_t keys_t                 (N, Hk)

The context is a *convex combination* of the keys: the weights are >= 0 and
sum to 1 over t, so they say how much of each position the decoder reads.

A row whose mask is False everywhere has nothing to attend to: the softmax
would divide 0 by 0. That is an error in the caller (an empty source), so it
raises a ValueError naming the row instead of returning a silent zero context.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import as_array, check_finite, check_shape
from .grads import Grads

__all__ = ["AttentionCache", "additive_attention_forward", "additive_attention_backward", "masked_softmax"]


class AttentionCache(NamedTuple):
    """What ``additive_attention_backward`` needs from ``additive_attention_forward``."""

    query: np.ndarray  # (N, Hq)
    keys: np.ndarray  # (N, T, Hk)
    Wq: np.ndarray  # (Hq, A)
    Wk: np.ndarray  # (Hk, A)
    v: np.ndarray  # (A,)
    u: np.ndarray  # (N, T, A)  tanh(query Wq + keys Wk)
    weights: np.ndarray  # (N, T)  alpha, 0 at masked positions


def masked_softmax(scores, mask=None):
    """Softmax over axis 1 of ``scores`` (N, T), with weight exactly 0 where ``mask`` (N, T) is False.

    Stable: the largest real score of each row is subtracted before ``exp``,
    so scores of any size give no overflow. Every row needs a real position.
    """
    if mask is not None:
        if not np.asarray(mask).any(axis=1).all():
            raise ValueError("mask: a row has no real position (all False): its softmax would be 0 / 0")
        scores = np.where(mask, scores, -np.inf)  # exp(-inf) = 0: a masked position gets nothing
    largest = scores.max(axis=1, keepdims=True)
    e = np.exp(scores - largest)
    return e / e.sum(axis=1, keepdims=True)


def _check_mask(mask, dims):
    if mask is None:
        return None
    arr = np.asarray(mask)
    if arr.dtype != bool:
        if arr.dtype.kind in "iuf" and np.isin(arr, (0, 1)).all():
            arr = arr.astype(bool)
        else:
            raise ValueError(f"mask: expected booleans (True where a position is real), got dtype {arr.dtype}")
    check_shape("mask", arr, ("N", "T"), dims)
    empty = np.flatnonzero(~arr.any(axis=1))
    if empty.size:
        raise ValueError(f"mask: row {int(empty[0])} has no real position (all False): there is nothing to attend "
                         "to; every row needs at least one True")
    return arr


def additive_attention_forward(query, keys, Wq, Wk, v, mask=None):
    """Additive attention of one query per row over the T keys of that row.

    Inputs:
        query: (N, Hq) what is looking (the decoder's state)
        keys: (N, T, Hk) what is looked at (the encoder's states); also the values averaged
        Wq: (Hq, A), Wk: (Hk, A), v: (A,) the scoring network's parameters
        mask: None, or (N, T) booleans, True where a position is real; a False
            position gets weight exactly 0 (every row needs one True)
    Returns:
        context: (N, Hk) sum_t weights_t keys_t
        weights: (N, T) softmax over t of the scores; each row sums to 1
        cache: AttentionCache for ``additive_attention_backward``
    """
    dims: dict[str, int] = {}
    query = as_array("query", query)
    check_shape("query", query, ("N", "Hq"), dims)
    keys = as_array("keys", keys)
    check_shape("keys", keys, ("N", "T", "Hk"), dims)
    Wq = as_array("Wq", Wq)
    check_shape("Wq", Wq, ("Hq", "A"), dims)
    Wk = as_array("Wk", Wk)
    check_shape("Wk", Wk, ("Hk", "A"), dims)
    v = as_array("v", v)
    check_shape("v", v, ("A",), dims)
    for name, arr in (("query", query), ("keys", keys), ("Wq", Wq), ("Wk", Wk), ("v", v)):
        check_finite(name, arr)
    mask = _check_mask(mask, dims)

    u = np.tanh((query @ Wq)[:, None, :] + keys @ Wk)  # (N, T, A): the query is the same for every t
    scores = u @ v  # (N, T)
    weights = masked_softmax(scores, mask)  # (N, T)
    context = np.einsum("nt,nth->nh", weights, keys)  # (N, Hk)
    return context, weights, AttentionCache(query, keys, Wq, Wk, v, u, weights)


def additive_attention_backward(dcontext, cache: AttentionCache):
    """Backward pass of additive attention.

    Inputs:
        dcontext: (N, Hk) gradient of the loss with respect to the context
        cache: AttentionCache from ``additive_attention_forward``
    Returns (a ``Grads`` tuple, also readable by name):
        dquery: (N, Hq), dkeys: (N, T, Hk), dWq: (Hq, A), dWk: (Hk, A), dv: (A,)

    The keys receive gradient by two paths: directly, as the values the
    context averages (weights_t * dcontext), and through the scores that
    decide the weights (keys_t Wk is inside the tanh).
    """
    if not isinstance(cache, AttentionCache):
        raise ValueError(f"cache: expected the AttentionCache returned by additive_attention_forward, "
                         f"got {type(cache).__name__}")
    query, keys, Wq, Wk, v, u, weights = cache
    N, T, Hk = keys.shape
    dcontext = as_array("dcontext", dcontext)
    check_shape("dcontext", dcontext, ("N", "Hk"), {"N": N, "Hk": Hk})
    check_finite("dcontext", dcontext)

    # context = sum_t alpha_t keys_t
    dkeys = weights[:, :, None] * dcontext[:, None, :]  # (N, T, Hk) the direct path: keys are the values
    dweights = (keys @ dcontext[:, :, None])[:, :, 0]  # (N, T): keys_t . dcontext
    # alpha = softmax(e): de_t = alpha_t (dalpha_t - sum_t' alpha_t' dalpha_t'); 0 where alpha_t = 0 (masked)
    dscores = weights * (dweights - (weights * dweights).sum(axis=1, keepdims=True))  # (N, T)
    # e_t = u_t v
    dv = np.einsum("nta,nt->a", u, dscores)  # (A,)
    du = dscores[:, :, None] * v  # (N, T, A)
    # u_t = tanh(z_t), z_t = query Wq + keys_t Wk
    dz = du * (1.0 - u * u)  # (N, T, A)
    dz_query = dz.sum(axis=1)  # (N, A): the query was added at every t
    dquery = dz_query @ Wq.T  # (N, Hq)
    dWq = query.T @ dz_query  # (Hq, A)
    dkeys += dz @ Wk.T  # (N, T, Hk) the path through the scores
    dWk = keys.reshape(N * T, Hk).T @ dz.reshape(N * T, -1)  # (Hk, A)
    return Grads(("dquery", "dkeys", "dWq", "dWk", "dv"), (dquery, dkeys, dWq, dWk, dv))
