"""What the RNN, LSTM and GRU cells share: checking their arguments, and two small array helpers.

``check_cell_args`` checks x, h, Wx, Wh, b for any cell and names the wrong
argument with the expected and received shapes, so a student sees "Wh:
expected shape (H, 4H) = (3, 12), got (3, 9)" instead of a numpy
broadcasting error three frames deep.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_array, check_finite, check_shape

__all__ = ["check_cell_args", "check_cell_state", "sum_over_steps", "previous_states"]

_LAYOUT = {1: "", 4: " (LSTM gate blocks i, f, g, o)", 3: " (GRU gate blocks r, z, n)"}


def check_cell_args(x, h, Wx, Wh, b, *, gates: int, sequence: bool, h_name: str):
    """Validate and convert the arguments every cell takes.

    ``gates`` is the number of H-wide blocks in the weights (1 for the RNN,
    4 for the LSTM, 3 for the GRU); ``sequence`` says whether x is (N, T, D)
    or one step (N, D); a missing h (None) means zeros. Returns the arrays
    as float arrays and the dimensions found, ``{"N", ("T",) "D", "H"}``.
    """
    dims: dict[str, int] = {}
    x = as_array("x", x)
    check_shape("x", x, ("N", "T", "D") if sequence else ("N", "D"), dims)
    if h is None:
        Wh_arr = as_array("Wh", Wh)
        if Wh_arr.ndim != 2:
            check_shape("Wh", Wh_arr, ("H", f"{gates}H"), dims)
        h = np.zeros((x.shape[0], Wh_arr.shape[0]), dtype=x.dtype)
    h = as_array(h_name, h)
    check_shape(h_name, h, ("N", "H"), dims)
    block = "H" if gates == 1 else f"{gates}H"
    arrays = []
    for name, value, spec in (("Wx", Wx, ("D", block)), ("Wh", Wh, ("H", block)), ("b", b, (block,))):
        arr = as_array(name, value)
        try:
            check_shape(name, arr, spec, dims)
        except ValueError as err:
            raise ValueError(f"{err}{_LAYOUT[gates]}") from None
        arrays.append(arr)
    Wx, Wh, b = arrays
    for name, arr in (("x", x), (h_name, h), ("Wx", Wx), ("Wh", Wh), ("b", b)):
        check_finite(name, arr)
    return x, h, Wx, Wh, b, dims


def check_cell_state(name: str, c, N: int, H: int) -> np.ndarray:
    """An LSTM cell state (N, H); None means zeros."""
    if c is None:
        return np.zeros((N, H))
    c = as_array(name, c)
    check_shape(name, c, ("N", "H"), {"N": N, "H": H})
    check_finite(name, c)
    return c


def previous_states(h0, h):
    """(N, T, H): h_{t-1} for every step, i.e. h0 followed by h[:, :-1]."""
    return np.concatenate([h0[:, None], h[:, :-1]], axis=1)


def sum_over_steps(inputs, da):
    """sum over n and t of inputs[n, t]^T da[n, t]: (N, T, K) and (N, T, G) -> (K, G).

    A weight used at every step gets the sum of every step's gradient; with
    the steps stacked as N*T rows this is one matrix product.
    """
    return inputs.reshape(-1, inputs.shape[-1]).T @ da.reshape(-1, da.shape[-1])
