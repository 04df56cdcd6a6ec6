"""Echo state networks (rnn_course.reservoir): the reservoir, its fading memory, the least-squares read-out."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course import rnn_forward
from rnn_course.reservoir import (
    Readout,
    Reservoir,
    fit_readout,
    random_reservoir,
    readout_forward,
    reservoir_states,
)
from rnn_course.tasks.timer import pulse_lengths, timer_batch


def test_reservoir_has_the_asked_spectral_radius_and_scales():
    res = random_reservoir(3, 50, spectral_radius=0.8, input_scale=0.5, bias_scale=0.1, rng=0)
    assert res.Wx.shape == (3, 50) and res.Wh.shape == (50, 50) and res.b.shape == (50,)
    assert np.max(np.abs(np.linalg.eigvals(res.Wh))) == pytest.approx(0.8, rel=1e-10)
    assert np.abs(res.Wx).max() <= 0.5 and np.abs(res.b).max() <= 0.1
    again = random_reservoir(3, 50, spectral_radius=0.8, input_scale=0.5, bias_scale=0.1, rng=0)
    np.testing.assert_array_equal(res.Wh, again.Wh)


def test_states_are_an_ordinary_rnn_forward_pass(rng):
    res = random_reservoir(2, 7, rng=1)
    x = rng.standard_normal((3, 5, 2))
    want, _ = rnn_forward(x, None, res.Wx, res.Wh, res.b)
    np.testing.assert_array_equal(reservoir_states(x, res), want)


def test_echo_state_property_the_start_is_forgotten(rng):
    """With spectral radius < 1 two different initial states give the same states after a washout."""
    res = random_reservoir(1, 100, spectral_radius=0.8, rng=2)
    x = rng.uniform(-1, 1, (1, 200, 1))
    a = reservoir_states(x, res, h0=np.ones((1, 100)))
    b = reservoir_states(x, res, h0=-np.ones((1, 100)))
    assert np.abs(a[0, 0] - b[0, 0]).max() > 0.1
    assert np.abs(a[0, -1] - b[0, -1]).max() < 1e-8


def test_readout_recovers_a_planted_linear_map(rng):
    h = rng.standard_normal((4, 30, 6))
    Wy, by = rng.standard_normal((6, 2)), rng.standard_normal(2)
    y = h @ Wy + by
    readout = fit_readout(h, y, ridge=0.0)
    assert isinstance(readout, Readout)
    np.testing.assert_allclose(readout.Wy, Wy, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(readout.by, by, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(readout_forward(h, readout), y, rtol=1e-9, atol=1e-10)


def test_readout_minimises_the_ridge_objective(rng):
    """The solution is where the gradient of the regularised squared error is zero; the bias is not penalised."""
    h = rng.standard_normal((3, 20, 5))
    y = rng.standard_normal((3, 20, 1))
    ridge, washout = 2.0, 4
    r = fit_readout(h, y, ridge=ridge, washout=washout)
    err = readout_forward(h, r)[:, washout:] - y[:, washout:]
    dWy = 2 * h[:, washout:].reshape(-1, 5).T @ err.reshape(-1, 1) + 2 * ridge * r.Wy
    dby = 2 * err.sum(axis=(0, 1))
    np.testing.assert_allclose(dWy, 0.0, atol=1e-9)
    np.testing.assert_allclose(dby, 0.0, atol=1e-9)
    assert np.linalg.norm(fit_readout(h, y, ridge=100.0).Wy) < np.linalg.norm(r.Wy)  # more ridge, smaller weights


def test_an_echo_state_network_solves_the_timer():
    res = random_reservoir(1, 200, spectral_radius=0.8, rng=0)
    x, y = timer_batch(10, 400, rng=0)
    readout = fit_readout(reservoir_states(x, res), y, washout=50)
    x_test, y_test = timer_batch(10, 400, rng=1)
    y_hat = readout_forward(reservoir_states(x_test, res), readout)
    assert np.mean((y_hat[:, 50:] - y_test[:, 50:]) ** 2) < 0.05
    lengths = pulse_lengths(y_hat, x_test, skip=50)
    assert lengths.true.size > 50 and lengths.mean_abs_error < 1.0


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: random_reservoir(0, 5), "D"),
        (lambda: random_reservoir(1, 2.5), "H"),
        (lambda: random_reservoir(1, 5, spectral_radius=-1.0), "spectral_radius"),
        (lambda: random_reservoir(1, 5, input_scale=float("nan")), "input_scale"),
        (lambda: reservoir_states(np.zeros((1, 3, 1)), (1, 2, 3)), "reservoir"),
        (lambda: reservoir_states(np.zeros((1, 3, 2)), random_reservoir(1, 4)), "x"),
        (lambda: fit_readout(np.zeros((2, 3, 4)), np.zeros((2, 5, 1))), "y"),
        (lambda: fit_readout(np.zeros((2, 3)), np.zeros((2, 3, 1))), "h"),
        (lambda: fit_readout(np.zeros((2, 3, 4)), np.zeros((2, 3, 1)), washout=3), "washout"),
        (lambda: fit_readout(np.zeros((2, 3, 4)), np.zeros((2, 3, 1)), ridge=-1.0), "ridge"),
        (lambda: readout_forward(np.zeros((2, 3, 5)), Readout(np.zeros((4, 1)), np.zeros(1))), "h"),
        (lambda: readout_forward(np.zeros((2, 3, 4)), (np.zeros((4, 1)), np.zeros(1))), "readout"),
    ],
)
def test_bad_arguments_name_themselves(call, name):
    with pytest.raises(ValueError, match=f"^{name}:"):
        call()


def test_reservoir_is_a_named_tuple_of_weights():
    res = random_reservoir(2, 3, rng=0)
    assert isinstance(res, Reservoir) and res._fields == ("Wx", "Wh", "b")
