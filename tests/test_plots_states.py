"""rnn_course.plots.states: the hidden-state heat map and the memory-task figure."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course import rnn_forward
from rnn_course.handbuilt import parity_rnn
from rnn_course.init import orthogonal
from rnn_course.plots import (
    plot_hidden_states,
    plot_memory_task,
)
from rnn_course.tasks.parity import parity_batch


def _run(rng, T=16, H=6, scale=0.9):
    x = rng.standard_normal((2, T, 3))
    h, cache = rnn_forward(x, None, 0.7 * rng.standard_normal((3, H)), orthogonal((H, H), gain=scale, rng=rng),
                           np.zeros(H))
    return h, cache, rng.standard_normal(h.shape)


def test_hidden_state_heatmap(rng):
    h, _, _ = _run(rng)
    fig = plot_hidden_states(h[0], upto=5)
    image = fig.axes[0].images[0].get_array()
    assert image.shape == (6, 16)
    np.testing.assert_allclose(image[:, :5], h[0, :5].T)
    assert image.mask[:, 5:].all() and not image.mask[:, :5].any()
    with pytest.raises(ValueError, match=r"h: expected one sequence of shape \(T, H\), got a batch"):
        plot_hidden_states(h)
    with pytest.raises(ValueError, match=r"upto: expected an integer in \[0, T\] = \[0, 16\]"):
        plot_hidden_states(h[0], upto=17)


def test_memory_task_figure_reports_accuracy():
    x, y = parity_batch(1, 30, rng=5)
    hh, probs = parity_rnn().run(x)
    fig = plot_memory_task(x[0, :, 0], hh[0], probs[0, :, 1], y[0], unit_names=["OR", "AND"])
    assert "100% of steps right" in fig._suptitle.get_text()
    with pytest.raises(ValueError, match=r"prob: expected shape \(T,\) = \(30,\), got \(29,\)"):
        plot_memory_task(x[0, :, 0], hh[0], probs[0, :-1, 1], y[0])
