"""Jacobian products through time and Pascanu et al.'s bound (gamma * lambda_1) ** lag."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course import rnn_backward, rnn_forward
from rnn_course.jacobians import (
    GAMMA,
    jacobian_norms,
    jacobian_products,
    norm_bound,
    recurrent_matrix,
    simulate_states,
    spectrum,
)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_products_are_what_bptt_sends_back(rng, activation):
    H, T = 6, 15
    Wh = recurrent_matrix(H, 1.2, rng=3)
    x = rng.standard_normal((1, T, H))
    h, cache = rnn_forward(x, np.zeros((1, H)), np.eye(H), Wh, np.zeros(H), activation=activation)
    v = rng.standard_normal(H)
    dh = np.zeros_like(h)
    dh[0, -1] = v
    dh_all = rnn_backward(dh, cache).dh_all[0]
    P = jacobian_products(Wh, h[0], activation)
    assert P.shape == (T, H, H)
    np.testing.assert_allclose(P[0], np.eye(H))
    for lag in range(T):
        np.testing.assert_allclose(dh_all[T - 1 - lag], v @ P[lag], rtol=1e-10, atol=1e-14)


def test_products_are_the_jacobians_dh_T_dh_k_in_the_course_orientation(rng):
    """P[lag][i, j] = d h_T[i] / d h_{T-lag}[j], checked by perturbing the state and running forward again."""
    H, T, lag = 4, 9, 5
    Wh = recurrent_matrix(H, 1.1, rng=2)
    x = rng.standard_normal((1, T, H))
    h, _ = rnn_forward(x, np.zeros((1, H)), np.eye(H), Wh, np.zeros(H))
    P = jacobian_products(Wh, h[0], "tanh")
    k = T - lag  # h_k is h[:, k - 1]; the steps after it are k+1 .. T

    def h_T_from(h_k):
        out, _ = rnn_forward(x[:, k:], h_k[None], np.eye(H), Wh, np.zeros(H))
        return out[0, -1]

    eps = 1e-6
    numeric = np.empty((H, H))
    for j in range(H):
        e = np.zeros(H)
        e[j] = eps
        numeric[:, j] = (h_T_from(h[0, k - 1] + e) - h_T_from(h[0, k - 1] - e)) / (2 * eps)
    np.testing.assert_allclose(P[lag], numeric, rtol=1e-6, atol=1e-9)
    # one factor is J_t = diag(f'(a_t)) Wh^T, with f'(a_T) read off h_T = h[:, T-1]
    np.testing.assert_allclose(P[1], (1 - h[0, -1] ** 2)[:, None] * Wh.T)


def test_linear_products_are_matrix_powers():
    Wh = recurrent_matrix(5, 0.9, rng=1)
    norms = jacobian_norms(Wh, activation="linear", T=12)
    want = [np.linalg.norm(np.linalg.matrix_power(Wh, k), 2) for k in range(12)]
    np.testing.assert_allclose(norms, want, rtol=1e-10)


@pytest.mark.parametrize("rho", [0.05, 3.0])
def test_norms_stay_accurate_when_tiny_or_huge(rho):
    # the eigensolver route rescales each product, so neither 1e-120 nor 1e+47 loses accuracy
    Wh = recurrent_matrix(6, rho, rng=4)
    norms = jacobian_norms(Wh, activation="linear", T=100)
    want = [np.linalg.svd(np.linalg.matrix_power(Wh, k), compute_uv=False)[0] for k in range(100)]
    np.testing.assert_allclose(norms, want, rtol=1e-8)


@pytest.mark.parametrize("activation", ["linear", "tanh", "relu", "sigmoid"])
@pytest.mark.parametrize("rho", [0.5, 1.0, 2.0])
def test_the_bound_holds(activation, rho):
    Wh = recurrent_matrix(8, rho, rng=2)
    h = simulate_states(Wh, 40, activation, input_scale=0.5, rng=4)
    norms = jacobian_norms(Wh, h, activation)
    bound = norm_bound(Wh, np.arange(40), activation)
    assert np.all(norms <= bound * (1 + 1e-9) + 1e-300)


def test_sufficient_condition_for_vanishing_with_the_sigmoid():
    # lambda_1 < 1/gamma = 4 for the sigmoid: vanishing is guaranteed, even though lambda_1 > 1
    Wh = recurrent_matrix(8, 3.5, kind="orthogonal", rng=0)
    assert spectrum(Wh).largest_singular_value == pytest.approx(3.5)
    h = simulate_states(Wh, 60, "sigmoid", rng=1)
    norms = jacobian_norms(Wh, h, "sigmoid")
    assert norms[-1] <= (3.5 * GAMMA["sigmoid"]) ** 59 * (1 + 1e-9)
    assert norms[-1] < 1e-2


def test_large_singular_value_is_not_sufficient_for_exploding():
    # tanh with lambda_1 > 1/gamma = 1, but strong inputs saturate the units: the product still vanishes
    Wh = recurrent_matrix(16, 1.5, rng=0)
    assert spectrum(Wh).largest_singular_value > 1.0
    h = simulate_states(Wh, 80, "tanh", input_scale=3.0, rng=1)
    assert jacobian_norms(Wh, h, "tanh")[-1] < 1e-6
    # the linear network with the same matrix explodes
    assert jacobian_norms(Wh, activation="linear", T=80)[-1] > 1e6


def test_recurrent_matrix_has_the_requested_spectrum():
    for kind in ("normal", "orthogonal"):
        Wh = recurrent_matrix(20, 1.3, kind=kind, rng=5)
        assert spectrum(Wh).spectral_radius == pytest.approx(1.3, rel=1e-10)
    s = spectrum(recurrent_matrix(20, 0.7, kind="orthogonal", rng=5))
    np.testing.assert_allclose(s.singular_values, 0.7, rtol=1e-10)
    np.testing.assert_allclose(np.abs(s.eigenvalues), 0.7, rtol=1e-10)
    # a Gaussian matrix stretches more than its spectral radius says
    assert spectrum(recurrent_matrix(64, 1.0, rng=0)).largest_singular_value > 1.5


def test_simulate_states_uses_the_cells():
    Wh = recurrent_matrix(4, 0.9, rng=0)
    h = simulate_states(Wh, 10, "tanh", input_scale=0.3, rng=7)
    x = 0.3 * np.random.default_rng(7).standard_normal((1, 10, 4))
    want, _ = rnn_forward(x, np.zeros((1, 4)), np.eye(4), Wh, np.zeros(4))
    np.testing.assert_allclose(h, want[0])


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: jacobian_products(np.ones((3, 4)), np.ones((5, 3))), "Wh"),
        (lambda: jacobian_products(np.eye(3), np.ones((5, 4))), "h"),
        (lambda: jacobian_products(np.eye(3), np.ones((5, 3)), "softplus"), "activation"),
        (lambda: jacobian_norms(np.eye(3), None, "tanh"), "h"),
        (lambda: recurrent_matrix(0), "H"),
        (lambda: recurrent_matrix(3, -1.0), "spectral_radius"),
        (lambda: recurrent_matrix(3, 1.0, kind="unitary"), "kind"),
        (lambda: simulate_states(np.eye(3), 0), "T"),
        (lambda: spectrum(np.array([[np.nan]])), "Wh"),
    ],
)
def test_bad_arguments_are_named(call, name):
    with pytest.raises(ValueError, match=f"^{name}:"):
        call()
