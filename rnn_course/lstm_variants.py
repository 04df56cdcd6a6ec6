"""Two LSTM variants from Greff et al.'s comparison (2017): peephole connections and coupled input-forget gates.

Dimensions: N batch, T time, D input, H hidden. Both cells keep the LSTM's
names (``rnn_course.cells.lstm``) and differ from it in one place each.

**Peephole LSTM** (Gers & Schmidhuber 2000). The gates also look at the cell
state, through one weight per unit and gate (a diagonal matrix, stored as
the vector ``peep`` (3H,) with blocks p_i, p_f, p_o):

    a = x Wx + h_prev Wh + b                      (N, 4H), blocks i, f, g, o
    i = sigmoid(a_i + p_i * c_prev)               input gate sees the old cell state
    f = sigmoid(a_f + p_f * c_prev)               forget gate sees the old cell state
    g = tanh(a_g)
    c = f * c_prev + i * g
    o = sigmoid(a_o + p_o * c)                    output gate sees the *new* cell state
    h = o * tanh(c)

Gers & Schmidhuber added them so that a cell can time its gates from what
it holds even while the output gate is shut (h then shows nothing of c).

**CIFG, the coupled input and forget gate** (Greff et al. 2017). No forget
weights at all: the cell forgets exactly as much as it writes, as a GRU
does with z and 1 - z. Three blocks i, g, o:

    a = x Wx + h_prev Wh + b                      (N, 3H), blocks i, g, o
    i = sigmoid(a_i)       g = tanh(a_g)       o = sigmoid(a_o)
    f = 1 - i
    c = f * c_prev + i * g
    h = o * tanh(c)

Every function has the shape of its ``rnn_course.cells`` twin: step
forward/backward and sequence forward/backward, sequences batch-first. One
step's equations are written once (``_peephole_cell``, ``_cifg_cell`` and
their backward twins) and used by both; a sequence runs them in a visible
loop over time. The caches are batch-first: ``cache.c`` is (N, T, H) like
the returned h.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import as_array, check_finite, check_shape
from .activations import sigmoid
from .cells import Grads

__all__ = [
    "PeepholeStepCache",
    "PeepholeCache",
    "peephole_lstm_step_forward",
    "peephole_lstm_step_backward",
    "peephole_lstm_forward",
    "peephole_lstm_backward",
    "CIFGStepCache",
    "CIFGCache",
    "cifg_lstm_step_forward",
    "cifg_lstm_step_backward",
    "cifg_lstm_forward",
    "cifg_lstm_backward",
]


# --------------------------------------------------------------------------- argument checks
def _check_args(x, h, c, Wx, Wh, b, *, gates: int, sequence: bool, h_name: str, c_name: str, peep=None):
    """Convert and check the arguments of either cell; returns them and the dimensions {N, (T,) D, H}.

    h and c may be None (zeros). ``gates`` is the number of H-wide blocks: 4 (the peephole LSTM, which also
    takes ``peep``) or 3 (the CIFG).
    """
    dims: dict[str, int] = {}
    block = f"{gates}H"
    layout = " (peephole LSTM gate blocks i, f, g, o)" if gates == 4 else " (CIFG gate blocks i, g, o)"
    x = as_array("x", x)
    check_shape("x", x, ("N", "T", "D") if sequence else ("N", "D"), dims)
    Wh = as_array("Wh", Wh)
    try:
        check_shape("Wh", Wh, ("H", block), dims)
        Wx = as_array("Wx", Wx)
        check_shape("Wx", Wx, ("D", block), dims)
        b = as_array("b", b)
        check_shape("b", b, (block,), dims)
    except ValueError as err:
        raise ValueError(f"{err}{layout}") from None
    N, H = dims["N"], dims["H"]
    h = np.zeros((N, H)) if h is None else as_array(h_name, h)
    check_shape(h_name, h, ("N", "H"), dims)
    c = np.zeros((N, H)) if c is None else as_array(c_name, c)
    check_shape(c_name, c, ("N", "H"), dims)
    arrays = {"x": x, h_name: h, c_name: c, "Wx": Wx, "Wh": Wh, "b": b}
    if gates == 4:
        peep = as_array("peep", peep)
        try:
            check_shape("peep", peep, ("3H",), dims)
        except ValueError as err:
            raise ValueError(f"{err} (peephole weights p_i, p_f, p_o)") from None
        arrays["peep"] = peep
    for name, arr in arrays.items():
        check_finite(name, arr)
    return x, h, c, Wx, Wh, b, peep, dims


def _check_cache(cache, expected, producer):
    if not isinstance(cache, expected):
        raise ValueError(f"cache: expected the {expected.__name__} returned by {producer}, got {type(cache).__name__}")


def _check_upstream(name, value, shape, letters):
    arr = as_array(name, value)
    check_shape(name, arr, letters, dict(zip(letters, shape)))
    check_finite(name, arr)
    return arr


# --------------------------------------------------------------------------- peephole LSTM
class PeepholeStepCache(NamedTuple):
    """What ``peephole_lstm_step_backward`` needs from ``peephole_lstm_step_forward``."""

    x: np.ndarray  # (N, D)
    h_prev: np.ndarray  # (N, H)
    c_prev: np.ndarray  # (N, H)
    c: np.ndarray  # (N, H) the new cell state (the output gate's peephole reads it)
    gates: np.ndarray  # (N, 4H) activated gates [i, f, g, o]
    tanh_c: np.ndarray  # (N, H)
    Wx: np.ndarray  # (D, 4H)
    Wh: np.ndarray  # (H, 4H)
    peep: np.ndarray  # (3H,) p_i, p_f, p_o


class PeepholeCache(NamedTuple):
    """What ``peephole_lstm_backward`` needs from ``peephole_lstm_forward``. Batch-first, like the outputs."""

    x: np.ndarray  # (N, T, D)
    h0: np.ndarray  # (N, H)
    c0: np.ndarray  # (N, H)
    h: np.ndarray  # (N, T, H)
    c: np.ndarray  # (N, T, H)
    gates: np.ndarray  # (N, T, 4H) activated gates [i, f, g, o]
    tanh_c: np.ndarray  # (N, T, H)
    Wx: np.ndarray  # (D, 4H)
    Wh: np.ndarray  # (H, 4H)
    peep: np.ndarray  # (3H,)


def _peephole_cell(a, c_prev, peep):
    """The step's equations from its pre-activations a = x Wx + h_prev Wh + b (N, 4H): h, c, gates, tanh(c)."""
    H = c_prev.shape[1]
    p_i, p_f, p_o = peep[:H], peep[H : 2 * H], peep[2 * H :]
    i = sigmoid(a[:, :H] + p_i * c_prev)
    f = sigmoid(a[:, H : 2 * H] + p_f * c_prev)
    g = np.tanh(a[:, 2 * H : 3 * H])
    c = f * c_prev + i * g
    o = sigmoid(a[:, 3 * H :] + p_o * c)
    tanh_c = np.tanh(c)
    h = o * tanh_c
    return h, c, np.concatenate([i, f, g, o], axis=1), tanh_c


def _peephole_cell_backward(dh, dc, c_prev, c, gates, tanh_c, peep):
    """Backward through one step's equations. dh: gradient at h_t, dc: at c_t from step t + 1.

    Returns da (N, 4H), the gradient of the pre-activations, and dc_prev (N, H).
    The output gate reads c_t and the input and forget gates read c_{t-1}, so
    the peepholes add one term to each of dc and dc_prev.
    """
    H = c_prev.shape[1]
    p_i, p_f, p_o = peep[:H], peep[H : 2 * H], peep[2 * H :]
    i, f, g, o = gates[:, :H], gates[:, H : 2 * H], gates[:, 2 * H : 3 * H], gates[:, 3 * H :]
    da_o = dh * tanh_c * o * (1 - o)
    dc = dc + dh * o * (1 - tanh_c**2) + da_o * p_o  # h = o tanh(c), and o looks at c
    da_i = dc * g * i * (1 - i)
    da_f = dc * c_prev * f * (1 - f)
    da_g = dc * i * (1 - g**2)
    dc_prev = dc * f + da_i * p_i + da_f * p_f  # the carousel, plus the two peepholes that read c_prev
    return np.concatenate([da_i, da_f, da_g, da_o], axis=-1), dc_prev


def _peephole_grad(da, c_prev, c):
    """dpeep (3H,) from pre-activation gradients da (..., 4H): each peephole weight times the state it reads."""
    H = c.shape[-1]
    axes = tuple(range(c.ndim - 1))
    return np.concatenate([(da[..., :H] * c_prev).sum(axis=axes), (da[..., H : 2 * H] * c_prev).sum(axis=axes),
                           (da[..., 3 * H :] * c).sum(axis=axes)])


def peephole_lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b, peep):
    """One step of a peephole LSTM.

    Inputs:
        x: (N, D), h_prev: (N, H), c_prev: (N, H) (None: zeros)
        Wx: (D, 4H), Wh: (H, 4H), b: (4H,), gate blocks i, f, g, o
        peep: (3H,) peephole weights p_i, p_f, p_o
    Returns:
        h: (N, H), c: (N, H), cache: PeepholeStepCache
    """
    x, h_prev, c_prev, Wx, Wh, b, peep, _ = _check_args(x, h_prev, c_prev, Wx, Wh, b, gates=4, sequence=False,
                                                        h_name="h_prev", c_name="c_prev", peep=peep)
    h, c, gates, tanh_c = _peephole_cell(x @ Wx + h_prev @ Wh + b, c_prev, peep)
    return h, c, PeepholeStepCache(x, h_prev, c_prev, c, gates, tanh_c, Wx, Wh, peep)


def peephole_lstm_step_backward(dh, dc, cache):
    """Backward pass for one peephole LSTM step.

    Inputs:
        dh: (N, H) gradient with respect to the step's h; dc: (N, H) with respect to its c (from the next step)
        cache: PeepholeStepCache from ``peephole_lstm_step_forward``
    Returns (a ``Grads`` tuple):
        dx: (N, D), dh_prev: (N, H), dc_prev: (N, H), dWx: (D, 4H), dWh: (H, 4H), db: (4H,), dpeep: (3H,)
    """
    _check_cache(cache, PeepholeStepCache, "peephole_lstm_step_forward")
    dh = _check_upstream("dh", dh, cache.h_prev.shape, ("N", "H"))
    dc = _check_upstream("dc", dc, cache.c_prev.shape, ("N", "H"))
    da, dc_prev = _peephole_cell_backward(dh, dc, cache.c_prev, cache.c, cache.gates, cache.tanh_c, cache.peep)
    return Grads(
        ("dx", "dh_prev", "dc_prev", "dWx", "dWh", "db", "dpeep"),
        (da @ cache.Wx.T, da @ cache.Wh.T, dc_prev, cache.x.T @ da, cache.h_prev.T @ da, da.sum(axis=0),
         _peephole_grad(da, cache.c_prev, cache.c)),
    )


def peephole_lstm_forward(x, h0, Wx, Wh, b, peep, c0=None):
    """Run a peephole LSTM over a whole sequence.

    Inputs:
        x: (N, T, D), h0: (N, H) (None: zeros)
        Wx: (D, 4H), Wh: (H, 4H), b: (4H,), gate blocks i, f, g, o; peep: (3H,) p_i, p_f, p_o
        c0: (N, H) initial cell state (None: zeros)
    Returns:
        h: (N, T, H) hidden states, cache: PeepholeCache (cell states in ``cache.c``, (N, T, H))
    """
    x, h0, c0, Wx, Wh, b, peep, dims = _check_args(x, h0, c0, Wx, Wh, b, gates=4, sequence=True, h_name="h0",
                                                   c_name="c0", peep=peep)
    N, T, H = dims["N"], dims["T"], dims["H"]
    h, c, tanh_c, gates = np.empty((N, T, H)), np.empty((N, T, H)), np.empty((N, T, H)), np.empty((N, T, 4 * H))
    xa = x @ Wx + b  # (N, T, 4H): the input half of every step's pre-activation, in one product
    h_prev, c_prev = h0, c0
    for t in range(T):
        h[:, t], c[:, t], gates[:, t], tanh_c[:, t] = _peephole_cell(xa[:, t] + h_prev @ Wh, c_prev, peep)
        h_prev, c_prev = h[:, t], c[:, t]
    return h.copy(), PeepholeCache(x, h0, c0, h, c, gates, tanh_c, Wx, Wh, peep)


def peephole_lstm_backward(dh, cache):
    """Backpropagation through time for a peephole LSTM.

    Inputs:
        dh: (N, T, H) gradient of the loss with respect to every hidden state
        cache: PeepholeCache from ``peephole_lstm_forward``
    Returns (a ``Grads`` tuple):
        dx: (N, T, D), dh0: (N, H), dWx: (D, 4H), dWh: (H, 4H), db: (4H,), dpeep: (3H,)
    and, as an attribute only, dc0: (N, H) the gradient with respect to c0.
    """
    _check_cache(cache, PeepholeCache, "peephole_lstm_forward")
    N, T, H = cache.h.shape
    dh = _check_upstream("dh", dh, (N, T, H), ("N", "T", "H"))
    h_prev = np.concatenate([cache.h0[:, None], cache.h[:, :-1]], axis=1)  # (N, T, H): h_{t-1} for every step
    c_prev = np.concatenate([cache.c0[:, None], cache.c[:, :-1]], axis=1)
    da = np.empty((N, T, 4 * H))
    dh_next, dc_next = np.zeros((N, H)), np.zeros((N, H))  # what step t + 1 sends back to step t
    for t in reversed(range(T)):
        da[:, t], dc_next = _peephole_cell_backward(dh[:, t] + dh_next, dc_next, c_prev[:, t], cache.c[:, t],
                                                    cache.gates[:, t], cache.tanh_c[:, t], cache.peep)
        dh_next = da[:, t] @ cache.Wh.T
    # Every step uses the same weights, so their gradients are sums over the steps: one product each.
    D = cache.x.shape[2]
    da2 = da.reshape(N * T, 4 * H)
    return Grads(
        ("dx", "dh0", "dWx", "dWh", "db", "dpeep"),
        (da @ cache.Wx.T, dh_next, cache.x.reshape(N * T, D).T @ da2, h_prev.reshape(N * T, H).T @ da2,
         da2.sum(axis=0), _peephole_grad(da, c_prev, cache.c)),
        dc0=dc_next,
    )


# --------------------------------------------------------------------------- CIFG LSTM
class CIFGStepCache(NamedTuple):
    """What ``cifg_lstm_step_backward`` needs from ``cifg_lstm_step_forward``."""

    x: np.ndarray  # (N, D)
    h_prev: np.ndarray  # (N, H)
    c_prev: np.ndarray  # (N, H)
    gates: np.ndarray  # (N, 3H) activated gates [i, g, o]; the forget gate is 1 - i
    tanh_c: np.ndarray  # (N, H)
    Wx: np.ndarray  # (D, 3H)
    Wh: np.ndarray  # (H, 3H)


class CIFGCache(NamedTuple):
    """What ``cifg_lstm_backward`` needs from ``cifg_lstm_forward``. Batch-first, like the outputs."""

    x: np.ndarray  # (N, T, D)
    h0: np.ndarray  # (N, H)
    c0: np.ndarray  # (N, H)
    h: np.ndarray  # (N, T, H)
    c: np.ndarray  # (N, T, H)
    gates: np.ndarray  # (N, T, 3H) activated gates [i, g, o]
    tanh_c: np.ndarray  # (N, T, H)
    Wx: np.ndarray  # (D, 3H)
    Wh: np.ndarray  # (H, 3H)


def _cifg_cell(a, c_prev):
    """The step's equations from its pre-activations a = x Wx + h_prev Wh + b (N, 3H): h, c, gates, tanh(c)."""
    H = c_prev.shape[1]
    i = sigmoid(a[:, :H])
    g = np.tanh(a[:, H : 2 * H])
    o = sigmoid(a[:, 2 * H :])
    f = 1 - i  # coupled: forget exactly as much as is written
    c = f * c_prev + i * g
    tanh_c = np.tanh(c)
    h = o * tanh_c
    return h, c, np.concatenate([i, g, o], axis=1), tanh_c


def _cifg_cell_backward(dh, dc, c_prev, gates, tanh_c):
    """Backward through one step's equations. dh: gradient at h_t, dc: at c_t from step t + 1.

    Returns da (N, 3H), the gradient of the pre-activations, and dc_prev (N, H).
    With f = 1 - i, c = c_prev + i (g - c_prev): the input gate's gradient
    is dc * (g - c_prev), the write minus what it replaces.
    """
    H = c_prev.shape[1]
    i, g, o = gates[:, :H], gates[:, H : 2 * H], gates[:, 2 * H :]
    dc = dc + dh * o * (1 - tanh_c**2)
    da_i = dc * (g - c_prev) * i * (1 - i)
    da_g = dc * i * (1 - g**2)
    da_o = dh * tanh_c * o * (1 - o)
    dc_prev = dc * (1 - i)  # the carousel: dc_t/dc_{t-1} = f = 1 - i
    return np.concatenate([da_i, da_g, da_o], axis=-1), dc_prev


def cifg_lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    """One step of an LSTM with coupled input and forget gates (f = 1 - i).

    Inputs:
        x: (N, D), h_prev: (N, H), c_prev: (N, H) (None: zeros)
        Wx: (D, 3H), Wh: (H, 3H), b: (3H,), gate blocks i, g, o
    Returns:
        h: (N, H), c: (N, H), cache: CIFGStepCache
    """
    x, h_prev, c_prev, Wx, Wh, b, _, _ = _check_args(x, h_prev, c_prev, Wx, Wh, b, gates=3, sequence=False,
                                                     h_name="h_prev", c_name="c_prev")
    h, c, gates, tanh_c = _cifg_cell(x @ Wx + h_prev @ Wh + b, c_prev)
    return h, c, CIFGStepCache(x, h_prev, c_prev, gates, tanh_c, Wx, Wh)


def cifg_lstm_step_backward(dh, dc, cache):
    """Backward pass for one CIFG step.

    Inputs:
        dh: (N, H) gradient with respect to the step's h; dc: (N, H) with respect to its c (from the next step)
        cache: CIFGStepCache from ``cifg_lstm_step_forward``
    Returns (a ``Grads`` tuple):
        dx: (N, D), dh_prev: (N, H), dc_prev: (N, H), dWx: (D, 3H), dWh: (H, 3H), db: (3H,)
    """
    _check_cache(cache, CIFGStepCache, "cifg_lstm_step_forward")
    dh = _check_upstream("dh", dh, cache.h_prev.shape, ("N", "H"))
    dc = _check_upstream("dc", dc, cache.c_prev.shape, ("N", "H"))
    da, dc_prev = _cifg_cell_backward(dh, dc, cache.c_prev, cache.gates, cache.tanh_c)
    return Grads(
        ("dx", "dh_prev", "dc_prev", "dWx", "dWh", "db"),
        (da @ cache.Wx.T, da @ cache.Wh.T, dc_prev, cache.x.T @ da, cache.h_prev.T @ da, da.sum(axis=0)),
    )


def cifg_lstm_forward(x, h0, Wx, Wh, b, c0=None):
    """Run a CIFG LSTM over a whole sequence.

    Inputs:
        x: (N, T, D), h0: (N, H) (None: zeros)
        Wx: (D, 3H), Wh: (H, 3H), b: (3H,), gate blocks i, g, o
        c0: (N, H) initial cell state (None: zeros)
    Returns:
        h: (N, T, H) hidden states, cache: CIFGCache (cell states in ``cache.c``, (N, T, H))
    """
    x, h0, c0, Wx, Wh, b, _, dims = _check_args(x, h0, c0, Wx, Wh, b, gates=3, sequence=True, h_name="h0",
                                                c_name="c0")
    N, T, H = dims["N"], dims["T"], dims["H"]
    h, c, tanh_c, gates = np.empty((N, T, H)), np.empty((N, T, H)), np.empty((N, T, H)), np.empty((N, T, 3 * H))
    xa = x @ Wx + b  # (N, T, 3H): the input half of every step's pre-activation, in one product
    h_prev, c_prev = h0, c0
    for t in range(T):
        h[:, t], c[:, t], gates[:, t], tanh_c[:, t] = _cifg_cell(xa[:, t] + h_prev @ Wh, c_prev)
        h_prev, c_prev = h[:, t], c[:, t]
    return h.copy(), CIFGCache(x, h0, c0, h, c, gates, tanh_c, Wx, Wh)


def cifg_lstm_backward(dh, cache):
    """Backpropagation through time for a CIFG LSTM.

    Inputs:
        dh: (N, T, H) gradient of the loss with respect to every hidden state
        cache: CIFGCache from ``cifg_lstm_forward``
    Returns (a ``Grads`` tuple):
        dx: (N, T, D), dh0: (N, H), dWx: (D, 3H), dWh: (H, 3H), db: (3H,)
    and, as an attribute only, dc0: (N, H) the gradient with respect to c0.
    """
    _check_cache(cache, CIFGCache, "cifg_lstm_forward")
    N, T, H = cache.h.shape
    dh = _check_upstream("dh", dh, (N, T, H), ("N", "T", "H"))
    h_prev = np.concatenate([cache.h0[:, None], cache.h[:, :-1]], axis=1)  # (N, T, H): h_{t-1} for every step
    c_prev = np.concatenate([cache.c0[:, None], cache.c[:, :-1]], axis=1)
    da = np.empty((N, T, 3 * H))
    dh_next, dc_next = np.zeros((N, H)), np.zeros((N, H))  # what step t + 1 sends back to step t
    for t in reversed(range(T)):
        da[:, t], dc_next = _cifg_cell_backward(dh[:, t] + dh_next, dc_next, c_prev[:, t], cache.gates[:, t],
                                                cache.tanh_c[:, t])
        dh_next = da[:, t] @ cache.Wh.T
    # Every step uses the same weights, so their gradients are sums over the steps: one product each.
    D = cache.x.shape[2]
    da2 = da.reshape(N * T, 3 * H)
    return Grads(
        ("dx", "dh0", "dWx", "dWh", "db"),
        (da @ cache.Wx.T, dh_next, cache.x.reshape(N * T, D).T @ da2, h_prev.reshape(N * T, H).T @ da2,
         da2.sum(axis=0)),
        dc0=dc_next,
    )
