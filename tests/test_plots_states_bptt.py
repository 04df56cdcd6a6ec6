"""Figures of lessons 01-02: activations, softmax, hidden states, BPTT contributions and truncation."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course import rel_error, rnn_backward, rnn_forward
from rnn_course.gradient_flow import count_backward_steps, dWh_contributions, truncation_mask
from rnn_course.handbuilt import parity_rnn
from rnn_course.init import orthogonal
from rnn_course.plots import (
    figure_to_png,
    new_figure,
    plot_activations,
    plot_contribution_matrix,
    plot_copy_contributions,
    plot_gradient_reaching,
    plot_hidden_states,
    plot_memory_task,
    plot_softmax,
    plot_truncation,
    plot_truncation_masks,
)
from rnn_course.tasks.parity import parity_batch


def _run(rng, T=16, H=6, scale=0.9):
    x = rng.standard_normal((2, T, 3))
    h, cache = rnn_forward(x, None, 0.7 * rng.standard_normal((3, H)), orthogonal((H, H), gain=scale, rng=rng),
                           np.zeros(H))
    return h, cache, rng.standard_normal(h.shape)


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


def test_hidden_state_heatmap(rng):
    h, _, _ = _run(rng)
    fig = plot_hidden_states(h[0], upto=5)
    image = fig.axes[0].images[0].get_array()
    assert image.shape == (6, 16)
    np.testing.assert_allclose(image[:, :5], h[0, :5].T)
    assert image.mask[:, 5:].all() and not image.mask[:, :5].any()
    with pytest.raises(ValueError, match=r"h: expected one sequence of shape \(T, H\), got a batch"):
        plot_hidden_states(h)
    with pytest.raises(ValueError, match=r"upto: expected an integer in \[0, T\] = \[0, 16\]"):
        plot_hidden_states(h[0], upto=17)


def test_memory_task_figure_reports_accuracy():
    x, y = parity_batch(1, 30, rng=5)
    hh, probs = parity_rnn().run(x)
    fig = plot_memory_task(x[0, :, 0], hh[0], probs[0, :, 1], y[0], unit_names=["OR", "AND"])
    assert "100% of steps right" in fig._suptitle.get_text()
    with pytest.raises(ValueError, match=r"prob: expected shape \(T,\) = \(30,\), got \(29,\)"):
        plot_memory_task(x[0, :, 0], hh[0], probs[0, :-1, 1], y[0])


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
