"""rnn_course.plots.attention: the attention heat map, the decoder's reading lines and the beam-search figure."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course.plots import plot_attention, plot_attention_decoder, plot_beam_search


def test_plot_attention_shows_the_weights_with_labels():
    weights = np.full((3, 4), 0.25)
    weights[1] = [0.7, 0.1, 0.1, 0.1]
    fig = plot_attention(weights, list("ab c"), ["x", "y", "</s>"], highlight=1, annotate=True)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "␣", "c"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x", "y", "</s>"]
    np.testing.assert_array_equal(ax.images[0].get_array(), weights)
    assert any(t.get_text() == "0.7" for t in ax.texts)
    with pytest.raises(ValueError, match=r"weights: expected shape \(output steps, source positions\) = \(3, 5\)"):
        plot_attention(weights, list("abcde"), ["x", "y", "</s>"])


def test_plot_attention_decoder_draws_one_line_per_source_state():
    weights = np.eye(4)[::-1]
    fig = plot_attention_decoder(list("abcd"), list("dcba"), weights, step=2)
    lines = fig.axes[0].get_lines()
    assert len(lines) == 4
    widths = [line.get_linewidth() for line in lines]
    assert int(np.argmax(widths)) == 2  # step 2 of a reversal reads position 3 (1-based): index 2
    with pytest.raises(ValueError, match=r"step: expected an output step in \[1, 4\]"):
        plot_attention_decoder(list("abcd"), list("dcba"), step=5)


def test_plot_beam_search():
    fig = plot_beam_search({"model": {"beam": [1, 2, 4], "accuracy": [0.5, 0.6, 0.6], "steps": [10, 20, 40]}})
    acc, cost = fig.axes
    np.testing.assert_allclose(acc.get_lines()[0].get_ydata(), [50, 60, 60])
    np.testing.assert_allclose(cost.get_lines()[0].get_ydata(), [10, 20, 40])
    with pytest.raises(ValueError, match=r"results\['m'\]: missing 'steps'"):
        plot_beam_search({"m": {"beam": [1], "accuracy": [1.0]}})
