"""rnn_course.plots.adding: the adding-problem figures and the gate tracks of lesson 04."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from rnn_course.models import SequenceRegressor
from rnn_course.plots import (
    new_figure,
    plot_adding_curves,
    plot_adding_example,
    plot_adding_scores,
    plot_gate_tracks,
)
from rnn_course.tasks.adding import adding_batch, adding_data, evaluate_adding, score_adding
from rnn_course.train import fit


def _save(fig, artifacts, name):
    assert isinstance(fig, Figure)
    fig.savefig(artifacts / f"lesson04_{name}.png", dpi=80)


def test_adding_figures(artifacts):
    test = adding_batch(200, 20, rng=0)
    fig = plot_adding_example(test, n=3)
    assert f"{test.y[3]:.2f}" in fig.axes[0].get_title()
    _save(fig, artifacts, "adding_example")
    histories, scores = {}, {}
    for label, cell in (("LSTM", "lstm"), ("tanh RNN", "rnn")):
        model = SequenceRegressor(2, 4, cell=cell, seed=0)
        histories[label] = fit(model, adding_data(20, 16), steps=20, evaluate=evaluate_adding(test), eval_every=5,
                               progress=False, seed=0)
        scores[label] = score_adding(model.predict(test.x), test.y)
    fig = plot_adding_curves(histories)
    line = next(line for line in fig.axes[0].get_lines() if line.get_gid() == "curve-LSTM")
    np.testing.assert_array_equal(line.get_xdata(), histories["LSTM"].eval_steps)
    _save(fig, artifacts, "adding_curves")
    assert fig.axes[0].get_legend()._loc == 3  # lower left, inside, for a few curves
    many = {f"{label}, copy {k}": history for label, history in histories.items() for k in range(4)}
    fig = plot_adding_curves(many)
    legend = fig.axes[0].get_legend()
    assert legend.get_bbox_to_anchor().x0 > fig.axes[0].get_window_extent().x1  # outside, to the right
    _save(fig, artifacts, "adding_curves_many")
    with pytest.raises(ValueError, match="^legend:"):
        plot_adding_curves(histories, legend="top")
    fig = plot_adding_scores(scores)
    widths = sorted(p.get_width() for p in fig.axes[0].patches)
    assert widths == pytest.approx(sorted(100 * s.solved for s in scores.values()))
    _save(fig, artifacts, "adding_scores")
    with pytest.raises(ValueError, match="^histories"):
        plot_adding_curves({"x": fit(SequenceRegressor(2, 2, cell="rnn"), adding_data(5, 4), steps=2,
                                     progress=False)})
    with pytest.raises(ValueError, match="^scores"):
        plot_adding_scores({"x": 0.5})
    with pytest.raises(ValueError, match="^n:"):
        plot_adding_example(test, n=200)


def test_gate_tracks_figure(artifacts):
    steps = np.arange(0, 125, 25)
    tracks = {"LSTM": {"steps": steps, "keep": [0.73, 0.68, 0.67, 0.7, 0.8], "flow": [1e-2, 1e-3, 8e-4, 2.0, 2.1]},
              "GRU": {"steps": steps, "keep": [0.5, 0.63, 0.68, 0.72, 0.75], "flow": [3e-6, 7e-4, 1e-2, 0.1, 0.6]},
              "CIFG LSTM": {"steps": steps, "keep": [0.73, 0.76, 0.78, 0.8, 0.84]}}
    fig = plot_gate_tracks(tracks, first_success={"LSTM": 75, "GRU": 50, "CIFG LSTM": None})
    lines = {line.get_gid(): line for ax in fig.axes for line in ax.get_lines() if line.get_gid()}
    assert set(lines) == {"keep-LSTM", "keep-GRU", "keep-CIFG LSTM", "flow-LSTM", "flow-GRU"}  # no flow for the CIFG
    np.testing.assert_allclose(lines["keep-GRU"].get_ydata(), tracks["GRU"]["keep"])
    assert fig.axes[1].get_yscale() == "log"
    dotted = [line for line in fig.axes[0].get_lines() if line.get_linestyle() == ":"]
    assert sorted(line.get_xdata()[0] for line in dotted) == [50, 75]
    _save(fig, artifacts, "gate_tracks")
    fig, axes = new_figure((10, 4), ncols=2)
    assert plot_gate_tracks(tracks, axes=axes, title=None) is fig
    with pytest.raises(ValueError, match="^tracks:"):
        plot_gate_tracks({})
    with pytest.raises(ValueError, match=r"^tracks\['GRU'\]\['keep'\]: expected shape \(5,\)"):
        plot_gate_tracks({"GRU": {"steps": steps, "keep": [0.5]}})
    with pytest.raises(ValueError, match="^axes: expected 2 axes"):
        plot_gate_tracks(tracks, axes=axes[:1])
