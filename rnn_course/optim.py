"""Optimisers and gradient clipping.

Parameters and gradients are arrays, or dicts / lists of arrays nested any
way (the same structure for both). Optimisers update the parameters in
place and keep their state (velocities, squared-gradient sums) per array.

    opt = Adam(lr=1e-2)
    norm = clip_grad_norm(grads, max_norm=5.0)   # returns the norm *before* clipping
    opt.step(params, grads)
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

__all__ = ["SGD", "Momentum", "Adagrad", "Adam", "clip_grad_norm", "clip_grad_value", "global_norm", "leaves"]


def leaves(tree, prefix: str = "") -> Iterator[tuple[str, np.ndarray]]:
    """Yield (path, array) for every array in a nested dict/list/tuple, in a fixed order."""
    if isinstance(tree, np.ndarray):
        yield prefix or "<array>", tree
    elif isinstance(tree, dict):
        for key in tree:
            yield from leaves(tree[key], f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(tree, (list, tuple)):
        for i, item in enumerate(tree):
            yield from leaves(item, f"{prefix}[{i}]")
    else:
        raise ValueError(f"{prefix or 'grads'}: expected an array or a dict/list of arrays, got {type(tree).__name__}")


def global_norm(grads) -> float:
    """sqrt of the sum of squares of every entry of every gradient."""
    return float(np.sqrt(sum(float(np.sum(g * g)) for _, g in leaves(grads))))


def clip_grad_norm(grads, max_norm: float) -> float:
    """Rescale all gradients together so their global norm is at most ``max_norm``.

    Pascanu, Mikolov & Bengio (2013): if ||g|| > max_norm, g <- max_norm * g / ||g||.
    The direction is kept; only the step length is capped. Modifies the
    arrays in place and returns the norm *before* clipping (log it: spikes
    are exploding gradients).
    """
    if not (max_norm > 0):
        raise ValueError(f"max_norm: expected a positive number, got {max_norm!r}")
    norm = global_norm(grads)
    if not np.isfinite(norm):
        raise ValueError(f"grads: the global norm is {norm} (non-finite gradients cannot be clipped)")
    if norm > max_norm:
        scale = max_norm / norm
        for _, g in leaves(grads):
            g *= scale
    return norm


def clip_grad_value(grads, clip_value: float) -> int:
    """Clip every entry to [-clip_value, clip_value] in place; returns how many entries were clipped.

    Unlike norm clipping this changes the gradient's direction.
    """
    if not (clip_value > 0):
        raise ValueError(f"clip_value: expected a positive number, got {clip_value!r}")
    clipped = 0
    for _, g in leaves(grads):
        clipped += int(np.count_nonzero(np.abs(g) > clip_value))
        np.clip(g, -clip_value, clip_value, out=g)
    return clipped


class _Optimizer:
    def __init__(self, lr: float):
        if not (lr > 0):
            raise ValueError(f"lr: expected a positive learning rate, got {lr!r}")
        self.lr = float(lr)
        self.state: dict[str, dict] = {}
        self.steps = 0

    def _pairs(self, params, grads):
        p_leaves, g_leaves = list(leaves(params)), dict(leaves(grads))
        for path, p in p_leaves:
            if path not in g_leaves:
                raise ValueError(f"grads: missing the gradient for parameter {path!r}")
            g = g_leaves[path]
            if g.shape != p.shape:
                raise ValueError(f"grads[{path!r}]: expected shape {p.shape} (the parameter's), got {g.shape}")
            if not np.all(np.isfinite(g)):
                raise ValueError(f"grads[{path!r}]: non-finite values (exploding gradients? try clip_grad_norm)")
            yield path, p, g

    def step(self, params, grads) -> None:
        """Update ``params`` in place from ``grads`` (same structure)."""
        pairs = list(self._pairs(params, grads))
        self.steps += 1
        for path, p, g in pairs:
            self._update(p, g, self.state.setdefault(path, {}))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in vars(self).items() if k not in ("state", "steps"))
        return f"{type(self).__name__}({args})"


class SGD(_Optimizer):
    """p <- p - lr * g"""

    def _update(self, p, g, state):
        p -= self.lr * g


class Momentum(_Optimizer):
    """Heavy-ball momentum: v <- mu v - lr g; p <- p + v (Polyak 1964)."""

    def __init__(self, lr: float = 0.01, momentum: float = 0.9):
        super().__init__(lr)
        if not (0.0 <= momentum < 1.0):
            raise ValueError(f"momentum: expected a value in [0, 1), got {momentum!r}")
        self.momentum = float(momentum)

    def _update(self, p, g, state):
        v = state.setdefault("v", np.zeros_like(p))
        v *= self.momentum
        v -= self.lr * g
        p += v


class Adagrad(_Optimizer):
    """Per-entry step lr / sqrt(sum of squared gradients) (Duchi et al. 2011; min-char-rnn's choice)."""

    def __init__(self, lr: float = 0.1, eps: float = 1e-8):
        super().__init__(lr)
        self.eps = float(eps)

    def _update(self, p, g, state):
        s = state.setdefault("sum_sq", np.zeros_like(p))
        s += g * g
        p -= self.lr * g / (np.sqrt(s) + self.eps)


class Adam(_Optimizer):
    """Adam (Kingma & Ba 2015) with bias correction."""

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__(lr)
        for name, beta in (("beta1", beta1), ("beta2", beta2)):
            if not (0.0 <= beta < 1.0):
                raise ValueError(f"{name}: expected a value in [0, 1), got {beta!r}")
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)

    def _update(self, p, g, state):
        m = state.setdefault("m", np.zeros_like(p))
        v = state.setdefault("v", np.zeros_like(p))
        m *= self.beta1
        m += (1.0 - self.beta1) * g
        v *= self.beta2
        v += (1.0 - self.beta2) * g * g
        m_hat = m / (1.0 - self.beta1**self.steps)
        v_hat = v / (1.0 - self.beta2**self.steps)
        p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
