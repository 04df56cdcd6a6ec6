"""LSTM variants read out like ``SequenceRegressor``, for lesson 04's ablations: no forget gate, peepholes, CIFG.

* ``NoForgetLSTMRegressor``: the original LSTM of Hochreiter & Schmidhuber
  (1997), without a forget gate (below).
* ``PeepholeLSTMRegressor``: gates that also read the cell state (Gers &
  Schmidhuber 2000), ``rnn_course.lstm_variants.peephole_lstm_forward``.
* ``CIFGLSTMRegressor``: the forget gate coupled to the input gate,
  f = 1 - i (Greff et al. 2017), ``rnn_course.lstm_variants.cifg_lstm_forward``.

All three start from the weights ``SequenceRegressor(cell="lstm")`` draws
with the same seed, so a comparison differs in the variant only: the
peephole weights start at 0 (the same function as the plain LSTM at step 0
of training), and the CIFG keeps the i, g and o blocks and drops f.

**No forget gate.**

Gers, Schmidhuber & Cummins (2000) added the forget gate; to measure what it
buys, lesson 04 trains the same regressor with it and without it. The
variant here is the package's own LSTM cell with the forget gate *pinned
open*: the forget block of Wx and Wh is zero and its bias is
``FORGET_PIN`` = 40, so

    f = sigmoid(40) = (1 + tanh(20)) / 2 = 1.0 exactly in float64,
    c_t = c_{t-1} + i_t * g_t                (the 1997 cell: a pure integrator)

and the gradients of the pinned entries are set to zero at every step, so
no optimiser can move them. Using the same cell code (rather than a second
cell implementation) makes the comparison differ in the forget gate only.
"""

from __future__ import annotations

import numpy as np

from ..lstm_variants import cifg_lstm_backward, cifg_lstm_forward, peephole_lstm_backward, peephole_lstm_forward
from .base import register_model
from .regressor import SequenceRegressor

__all__ = ["NoForgetLSTMRegressor", "FORGET_PIN", "PeepholeLSTMRegressor", "CIFGLSTMRegressor"]

#: the forget-gate bias that pins f to 1.0 (tanh(20) rounds to 1 in float64)
FORGET_PIN = 40.0


@register_model
class NoForgetLSTMRegressor(SequenceRegressor):
    """``SequenceRegressor(cell="lstm")`` with the forget gate removed (f = 1 at every step).

    Inputs (constructor): D, H, K, recurrent_init, scale, seed as for
    ``SequenceRegressor``. The forget block (columns H:2H of Wx, Wh and b)
    is pinned at construction and its gradients are always zero.
    """

    def __init__(self, D: int, H: int, K: int = 1, recurrent_init: str = "orthogonal", scale: float = 1.0,
                 seed: int = 0):
        super().__init__(D, H, K, cell="lstm", recurrent_init=recurrent_init, scale=scale,
                         forget_bias=FORGET_PIN, seed=seed)
        self.config = dict(D=D, H=H, K=K, recurrent_init=recurrent_init, scale=scale, seed=seed)
        self._forget = slice(H, 2 * H)
        self._pin()

    def _pin(self):
        p, f = self.params, self._forget
        p["Wx"][:, f] = 0.0
        p["Wh"][:, f] = 0.0
        p["b"][f] = FORGET_PIN

    def backward(self, dy_hat, caches) -> dict:
        """Gradients as in ``SequenceRegressor``, with the pinned forget block's set to zero."""
        grads = super().backward(dy_hat, caches)
        f = self._forget
        grads["Wx"][:, f] = 0.0
        grads["Wh"][:, f] = 0.0
        grads["b"][f] = 0.0
        return grads


@register_model
class PeepholeLSTMRegressor(SequenceRegressor):
    """``SequenceRegressor(cell="lstm")`` whose gates also read the cell state (peephole weights ``peep``, (3H,)).

    Inputs (constructor): D, H, K, recurrent_init, scale, forget_bias, seed as
    for ``SequenceRegressor``; the peephole weights p_i, p_f, p_o start at 0.
    """

    def __init__(self, D: int, H: int, K: int = 1, recurrent_init: str = "orthogonal", scale: float = 1.0,
                 forget_bias: float = 1.0, seed: int = 0):
        super().__init__(D, H, K, cell="lstm", recurrent_init=recurrent_init, scale=scale, forget_bias=forget_bias,
                         seed=seed)
        self.config = dict(D=D, H=H, K=K, recurrent_init=recurrent_init, scale=scale, forget_bias=forget_bias,
                           seed=seed)
        p = self.params
        self.params = {"Wx": p["Wx"], "Wh": p["Wh"], "b": p["b"], "peep": np.zeros(3 * H), "W_out": p["W_out"],
                       "b_out": p["b_out"]}

    def cell_forward(self, x):
        p = self.params
        return peephole_lstm_forward(x, None, p["Wx"], p["Wh"], p["b"], p["peep"])

    def cell_backward(self, dh, cell_cache) -> dict:
        _, _, dWx, dWh, db, dpeep = peephole_lstm_backward(dh, cell_cache)
        return {"Wx": dWx, "Wh": dWh, "b": db, "peep": dpeep}


@register_model
class CIFGLSTMRegressor(SequenceRegressor):
    """An LSTM with coupled input and forget gates (f = 1 - i): Wx (D, 3H), Wh (H, 3H), b (3H,), blocks i, g, o.

    Inputs (constructor): D, H, K, recurrent_init, scale, seed as for
    ``SequenceRegressor``; forget_bias: the forget gate starts at
    sigmoid(forget_bias) as in the plain LSTM, which here means an
    input-gate bias of -forget_bias (f = 1 - i = sigmoid(-b_i)).
    """

    def __init__(self, D: int, H: int, K: int = 1, recurrent_init: str = "orthogonal", scale: float = 1.0,
                 forget_bias: float = 1.0, seed: int = 0):
        super().__init__(D, H, K, cell="lstm", recurrent_init=recurrent_init, scale=scale, forget_bias=forget_bias,
                         seed=seed)
        self.config = dict(D=D, H=H, K=K, recurrent_init=recurrent_init, scale=scale, forget_bias=forget_bias,
                           seed=seed)
        keep = np.r_[0:H, 2 * H : 4 * H]  # the i, g, o columns of the LSTM's i, f, g, o
        p = self.params
        # (C-ordered copies: a column selection comes back in Fortran order)
        p["Wx"], p["Wh"] = np.ascontiguousarray(p["Wx"][:, keep]), np.ascontiguousarray(p["Wh"][:, keep])
        p["b"] = p["b"][keep]
        p["b"][:H] = -forget_bias

    def cell_forward(self, x):
        p = self.params
        return cifg_lstm_forward(x, None, p["Wx"], p["Wh"], p["b"])

    def cell_backward(self, dh, cell_cache) -> dict:
        _, _, dWx, dWh, db = cifg_lstm_backward(dh, cell_cache)
        return {"Wx": dWx, "Wh": dWh, "b": db}
