"""The cells read like the lessons' maths: checked on their source, not only on their numbers.

* every sequence backward pass holds its own ``for t in reversed(range(T))`` loop;
* the gates are ``sigmoid``/``tanh`` from ``rnn_course.activations`` applied to named slices (i, f, g, o; r, z, n),
  with no weights rescaled to turn a tanh into a sigmoid;
* the BPTT loop lesson 02 writes out is the package's loop: the same statements, in the same order.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from pathlib import Path

import pytest

from rnn_course.cells import gru, lstm, rnn

ROOT = Path(__file__).resolve().parent.parent


def _function(source: str, name: str) -> ast.FunctionDef:
    for node in ast.walk(ast.parse(textwrap.dedent(source))):
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    raise AssertionError(f"no function {name}")


def _reversed_time_loops(fn: ast.FunctionDef) -> list[ast.For]:
    return [node for node in ast.walk(fn) if isinstance(node, ast.For)
            and ast.unparse(node.iter) == "reversed(range(T))"]


@pytest.mark.parametrize("module, name", [(rnn, "rnn_backward"), (lstm, "lstm_backward"), (gru, "gru_backward"),
                                          (rnn, "rnn_backward_window"), (lstm, "lstm_backward_window"),
                                          (gru, "gru_backward_window")])
def test_every_sequence_backward_holds_its_loop_over_time(module, name):
    fn = _function(inspect.getsource(module), name)
    loops = [node for node in ast.walk(fn) if isinstance(node, ast.For)]
    assert loops, f"{name} has no loop over time of its own"
    if not name.endswith("_window"):
        assert _reversed_time_loops(fn), f"{name}: expected 'for t in reversed(range(T))'"


@pytest.mark.parametrize("module, name, gates", [
    (lstm, "_lstm_step_forward", {"i": "sigmoid", "f": "sigmoid", "g": "tanh", "o": "sigmoid"}),
    (gru, "_gru_step_forward", {"r": "sigmoid", "z": "sigmoid", "n": "tanh"}),
])
def test_gates_are_named_and_use_sigmoid_and_tanh(module, name, gates):
    fn = _function(inspect.getsource(module), name)
    assigned = {}
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Call):
            assigned[node.targets[0].id] = ast.unparse(node.value.func)
    for gate, function in gates.items():
        assert assigned.get(gate) == function, f"{name}: expected {gate} = {function}(...), got {assigned.get(gate)}"
    source = inspect.getsource(module)
    assert "from ..activations import sigmoid, tanh" in source
    assert "0.5" not in ast.unparse(fn), "no halved weights: sigmoid is sigmoid"


def _loop_statements(fn: ast.FunctionDef) -> list[str]:
    (loop,) = _reversed_time_loops(fn)
    return [ast.unparse(stmt).split("\n")[0] for stmt in loop.body if not isinstance(stmt, ast.If)]


def test_lesson_02_writes_out_the_package_loop():
    lesson = (ROOT / "notebooks" / "02_backpropagation_through_time.py").read_text(encoding="utf-8")
    ours = _loop_statements(_function(lesson, "rnn_backward_loop"))
    package = _loop_statements(_function(inspect.getsource(rnn), "rnn_backward"))
    # the package goes through tanh or relu with one helper; the lesson writes the tanh case out
    package = [s.replace("_activation_backward(dh_t, cache.steps[t].h, cache.activation)",
                         "dh_t * (1 - h[:, t] ** 2)").replace("cache.", "") for s in package]
    assert ours == package


def test_solution_02_names_its_loop_like_the_package():
    solution = (ROOT / "solutions" / "02_bptt.py").read_text(encoding="utf-8")
    fn = _function(solution, "rnn_backward")
    (loop,) = _reversed_time_loops(fn)
    text = ast.unparse(loop)
    for piece in ("dh_all = dh[:, t] + dh_next", "t > 0 and (t % truncate == 0)", "dh_next = np.zeros((N, H))"):
        assert piece in text, piece
