"""Stable activations: finite, warning-free, correct at +-1000 (warnings are errors in this suite)."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course.activations import log_softmax, relu, sigmoid, softmax, tanh
from rnn_course.cells import gru_forward, gru_step_forward, lstm_forward, lstm_step_forward

EXTREME = np.array([-1000.0, -745.0, -50.0, -1.0, 0.0, 1.0, 50.0, 745.0, 1000.0])


def test_sigmoid_extremes_and_values():
    s = sigmoid(EXTREME)
    assert np.all(np.isfinite(s))
    assert s[0] == 0.0 and s[-1] == 1.0 and s[4] == 0.5
    np.testing.assert_allclose(sigmoid(np.array([-1.0, 1.0])), 1 / (1 + np.exp([1.0, -1.0])), rtol=1e-15)
    # within 2e-16 of the exact value everywhere (the docstring's promise), against a high-precision reference
    from decimal import Decimal, getcontext

    getcontext().prec = 50
    grid = np.linspace(-60, 60, 2401)
    exact = np.array([float(1 / (1 + (-Decimal(float(v))).exp())) for v in grid])
    assert np.max(np.abs(sigmoid(grid) - exact)) < 2e-16
    # symmetric: sigmoid(-x) = 1 - sigmoid(x)
    x = np.linspace(-30, 30, 101)
    np.testing.assert_allclose(sigmoid(-x), 1 - sigmoid(x), atol=1e-15)


def _one_unit_weights(gates):
    """x (N, 1) feeds every gate's pre-activation unchanged: Wx = 1, Wh = 0, b = 0 (H = 1)."""
    return np.ones((1, gates)), np.zeros((1, gates)), np.zeros(gates)


def test_lstm_gates_are_stable_at_extreme_preactivations():
    # the cells call activations.sigmoid and activations.tanh on named slices of the pre-activations
    x = EXTREME[:, None]
    Wx, Wh, b = _one_unit_weights(4)
    _, _, cache = lstm_step_forward(x, np.zeros((len(x), 1)), None, Wx, Wh, b)
    _, seq = lstm_forward(x[:, None, :], None, Wx, Wh, b)
    for gates in (np.concatenate([cache.i, cache.f, cache.g, cache.o], axis=1), seq.gates[:, 0]):
        assert np.all(np.isfinite(gates))
        for k in (0, 1, 3):  # i, f, o
            np.testing.assert_allclose(gates[:, k], sigmoid(EXTREME), atol=1e-16)
        np.testing.assert_allclose(gates[:, 2], tanh(EXTREME), atol=1e-16)


def test_gru_gates_are_stable_at_extreme_preactivations():
    x = EXTREME[:, None]
    Wx, Wh, b = _one_unit_weights(3)
    _, cache = gru_step_forward(x, np.zeros((len(x), 1)), Wx, Wh, b)
    _, seq = gru_forward(x[:, None, :], None, Wx, Wh, b)
    for gates in (np.concatenate([cache.r, cache.z, cache.n], axis=1), seq.gates[:, 0]):
        assert np.all(np.isfinite(gates))
        for k in (0, 1):  # r, z
            np.testing.assert_allclose(gates[:, k], sigmoid(EXTREME), atol=1e-16)
        np.testing.assert_allclose(gates[:, 2], tanh(EXTREME), atol=1e-16)


@pytest.mark.parametrize("scale", [1.0, 1000.0, -1000.0, 1e6])
def test_softmax_and_log_softmax_extremes(scale):
    x = scale * np.array([[1.0, 0.5, -1.0], [0.0, 0.0, 0.0]])
    p = softmax(x)
    lp = log_softmax(x)
    assert np.all(np.isfinite(p)) and np.all(np.isfinite(lp))
    np.testing.assert_allclose(p.sum(axis=-1), 1.0)
    np.testing.assert_allclose(np.exp(lp), p, atol=1e-300)
    assert np.all(lp <= 0)


def test_log_softmax_keeps_precision_where_softmax_underflows():
    x = np.array([0.0, -1000.0])
    assert softmax(x)[1] == 0.0
    assert log_softmax(x)[1] == pytest.approx(-1000.0)


def test_softmax_axis_and_shift_invariance():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 4))
    np.testing.assert_allclose(softmax(x, axis=1), softmax(x + 7.0, axis=1))
    np.testing.assert_allclose(softmax(x, axis=1).sum(axis=1), 1.0)


def test_tanh_and_relu():
    assert np.all(np.isfinite(tanh(EXTREME)))
    np.testing.assert_array_equal(relu(np.array([-2.0, 0.0, 3.0])), [0.0, 0.0, 3.0])
