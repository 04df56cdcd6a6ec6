"""Stable activations: finite, warning-free, correct at +-1000 (warnings are errors in this suite)."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course.activations import log_softmax, relu, sigmoid, softmax, tanh
from rnn_course.cells._common import sigmoid_inplace

EXTREME = np.array([-1000.0, -745.0, -50.0, -1.0, 0.0, 1.0, 50.0, 745.0, 1000.0])


def test_sigmoid_extremes_and_values():
    s = sigmoid(EXTREME)
    assert np.all(np.isfinite(s))
    assert s[0] == 0.0 and s[-1] == 1.0 and s[4] == 0.5
    np.testing.assert_allclose(sigmoid(np.array([-1.0, 1.0])), 1 / (1 + np.exp([1.0, -1.0])), rtol=1e-15)
    # full relative precision in the negative tail
    assert sigmoid(np.array([-50.0]))[0] == pytest.approx(np.exp(-50.0), rel=1e-12)
    # symmetric: sigmoid(-x) = 1 - sigmoid(x)
    x = np.linspace(-30, 30, 101)
    np.testing.assert_allclose(sigmoid(-x), 1 - sigmoid(x), atol=1e-15)


def test_sigmoid_inplace_matches_and_is_stable():
    a = EXTREME.copy()
    sigmoid_inplace(a)
    assert np.all(np.isfinite(a))
    np.testing.assert_allclose(a, sigmoid(EXTREME), atol=1e-16)


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
