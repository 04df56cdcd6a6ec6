"""An LSTM without a forget gate (the original LSTM of Hochreiter & Schmidhuber 1997), for ablations.

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

from .base import register_model
from .regressor import SequenceRegressor

__all__ = ["NoForgetLSTMRegressor", "FORGET_PIN"]

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
