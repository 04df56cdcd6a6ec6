"""rnn_course.optim: the optimisers and gradient clipping."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course.optim import SGD, Adagrad, Adam, Momentum, clip_grad_norm, clip_grad_value, global_norm


def quadratic(params):
    """f = 0.5 * sum(A (w - w*)^2) with an ill-conditioned diagonal A."""
    A = np.array([1.0, 10.0, 100.0])
    target = np.array([1.0, -2.0, 0.5])
    w = params["w"]
    return 0.5 * np.sum(A * (w - target) ** 2), {"w": A * (w - target)}, target


@pytest.mark.parametrize(
    "opt,steps", [(SGD(0.015), 2000), (Momentum(0.01, 0.9), 500), (Adagrad(0.5), 2000), (Adam(0.05), 2000)]
)
def test_optimisers_minimise_a_quadratic(opt, steps):
    params = {"w": np.zeros(3)}
    for _ in range(steps):
        f, g, target = quadratic(params)
        opt.step(params, g)
    np.testing.assert_allclose(params["w"], target, atol=1e-3)


def test_adam_first_step_is_lr_times_sign():
    """With bias correction, Adam's first step is lr * g / (|g| + eps) = lr * sign(g)."""
    params = {"w": np.array([1.0, 1.0, 1.0])}
    Adam(lr=0.1).step(params, {"w": np.array([3.0, -0.001, 100.0])})
    np.testing.assert_allclose(params["w"], [0.9, 1.1, 0.9], atol=1e-6)


def test_sgd_and_momentum_exact_updates():
    p = {"w": np.array([1.0])}
    SGD(0.5).step(p, {"w": np.array([2.0])})
    assert p["w"][0] == 0.0
    p = {"w": np.array([0.0])}
    m = Momentum(1.0, 0.5)
    m.step(p, {"w": np.array([1.0])})  # v = -1
    m.step(p, {"w": np.array([1.0])})  # v = -1.5
    assert p["w"][0] == pytest.approx(-2.5)


def test_nested_parameters_are_updated_in_place():
    params = {"enc": {"W": np.ones(2)}, "layers": [np.ones(3)]}
    grads = {"enc": {"W": np.ones(2)}, "layers": [np.ones(3)]}
    W = params["enc"]["W"]
    SGD(0.5).step(params, grads)
    assert params["enc"]["W"] is W
    np.testing.assert_array_equal(W, 0.5)
    np.testing.assert_array_equal(params["layers"][0], 0.5)


def test_clip_grad_norm_returns_norm_before_and_keeps_direction():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]])}
    norm = clip_grad_norm(grads, 1.0)
    assert norm == pytest.approx(5.0)
    assert global_norm(grads) == pytest.approx(1.0)
    np.testing.assert_allclose(grads["a"], [0.6, 0.0])
    np.testing.assert_allclose(grads["b"], [[0.8]])
    small = {"a": np.array([0.1, 0.2])}
    assert clip_grad_norm(small, 1.0) == pytest.approx(np.sqrt(0.05))
    np.testing.assert_array_equal(small["a"], [0.1, 0.2])  # under the threshold: untouched
    arr = np.array([30.0, 40.0])
    assert clip_grad_norm(arr, 5.0) == pytest.approx(50.0)
    np.testing.assert_allclose(arr, [3.0, 4.0])
    with pytest.raises(ValueError, match="non-finite"):
        clip_grad_norm({"a": np.array([np.nan])}, 1.0)


def test_clip_grad_value_changes_direction_and_counts():
    grads = {"a": np.array([3.0, -0.5, -7.0])}
    assert clip_grad_value(grads, 1.0) == 2
    np.testing.assert_array_equal(grads["a"], [1.0, -0.5, -1.0])
