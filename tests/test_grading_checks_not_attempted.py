"""Checks, outcome *not attempted*: the generated exercise's stubs, item by item and for a whole set."""

from __future__ import annotations

import pytest
from grading_support import EXERCISE_SETS, grading_env, namespace

from rnn_course.grading import EXERCISES, ITEMS, check, check_all


@pytest.fixture(autouse=True)
def _not_grading():
    with grading_env(None):
        yield


ALL_ITEMS = [(item.exercise, item.name) for items in EXERCISES.values() for item in items]


@pytest.mark.parametrize(("exercise", "name"), ALL_ITEMS)
def test_exercise_stub_is_not_attempted(exercise, name):
    ns = namespace("exercises", exercise)
    result = check(name, ns[ITEMS[name].function])
    assert result.status == "not attempted", result
    assert result.points == 0
    assert "NotImplementedError" in result.message


@pytest.mark.parametrize("exercise", EXERCISE_SETS)
def test_check_all_on_solution_and_exercise(exercise):
    full = check_all(exercise, namespace("solutions", exercise))
    assert full.full_marks and full.score >= full.max_score > 0, full
    blank = check_all(exercise, namespace("exercises", exercise))
    assert blank.score == 0 and {r.status for r in blank.results} == {"not attempted"}, blank
    assert f"0 / {blank.max_score:g} points" in str(blank)
    assert "not attempted" in blank._repr_html_()
    bonus = sum(item.points for item in EXERCISES[exercise] if item.bonus)
    assert (f"(including {bonus:g} bonus)" in str(full)) == (bonus > 0), full  # why 12 / 10 is possible
    assert "bonus)" not in str(blank).splitlines()[0] and "bonus)" not in blank._repr_html_().split("</b>")[0]
