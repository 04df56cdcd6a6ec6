"""Bidirectional and stacked (deep) recurrent layers over any cell.

Parameters of one direction of one layer are a dict ``{"Wx", "Wh", "b"}``
(see ``init.init_cell_params``); gradients come back as dicts with the same
keys, so ``params[k] -= lr * grads[k]`` works. ``cell`` is "rnn",
"rnn_relu", "lstm" or "gru".

Dimensions: N batch, T time, D input, H hidden.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import as_array, check_cache, check_shape, check_upstream
from .cells import get_cell
from .grads import Grads
from .layers import dropout_backward, dropout_forward

__all__ = [
    "BidirectionalCache",
    "bidirectional_forward",
    "bidirectional_backward",
    "StackedCache",
    "stacked_forward",
    "stacked_backward",
]

_KEYS = ("Wx", "Wh", "b")


def _params(name, params):
    if not isinstance(params, dict) or any(k not in params for k in _KEYS):
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(f"{name}: expected a dict with keys 'Wx', 'Wh', 'b', got {got}")
    return params


class BidirectionalCache(NamedTuple):
    cell: str
    fwd: object  # cache of the forward-in-time pass
    bwd: object  # cache of the backward-in-time pass (on the reversed sequence)
    H: int


def bidirectional_forward(x, params_fwd, params_bwd, cell="rnn", h0_fwd=None, h0_bwd=None):
    """Run one cell forward in time and another backward in time; concatenate their states.

    Inputs:
        x: (N, T, D)
        params_fwd, params_bwd: {"Wx", "Wh", "b"} for each direction (same H)
        cell: "rnn", "rnn_relu", "lstm" or "gru"
        h0_fwd, h0_bwd: (N, H) initial states, zeros when None
    Returns:
        h: (N, T, 2H); h[:, t, :H] has read x[:, :t+1], h[:, t, H:] has read x[:, t:]
        cache
    """
    spec = get_cell(cell)
    pf, pb = _params("params_fwd", params_fwd), _params("params_bwd", params_bwd)
    x = as_array("x", x)
    check_shape("x", x, ("N", "T", "D"), {})
    hf, cache_f = spec.forward(x, h0_fwd, pf["Wx"], pf["Wh"], pf["b"])
    hb, cache_b = spec.forward(x[:, ::-1], h0_bwd, pb["Wx"], pb["Wh"], pb["b"])
    if hf.shape != hb.shape:
        raise ValueError(f"params_bwd: expected the hidden size H = {hf.shape[2]} of params_fwd, got H = {hb.shape[2]}")
    H = hf.shape[2]
    return np.concatenate([hf, hb[:, ::-1]], axis=2), BidirectionalCache(spec.name, cache_f, cache_b, H)


def bidirectional_backward(dh, cache):
    """Backward of ``bidirectional_forward``.

    Inputs: dh (N, T, 2H), cache
    Returns (Grads): dx (N, T, D), dparams_fwd {"Wx", "Wh", "b"}, dparams_bwd {...}
    and, as attributes, dh0_fwd and dh0_bwd (N, H).
    """
    check_cache(cache, BidirectionalCache, "bidirectional_forward")
    spec = get_cell(cache.cell)
    N, T = cache.fwd.x.shape[:2]
    dh = check_upstream("dh", dh, (N, T, 2 * cache.H), ("N", "T", "2H"))
    gf = spec.backward(dh[:, :, : cache.H], cache.fwd)
    gb = spec.backward(dh[:, ::-1, cache.H :], cache.bwd)
    dx = gf[0] + gb[0][:, ::-1]
    return Grads(
        ("dx", "dparams_fwd", "dparams_bwd"),
        (dx, dict(zip(_KEYS, gf[2:5])), dict(zip(_KEYS, gb[2:5]))),
        dh0_fwd=gf[1],
        dh0_bwd=gb[1],
    )


class StackedCache(NamedTuple):
    cell: str
    bidirectional: bool
    layers: list  # cache of each layer
    dropouts: list  # dropout cache on the input of each layer above the first


def stacked_forward(x, layers, cell="lstm", *, bidirectional=False, dropout=0.0, train=True, rng=None):
    """A deep RNN: layer l reads the hidden states of layer l-1.

    Inputs:
        x: (N, T, D)
        layers: list of parameter dicts, one per layer, bottom first. Layer 0
            has Wx (D, G*H); layer l > 0 has Wx (H_in, G*H) where H_in is the
            previous layer's output size (2H when bidirectional). When
            ``bidirectional``, each entry is {"fwd": {...}, "bwd": {...}}.
        cell: "rnn", "rnn_relu", "lstm" or "gru"
        dropout: drop probability on the connections *between* layers (the
            non-recurrent ones), applied only when ``train``
        rng: Generator or seed for the dropout masks
    Returns:
        h: (N, T, H) or (N, T, 2H) states of the top layer, cache
    """
    spec = get_cell(cell)
    if not isinstance(layers, (list, tuple)) or not layers:
        raise ValueError(f"layers: expected a non-empty list of parameter dicts, got {type(layers).__name__}")
    from .init import as_rng

    rng = as_rng(rng)
    h = as_array("x", x)
    check_shape("x", h, ("N", "T", "D"), {})
    caches, drops = [], []
    for depth, params in enumerate(layers):
        if depth > 0:
            h, dcache = dropout_forward(h, dropout, train=train, rng=rng)
            drops.append(dcache)
        try:
            if bidirectional:
                if not isinstance(params, dict) or "fwd" not in params or "bwd" not in params:
                    raise ValueError("expected a dict with keys 'fwd' and 'bwd' (bidirectional=True)")
                h, cache = bidirectional_forward(h, params["fwd"], params["bwd"], spec.name)
            else:
                p = _params("params", params)
                h, cache = spec.forward(h, None, p["Wx"], p["Wh"], p["b"])
        except ValueError as err:
            raise ValueError(f"layers[{depth}]: {err}") from None
        caches.append(cache)
    return h, StackedCache(spec.name, bidirectional, caches, drops)


def stacked_backward(dh, cache):
    """Backward of ``stacked_forward``.

    Inputs: dh, gradient with respect to the top layer's states; cache
    Returns (Grads): dx (N, T, D), dlayers (a list of gradient dicts shaped like ``layers``)
    """
    check_cache(cache, StackedCache, "stacked_forward")
    spec = get_cell(cache.cell)
    grads = [None] * len(cache.layers)
    for depth in range(len(cache.layers) - 1, -1, -1):
        layer_cache = cache.layers[depth]
        if cache.bidirectional:
            g = bidirectional_backward(dh, layer_cache)
            grads[depth] = {"fwd": g.dparams_fwd, "bwd": g.dparams_bwd}
            dh = g.dx
        else:
            g = spec.backward(dh, layer_cache)
            grads[depth] = dict(zip(_KEYS, g[2:5]))
            dh = g[0]
        if depth > 0:
            dh = dropout_backward(dh, cache.dropouts[depth - 1])
    return Grads(("dx", "dlayers"), (dh, grads))
