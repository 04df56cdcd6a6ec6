"""Pieces shared by the RNN, LSTM and GRU cells.

* ``Grads``: what every backward function returns. It *is* a tuple in the
  documented order (``dx, dh_prev, dWx, dWh, db = rnn_step_backward(...)``),
  and its entries are also attributes (``grads.dWh``). Sequence backward
  passes attach extras as attributes only, so the tuple keeps its contract:
  ``grads.dh_all`` is the total gradient arriving at every hidden state.
* ``check_cell_args``: one place that checks x, h, Wx, Wh, b for any cell.
* ``bptt``: the backward loop over time, written once for all cells, with
  full, chunked-truncated and window-truncated variants.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .._checks import as_array, check_choice, check_finite, check_shape

__all__ = [
    "Grads",
    "check_cell_args",
    "check_upstream",
    "bptt",
    "project_inputs",
    "input_grads",
    "recurrent_grad",
    "TRUNCATE_MODES",
]

TRUNCATE_MODES = ("chunk", "window")


def project_inputs(x, Wx, b):
    """Time-major copy of x (T, N, D) and every step's x_t Wx + b (T, N, G), in one matrix product.

    Only h_{t-1} Wh has to wait for the previous step; the input half of
    every step is computed up front as one (T*N, D) x (D, G) product.
    """
    N, T, D = x.shape
    x_tm = np.ascontiguousarray(x.transpose(1, 0, 2))
    xa = (x_tm.reshape(T * N, D) @ Wx).reshape(T, N, Wx.shape[1])
    xa += b
    return x_tm, xa


def input_grads(da, x_tm, Wx):
    """dx (N, T, D) and dWx (D, G) from the pre-activation gradients da (T, N, G), one product each."""
    T, N, G = da.shape
    D = x_tm.shape[2]
    da2 = da.reshape(T * N, G)
    dx = (da2 @ Wx.T).reshape(T, N, D).transpose(1, 0, 2)
    return dx, x_tm.reshape(T * N, D).T @ da2


def recurrent_grad(h0, h, da):
    """sum_t h_{t-1}^T da_t for h_{t-1} = h0, h[0], ..., h[T-2] (time-major), without copying h."""
    T, N, G = da.shape
    H = h0.shape[1]
    grad = h0.T @ da[0]
    if T > 1:
        grad += h[:-1].reshape((T - 1) * N, H).T @ da[1:].reshape((T - 1) * N, G)
    return grad


class Grads(tuple):
    """Gradients in the documented order; each is also an attribute.

    >>> g = Grads(("dx", "db"), (np.zeros(2), np.ones(3)))
    >>> dx, db = g
    >>> g.db.shape
    (3,)
    """

    def __new__(cls, names, values, **extras):
        obj = super().__new__(cls, tuple(values))
        obj.__dict__["_names"] = tuple(names)
        obj.__dict__.update(zip(names, values))
        obj.__dict__["_extras"] = tuple(extras)
        obj.__dict__.update(extras)
        return obj

    def __setattr__(self, name, value):
        raise AttributeError("Grads is read-only")

    def __reduce__(self):
        extras = {k: getattr(self, k) for k in self._extras}
        return (_rebuild_grads, (self._names, tuple(self), extras))

    @property
    def names(self) -> tuple[str, ...]:
        """Names of the tuple's entries, in order."""
        return self._names

    def as_dict(self) -> dict:
        """``{name: gradient}`` for the tuple's entries (extras not included)."""
        return dict(zip(self._names, self))

    def __repr__(self) -> str:
        def show(v):
            return f"array{tuple(v.shape)}" if isinstance(v, np.ndarray) else repr(v)

        parts = [f"{n}={show(v)}" for n, v in zip(self._names, self)]
        parts += [f"{n}={show(getattr(self, n))}" for n in self._extras]
        return "Grads(" + ", ".join(parts) + ")"


def _rebuild_grads(names, values, extras):
    return Grads(names, values, **extras)


def check_cell_args(x, h, Wx, Wh, b, *, gates: int, sequence: bool, h_name: str, cell: str):
    """Validate and convert the arguments every cell takes.

    Returns the converted arrays and the dimension dict {N, (T,) D, H}.
    ``gates`` is the number of H-wide blocks in the weights (1, 4 or 3).
    """
    dims: dict[str, int] = {}
    x = as_array("x", x)
    check_shape("x", x, ("N", "T", "D") if sequence else ("N", "D"), dims)
    if h is None:
        # A missing initial state means zeros; H comes from Wh.
        Wh_arr = as_array("Wh", Wh)
        if Wh_arr.ndim != 2:
            check_shape("Wh", Wh_arr, ("H", f"{gates}H"), dims)
        h = np.zeros((x.shape[0], Wh_arr.shape[0]), dtype=x.dtype)
    h = as_array(h_name, h)
    check_shape(h_name, h, ("N", "H"), dims)
    block = "H" if gates == 1 else f"{gates}H"
    layout = {1: "", 4: " (LSTM gate blocks i, f, g, o)", 3: " (GRU gate blocks r, z, n)"}[gates]
    arrays = []
    for name, value, spec in (("Wx", Wx, ("D", block)), ("Wh", Wh, ("H", block)), ("b", b, (block,))):
        arr = as_array(name, value)
        try:
            check_shape(name, arr, spec, dims)
        except ValueError as err:
            raise ValueError(f"{err}{layout}") from None
        arrays.append(arr)
    Wx, Wh, b = arrays
    for name, arr in (("x", x), (h_name, h), ("Wx", Wx), ("Wh", Wh), ("b", b)):
        check_finite(name, arr)
    return x, h, Wx, Wh, b, dims


def check_upstream(name: str, value, shape: tuple[int, ...], letters: tuple[str, ...]):
    """Check an upstream gradient (dh, dc) against the shape the forward pass produced."""
    arr = as_array(name, value)
    dims = dict(zip(letters, shape))
    check_shape(name, arr, letters, dims)
    check_finite(name, arr)
    return arr


def check_cache(cache, expected_type, producer: str):
    if not isinstance(cache, expected_type):
        raise ValueError(
            f"cache: expected the {expected_type.__name__} returned by {producer}, got {type(cache).__name__}"
        )


def check_truncate(truncate, truncate_mode):
    if truncate is not None:
        if isinstance(truncate, bool) or not isinstance(truncate, (int, np.integer)) or truncate < 1:
            raise ValueError(f"truncate: expected None or an integer >= 1, got {truncate!r}")
    check_choice("truncate_mode", truncate_mode, TRUNCATE_MODES)


LocalBackward = Callable[[tuple, object], tuple]


def bptt(
    local_backward: LocalBackward,
    upstream: tuple,
    gate_width: int,
    truncate: int | None = None,
    truncate_mode: str = "chunk",
):
    """Backpropagation through time, shared by every cell.

    ``upstream`` holds, per state component (h, or h and c), the gradient the
    loss sends straight to each step's state, time-major ``(T, N, H)``.
    ``local_backward(dstate, idx, out=None)`` back-propagates through the
    steps ``idx`` (an int, or a slice of steps processed together): given the
    gradient at their states it returns ``(dgates, dstate_prev,
    dstate_total)``, the gradient of the pre-activations ``(…, N,
    gate_width)`` (written into ``out`` when given), the gradient flowing
    into the previous states, and the totals to report per step.

    Truncation (``truncate=k``):

    * ``"chunk"``: the sequence is cut into blocks of k steps from the start
      and no gradient crosses a block boundary. This is what ``detach()``
      every k steps does when training on long text, and it costs O(T).
    * ``"window"``: the gradient of each step's loss flows back through at
      most k steps (Williams & Peng's BPTT(k)). Closer to the full gradient,
      but it costs O(T k).

    Returns ``(dgates_all (T, N, G), dstate0 tuple, dstate_all tuple)``.
    """
    T, N, H = upstream[0].shape
    dtype = upstream[0].dtype
    if truncate_mode == "window" and truncate is not None and truncate < T:
        dgates = np.zeros((T, N, gate_width), dtype=dtype)
        totals = [np.zeros((T, N, H), dtype=dtype) for _ in upstream]
        dstate0 = [np.zeros((N, H), dtype=dtype) for _ in upstream]
        current = tuple(upstream)
        for lag in range(truncate):
            steps = T - lag
            dg, prev, total = local_backward(current, slice(0, steps))
            dgates[:steps] += dg
            for acc, part in zip(totals, total):
                acc[:steps] += part
            for acc, part in zip(dstate0, prev):
                acc += part[0]
            if steps == 1:
                break
            current = tuple(p[1:] for p in prev)
        return dgates, tuple(dstate0), tuple(totals)

    dgates = np.empty((T, N, gate_width), dtype=dtype)
    totals = [np.empty((T, N, H), dtype=dtype) for _ in upstream]
    carry = tuple(np.zeros((N, H), dtype=dtype) for _ in upstream)
    for t in range(T - 1, -1, -1):
        if truncate is not None and (t + 1) % truncate == 0 and t + 1 < T:
            carry = tuple(np.zeros_like(c) for c in carry)
        dstate = tuple(np.add(u[t], c, out=acc[t]) for u, c, acc in zip(upstream, carry, totals))
        _, carry, total = local_backward(dstate, t, dgates[t])
        for acc, part in zip(totals, total):
            if part is not dstate[0] and part is not dstate[-1]:
                acc[t] = part
    return dgates, carry, tuple(totals)
