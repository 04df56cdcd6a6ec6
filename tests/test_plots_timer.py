"""rnn_course.plots.timer: the timer-task figures."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course.tasks.timer import pulse_lengths, timer_batch


def test_timer_figures(artifacts):
    from matplotlib.figure import Figure

    from rnn_course.plots import plot_pulse_lengths, plot_timer_outputs

    x, y = timer_batch(2, 120, rng=5)
    late = np.roll(y, 1, axis=1)
    fig = plot_timer_outputs(x, y, {"target itself": y, "one step late": late}, steps=(0, 100))
    assert isinstance(fig, Figure)
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert "target itself" in labels and "one step late" in labels
    fig.savefig(artifacts / "timer_outputs.png", dpi=80)
    fig = plot_pulse_lengths({"target itself": pulse_lengths(y, x), "one step late": pulse_lengths(late, x)})
    assert any("100% exact" in line.get_label() for line in fig.axes[0].get_lines())
    fig.savefig(artifacts / "timer_pulse_lengths.png", dpi=80)
    with pytest.raises(ValueError, match="^outputs:"):
        plot_timer_outputs(x, y, {})
    with pytest.raises(ValueError, match="^steps:"):
        plot_timer_outputs(x, y, {"y": y}, steps=(50, 500))
    with pytest.raises(ValueError, match="^lengths"):
        plot_pulse_lengths({"y": (1, 2)})
