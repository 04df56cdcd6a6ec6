"""Non-recurrent layers around the cells: embedding, affine maps, dropout.

Dimensions: N batch, T time, D features, H hidden, V vocabulary, M outputs.
Each layer is a ``*_forward -> (out, cache)`` / ``*_backward(dout, cache)``
pair; backward returns the gradients in the order of the forward inputs
(integer inputs such as token ids have no gradient).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import (
    as_array,
    check_cache,
    check_finite,
    check_int_array,
    check_probability,
    check_shape,
    check_upstream,
)
from .grads import Grads
from .init import as_rng

__all__ = [
    "EmbeddingCache",
    "embedding_forward",
    "embedding_backward",
    "AffineCache",
    "affine_forward",
    "affine_backward",
    "temporal_affine_forward",
    "temporal_affine_backward",
    "DropoutCache",
    "dropout_forward",
    "dropout_backward",
]


class EmbeddingCache(NamedTuple):
    idx: np.ndarray  # (N, T) token ids
    V: int
    D: int


def embedding_forward(idx, W):
    """Look up a D-dimensional vector for every token id.

    Inputs:
        idx: (N, T) integer token ids in [0, V)
        W: (V, D) embedding matrix
    Returns:
        out: (N, T, D) with out[n, t] = W[idx[n, t]], cache
    """
    dims: dict[str, int] = {}
    W = as_array("W", W)
    check_shape("W", W, ("V", "D"), dims)
    check_finite("W", W)
    idx = check_int_array("idx", idx, ("N", "T"), dims, high=dims["V"])
    return W[idx], EmbeddingCache(idx, dims["V"], dims["D"])


def embedding_backward(dout, cache):
    """Gradient of the embedding matrix: row v sums dout over every place token v occurs.

    Inputs: dout (N, T, D), cache from ``embedding_forward``
    Returns: dW (V, D)  (the token ids have no gradient)
    """
    check_cache(cache, EmbeddingCache, "embedding_forward")
    N, T = cache.idx.shape
    dout = check_upstream("dout", dout, (N, T, cache.D), ("N", "T", "D"))
    dW = np.zeros((cache.V, cache.D), dtype=dout.dtype)
    np.add.at(dW, cache.idx.reshape(-1), dout.reshape(-1, cache.D))  # repeated ids accumulate
    return dW


class AffineCache(NamedTuple):
    x: np.ndarray
    W: np.ndarray


def affine_forward(x, W, b):
    """out = x W + b for x of shape (N, D); W (D, M), b (M,). Returns out (N, M), cache."""
    return _affine(x, W, b, ("N", "D"))


def temporal_affine_forward(h, W, b):
    """The same affine map at every time step: out[:, t] = h[:, t] W + b.

    Inputs: h (N, T, H), W (H, M), b (M,)
    Returns: out (N, T, M), cache
    """
    return _affine(h, W, b, ("N", "T", "H"), name="h")


def _affine(x, W, b, spec, name="x"):
    dims: dict[str, int] = {}
    x = as_array(name, x)
    check_shape(name, x, spec, dims)
    W = as_array("W", W)
    check_shape("W", W, (spec[-1], "M"), dims)
    b = as_array("b", b)
    check_shape("b", b, ("M",), dims)
    for n, a in ((name, x), ("W", W), ("b", b)):
        check_finite(n, a)
    return x @ W + b, AffineCache(x, W)


def affine_backward(dout, cache):
    """Backward of ``affine_forward``. Returns Grads dx (N, D), dW (D, M), db (M,)."""
    return _affine_backward(dout, cache, "dx")


def temporal_affine_backward(dout, cache):
    """Backward of ``temporal_affine_forward``. Returns Grads dh (N, T, H), dW (H, M), db (M,)."""
    return _affine_backward(dout, cache, "dh")


def _affine_backward(dout, cache, dname):
    check_cache(cache, AffineCache, "affine_forward / temporal_affine_forward")
    out_shape = (*cache.x.shape[:-1], cache.W.shape[1])
    letters = ("N", "M") if len(out_shape) == 2 else ("N", "T", "M")
    dout = check_upstream("dout", dout, out_shape, letters)
    D, M = cache.W.shape
    dx = dout @ cache.W.T
    dW = cache.x.reshape(-1, D).T @ dout.reshape(-1, M)
    return Grads((dname, "dW", "db"), (dx, dW, dout.reshape(-1, M).sum(axis=0)))


class DropoutCache(NamedTuple):
    mask: np.ndarray | None  # scaled mask (0 or 1/(1-p)); None in eval mode or p == 0


def dropout_forward(x, p: float = 0.5, *, train: bool = True, rng=None, shared_over_time: bool = False):
    """Inverted dropout: zero each entry with probability p and scale the rest by 1/(1-p).

    This layer drops the *non-recurrent* connections (inputs of a layer,
    outputs to the classifier), as Zaremba et al. (2014) do; dropout on
    h_{t-1} -> h_t lives in ``models.encoder``. Lesson 06 measures both: a
    fresh mask at every step on a GRU's state erodes what it remembers, and
    on a model that overfits every placement helps.

    Inputs:
        x: any shape, typically (N, T, D)
        p: drop probability in [0, 1)
        train: False returns x unchanged (evaluation mode)
        rng: Generator or seed (never numpy's global state)
        shared_over_time: use one mask for all time steps of x (N, T, D)
            (variational dropout, Gal & Ghahramani 2016)
    Returns:
        out (same shape as x), cache
    """
    x = as_array("x", x)
    check_probability("p", p)
    if not train or p == 0.0:
        return x, DropoutCache(None)
    rng = as_rng(rng)
    if shared_over_time:
        if x.ndim != 3:
            raise ValueError(f"x: expected a 3-D array (N, T, D) for shared_over_time, got shape {x.shape}")
        keep = rng.random((x.shape[0], 1, x.shape[2])) >= p
        keep = np.broadcast_to(keep, x.shape)
    else:
        keep = rng.random(x.shape) >= p
    mask = keep / (1.0 - p)
    return x * mask, DropoutCache(mask)


def dropout_backward(dout, cache):
    """Backward of ``dropout_forward``: dx = dout * mask. Returns dx (a single array)."""
    check_cache(cache, DropoutCache, "dropout_forward")
    dout = as_array("dout", dout)
    if cache.mask is None:
        return dout
    if dout.shape != cache.mask.shape:
        raise ValueError(f"dout: expected shape {cache.mask.shape} (the forward input's), got {dout.shape}")
    return dout * cache.mask
