"""Helpers shared by the model tests: a gradient check through a model's loss."""

from __future__ import annotations

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
