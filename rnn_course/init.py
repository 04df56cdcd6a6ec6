"""Weight initialisers for recurrent cells.

How the recurrent matrix starts decides whether gradients survive the first
steps of training (lesson 03): small Gaussian weights make them vanish,
orthogonal matrices keep their norm, the identity with ReLU (IRNN, Le et al.
2015) copies the state forward, and a forget-gate bias of 1 makes an LSTM
remember by default (Gers et al. 2000; Jozefowicz et al. 2015). The GRU's
update gate z plays the forget gate's role (h = (1 - z) n + z h_prev), so
an update-gate bias does for a GRU what the forget bias does for an LSTM.

Every function takes ``rng``: a ``numpy.random.Generator``, an int seed, or
None (fresh entropy). Nothing touches numpy's global random state.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_choice

__all__ = [
    "as_rng",
    "small_normal",
    "xavier_uniform",
    "xavier_normal",
    "orthogonal",
    "identity",
    "lstm_forget_bias",
    "gru_update_bias",
    "init_cell_params",
]

_GATES = {"rnn": 1, "rnn_relu": 1, "lstm": 4, "gru": 3}


def as_rng(rng=None) -> np.random.Generator:
    """A Generator from a Generator, an int seed or None."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (int, np.integer)):
        return np.random.default_rng(rng)
    raise ValueError(f"rng: expected a numpy Generator, an int seed or None, got {type(rng).__name__}")


def _shape(shape) -> tuple[int, int]:
    shape = tuple(int(s) for s in shape)
    if len(shape) != 2 or min(shape) < 1:
        raise ValueError(f"shape: expected (rows, columns) with both >= 1, got {shape}")
    return shape


def small_normal(shape, scale: float = 0.01, rng=None) -> np.ndarray:
    """Entries from N(0, scale^2): the classic 'small random weights'."""
    return scale * as_rng(rng).standard_normal(_shape(shape))


def xavier_uniform(shape, gain: float = 1.0, rng=None) -> np.ndarray:
    """Glorot & Bengio (2010): U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _shape(shape)
    a = gain * np.sqrt(6.0 / (fan_in + fan_out))
    return as_rng(rng).uniform(-a, a, size=(fan_in, fan_out))


def xavier_normal(shape, gain: float = 1.0, rng=None) -> np.ndarray:
    """Glorot & Bengio (2010): N(0, gain^2 * 2 / (fan_in + fan_out))."""
    fan_in, fan_out = _shape(shape)
    return gain * np.sqrt(2.0 / (fan_in + fan_out)) * as_rng(rng).standard_normal((fan_in, fan_out))


def orthogonal(shape, gain: float = 1.0, rng=None) -> np.ndarray:
    """A (semi-)orthogonal matrix times ``gain`` (Saxe et al. 2014).

    Every singular value equals ``gain``, so repeated multiplication neither
    shrinks nor grows a vector (for gain 1).
    """
    rows, cols = _shape(shape)
    a = as_rng(rng).standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q *= np.sign(np.diag(r))  # makes the distribution uniform (Haar)
    if rows < cols:
        q = q.T
    return gain * q[:rows, :cols]


def identity(H: int, scale: float = 1.0) -> np.ndarray:
    """``scale`` times the H x H identity: the IRNN recurrent matrix."""
    if int(H) < 1:
        raise ValueError(f"H: expected an integer >= 1, got {H!r}")
    return scale * np.eye(int(H))


def lstm_forget_bias(H: int, value: float = 1.0) -> np.ndarray:
    """An LSTM bias (4H,) of zeros except the forget block (i, *f*, g, o) set to ``value``."""
    if int(H) < 1:
        raise ValueError(f"H: expected an integer >= 1, got {H!r}")
    b = np.zeros(4 * int(H))
    b[int(H) : 2 * int(H)] = value
    return b


def gru_update_bias(H: int, value: float = 1.0) -> np.ndarray:
    """A GRU bias (3H,) of zeros except the update block (r, *z*, n) set to ``value``.

    With h = (1 - z) n + z h_prev, a positive value starts z above 1/2: the
    state keeps more of itself at every step, and the gradient along it
    (a factor z per step) fades more slowly, like an LSTM's forget bias.
    """
    if int(H) < 1:
        raise ValueError(f"H: expected an integer >= 1, got {H!r}")
    b = np.zeros(3 * int(H))
    b[int(H) : 2 * int(H)] = value
    return b


def init_cell_params(
    D: int,
    H: int,
    cell: str = "rnn",
    *,
    input_init: str = "xavier",
    recurrent_init: str = "orthogonal",
    scale: float = 1.0,
    forget_bias: float = 1.0,
    update_bias: float = 0.0,
    rng=None,
) -> dict:
    """Parameters ``{"Wx": (D, G*H), "Wh": (H, G*H), "b": (G*H,)}`` for a cell with G gate blocks.

    Inputs:
        D, H: input and hidden sizes
        cell: "rnn", "rnn_relu", "lstm" or "gru"
        input_init: "xavier" or "normal" (small_normal with std 0.01 * scale)
        recurrent_init: "orthogonal", "xavier", "normal" or "identity",
            applied to each H x H block of Wh and multiplied by ``scale``
        forget_bias: the LSTM forget-gate bias (ignored by other cells)
        update_bias: the GRU update-gate bias (ignored by other cells)
        rng: Generator, seed or None
    """
    check_choice("cell", cell, tuple(_GATES))
    check_choice("input_init", input_init, ("xavier", "normal"))
    check_choice("recurrent_init", recurrent_init, ("orthogonal", "xavier", "normal", "identity"))
    if int(D) < 1 or int(H) < 1:
        raise ValueError(f"D, H: expected integers >= 1, got D={D!r}, H={H!r}")
    rng = as_rng(rng)
    G = _GATES[cell]
    blocks_x, blocks_h = [], []
    for _ in range(G):
        if input_init == "xavier":
            blocks_x.append(xavier_uniform((D, H), rng=rng))
        else:
            blocks_x.append(small_normal((D, H), 0.01 * scale, rng=rng))
        if recurrent_init == "orthogonal":
            blocks_h.append(orthogonal((H, H), gain=scale, rng=rng))
        elif recurrent_init == "xavier":
            blocks_h.append(xavier_uniform((H, H), gain=scale, rng=rng))
        elif recurrent_init == "normal":
            blocks_h.append(small_normal((H, H), 0.01 * scale, rng=rng))
        else:
            blocks_h.append(identity(H, scale))
    if cell == "lstm":
        b = lstm_forget_bias(H, forget_bias)
    elif cell == "gru":
        b = gru_update_bias(H, update_bias)
    else:
        b = np.zeros(G * H)
    return {"Wx": np.concatenate(blocks_x, axis=1), "Wh": np.concatenate(blocks_h, axis=1), "b": b}
