"""grading/feedback.py: check, hint, check_all and needs in a notebook (each outcome: test_grading_checks_*)."""

from __future__ import annotations

import numpy as np
import pytest
from grading_support import define, grading_env, namespace

from rnn_course.grading import ITEMS, check, check_all, hint, needs
from rnn_course.grading.result import Result


@pytest.fixture(autouse=True)
def _not_grading():
    with grading_env(None):
        yield


def test_checks_leave_the_global_random_state_alone():
    ns = namespace("solutions", "05_language_model")
    state = np.random.get_state(legacy=False)  # noqa: NPY002 - the state a student's notebook would see
    check("sample_next_token", ns["sample_next_token"])
    check("rnn_step_forward", namespace("solutions", "01_forward_pass")["rnn_step_forward"])
    after = np.random.get_state(legacy=False)  # noqa: NPY002
    assert np.array_equal(state["state"]["key"], after["state"]["key"]) and state["state"]["pos"] == after["state"][
        "pos"]


def test_checks_use_fresh_inputs_each_time():
    seen = []

    def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
        seen.append(x.copy())
        a = x @ Wx + h_prev @ Wh + b
        return (np.tanh(a) if activation == "tanh" else np.maximum(a, 0)), None

    check("rnn_step_forward", rnn_step_forward)
    first = list(seen)
    seen.clear()
    check("rnn_step_forward", rnn_step_forward)
    assert not np.array_equal(first[0], seen[0])
    shapes = {s.shape for s in first}
    assert (1, 1) in shapes  # the N=1, D=1 edge case


def test_four_outcomes_are_distinct_and_show_in_html():
    ns = namespace("solutions", "01_forward_pass")
    outcomes = {
        "correct": check("softmax", ns["softmax"]),
        "not attempted": check("softmax", define("def softmax(x, axis=-1):\n    raise NotImplementedError\n",
                                                 ns, "softmax")),
        "error": check("softmax", define("def softmax(x, axis=-1):\n    return x.nope\n", ns, "softmax")),
        "incorrect": check("softmax", define("def softmax(x, axis=-1):\n    return x * 0.0\n", ns, "softmax")),
    }
    for status, result in outcomes.items():
        assert isinstance(result, Result) and result.status == status, result
        assert status in result._repr_html_() and status in str(result)
    assert "AttributeError" in outcomes["error"].message and "return x.nope" in outcomes["error"].message
    assert "all zeros" in outcomes["incorrect"].text()


def test_hints_count_up_and_stop_at_the_last():
    item = ITEMS["rnn_backward"]
    shown = [hint("rnn_backward") for _ in range(len(item.hints) + 1)]
    assert [h.number for h in shown] == [*range(1, len(item.hints) + 1), len(item.hints)]
    assert hint("rnn_backward", 1).text == item.hints[0]
    assert "Hint 1 of" in hint("rnn_backward", 1)._repr_html_()
    with pytest.raises(ValueError, match="number: expected a hint number from 1 to"):
        hint("rnn_backward", 99)
    with pytest.raises(ValueError, match="did you mean 'rnn_forward'"):
        check("rnn_forwad", None)


def test_every_item_has_hints_and_a_summary():
    for item in ITEMS.values():
        assert len(item.hints) >= 2 and item.summary, item.name
        assert item.function in item.name


def test_needs_explains_a_stub_and_lets_real_errors_through(capsys):
    def stub():
        raise NotImplementedError("write your code here")

    with needs("rnn_forward"):
        stub()
    assert "needs rnn_forward, which is not implemented yet" in capsys.readouterr().out
    with pytest.raises(ZeroDivisionError), needs("rnn_forward"):
        _ = 1 / 0


def test_checks_are_skipped_inside_the_grader():
    with grading_env("1"):
        result = check("softmax", lambda x, axis=-1: x)
        assert result.status == "skipped" and result.points == 0
        assert check_all("01_forward_pass", {}).skipped
