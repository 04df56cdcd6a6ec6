"""Objects a check hands to a graded function that are not plain arrays.

Some graded functions take a function (``numerical_gradient(f, x)``) or an
optimiser (``train_step(params, x, y, optimizer)``). Code cannot cross
between the judge and the student's process, so the judge sends a *recipe*
(``wire.Factory("smooth", {...})``) and this module builds it on the
student's side. Only the recipes listed in ``FACTORIES`` exist.
"""

from __future__ import annotations

import numpy as np

__all__ = ["FACTORIES", "build", "smooth_function"]


def smooth_function(A, B, c=0.0, *, scalar=False):
    """``f(x) = tanh(x @ A + c) * B`` (or its sum when ``scalar``): a smooth test function.

    ``x`` is (..., K), ``A`` is (K, M) and ``B`` broadcasts against (..., M).
    Its exact gradient is easy to write down, so a numerical-gradient routine
    can be checked against both the reference and the truth.
    """
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)

    def f(x):
        out = np.tanh(np.asarray(x, dtype=float) @ A + c) * B
        return float(out.sum()) if scalar else out

    return f


def _optimizer(kind, **kwargs):
    from .. import optim

    classes = {"SGD": optim.SGD, "Momentum": optim.Momentum, "Adagrad": optim.Adagrad, "Adam": optim.Adam}
    if kind not in classes:
        raise ValueError(f"kind: expected one of {sorted(classes)}, got {kind!r}")
    return classes[kind](**kwargs)


FACTORIES = {
    "smooth": smooth_function,
    "optimizer": _optimizer,
}


def build(name: str, kwargs: dict):
    """The object the recipe ``name`` makes from ``kwargs``."""
    if name not in FACTORIES:
        raise ValueError(f"name: expected one of {sorted(FACTORIES)}, got {name!r}")
    return FACTORIES[name](**kwargs)
