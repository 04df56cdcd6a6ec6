"""The gradient checker itself: it must catch real bugs, say where they are, and never cry wolf."""

from __future__ import annotations

import numpy as np
import planted_bugs
import pytest

from rnn_course import gradcheck, gradcheck_layer, numerical_gradient, rel_error
from rnn_course.cells import gru_forward, lstm_forward, rnn_backward, rnn_forward
from rnn_course.plots import plot_gradcheck

FORWARD = {"rnn": rnn_forward, "lstm": lstm_forward, "gru": gru_forward}
BUGS = {"rnn": planted_bugs.RNN_BUGS, "lstm": planted_bugs.LSTM_BUGS, "gru": planted_bugs.GRU_BUGS}
VARIANT = {
    "rnn": planted_bugs.rnn_backward_variant,
    "lstm": planted_bugs.lstm_backward_variant,
    "gru": planted_bugs.gru_backward_variant,
}
GATES = {"rnn": 1, "lstm": 4, "gru": 3}
N, T, D, H = 2, 4, 3, 5  # D != H so that a transposed gradient has the wrong shape


def inputs_for(cell, rng):
    G = GATES[cell]
    return dict(
        x=rng.standard_normal((N, T, D)),
        h0=rng.standard_normal((N, H)),
        Wx=0.5 * rng.standard_normal((D, G * H)),
        Wh=0.5 * rng.standard_normal((H, G * H)),
        b=0.2 * rng.standard_normal(G * H),
    )


def check_variant(cell, bug, inputs, seed=0, tol=1e-7):
    forward = FORWARD[cell]

    def analytic(dout):
        _, cache = forward(**inputs)
        return VARIANT[cell](dout, cache, bug)

    return gradcheck(lambda **kw: forward(**kw)[0], inputs, analytic, tol=tol, seed=seed)


@pytest.mark.parametrize("cell,bug", [(cell, bug) for cell, bugs in BUGS.items() for bug in bugs], ids=lambda v: str(v))
def test_planted_bug_is_caught_and_located(cell, bug, rng):
    description, must_flag, steps = BUGS[cell][bug]
    report = check_variant(cell, bug, inputs_for(cell, rng))
    assert not report.ok, f"{bug} ({description}) was not caught:\n{report}"
    assert must_flag <= set(report.failing), f"{bug}: expected {must_flag} flagged, got {report.failing}\n{report}"
    # Inputs the bug does not touch must not be blamed.
    correct = set(report.inputs) - set(report.failing)
    assert correct or report.failing, report
    if steps is not None:
        bad = report["x"].bad_steps(report.tol)
        expected = {"all": list(range(T)), "not_last": list(range(T - 1)), "last": [T - 1]}[steps]
        if steps == "last":
            assert T - 1 in bad, (bug, bad)
        else:
            assert bad == expected, (bug, bad, expected)
    assert "FAILED" in report.summary()
    for name in report.failing:
        assert name in str(report)


def test_at_least_five_bugs_per_cell():
    for cell, bugs in BUGS.items():
        assert len(bugs) >= 5, cell


def test_shape_bugs_are_reported_as_shape_mismatches(rng):
    report = check_variant("rnn", "bias_not_summed_over_batch", inputs_for("rnn", rng))
    assert report.failing == ["b"]
    assert "shape mismatch" in report["b"].problem
    report = check_variant("lstm", "dWx_transposed", inputs_for("lstm", rng))
    assert report.failing == ["Wx"]
    assert "(20, 3)" in report["Wx"].problem and "(3, 20)" in report["Wx"].problem


def test_last_step_skipped_is_located_at_the_last_step(rng):
    report = check_variant("rnn", "last_step_skipped", inputs_for("rnn", rng))
    assert report["x"].worst_index[1] == T - 1 or T - 1 in report["x"].bad_steps(report.tol)
    # the last step's dx is exactly zero in the buggy version, the worst possible relative error
    assert report["x"].time_errors[T - 1] > 1e-3


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_correct_code_never_fails_across_200_seeds(cell):
    """No false alarms: the correct (independent) implementation passes for 200 random seeds."""
    forward = FORWARD[cell]
    worst = 0.0
    for seed in range(200):
        rng = np.random.default_rng(seed)
        n, t, d, h = (int(v) for v in rng.integers(1, 4, size=4))
        G = GATES[cell]
        inputs = dict(
            x=rng.standard_normal((n, t, d)),
            h0=rng.standard_normal((n, h)),
            Wx=0.8 * rng.standard_normal((d, G * h)),
            Wh=0.8 * rng.standard_normal((h, G * h)),
            b=0.5 * rng.standard_normal(G * h),
        )

        def analytic(dout, inputs=inputs):
            _, cache = forward(**inputs)
            return VARIANT[cell](dout, cache, None)

        report = gradcheck(lambda **kw: forward(**kw)[0], inputs, analytic, tol=1e-7, seed=seed)
        assert report.ok, f"seed {seed}:\n{report}"
        worst = max(worst, report.max_error)
    assert worst < 1e-7


def test_numerical_gradient_of_known_functions():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(v**3), x), 3 * x**2, rtol=1e-8)
    dout = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(numerical_gradient(np.sin, x, dout), np.cos(x) * dout, rtol=1e-8)
    # tuple outputs: the gradient of the sum over both
    g = numerical_gradient(lambda v: (v * 2, v**2), x, (np.ones_like(x), np.ones_like(x)))
    np.testing.assert_allclose(g, 2 + 2 * x, rtol=1e-8)


def test_numerical_gradient_and_gradcheck_never_mutate_inputs(rng):
    x = rng.standard_normal((3, 4))
    before = x.copy()
    numerical_gradient(lambda v: np.sum(v**2), x)
    np.testing.assert_array_equal(x, before)
    inputs = inputs_for("rnn", rng)
    copies = {k: v.copy() for k, v in inputs.items()}
    report = gradcheck_layer(rnn_forward, rnn_backward, inputs)
    assert report.ok
    for k in inputs:
        np.testing.assert_array_equal(inputs[k], copies[k])


def test_gradcheck_reports_a_function_that_mutates_its_inputs(rng):
    def sneaky(x, w):
        out = x * w
        w[...] = 0.0  # the output is right, but the caller's w is destroyed
        return out

    x, w = rng.standard_normal(3), rng.standard_normal(3)
    report = gradcheck(sneaky, {"x": x, "w": w}, lambda dout: {"x": dout * w, "w": dout * x})
    # values are right, but mutation is flagged
    assert all(r.ok for r in report.inputs.values())
    assert not report.ok and report.mutated
    assert "modified its inputs" in report.summary()


def test_rel_error_definition():
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert rel_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    # max |a-b| / max(|a|+|b|)
    assert rel_error([1.0, 0.0], [1.1, 0.0]) == pytest.approx(0.1 / 2.1)
    # tiny entries do not blow up the error when the array's scale is large
    assert rel_error([1.0, 1e-12], [1.0, 2e-12]) < 1e-11
    assert rel_error([np.nan], [1.0]) == float("inf")
    with pytest.raises(ValueError, match="b: expected shape"):
        rel_error(np.zeros(2), np.zeros(3))


def test_report_table_html_and_plot(rng, artifacts):
    report = check_variant("rnn", "dh_prev_not_accumulated", inputs_for("rnn", rng))
    text = str(report)
    assert "WRONG" in text and "t = 0..2 (of 0..3)" in text
    html = report._repr_html_()
    assert "<table>" in html and "WRONG" in html
    fig = plot_gradcheck(report)
    fig.savefig(artifacts / "gradcheck_report_dh_prev_not_accumulated.png", dpi=90)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert any(t.startswith("x: WRONG") for t in titles)
    panels = [ax for ax in fig.axes if ax.get_title()]  # one per input (colour bars have no title)
    rows = {round(ax.get_position().y0, 3) for ax in panels}
    assert len(panels) == len(report.inputs) == 5 and len(rows) == 2  # three to a row, not a 5-panel strip
    ok = gradcheck_layer(rnn_forward, rnn_backward, inputs_for("rnn", rng))
    assert "passed" in ok.summary() and "<table>" in ok._repr_html_()
    plot_gradcheck(ok)


def test_gradcheck_accepts_tuple_and_dict_analytic_and_scalar_output(rng):
    x = rng.standard_normal(4)
    rep = gradcheck(lambda x: float(np.sum(x**2)), {"x": x}, {"x": 2 * x})
    assert rep.ok
    rep = gradcheck(lambda x: x**2, {"x": x}, lambda dout: (2 * x * dout,))
    assert rep.ok
    with pytest.raises(ValueError, match="analytic"):
        gradcheck(lambda x: x, {"x": x}, 3.0)


def test_non_finite_analytic_gradient_is_reported(rng):
    x = rng.standard_normal(3)
    rep = gradcheck(lambda x: x * 2, {"x": x}, lambda dout: {"x": np.full(3, np.nan)})
    assert not rep.ok and "non-finite" in rep["x"].problem


def test_numerical_gradient_of_a_fortran_ordered_input():
    """A transposed or column-sliced array (Fortran order) is perturbed like any other, not left at zero."""
    rng = np.random.default_rng(3)
    W = rng.standard_normal((4, 6)).T  # (6, 4), Fortran order
    assert W.flags.f_contiguous and not W.flags.c_contiguous
    A = rng.standard_normal((4, 6))
    grad = numerical_gradient(lambda w: float(np.sum(np.tanh(w) * A.T)), W)
    np.testing.assert_allclose(grad, (1 - np.tanh(W) ** 2) * A.T, rtol=1e-7, atol=1e-9)
    cols = rng.standard_normal((5, 12))[:, 4:8]  # a column slice: neither C nor F contiguous
    grad = numerical_gradient(lambda w: float(np.sum(w**2)), cols)
    np.testing.assert_allclose(grad, 2 * cols, rtol=1e-7, atol=1e-9)
