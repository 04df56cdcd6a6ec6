"""Checks, outcome *error*: an exception says its type, message, the student's line and a likely cause."""

from __future__ import annotations

import pytest
from grading_support import check_source, grading_env


@pytest.fixture(autouse=True)
def _not_grading():
    with grading_env(None):
        yield


# (item, source of a wrong variant, status, points, fragments the message must contain)
BUGS = [
    ("rnn_step_forward", """
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    a = x @ Wx.T + h_prev @ Wh + b
    return np.tanh(a), None
""", "error", 0, ["ValueError", "a = x @ Wx.T + h_prev @ Wh + b", "missing or extra transpose"]),
    ("rnn_backward[truncate]", """
def rnn_backward(dh, cache):
    return FULL(dh, cache)
""", "error", 0, ["unexpected keyword argument", "truncate=None"]),
]


@pytest.mark.parametrize(("name", "source", "status", "points", "fragments"), BUGS,
                         ids=[f"{b[0]}-{i}" for i, b in enumerate(BUGS)])
def test_known_error_gets_its_diagnosis(name, source, status, points, fragments):
    result = check_source(name, source)
    text = result.text()
    assert result.status == status, text
    assert result.points == pytest.approx(points, abs=0.01), text
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in {text!r}"


def test_a_failing_step_makes_the_sequence_items_say_fix_the_step_first():
    """rnn_backward calls the student's rnn_step_backward: when the step raises, the BPTT items were bare errors."""
    from grading_support import solution_source

    broken_step = '''
def rnn_step_backward(dh, cache):
    x, h_prev, h, Wx, Wh, activation = cache
    return (dh @ Wx).T, None, None, None, None
'''
    source = broken_step + "\n" + solution_source("02_bptt", "rnn_backward")
    for item in ("rnn_backward", "rnn_backward[truncate]"):
        result = check_source(item, source)
        assert result.status in ("error", "incorrect") and result.points == 0, result.text()
        assert "fix rnn_step_backward first" in result.text(), result.text()


WEIRD = ["'a string'", "{'h': 1}", "[[1, 2], 'x']", "(None, None, None, None, None, None, None)", "10**400",
         "np.array(['a', 'b'])", "float('nan')", "True", "((1, 2), (3, (4, 5)))"]


@pytest.mark.parametrize("value", WEIRD)
def test_whatever_a_function_returns_the_check_blames_the_function_not_the_course(value):
    """A value no check expects must come back as the student's error ("your X returned ..."), never as "a bug in
    the course"."""
    from grading_support import bug_namespace, define

    from rnn_course.grading import ITEMS, check

    for name, item in ITEMS.items():
        ns = bug_namespace(item.exercise)
        args = "*args, **kwargs"
        fn = define(f"def {item.function}({args}):\n    return {value}\n", ns, item.function)
        result = check(name, fn, namespace={**ns, item.function: fn})
        assert result.points == 0 and "bug in the course" not in result.text(), (name, result.text())
