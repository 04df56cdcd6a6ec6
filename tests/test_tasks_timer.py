"""rnn_course.tasks.timer: pulses, targets and how the output's pulse lengths are scored."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course.tasks.timer import pulse_lengths, timer_batch


def test_each_pulse_sets_the_length_of_the_target():
    x, y = timer_batch(6, 300, max_duration=20, min_gap=5, rng=0)
    assert x.shape == y.shape == (6, 300, 1)
    for n in range(6):
        starts = np.flatnonzero(x[n, :, 0])
        assert len(starts) > 5
        durations = np.round(x[n, starts, 0] * 20).astype(int)
        assert durations.min() >= 1 and durations.max() <= 20
        assert np.all(np.diff(starts) >= durations[:-1] + 5)  # a silent gap after every pulse
        want = np.zeros(300)
        for t0, d in zip(starts, durations):
            want[t0 : t0 + d] = 1.0
        np.testing.assert_array_equal(y[n, :, 0], want)


def test_batches_are_seeded():
    a, b = timer_batch(2, 50, rng=3), timer_batch(2, 50, rng=3)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], timer_batch(2, 50, rng=4)[0])


def test_the_target_itself_scores_perfectly_and_a_late_switch_off_is_counted():
    x, y = timer_batch(4, 200, rng=1)
    exact = pulse_lengths(y, x)
    assert exact.exact == 1.0 and exact.mean_abs_error == 0.0
    assert np.array_equal(exact.true, exact.measured)
    late = y.copy()
    for n in range(4):  # every pulse stays on 2 steps too long
        for t0 in np.flatnonzero(x[n, :, 0]):
            d = int(round(x[n, t0, 0] * 20))
            late[n, t0 + d : t0 + d + 2, 0] = 1.0
    scored = pulse_lengths(late, x)
    assert np.all(scored.measured == scored.true + 2) and scored.mean_abs_error == 2.0


def test_skip_leaves_out_early_pulses_and_the_cut_off_last_one():
    x, y = timer_batch(1, 60, rng=2)
    starts = np.flatnonzero(x[0, :, 0])
    scored = pulse_lengths(y, x, skip=starts[1])
    assert scored.true.size <= len(starts) - 1
    assert pulse_lengths(np.zeros((1, 60)), x).measured.max() == 0  # (N, T) outputs accepted too


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: timer_batch(0, 10), "N"),
        (lambda: timer_batch(1, 10, max_duration=0), "max_duration"),
        (lambda: timer_batch(1, 10, max_duration=5, min_gap=6), "min_gap"),
        (lambda: pulse_lengths(np.zeros((1, 5, 1)), np.zeros((1, 5))), "x"),
        (lambda: pulse_lengths(np.zeros((2, 5, 1)), np.zeros((1, 5, 1))), "y_hat"),
    ],
)
def test_bad_arguments_name_themselves(call, name):
    with pytest.raises(ValueError, match=f"^{name}:"):
        call()
