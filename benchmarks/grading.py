"""How long the grader takes: the bad-submission suite and the ten solution/exercise notebooks, 1 and 2 jobs.

    python benchmarks/grading.py [--jobs 1 2]

Per-submission times come from the report (process start, running the cells, every item's checks); the
total is wall-clock. The suite's infinite loops and hung cells cost their time limits by design (here 3 s
per item and 10 s per notebook, as in tests/test_grading_grader.py), so its total is dominated by them.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from rnn_course.grading import grader

ROOT = Path(__file__).resolve().parents[1]
SETS = ("01_forward_pass", "02_bptt", "03_gradients", "04_gates", "05_language_model")


def run(label, files, jobs, **limits):
    start = time.perf_counter()
    report = grader.grade(files, jobs=jobs, seed=0, **limits)
    total = time.perf_counter() - start
    per = [s["seconds"] for s in report["submissions"]]
    print(f"{label:<34} jobs={jobs}  {len(files):2d} submissions  total {total:6.1f} s  "
          f"per submission median {statistics.median(per):5.2f} s, max {max(per):5.2f} s")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    suite = sorted(p for p in (ROOT / "tests" / "submissions").iterdir() if p.suffix in (".py", ".ipynb")
                   and p.name != "conftest.py")
    notebooks = [ROOT / kind / f"{name}.ipynb" for kind in ("solutions", "exercises") for name in SETS]
    for jobs in args.jobs:
        run("solutions + exercises (.ipynb)", notebooks, jobs)
        run("bad-submission suite", suite, jobs, timeout=10, item_timeout=3)


if __name__ == "__main__":
    main()
