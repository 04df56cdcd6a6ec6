"""rnn_course.gradient_flow: per-copy contributions to dWh, truncation masks, step counts."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course import numerical_gradient, rel_error, rnn_backward, rnn_forward
from rnn_course.gradient_flow import count_backward_steps, dWh_contributions, truncation_mask


def _problem(rng, N=3, T=7, D=4, H=5, activation="tanh"):
    x = rng.standard_normal((N, T, D))
    h0 = 0.5 * rng.standard_normal((N, H))
    Wx = 0.5 * rng.standard_normal((D, H))
    Wh = 0.6 * rng.standard_normal((H, H))
    b = 0.1 * rng.standard_normal(H)
    h, cache = rnn_forward(x, h0, Wx, Wh, b, activation=activation)
    dh = rng.standard_normal(h.shape)
    return (x, h0, Wx, Wh, b), cache, dh


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_contributions_sum_to_the_bptt_gradient(rng, activation):
    _, cache, dh = _problem(rng, activation=activation)
    G = dWh_contributions(dh, cache)
    T, H = dh.shape[1], dh.shape[2]
    assert G.shape == (T, T, H, H)
    # a loss term cannot depend on later copies
    assert np.all(G[np.triu_indices(T, 1)] == 0)
    assert rel_error(G.sum(axis=(0, 1)), rnn_backward(dh, cache).dWh) < 1e-12


def test_each_contribution_is_the_gradient_through_one_untied_copy(rng):
    """Untie the copies of Wh: G[t, k] is the numerical gradient of E_t w.r.t. copy k alone."""
    (x, h0, Wx, Wh, b), cache, dh = _problem(rng, N=2, T=5, D=3, H=3)
    T = x.shape[1]
    G = dWh_contributions(dh, cache)

    def loss_t(t, copies):
        h = h0
        for s in range(t + 1):
            h = np.tanh(x[:, s] @ Wx + h @ copies[s] + b)
        return np.sum(h * dh[:, t])

    for t in range(T):
        for k in range(T):
            def f(W, t=t, k=k):
                copies = [Wh] * T
                copies = copies[:k] + [W] + copies[k + 1:]
                return loss_t(t, copies)

            num = numerical_gradient(f, Wh)
            if k > t:
                assert np.all(num == 0)
            else:
                assert rel_error(G[t, k], num) < 1e-7, (t, k)


@pytest.mark.parametrize("mode", ["chunk", "window"])
@pytest.mark.parametrize("k", [1, 2, 3, 6, 7, 10])
def test_masked_contributions_equal_truncated_bptt(rng, mode, k):
    _, cache, dh = _problem(rng, T=7)
    G = dWh_contributions(dh, cache)
    M = truncation_mask(7, k, mode)
    truncated = (G * M[..., None, None]).sum(axis=(0, 1))
    assert rel_error(truncated, rnn_backward(dh, cache, truncate=k, truncate_mode=mode).dWh) < 1e-12


def test_truncation_masks_by_hand():
    chunk = truncation_mask(5, 2, "chunk")
    window = truncation_mask(5, 2, "window")
    expected_chunk = np.array([[1, 0, 0, 0, 0],
                               [1, 1, 0, 0, 0],
                               [0, 0, 1, 0, 0],
                               [0, 0, 1, 1, 0],
                               [0, 0, 0, 0, 1]], dtype=bool)
    expected_window = np.array([[1, 0, 0, 0, 0],
                                [1, 1, 0, 0, 0],
                                [0, 1, 1, 0, 0],
                                [0, 0, 1, 1, 0],
                                [0, 0, 0, 1, 1]], dtype=bool)
    np.testing.assert_array_equal(chunk, expected_chunk)
    np.testing.assert_array_equal(window, expected_window)
    np.testing.assert_array_equal(truncation_mask(5, None), np.tril(np.ones((5, 5), dtype=bool)))


@pytest.mark.parametrize("T", [1, 5, 12])
def test_step_counts(T):
    assert count_backward_steps(T) == T
    for k in range(1, T + 3):
        assert count_backward_steps(T, k, "chunk") == T
        expected = T if k >= T else sum(T - lag for lag in range(k))
        assert count_backward_steps(T, k, "window") == expected


def test_bad_arguments_say_what_is_wrong(rng):
    _, cache, dh = _problem(rng)
    with pytest.raises(ValueError, match=r"dh: expected shape \(N, T, H\) = \(3, 7, 5\), got \(3, 6, 5\)"):
        dWh_contributions(dh[:, :-1], cache)
    with pytest.raises(ValueError, match="cache: expected the RNNCache returned by rnn_forward"):
        dWh_contributions(dh, (1, 2))
    with pytest.raises(ValueError, match="truncate: expected None or an integer >= 1"):
        truncation_mask(5, 0)
    with pytest.raises(ValueError, match="truncate_mode: expected one of"):
        count_backward_steps(5, 2, "sliding")
    with pytest.raises(ValueError, match="T: expected an integer >= 1"):
        count_backward_steps(0)


@pytest.mark.parametrize("T, k, mode", [(7, None, "chunk"), (7, 3, "chunk"), (7, 3, "window"), (6, 1, "window"),
                                        (5, 9, "window")])
def test_count_backward_steps_is_how_often_rnn_backward_steps_back(T, k, mode, monkeypatch):
    from rnn_course.cells import rnn as rnn_module

    calls = []
    original = rnn_module._activation_backward

    def counting(dh, h, activation):  # one call per step backward, in the loop over time
        calls.append(1)
        return original(dh, h, activation)

    monkeypatch.setattr(rnn_module, "_activation_backward", counting)
    rng = np.random.default_rng(0)
    h, cache = rnn_module.rnn_forward(rng.standard_normal((2, T, 3)), None, rng.standard_normal((3, 4)),
                                      rng.standard_normal((4, 4)), np.zeros(4))
    rnn_module.rnn_backward(np.ones_like(h), cache, truncate=k, truncate_mode=mode)
    assert len(calls) == count_backward_steps(T, k, mode)
