"""Helpers shared by the grading tests: load a notebook's functions, define a buggy variant from source."""

from __future__ import annotations

import contextlib
import io
import linecache
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXERCISE_SETS = ("01_forward_pass", "02_bptt", "03_gradients", "04_gates", "05_language_model")


@contextlib.contextmanager
def grading_env(value: str | None):
    old = os.environ.get("RNN_COURSE_GRADING")
    if value is None:
        os.environ.pop("RNN_COURSE_GRADING", None)
    else:
        os.environ["RNN_COURSE_GRADING"] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("RNN_COURSE_GRADING", None)
        else:
            os.environ["RNN_COURSE_GRADING"] = old


def load_notebook(path: Path) -> dict:
    """Run a py:percent notebook's code cells in a fresh namespace (its checks skipped) and return it."""
    from rnn_course.grading.submissions import percent_cells

    namespace: dict = {"__name__": "__main__", "display": lambda *a, **k: None}
    text = path.read_text(encoding="utf-8")
    with grading_env("1"), contextlib.redirect_stdout(io.StringIO()):
        for index, cell in enumerate(percent_cells(text)):
            exec(compile(cell, f"{path.name}:cell{index}", "exec"), namespace)  # noqa: S102
    return namespace


_counter = [0]


def define(source: str, namespace: dict, name: str):
    """Exec ``source`` in a copy of ``namespace`` (its lines registered so tracebacks show them); return ``name``."""
    _counter[0] += 1
    filename = f"<bug {_counter[0]}>"
    lines = [line + "\n" for line in source.splitlines()]
    linecache.cache[filename] = (len(source), None, lines, filename)
    scope = dict(namespace)
    exec(compile(source, filename, "exec"), scope)  # noqa: S102
    return scope[name]
