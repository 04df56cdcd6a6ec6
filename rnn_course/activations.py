"""Activation functions and their derivatives, numerically stable.

Every function here is safe at extreme inputs (|x| = 1000 and beyond): no
overflow, no warnings, no NaN. The derivatives are written in terms of the
function's *output* where that is how backward passes use them
(``tanh'(a) = 1 - tanh(a)**2`` needs ``h = tanh(a)``, not ``a``).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "sigmoid",
    "tanh",
    "relu",
    "softmax",
    "log_softmax",
    "sigmoid_grad_from_output",
    "tanh_grad_from_output",
    "relu_grad",
    "ACTIVATIONS",
]


def sigmoid(x):
    """Logistic function 1 / (1 + exp(-x)), stable for any finite or infinite x.

    For x >= 0 it uses 1 / (1 + e^-x); for x < 0 it uses e^x / (1 + e^x), so
    ``exp`` only ever sees non-positive arguments and cannot overflow.
    """
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def tanh(x):
    """Hyperbolic tangent (numpy's is already stable)."""
    return np.tanh(x)


def relu(x):
    """max(x, 0)."""
    return np.maximum(x, 0.0)


def softmax(x, axis: int = -1):
    """Softmax along ``axis``; subtracting the max keeps ``exp`` from overflowing."""
    x = np.asarray(x, dtype=float)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(x, axis: int = -1):
    """log(softmax(x)) without computing softmax first (no log(0) = -inf)."""
    x = np.asarray(x, dtype=float)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def sigmoid_grad_from_output(s):
    """d sigmoid(a) / da given s = sigmoid(a): s (1 - s)."""
    return s * (1.0 - s)


def tanh_grad_from_output(h):
    """d tanh(a) / da given h = tanh(a): 1 - h^2."""
    return 1.0 - h * h


def relu_grad(a):
    """d relu(a) / da: 1 where a > 0, else 0 (the subgradient at 0 is taken as 0)."""
    return (np.asarray(a) > 0).astype(float)


#: name -> (function, derivative computed from the *output*)
ACTIVATIONS = {
    "tanh": (tanh, tanh_grad_from_output),
    # relu(a) > 0 exactly when a > 0, so the output suffices for relu too.
    "relu": (relu, relu_grad),
    "sigmoid": (sigmoid, sigmoid_grad_from_output),
}
