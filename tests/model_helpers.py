"""Helpers shared by the model tests: a gradient check through a model's loss."""

from __future__ import annotations

import numpy as np

from rnn_course import gradcheck


def gradcheck_model(model, batch, *, tol=1e-7, **loss_kwargs):
    """Check every parameter's gradient of ``model.loss(batch)`` against centred differences.

    The loss is called with ``train=True`` and a fixed seed, so dropout
    masks are the same in every evaluation (the loss is then a fixed,
    differentiable function of the parameters).
    """
    names = list(model.params)

    def loss_at(**params):
        saved = dict(model.params)
        model.params.update(params)
        try:
            return model.loss(batch, **loss_kwargs)[0]
        finally:
            model.params.update(saved)

    _, grads = model.loss(batch, **loss_kwargs)
    assert sorted(grads) == sorted(names), "every parameter needs a gradient, and only parameters"
    return gradcheck(loss_at, dict(model.params), {k: grads[k] for k in names}, tol=tol)


def perturbed(model, seed=0, scale=0.3):
    rng = np.random.default_rng(seed)
    for name, p in model.params.items():
        model.params[name] = p + scale * rng.standard_normal(p.shape)
    return model


def padded_batch(rng, N=3, T=5, V=7, K=3, per_token=False):
    x = rng.integers(0, V, size=(N, T))
    lengths = np.array([T, 2, 4][:N])
    y = rng.integers(0, K, size=(N, T) if per_token else N)
    return x, y, lengths
