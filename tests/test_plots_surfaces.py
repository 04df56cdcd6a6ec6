"""rnn_course.plots.surfaces: the loss surface, gradient norm, cliff slice and descent-path figures."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from rnn_course.plots import (
    plot_cliff_slice,
    plot_descent_paths,
    plot_gradient_norm,
    plot_loss_surface,
    plot_loss_surface_3d,
    plot_one_unit_states,
)
from rnn_course.plots.style import new_figure
from rnn_course.surfaces import CLIP_METHODS, descent_path, one_unit_surface


@pytest.fixture(scope="module")
def surface():
    return one_unit_surface(n=120)


def _save(fig, artifacts, name):
    assert isinstance(fig, Figure)
    fig.savefig(artifacts / f"lesson03_{name}.png", dpi=80)


def test_surface_figures(surface, artifacts):
    _save(plot_loss_surface(surface), artifacts, "loss_surface")
    _save(plot_loss_surface_3d(surface), artifacts, "loss_surface_3d")
    fig = plot_gradient_norm(surface)
    image = fig.axes[0].images[0]
    assert image.norm.vmin == pytest.approx(1e-6) and image.norm.vmax > 10  # log colour scale over decades
    _save(fig, artifacts, "gradient_norm")


def test_cliff_slice_and_states(artifacts):
    fig = plot_cliff_slice(4.5, (-3.0, -1.5), n=2001)
    loss_line = fig.axes[0].get_lines()[0]
    norm_line = fig.axes[1].get_lines()[0]
    assert np.max(norm_line.get_ydata()) > 50 * np.median(norm_line.get_ydata())  # the spike of the wall
    loss, b = loss_line.get_ydata(), loss_line.get_xdata()
    window = int(round(0.02 / (b[1] - b[0])))
    assert np.max(loss[:-window] - loss[window:]) > 0.2  # the loss falls by > 0.2 within 0.02 in b: the wall
    _save(fig, artifacts, "cliff_slice")
    fig = plot_one_unit_states(4.5, [-2.31, -2.30])
    ends = [line.get_ydata()[-1] for line in fig.axes[0].get_lines()]
    assert ends[0] < 0 < ends[1]  # either side of the wall the state ends at different fixed points
    _save(fig, artifacts, "one_unit_states")
    with pytest.raises(ValueError, match="^b_lim:"):
        plot_cliff_slice(4.5, (1.0, 0.0))
    with pytest.raises(ValueError, match="^bs:"):
        plot_one_unit_states(4.5, [])


def test_descent_paths_figure_draws_each_method(surface, artifacts):
    paths = [descent_path(4.5, -3.0, lr=0.3, steps=60, clip=m, threshold=1.0) for m in CLIP_METHODS]
    fig = plot_descent_paths(surface, paths)
    lines = {line.get_gid(): line for line in fig.axes[0].get_lines()}
    for path in paths:
        np.testing.assert_array_equal(lines[f"path-{path.method}"].get_xdata(), path.w)
    assert "left the window" in lines["path-none"].get_label()
    assert "left the window" not in lines["path-norm"].get_label()
    _save(fig, artifacts, "descent_paths")


def test_surface_figures_draw_into_a_given_axes(surface):
    fig, axes = new_figure((10, 4), ncols=2)
    assert plot_loss_surface(surface, ax=axes[0]) is fig
    assert plot_gradient_norm(surface, ax=axes[1]) is fig
    with pytest.raises(ValueError, match="^ax: expected a 3-D axes"):
        plot_loss_surface_3d(surface, ax=axes[0])
    with pytest.raises(ValueError, match="^surface:"):
        plot_loss_surface(np.zeros((3, 3)))
