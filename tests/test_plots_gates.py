"""rnn_course.plots.gates: the LSTM and GRU cell diagrams, the carousel, gate heat maps, cell traces and state
gradients."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from rnn_course.carousel import (
    run_carousel,
    state_jacobian_norms,
)
from rnn_course.cells import gru_forward, lstm_forward
from rnn_course.models import SequenceRegressor
from rnn_course.plots import (
    CELL_COLORS,
    new_figure,
    plot_carousel,
    plot_cell_trace,
    plot_gate_activations,
    plot_gru_cell,
    plot_lstm_cell,
    plot_state_gradients,
)
from rnn_course.tasks.adding import adding_batch, adding_data
from rnn_course.train import fit


def _save(fig, artifacts, name):
    assert isinstance(fig, Figure)
    fig.savefig(artifacts / f"lesson04_{name}.png", dpi=80)


def test_cell_diagrams(artifacts):
    fig = plot_lstm_cell()
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    for needle in ("forget gate", "input gate", "candidate", "output gate", "constant error carousel"):
        assert needle in texts
    _save(fig, artifacts, "lstm_cell")
    fig = plot_gru_cell()
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    for needle in ("reset gate", "update gate", "candidate", "1-"):
        assert needle in texts
    _save(fig, artifacts, "gru_cell")
    fig, axes = new_figure((14, 5), ncols=2)
    assert plot_lstm_cell(ax=axes[0], title=None) is fig
    assert plot_gru_cell(ax=axes[1]) is fig
    _save(fig, artifacts, "cells_side_by_side")


def test_carousel_figure(artifacts):
    run = run_carousel(forget=0.98)
    fig = plot_carousel(run, title="leaky")
    lines = {line.get_gid(): line for ax in fig.axes for line in ax.get_lines()}
    np.testing.assert_array_equal(lines["c"].get_ydata(), run.c)
    np.testing.assert_allclose(lines["grad-lstm"].get_ydata(), run.carousel_gradient)
    assert lines["grad-tanh"].get_ydata()[0] < lines["grad-lstm"].get_ydata()[0]
    _save(fig, artifacts, "carousel")
    with pytest.raises(ValueError, match="^run:"):
        plot_carousel("not a run")
    fig, axes = new_figure((8, 8), nrows=4)
    assert plot_carousel(run, axes=axes) is fig
    with pytest.raises(ValueError, match="^axes: expected 4 axes"):
        plot_carousel(run, axes=axes[:3])


@pytest.fixture(scope="module")
def trained_lstm():
    """A small LSTM trained briefly on the adding problem (enough to have structured gates)."""
    model = SequenceRegressor(2, 6, cell="lstm", seed=0)
    fit(model, adding_data(12, 32), steps=60, progress=False, seed=0)
    return model


def test_gate_activation_heatmaps(trained_lstm, artifacts):
    test = adding_batch(3, 12, rng=0)
    p = trained_lstm.params
    _, cache = lstm_forward(test.x, None, p["Wx"], p["Wh"], p["b"])
    fig = plot_gate_activations(cache.gates[0], cell="lstm", x=test.x[0], c=cache.c[0],
                                markers=test.markers[0] + 1, highlight=2)
    images = [im for ax in fig.axes for im in ax.images]
    outlines = [p for ax in fig.axes for p in ax.patches if p.get_y() == 1.5 and p.get_height() == 1.0]
    assert len(outlines) == 5  # unit 2 outlined on each of the five heatmaps
    assert len(images) == 5  # i, f, g, o and c
    np.testing.assert_array_equal(images[1].get_array(), cache.gates[0, :, 6:12].T)  # the forget gate, units down
    assert images[0].get_clim() == (0, 1) and images[2].get_clim() == (-1, 1)
    _save(fig, artifacts, "gate_heatmaps")
    gru = SequenceRegressor(2, 6, cell="gru", seed=0).params
    _, gcache = gru_forward(test.x, None, gru["Wx"], gru["Wh"], gru["b"])
    _save(plot_gate_activations(gcache.gates[0], cell="gru"), artifacts, "gru_gate_heatmaps")
    with pytest.raises(ValueError, match="^gates: expected one sequence"):
        plot_gate_activations(cache.gates, cell="lstm")
    with pytest.raises(ValueError, match="^gates:"):
        plot_gate_activations(cache.gates[0, :, :23], cell="lstm")
    with pytest.raises(ValueError, match="^cell:"):
        plot_gate_activations(cache.gates[0], cell="rnn")
    with pytest.raises(ValueError, match="^c:"):
        plot_gate_activations(cache.gates[0], c=cache.c[0, :5])
    with pytest.raises(ValueError, match="^highlight: expected unit numbers in 1..H = 1..6"):
        plot_gate_activations(cache.gates[0], highlight=7)


def test_cell_trace(trained_lstm, artifacts):
    test = adding_batch(4, 12, rng=1)
    p = trained_lstm.params
    _, cache = lstm_forward(test.x, None, p["Wx"], p["Wh"], p["b"])
    fig = plot_cell_trace(cache.c[:, :, 2], markers=test.markers, unit=2)
    assert "unit 2" in fig.axes[0].get_title()
    _save(fig, artifacts, "cell_trace")
    with pytest.raises(ValueError, match="^markers:"):
        plot_cell_trace(cache.c[:, :, 2], markers=test.markers + 20)


def test_state_gradient_figure(artifacts, rng):
    x = rng.random((40, 2))
    norms = {}
    for label, cell in (("LSTM", "lstm"), ("GRU", "gru"), ("tanh RNN", "rnn")):
        p = SequenceRegressor(2, 8, cell=cell, seed=0).params
        norms[label] = state_jacobian_norms(cell, x, p["Wx"], p["Wh"], p["b"])
    norms["hand-set, f = 1"] = np.ones(40)
    fig = plot_state_gradients(norms, colors={"hand-set, f = 1": "#000000"})
    lines = {line.get_gid(): line for line in fig.axes[0].get_lines()}
    assert lines["norm-LSTM"].get_color() == CELL_COLORS["lstm"]
    assert lines["norm-tanh RNN"].get_color() == CELL_COLORS["rnn"]
    assert lines["norm-hand-set, f = 1"].get_color() == "#000000"
    assert "s = c for the LSTM" in fig.axes[0].get_ylabel()
    _save(fig, artifacts, "state_gradients")
