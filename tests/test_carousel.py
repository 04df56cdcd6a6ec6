"""rnn_course.carousel: the hand-set constant error carousel and state_jacobian_norms through gated cells."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course.carousel import (
    CAROUSEL_SCALE,
    FORGET_OPEN_BIAS,
    CarouselRun,
    carousel_inputs,
    carousel_params,
    run_carousel,
    state_jacobian_norms,
    tanh_hold_slope,
)
from rnn_course.cells import gru_forward, lstm_forward, rnn_forward
from rnn_course.jacobians import jacobian_norms
from rnn_course.models import SequenceRegressor


def test_carousel_stores_and_recalls_a_value_exactly():
    run = run_carousel(T=60, value=4.2, t_write=10, t_read=50, forget=1.0, distractors=5.0)
    assert isinstance(run, CarouselRun)
    assert run.f.min() == 1.0  # sigmoid(40) is exactly 1 in float64
    assert run.stored == pytest.approx(np.tanh(CAROUSEL_SCALE * 4.2), abs=0)
    # the shut input gate (2e-9) lets through at most 40 distractors x tanh(0.2 x 5) x 2e-9
    assert abs(run.c[49] - run.stored) < 1e-7
    assert run.recalled == pytest.approx(4.2, abs=1e-6)
    np.testing.assert_array_less(np.abs(run.c[:9]), 1e-7)  # nothing stored before the write
    assert run.h[49] == pytest.approx(np.tanh(run.stored), abs=1e-8)  # shown at the read ...
    np.testing.assert_array_less(np.abs(np.delete(run.h, 49)), 1e-8)  # ... and only there
    np.testing.assert_array_equal(run.carousel_gradient, np.ones(50))


@pytest.mark.parametrize("forget", [0.999, 0.9, 0.5])
def test_leaky_carousel_decays_like_f_to_the_k(forget):
    run = run_carousel(T=40, value=-3.0, t_write=5, t_read=35, forget=forget, distractors=0.0)
    np.testing.assert_allclose(run.f, forget, rtol=1e-12)
    assert run.c[34] == pytest.approx(run.stored * forget**30, rel=1e-6)
    np.testing.assert_allclose(run.carousel_gradient, forget ** np.arange(34, -1, -1), rtol=1e-10)


def test_carousel_gradient_agrees_with_the_jacobian_of_the_real_cell():
    """Two independent computations of dc_read/dc_k: the product of forget gates, and the Jacobian product sent
    through lstm_step_backward."""
    for forget in (1.0, 0.97):
        run = run_carousel(T=30, t_write=4, t_read=30, forget=forget)
        p = carousel_params(forget)
        norms = state_jacobian_norms("lstm", run.x, p["Wx"], p["Wh"], p["b"], state="c")
        np.testing.assert_allclose(norms, run.carousel_gradient[::-1], rtol=1e-10)


def test_carousel_params_and_inputs():
    p = carousel_params(1.0)
    assert p["Wx"].shape == (3, 4) and p["Wh"].shape == (1, 4) and p["b"].shape == (4,)
    assert p["b"][1] == FORGET_OPEN_BIAS and not p["Wh"].any()
    from rnn_course.activations import sigmoid

    assert sigmoid(carousel_params(0.3)["b"][1]) == pytest.approx(0.3, rel=1e-12)
    x = carousel_inputs(T=20, value=2.5, t_write=3, t_read=17, distractors=0.0)
    assert x.shape == (20, 3)
    assert x[2, 0] == 2.5 and x[:, 1].sum() == 1 and x[2, 1] == 1 and x[16, 2] == 1
    assert np.count_nonzero(x[:, 0]) == 1
    assert np.abs(carousel_inputs(T=200, distractors=2.0, rng=1)[:, 0]).max() <= 4.2  # the value itself
    np.testing.assert_array_equal(carousel_inputs(rng=3), carousel_inputs(rng=3))


def test_read_before_write_recalls_nothing():
    run = run_carousel(T=30, t_write=20, t_read=5)
    assert abs(run.c[4]) < 1e-7 and abs(run.h[4]) < 1e-7


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: carousel_params(1.5), "forget"),
        (lambda: carousel_inputs(T=1), "T"),
        (lambda: carousel_inputs(T=10, t_write=0), "t_write"),
        (lambda: carousel_inputs(T=10, t_write=3, t_read=11), "t_read"),
        (lambda: carousel_inputs(value=np.nan), "value"),
        (lambda: carousel_inputs(distractors=-1.0), "distractors"),
        (lambda: tanh_hold_slope(1.0), "stored"),
        (lambda: state_jacobian_norms("lstm", np.zeros((5, 3)), np.zeros((2, 8)), np.zeros((2, 8)), np.zeros(8)),
         "x"),
        (lambda: state_jacobian_norms("gru", np.zeros((5, 2)), np.zeros((2, 6)), np.zeros((2, 6)), np.zeros(6),
                                      state="c"), "state"),
        (lambda: state_jacobian_norms("gru", np.zeros((5, 2)), np.zeros((2, 6)), np.zeros((2, 5)), np.zeros(6)),
         "Wh"),
        (lambda: state_jacobian_norms("lstm", np.zeros((2, 5, 2)), np.zeros((2, 8)), np.zeros((2, 8)), np.zeros(8)),
         "x"),
        (lambda: state_jacobian_norms("elman", np.zeros((5, 2)), np.zeros((2, 2)), np.zeros((2, 2)), np.zeros(2)),
         "cell"),
    ],
)
def test_arguments_are_checked(call, name):
    with pytest.raises(ValueError, match=f"^{name}:"):
        call()


def test_tanh_hold_slope_is_the_slope_at_the_fixed_point():
    for s in (0.05, 0.3, 0.686, 0.95, -0.5):
        w = np.arctanh(abs(s)) / abs(s)
        assert np.tanh(w * s) == pytest.approx(s, rel=1e-12)  # s is a fixed point of h -> tanh(w h)
        eps = 1e-6
        numerical = (np.tanh(w * (s + eps)) - np.tanh(w * (s - eps))) / (2 * eps)
        assert tanh_hold_slope(s) == pytest.approx(numerical, rel=1e-7)
        assert tanh_hold_slope(s) < 1  # stable: and so the gradient decays
    assert tanh_hold_slope(0.0) == 1.0
    assert np.all(np.diff(tanh_hold_slope(np.linspace(0.01, 0.99, 50))) < 0)


def _numerical_state_jacobian(cell, x, p, k, state, eps=1e-6):
    """d s_T / d s_k by central differences: perturb one entry of s_k and rerun the cell from step k + 1."""
    forward = {"lstm": lstm_forward, "gru": gru_forward}[cell]
    h, cache = forward(x[None], None, p["Wx"], p["Wh"], p["b"])
    H = p["Wh"].shape[0]
    h_k = h[:, k]
    c_k = cache.c[:, k] if cell == "lstm" else None
    J = np.empty((H, H))
    for j in range(H):
        outs = []
        for sign in (1, -1):
            h0, c0 = h_k.copy(), None if c_k is None else c_k.copy()
            if state == "c":
                c0[0, j] += sign * eps
            else:
                h0[0, j] += sign * eps
            if cell == "lstm":
                h_rest, rest = lstm_forward(x[None, k + 1 :], h0, p["Wx"], p["Wh"], p["b"], c0=c0)
                outs.append(rest.c[0, -1] if state == "c" else h_rest[0, -1])
            else:
                h_rest, _ = gru_forward(x[None, k + 1 :], h0, p["Wx"], p["Wh"], p["b"])
                outs.append(h_rest[0, -1])
        J[:, j] = (outs[0] - outs[1]) / (2 * eps)
    return J


@pytest.mark.parametrize("cell, state", [("lstm", "c"), ("lstm", "h"), ("gru", "h")])
def test_state_jacobian_norms_match_finite_differences(cell, state, rng):
    p = SequenceRegressor(2, 4, cell=cell, seed=2).params
    T = 9
    x = rng.standard_normal((T, 2))
    norms = state_jacobian_norms(cell, x, p["Wx"], p["Wh"], p["b"], state=state)
    assert norms.shape == (T,) and norms[0] == 1.0
    for lag in (1, 3, T - 1):
        J = _numerical_state_jacobian(cell, x, p, T - 1 - lag, state)
        assert norms[lag] == pytest.approx(np.linalg.norm(J, 2), rel=1e-6), f"lag {lag}"


def test_state_jacobian_norms_of_a_vanilla_rnn_reuse_lesson_03(rng):
    p = SequenceRegressor(2, 6, cell="rnn", seed=0).params
    x = rng.standard_normal((20, 2))
    h, _ = rnn_forward(x[None], None, p["Wx"], p["Wh"], p["b"])
    np.testing.assert_allclose(state_jacobian_norms("rnn", x, p["Wx"], p["Wh"], p["b"]),
                               jacobian_norms(p["Wh"], h[0], "tanh"))
    assert state_jacobian_norms("rnn", x[None], p["Wx"], p["Wh"], p["b"]).shape == (20,)


def test_lstm_default_state_is_the_carousel(rng):
    p = SequenceRegressor(2, 3, cell="lstm", seed=0).params
    x = rng.standard_normal((6, 2))
    np.testing.assert_array_equal(state_jacobian_norms("lstm", x, p["Wx"], p["Wh"], p["b"]),
                                  state_jacobian_norms("lstm", x, p["Wx"], p["Wh"], p["b"], state="c"))
