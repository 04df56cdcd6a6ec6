"""The one-unit RNN of Pascanu et al. (2013): loss, gradient, surface and descent paths."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnn_course import one_unit_grad, one_unit_loss
from rnn_course.gradcheck import gradcheck, numerical_gradient, rel_error
from rnn_course.optim import clip_grad_norm, clip_grad_value
from rnn_course.surfaces import (
    _grad_scalar,
    descent_path,
    one_unit_states,
    one_unit_surface,
)


def scalar_loop_loss(w, b, T=50, h0=0.5, target=0.7):
    """The definition, one float at a time: the reference the vectorised code must match."""
    h = h0
    for _ in range(T):
        h = w * (1.0 / (1.0 + math.exp(-h))) + b
    return (1.0 / (1.0 + math.exp(-h)) - target) ** 2


def test_loss_matches_a_plain_scalar_loop_at_many_points(rng):
    w = rng.uniform(-3.0, 10.0, size=400)
    b = rng.uniform(-6.0, 2.0, size=400)
    got = one_unit_loss(w, b)
    want = np.array([scalar_loop_loss(wi, bi) for wi, bi in zip(w, b, strict=True)])
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("T, h0, target", [(1, 0.5, 0.7), (7, -1.0, 0.2), (50, 0.5, 0.7), (120, 2.0, 0.9)])
def test_loss_matches_the_loop_for_other_settings(rng, T, h0, target):
    w = rng.uniform(0.0, 8.0, size=50)
    b = rng.uniform(-5.0, 1.0, size=50)
    want = [scalar_loop_loss(wi, bi, T, h0, target) for wi, bi in zip(w, b, strict=True)]
    np.testing.assert_allclose(one_unit_loss(w, b, T=T, h0=h0, target=target), want, rtol=1e-10, atol=1e-14)


def test_w_zero_gives_sigmoid_of_b():
    b = np.linspace(-10.0, 10.0, 101)
    sig = 1.0 / (1.0 + np.exp(-b))
    np.testing.assert_allclose(one_unit_loss(0.0, b), (sig - 0.7) ** 2, rtol=1e-12, atol=1e-15)
    assert float(one_unit_loss(0.0, 0.0)) == pytest.approx(0.04, abs=1e-15)


def test_broadcasting_and_shapes():
    w = np.linspace(0, 8, 7)
    b = np.linspace(-5, 1, 5)
    grid = one_unit_loss(w[None, :], b[:, None])
    assert grid.shape == (5, 7)
    for i in range(5):
        for j in range(7):
            assert grid[i, j] == pytest.approx(scalar_loop_loss(w[j], b[i]), rel=1e-10, abs=1e-14)
    assert one_unit_loss(1.0, 2.0).shape == ()
    states = one_unit_states(w[None, :], b[:, None], T=10)
    assert states.shape == (11, 5, 7)
    np.testing.assert_allclose(states[0], 0.5)
    sig = 1.0 / (1.0 + np.exp(-states[-1]))
    np.testing.assert_allclose((sig - 0.7) ** 2, one_unit_loss(w[None, :], b[:, None], T=10), rtol=1e-12)


def test_extreme_parameters_stay_finite_and_quiet():
    # warnings are errors in this suite: saturated sigmoids must not overflow
    w = np.array([-1e6, 1e6, 300.0, -300.0])
    b = np.array([1e6, -1e6, -150.0, 150.0])
    loss, dw, db = one_unit_grad(w, b)
    assert np.isfinite(loss).all() and np.isfinite(dw).all() and np.isfinite(db).all()


def test_gradient_matches_finite_differences_off_the_cliff(rng):
    # w < 4 = 1/gamma: no bifurcation, so the loss is smooth everywhere there
    w = rng.uniform(-2.0, 3.9, size=60)
    b = rng.uniform(-5.0, 1.0, size=60)
    _, dw, db = one_unit_grad(w, b)
    report = gradcheck(lambda w, b: one_unit_loss(w, b), {"w": w, "b": b}, {"w": dw, "b": db},
                       dout=np.ones(60), tol=1e-7)
    assert report.ok, report.summary()


def test_gradient_matches_finite_differences_near_the_cliff():
    # on the steep but resolved part of the wall (w ~ 4.5), with a step well inside its width
    w = np.full(5, 4.5)
    b = -2.303 + np.linspace(-0.02, 0.02, 5)
    _, dw, db = one_unit_grad(w, b)
    assert np.hypot(dw, db).max() > 100.0  # the wall is steep here
    num_b = numerical_gradient(lambda bb: one_unit_loss(w, bb), b, dout=np.ones(5), eps=1e-7)
    num_w = numerical_gradient(lambda ww: one_unit_loss(ww, b), w, dout=np.ones(5), eps=1e-7)
    assert rel_error(db, num_b) < 1e-5
    assert rel_error(dw, num_w) < 1e-5


def test_scalar_fast_path_matches_the_vectorised_gradient(rng):
    for _ in range(50):
        w, b = rng.uniform(-2, 9), rng.uniform(-6, 2)
        fast = _grad_scalar(w, b, 50, 0.5, 0.7)
        vec = one_unit_grad(w, b)
        np.testing.assert_allclose(fast, [float(v) for v in vec], rtol=1e-9, atol=1e-15)


def test_surface_shows_the_cliff():
    surface = one_unit_surface(n=200)
    assert surface.loss.shape == surface.grad_norm.shape == (200, 200)
    assert surface.w[0] == 0.0 and surface.w[-1] == 8.0 and surface.b[0] == -5.0
    np.testing.assert_allclose(surface.loss[:, 0], one_unit_loss(0.0, surface.b))
    # along w = 4.5 the loss drops by more than 0.25 between neighbouring b values: the cliff
    j = int(np.argmin(np.abs(surface.w - 4.5)))
    assert np.max(-np.diff(surface.loss[:, j])) > 0.2
    # and well left of w = 4 (one stable fixed point) there is no such jump
    left = surface.w < 3.5
    assert np.max(np.abs(np.diff(surface.loss[:, left], axis=0))) < 0.05


def test_plain_descent_path_is_gradient_descent():
    path = descent_path(2.0, -1.0, lr=0.3, steps=5)
    w, b = 2.0, -1.0
    for k in range(5):
        loss, dw, db = one_unit_grad(w, b)
        assert path.loss[k] == pytest.approx(float(loss), rel=1e-10)
        assert path.grad_norm[k] == pytest.approx(math.hypot(float(dw), float(db)), rel=1e-10)
        w, b = w - 0.3 * float(dw), b - 0.3 * float(db)
        assert (path.w[k + 1], path.b[k + 1]) == pytest.approx((w, b), rel=1e-10)
    assert path.steps == 5 and path.stopped == "" and not path.clipped.any()
    assert path.loss[-1] == pytest.approx(float(one_unit_loss(w, b)), rel=1e-10)


@pytest.mark.parametrize("clip", ["norm", "value"])
def test_clipped_paths_use_the_optimiser_clipping(clip):
    lr, threshold = 0.5, 0.05
    path = descent_path(4.5, -3.0, lr=lr, steps=60, clip=clip, threshold=threshold)
    for k in range(path.steps):
        _, dw, db = one_unit_grad(path.w[k], path.b[k])
        g = np.array([float(dw), float(db)])
        changed = clip_grad_norm(g, threshold) > threshold if clip == "norm" else clip_grad_value(g, threshold) > 0
        np.testing.assert_allclose([path.w[k + 1], path.b[k + 1]], [path.w[k], path.b[k]] - lr * g, rtol=1e-9)
        assert path.clipped[k] == changed
    steps = np.hypot(np.diff(path.w), np.diff(path.b))
    bound = lr * threshold * (1.0 if clip == "norm" else math.sqrt(2.0))
    assert steps.max() <= bound * (1 + 1e-9)
    assert path.clipped.any()


def test_norm_clipping_keeps_the_path_off_the_catapult():
    # the lesson's claim: from the high plateau the plain path hits the wall and is thrown out
    # of the window, the norm-clipped one walks down the wall and ends far lower
    kw = dict(lr=0.3, steps=100, threshold=1.0)
    plain = descent_path(4.5, -3.0, clip="none", **kw)
    clipped = descent_path(4.5, -3.0, clip="norm", **kw)

    def leaves(p):
        return bool(((p.w < 0) | (p.w > 8) | (p.b < -5) | (p.b > 1)).any())

    assert plain.grad_norm.max() > 10.0
    assert leaves(plain)
    assert not leaves(clipped)
    assert clipped.loss[-1] < 0.01 < plain.loss[0]


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: one_unit_loss(np.ones(3), np.ones(4)), "b"),
        (lambda: one_unit_loss(1.0, 1.0, T=0), "T"),
        (lambda: one_unit_loss(np.nan, 1.0), "w"),
        (lambda: one_unit_loss(1.0, 1.0, h0=float("inf")), "h0"),
        (lambda: one_unit_grad(1.0, [1.0, np.inf]), "b"),
        (lambda: one_unit_surface(n=1), "n"),
        (lambda: one_unit_surface(w_lim=(3, 1)), "w_lim"),
        (lambda: descent_path(1.0, 1.0, clip="both"), "clip"),
        (lambda: descent_path(1.0, 1.0, lr=-1.0), "lr"),
        (lambda: descent_path(1.0, 1.0, clip="norm", threshold=0.0), "threshold"),
        (lambda: descent_path(float("nan"), 1.0), "w0"),
        (lambda: descent_path(1.0, 1.0, steps=-2), "steps"),
    ],
)
def test_bad_arguments_are_named(call, name):
    with pytest.raises(ValueError, match=f"^{name}:"):
        call()


def test_broadcast_error_gives_both_shapes():
    with pytest.raises(ValueError, match=r"b: expected a shape that broadcasts with w's \(3,\), got \(4,\)"):
        one_unit_loss(np.ones(3), np.ones(4))


def test_locate_cliff_finds_the_jump_and_the_wall_steepens_with_w():
    from rnn_course.surfaces import locate_cliff

    b_wall = locate_cliff(4.5, -3.0, -1.5)
    assert -2.31 < b_wall < -2.30  # between the two biases of plot_one_unit_states' picture
    left, right = one_unit_loss(4.5, b_wall - 0.01), one_unit_loss(4.5, b_wall + 0.01)
    assert abs(left - right) > 0.2  # the loss jumps across it, within 0.02 in b
    peaks = []
    for w in (4.5, 6.0):
        b = locate_cliff(w, -w / 2 - 1.0, -w / 2 + 1.0)
        cut = np.linspace(b - 1e-6, b + 1e-6, 2001)
        peaks.append(np.hypot(*one_unit_grad(w, cut)[1:]).max())
    assert peaks[1] > 1e4 * peaks[0]
    with pytest.raises(ValueError, match="^b_low, b_high:"):
        locate_cliff(4.5, -1.0, -0.99)  # both ends in the valley: no wall between them
    with pytest.raises(ValueError, match="^b_high:"):
        locate_cliff(4.5, -1.5, -3.0)

