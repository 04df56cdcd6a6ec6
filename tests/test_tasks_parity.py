"""rnn_course.tasks.parity: running parity, its batches and accuracy, and the fixed-window baseline."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course.tasks.parity import parity_accuracy, parity_batch, running_parity, window_lookup_baseline


def test_running_parity_matches_a_plain_loop(rng):
    bits = rng.integers(0, 2, size=(5, 37))
    expected = np.zeros_like(bits)
    for n in range(bits.shape[0]):
        odd = 0
        for t in range(bits.shape[1]):
            odd ^= int(bits[n, t])
            expected[n, t] = odd
    np.testing.assert_array_equal(running_parity(bits), expected)
    np.testing.assert_array_equal(running_parity(bits[..., None]), expected)


def test_parity_batch_is_seeded_and_consistent():
    x1, y1 = parity_batch(4, 25, rng=7)
    x2, y2 = parity_batch(4, 25, rng=np.random.default_rng(7))
    assert x1.shape == (4, 25, 1) and x1.dtype == np.float64
    assert y1.shape == (4, 25) and y1.dtype.kind == "i"
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    np.testing.assert_array_equal(y1, running_parity(x1.astype(int)))
    assert not np.array_equal(x1, parity_batch(4, 25, rng=8)[0])


def test_parity_batch_does_not_touch_global_random_state():
    before = np.random.get_state()[1].copy()  # noqa: NPY002 (the legacy global state is what is checked)
    parity_batch(3, 10, rng=None)
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # noqa: NPY002


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"N": 0, "T": 5}, "N: expected an integer >= 1"),
        ({"N": 2, "T": 2.5}, "T: expected an integer >= 1"),
        ({"N": 2, "T": 5, "p": 1.0}, "p: expected a probability"),
    ],
)
def test_parity_batch_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        parity_batch(**kwargs)


def test_parity_accuracy_and_its_checks():
    y = np.array([[0, 1, 1, 0]])
    assert parity_accuracy(np.array([[0, 1, 0, 0]]), y) == 0.75
    with pytest.raises(ValueError, match=r"predictions: expected shape \(N, T\) = \(1, 4\), got \(1, 3\)"):
        parity_accuracy(np.array([[0, 1, 0]]), y)
    with pytest.raises(ValueError, match=r"y: expected indices in \[0, 2\)"):
        parity_accuracy(y, y + 1)


def test_a_fixed_window_is_at_chance_after_the_window():
    x_train, y_train = parity_batch(2000, 30, rng=2)
    x_test, y_test = parity_batch(500, 30, rng=3)
    for window in (1, 4, 8):
        pred = window_lookup_baseline(x_train, y_train, x_test, window)
        assert pred.shape == y_test.shape
        # inside the window the whole prefix is visible: (almost) right
        assert parity_accuracy(pred[:, :window], y_test[:, :window]) > 0.9
        assert abs(parity_accuracy(pred[:, window:], y_test[:, window:]) - 0.5) < 0.03
    with pytest.raises(ValueError, match="window: expected at most 20"):
        window_lookup_baseline(x_train, y_train, x_test, 21)
    with pytest.raises(ValueError, match=r"y_train: expected shape \(N, T\) = \(2000, 30\), got \(2000, 29\)"):
        window_lookup_baseline(x_train, y_train[:, :-1], x_test, 3)
