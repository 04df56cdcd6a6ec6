"""The bounded counter (rnn_course.tasks.counter): the task on which lesson 02 learns h_0."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course.tasks.counter import counter_batch


def test_level_is_the_clipped_running_sum_from_the_start():
    x, y = counter_batch(50, 15, start=4, top=4, rng=0)
    assert x.shape == y.shape == (50, 15, 1)
    assert set(np.unique(x)) == {-1.0, 1.0}
    for n in range(50):
        level = 4
        for t in range(15):
            level = min(4, max(0, level + int(x[n, t, 0])))
            assert y[n, t, 0] == level / 4


def test_the_start_matters_until_the_counter_hits_a_bound():
    x, full = counter_batch(200, 10, start=4, rng=1)
    _, half = counter_batch(200, 10, start=2, rng=1)
    assert np.array_equal(x, counter_batch(200, 10, start=2, rng=1)[0])  # same steps, other start
    assert np.all(full[:, 0] != half[:, 0])  # the first answer always depends on the start
    assert np.mean(full[:, -1] != half[:, -1]) < np.mean(full[:, 0] != half[:, 0])  # the bounds wash it out


@pytest.mark.parametrize(
    "call, name",
    [(lambda: counter_batch(0, 5), "N"), (lambda: counter_batch(2, 5, top=0), "top"),
     (lambda: counter_batch(2, 5, start=5, top=4), "start"), (lambda: counter_batch(2, 1.5), "T")],
)
def test_bad_arguments_name_themselves(call, name):
    with pytest.raises(ValueError, match=f"^{name}:"):
        call()
