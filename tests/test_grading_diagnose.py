"""grading/checks/diagnose.py (and framework.compare): what kind of wrong a value is, said so a student can act.

Messages name shapes, places, error sizes and likely slips; never the expected values.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course.grading.checks import diagnose
from rnn_course.grading.checks.framework import Case, Out, compare


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


def test_a_negative_ratio_is_a_sign_not_a_count():
    """"-1 times the right value (divided by the wrong count?)" sent students hunting for a count."""
    case = Case("c", {})
    loss = Out("loss", kind="scalar")
    minus = compare(loss, -0.7, 0.7, case)
    assert "wrong sign" in minus and "count" not in minus
    assert "the wrong sign, and a missing or extra factor" in compare(loss, -1.4, 0.7, case)
    assert "divided by the wrong count?" in compare(loss, 0.35, 0.7, case)


def test_an_array_holding_one_number_is_told_to_return_the_number():
    """A (1,) array is not a missing sum: "did you forget to sum?" was the wrong hint."""
    case = Case("c", {})
    loss = Out("loss", kind="scalar")
    one = compare(loss, np.array([0.7]), 0.7, case)
    assert "holding one number" in one and "float(loss)" in one and "forget to sum" not in one
    assert "forget to sum" in compare(loss, np.ones(3), 0.7, case)
    assert compare(loss, np.array(0.7), 0.7, case) is None  # a 0-d array is a number


def test_an_error_the_size_of_float32_rounding_says_float32():
    rng = np.random.default_rng(0)
    want = np.tanh(rng.standard_normal((3, 5)))
    got = want.astype(np.float32).astype(np.float64)
    message = diagnose.value_problem("h", got, want, axes=("N", "H"))
    assert message and "float32" in message
    assert "float32" not in (diagnose.value_problem("h", 1.01 * want, want, axes=("N", "H")) or "")


def test_the_tolerance_sits_between_float64_and_float32():
    """Equivalent float64 formulas agree to ~1e-15 and pass; float32 rounding (~1e-7) always fails."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 6)) * 3
    a = np.exp(x - x.max(axis=1, keepdims=True))
    a = a / a.sum(axis=1, keepdims=True)
    b = np.exp(x - x.max(axis=1, keepdims=True) - np.log(np.exp(x - x.max(axis=1, keepdims=True)).sum(axis=1,
                                                                                                     keepdims=True)))
    assert diagnose.all_close(b, a)
    x32 = x.astype(np.float32)
    c = np.exp(x32 - x32.max(axis=1, keepdims=True))
    c = (c / c.sum(axis=1, keepdims=True)).astype(np.float64)
    assert not diagnose.all_close(c, a) and diagnose.all_close(c, a, diagnose.FLOAT32_RTOL)
