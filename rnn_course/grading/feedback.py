"""Feedback inside an exercise notebook: ``check``, ``hint``, ``check_all`` and ``needs``.

    from rnn_course.grading import check, hint, check_all, needs

    check("rnn_step_forward", rnn_step_forward)   # correct / incorrect + diagnosis / not attempted / error
    hint("rnn_step_forward")                       # hint 1, then 2, ... on each call (or hint(name, 2))
    check_all("01_forward_pass")                   # every item of the set, with the points

    with needs("rnn_forward"):                     # a cell that uses a function you may not have written yet
        h, _ = rnn_forward(x, h0, Wx, Wh, b)

Each check draws fresh random inputs from its own Generator (numpy's
global random state is never used or reseeded) and compares with the
course's reference implementation at run time. When the instructor's
grader runs a notebook these calls do nothing (the grader runs the same
checks itself, in a separate process).
"""

from __future__ import annotations

import contextlib
import os
import sys
from html import escape

import numpy as np

from .result import Result, SetResult

__all__ = ["check", "hint", "check_all", "needs", "grading_mode", "GRADING_ENV"]

#: set in the processes the grader runs submissions in
GRADING_ENV = "RNN_COURSE_GRADING"


def grading_mode() -> bool:
    """True inside the grader's sandbox, where in-notebook checks are skipped."""
    return os.environ.get(GRADING_ENV) == "1"


def _caller_globals(depth: int = 2) -> dict:
    return sys._getframe(depth).f_globals


def _skipped(name: str) -> Result:
    return Result(str(name), "skipped", 0, 0, "skipped: the grader checks this item itself")


def check(name: str, fn=None, *, namespace: dict | None = None) -> Result:
    """Check one graded item and return its Result (it shows itself in a notebook).

    ``name`` is the item ("rnn_step_forward", "rnn_backward[truncate]");
    ``fn`` the function to check (default: the notebook's function of that
    name). Other functions the check needs (the forward pass whose cache a
    backward pass consumes) are looked up where ``fn`` was defined.
    """
    if grading_mode():
        return _skipped(name)  # the grader's process has no checks (and no catalog) to run
    from .catalog import get_item, run_item
    from .isolation.runner import LocalRunner

    item = get_item(name)
    if namespace is None:
        namespace = getattr(fn, "__globals__", None) or _caller_globals()
    scope = dict(namespace)
    if fn is not None:
        if not callable(fn):
            raise ValueError(f"fn: expected the function {item.function} to check, got {type(fn).__name__}")
        scope[item.function] = fn
    return run_item(item, LocalRunner(scope), np.random.default_rng())


def check_all(exercise: str, namespace: dict | None = None) -> SetResult:
    """Check every item of an exercise set against the notebook's functions; shows the points."""
    if grading_mode():
        return SetResult(str(exercise), [_skipped("(every item)")])
    from .catalog import EXERCISES, run_item
    from .isolation.runner import LocalRunner

    if exercise not in EXERCISES:
        raise ValueError(f"exercise: expected one of {', '.join(map(repr, EXERCISES))}, got {exercise!r}")
    items = EXERCISES[exercise]
    scope = dict(namespace if namespace is not None else _caller_globals())
    rng = np.random.default_rng()
    runner = LocalRunner(scope)
    return SetResult(exercise, [run_item(item, runner, rng) for item in items])


_shown: dict[str, int] = {}


class Hint:
    """One numbered hint (shows as text or HTML)."""

    def __init__(self, item: str, number: int, total: int, text: str):
        self.item, self.number, self.total, self.text = item, number, total, text

    def __str__(self) -> str:
        more = f" (hint({self.item!r}) again for hint {self.number + 1})" if self.number < self.total else ""
        return f"Hint {self.number} of {self.total} for {self.item}: {self.text}{more}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        more = ""
        if self.number < self.total:
            more = f"<div style='color:#57606a'>Run <code>hint({escape(repr(self.item))})</code> again for hint " \
                   f"{self.number + 1}.</div>"
        return (f"<div style='border-left:6px solid #0969da;background:#ddf4ff;padding:6px 10px;margin:4px 0'>"
                f"<b>Hint {self.number} of {self.total}</b> for <code>{escape(self.item)}</code>: "
                f"{escape(self.text)}{more}</div>")


def hint(name: str, number: int | None = None) -> Hint:
    """The next hint for an item (or hint ``number``, counting from 1)."""
    if grading_mode():
        return Hint(str(name), 0, 0, "hints are not shown while the grader runs the notebook.")
    from .catalog import get_item

    item = get_item(name)
    total = len(item.hints)
    if total == 0:
        return Hint(item.name, 0, 0, "no hints for this item: read its instructions again, and the check's message.")
    if number is None:
        number = min(_shown.get(item.name, 0) + 1, total)
    if not 1 <= int(number) <= total:
        raise ValueError(f"number: expected a hint number from 1 to {total}, got {number!r}")
    number = int(number)
    _shown[item.name] = max(_shown.get(item.name, 0), number)
    return Hint(item.name, number, total, item.hints[number - 1])


class needs(contextlib.AbstractContextManager):  # noqa: N801 - reads as a statement: `with needs("rnn_forward"):`
    """Run a cell's code only once the functions it uses are written.

    Inside the block, a NotImplementedError (an exercise stub) stops the
    block with a short explanation instead of an error; any other exception
    propagates as usual, so real bugs stay visible.
    """

    def __init__(self, *functions: str):
        self.functions = functions

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None and issubclass(exc_type, NotImplementedError):
            names = ", ".join(self.functions) or "a function you have not written yet"
            print(f"This cell needs {names}, which {'is' if len(self.functions) == 1 else 'are'} not implemented "
                  "yet (still raising NotImplementedError). Come back and run it once the check passes.")
            return True
        return False
