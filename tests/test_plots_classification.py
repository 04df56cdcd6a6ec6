"""rnn_course.plots.classification: accuracy by group, metric curves, per-position accuracy, tagged sentences."""

from __future__ import annotations

import numpy as np
import pytest


def test_accuracy_by_group_and_metric_curves(artifacts):
    from rnn_course.plots import plot_accuracy_by_group, plot_metric_curves
    from rnn_course.train import History

    fig = plot_accuracy_by_group({"bag of words": {"plain": 0.65, "negated": 0.44},
                                  "GRU": {"plain": 1.0, "negated": 0.99}}, chance=0.5)
    fig.savefig(artifacts / "lesson06_accuracy_by_kind.png", dpi=80)
    ax = fig.axes[0]
    assert [round(p.get_height()) for p in ax.patches] == [65, 44, 100, 99]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["plain", "negated"]
    with pytest.raises(ValueError, match=r"results\['GRU'\]: no accuracy for groups \['negated'\]"):
        plot_accuracy_by_group({"a": {"plain": 1, "negated": 1}, "GRU": {"plain": 1}})
    history = History(steps=[1, 2], loss=[1.0, 0.5], eval_steps=[1, 2], metrics={"accuracy": [0.5, 0.9]})
    fig = plot_metric_curves({"last": history}, "accuracy")
    np.testing.assert_allclose(fig.axes[0].get_lines()[0].get_ydata(), [50, 90])
    with pytest.raises(ValueError, match="metric: run 'last' recorded"):
        plot_metric_curves({"last": history}, "f1")


def test_position_accuracy_and_tagged_sentence(artifacts):
    from rnn_course.plots import plot_position_accuracy, plot_tagged_sentence

    fig = plot_position_accuracy({"a": np.linspace(1, 0.3, 20), "b": (np.arange(3, 9), np.full(6, 0.9))},
                                 chance=0.25)
    fig.savefig(artifacts / "lesson06_position_accuracy.png", dpi=80)
    lines = fig.axes[0].get_lines()
    assert lines[0].get_ydata()[0] == 100 and lines[1].get_xdata()[0] == 3
    fig = plot_tagged_sentence(["kent", "smiled", "today"], [1, 0, 0], {"uni": [2, 0, 0]}, ("O", "PER", "LOC"))
    fig.savefig(artifacts / "lesson06_tagged_sentence.png", dpi=80)
    wrong = [p for p in fig.axes[0].patches if p.get_linewidth() > 2]
    assert len(wrong) == 1  # only the wrong tag is outlined
