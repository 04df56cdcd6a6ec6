"""Many-to-one regression: read a whole sequence, predict numbers from the final hidden state.

    h = cell(x)                 (N, T, H)
    y_hat = h[:, -1] W + b      (N, K)
    loss = mean((y_hat - y)^2)

The adding problem (lesson 04) and the latch task (lesson 03) are of this kind.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_array, check_shape
from ..cells import get_cell
from ..init import as_rng, init_cell_params, xavier_uniform
from ..layers import affine_backward, affine_forward
from ..losses import mse_loss
from .base import Model, register_model

__all__ = ["SequenceRegressor"]


@register_model
class SequenceRegressor(Model):
    """A recurrent cell read out linearly at the last step.

    Inputs (constructor):
        D: input size; H: hidden size; K: number of outputs (default 1)
        cell: "rnn", "rnn_relu", "lstm" or "gru"
        recurrent_init: "orthogonal", "identity" (IRNN, with cell="rnn_relu"),
            "xavier" or "normal"; scale: its gain
        forget_bias: LSTM forget-gate bias (default 1.0)
        update_bias: GRU update-gate bias (default 0.0)
        seed: initialisation seed
    Batches are ``(x, y)`` with x (N, T, D) and y (N, K) or (N,) when K == 1.
    """

    def __init__(
        self,
        D: int,
        H: int,
        K: int = 1,
        cell: str = "lstm",
        recurrent_init: str = "orthogonal",
        scale: float = 1.0,
        forget_bias: float = 1.0,
        update_bias: float = 0.0,
        seed: int = 0,
    ):
        get_cell(cell)
        rng = as_rng(seed)
        params = {}
        cell_params = init_cell_params(
            D, H, cell, recurrent_init=recurrent_init, scale=scale, forget_bias=forget_bias, update_bias=update_bias,
            rng=rng,
        )
        params.update(cell_params)
        params["W_out"] = xavier_uniform((H, K), rng=rng)
        params["b_out"] = np.zeros(K)
        config = dict(D=D, H=H, K=K, cell=cell, recurrent_init=recurrent_init, scale=scale, forget_bias=forget_bias,
                      seed=seed)
        if cell == "gru":  # only the GRU has an update gate (and a repr should not show what does not apply)
            config["update_bias"] = update_bias
        super().__init__(params, config)
        self.cell = get_cell(cell)

    def _check_x(self, x):
        x = as_array("x", x)
        check_shape("x", x, ("N", "T", "D"), {"D": self.config["D"]})
        return x

    def cell_forward(self, x):
        """The recurrent layer: hidden states (N, T, H) and its cache. Variants of the cell override this pair."""
        p = self.params
        return self.cell.forward(x, None, p["Wx"], p["Wh"], p["b"])

    def cell_backward(self, dh, cell_cache) -> dict:
        """Gradients of the recurrent layer's parameters given dloss/dh (N, T, H)."""
        _, _, dWx, dWh, db = self.cell.backward(dh, cell_cache)
        return {"Wx": dWx, "Wh": dWh, "b": db}

    def forward(self, x):
        """Hidden states (N, T, H), prediction (N, K) and the caches for ``backward``."""
        x = self._check_x(x)
        p = self.params
        h, cell_cache = self.cell_forward(x)
        y_hat, out_cache = affine_forward(h[:, -1], p["W_out"], p["b_out"])
        return h, y_hat, (cell_cache, out_cache, h.shape)

    def backward(self, dy_hat, caches) -> dict:
        """Gradients of every parameter given dloss/dy_hat (N, K)."""
        cell_cache, out_cache, shape = caches
        dh_last, dW_out, db_out = affine_backward(dy_hat, out_cache)
        dh = np.zeros(shape)
        dh[:, -1] = dh_last
        return {**self.cell_backward(dh, cell_cache), "W_out": dW_out, "b_out": db_out}

    def loss(self, batch, *, train: bool = True, rng=None):
        """Mean squared error on a batch ``(x, y)`` and the gradients of every parameter."""
        x, y = batch
        _, y_hat, caches = self.forward(x)
        y = np.asarray(y, dtype=float).reshape(y_hat.shape) if np.size(y) == y_hat.size else y
        loss, dy_hat = mse_loss(y_hat, y)
        return loss, self.backward(dy_hat, caches)

    def predict(self, x) -> np.ndarray:
        """Predictions (N, K) for x (N, T, D)."""
        return self.forward(x)[1]
