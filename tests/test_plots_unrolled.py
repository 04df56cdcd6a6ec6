"""Diagrams of lesson 01: the unrolled graph and the input/output patterns. PNGs go to artifacts/."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyBboxPatch

from rnn_course.plots import figure_to_png, new_figure, plot_io_pattern, plot_io_patterns, plot_unrolled
from rnn_course.plots.unrolled import IO_PATTERNS


def _labels(ax):
    return {t.get_text() for t in ax.texts}


def _circles(ax):
    return [p for p in ax.patches if isinstance(p, Circle)]


@pytest.mark.parametrize("T", [1, 2, 4, 7])
def test_unrolled_graph_has_one_node_per_variable_and_step(T):
    fig = plot_unrolled(T)
    ax = fig.axes[0]
    # folded x, h, y + h0 + (x, h, y) per step
    assert len(_circles(ax)) == 3 + 1 + 3 * T
    labels = _labels(ax)
    for t in range(1, T + 1):
        assert {f"$x_{{{t}}}$", f"$h_{{{t}}}$", f"$\\hat y_{{{t}}}$"} <= labels
    assert "$h_0$" in labels
    assert f"T = {T}" in ax.get_title()


def test_long_sequences_are_elided_but_keep_the_last_step():
    ax = plot_unrolled(50, max_steps=7).axes[0]
    labels = _labels(ax)
    assert "$x_{50}$" in labels and "$x_{49}$" in labels and "$x_{5}$" in labels
    assert "$x_{6}$" not in labels and "$x_{25}$" not in labels
    assert r"$\cdots$" in labels
    # 5 + 2 drawn steps, each x, h, y; plus h0 (no folded view)
    assert len(_circles(plot_unrolled(50, folded=False).axes[0])) == 1 + 3 * 7


def test_variants_add_what_they_say():
    plain = plot_unrolled(3, folded=False, outputs=None).axes[0]
    assert len(_circles(plain)) == 1 + 2 * 3
    last = plot_unrolled(3, folded=False, outputs="last").axes[0]
    assert len(_circles(last)) == 1 + 2 * 3 + 1
    with_loss = plot_unrolled(3, folded=False, loss=True).axes[0]
    assert {"$L_{1}$", "$L_{3}$", r"$L = L_1 + L_2 + \cdots + L_T$"} <= _labels(with_loss)
    arrows_before = len(with_loss.patches)
    backward = plot_unrolled(3, folded=False, loss=True, backward=True).axes[0]
    # one red dashed arrow per h->h link and per E->y->h path
    assert len(backward.patches) == arrows_before + 3 * 3
    assert any("BPTT" in t.get_text() for t in backward.texts)


def test_draws_into_a_given_axes():
    fig, ax = new_figure()
    assert plot_unrolled(3, ax=ax) is fig
    assert len(_circles(ax)) > 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"T": 0}, "T: expected an integer >= 1, got 0"),
        ({"T": 2.0}, "T: expected an integer >= 1"),
        ({"T": 3, "outputs": "all"}, "outputs: expected one of"),
        ({"T": 3, "outputs": None, "loss": True}, "loss: a loss needs outputs"),
        ({"T": 3, "max_steps": 2}, "max_steps: expected an integer >= 3"),
    ],
)
def test_unrolled_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        plot_unrolled(**kwargs)


def test_io_patterns_draw_the_right_boxes():
    for kind, (_, _, ins, outs, steps) in IO_PATTERNS.items():
        ax = plot_io_pattern(kind).axes[0]
        boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
        assert len(boxes) == steps + len(ins) + len(outs), kind
    fig = plot_io_patterns()
    assert len(fig.axes) == len(IO_PATTERNS)
    assert [ax.get_title() for ax in fig.axes] == [v[0] for v in IO_PATTERNS.values()]
    with pytest.raises(ValueError, match="kind: expected one of"):
        plot_io_pattern("two-to-two")
    with pytest.raises(ValueError, match="axes: expected 2 axes"):
        plot_io_patterns(["one-to-one", "many-to-one"], axes=[new_figure()[1]])


def test_save_the_diagrams(artifacts):
    figures = {
        "lesson01_unrolled_T4.png": plot_unrolled(4),
        "lesson01_unrolled_T50_loss_backward.png": plot_unrolled(50, loss=True, backward=True),
        "lesson01_io_patterns.png": plot_io_patterns(),
    }
    for name, fig in figures.items():
        assert isinstance(fig, Figure)
        png = figure_to_png(fig, dpi=100)
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
        (artifacts / name).write_bytes(png)
