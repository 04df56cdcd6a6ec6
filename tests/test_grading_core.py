"""The grading machinery below the checks: the wire format, the student-side harness, the reference traps,
the sandboxed process, and the diagnoses."""

from __future__ import annotations

import struct
import time

import numpy as np
import pytest

from rnn_course.grading import wire
from rnn_course.grading.checks import diagnose
from rnn_course.grading.checks.framework import Case, Out, compare
from rnn_course.grading.isolation import references
from rnn_course.grading.isolation.runner import LocalRunner
from rnn_course.grading.isolation.sandbox import ProcessRunner

# ---------------------------------------------------------------------------------------------- wire


def _roundtrip(value, **kw):
    blobs: list = []
    enc = wire.encode(value, blobs, **kw)
    return wire.decode(enc, blobs)


def test_plain_data_round_trips_as_copies():
    rng = np.random.default_rng(0)
    value = {"a": rng.standard_normal((2, 3)), "b": [1, 2.5, None, True, "s"], "c": (np.float32(1.5), np.int64(7)),
             "d": np.arange(6).reshape(2, 3).T, "e": complex(1, 2), "f": float("nan")}
    back = _roundtrip(value)
    assert np.array_equal(back["a"], value["a"]) and back["a"] is not value["a"]
    assert back["b"] == [1, 2.5, None, True, "s"]
    assert back["c"][0].dtype == np.float32 and back["c"][1] == 7 and isinstance(back["c"][1], np.int64)
    assert np.array_equal(back["d"], value["d"]) and back["e"] == complex(1, 2) and np.isnan(back["f"])


def test_objects_that_are_not_plain_data_stay_behind_as_opaque_references():
    class Cache:
        pass

    value = (np.ones(2), Cache(), np.array([object()], dtype=object))
    back = _roundtrip(value, handle=5)
    assert isinstance(back[1], wire.Opaque) and back[1].type_name == "Cache" and back[1].ref == wire.Ref(5, (1,))
    assert isinstance(back[2], wire.Opaque)
    forced = _roundtrip((np.ones(2), np.zeros(3)), handle=1, opaque_paths=[(1,)])
    assert isinstance(forced[1], wire.Opaque)


@pytest.mark.parametrize("hostile", [
    {"t": "nd", "dtype": "|O", "shape": [1], "b": 0},
    {"t": "nd", "dtype": "<f8", "shape": [10], "b": 0},
    {"t": "nd", "dtype": "<f8", "shape": [1], "b": 7},
    {"t": "ref", "handle": 1},
    {"t": "rng", "seed": "1"},
    {"t": "pickle", "v": "x"},
    {"t": "int", "v": "9" * 1000},
    {"t": "int", "v": "1", "np": "__import__"},
    "not a dict",
])
def test_the_judge_decodes_only_plain_data(hostile):
    with pytest.raises(wire.ProtocolError):
        wire.decode(hostile, [b"\x00" * 8])


def test_frames_over_the_limit_are_refused():
    header = b'{"blobs": 1}'
    data = struct.pack(">Q", len(header)) + header + struct.pack(">Q", 10**12)
    stream = iter([data[:8], data[8:8 + len(header)], data[8 + len(header):]])
    with pytest.raises(wire.ProtocolError, match="over the limit|more than"):
        wire.read_frame(lambda n: next(stream), limit=1000)


# ---------------------------------------------------------------------------------------------- harness


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


# ---------------------------------------------------------------------------------------------- references


def test_armed_traps_restore_the_package_and_trust_only_its_core_code():
    import rnn_course
    from rnn_course.cells import rnn as rnn_module

    code = rnn_module.rnn_step_forward.__code__
    x, h, Wx, Wh, b = np.ones((1, 2)), np.zeros((1, 3)), np.ones((2, 3)), np.eye(3), np.zeros(3)
    with references.armed(["rnn_course.cells"]) as calls:
        with pytest.raises(references.ReferenceCalled):
            rnn_course.rnn_step_forward(x, h, Wx, Wh, b)
        assert calls == ["rnn_course.cells.rnn:rnn_step_forward"]
    assert rnn_module.rnn_step_forward.__code__ is code
    with references.armed(["rnn_course.cells:rnn_forward"]) as calls:
        # the jacobians module (not forbidden) runs rnn_forward for the caller: allowed
        states = rnn_course.jacobians.simulate_states(np.eye(3) * 0.5, T=4)
    assert states.shape == (4, 3) and calls == []


def test_forbidden_specs_resolve_to_functions():
    found = references.forbidden_functions(["rnn_course.activations:softmax"], "clip_grad_norm")
    assert set(found) == {"rnn_course.activations:softmax", "rnn_course.optim:clip_grad_norm"}
    whole = references.forbidden_functions(["rnn_course.cells"])
    assert "rnn_course.cells.lstm:lstm_step_backward" in whole
    assert not any(k.startswith("rnn_course.grading") for k in whole)


# ---------------------------------------------------------------------------------------------- sandbox


@pytest.mark.slow
def test_the_sandbox_skips_a_cell_that_hangs_or_kills_and_limits_memory():
    cells = ["import numpy as np\nimport os\nimport rnn_course", "def f(n):\n    return np.ones(n).sum()",
             "while True:\n    pass", "def g():\n    os._exit(4)", "os._exit(2)",
             "def h():\n    while True:\n        pass"]
    with ProcessRunner(cells, memory_mb=600, timeout=4, disable=["rnn_course.activations:softmax"]) as runner:
        assert runner.start()
        assert set(runner.skip) == {2, 4} and "did not finish" in runner.skip[2] and "status 2" in runner.skip[4]
        runner.begin_item(5)
        assert runner.call("f", {"n": 10}).value == 10.0
        big = runner.call("f", {"n": 10**9})  # 8 GB
        assert big.status == "error" and big.error["type"] == "MemoryError"
        assert runner.call("g", {}).status == "crashed"
        runner.begin_item(1)
        hung = runner.call("h", {})
        assert hung.status == "timeout" and "1 s" in hung.detail
        runner.begin_item(5)
        assert runner.call("f", {"n": 3}).value == 3.0  # a fresh process after the kill


@pytest.mark.slow
def test_a_submission_that_stops_reading_cannot_block_the_grader():
    cells = ["import os, time\nimport numpy as np\ndef f(x):\n    return x.sum()",
             "os.read = lambda fd, n: time.sleep(3600)"]
    with ProcessRunner(cells, timeout=10) as runner:
        assert runner.start()
        runner.begin_item(2)
        start = time.perf_counter()
        out = runner.call("f", {"x": np.ones((1000, 1000))})  # 8 MB: far more than a pipe holds
        assert out.status == "timeout" and time.perf_counter() - start < 10


# ---------------------------------------------------------------------------------------------- diagnose


@pytest.mark.parametrize(("got", "expected", "spec", "dims", "fragment"), [
    ((3, 5), (5,), ("H",), {"N": 3, "H": 5}, "did you forget to sum over the batch"),
    ((5, 4), (4, 5), ("D", "H"), {"D": 4, "H": 5}, "transposed"),
    ((6, 3, 5), (3, 6, 5), ("N", "T", "H"), {"N": 3, "T": 6, "H": 5}, "batch-first"),
    ((3, 1, 5), (3, 5), ("N", "H"), {"N": 3, "H": 5}, "keepdims"),
    ((3,), (3, 5), ("N", "H"), {"N": 3, "H": 5}, "the axis H is missing"),
])
def test_shape_messages_name_the_likely_mistake(got, expected, spec, dims, fragment):
    message = diagnose.shape_problem("x", got, expected, spec, dims)
    assert fragment in message and diagnose.fmt_shape(spec, dims) in message


def test_value_messages_locate_time_steps_gate_blocks_and_patterns():
    rng = np.random.default_rng(1)
    want = rng.standard_normal((2, 5, 3))
    got = want.copy()
    got[:, :3] *= 1.5
    msg = diagnose.value_problem("dx", got, want, axes=("N", "T", "D"))
    assert "time steps t = 0..2 (right at t = 3..4)" in msg
    W = rng.standard_normal((3, 8))
    swapped = np.concatenate([W[:, 2:4], W[:, 0:2], W[:, 4:]], axis=1)
    msg = diagnose.value_problem("dWx", swapped, W, axes=("D", "G"), gates="lstm")
    assert "i, f gate blocks" in msg and "order f, i, g, o" in msg
    assert "wrong sign" in diagnose.value_problem("h", -want, want)
    assert "2 times the right value" in diagnose.value_problem("h", 2 * want, want)
    assert "all zeros" in diagnose.value_problem("h", 0 * want, want)
    shifted = np.concatenate([np.zeros((2, 1, 3)), want[:, :-1]], axis=1)
    assert "shifted one step later" in diagnose.value_problem("h", shifted, want, axes=("N", "T", "H"))
    assert diagnose.value_problem("h", want + 1e-12, want) is None


def test_type_messages():
    case = Case("c", {}, dims={"N": 2, "H": 3})
    out = Out("h", ("N", "H"))
    assert "does every path through your function end in a `return`" in compare(out, None, np.zeros((2, 3)), case)
    assert "np.array" in compare(out, [[1.0]], np.zeros((2, 3)), case)
    assert "dtype int64" in compare(out, np.zeros((2, 3), dtype=np.int64), np.zeros((2, 3)), case)
    assert "float32" in compare(out, np.zeros((2, 3), dtype=np.float32), np.zeros((2, 3)), case)
    loss = Out("loss", kind="scalar")
    assert "forget to sum or average" in compare(loss, np.zeros(3), 1.0, case)
    assert compare(loss, np.float64(1.0), 1.0, case) is None


def test_an_infinite_expected_value_is_matched_only_by_the_same_infinity():
    """An infinite value gave an infinite tolerance: any number "matched" it, so a known bug whose value is
    inf was skipped as if it were the right answer, and a finite answer would pass where inf is expected."""
    inf = np.array([np.inf, -np.inf, 1.0])
    assert diagnose.close_mask(inf, inf).all()
    assert not diagnose.close_mask(np.array([771.3, -5.0, 1.0]), inf)[:2].any()
    assert not diagnose.close_mask(np.array([-np.inf, np.inf, 1.0]), inf)[:2].any()
    assert not diagnose.all_close(np.float64(771.3), np.float64(np.inf))
    assert diagnose.all_close(np.float64(np.inf), np.float64(np.inf))


def test_a_scalar_explained_by_a_known_bug_drops_the_generic_ratio_guess():
    case = Case("c", {})
    loss = Out("loss", kind="scalar")
    assert "divided by the wrong count?" in compare(loss, 0.7, 1.0, case)
    assert "divided by the wrong count?" not in compare(loss, 0.7, 1.0, case, patterns=False)
