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

Every function has the shape of its twin in ``rnn_course.cells.lstm``: step
forward/backward and sequence forward/backward, batch-first. One step's
equations are written once (``_peephole_step``, ``_cifg_step``), and so is
the way back through its gates (``_peephole_gates_backward``,
``_cifg_gates_backward``); the sequence functions run them in a visible loop
over time and sum the weights' gradients after it. A sequence cache keeps
each step's cache in ``steps`` and shows the gates of every step as
``cache.i``, ``cache.f``, ... (N, T, H), like ``LSTMCache``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import as_array, check_cache, check_finite, check_shape, check_upstream
from .activations import sigmoid, tanh
from .grads import Grads

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


def _previous(first, states):
    """(N, T, H): the state before every step, first (N, H) then states[:, :-1]."""
    return np.concatenate([first[:, None], states[:, :-1]], axis=1)


def _sum_over_steps(inputs, da):
    """sum_t inputs_t^T da_t for inputs (N, T, K) and da (N, T, G): one matrix product over all N*T rows."""
    return inputs.reshape(-1, inputs.shape[-1]).T @ da.reshape(-1, da.shape[-1])


def _stacked(steps, name: str) -> np.ndarray:
    """(N, T, H): every step's value of one field of its step cache, stacked on the time axis."""
    return np.stack([getattr(step, name) for step in steps], axis=1)


# --------------------------------------------------------------------------- peephole LSTM
class PeepholeStepCache(NamedTuple):
    """What ``peephole_lstm_step_backward`` needs from ``peephole_lstm_step_forward``."""

    x: np.ndarray  # (N, D)
    h_prev: np.ndarray  # (N, H)
    c_prev: np.ndarray  # (N, H)
    i: np.ndarray  # (N, H) input gate
    f: np.ndarray  # (N, H) forget gate
    g: np.ndarray  # (N, H) candidate
    o: np.ndarray  # (N, H) output gate
    c: np.ndarray  # (N, H) the new cell state (the output gate's peephole reads it)
    Wx: np.ndarray  # (D, 4H)
    Wh: np.ndarray  # (H, 4H)
    peep: np.ndarray  # (3H,) p_i, p_f, p_o


class PeepholeCache(NamedTuple):
    """What ``peephole_lstm_backward`` needs from ``peephole_lstm_forward``. Batch-first, like the outputs.

    The gates of every step, (N, T, H) each, are ``cache.i``, ``cache.f``, ``cache.g``, ``cache.o``.
    """

    x: np.ndarray  # (N, T, D)
    h0: np.ndarray  # (N, H)
    c0: np.ndarray  # (N, H)
    h: np.ndarray  # (N, T, H) h[:, t] is h_{t+1}
    c: np.ndarray  # (N, T, H) c[:, t] is c_{t+1}
    Wx: np.ndarray  # (D, 4H)
    Wh: np.ndarray  # (H, 4H)
    peep: np.ndarray  # (3H,)
    steps: list  # T PeepholeStepCache: steps[t] is step t's cache

    i = property(lambda self: _stacked(self.steps, "i"), doc="(N, T, H) the input gate at every step")
    f = property(lambda self: _stacked(self.steps, "f"), doc="(N, T, H) the forget gate at every step")
    g = property(lambda self: _stacked(self.steps, "g"), doc="(N, T, H) the candidate at every step")
    o = property(lambda self: _stacked(self.steps, "o"), doc="(N, T, H) the output gate at every step")


def _peephole_step(x, h_prev, c_prev, Wx, Wh, b, peep):
    """One step on checked arrays, the equations of the module docstring line by line: h, c and the cache."""
    H = h_prev.shape[1]
    p_i, p_f, p_o = peep[:H], peep[H : 2 * H], peep[2 * H :]
    a = x @ Wx + h_prev @ Wh + b  # (N, 4H): the four gates' pre-activations, side by side
    i = sigmoid(a[:, 0 * H : 1 * H] + p_i * c_prev)  # input gate, peeping at c_{t-1}
    f = sigmoid(a[:, 1 * H : 2 * H] + p_f * c_prev)  # forget gate, peeping at c_{t-1}
    g = tanh(a[:, 2 * H : 3 * H])  # candidate
    c = f * c_prev + i * g
    o = sigmoid(a[:, 3 * H : 4 * H] + p_o * c)  # output gate, peeping at the new c_t
    h = o * tanh(c)
    return h, c, PeepholeStepCache(x, h_prev, c_prev, i, f, g, o, c, Wx, Wh, peep)


def _peephole_gates_backward(dh, dc, cache):
    """Back through one step's gates, from (dh, dc) to the pre-activations.

    Returns da (N, 4H), dL/da with blocks i, f, g, o like the weights, and
    dc_prev (N, H), the gradient reaching c_{t-1}. The output gate reads c_t
    and the input and forget gates read c_{t-1}, so each peephole adds one
    term: to dc_total and to dc_prev.
    """
    H = cache.c.shape[1]
    p_i, p_f, p_o = cache.peep[:H], cache.peep[H : 2 * H], cache.peep[2 * H :]
    i, f, g, o, c, c_prev = cache.i, cache.f, cache.g, cache.o, cache.c, cache.c_prev
    tanh_c = tanh(c)
    # h = o * tanh(c), with o = sigmoid(a_o + p_o * c)
    da_o = dh * tanh_c * o * (1 - o)
    dc_total = dc + dh * o * (1 - tanh_c * tanh_c) + da_o * p_o
    # c = f * c_prev + i * g, with i and f reading c_prev through p_i and p_f
    da_i = dc_total * g * i * (1 - i)
    da_f = dc_total * c_prev * f * (1 - f)
    da_g = dc_total * i * (1 - g * g)
    dc_prev = dc_total * f + da_i * p_i + da_f * p_f  # the carousel, plus the two peepholes
    return np.concatenate([da_i, da_f, da_g, da_o], axis=-1), dc_prev


def _peephole_grad(da, c_prev, c):
    """dpeep (3H,) from dL/da (..., 4H): each peephole weight times the cell state it reads, summed."""
    H = c.shape[-1]
    axes = tuple(range(c.ndim - 1))
    return np.concatenate([(da[..., 0 * H : 1 * H] * c_prev).sum(axis=axes),
                           (da[..., 1 * H : 2 * H] * c_prev).sum(axis=axes),
                           (da[..., 3 * H : 4 * H] * c).sum(axis=axes)])


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
    return _peephole_step(x, h_prev, c_prev, Wx, Wh, b, peep)


def peephole_lstm_step_backward(dh, dc, cache):
    """Backward pass for one peephole LSTM step.

    Inputs:
        dh: (N, H) gradient with respect to the step's h; dc: (N, H) with respect to its c (from the next step)
        cache: PeepholeStepCache from ``peephole_lstm_step_forward``
    Returns (a ``Grads`` tuple):
        dx: (N, D), dh_prev: (N, H), dc_prev: (N, H), dWx: (D, 4H), dWh: (H, 4H), db: (4H,), dpeep: (3H,)
    """
    check_cache(cache, PeepholeStepCache, "peephole_lstm_step_forward")
    dh = check_upstream("dh", dh, cache.c.shape, ("N", "H"))
    dc = check_upstream("dc", dc, cache.c.shape, ("N", "H"))
    da, dc_prev = _peephole_gates_backward(dh, dc, cache)
    # a = x Wx + h_prev Wh + b
    return Grads(
        ("dx", "dh_prev", "dc_prev", "dWx", "dWh", "db", "dpeep"),
        (da @ cache.Wx.T, da @ cache.Wh.T, dc_prev, cache.x.T @ da, cache.h_prev.T @ da, da.sum(axis=0),
         _peephole_grad(da, cache.c_prev, cache.c)),
    )


def peephole_lstm_forward(x, h0, Wx, Wh, b, peep, c0=None):
    """Run a peephole LSTM over a whole sequence: its step for t = 1..T.

    Inputs:
        x: (N, T, D), h0: (N, H) (None: zeros)
        Wx: (D, 4H), Wh: (H, 4H), b: (4H,), gate blocks i, f, g, o; peep: (3H,) p_i, p_f, p_o
        c0: (N, H) initial cell state (None: zeros)
    Returns:
        h: (N, T, H) hidden states, cache: PeepholeCache (cell states ``cache.c``, gates ``cache.i`` ... (N, T, H))
    """
    x, h0, c0, Wx, Wh, b, peep, dims = _check_args(x, h0, c0, Wx, Wh, b, gates=4, sequence=True, h_name="h0",
                                                   c_name="c0", peep=peep)
    N, T, H = dims["N"], dims["T"], dims["H"]
    h, c = np.empty((N, T, H)), np.empty((N, T, H))
    steps = []
    h_prev, c_prev = h0, c0
    for t in range(T):
        h_prev, c_prev, step = _peephole_step(x[:, t], h_prev, c_prev, Wx, Wh, b, peep)
        h[:, t], c[:, t] = h_prev, c_prev
        steps.append(step)
    return h, PeepholeCache(x, h0, c0, h, c, Wx, Wh, peep, steps)


def peephole_lstm_backward(dh, cache):
    """Backpropagation through time for a peephole LSTM.

    Inputs:
        dh: (N, T, H) gradient of the loss with respect to every hidden state
        cache: PeepholeCache from ``peephole_lstm_forward``
    Returns (a ``Grads`` tuple):
        dx: (N, T, D), dh0: (N, H), dWx: (D, 4H), dWh: (H, 4H), db: (4H,), dpeep: (3H,)
    and, as an attribute only, dc0: (N, H) the gradient with respect to c0.
    """
    check_cache(cache, PeepholeCache, "peephole_lstm_forward")
    N, T, H = cache.h.shape
    dh = check_upstream("dh", dh, (N, T, H), ("N", "T", "H"))
    da = np.empty((N, T, 4 * H))  # dL/da_t at every step, blocks i, f, g, o
    dh_next, dc_next = np.zeros((N, H)), np.zeros((N, H))  # what step t+1 sends back to step t
    for t in reversed(range(T)):
        da[:, t], dc_next = _peephole_gates_backward(dh[:, t] + dh_next, dc_next, cache.steps[t])
        dh_next = da[:, t] @ cache.Wh.T  # back through a_t = x_t Wx + h_{t-1} Wh + b, to h_{t-1}
    # Every step used the same weights, so their gradients are sums over the steps: one product each.
    dWx = _sum_over_steps(cache.x, da)
    dWh = _sum_over_steps(_previous(cache.h0, cache.h), da)
    dpeep = _peephole_grad(da, _previous(cache.c0, cache.c), cache.c)
    return Grads(("dx", "dh0", "dWx", "dWh", "db", "dpeep"),
                 (da @ cache.Wx.T, dh_next, dWx, dWh, da.sum(axis=(0, 1)), dpeep), dc0=dc_next)


# --------------------------------------------------------------------------- CIFG LSTM
class CIFGStepCache(NamedTuple):
    """What ``cifg_lstm_step_backward`` needs from ``cifg_lstm_step_forward``."""

    x: np.ndarray  # (N, D)
    h_prev: np.ndarray  # (N, H)
    c_prev: np.ndarray  # (N, H)
    i: np.ndarray  # (N, H) input gate; the forget gate is 1 - i
    g: np.ndarray  # (N, H) candidate
    o: np.ndarray  # (N, H) output gate
    c: np.ndarray  # (N, H) the new cell state
    Wx: np.ndarray  # (D, 3H)
    Wh: np.ndarray  # (H, 3H)

    @property
    def f(self) -> np.ndarray:
        """(N, H) the forget gate: 1 - i, coupled to the input gate."""
        return 1 - self.i


class CIFGCache(NamedTuple):
    """What ``cifg_lstm_backward`` needs from ``cifg_lstm_forward``. Batch-first, like the outputs.

    The gates of every step, (N, T, H) each, are ``cache.i``, ``cache.g``, ``cache.o``, and the forget gate
    ``cache.f`` = 1 - i.
    """

    x: np.ndarray  # (N, T, D)
    h0: np.ndarray  # (N, H)
    c0: np.ndarray  # (N, H)
    h: np.ndarray  # (N, T, H) h[:, t] is h_{t+1}
    c: np.ndarray  # (N, T, H) c[:, t] is c_{t+1}
    Wx: np.ndarray  # (D, 3H)
    Wh: np.ndarray  # (H, 3H)
    steps: list  # T CIFGStepCache: steps[t] is step t's cache

    i = property(lambda self: _stacked(self.steps, "i"), doc="(N, T, H) the input gate at every step")
    f = property(lambda self: 1 - _stacked(self.steps, "i"), doc="(N, T, H) the forget gate 1 - i at every step")
    g = property(lambda self: _stacked(self.steps, "g"), doc="(N, T, H) the candidate at every step")
    o = property(lambda self: _stacked(self.steps, "o"), doc="(N, T, H) the output gate at every step")


def _cifg_step(x, h_prev, c_prev, Wx, Wh, b):
    """One step on checked arrays, the equations of the module docstring line by line: h, c and the cache."""
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b  # (N, 3H): the three gates' pre-activations, side by side
    i = sigmoid(a[:, 0 * H : 1 * H])  # input gate
    g = tanh(a[:, 1 * H : 2 * H])  # candidate
    o = sigmoid(a[:, 2 * H : 3 * H])  # output gate
    f = 1 - i  # forget gate, coupled: forget exactly as much as is written
    c = f * c_prev + i * g
    h = o * tanh(c)
    return h, c, CIFGStepCache(x, h_prev, c_prev, i, g, o, c, Wx, Wh)


def _cifg_gates_backward(dh, dc, cache):
    """Back through one step's gates, from (dh, dc) to the pre-activations.

    Returns da (N, 3H), dL/da with blocks i, g, o like the weights, and
    dc_prev (N, H), the gradient reaching c_{t-1}. With f = 1 - i,
    c = c_prev + i (g - c_prev): the input gate's gradient is
    dc_total * (g - c_prev), what it writes minus what that replaces.
    """
    i, g, o, c, c_prev = cache.i, cache.g, cache.o, cache.c, cache.c_prev
    tanh_c = tanh(c)
    # h = o * tanh(c)
    do = dh * tanh_c
    dc_total = dc + dh * o * (1 - tanh_c * tanh_c)
    # c = (1 - i) * c_prev + i * g
    di = dc_total * (g - c_prev)
    dg = dc_total * i
    dc_prev = dc_total * (1 - i)  # the carousel: back to c_{t-1} through f = 1 - i alone
    return np.concatenate([di * i * (1 - i), dg * (1 - g * g), do * o * (1 - o)], axis=-1), dc_prev


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
    return _cifg_step(x, h_prev, c_prev, Wx, Wh, b)


def cifg_lstm_step_backward(dh, dc, cache):
    """Backward pass for one CIFG step.

    Inputs:
        dh: (N, H) gradient with respect to the step's h; dc: (N, H) with respect to its c (from the next step)
        cache: CIFGStepCache from ``cifg_lstm_step_forward``
    Returns (a ``Grads`` tuple):
        dx: (N, D), dh_prev: (N, H), dc_prev: (N, H), dWx: (D, 3H), dWh: (H, 3H), db: (3H,)
    """
    check_cache(cache, CIFGStepCache, "cifg_lstm_step_forward")
    dh = check_upstream("dh", dh, cache.c.shape, ("N", "H"))
    dc = check_upstream("dc", dc, cache.c.shape, ("N", "H"))
    da, dc_prev = _cifg_gates_backward(dh, dc, cache)
    # a = x Wx + h_prev Wh + b
    return Grads(
        ("dx", "dh_prev", "dc_prev", "dWx", "dWh", "db"),
        (da @ cache.Wx.T, da @ cache.Wh.T, dc_prev, cache.x.T @ da, cache.h_prev.T @ da, da.sum(axis=0)),
    )


def cifg_lstm_forward(x, h0, Wx, Wh, b, c0=None):
    """Run a CIFG LSTM over a whole sequence: its step for t = 1..T.

    Inputs:
        x: (N, T, D), h0: (N, H) (None: zeros)
        Wx: (D, 3H), Wh: (H, 3H), b: (3H,), gate blocks i, g, o
        c0: (N, H) initial cell state (None: zeros)
    Returns:
        h: (N, T, H) hidden states, cache: CIFGCache (cell states ``cache.c``, gates ``cache.i`` ... (N, T, H))
    """
    x, h0, c0, Wx, Wh, b, _, dims = _check_args(x, h0, c0, Wx, Wh, b, gates=3, sequence=True, h_name="h0",
                                                c_name="c0")
    N, T, H = dims["N"], dims["T"], dims["H"]
    h, c = np.empty((N, T, H)), np.empty((N, T, H))
    steps = []
    h_prev, c_prev = h0, c0
    for t in range(T):
        h_prev, c_prev, step = _cifg_step(x[:, t], h_prev, c_prev, Wx, Wh, b)
        h[:, t], c[:, t] = h_prev, c_prev
        steps.append(step)
    return h, CIFGCache(x, h0, c0, h, c, Wx, Wh, steps)


def cifg_lstm_backward(dh, cache):
    """Backpropagation through time for a CIFG LSTM.

    Inputs:
        dh: (N, T, H) gradient of the loss with respect to every hidden state
        cache: CIFGCache from ``cifg_lstm_forward``
    Returns (a ``Grads`` tuple):
        dx: (N, T, D), dh0: (N, H), dWx: (D, 3H), dWh: (H, 3H), db: (3H,)
    and, as an attribute only, dc0: (N, H) the gradient with respect to c0.
    """
    check_cache(cache, CIFGCache, "cifg_lstm_forward")
    N, T, H = cache.h.shape
    dh = check_upstream("dh", dh, (N, T, H), ("N", "T", "H"))
    da = np.empty((N, T, 3 * H))  # dL/da_t at every step, blocks i, g, o
    dh_next, dc_next = np.zeros((N, H)), np.zeros((N, H))  # what step t+1 sends back to step t
    for t in reversed(range(T)):
        da[:, t], dc_next = _cifg_gates_backward(dh[:, t] + dh_next, dc_next, cache.steps[t])
        dh_next = da[:, t] @ cache.Wh.T  # back through a_t = x_t Wx + h_{t-1} Wh + b, to h_{t-1}
    # Every step used the same weights, so their gradients are sums over the steps: one product each.
    dWx = _sum_over_steps(cache.x, da)
    dWh = _sum_over_steps(_previous(cache.h0, cache.h), da)
    return Grads(("dx", "dh0", "dWx", "dWh", "db"), (da @ cache.Wx.T, dh_next, dWx, dWh, da.sum(axis=(0, 1))),
                 dc0=dc_next)
