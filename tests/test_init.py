"""rnn_course.init: the initialisers."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course import init


def test_orthogonal_has_unit_singular_values():
    for shape in [(5, 5), (3, 7), (7, 3)]:
        W = init.orthogonal(shape, rng=0)
        np.testing.assert_allclose(np.linalg.svd(W, compute_uv=False), 1.0, atol=1e-12)
    W = init.orthogonal((4, 4), gain=0.5, rng=1)
    np.testing.assert_allclose(np.abs(np.linalg.eigvals(W)), 0.5, atol=1e-12)


def test_xavier_variance_and_bounds():
    W = init.xavier_uniform((200, 300), rng=0)
    a = np.sqrt(6 / 500)
    assert np.abs(W).max() <= a
    assert W.var() == pytest.approx(2 / 500, rel=0.05)
    assert init.xavier_normal((200, 300), rng=0).var() == pytest.approx(2 / 500, rel=0.05)
    assert init.small_normal((100, 100), 0.01, rng=0).std() == pytest.approx(0.01, rel=0.05)


def test_identity_and_forget_bias():
    np.testing.assert_array_equal(init.identity(3, 0.5), 0.5 * np.eye(3))
    b = init.lstm_forget_bias(2, 1.0)
    np.testing.assert_array_equal(b, [0, 0, 1, 1, 0, 0, 0, 0])


def test_init_cell_params_shapes_and_seeding():
    for cell, G in [("rnn", 1), ("lstm", 4), ("gru", 3)]:
        p = init.init_cell_params(3, 4, cell, rng=7)
        assert p["Wx"].shape == (3, G * 4) and p["Wh"].shape == (4, G * 4) and p["b"].shape == (G * 4,)
        q = init.init_cell_params(3, 4, cell, rng=7)
        np.testing.assert_array_equal(p["Wh"], q["Wh"])
    p = init.init_cell_params(2, 3, "rnn_relu", recurrent_init="identity", rng=0)
    np.testing.assert_array_equal(p["Wh"], np.eye(3))
    lstm = init.init_cell_params(2, 3, "lstm", forget_bias=1.0, rng=0)
    np.testing.assert_array_equal(lstm["b"][3:6], 1.0)
    # each recurrent block is orthogonal
    g = init.init_cell_params(2, 3, "gru", rng=0)["Wh"]
    for k in range(3):
        block = g[:, 3 * k : 3 * k + 3]
        np.testing.assert_allclose(block @ block.T, np.eye(3), atol=1e-12)


def test_initialisers_do_not_touch_global_random_state():
    state = np.random.get_state()[1].copy()  # noqa: NPY002 (checking that the legacy global state is untouched)
    init.init_cell_params(3, 4, "lstm", rng=None)
    init.orthogonal((3, 3))
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002
