"""The latch task of Bengio, Simard & Frasconi (1994): keep one bit through T noisy steps.

A single tanh unit sees the bit (the sign y = +-1, pushed in with a trainable
gain u) at the first step and only noise afterwards:

    h_t = tanh(w h_{t-1} + a_t),   h_0 = 0
    a_1 = u y + e_1,   a_t = e_t (t >= 2),   e_t ~ N(0, noise^2)
    loss = mean over the batch of (h_T - 0.8 y)^2

To hold the bit the unit must become bistable (w > 1: two stable states
near +-h*), and to hold it *robustly* against the noise each state must
attract, |w tanh'(a)| < 1 around it. Bengio et al.'s point: that same
contraction makes the gradient from h_T back to the first step shrink
geometrically in T, so gradient descent gets less and less signal about
the first input as T grows. ``latch_sweep`` measures the success rate
against T over seeds; ``train_latch`` keeps the trajectory of w.

Everything is vectorised over S independent runs (seeds): ``w`` and ``u``
are (S,), sequences are (S, N, T). Nothing touches numpy's global state.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import as_array, check_finite
from ..init import as_rng
from ..optim import SGD, Adam, clip_grad_norm

__all__ = [
    "LatchBatch",
    "LatchRun",
    "LatchSweep",
    "LATCH_TARGET",
    "latch_batch",
    "latch_forward",
    "latch_loss_and_grad",
    "latch_accuracy",
    "train_latch",
    "latch_sweep",
    "LatchRNNRun",
    "latch_rnn_batch",
    "train_latch_rnn",
]

#: the target of h_T is 0.8 y (inside tanh's range, as in Bengio et al. 1994)
LATCH_TARGET = 0.8


class LatchBatch(NamedTuple):
    """S x N sequences of length T: the bits and the noise (the inputs are a_1 = u y + e_1, a_t = e_t)."""

    y: np.ndarray  # (S, N) the bit, +1 or -1
    noise: np.ndarray  # (S, N, T) e_t


class LatchRun(NamedTuple):
    """Training of S independent units on the latch task of length T."""

    T: int
    w: np.ndarray  # (steps + 1, S) the recurrent weight after each update
    u: np.ndarray  # (steps + 1, S) the input gain
    loss: np.ndarray  # (steps,) per run: (steps, S)
    grad_norm: np.ndarray  # (steps, S) ||(dw, du)|| before clipping
    accuracy: np.ndarray  # (S,) fraction of fresh test sequences whose sign(h_T) is y
    success: np.ndarray  # (S,) bool: accuracy >= the success threshold


class LatchSweep(NamedTuple):
    """Success rate against T: ``success_rate[i]`` over ``runs[i]``'s seeds."""

    Ts: np.ndarray  # (K,)
    success_rate: np.ndarray  # (K,)
    runs: list  # K LatchRun


def _check_int(name, value, low):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name}: expected an integer >= {low}, got {value!r}")
    return int(value)


def latch_batch(S: int, N: int, T: int, noise: float = 0.2, rng=None) -> LatchBatch:
    """Random bits y (S, N) and Gaussian noise (S, N, T) with standard deviation ``noise``."""
    S, N, T = _check_int("S", S, 1), _check_int("N", N, 1), _check_int("T", T, 1)
    if not (noise >= 0):
        raise ValueError(f"noise: expected a standard deviation >= 0, got {noise!r}")
    rng = as_rng(rng)
    y = np.where(rng.random((S, N)) < 0.5, -1.0, 1.0)
    return LatchBatch(y, noise * rng.standard_normal((S, N, T)))


def _check_params(w, u, batch):
    if not isinstance(batch, LatchBatch):
        raise ValueError(f"batch: expected a LatchBatch from latch_batch, got {type(batch).__name__}")
    S = batch.y.shape[0]
    w = as_array("w", w).reshape(-1) if np.ndim(w) == 0 else as_array("w", w)
    u = as_array("u", u).reshape(-1) if np.ndim(u) == 0 else as_array("u", u)
    for name, arr in (("w", w), ("u", u)):
        if arr.shape not in ((S,), (1,)):
            raise ValueError(f"{name}: expected shape (S,) = ({S},) (one value per run), got {tuple(arr.shape)}")
        check_finite(name, arr)
    return w, u


def latch_forward(w, u, batch: LatchBatch) -> np.ndarray:
    """The unit's states h_1 .. h_T.

    Inputs:
        w, u: (S,) recurrent weight and input gain per run (or scalars for S = 1)
        batch: LatchBatch with y (S, N) and noise (S, N, T)
    Returns:
        h: (S, N, T)
    """
    w, u = _check_params(w, u, batch)
    S, N, T = batch.noise.shape
    h = np.empty((S, N, T))
    wc = w[:, None]
    prev = np.zeros((S, N))
    for t in range(T):
        a = wc * prev + batch.noise[:, :, t]
        if t == 0:
            a += u[:, None] * batch.y
        prev = h[:, :, t] = np.tanh(a)
    return h


def latch_loss_and_grad(w, u, batch: LatchBatch, truncate: int | None = None):
    """Loss (S,) = mean_n (h_T - 0.8 y)^2 per run, and its gradient (dw, du), each (S,), by BPTT.

    delta_t = dloss/da_t; delta_T = 2 (h_T - 0.8 y) tanh'(a_T) / N, then
    delta_{t-1} = delta_t w tanh'(a_{t-1}): the factor w (1 - h^2) per step is
    the Jacobian whose product vanishes when the unit latches robustly.

    truncate: None for full BPTT, or k: the gradient flows back through the
    last k pre-activations only (truncated BPTT). For k < T nothing reaches
    a_1, so du = 0: the bit's gain cannot be learned.
    """
    w, u = _check_params(w, u, batch)
    if truncate is not None:
        _check_int("truncate", truncate, 1)
    h = latch_forward(w, u, batch)
    S, N, T = h.shape
    err = h[:, :, -1] - LATCH_TARGET * batch.y
    loss = np.mean(err * err, axis=1)
    delta = (2.0 / N) * err * (1.0 - h[:, :, -1] ** 2)
    dw = np.zeros(S)
    du = np.zeros(S)
    wc = w[:, None]
    stop = 0 if truncate is None else max(0, T - truncate)  # the earliest a_t that gets a gradient
    for t in range(T - 1, stop, -1):
        dw += np.sum(delta * h[:, :, t - 1], axis=1)
        delta = delta * wc * (1.0 - h[:, :, t - 1] ** 2)
    if stop == 0:
        du = np.sum(delta * batch.y, axis=1)  # a_1 = u y + e_1 (and h_0 = 0 gives no dw term)
    else:
        dw += np.sum(delta * h[:, :, stop - 1], axis=1)
    if w.shape != (S,):
        dw, du = dw.sum(keepdims=True), du.sum(keepdims=True)
    return loss, dw, du


def latch_accuracy(w, u, batch: LatchBatch) -> np.ndarray:
    """(S,) fraction of sequences whose last state has the sign of the bit."""
    h_T = latch_forward(w, u, batch)[:, :, -1]
    return np.mean(np.sign(h_T) == batch.y, axis=1)


def train_latch(T: int, *, seeds: int = 16, steps: int = 300, lr: float = 0.1, optimizer: str = "sgd",
                batch_size: int = 32, noise: float = 0.2, w0=(0.5, 1.0), u0: float = 1.0,
                clip: float | None = None, truncate: int | None = None, success_accuracy: float = 0.95,
                test_size: int = 500, rng=0) -> LatchRun:
    """Train ``seeds`` independent units by gradient descent on the latch task of length T.

    Inputs:
        T: sequence length; seeds: number of independent runs S
        steps, lr: updates and learning rate; optimizer: "sgd" or "adam"
        batch_size: fresh sequences per update (N)
        noise: standard deviation of the noise e_t
        w0: (low, high): initial w drawn uniformly per run; u0: initial u
        clip: None, or a threshold for ``clip_grad_norm`` applied per run
        truncate: None (full BPTT) or k (truncated BPTT, see ``latch_loss_and_grad``)
        success_accuracy: a run succeeds when its accuracy on ``test_size``
            fresh sequences reaches this
        rng: seed or Generator (the whole run is a pure function of it)
    Returns:
        LatchRun with the trajectories of w and u, losses, gradient norms and
        each run's final test accuracy and success.
    """
    T = _check_int("T", T, 1)
    S = _check_int("seeds", seeds, 1)
    steps = _check_int("steps", steps, 0)
    if optimizer not in ("sgd", "adam"):
        raise ValueError(f"optimizer: expected 'sgd' or 'adam', got {optimizer!r}")
    if len(w0) != 2 or not w0[0] <= w0[1]:
        raise ValueError(f"w0: expected (low, high) with low <= high, got {w0!r}")
    rng = as_rng(rng)
    params = {"w": rng.uniform(w0[0], w0[1], size=S), "u": np.full(S, float(u0))}
    opt = SGD(lr) if optimizer == "sgd" else Adam(lr)
    ws, us, losses, norms = [params["w"].copy()], [params["u"].copy()], [], []
    for _ in range(steps):
        batch = latch_batch(S, batch_size, T, noise, rng)
        loss, dw, du = latch_loss_and_grad(params["w"], params["u"], batch, truncate)
        norm = np.hypot(dw, du)
        if clip is not None:
            for s in range(S):  # each run is its own model: clip each one's gradient
                g = np.array([dw[s], du[s]])
                clip_grad_norm(g, clip)
                dw[s], du[s] = g
        opt.step(params, {"w": dw, "u": du})
        ws.append(params["w"].copy())
        us.append(params["u"].copy())
        losses.append(loss)
        norms.append(norm)
    test = latch_batch(S, test_size, T, noise, rng)
    accuracy = latch_accuracy(params["w"], params["u"], test)
    return LatchRun(T, np.array(ws), np.array(us), np.array(losses).reshape(steps, S),
                    np.array(norms).reshape(steps, S), accuracy, accuracy >= success_accuracy)


def latch_sweep(Ts, *, seeds: int = 16, rng=0, **train_kwargs) -> LatchSweep:
    """``train_latch`` for each T in ``Ts``; the success rate against T.

    Every T starts from the same S initial weights (the same seed), so the
    rows differ only in T and in the sequences drawn.
    """
    Ts = [_check_int("Ts[i]", T, 1) for T in Ts]
    if not Ts:
        raise ValueError("Ts: expected at least one sequence length, got an empty list")
    if isinstance(rng, np.random.Generator):
        rng = int(rng.integers(2**63))
    elif rng is not None and not isinstance(rng, (int, np.integer)):
        raise ValueError(f"rng: expected an int seed or a numpy Generator, got {type(rng).__name__}")
    runs = [train_latch(T, seeds=seeds, rng=rng, **train_kwargs) for T in Ts]
    return LatchSweep(np.array(Ts), np.array([r.success.mean() for r in runs]), runs)


# -- the same task for an RNN layer of H units (the remedies of lesson 03) ------------------------


class LatchRNNRun(NamedTuple):
    """Training of an H-unit RNN (package cells) on the latch task of length T."""

    T: int
    label: str
    loss: np.ndarray  # (steps,)
    grad_norm: np.ndarray  # (steps,) global gradient norm before clipping
    first_step_grad: np.ndarray  # (steps,) ||dloss/dh_1||: how much signal reaches the bit
    accuracy: float  # on fresh test sequences
    success: bool
    params: dict
    stopped: str  # "" or why training stopped early (non-finite gradients)


def latch_rnn_batch(N: int, T: int, noise: float = 0.2, rng=None):
    """Inputs x (N, T, 2) and bits y (N,): channel 0 holds y at t = 0 only, channel 1 is noise throughout."""
    N, T = _check_int("N", N, 1), _check_int("T", T, 1)
    rng = as_rng(rng)
    y = np.where(rng.random(N) < 0.5, -1.0, 1.0)
    x = np.zeros((N, T, 2))
    x[:, 0, 0] = y
    x[:, :, 1] = noise * rng.standard_normal((N, T))
    return x, y


def _rnn_latch_loss(params, x, y, cell, truncate):
    from ..cells import get_cell
    from ..losses import mse_loss

    spec = get_cell(cell)
    h, cache = spec.forward(x, None, params["Wx"], params["Wh"], params["b"])
    h_T = h[:, -1]
    pred = h_T @ params["Wy"] + params["by"]
    loss, dpred = mse_loss(pred, y[:, None])
    dh = np.zeros_like(h)
    dh[:, -1] = dpred @ params["Wy"].T
    grads = spec.backward(dh, cache, truncate=truncate, truncate_mode="window")
    return loss, pred, {
        "Wx": grads.dWx, "Wh": grads.dWh, "b": grads.db,
        "Wy": h_T.T @ dpred, "by": dpred.sum(axis=0),
    }, grads.dh_all[:, 0]


def train_latch_rnn(T: int, *, H: int = 16, cell: str = "rnn", recurrent_init: str = "orthogonal",
                    scale: float = 1.0, truncate: int | None = None, clip: float | None = None,
                    steps: int = 200, lr: float = 1e-2, optimizer: str = "adam", batch_size: int = 32,
                    noise: float = 0.2, success_accuracy: float = 0.95, test_size: int = 500, label: str = "",
                    rng=0) -> LatchRNNRun:
    """Train an H-unit RNN (``cells``) with a linear read-out of h_T on the latch task.

    Inputs:
        T: sequence length; H: hidden units
        cell: "rnn" (tanh) or "rnn_relu"; recurrent_init and scale: as in
            ``init.init_cell_params`` ("normal", "xavier", "orthogonal", "identity")
        truncate: None (full BPTT) or k: each loss sends its gradient back at
            most k steps (``rnn_backward(..., truncate=k, truncate_mode="window")``)
        clip: None, or a ``clip_grad_norm`` threshold
        steps, lr, batch_size, noise: training; optimizer: "adam" or "sgd"
        rng: seed or Generator
    Returns:
        LatchRNNRun: loss and gradient-norm curves, ||dloss/dh_1|| per step,
        test accuracy and success.
    """
    from ..init import init_cell_params
    from ..optim import global_norm

    T = _check_int("T", T, 1)
    if cell not in ("rnn", "rnn_relu"):
        raise ValueError(f"cell: expected 'rnn' or 'rnn_relu', got {cell!r}")
    rng = as_rng(rng)
    params = init_cell_params(2, H, cell, recurrent_init=recurrent_init, scale=scale, rng=rng)
    params["Wy"] = 0.1 * rng.standard_normal((H, 1))
    params["by"] = np.zeros(1)
    if optimizer not in ("sgd", "adam"):
        raise ValueError(f"optimizer: expected 'sgd' or 'adam', got {optimizer!r}")
    opt = SGD(lr) if optimizer == "sgd" else Adam(lr)
    losses, norms, first = [], [], []
    stopped = ""
    for _ in range(_check_int("steps", steps, 0)):
        x, y = latch_rnn_batch(batch_size, T, noise, rng)
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                loss, _, grads, dh1 = _rnn_latch_loss(params, x, y, cell, truncate)
                norm = global_norm(grads)
        except ValueError:  # the cells refuse non-finite states and gradients
            norm = loss = float("inf")
        if not (np.isfinite(norm) and np.isfinite(loss)):
            stopped = f"the loss or the gradient overflowed at update {len(losses)} (exploding gradients)"
            break
        losses.append(loss)
        norms.append(norm)
        first.append(float(np.linalg.norm(dh1)))
        if clip is not None:
            clip_grad_norm(grads, clip)
        opt.step(params, grads)
    x, y = latch_rnn_batch(test_size, T, noise, rng)
    accuracy = 0.0
    if not stopped:
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                _, pred, _, _ = _rnn_latch_loss(params, x, y, cell, truncate)
            accuracy = float(np.mean(np.sign(pred[:, 0]) == y))
        except ValueError:
            stopped = "the test sequences overflowed the trained network"
    return LatchRNNRun(T, label, np.array(losses), np.array(norms), np.array(first), accuracy,
                       accuracy >= success_accuracy, params, stopped)
