"""The recurrent body shared by the classifier and the tagger: stacked, optionally bidirectional, with dropout.

    params = init_encoder(D, H, cell="gru", layers=2, bidirectional=True, rng=0)
    h, cache = encoder_forward(params, x, lengths, cell="gru", layers=2, bidirectional=True,
                               dropout=0.2, train=True, rng=rng)
    dx, grads = encoder_backward(dh, cache)

Sequences of different lengths are right-padded to T and described by
``lengths`` (N,). The forward direction reads ``x[n, :T_n]`` then padding,
so its states at t < T_n never see padding. The backward direction reads
each sequence reversed *within its length* (``reverse_padded``), so it too
starts at the last real token: a plain reversal of the padded array would
make it read the padding first. (``rnn_course.wrappers`` reverses whole
sequences, which is right only when every sequence has length T.)

Dropout (lesson 06 compares the placements):

- ``dropout`` alone: on the input of every layer and on the output of the
  top layer, the *non-recurrent* connections, with a fresh mask at every
  step (Zaremba, Sutskever & Vinyals 2014). The recurrence is untouched.
- ``recurrent_dropout`` also drops units of h_{t-1} before each step.
  With ``recurrent_dropout_mode="naive"`` the mask is drawn afresh at every
  step: for a vanilla RNN or a GRU that masks the memory itself, so a value
  stored in one unit survives t steps with probability (1-p)^t; for an
  LSTM it masks only the gates' view of h_{t-1} while the cell state c
  passes untouched.
- ``recurrent_dropout_mode="variational"`` draws *one* mask per sequence
  and uses it at every step, for every dropout of the encoder: the inputs,
  the output and h_{t-1} (Gal & Ghahramani 2016). A unit dropped for a
  sequence is dropped all along it, so what the other units carry is never
  eroded. For a vanilla RNN and an LSTM, masking the h_{t-1} the step reads
  is exactly their method (it only enters the matrix products; the LSTM's c
  passes untouched). A GRU also carries h_{t-1} straight into h_t, where a
  mask kept for the whole sequence would scale a kept unit by 1/(1-p) at
  every step, so the GRU refuses this mode.

Parameter names: ``"l{layer}_{direction}_{Wx|Wh|b}"``, direction "fwd" or "bwd".
Dimensions: N batch, T time, D input, H hidden (per direction).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import as_array, check_choice, check_int_array, check_probability, check_shape
from ..cells import (
    get_cell,
    gru_step_backward,
    gru_step_forward,
    lstm_step_backward,
    lstm_step_forward,
    rnn_step_backward,
    rnn_step_forward,
)
from ..init import as_rng, init_cell_params
from ..layers import dropout_backward, dropout_forward

__all__ = ["init_encoder", "encoder_forward", "encoder_backward", "reverse_padded", "check_lengths",
           "check_dropout", "recurrent_masks", "RECURRENT_DROPOUT_MODES", "EncoderCache"]

RECURRENT_DROPOUT_MODES = ("naive", "variational")
_KEYS = ("Wx", "Wh", "b")


def check_dropout(dropout=0.0, recurrent_dropout=0.0, recurrent_dropout_mode="naive", cell: str | None = None) -> None:
    """The encoder's dropout settings, checked once for the encoder and every model built on it."""
    check_probability("dropout", dropout)
    check_probability("recurrent_dropout", recurrent_dropout)
    check_choice("recurrent_dropout_mode", recurrent_dropout_mode, RECURRENT_DROPOUT_MODES)
    if recurrent_dropout_mode == "variational" and recurrent_dropout > 0 and cell == "gru":
        # h_t = (1 - z) * n + z * h_{t-1}: the masked h_{t-1} is also the carried state, so a kept unit would be
        # scaled by 1/(1-p) at every step of the sequence and grow like (1-p)^-t.
        raise ValueError("recurrent_dropout_mode: 'variational' recurrent dropout is for 'rnn', 'rnn_relu' and "
                         "'lstm' cells, where h_{t-1} only enters the matrix products; a GRU also carries h_{t-1} "
                         "straight into h_t, where a mask kept for the whole sequence scales it by 1/(1-p) at every "
                         "step")


def _directions(bidirectional: bool):
    return ("fwd", "bwd") if bidirectional else ("fwd",)


def init_encoder(D: int, H: int, *, cell: str = "gru", layers: int = 1, bidirectional: bool = False,
                 forget_bias: float = 1.0, rng=None) -> dict:
    """Parameters of every layer and direction: {"l0_fwd_Wx": (D, G*H), ..., "l1_bwd_b": (G*H,)}."""
    spec = get_cell(cell)
    if isinstance(layers, bool) or not isinstance(layers, (int, np.integer)) or layers < 1:
        raise ValueError(f"layers: expected an integer >= 1, got {layers!r}")
    rng = as_rng(rng)
    params = {}
    width = 2 * H if bidirectional else H
    for layer in range(int(layers)):
        d_in = D if layer == 0 else width
        for direction in _directions(bidirectional):
            cell_params = init_cell_params(d_in, H, spec.name, forget_bias=forget_bias, rng=rng)
            for key in _KEYS:
                params[f"l{layer}_{direction}_{key}"] = cell_params[key]
    return params


def check_lengths(lengths, N: int, T: int) -> np.ndarray:
    """lengths (N,) integers in [1, T]; None means all T."""
    if lengths is None:
        return np.full(N, T, dtype=np.int64)
    lengths = check_int_array("lengths", lengths, ("N",), {"N": N})
    if lengths.size and (lengths.min() < 1 or lengths.max() > T):
        raise ValueError(f"lengths: expected values in [1, T] = [1, {T}], got values in "
                         f"[{lengths.min()}, {lengths.max()}]")
    return lengths


def reverse_padded(x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Reverse each sequence within its length T_n = lengths[n]: out[n, t] = x[n, T_n - 1 - t] for t < T_n.

    Padding positions (t >= T_n) stay where they are. It is its own inverse, so
    the same call maps the backward direction's states back to the original
    time order (and its gradient back too).
    """
    N, T = x.shape[:2]
    t = np.arange(T)[None, :]
    idx = np.where(t < lengths[:, None], lengths[:, None] - 1 - t, t)
    return x[np.arange(N)[:, None], idx]


class _RecurrentDropoutCache(NamedTuple):
    cell: str
    steps: list  # step caches
    masks: np.ndarray  # (N, T, H) scaled masks applied to h_{t-1}: masks[:, t] before step t


def recurrent_masks(N: int, T: int, H: int, p: float, mode: str, rng) -> np.ndarray:
    """Scaled dropout masks (N, T, H) for h_{t-1}: 0 (dropped) or 1/(1-p) (kept).

    mode "naive": a fresh mask at every step; "variational": one mask per
    sequence, the same at every step.
    """
    keep = 1.0 - p
    if mode == "variational":
        return np.broadcast_to((rng.random((N, 1, H)) < keep) / keep, (N, T, H))
    return (rng.random((N, T, H)) < keep) / keep


def _run_direction(x, p, spec, recurrent_dropout, mode, train, rng):
    """One direction of one layer. Returns states (N, T, H) and a cache."""
    if not train or recurrent_dropout == 0.0:
        h, cache = spec.forward(x, None, p["Wx"], p["Wh"], p["b"])
        return h, ("sequence", cache)
    N, T, _ = x.shape
    H = p["Wh"].shape[0]
    masks = recurrent_masks(N, T, H, recurrent_dropout, mode, rng)
    h_prev = np.zeros((N, H))
    c_prev = np.zeros((N, H))
    out = np.empty((N, T, H))
    steps = []
    for t in range(T):
        h_in = h_prev * masks[:, t]  # dropout on the recurrent connection h_{t-1} -> h_t
        if spec.name == "lstm":
            h_prev, c_prev, step = lstm_step_forward(x[:, t], h_in, c_prev, p["Wx"], p["Wh"], p["b"])
        elif spec.name == "gru":
            h_prev, step = gru_step_forward(x[:, t], h_in, p["Wx"], p["Wh"], p["b"])
        else:
            activation = "relu" if spec.name == "rnn_relu" else "tanh"
            h_prev, step = rnn_step_forward(x[:, t], h_in, p["Wx"], p["Wh"], p["b"], activation=activation)
        out[:, t] = h_prev
        steps.append(step)
    return out, ("stepwise", _RecurrentDropoutCache(spec.name, steps, masks))


def _backward_direction(dh, cache, spec):
    """Gradients (dx, {"Wx", "Wh", "b"}) of one direction given dloss/dstates (N, T, H)."""
    kind, inner = cache
    if kind == "sequence":
        g = spec.backward(dh, inner)
        return g.dx, {"Wx": g.dWx, "Wh": g.dWh, "b": g.db}
    N, T, H = dh.shape
    dx = None
    grads = None
    dh_next = np.zeros((N, H))
    dc_next = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        step = inner.steps[t]
        if inner.cell == "lstm":
            g = lstm_step_backward(dh[:, t] + dh_next, dc_next, step)
            dx_t, dh_in, dc_next, dWx, dWh, db = g
        elif inner.cell == "gru":
            dx_t, dh_in, dWx, dWh, db = gru_step_backward(dh[:, t] + dh_next, step)
        else:
            dx_t, dh_in, dWx, dWh, db = rnn_step_backward(dh[:, t] + dh_next, step)
        dh_next = dh_in * inner.masks[:, t]  # the gradient goes through the same mask
        if dx is None:
            dx = np.empty((N, T, dx_t.shape[1]))
            grads = {"Wx": dWx.copy(), "Wh": dWh.copy(), "b": db.copy()}
        else:
            grads["Wx"] += dWx
            grads["Wh"] += dWh
            grads["b"] += db
        dx[:, t] = dx_t
    return dx, grads


class EncoderCache(NamedTuple):
    cell: str
    layers: int
    bidirectional: bool
    lengths: np.ndarray
    input_drops: list  # dropout cache of each layer's input
    output_drop: object
    directions: list  # per layer: {direction: cache}


def encoder_forward(params: dict, x, lengths=None, *, cell: str = "gru", layers: int = 1,
                    bidirectional: bool = False, dropout: float = 0.0, recurrent_dropout: float = 0.0,
                    recurrent_dropout_mode: str = "naive", train: bool = True, rng=None):
    """Run the stack over x (N, T, D). Returns states (N, T, H) or (N, T, 2H) of the top layer, and a cache.

    dropout: probability on every layer's input and on the top layer's output (only when ``train``)
    recurrent_dropout: probability on h_{t-1} inside the recurrence
    recurrent_dropout_mode: "naive" (a fresh mask at every step) or "variational" (one mask per
        sequence for every dropout of the encoder, the non-recurrent ones included)
    """
    spec = get_cell(cell)
    x = as_array("x", x)
    dims: dict[str, int] = {}
    check_shape("x", x, ("N", "T", "D"), dims)
    lengths = check_lengths(lengths, dims["N"], dims["T"])
    check_dropout(dropout, recurrent_dropout, recurrent_dropout_mode, spec.name)
    rng = as_rng(rng)
    per_sequence = recurrent_dropout_mode == "variational"
    h = x
    input_drops, directions = [], []
    for layer in range(layers):
        h, drop = dropout_forward(h, dropout, train=train, rng=rng, shared_over_time=per_sequence)
        input_drops.append(drop)
        outputs, caches = [], {}
        for direction in _directions(bidirectional):
            p = {key: params[f"l{layer}_{direction}_{key}"] for key in _KEYS}
            inputs = h if direction == "fwd" else reverse_padded(h, lengths)
            try:
                states, caches[direction] = _run_direction(inputs, p, spec, float(recurrent_dropout),
                                                           recurrent_dropout_mode, train, rng)
            except ValueError as err:
                raise ValueError(f"layer {layer} ({direction}): {err}") from None
            outputs.append(states if direction == "fwd" else reverse_padded(states, lengths))
        h = outputs[0] if len(outputs) == 1 else np.concatenate(outputs, axis=2)
        directions.append(caches)
    h, output_drop = dropout_forward(h, dropout, train=train, rng=rng, shared_over_time=per_sequence)
    return h, EncoderCache(spec.name, layers, bidirectional, lengths, input_drops, output_drop, directions)


def encoder_backward(dh, cache: EncoderCache):
    """Gradients given dloss/dstates of the top layer. Returns (dx (N, T, D), {parameter name: gradient})."""
    spec = get_cell(cache.cell)
    dh = dropout_backward(dh, cache.output_drop)
    grads = {}
    for layer in range(cache.layers - 1, -1, -1):
        caches = cache.directions[layer]
        H = dh.shape[2] // len(caches)
        dx = None
        for i, direction in enumerate(_directions(cache.bidirectional)):
            d_states = dh[:, :, i * H : (i + 1) * H]
            if direction == "bwd":
                d_states = reverse_padded(d_states, cache.lengths)
            d_inputs, g = _backward_direction(d_states, caches[direction], spec)
            if direction == "bwd":
                d_inputs = reverse_padded(d_inputs, cache.lengths)
            dx = d_inputs if dx is None else dx + d_inputs
            for key in _KEYS:
                grads[f"l{layer}_{direction}_{key}"] = g[key]
        dh = dropout_backward(dx, cache.input_drops[layer])
    return dh, grads
