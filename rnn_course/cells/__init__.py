"""Recurrent cells with hand-written backward passes: vanilla RNN, LSTM, GRU.

Every cell has a one-step and a whole-sequence forward/backward pair, with
the shapes and argument order of DESIGN.md (batch-first, weights multiply
from the right: ``x @ Wx``, ``h @ Wh``). Backward functions return a
``Grads`` tuple in the order of the forward function's inputs. A sequence
function is its step function in a visible loop over time; truncated BPTT
in "window" mode (Williams & Peng's BPTT(k)) is a function of its own,
``*_backward_window``.

``CELLS`` maps a cell name to its sequence functions and gate count, so
wrappers (bidirectional, stacked) and models work with any cell.
"""

from typing import NamedTuple

from ..grads import Grads
from .gru import (
    GRUCache,
    GRUStepCache,
    gru_backward,
    gru_backward_window,
    gru_forward,
    gru_step_backward,
    gru_step_forward,
)
from .lstm import (
    LSTMCache,
    LSTMStepCache,
    lstm_backward,
    lstm_backward_window,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
)
from .rnn import (
    RNNCache,
    RNNStepCache,
    rnn_backward,
    rnn_backward_window,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
)


class CellSpec(NamedTuple):
    """How to run a cell over a sequence: ``forward(x, h0, Wx, Wh, b)`` and ``backward(dh, cache)``."""

    name: str
    gates: int  # number of H-wide blocks in Wx, Wh and b
    forward: object
    backward: object


def _rnn_relu_forward(x, h0, Wx, Wh, b):
    return rnn_forward(x, h0, Wx, Wh, b, activation="relu")


CELLS = {
    "rnn": CellSpec("rnn", 1, rnn_forward, rnn_backward),
    "rnn_relu": CellSpec("rnn_relu", 1, _rnn_relu_forward, rnn_backward),
    "lstm": CellSpec("lstm", 4, lstm_forward, lstm_backward),
    "gru": CellSpec("gru", 3, gru_forward, gru_backward),
}


def get_cell(cell) -> CellSpec:
    """Look up a cell by name ("rnn", "rnn_relu", "lstm", "gru"), with a clear error."""
    if isinstance(cell, CellSpec):
        return cell
    if cell not in CELLS:
        raise ValueError(f"cell: expected one of {', '.join(map(repr, CELLS))}, got {cell!r}")
    return CELLS[cell]


__all__ = [
    "Grads",
    "CellSpec",
    "CELLS",
    "get_cell",
    "RNNStepCache",
    "RNNCache",
    "rnn_step_forward",
    "rnn_step_backward",
    "rnn_forward",
    "rnn_backward",
    "rnn_backward_window",
    "LSTMStepCache",
    "LSTMCache",
    "lstm_step_forward",
    "lstm_step_backward",
    "lstm_forward",
    "lstm_backward",
    "lstm_backward_window",
    "GRUStepCache",
    "GRUCache",
    "gru_step_forward",
    "gru_step_backward",
    "gru_forward",
    "gru_backward",
    "gru_backward_window",
]
