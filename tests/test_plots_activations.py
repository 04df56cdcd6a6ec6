"""rnn_course.plots.activations: the activation-function and softmax figures."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course.plots import (
    plot_activations,
    plot_softmax,
)


def test_activations_show_function_and_derivative():
    fig = plot_activations()
    assert [ax.get_title() for ax in fig.axes] == ["sigmoid", "tanh", "relu"]
    sig = fig.axes[0].lines  # the zero axes, then the function, then its derivative
    a, s = sig[2].get_data()
    _, ds = sig[3].get_data()
    np.testing.assert_allclose(s, 1 / (1 + np.exp(-a)))
    np.testing.assert_allclose(ds, s * (1 - s), atol=1e-12)
    assert any("0.25" in t.get_text() for t in fig.axes[0].texts)
    assert len(plot_activations(["tanh"], derivatives=False).axes[0].lines) == 3
    with pytest.raises(ValueError, match="names: expected a non-empty list"):
        plot_activations(["swish"])
    with pytest.raises(ValueError, match="a_range: expected"):
        plot_activations(a_range=(1, -1))


def test_softmax_bars_are_the_probabilities():
    fig = plot_softmax([3.0, 1.0, -2.0], labels=["a", "b", "c"])
    heights = [p.get_height() for p in fig.axes[1].patches]
    e = np.exp([3.0, 1.0, -2.0])
    np.testing.assert_allclose(heights, e / e.sum())
    assert "sum = 1.000" in fig._suptitle.get_text()
    plot_softmax([1000.0, -1000.0])  # no overflow warning (warnings are errors)
    with pytest.raises(ValueError, match=r"logits: expected a 1-D array of shape \(V,\), got shape \(2, 2\)"):
        plot_softmax(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="labels: expected 3 names"):
        plot_softmax([1.0, 2.0, 3.0], labels=["a"])
