"""Helpers that the checks of several exercise sets share: case labels and random RNN inputs."""

from __future__ import annotations

import numpy as np

__all__ = ["case_label", "rnn_inputs"]


def case_label(dims, **extra) -> str:
    """How a case is named in messages: "N=3, T=4, activation='relu'"."""
    parts = [f"{k}={v}" for k, v in dims.items() if not k[:1].isdigit()]
    parts += [f"{k}={v!r}" for k, v in extra.items()]
    return ", ".join(parts)


def rnn_inputs(rng, N, D, H, *, T=None, scale=0.6):
    """Random x, h (h_prev or h0), Wx, Wh, b for a vanilla RNN: one step (T None) or a sequence."""
    x = rng.standard_normal((N, D) if T is None else (N, T, D))
    h = rng.uniform(-0.9, 0.9, (N, H))
    Wx = scale * rng.standard_normal((D, H)) / np.sqrt(D)
    Wh = scale * rng.standard_normal((H, H)) / np.sqrt(H)
    b = 0.3 * rng.standard_normal(H)
    return x, h, Wx, Wh, b
