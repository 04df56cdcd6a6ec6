"""Losses over sequences: softmax cross-entropy with a mask, and mean squared error.

Each returns ``(loss, dinput)``: the loss is a float and the gradient has
the shape of the predictions, so a training step is
``loss, dlogits = softmax_cross_entropy(logits, y)`` followed by the
backward passes.

``reduction``:
    "mean"  (default) average over the unmasked positions: a per-token loss,
            comparable across batch sizes and lengths (perplexity = exp(loss))
    "sum"   sum over the unmasked positions
    "batch" sum over time, mean over the batch (CS231n's convention)
"""

from __future__ import annotations

import numpy as np

from ._checks import as_array, check_choice, check_finite, check_int_array, check_shape
from .activations import log_softmax

__all__ = ["softmax_cross_entropy", "mse_loss", "REDUCTIONS"]

REDUCTIONS = ("mean", "sum", "batch")


def _mask(mask, spec, dims):
    if mask is None:
        return None
    m = np.asarray(mask)
    if m.dtype.kind not in "biuf":
        raise ValueError(f"mask: expected a boolean or 0/1 array, got dtype {m.dtype}")
    check_shape("mask", m, spec, dims)
    return m.astype(float)


def _divisor(weights, reduction, N):
    """What the summed loss is divided by; an all-False mask gives loss 0, not 0/0."""
    if reduction == "mean":
        return max(float(weights.sum()), 1.0)
    if reduction == "sum":
        return 1.0
    return float(N)


def softmax_cross_entropy(logits, y, mask=None, reduction: str = "mean"):
    """Cross-entropy of softmax(logits) against integer targets, computed via log-softmax.

    Inputs:
        logits: (N, T, V) scores for a sequence, or (N, V) for one step
        y: (N, T) or (N,) integer targets in [0, V)
        mask: None, or (N, T) / (N,) booleans: False positions (padding) add
            nothing to the loss or the gradient
        reduction: "mean", "sum" or "batch" (see the module docstring)
    Returns:
        loss: float
        dlogits: gradient of the loss, same shape as logits
    """
    check_choice("reduction", reduction, REDUCTIONS)
    logits = as_array("logits", logits)
    dims: dict[str, int] = {}
    spec = ("N", "T", "V") if logits.ndim == 3 else ("N", "V")
    check_shape("logits", logits, spec, dims)
    check_finite("logits", logits)
    y = check_int_array("y", y, spec[:-1], dims, high=dims["V"])
    m = _mask(mask, spec[:-1], dims)
    logp = log_softmax(logits, axis=-1)
    picked = np.take_along_axis(logp, y[..., None], axis=-1)[..., 0]
    weights = m if m is not None else np.ones(y.shape)
    total = -float(np.sum(picked * weights))
    div = _divisor(weights, reduction, dims["N"])
    dlogits = np.exp(logp)  # softmax, without recomputing exponentials of large logits
    np.put_along_axis(dlogits, y[..., None], np.take_along_axis(dlogits, y[..., None], axis=-1) - 1.0, axis=-1)
    dlogits *= (weights / div)[..., None]
    return total / div, dlogits


def mse_loss(pred, target, mask=None, reduction: str = "mean"):
    """Mean squared error, 0.5 is *not* included: loss = mean((pred - target)^2).

    Inputs:
        pred: any shape, e.g. (N, T, K) or (N, K)
        target: same shape as pred
        mask: None, or booleans of pred's shape without its last axis
            (one flag per position) or of pred's full shape
        reduction: "mean" (over unmasked entries), "sum" or "batch"
    Returns:
        loss: float, dpred: same shape as pred
    """
    check_choice("reduction", reduction, REDUCTIONS)
    pred = as_array("pred", pred)
    target = as_array("target", target)
    if pred.ndim == 0:
        pred, target = pred.reshape(1), np.asarray(target, dtype=float).reshape(-1)
    letters = tuple("ABCDEFG"[: pred.ndim])
    dims = dict(zip(letters, pred.shape))
    check_shape("target", target, letters, dims)
    check_finite("pred", pred)
    check_finite("target", target)
    weights = np.ones(pred.shape)
    if mask is not None:
        m = np.asarray(mask)
        if m.shape == pred.shape[:-1]:
            m = m[..., None]
        elif m.shape != pred.shape:
            raise ValueError(
                f"mask: expected shape {pred.shape[:-1]} (one flag per position) or {pred.shape}, got {m.shape}"
            )
        weights = np.broadcast_to(m.astype(float), pred.shape)
    diff = pred - target
    div = _divisor(weights, reduction, pred.shape[0])
    loss = float(np.sum(weights * diff * diff)) / div
    return loss, 2.0 * weights * diff / div
