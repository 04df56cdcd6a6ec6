"""How often an honest answer loses points: every model solution, checked on many random draws of inputs.

    python benchmarks/grading_fairness.py [--draws 300] [--items beam_search,train_step]

A check draws fresh inputs every time a student runs it (and the grader draws them per student), so a
check that is unfair on one draw in a thousand passes the test suite almost always and still costs some
student a point. This runs each item's check on the solution notebook's function ``--draws`` times, each
with its own seeded generator (draw ``k`` of every run is the same), and reports per item how many draws
did not give full marks, with the first failing message. Expected: 0 everywhere.

It found one: ``beam_search``'s 400-step case failed the model solution about once in a thousand draws
(a chaotic random decoder turned the last-bit difference between a batch of three rows and a batch of one
into scores 2% apart); that case's decoder is now a contraction (tests/test_grading_attention.py).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def solution_namespace(exercise: str) -> dict:
    """The solution notebook's code cells run in a fresh namespace, its checks skipped (grading mode)."""
    from rnn_course.grading.submissions import percent_cells

    namespace: dict = {"__name__": "__main__", "display": lambda *a, **k: None}
    path = ROOT / "solutions" / f"{exercise}.py"
    os.environ["RNN_COURSE_GRADING"] = "1"
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            for index, cell in enumerate(percent_cells(path.read_text(encoding="utf-8"))):
                exec(compile(cell, f"{path.name}:cell{index}", "exec"), namespace)  # noqa: S102
    finally:
        os.environ.pop("RNN_COURSE_GRADING", None)
    return namespace


def main() -> int:
    from rnn_course.grading import EXERCISES
    from rnn_course.grading.catalog import run_item
    from rnn_course.grading.isolation.runner import LocalRunner

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=300, help="random draws of inputs per item")
    parser.add_argument("--items", default="", help="comma-separated item names (default: every item)")
    args = parser.parse_args()
    wanted = {name for name in args.items.split(",") if name}
    failures = 0
    print(f"{'item':<34} {'lost points':>12} {'seconds':>8}")
    for exercise, items in EXERCISES.items():
        namespace = None
        for item in items:
            if wanted and item.name not in wanted:
                continue
            namespace = namespace or solution_namespace(exercise)
            start, lost, first = time.perf_counter(), 0, ""
            for draw in range(args.draws):
                result = run_item(item, LocalRunner(dict(namespace)), np.random.default_rng([draw, 77]))
                if result.status != "correct" or result.points != item.points:
                    lost += 1
                    first = first or f"draw {draw}: {str(result)[:300]}"
            failures += lost
            print(f"{exercise + ' ' + item.name:<34} {lost:>5} / {args.draws:<5} {time.perf_counter() - start:8.1f}")
            if first:
                print(f"    {first}")
    print(f"honest answers that lost points: {failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
