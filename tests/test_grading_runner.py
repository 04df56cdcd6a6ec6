"""grading/isolation/runner.py and harness.py: a call into student code, and what comes back.

The notebook's runner (``LocalRunner``) sends every request and reply through the same bytes as the
grader's pipe, so a function behaves the same in both; replies are checked field by field.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course.grading import wire
from rnn_course.grading.isolation import harness as harness_module
from rnn_course.grading.isolation.runner import LocalRunner, Runner


def test_harness_reports_mutation_warnings_global_rng_and_the_line_that_raised():
    def mutates(x, y):
        x += 1
        return x.sum()

    def warns(x, y):
        return np.exp(x * 1000.0)

    def global_rng(x, y):
        return np.random.random()  # noqa: NPY002 - the point: a student using the global state

    def raises(x, y):
        z = x @ y.T
        return z

    runner = LocalRunner({"mutates": mutates, "warns": warns, "global_rng": global_rng, "raises": raises})
    args = {"x": np.ones((2, 3)), "y": np.ones((3, 2))}
    out = runner.call("mutates", args)
    assert out.ok and out.mutated == ["x"] and out.value == 12.0
    assert args["x"][0, 0] == 1.0  # the judge's arrays are never the ones the student changed
    out = runner.call("warns", args)
    assert any("overflow" in w for w in out.warnings)
    state = np.random.get_state(legacy=False)  # noqa: NPY002
    assert runner.call("global_rng", args).global_rng
    np.random.set_state(state)  # noqa: NPY002 - undo what the student function above did
    out = runner.call("raises", args)
    assert out.status == "error" and out.error["type"] == "ValueError"
    assert out.error["where"]["function"] == "raises" and out.error["where"]["source"] == "z = x @ y.T"
    assert runner.call("missing", args).status == "missing"


def test_kept_values_stay_on_the_student_side_and_come_back_by_reference():
    def forward(x):
        return x * 2, {"x": x, "obj": object()}

    def backward(d, cache):
        return d * cache["x"]

    def learning_rate(optimizer):
        return optimizer.lr

    runner = LocalRunner({"forward": forward, "backward": backward, "learning_rate": learning_rate})
    out = runner.call("forward", {"x": np.arange(3.0)}, keep=True, opaque=[(1,)])
    assert isinstance(out.value[1], wire.Opaque) and out.ref is not None
    back = runner.call("backward", {"d": np.ones(3), "cache": wire.Ref(out.ref.handle, (1,))})
    assert np.array_equal(back.value, np.arange(3.0))
    stored = runner.store({"w": np.zeros(2)})
    assert np.array_equal(runner.fetch(stored)["w"], np.zeros(2))
    opt = runner.make(wire.Factory("optimizer", {"kind": "SGD", "lr": 0.1}))
    assert runner.call("learning_rate", {"optimizer": opt}).value == 0.1


def test_the_notebook_runner_sends_the_same_bytes_as_the_graders_pipe():
    """`activation is "tanh"` was True in the notebook (the same string object went in) and False in the grader
    (a string read from JSON is a new one): a pass in the notebook, a fail in the grader. Now both see the
    string the pipe delivers."""
    import warnings

    seen: list = []
    scope = {"seen": seen}
    with warnings.catch_warnings():  # Python warns about it at compile time (SyntaxWarning): the honest slip
        warnings.simplefilter("ignore", SyntaxWarning)
        exec(compile('def step(x, activation="tanh"):\n    seen.append(activation is "tanh")\n    return x\n',
                     "<student>", "exec"), scope)  # noqa: S102
    step = scope["step"]
    step(1.0, "tanh")
    assert seen == [True]  # called directly in a notebook with a literal: the same object, so True
    seen.clear()
    out = LocalRunner({"step": step}).call("step", {"x": np.ones(2)}, {"activation": "tanh"})
    assert out.ok and seen == [False]
    header = {"status": "ok", "value": wire.encode("tanh", [])}
    assert Runner._outcome(header, []).value == "tanh"


@pytest.mark.parametrize("reply", [
    "not an object",
    {"status": "passed with flying colours"},
    {"status": "ok", "seconds": "fast"},
    {"status": "ok", "mutated": "x"},
    {"status": "ok", "warnings": [1, 2]},
    {"status": "ok", "global_rng": "no"},
    {"status": "ok", "handle": "3"},
    {"status": "ok", "args_after": {"zero": {"t": "none"}}},
    {"status": "error", "error": ["not", "a", "dict"]},
    {"status": "ok", "value": {"t": "pickle", "v": "..."}},
])
def test_a_malformed_reply_is_a_protocol_error_not_a_crash_of_the_judge(reply):
    with pytest.raises(wire.ProtocolError):
        Runner._outcome(reply, [])


def test_error_fields_are_cut_to_size_and_to_their_kinds():
    reply = {"status": "error", "error": {"type": "X" * 500, "message": "m" * 10_000, "where": {
        "function": "f", "line": "seven", "source": "s" * 1000, "extra": "dropped"}}}
    out = Runner._outcome(reply, [])
    assert len(out.error["type"]) == 100 and len(out.error["message"]) == 2000
    assert out.error["where"] == {"function": "f", "line": None, "source": "s" * 200}


def test_a_verbatim_copy_is_recognised_on_the_judges_side_from_the_signature():
    import inspect

    from rnn_course import activations

    scope = {"np": np}
    exec(inspect.getsource(activations.softmax), scope)  # noqa: S102 - a student's pasted copy
    out = LocalRunner({"softmax": scope["softmax"]}).call("softmax", {"x": np.ones((2, 3))})
    assert out.status == "reference" and out.copied == "rnn_course.activations.softmax"


def test_a_call_past_its_time_is_interrupted_by_the_alarm(monkeypatch):
    def spin():
        while True:
            pass

    harness = harness_module.Harness({"spin": spin}, grading=True)
    blobs: list = []
    request = {"op": "call", "function": "spin", "arg_names": [], "args": wire.encode((), blobs),
               "kwargs": wire.encode({}, blobs), "seconds": 0.3}
    reply, _ = harness.handle(request, blobs)
    assert reply["status"] == "timeout"
