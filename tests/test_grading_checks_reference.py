"""Checks, outcome *reference*: a graded function that calls or copies the course's reference scores 0."""

from __future__ import annotations

import numpy as np
import pytest
from grading_support import define, grading_env, namespace

from rnn_course.grading import check


@pytest.fixture(autouse=True)
def _not_grading():
    with grading_env(None):
        yield


def test_calling_the_reference_scores_zero_however_it_is_reached():
    import rnn_course
    from rnn_course import cells
    from rnn_course.cells import rnn as rnn_module

    ways = {
        "package attribute": lambda x, h, Wx, Wh, b, activation="tanh": rnn_course.rnn_step_forward(x, h, Wx, Wh, b,
                                                                                                     activation),
        "imported name": lambda x, h, Wx, Wh, b, activation="tanh": rnn_module.rnn_step_forward(x, h, Wx, Wh, b,
                                                                                                 activation),
        "CELLS table": lambda x, h, Wx, Wh, b, activation="tanh": (
            cells.CELLS["rnn"].forward(x[:, None], h, Wx, Wh, b)[0][:, 0], None),
        "the reference itself": rnn_course.rnn_step_forward,
    }
    for label, fn in ways.items():
        result = check("rnn_step_forward", fn, namespace={})
        assert result.status == "incorrect" and result.points == 0, (label, result)
        assert "reference implementation" in result.message, (label, result)


def test_swallowing_the_trap_does_not_help():
    import rnn_course

    def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
        try:
            return rnn_course.rnn_step_forward(x, h_prev, Wx, Wh, b, activation)
        except Exception:  # noqa: BLE001
            a = x @ Wx + h_prev @ Wh + b
            return (np.tanh(a) if activation == "tanh" else np.maximum(a, 0)), None

    result = check("rnn_step_forward", rnn_step_forward)
    assert result.points == 0 and "reference implementation" in result.message


def test_a_verbatim_copy_of_the_reference_scores_zero():
    import inspect

    from rnn_course import activations

    source = inspect.getsource(activations.softmax)
    fn = define(source, {"np": np}, "softmax")
    result = check("softmax", fn)
    assert result.points == 0 and "verbatim copy" in result.message, result


def test_reference_functions_are_untouched_after_a_check():
    import inspect

    import rnn_course

    before = inspect.signature(rnn_course.rnn_forward)
    check("rnn_forward", lambda *a, **k: rnn_course.rnn_forward(*a, **k))
    assert inspect.signature(rnn_course.rnn_forward) == before
    h, _ = rnn_course.rnn_forward(np.zeros((1, 2, 3)), np.zeros((1, 4)), np.zeros((3, 4)), np.zeros((4, 4)),
                                  np.zeros(4))
    assert h.shape == (1, 2, 4)


def test_package_code_may_call_a_forbidden_reference_for_the_student():
    """gradcheck uses numerical_gradient internally: a student checking gradients inside a graded function is fine."""
    from rnn_course import gradcheck_layer
    from rnn_course.grading.isolation import references

    ns = namespace("solutions", "02_bptt")
    with references.armed(["rnn_course.gradcheck:numerical_gradient"], "numerical_gradient") as calls:
        report = gradcheck_layer(ns["rnn_step_forward"], ns["rnn_step_backward"],
                                 dict(x=np.ones((1, 2)), h_prev=np.zeros((1, 2)), Wx=np.eye(2) * 0.5,
                                      Wh=np.eye(2) * 0.3, b=np.zeros(2)))
    assert report.ok and calls == []
