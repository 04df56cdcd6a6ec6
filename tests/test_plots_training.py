"""rnn_course.plots.training: the training-curve figure (plot_history)."""

from __future__ import annotations

from rnn_course.models import SequenceRegressor
from rnn_course.optim import Adam
from rnn_course.plots import plot_history
from rnn_course.train import History, fit


def sum_task(rng, N=32, T=6):
    """A memory-light task: predict the sum of the inputs."""
    x = rng.uniform(-1, 1, size=(N, T, 1))
    return x, x.sum(axis=1)


def test_history_plot(artifacts):
    model = SequenceRegressor(1, 4, cell="gru", seed=0)
    history = fit(model, sum_task, steps=60, optimizer=Adam(1e-2), progress=False)
    fig = plot_history(history, label="GRU")
    fig.savefig(artifacts / "training_curve.png", dpi=80)
    assert fig.axes[0].get_xlabel() == "training step"
    assert isinstance(history, History)
