"""How a graded item is checked: cases, parts, known-wrong variants, and the two usual flows.

An ``Item`` is one graded function (``rnn_step_forward``) or one aspect of it
(``rnn_backward[truncate]``). Its check draws fresh random ``Case``s from the
judge's own Generator (edge cases N=1, T=1, H=1 included), calls the
student's function through a runner (``runner.py``), and compares every
output with the package's reference computed at run time: nothing is stored.

Scores are split into *parts* (the outputs of a forward pass, the gradients
of a backward pass); a part earns its share when it is right in every case.
A wrong part is explained by ``diagnose.value_problem`` (where, and what
pattern), and, when the student's value equals one of the item's ``Bug``
variants (a known-wrong implementation run on the same inputs), by that
bug's message: "dWh matches what you get when dh_prev is not accumulated".

The two common shapes of check are written once here:

* ``check_outputs``: call the function, compare its outputs;
* ``check_backward``: run the student's forward (its cache stays on the
  student's side), then the student's backward, compare the gradients.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..isolation.runner import Outcome, Runner
from ..result import Result
from ..wire import Opaque, ProtocolError, Ref
from . import diagnose

__all__ = ["Item", "Case", "Out", "Bug", "Context", "Grade", "check_outputs", "check_backward", "terminal_result",
           "run_item"]


@dataclass
class Item:
    """One graded item."""

    name: str  # what the report calls it: "rnn_step_forward", "rnn_backward[truncate]"
    function: str  # the graded function's name in the notebook
    exercise: str  # "01_forward_pass"
    points: float
    check: Callable  # check(ctx) -> Result
    summary: str = ""  # one line: what to implement
    hints: tuple = ()
    forbid: tuple = ()  # reference functions the graded function must not call (see references.py)
    bonus: bool = False
    timeout: float | None = None  # seconds the grader allows (None: the grader's default)
    uses: tuple = ()  # other graded items the function is expected to call (rnn_forward -> rnn_step_forward)
    reply_bytes: int | None = None  # the largest reply one call may send (None: the grader's default, 8 MB)


@dataclass
class Case:
    """One set of inputs. ``args`` is ordered (the positional arguments, by name)."""

    label: str
    args: dict
    kwargs: dict = field(default_factory=dict)
    dims: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)  # judge-only data (e.g. the reference's cache)


@dataclass
class Out:
    """One output (or gradient) of a graded function."""

    name: str
    spec: tuple = ()  # shape in letters ("N", "T", "H", "4H"); () for a number
    kind: str = "array"  # "array" or "scalar"
    axes: tuple | None = None  # labels for locating errors; default derived from spec ("4H" -> "G")
    gates: str | None = None  # "lstm" / "gru" when an axis holds gate blocks
    rtol: float | None = None  # relative tolerance (None: diagnose.RTOL); finite differences need a looser one

    def spec_for(self, case) -> tuple:
        """The shape in letters for this case (``spec`` may be a function of the case)."""
        return tuple(self.spec(case)) if callable(self.spec) else tuple(self.spec)

    def axis_labels(self, case) -> tuple:
        if self.axes is not None:
            return self.axes
        return tuple("G" if isinstance(s, str) and s[:1].isdigit() else s for s in self.spec_for(case))


@dataclass
class Bug:
    """A known-wrong implementation: ``values(case, upstream) -> {output name: wrong value}``.

    When a student's wrong output equals the bug's value, the message says
    what the bug is; it never shows the right value.
    """

    message: str
    values: Callable


class Context:
    """What a check gets: the runner, the judge's Generator, the item, and a deadline."""

    def __init__(self, runner: Runner, rng: np.random.Generator, item: Item, lookup: Callable | None = None,
                 runner_for: Callable | None = None):
        self.runner = runner
        self.rng = rng
        self.item = item
        self.lookup = lookup  # name -> Item, for the items this one uses (the catalog's get_item)
        self.runner_for = runner_for  # Item -> Runner that item is checked with (default: this runner)
        self.started = time.perf_counter()
        self.received = False  # did any call bring back a value from the student's side?

    def call(self, args: dict, kwargs: dict | None = None, *, function: str | None = None, **options) -> Outcome:
        """Call the graded function (or ``function``) with the item's forbidden references armed."""
        outcome = self.runner.call(function or self.item.function, args, kwargs, forbid=self.item.forbid,
                                   graded_name=self.item.function, **options)
        self.received = self.received or outcome.status == "ok" or bool(outcome.args_after)
        return outcome

    def seed(self) -> int:
        """A fresh seed for a Generator the student's code will receive."""
        return int(self.rng.integers(2**63 - 1))

    def result(self, status: str, points: float, message: str, details=()) -> Result:
        return Result(self.item.name, status, round(points, 2), self.item.points, message, list(details),
                      hints=len(self.item.hints), bonus=self.item.bonus)


def terminal_result(ctx: Context, outcome: Outcome, function: str | None = None, *, needed_by: str | None = None):
    """The item's Result when a call ended in a way that stops the check, else None."""
    fn = function or ctx.item.function
    status = outcome.status
    prefix = f"{needed_by} needs your {fn}, but " if needed_by else ""
    if status == "ok":
        return None
    if status == "not attempted":
        inner = ((outcome.error or {}).get("where") or {}).get("function")
        if inner and inner not in (fn, "<module>") and inner.isidentifier():
            # the function was written, but it calls one of the student's stubs
            return ctx.result("incorrect", 0, f"{prefix}{fn} calls {inner}, which is not implemented yet "
                                              f"(it raises NotImplementedError): do {inner} first.")
        if needed_by:
            return ctx.result("incorrect", 0, f"{prefix}{fn} is not implemented yet: do {fn} first.")
        return ctx.result("not attempted", 0, f"not attempted: {fn} still raises NotImplementedError "
                                              "(replace the stub with your code).")
    if status == "missing":
        return ctx.result("not attempted", 0, f"{prefix}no function named {fn} is defined "
                                              "(was it renamed, or did the cell defining it fail?)")
    if status == "not callable":
        return ctx.result("incorrect", 0, f"{prefix}{fn} is not a function")
    if status == "reference":
        if outcome.copied:
            what = f"it is a verbatim copy of the course's reference implementation {outcome.copied}"
        else:
            called = ", ".join(c.replace(":", ".") for c in outcome.calls) or "a reference implementation"
            what = f"it calls {called}, the course's reference implementation"
        return ctx.result("incorrect", 0, f"{prefix}{fn} gets no points: {what}. Write it yourself "
                                          "(you may use numpy and your own functions).")
    if status == "timeout":
        return ctx.result("error", 0, f"{prefix}{fn} did not finish in time ({outcome.detail}): "
                                      "an infinite loop, or far more work than needed?")
    if status == "crashed":
        return ctx.result("error", 0, f"{prefix}{fn} crashed the Python process running it ({outcome.detail}).")
    if status == "too large":
        return ctx.result("error", 0, f"{prefix}{fn} returned more data than the grader accepts from one call "
                                      f"({outcome.detail}): return only the values the instructions ask for.")
    if status == "malformed":
        return ctx.result("error", 0, f"{prefix}the process running your {fn} sent a reply the grader could not "
                                      f"read ({outcome.detail}): does the notebook write to the grader's pipe, or "
                                      "change the grading code?")
    if status == "error":
        return ctx.result("error", 0, _sentence(prefix + diagnose.describe_error(outcome.error, fn)))
    return ctx.result("error", 0, f"{prefix}{fn}: {status}")


def _and(names) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _sentence(text: str) -> str:
    text = text.rstrip()
    return text if text.endswith((".", "?", "!")) else text + "."


class Grade:
    """Parts of an item: each earns an equal share of the points when right in every case."""

    def __init__(self, ctx: Context, parts):
        self.ctx = ctx
        self.parts = list(parts)
        self.failures: dict[str, tuple] = {}  # part -> (problem, likely cause or None)
        self.notes: list[str] = []
        self.mutated: dict[str, str] = {}
        self.penalty = 1.0

    def failed(self, part: str) -> bool:
        return part in self.failures

    def fail(self, part: str, message: str, cause: str | None = None) -> None:
        self.failures.setdefault(part, (message, cause))

    def fail_all(self, message: str) -> None:
        for part in self.parts:
            self.fail(part, message)

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    def saw(self, outcome: Outcome, function: str | None = None, allowed=()) -> None:
        """Record side effects of a call: inputs changed in place, numpy's global random state."""
        fn = function or self.ctx.item.function
        for name in outcome.mutated:
            if name not in allowed and name not in self.mutated:
                self.mutated[name] = fn
        if outcome.global_rng:
            self.note(f"{fn} used numpy's global random state (np.random.*): draw from the rng argument instead, "
                      "so results can be reproduced")

    def _details(self) -> list[str]:
        """One line per failing part; parts with the same likely cause share one line."""
        by_cause: dict[str, list[str]] = {}
        for part, (_, cause) in self.failures.items():
            if cause:
                by_cause.setdefault(cause, []).append(part)
        lines, done = [], set()
        for part, (problem, cause) in self.failures.items():
            if part in done:
                continue
            parts = by_cause.get(cause, [part]) if cause else [part]
            if len(parts) > 1:
                lines.append(f"{_and(parts)} are wrong; for example {problem}. Likely cause: {cause}")
            else:
                lines.append(_with_cause(problem, cause))
            done.update(parts)
        return list(dict.fromkeys(lines))

    @property
    def all_failed(self) -> bool:
        return all(p in self.failures for p in self.parts)

    def result(self) -> Result:
        ctx = self.ctx
        passed = [p for p in self.parts if p not in self.failures]
        frac = len(passed) / len(self.parts) if self.parts else 0.0
        details = self._details()
        if self.mutated:
            by_fn: dict[str, list[str]] = {}
            for name, fn in self.mutated.items():
                by_fn.setdefault(fn, []).append(name)
            for fn, names in by_fn.items():
                details.append(
                    f"{fn} modified its input{'s' if len(names) > 1 else ''} {', '.join(names)} in place: the "
                    "caller's arrays change behind its back. Work on new arrays (x = x - m creates one, "
                    "x -= m writes into the caller's x); half points for this item")
            frac *= 0.5
        details += self.notes
        points = ctx.item.points * frac * self.penalty
        if not self.failures and not self.mutated and self.penalty == 1.0:
            msg = "correct" + (" (see the note below)" if self.notes else "")
            return ctx.result("correct", points, msg, self.notes)
        if self.failures and len(self.parts) == 1:
            msg = _sentence(details.pop(0))
        elif self.failures:
            wrong = [p for p in self.parts if p in self.failures]
            if passed:
                msg = f"{_and(passed)} right; {_and(wrong)} wrong."
            else:
                msg = f"{_and(wrong)} wrong."
        else:
            msg = "right values, but see below."
        return ctx.result("incorrect", points, msg, details)


# ------------------------------------------------------------------------------------------------
# comparing one output


def compare(out: Out, got, expected, case: Case, warnings=(), patterns: bool = True,
            precision: str = "float64") -> str | None:
    """None when ``got`` is right, else what is wrong with it (no expected values shown).

    ``precision="float32"`` accepts float32 values and float32 rounding (a backward pass checked on the cache
    of a forward that slipped into float32, see ``check_backward``).
    """
    spec = out.spec_for(case)
    rtol = diagnose.FLOAT32_RTOL if precision == "float32" else (out.rtol or diagnose.RTOL)
    if precision == "float32" and isinstance(got, np.ndarray | np.floating) and got.dtype == np.float32:
        got = np.asarray(got, dtype=np.float64) if isinstance(got, np.ndarray) else np.float64(got)
    problem = diagnose.type_problem(out.name, got, kind=out.kind, spec=spec, dims=case.dims)
    if problem:
        return problem
    if out.kind == "scalar":
        got_arr = np.asarray(got, dtype=float)
        exp_arr = np.asarray(expected, dtype=float)
        if diagnose.all_close(got_arr, exp_arr, rtol):
            return None
        if not np.isfinite(got_arr):
            msg = f"{out.name} is {float(got_arr)}"
            over = [w for w in warnings if "overflow" in w or "invalid" in w or "divide" in w]
            return msg + (f"; numpy warned '{over[0]}'" if over else "")
        ratio = float(got_arr) / float(exp_arr) if float(exp_arr) != 0 else None
        err = abs(float(got_arr - exp_arr)) / max(abs(float(exp_arr)), 1e-300)
        msg = f"{out.name} is wrong (relative error {err:.1e})"
        if patterns and ratio is not None and abs(ratio - round(ratio, 3)) < 1e-9 and abs(ratio - 1) > 1e-3:
            if abs(ratio + 1) < 1e-9:
                msg += "; it has the wrong sign"
            elif ratio < 0:
                msg += f"; it is {ratio:.4g} times the right value: the wrong sign, and a missing or extra factor"
            elif ratio != 0:
                msg += f"; it is {ratio:.4g} times the right value (a missing or extra factor: divided by the " \
                       "wrong count?)"
            else:
                msg += "; it is 0 (is it ever computed?)"
        elif rtol < diagnose.FLOAT32_RTOL and err <= diagnose.FLOAT32_RTOL:
            msg += f"; {diagnose.FLOAT32_HINT}"
        return msg
    problem = diagnose.shape_problem(out.name, got.shape, np.shape(expected), spec, case.dims)
    if problem:
        return problem
    return diagnose.value_problem(out.name, got, expected, axes=out.axis_labels(case), dims=case.dims, gates=out.gates,
                                  warnings=warnings, patterns=patterns, rtol=rtol)


def _matches(got, value, rtol: float | None = None) -> bool:
    if value is None or got is None or isinstance(got, Opaque):
        return False
    try:
        return diagnose.all_close(np.asarray(got, dtype=float), np.asarray(value, dtype=float), rtol or diagnose.RTOL)
    except (TypeError, ValueError):
        return False


def explain(out: Out, got, expected, case: Case, bugs, upstream=None) -> str | None:
    """The message of the bug whose value for this output equals the student's.

    When two different slips give the same value on these inputs, the message names both rather than guess
    (an off-by-one in truncation and blocks counted from the end agree on some lengths).
    """
    found: list[str] = []
    for bug in bugs:
        try:
            values = bug.values(case, upstream) if upstream is not None else bug.values(case)
        except Exception:  # noqa: BLE001 - a variant that cannot run on these inputs explains nothing
            continue
        if out.name in values and not _matches(expected, values[out.name], out.rtol) \
                and _matches(got, values[out.name], out.rtol) and bug.message not in found:
            found.append(bug.message)
    if len(found) > 1:
        return "two slips give this same value here, so it is one of them: " + "; or: ".join(found[:2])
    return found[0] if found else None


def diagnose_part(out: Out, got, expected, case: Case, bugs=(), upstream=None, warnings=(), precision="float64"):
    """None when right; else ``(problem, cause)``: what is wrong, and the matching bug's message (or None).

    When a known bug explains the value, the generic pattern ("2 times the right value") is left out: the
    bug's message says the same thing better.
    """
    problem = compare(out, got, expected, case, warnings, precision=precision)
    if not problem:
        return None
    cause = explain(out, got, expected, case, bugs, upstream)
    if cause:
        problem = compare(out, got, expected, case, warnings, patterns=False, precision=precision)
    return f"{problem} (inputs: {case.label})", cause


def _with_cause(problem: str, cause: str | None) -> str:
    return f"{problem}. Likely cause: {cause}" if cause else problem


def unpack(value, outputs, *, returns_cache: bool, function: str):
    """Split a return value into ``{output name: value}`` (plus ``"cache"``), or a message saying why not."""
    names = [o.name for o in outputs] + (["cache"] if returns_cache else [])
    if len(names) == 1:
        return {names[0]: value}
    if not isinstance(value, tuple | list) or len(value) != len(names):
        if isinstance(value, tuple | list):
            got = f"{len(value)} values"
        elif isinstance(value, np.ndarray):
            got = f"a single array of shape {value.shape}"
        else:
            got = "None" if value is None else f"a {type(value).__name__}"
        return f"{function} returned {got}, expected {len(names)} values: {', '.join(names)}"
    return dict(zip(names, value))


# ------------------------------------------------------------------------------------------------
# the two usual flows


def check_outputs(ctx: Context, cases, reference, outputs, *, returns_cache: bool = False, bugs=(),
                  extra_checks=None, mutation_allowed=()) -> Result:
    """Call the graded function on every case and compare its outputs with ``reference(case)``.

    ``reference(case) -> {output name: value}``; ``extra_checks(case, values,
    grade)`` can add item-specific diagnoses.
    """
    grade = Grade(ctx, [o.name for o in outputs])
    fn = ctx.item.function
    for case in cases:
        outcome = ctx.call(case.args, case.kwargs, opaque=[(len(outputs),)] if returns_cache else ())
        stop = terminal_result(ctx, outcome)
        if stop is not None:
            if stop.status == "error":
                stop.details.append(f"inputs: {case.label}")
            return stop
        grade.saw(outcome, allowed=mutation_allowed)
        values = unpack(outcome.value, outputs, returns_cache=returns_cache, function=fn)
        if isinstance(values, str):
            grade.fail_all(values)
            break
        expected = reference(case)
        for out in outputs:
            if grade.failed(out.name):
                continue
            problem = diagnose_part(out, values[out.name], expected[out.name], case, bugs, warnings=outcome.warnings)
            if problem:
                grade.fail(out.name, *problem)
        if extra_checks is not None:
            extra_checks(case, values, grade)
        if grade.all_failed:
            break
    return grade.result()


def check_backward(ctx: Context, cases, *, forward: str, forward_outputs, grads, reference_forward,
                   reference_backward, upstream, bugs=()) -> Result:
    """Run the student's forward, then the student's backward on its cache; compare the gradients.

    ``reference_forward(case) -> {output: value}``; ``upstream(case) -> {name:
    array}`` draws the upstream gradients (dh, dc) and they are passed first,
    then the cache; ``reference_backward(case, upstream) -> {grad: value}``.
    """
    grade = Grade(ctx, [g.name for g in grads])
    fn = ctx.item.function
    precision = "float64"
    for case in cases:
        fo = ctx.call(case.args, case.kwargs, function=forward, keep=True, opaque=[(len(forward_outputs),)])
        if fo.status != "ok":
            if fo.status in ("not attempted", "missing"):
                probe = _probe_stub(ctx, forward_outputs, case, upstream)
                if probe is not None:
                    return probe
            return terminal_result(ctx, fo, forward, needed_by=fn)
        values = unpack(fo.value, forward_outputs, returns_cache=True, function=forward)
        if isinstance(values, str):
            return ctx.result("incorrect", 0, f"{fn} needs your {forward}, whose result is not usable: {values}.")
        expected_fwd = reference_forward(case)
        for out in forward_outputs:
            problem = compare(out, values[out.name], expected_fwd[out.name], case)
            if problem and compare(out, values[out.name], expected_fwd[out.name], case, precision="float32") is None:
                # right values in the wrong precision: the backward's own formulas can still be checked
                precision = "float32"
                grade.note(f"your {forward} returns {out.name} in float32 (or rounded to it), so {fn} was checked on "
                           f"its cache to float32 precision: fix the dtype in {forward} (its own check says how)")
            elif problem:
                return ctx.result("incorrect", 0, f"{fn} is checked on the cache of your {forward}, but "
                                                  f"{forward} is not right yet ({problem}; inputs: {case.label}). "
                                                  f"Fix {forward} first.")
        up = upstream(case)
        cache_ref = Ref(fo.ref.handle, (len(forward_outputs),))
        bo = ctx.call({**up, "cache": cache_ref})
        stop = terminal_result(ctx, bo)
        if stop is not None:
            if stop.status == "error":
                stop.details.append(f"inputs: {case.label}")
            return stop
        grade.saw(bo, allowed=("cache",))
        got = unpack(bo.value, grads, returns_cache=False, function=fn)
        if isinstance(got, str):
            grade.fail_all(got)
            break
        expected = reference_backward(case, up)
        for g in grads:
            if grade.failed(g.name):
                continue
            problem = diagnose_part(g, got[g.name], expected[g.name], case, bugs, up, bo.warnings, precision)
            if problem:
                grade.fail(g.name, *problem)
        if grade.all_failed:
            break
    return grade.result()


def _probe_stub(ctx: Context, forward_outputs, case, upstream):
    """When the forward is not there yet: is the backward itself still the stub?"""
    up = upstream(case)
    outcome = ctx.call({**up, "cache": None})
    if outcome.status in ("not attempted", "missing"):
        return terminal_result(ctx, outcome)
    return None


def _note_dependencies(ctx: Context, result: Result) -> None:
    """When an item is wrong, say first if a function it is meant to call is wrong too.

    rnn_backward is checked with the student's own rnn_step_backward inside it, so a slip (or an exception)
    in the step makes the sequence wrong as well; without this note the student hunts for a bug in the loop
    that is not there.
    """
    for name in ctx.item.uses:
        used = ctx.lookup(name)
        runner = ctx.runner_for(used) if ctx.runner_for else ctx.runner
        dep = run_item(used, runner, ctx.rng, lookup=ctx.lookup, runner_for=ctx.runner_for)
        if dep.status in ("incorrect", "error"):
            fn, dep_fn = ctx.item.function, used.function
            result.details.insert(0, f"Your {dep_fn} is not right yet (its check says: {dep.status}): fix "
                                     f"{dep_fn} first. If your {fn} calls it, that is why {fn} fails too: {fn} "
                                     "is checked with the functions it calls")


def run_item(item: Item, runner: Runner, rng: np.random.Generator, lookup: Callable | None = None,
             runner_for: Callable | None = None) -> Result:
    """Check one item; never raises (except KeyboardInterrupt).

    A failure of the *checker itself* becomes a Result instead of an
    exception: a bug in a check must not cost a student a crash. When the
    check had received values from the student's function, the failure is
    most likely that function returning something unexpected, and the
    message says so (with the exception, for the instructor, in case it was
    the check after all). ``lookup(name) -> Item`` finds the items this one
    uses (see ``Item.uses``); ``runner_for(item)`` the runner each is checked with.
    """
    ctx = Context(runner, rng, item, lookup, runner_for)
    try:
        result = item.check(ctx)
        if result.status in ("incorrect", "error") and item.uses and lookup is not None:
            _note_dependencies(ctx, result)
    except KeyboardInterrupt:
        raise
    except ProtocolError as exc:
        return ctx.result("error", 0, f"the process running your {item.function} sent a reply the grader could not "
                                      f"read ({exc}): does the notebook write to the grader's pipe, or change the "
                                      "grading code?")
    except Exception as exc:  # noqa: BLE001 - the checker's own failure becomes a visible result
        what = f"{type(exc).__name__}: {str(exc)[:200]}"
        if ctx.received:
            return ctx.result("error", 0, f"your {item.function} returned something this check could not use "
                                          f"({what}). It should {item.summary or 'return what the instructions say'}; "
                                          "check the type, shape and number of the values it returns.",
                              ["if your function does return exactly that, tell your instructor: the check "
                               f"stopped with {what}"])
        return ctx.result("error", 0, f"the checker for {item.name} failed ({what}); this is a bug in the course, "
                                      "please report it.")
    return result
