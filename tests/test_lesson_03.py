"""Lesson 03: its figures, its two demos (every control driven), and its notebook's pairing."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from rnn_course.demos import cliff_demo, spectral_radius_demo
from rnn_course.demos.cliff import CLIFF_PRESETS
from rnn_course.demos.gradients import SPECTRAL_PRESETS
from rnn_course.jacobians import jacobian_norms, norm_bound, recurrent_matrix
from rnn_course.plots import (
    plot_cliff_slice,
    plot_descent_paths,
    plot_eigenvalues,
    plot_gradient_norm,
    plot_jacobian_norms,
    plot_latch_runs,
    plot_latch_sweep,
    plot_latch_weights,
    plot_loss_surface,
    plot_loss_surface_3d,
    plot_one_unit_states,
    plot_singular_values,
)
from rnn_course.plots.style import new_figure
from rnn_course.surfaces import CLIP_METHODS, descent_path, one_unit_surface
from rnn_course.tasks.latch import latch_sweep, train_latch_rnn


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


def test_gradient_figures(artifacts):
    norms, bounds, mats = {}, {}, {}
    for rho in (0.8, 1.0, 1.2):
        Wh = recurrent_matrix(16, rho, rng=0)
        norms[f"rho = {rho}"] = jacobian_norms(Wh, activation="linear", T=60)
        bounds[f"rho = {rho}"] = norm_bound(Wh, np.arange(60), "linear")
        mats[f"rho = {rho}"] = Wh
    fig = plot_jacobian_norms(norms, bounds)
    gids = {line.get_gid() for line in fig.axes[0].get_lines()}
    assert {"norm-rho = 0.8", "bound-rho = 1.2"} <= gids
    _save(fig, artifacts, "jacobian_norms")
    _save(plot_eigenvalues(mats["rho = 1.2"]), artifacts, "eigenvalues")
    _save(plot_singular_values(mats, activation="sigmoid"), artifacts, "singular_values")
    with pytest.raises(ValueError, match="^norms:"):
        plot_jacobian_norms({})
    with pytest.raises(ValueError, match="^activation:"):
        plot_eigenvalues(mats["rho = 1.2"], activation="softsign")


def test_latch_figures(artifacts):
    sweep = latch_sweep([3, 30], seeds=4, steps=60, rng=0)
    _save(plot_latch_sweep({"full BPTT": sweep}), artifacts, "latch_sweep")
    fig = plot_latch_weights(sweep.runs[1])
    assert len(fig.axes[0].get_lines()) == 4 + 1 + 2  # one per seed, the w = 1 line, two legend entries
    _save(fig, artifacts, "latch_weights")
    runs = [train_latch_rnn(20, steps=20, label="orthogonal", rng=0),
            train_latch_rnn(50, cell="rnn_relu", recurrent_init="identity", optimizer="sgd", lr=0.05,
                            steps=300, label="IRNN, no clipping", rng=0)]
    assert runs[1].stopped  # the overflow is marked with a cross
    _save(plot_latch_runs(runs), artifacts, "latch_runs")
    with pytest.raises(ValueError, match="^run:"):
        plot_latch_weights(sweep)
    with pytest.raises(ValueError, match="^sweeps:"):
        plot_latch_sweep({})


# -- demos ---------------------------------------------------------------------------------


def _drive(demo, moves):
    """Move every control once; each move must change the picture and raise nothing."""
    assert demo.error is None
    for name, value in moves.items():
        before = demo.png()
        demo.set(**{name: value})
        assert demo.error is None, f"{name}={value!r}: {demo.error}"
        assert demo.png() != before, f"moving {name} to {value!r} did not change the figure"
        assert demo.values[name] == pytest.approx(value) if not isinstance(value, str) else demo.values[name] == value


def test_cliff_demo_controls(artifacts):
    demo = cliff_demo()
    _drive(demo, {"lr": 1.0, "threshold": 0.1, "w0": 3.0, "b0": -1.0})
    line = next(a for a in demo.animated if a.get_gid() == "path-norm")
    want = descent_path(3.0, -1.0, lr=demo.values["lr"], steps=100, clip="norm", threshold=demo.values["threshold"])
    np.testing.assert_allclose(line.get_xdata(), want.w)
    for label, values in CLIFF_PRESETS.items():
        demo.set(**values)
        assert demo.error is None, label
    demo.set(**CLIFF_PRESETS["thrown off the cliff"])
    (artifacts / "lesson03_cliff_demo.png").write_bytes(demo.png())
    bundle = demo._repr_mimebundle_()
    assert "image/png" in bundle  # the static fallback for front ends without widgets


def test_spectral_radius_demo_controls(artifacts):
    demo = spectral_radius_demo()
    _drive(demo, {"rho": 1.2, "activation": "tanh", "input_scale": 2.5})
    norm_line = demo.animated[0]
    assert norm_line.get_ydata()[-1] < 1e-6  # tanh saturated by strong inputs: vanishing although rho > 1
    demo.set(activation="linear", rho=1.2)
    assert norm_line.get_ydata()[-1] > 1e3  # the linear network explodes
    for label, values in SPECTRAL_PRESETS.items():
        demo.set(**values)
        assert demo.error is None, label
    (artifacts / "lesson03_spectral_demo.png").write_bytes(demo.png())
    assert "image/png" in demo._repr_mimebundle_()


def test_demos_in_presenter_mode():
    for factory in (cliff_demo, spectral_radius_demo):
        demo = factory(presenter=True)
        assert demo.error is None and demo.presenter
        assert demo.figure.get_figwidth() > 11


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: cliff_demo(steps=0), "steps"),
        (lambda: cliff_demo(lr=-1.0), "lr"),
        (lambda: spectral_radius_demo(activation="sigmoid"), "activation"),
        (lambda: spectral_radius_demo(kind="unitary"), "kind"),
        (lambda: spectral_radius_demo(T=1), "T"),
    ],
)
def test_demo_arguments_are_checked(call, name):
    with pytest.raises(ValueError, match=f"^{name}:"):
        call()


def test_notebook_is_in_sync_with_its_twin():
    from pathlib import Path

    from rnn_course.tools.notebooks import render

    py = Path(__file__).resolve().parents[1] / "notebooks" / "03_vanishing_and_exploding_gradients.py"
    assert py.with_suffix(".ipynb").read_text(encoding="utf-8") == render(py)
