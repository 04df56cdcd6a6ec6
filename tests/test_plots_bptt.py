"""rnn_course.plots.bptt: the BPTT contribution, gradient-reach and truncation figures."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course import rel_error, rnn_backward, rnn_forward
from rnn_course.gradient_flow import count_backward_steps, dWh_contributions, truncation_mask
from rnn_course.init import orthogonal
from rnn_course.plots import (
    figure_to_png,
    new_figure,
    plot_contribution_matrix,
    plot_copy_contributions,
    plot_gradient_reaching,
    plot_truncation,
    plot_truncation_masks,
)


def _run(rng, T=16, H=6, scale=0.9):
    x = rng.standard_normal((2, T, 3))
    h, cache = rnn_forward(x, None, 0.7 * rng.standard_normal((3, H)), orthogonal((H, H), gain=scale, rng=rng),
                           np.zeros(H))
    return h, cache, rng.standard_normal(h.shape)


def test_contribution_figures(rng, artifacts):
    h, cache, dh = _run(rng)
    G = dWh_contributions(dh, cache)
    mask = truncation_mask(16, 4, "window")
    fig, axes = new_figure(figsize=(11, 4), ncols=2)
    plot_contribution_matrix(G, mask=mask, ax=axes[0])
    plot_copy_contributions(G, mask=mask, ax=axes[1])
    shown = axes[0].images[0].get_array()
    assert shown.mask[np.triu_indices(16, 1)].all()  # k > t is blank
    assert shown.mask[:, 0].all()  # and so is copy 1, which multiplies h_0 = 0
    grey = axes[0].images[1].get_array()
    assert (~grey.mask).sum() == (np.tril(np.ones((16, 16), bool)) & ~mask).sum()
    bars = np.array([p.get_height() for p in axes[1].patches])
    expected = np.linalg.norm(G.sum(0), axis=(1, 2))
    assert expected[0] == 0 and np.isnan(bars[0])  # copy 1 multiplies h_0 = 0: left off the log axis
    np.testing.assert_allclose(bars[1:], expected[1:])
    (artifacts / "lesson02_contributions.png").write_bytes(figure_to_png(fig, dpi=90))
    with pytest.raises(ValueError, match=r"G: expected a 2-D array of shape \(T, T\)"):
        plot_contribution_matrix(np.zeros(3))
    with pytest.raises(ValueError, match="mask: expected a boolean array"):
        plot_contribution_matrix(G, mask=mask.astype(int))


def test_gradient_reaching(rng):
    norms = {}
    for scale in (0.5, 1.0, 1.5):
        h, cache, dh = _run(rng, scale=scale)
        last = np.zeros_like(dh)
        last[:, -1] = dh[:, -1]
        norms[f"scale {scale}"] = np.linalg.norm(rnn_backward(last, cache).dh_all, axis=(0, 2))
    fig = plot_gradient_reaching(norms)
    assert len(fig.axes[0].lines) == 3
    assert fig.axes[0].get_yscale() == "log"
    with pytest.raises(ValueError, match="norms: expected a non-empty dict"):
        plot_gradient_reaching([1, 2])
    with pytest.raises(ValueError, match=r"norms\['b'\]: expected shape \(T,\) = \(16,\), got \(3,\)"):
        plot_gradient_reaching({"a": np.ones(16), "b": np.ones(3)})


def test_truncation_plot(rng, artifacts):
    T = 20
    h, cache, dh = _run(rng, T=T, scale=1.0)
    full = rnn_backward(dh, cache).dWh
    ks = np.arange(1, T + 1)
    errors = {mode: np.array([rel_error(rnn_backward(dh, cache, truncate=int(k), truncate_mode=mode).dWh, full)
                              for k in ks]) for mode in ("chunk", "window")}
    costs = {mode: np.array([count_backward_steps(T, int(k), mode) for k in ks]) for mode in ("chunk", "window")}
    assert errors["window"][-1] == 0 and errors["chunk"][-1] == 0
    assert errors["window"][0] > errors["window"][T // 2] > 0
    fig = plot_truncation(ks, errors, costs=costs, T=T)
    assert len(fig.axes) == 2
    np.testing.assert_array_equal(fig.axes[1].lines[1].get_ydata(), costs["window"])
    (artifacts / "lesson02_truncation.png").write_bytes(figure_to_png(fig, dpi=100))
    masks = plot_truncation_masks(12, 4)
    (artifacts / "lesson02_truncation_masks.png").write_bytes(figure_to_png(masks, dpi=90))
    assert "keeps 30 of 78" in masks.axes[0].get_title()
    with pytest.raises(ValueError, match=r"errors\['chunk'\]: expected shape \(K,\) = \(20,\), got \(3,\)"):
        plot_truncation(ks, {"chunk": np.ones(3)})
