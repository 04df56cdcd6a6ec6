"""rnn_course.plots.latch: the latch sweep, weight and run figures."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from rnn_course.plots import (
    plot_latch_runs,
    plot_latch_sweep,
    plot_latch_weights,
)
from rnn_course.tasks.latch import latch_sweep, train_latch_rnn


def _save(fig, artifacts, name):
    assert isinstance(fig, Figure)
    fig.savefig(artifacts / f"lesson03_{name}.png", dpi=80)


def test_latch_figures(artifacts):
    sweep = latch_sweep([3, 30], seeds=4, steps=60, rng=0)
    _save(plot_latch_sweep({"full BPTT": sweep}), artifacts, "latch_sweep")
    fig = plot_latch_weights(sweep.runs[1])
    assert len(fig.axes[0].get_lines()) == 4 + 1 + 2  # one per seed, the w = 1 line, two legend entries
    _save(fig, artifacts, "latch_weights")
    runs = [train_latch_rnn(20, steps=20, label="orthogonal", rng=0),
            train_latch_rnn(50, cell="rnn_relu", recurrent_init="identity", optimizer="sgd", lr=0.05,
                            steps=300, label="IRNN, no clipping", rng=0)]
    assert runs[1].stopped  # the overflow is marked with a cross
    _save(plot_latch_runs(runs), artifacts, "latch_runs")
    with pytest.raises(ValueError, match="^run:"):
        plot_latch_weights(sweep)
    with pytest.raises(ValueError, match="^sweeps:"):
        plot_latch_sweep({})
