"""Checks, outcome *correct*: every solution scores full marks, and so do honest variants of it."""

from __future__ import annotations

import pytest
from grading_support import check_source, grading_env, namespace

from rnn_course.grading import EXERCISES, ITEMS, check


@pytest.fixture(autouse=True)
def _not_grading():
    with grading_env(None):
        yield


ALL_ITEMS = [(item.exercise, item.name) for items in EXERCISES.values() for item in items]


@pytest.mark.parametrize(("exercise", "name"), ALL_ITEMS)
def test_solution_scores_full_marks(exercise, name):
    ns = namespace("solutions", exercise)
    item = ITEMS[name]
    result = check(name, ns[item.function])
    assert result.status == "correct", result
    assert result.points == item.points
    assert result.message == "correct"


HONEST = [
    # each item forbids its own references only: the package's tanh is not rnn_step_forward's reference
    ("rnn_step_forward", '''
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    from rnn_course.activations import relu, tanh
    a = x @ Wx + h_prev @ Wh + b
    return (tanh(a) if activation == "tanh" else relu(a)), None
'''),
    # a loss returned as a 0-d array is a number (it used to arrive as shape (1,): "did you forget to sum?")
    ("softmax_cross_entropy", '''
def softmax_cross_entropy(logits, y, mask=None):
    loss, dlogits = REF(logits, y, mask)
    return np.array(loss), dlogits
'''),
    # the same maths in another order: float64 rounding is far inside the tolerance
    ("softmax", '''
def softmax(x, axis=-1):
    z = x - x.max(axis=axis, keepdims=True)
    return np.exp(z - np.log(np.exp(z).sum(axis=axis, keepdims=True)))
'''),
    ("rnn_backward", '''
def rnn_backward(dh, cache, truncate=None):
    dx, dh0, dWx, dWh, db = FULL(dh, cache, truncate)
    return dx.copy(order="F"), dh0, dWx.T.copy().T, dWh, db
'''),
]


@pytest.mark.parametrize(("name", "source"), HONEST, ids=[h[0] for h in HONEST])
def test_honest_variants_score_full_marks(name, source):
    result = check_source(name, source)
    assert result.status == "correct", result.text()
