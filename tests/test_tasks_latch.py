"""The latch task (Bengio, Simard & Frasconi 1994): data, BPTT, training and the sweep."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course import rnn_forward
from rnn_course.gradcheck import gradcheck
from rnn_course.tasks.latch import (
    LATCH_TARGET,
    latch_batch,
    latch_forward,
    latch_loss_and_grad,
    latch_rnn_batch,
    latch_sweep,
    train_latch,
    train_latch_rnn,
)


def test_batch_shapes_and_balance():
    batch = latch_batch(3, 400, 7, noise=0.5, rng=0)
    assert batch.y.shape == (3, 400) and batch.noise.shape == (3, 400, 7)
    assert set(np.unique(batch.y)) == {-1.0, 1.0}
    assert abs(batch.y.mean()) < 0.1
    assert batch.noise.std() == pytest.approx(0.5, rel=0.05)
    again = latch_batch(3, 400, 7, noise=0.5, rng=0)
    np.testing.assert_array_equal(batch.noise, again.noise)


def test_forward_is_a_one_unit_tanh_rnn():
    batch = latch_batch(2, 5, 9, noise=0.3, rng=1)
    w, u = np.array([0.8, 1.3]), np.array([1.0, 2.0])
    h = latch_forward(w, u, batch)
    for s in range(2):
        x = batch.noise[s][:, :, None].copy()
        x[:, 0, 0] += u[s] * batch.y[s]
        want, _ = rnn_forward(x, np.zeros((5, 1)), np.ones((1, 1)), np.full((1, 1), w[s]), np.zeros(1))
        np.testing.assert_allclose(h[s], want[:, :, 0], rtol=1e-12)


def test_gradient_checks():
    batch = latch_batch(3, 6, 8, noise=0.4, rng=2)
    w, u = np.array([0.6, 1.1, 1.7]), np.array([0.5, 1.0, 2.5])
    _, dw, du = latch_loss_and_grad(w, u, batch)
    report = gradcheck(lambda w, u: latch_loss_and_grad(w, u, batch)[0], {"w": w, "u": u},
                       {"w": dw, "u": du}, dout=np.ones(3), tol=1e-7)
    assert report.ok, report.summary()


def test_loss_value():
    batch = latch_batch(2, 4, 5, rng=3)
    w, u = np.array([0.9, 1.2]), np.array([1.0, 1.5])
    loss, _, _ = latch_loss_and_grad(w, u, batch)
    h_T = latch_forward(w, u, batch)[:, :, -1]
    np.testing.assert_allclose(loss, np.mean((h_T - LATCH_TARGET * batch.y) ** 2, axis=1))


def test_truncated_gradient_is_the_gradient_through_the_last_k_steps_only():
    batch = latch_batch(1, 4, 10, noise=0.3, rng=4)
    w, u = np.array([1.1]), np.array([1.2])
    k = 4

    def loss_with_late_w(w_late):
        # states before the window use the fixed w; only the last k pre-activations see w_late
        S, N, T = batch.noise.shape
        prev = np.zeros((S, N))
        for t in range(T):
            wt = w_late[0] if t >= T - k else w[0]
            a = wt * prev + batch.noise[:, :, t] + (u[0] * batch.y if t == 0 else 0.0)
            prev = np.tanh(a)
        return np.mean((prev - LATCH_TARGET * batch.y) ** 2)

    _, dw, du = latch_loss_and_grad(w, u, batch, truncate=k)
    eps = 1e-6
    num = (loss_with_late_w(w + eps) - loss_with_late_w(w - eps)) / (2 * eps)
    assert dw[0] == pytest.approx(num, rel=1e-7)
    assert du[0] == 0.0  # nothing reaches the first step
    full = latch_loss_and_grad(w, u, batch)
    same = latch_loss_and_grad(w, u, batch, truncate=10)
    np.testing.assert_allclose(same[1:], full[1:])


def test_training_is_deterministic_and_shaped():
    a = train_latch(5, seeds=4, steps=20, rng=7)
    b = train_latch(5, seeds=4, steps=20, rng=7)
    np.testing.assert_array_equal(a.w, b.w)
    assert a.w.shape == a.u.shape == (21, 4)
    assert a.loss.shape == a.grad_norm.shape == (20, 4)
    assert a.accuracy.shape == a.success.shape == (4,)


def test_sweep_success_falls_with_T_and_failed_units_forget():
    sweep = latch_sweep([3, 60], seeds=8, steps=250, rng=0)
    short, long = sweep.runs
    assert sweep.success_rate[0] >= 0.9
    assert sweep.success_rate[1] <= 0.15
    # the same initial weights for every T
    np.testing.assert_array_equal(short.w[0], long.w[0])
    # a unit that latches has become bistable (w > 1); one that failed has let w shrink towards 0
    assert np.all(short.w[-1][short.success] > 1.0)
    assert np.all(np.abs(long.w[-1][~long.success]) < 0.5)


def test_truncation_removes_long_dependencies():
    full = train_latch(10, seeds=8, steps=250, rng=1)
    truncated = train_latch(10, seeds=8, steps=250, truncate=3, rng=1)
    assert truncated.success.sum() < full.success.sum()
    np.testing.assert_array_equal(truncated.u[-1], truncated.u[0])  # u never gets a gradient


def test_rnn_batch():
    x, y = latch_rnn_batch(50, 6, noise=0.1, rng=0)
    assert x.shape == (50, 6, 2) and y.shape == (50,)
    np.testing.assert_array_equal(x[:, 0, 0], y)
    assert not x[:, 1:, 0].any()


def test_irnn_explodes_without_clipping_and_trains_with_it():
    kw = dict(cell="rnn_relu", recurrent_init="identity", optimizer="sgd", lr=0.05, T=50, rng=0)
    plain = train_latch_rnn(steps=300, **kw)
    assert "overflowed" in plain.stopped and not plain.success
    clipped = train_latch_rnn(steps=300, clip=1.0, **kw)
    assert clipped.stopped == "" and clipped.success
    assert clipped.grad_norm.max() > 10.0  # the gradients did explode; clipping tamed the steps


def test_small_random_init_sends_no_gradient_to_the_first_step():
    run = train_latch_rnn(50, cell="rnn", recurrent_init="normal", steps=1, rng=0)
    orth = train_latch_rnn(50, cell="rnn", recurrent_init="orthogonal", steps=1, rng=0)
    assert run.first_step_grad[0] < 1e-40 < 1e-4 < orth.first_step_grad[0]


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: latch_batch(0, 3, 3), "S"),
        (lambda: latch_batch(1, 3, 3, noise=-1.0), "noise"),
        (lambda: latch_forward(np.ones(2), np.ones(3), latch_batch(3, 2, 2)), "w"),
        (lambda: latch_forward(np.ones(3), np.ones(2), latch_batch(3, 2, 2)), "u"),
        (lambda: latch_forward(np.ones(3), np.ones(3), (1, 2)), "batch"),
        (lambda: latch_loss_and_grad(1.0, 1.0, latch_batch(1, 2, 2), truncate=0), "truncate"),
        (lambda: train_latch(0), "T"),
        (lambda: train_latch(3, optimizer="lbfgs"), "optimizer"),
        (lambda: latch_sweep([]), "Ts"),
        (lambda: train_latch_rnn(3, cell="lstm"), "cell"),
    ],
)
def test_bad_arguments_are_named(call, name):
    with pytest.raises(ValueError, match=f"^{name}"):
        call()
