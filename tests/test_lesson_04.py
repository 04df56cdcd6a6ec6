"""Lesson 04: the hand-set carousel, gradient flow through gated cells, the figures, the demo, the notebook twin."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from rnn_course.carousel import (
    CAROUSEL_SCALE,
    FORGET_OPEN_BIAS,
    CarouselRun,
    carousel_inputs,
    carousel_params,
    run_carousel,
    state_jacobian_norms,
    tanh_hold_slope,
)
from rnn_course.cells import gru_forward, lstm_forward, rnn_forward
from rnn_course.demos import carousel_demo
from rnn_course.demos.lstm import CAROUSEL_PRESETS
from rnn_course.jacobians import jacobian_norms
from rnn_course.models import SequenceRegressor
from rnn_course.plots import (
    CELL_COLORS,
    new_figure,
    plot_adding_curves,
    plot_adding_example,
    plot_adding_scores,
    plot_carousel,
    plot_cell_trace,
    plot_gate_activations,
    plot_gate_tracks,
    plot_gru_cell,
    plot_lstm_cell,
    plot_state_gradients,
)
from rnn_course.tasks.adding import adding_batch, adding_data, evaluate_adding, score_adding
from rnn_course.train import fit

ROOT = Path(__file__).resolve().parents[1]


def _save(fig, artifacts, name):
    assert isinstance(fig, Figure)
    fig.savefig(artifacts / f"lesson04_{name}.png", dpi=80)


# -- the hand-set carousel ---------------------------------------------------------------------------


def test_carousel_stores_and_recalls_a_value_exactly():
    run = run_carousel(T=60, value=4.2, t_write=10, t_read=50, forget=1.0, distractors=5.0)
    assert isinstance(run, CarouselRun)
    assert run.f.min() == 1.0  # sigmoid(40) is exactly 1 in float64
    assert run.stored == pytest.approx(np.tanh(CAROUSEL_SCALE * 4.2), abs=0)
    # the shut input gate (2e-9) lets through at most 40 distractors x tanh(0.2 x 5) x 2e-9
    assert abs(run.c[49] - run.stored) < 1e-7
    assert run.recalled == pytest.approx(4.2, abs=1e-6)
    np.testing.assert_array_less(np.abs(run.c[:9]), 1e-7)  # nothing stored before the write
    assert run.h[49] == pytest.approx(np.tanh(run.stored), abs=1e-8)  # shown at the read ...
    np.testing.assert_array_less(np.abs(np.delete(run.h, 49)), 1e-8)  # ... and only there
    np.testing.assert_array_equal(run.carousel_gradient, np.ones(50))


@pytest.mark.parametrize("forget", [0.999, 0.9, 0.5])
def test_leaky_carousel_decays_like_f_to_the_k(forget):
    run = run_carousel(T=40, value=-3.0, t_write=5, t_read=35, forget=forget, distractors=0.0)
    np.testing.assert_allclose(run.f, forget, rtol=1e-12)
    assert run.c[34] == pytest.approx(run.stored * forget**30, rel=1e-6)
    np.testing.assert_allclose(run.carousel_gradient, forget ** np.arange(34, -1, -1), rtol=1e-10)


def test_carousel_gradient_agrees_with_the_jacobian_of_the_real_cell():
    """Two independent computations of dc_read/dc_k: the product of forget gates, and the Jacobian product sent
    through lstm_step_backward."""
    for forget in (1.0, 0.97):
        run = run_carousel(T=30, t_write=4, t_read=30, forget=forget)
        p = carousel_params(forget)
        norms = state_jacobian_norms("lstm", run.x, p["Wx"], p["Wh"], p["b"], state="c")
        np.testing.assert_allclose(norms, run.carousel_gradient[::-1], rtol=1e-10)


def test_carousel_params_and_inputs():
    p = carousel_params(1.0)
    assert p["Wx"].shape == (3, 4) and p["Wh"].shape == (1, 4) and p["b"].shape == (4,)
    assert p["b"][1] == FORGET_OPEN_BIAS and not p["Wh"].any()
    from rnn_course.activations import sigmoid

    assert sigmoid(carousel_params(0.3)["b"][1]) == pytest.approx(0.3, rel=1e-12)
    x = carousel_inputs(T=20, value=2.5, t_write=3, t_read=17, distractors=0.0)
    assert x.shape == (20, 3)
    assert x[2, 0] == 2.5 and x[:, 1].sum() == 1 and x[2, 1] == 1 and x[16, 2] == 1
    assert np.count_nonzero(x[:, 0]) == 1
    assert np.abs(carousel_inputs(T=200, distractors=2.0, rng=1)[:, 0]).max() <= 4.2  # the value itself
    np.testing.assert_array_equal(carousel_inputs(rng=3), carousel_inputs(rng=3))


def test_read_before_write_recalls_nothing():
    run = run_carousel(T=30, t_write=20, t_read=5)
    assert abs(run.c[4]) < 1e-7 and abs(run.h[4]) < 1e-7


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: carousel_params(1.5), "forget"),
        (lambda: carousel_inputs(T=1), "T"),
        (lambda: carousel_inputs(T=10, t_write=0), "t_write"),
        (lambda: carousel_inputs(T=10, t_write=3, t_read=11), "t_read"),
        (lambda: carousel_inputs(value=np.nan), "value"),
        (lambda: carousel_inputs(distractors=-1.0), "distractors"),
        (lambda: tanh_hold_slope(1.0), "stored"),
        (lambda: state_jacobian_norms("lstm", np.zeros((5, 3)), np.zeros((2, 8)), np.zeros((2, 8)), np.zeros(8)),
         "x"),
        (lambda: state_jacobian_norms("gru", np.zeros((5, 2)), np.zeros((2, 6)), np.zeros((2, 6)), np.zeros(6),
                                      state="c"), "state"),
        (lambda: state_jacobian_norms("gru", np.zeros((5, 2)), np.zeros((2, 6)), np.zeros((2, 5)), np.zeros(6)),
         "Wh"),
        (lambda: state_jacobian_norms("lstm", np.zeros((2, 5, 2)), np.zeros((2, 8)), np.zeros((2, 8)), np.zeros(8)),
         "x"),
        (lambda: state_jacobian_norms("elman", np.zeros((5, 2)), np.zeros((2, 2)), np.zeros((2, 2)), np.zeros(2)),
         "cell"),
    ],
)
def test_arguments_are_checked(call, name):
    with pytest.raises(ValueError, match=f"^{name}:"):
        call()


def test_tanh_hold_slope_is_the_slope_at_the_fixed_point():
    for s in (0.05, 0.3, 0.686, 0.95, -0.5):
        w = np.arctanh(abs(s)) / abs(s)
        assert np.tanh(w * s) == pytest.approx(s, rel=1e-12)  # s is a fixed point of h -> tanh(w h)
        eps = 1e-6
        numerical = (np.tanh(w * (s + eps)) - np.tanh(w * (s - eps))) / (2 * eps)
        assert tanh_hold_slope(s) == pytest.approx(numerical, rel=1e-7)
        assert tanh_hold_slope(s) < 1  # stable: and so the gradient decays
    assert tanh_hold_slope(0.0) == 1.0
    assert np.all(np.diff(tanh_hold_slope(np.linspace(0.01, 0.99, 50))) < 0)


# -- gradient flow through gated cells ----------------------------------------------------------------


def _numerical_state_jacobian(cell, x, p, k, state, eps=1e-6):
    """d s_T / d s_k by central differences: perturb one entry of s_k and rerun the cell from step k + 1."""
    forward = {"lstm": lstm_forward, "gru": gru_forward}[cell]
    h, cache = forward(x[None], None, p["Wx"], p["Wh"], p["b"])
    H = p["Wh"].shape[0]
    h_k = h[:, k]
    c_k = cache.c[:, k] if cell == "lstm" else None
    J = np.empty((H, H))
    for j in range(H):
        outs = []
        for sign in (1, -1):
            h0, c0 = h_k.copy(), None if c_k is None else c_k.copy()
            if state == "c":
                c0[0, j] += sign * eps
            else:
                h0[0, j] += sign * eps
            if cell == "lstm":
                h_rest, rest = lstm_forward(x[None, k + 1 :], h0, p["Wx"], p["Wh"], p["b"], c0=c0)
                outs.append(rest.c[0, -1] if state == "c" else h_rest[0, -1])
            else:
                h_rest, _ = gru_forward(x[None, k + 1 :], h0, p["Wx"], p["Wh"], p["b"])
                outs.append(h_rest[0, -1])
        J[:, j] = (outs[0] - outs[1]) / (2 * eps)
    return J


@pytest.mark.parametrize("cell, state", [("lstm", "c"), ("lstm", "h"), ("gru", "h")])
def test_state_jacobian_norms_match_finite_differences(cell, state, rng):
    p = SequenceRegressor(2, 4, cell=cell, seed=2).params
    T = 9
    x = rng.standard_normal((T, 2))
    norms = state_jacobian_norms(cell, x, p["Wx"], p["Wh"], p["b"], state=state)
    assert norms.shape == (T,) and norms[0] == 1.0
    for lag in (1, 3, T - 1):
        J = _numerical_state_jacobian(cell, x, p, T - 1 - lag, state)
        assert norms[lag] == pytest.approx(np.linalg.norm(J, 2), rel=1e-6), f"lag {lag}"


def test_state_jacobian_norms_of_a_vanilla_rnn_reuse_lesson_03(rng):
    p = SequenceRegressor(2, 6, cell="rnn", seed=0).params
    x = rng.standard_normal((20, 2))
    h, _ = rnn_forward(x[None], None, p["Wx"], p["Wh"], p["b"])
    np.testing.assert_allclose(state_jacobian_norms("rnn", x, p["Wx"], p["Wh"], p["b"]),
                               jacobian_norms(p["Wh"], h[0], "tanh"))
    assert state_jacobian_norms("rnn", x[None], p["Wx"], p["Wh"], p["b"]).shape == (20,)


def test_lstm_default_state_is_the_carousel(rng):
    p = SequenceRegressor(2, 3, cell="lstm", seed=0).params
    x = rng.standard_normal((6, 2))
    np.testing.assert_array_equal(state_jacobian_norms("lstm", x, p["Wx"], p["Wh"], p["b"]),
                                  state_jacobian_norms("lstm", x, p["Wx"], p["Wh"], p["b"], state="c"))


# -- figures ---------------------------------------------------------------------------------------------


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


def test_adding_figures(artifacts):
    test = adding_batch(200, 20, rng=0)
    fig = plot_adding_example(test, n=3)
    assert f"{test.y[3]:.2f}" in fig.axes[0].get_title()
    _save(fig, artifacts, "adding_example")
    histories, scores = {}, {}
    for label, cell in (("LSTM", "lstm"), ("tanh RNN", "rnn")):
        model = SequenceRegressor(2, 4, cell=cell, seed=0)
        histories[label] = fit(model, adding_data(20, 16), steps=20, evaluate=evaluate_adding(test), eval_every=5,
                               progress=False, seed=0)
        scores[label] = score_adding(model.predict(test.x), test.y)
    fig = plot_adding_curves(histories)
    line = next(line for line in fig.axes[0].get_lines() if line.get_gid() == "curve-LSTM")
    np.testing.assert_array_equal(line.get_xdata(), histories["LSTM"].eval_steps)
    _save(fig, artifacts, "adding_curves")
    assert fig.axes[0].get_legend()._loc == 3  # lower left, inside, for a few curves
    many = {f"{label}, copy {k}": history for label, history in histories.items() for k in range(4)}
    fig = plot_adding_curves(many)
    legend = fig.axes[0].get_legend()
    assert legend.get_bbox_to_anchor().x0 > fig.axes[0].get_window_extent().x1  # outside, to the right
    _save(fig, artifacts, "adding_curves_many")
    with pytest.raises(ValueError, match="^legend:"):
        plot_adding_curves(histories, legend="top")
    fig = plot_adding_scores(scores)
    widths = sorted(p.get_width() for p in fig.axes[0].patches)
    assert widths == pytest.approx(sorted(100 * s.solved for s in scores.values()))
    _save(fig, artifacts, "adding_scores")
    with pytest.raises(ValueError, match="^histories"):
        plot_adding_curves({"x": fit(SequenceRegressor(2, 2, cell="rnn"), adding_data(5, 4), steps=2,
                                     progress=False)})
    with pytest.raises(ValueError, match="^scores"):
        plot_adding_scores({"x": 0.5})
    with pytest.raises(ValueError, match="^n:"):
        plot_adding_example(test, n=200)


def test_gate_tracks_figure(artifacts):
    steps = np.arange(0, 125, 25)
    tracks = {"LSTM": {"steps": steps, "keep": [0.73, 0.68, 0.67, 0.7, 0.8], "flow": [1e-2, 1e-3, 8e-4, 2.0, 2.1]},
              "GRU": {"steps": steps, "keep": [0.5, 0.63, 0.68, 0.72, 0.75], "flow": [3e-6, 7e-4, 1e-2, 0.1, 0.6]},
              "CIFG LSTM": {"steps": steps, "keep": [0.73, 0.76, 0.78, 0.8, 0.84]}}
    fig = plot_gate_tracks(tracks, first_success={"LSTM": 75, "GRU": 50, "CIFG LSTM": None})
    lines = {line.get_gid(): line for ax in fig.axes for line in ax.get_lines() if line.get_gid()}
    assert set(lines) == {"keep-LSTM", "keep-GRU", "keep-CIFG LSTM", "flow-LSTM", "flow-GRU"}  # no flow for the CIFG
    np.testing.assert_allclose(lines["keep-GRU"].get_ydata(), tracks["GRU"]["keep"])
    assert fig.axes[1].get_yscale() == "log"
    dotted = [line for line in fig.axes[0].get_lines() if line.get_linestyle() == ":"]
    assert sorted(line.get_xdata()[0] for line in dotted) == [50, 75]
    _save(fig, artifacts, "gate_tracks")
    fig, axes = new_figure((10, 4), ncols=2)
    assert plot_gate_tracks(tracks, axes=axes, title=None) is fig
    with pytest.raises(ValueError, match="^tracks:"):
        plot_gate_tracks({})
    with pytest.raises(ValueError, match=r"^tracks\['GRU'\]\['keep'\]: expected shape \(5,\)"):
        plot_gate_tracks({"GRU": {"steps": steps, "keep": [0.5]}})
    with pytest.raises(ValueError, match="^axes: expected 2 axes"):
        plot_gate_tracks(tracks, axes=axes[:1])


# -- the demo ------------------------------------------------------------------------------------------


def test_carousel_demo_drives_every_control(artifacts):
    demo = carousel_demo()
    assert demo.error is None
    c_line = next(a for a in demo.animated if a.get_gid() == "c")
    moves = {"value": -2.5, "t_write": 20, "t_read": 40, "forget": 0.9}
    for name, value in moves.items():
        before = demo.png()
        demo.set(**{name: value})
        assert demo.error is None, f"{name}={value!r}: {demo.error}"
        assert demo.png() != before, f"moving {name} to {value!r} did not change the figure"
    want = run_carousel(60, -2.5, 20, 40, 0.9)
    np.testing.assert_allclose(c_line.get_ydata(), want.c)
    grad = next(a for a in demo.animated if a.get_gid() == "grad-lstm")
    np.testing.assert_allclose(grad.get_ydata(), np.maximum(want.carousel_gradient, 1e-30))
    caption = next(a for a in demo.animated if a.get_gid() == "caption")
    assert f"v = {want.recalled:.4f}" in caption.get_text()
    for label, values in CAROUSEL_PRESETS.items():
        demo.set(**values)
        assert demo.error is None, label
    demo.set(**CAROUSEL_PRESETS["read before write"])
    assert "nothing stored yet" in caption.get_text()
    demo.set(**CAROUSEL_PRESETS["perfect memory (f = 1)"])
    (artifacts / "lesson04_carousel_demo.png").write_bytes(demo.png())
    assert "image/png" in demo._repr_mimebundle_()


def test_carousel_demo_presenter_mode_and_arguments():
    demo = carousel_demo(presenter=True, forget=0.95, t_write=5)
    assert demo.error is None and demo.presenter and demo.figure.get_figwidth() > 12
    assert demo.values["forget"] == pytest.approx(0.95) and demo.values["t_write"] == 5
    with pytest.raises(ValueError, match="^T:"):
        carousel_demo(T=3)
    with pytest.raises(ValueError, match="^t_read:"):
        carousel_demo(t_read=70)
    with pytest.raises(ValueError, match="^forget:"):
        carousel_demo(forget=1.2)


# -- the notebook -------------------------------------------------------------------------------------


def _lesson_cells():
    import json

    return json.loads((ROOT / "notebooks" / "04_lstm_and_gru.ipynb").read_text(encoding="utf-8"))["cells"]


def test_no_code_is_hidden_in_the_notebook():
    """Code may be left off the slides (slide_type "skip"), never hidden from the notebook's reader."""
    for cell in _lesson_cells():
        tags = set(cell["metadata"].get("tags", ()))
        assert not tags & {"remove-input", "remove_input", "hide-input", "remove-cell", "remove_cell"}, cell["source"]
        assert not cell["metadata"].get("jupyter", {}).get("source_hidden"), cell["source"]


def test_the_lesson_asserts_its_claims():
    """Claims are executable: the lesson checks what its text says with asserts on computed values."""
    code = "\n".join("".join(c["source"]) for c in _lesson_cells() if c["cell_type"] == "code")
    assert len(re.findall(r"^\s*assert ", code, re.M)) >= 40
    for needle in ("first_success(runs[\"CIFG LSTM\", seed][1]) < first_success(runs[\"LSTM\", seed][1])",
                   "offset_only.solved == 0", "bias_gain"):
        assert needle in code, needle


def test_notebook_is_in_sync_with_its_twin():
    from rnn_course.tools.notebooks import render

    py = ROOT / "notebooks" / "04_lstm_and_gru.py"
    assert py.with_suffix(".ipynb").read_text(encoding="utf-8") == render(py)
