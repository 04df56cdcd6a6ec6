"""plots.style.describe: what a figure shows, in words (the web site's alt text)."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course.plots import plot_lstm_cell, style


def test_a_line_plot_is_described_by_its_title_axes_and_legend():
    fig, ax = style.new_figure()
    ax.plot([0, 1], [0, 1], label="LSTM")
    ax.plot([0, 1], [1, 0], label=r"$\tau = 0.5$")
    ax.legend()
    ax.set(title=r"Gradient norm $\|dh_T / dh_k\|$", xlabel="time lag T - k", ylabel="norm")
    assert style.describe(fig) == ("Gradient norm |dh_T / dh_k|: 2 curves of norm against time lag T - k "
                                   "(LSTM, tau = 0.5)")


def test_panels_heat_maps_colour_bars_and_titles():
    fig, axes = style.new_figure(nrows=1, ncols=2)
    image = axes[0].imshow(np.zeros((3, 4)))
    fig.colorbar(image, ax=axes[0], label="h")  # a colour bar is not a panel
    axes[0].set(title="hidden states", xlabel="t", ylabel="unit")
    axes[1].bar([1, 2], [3, 4])
    fig.suptitle("Two views")
    assert style.describe(fig) == ("Two views. 2 panels: (1) hidden states: heat map of unit against t; "
                                   "(2) bar chart")


def test_a_diagram_is_a_diagram_and_a_plot_can_say_better():
    fig = plot_lstm_cell()
    assert style.describe(fig).endswith(": diagram")
    style.set_description(fig, "An LSTM cell: the cell state runs along the top, gated by f and i.")
    assert style.describe(fig) == "An LSTM cell: the cell state runs along the top, gated by f and i."
    with pytest.raises(ValueError, match="text: expected a non-empty sentence"):
        style.set_description(fig, " ")
