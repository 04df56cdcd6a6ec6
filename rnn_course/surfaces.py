"""The one-unit RNN of Pascanu, Mikolov & Bengio (2013) and its loss surface.

One hidden unit, no input, two parameters (w, b):

    h_t = w * sigmoid(h_{t-1}) + b        t = 1 .. T,  h_0 given (0.5)
    L(w, b) = (sigmoid(h_T) - target)^2    (T = 50, target = 0.7)

(Pascanu et al. write the state x_t; the course writes every hidden state h_t.)
For w > 4 the map h -> w sigmoid(h) + b has two stable fixed points when b
lies in a band around -w/2. Which one h_T ends at flips when (w, b) crosses
the edge of that band, so L jumps there: a *cliff* where the gradient is
huge on a thin strip and tiny on both sides. Gradient descent that touches
the cliff is thrown far away; clipping the gradient's norm (Pascanu's
remedy) keeps the step short and the direction.

Everything is vectorised over arrays of w and b (any shapes that broadcast),
so a 200 x 200 grid of the loss and its gradient costs a few milliseconds.
Descent paths clip with the optimiser module's own functions, so "norm" and "value"
clipping here are exactly what ``clip_grad_norm`` and ``clip_grad_value``
do in training code (the tests check each step against them).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ._checks import as_array, check_choice, check_finite
from .optim import clip_grad_norm, clip_grad_value, global_norm

__all__ = [
    "one_unit_states",
    "one_unit_loss",
    "one_unit_grad",
    "one_unit_surface",
    "descent_path",
    "locate_cliff",
    "OneUnitGrad",
    "Surface",
    "DescentPath",
    "CLIP_METHODS",
]

#: how a descent path treats its gradient: none, ``clip_grad_norm`` or ``clip_grad_value``
CLIP_METHODS = ("none", "norm", "value")


class OneUnitGrad(NamedTuple):
    """Loss and gradient of the one-unit RNN, each with the broadcast shape of w and b."""

    loss: np.ndarray
    dw: np.ndarray
    db: np.ndarray


class Surface(NamedTuple):
    """The loss on a grid: ``loss[i, j]`` is L(w[j], b[i]) (rows are b, as ``imshow`` wants)."""

    w: np.ndarray  # (n_w,)
    b: np.ndarray  # (n_b,)
    loss: np.ndarray  # (n_b, n_w)
    grad_norm: np.ndarray  # (n_b, n_w) sqrt(dL/dw^2 + dL/db^2)


class DescentPath(NamedTuple):
    """A gradient-descent run on the one-unit loss. ``steps`` = number of updates actually taken."""

    method: str  # "none", "norm" or "value"
    w: np.ndarray  # (steps + 1,) including the start
    b: np.ndarray  # (steps + 1,)
    loss: np.ndarray  # (steps + 1,)
    grad_norm: np.ndarray  # (steps,) norm of the gradient *before* clipping
    clipped: np.ndarray  # (steps,) bool: was this step's gradient changed by clipping
    stopped: str  # "" when all steps ran, else why the path stopped early

    @property
    def steps(self) -> int:
        return len(self.grad_norm)


# -- argument checks ---------------------------------------------------------


def _check_params(w, b, T, h0, target):
    w = as_array("w", w)
    b = as_array("b", b)
    try:
        shape = np.broadcast_shapes(w.shape, b.shape)
    except ValueError:
        raise ValueError(
            f"b: expected a shape that broadcasts with w's {tuple(w.shape)}, got {tuple(b.shape)}"
        ) from None
    check_finite("w", w)
    check_finite("b", b)
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or T < 1:
        raise ValueError(f"T: expected an integer >= 1, got {T!r}")
    for name, value in (("h0", h0), ("target", target)):
        if not isinstance(value, (int, float, np.integer, np.floating)) or not math.isfinite(value):
            raise ValueError(f"{name}: expected a finite number, got {value!r}")
    return w, b, shape


def _sigmoid_into(x, out):
    """sigmoid(x) = (1 + tanh(x / 2)) / 2, written into ``out``: stable for any x, 4 passes, no temporaries."""
    np.multiply(x, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


# -- the model ---------------------------------------------------------------


def one_unit_states(w, b, T: int = 50, h0: float = 0.5) -> np.ndarray:
    """The states h_0 .. h_T of the one-unit RNN.

    Inputs:
        w, b: arrays (or numbers) whose shapes broadcast to S
        T: number of steps; h0: the initial state
    Returns:
        h: (T + 1, *S), h[0] = h0 (here the array includes h_0, so h[t] is h_t)
    """
    w, b, shape = _check_params(w, b, T, h0, 0.0)
    h = np.empty((T + 1, *shape))
    h[0] = h0
    s = np.empty(shape)
    for t in range(1, T + 1):
        _sigmoid_into(h[t - 1, ...], s)
        np.multiply(w, s, out=h[t, ...])
        h[t, ...] += b
    return h


def one_unit_loss(w, b, T: int = 50, h0: float = 0.5, target: float = 0.7) -> np.ndarray:
    """L(w, b) = (sigmoid(h_T) - target)^2 for h_t = w sigmoid(h_{t-1}) + b (Pascanu et al. 2013).

    Inputs:
        w, b: arrays (or numbers) whose shapes broadcast to S, e.g. a meshgrid
        T: number of steps (50 in the paper); h0: initial state (0.5); target: 0.7
    Returns:
        L: array of shape S (a 0-d array for scalar w and b)

    >>> one_unit_loss(0.0, 0.0)   # w = 0: h_T = b, so L = (sigmoid(0) - 0.7)^2
    array(0.04)
    """
    w, b, shape = _check_params(w, b, T, h0, target)
    h = np.full(shape, float(h0))
    s = np.empty(shape)
    for _ in range(T):
        _sigmoid_into(h, s)
        np.multiply(w, s, out=h)
        h += b
    _sigmoid_into(h, s)
    s -= target
    return s * s


def one_unit_grad(w, b, T: int = 50, h0: float = 0.5, target: float = 0.7) -> OneUnitGrad:
    """Loss and gradient (dL/dw, dL/db) by backpropagation through the T steps, vectorised.

    BPTT through the scalar recurrence, with delta_t = dL/dh_t:

        delta_T     = 2 (sigmoid(h_T) - target) sigmoid'(h_T)
        dL/dw      += delta_t * sigmoid(h_{t-1})          t = T .. 1
        dL/db      += delta_t
        delta_{t-1} = delta_t * w * sigmoid'(h_{t-1})

    The factor J_t = dh_t/dh_{t-1} = w sigmoid'(h_{t-1}) is this network's
    one-by-one Jacobian: the product of T of them is what vanishes
    (|w| < 4 = 1/gamma guarantees it) or explodes.

    Inputs: as ``one_unit_loss``.
    Returns:
        OneUnitGrad(loss, dw, db), each of the broadcast shape S
    """
    w, b, shape = _check_params(w, b, T, h0, target)
    s = np.empty((T + 1, *shape))  # s[t] = sigmoid(h_t)
    h = np.full(shape, float(h0))
    for t in range(T):
        _sigmoid_into(h, s[t, ...])
        np.multiply(w, s[t, ...], out=h)
        h += b
    _sigmoid_into(h, s[T, ...])
    err = s[T] - target
    loss = err * err
    delta = 2.0 * err * s[T] * (1.0 - s[T])
    dw = np.zeros(shape)
    db = np.zeros(shape)
    for t in range(T, 0, -1):
        dw += delta * s[t - 1]
        db += delta
        delta = delta * w * s[t - 1] * (1.0 - s[t - 1])
    return OneUnitGrad(loss, dw, db)


def one_unit_surface(w_lim=(0.0, 8.0), b_lim=(-5.0, 1.0), n: int = 200, *, T: int = 50, h0: float = 0.5,
                     target: float = 0.7) -> Surface:
    """The loss and gradient norm on an n x n grid over ``w_lim`` x ``b_lim``.

    The default window is the one where Pascanu et al.'s cliff shows.
    Returns a ``Surface`` with ``loss`` and ``grad_norm`` of shape (n, n),
    rows indexed by b and columns by w.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n: expected an integer >= 2, got {n!r}")
    for name, lim in (("w_lim", w_lim), ("b_lim", b_lim)):
        if len(lim) != 2 or not lim[0] < lim[1]:
            raise ValueError(f"{name}: expected (low, high) with low < high, got {tuple(lim)!r}")
    w = np.linspace(float(w_lim[0]), float(w_lim[1]), n)
    b = np.linspace(float(b_lim[0]), float(b_lim[1]), n)
    loss, dw, db = one_unit_grad(w[None, :], b[:, None], T=T, h0=h0, target=target)
    return Surface(w, b, loss, np.hypot(dw, db))


def locate_cliff(w: float, b_low: float, b_high: float, *, T: int = 50, h0: float = 0.5,
                 target: float = 0.7, tol: float = 1e-13) -> float:
    """The bias b in (b_low, b_high) where the loss jumps at weight w: the position of the wall.

    Bisection: the loss at the two ends must be on either side of the wall
    (one near the plateau, one near the valley); each step keeps the half
    whose ends still differ. Stops when the interval is shorter than ``tol``.

    Inputs:
        w: the recurrent weight (the wall exists for w > 4)
        b_low, b_high: a bracket of biases around the wall
        T, h0, target: the model, as in ``one_unit_loss``
    Returns:
        b at the wall (to within ``tol``)
    """
    _check_params(w, b_low, T, h0, target)
    _check_params(w, b_high, T, h0, target)
    if not float(b_low) < float(b_high):
        raise ValueError(f"b_high: expected a number above b_low = {b_low!r}, got {b_high!r}")
    lo, hi = float(b_low), float(b_high)
    loss_lo = float(one_unit_loss(w, lo, T=T, h0=h0, target=target))
    loss_hi = float(one_unit_loss(w, hi, T=T, h0=h0, target=target))
    middle = (loss_lo + loss_hi) / 2
    if abs(loss_lo - loss_hi) < 1e-3:
        raise ValueError(f"b_low, b_high: expected a bracket with the wall inside (losses {loss_lo:.4g} and "
                         f"{loss_hi:.4g} are nearly equal)")
    while hi - lo > tol:
        mid = (lo + hi) / 2
        if (float(one_unit_loss(w, mid, T=T, h0=h0, target=target)) > middle) == (loss_lo > middle):
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


# -- gradient descent ----------------------------------------------------------


def _sigmoid_scalar(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _grad_scalar(w: float, b: float, T: int, h0: float, target: float) -> tuple[float, float, float]:
    """``one_unit_grad`` for one point in plain Python floats.

    A path takes hundreds of sequential steps at one point each, where numpy's
    per-call overhead would dominate; this loop is ~20x faster there and is
    tested against the vectorised version.
    """
    s = [0.0] * (T + 1)
    h = h0
    for t in range(T):
        st = _sigmoid_scalar(h)
        s[t] = st
        h = w * st + b
    sT = _sigmoid_scalar(h)
    err = sT - target
    delta = 2.0 * err * sT * (1.0 - sT)
    dw = db = 0.0
    for t in range(T, 0, -1):
        st = s[t - 1]
        dw += delta * st
        db += delta
        delta *= w * st * (1.0 - st)
    return err * err, dw, db


def descent_path(w0: float, b0: float, *, lr: float = 0.1, steps: int = 100, clip: str = "none",
                 threshold: float = 1.0, T: int = 50, h0: float = 0.5, target: float = 0.7) -> DescentPath:
    """Plain gradient descent on the one-unit loss from (w0, b0).

    Inputs:
        w0, b0: the start
        lr: learning rate; steps: number of updates
        clip: "none"; "norm" (Pascanu's rule, as ``clip_grad_norm``: if ||g|| >
            threshold then g <- threshold g / ||g||, so the direction is kept);
            or "value" (as ``clip_grad_value``: each of dw, db clipped to
            [-threshold, threshold], which can turn the direction)
        threshold: the clipping threshold (ignored when clip is "none")
        T, h0, target: the model, as in ``one_unit_loss``
    Returns:
        DescentPath. A path stops early (``stopped`` says why) if the
        parameters or the gradient stop being finite.
    """
    check_choice("clip", clip, CLIP_METHODS)
    for name, value in (("w0", w0), ("b0", b0)):
        if not isinstance(value, (int, float, np.integer, np.floating)) or not math.isfinite(value):
            raise ValueError(f"{name}: expected a finite number, got {value!r}")
    if not (isinstance(lr, (int, float, np.integer, np.floating)) and lr > 0 and math.isfinite(lr)):
        raise ValueError(f"lr: expected a positive learning rate, got {lr!r}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps: expected an integer >= 0, got {steps!r}")
    if not (threshold > 0):
        raise ValueError(f"threshold: expected a positive number, got {threshold!r}")
    _check_params(w0, b0, T, h0, target)
    T, h0, target, lr, threshold = int(T), float(h0), float(target), float(lr), float(threshold)
    w, b = float(w0), float(b0)
    ws, bs, losses, norms, clipped = [w], [b], [], [], []
    stopped = ""
    for _ in range(steps):
        loss, dw, db = _grad_scalar(w, b, T, h0, target)
        losses.append(loss)
        grads = {"w": np.array(dw), "b": np.array(db)}
        norm = global_norm(grads)
        if not math.isfinite(norm):
            stopped = "the gradient overflowed"
            break
        changed = False
        if clip == "norm":
            clip_grad_norm(grads, threshold)  # Pascanu's rule: rescale when the norm exceeds the threshold
            changed = norm > threshold
        elif clip == "value":
            changed = clip_grad_value(grads, threshold) > 0  # each entry into [-threshold, threshold]
        dw, db = float(grads["w"]), float(grads["b"])
        w_new, b_new = w - lr * dw, b - lr * db
        if not (math.isfinite(w_new) and math.isfinite(b_new)):
            stopped = "the parameters overflowed"
            break
        w, b = w_new, b_new
        ws.append(w)
        bs.append(b)
        norms.append(norm)
        clipped.append(changed)
    if len(losses) < len(ws):  # the loss at the last point reached
        losses.append(_grad_scalar(w, b, T, h0, target)[0])
    return DescentPath(clip, np.array(ws), np.array(bs), np.array(losses), np.array(norms),
                       np.array(clipped, dtype=bool), stopped)
