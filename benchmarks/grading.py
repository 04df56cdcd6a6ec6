"""How fast the grader is, with the bubblewrap sandbox and without: submissions per second, 2 jobs.

    python benchmarks/grading.py [--copies 2] [--jobs 2] [--rounds 2]

The class is every solution notebook ``--copies`` times (honest work: every item is checked to the end),
graded with ``--sandbox bubblewrap`` and with ``--sandbox none``, alternately, ``--rounds`` times each (this
machine is shared; alternating spreads the noise over both). Reported: submissions per second (wall clock),
and the CPU seconds per submission of the grader and of the submissions' processes, as the report records
them (the workers report their own CPU time: inside bubblewrap's PID namespace it does not reach the
grader's ``os.times``). CPU time is what the other sessions on a shared machine do not inflate.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETS = ("01_forward_pass", "02_bptt", "03_gradients", "04_gates", "05_language_model")


def run(folder: Path, sandbox: str, jobs: int) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of the grader and of every submission's processes, submissions)."""
    start = time.perf_counter()
    out = folder.parent / f"report-{sandbox}.json"
    result = subprocess.run([sys.executable, "-m", "rnn_course.cli", "grade", str(folder), "--out", str(out),
                             "--jobs", str(jobs), "--seed", "0", "--sandbox", sandbox, "--quiet"],
                            capture_output=True, text=True)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"grading failed ({sandbox}): {result.stderr[-2000:]}")
    report = json.loads(out.read_text())
    cpu = report["grader"]["cpu_seconds"] + sum(s["cpu_seconds"] for s in report["submissions"])
    return wall, cpu, len(report["submissions"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=2, help="copies of each solution notebook (default 2)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rnn-course-bench-") as tmp:
        folder = Path(tmp) / "class"
        folder.mkdir()
        for copy in range(args.copies):
            for name in SETS:
                shutil.copy(ROOT / "solutions" / f"{name}.ipynb", folder / f"student{copy}_{name}.ipynb")
        results: dict[str, list] = {"bubblewrap": [], "none": []}
        for _ in range(args.rounds):
            for sandbox in results:
                results[sandbox].append(run(folder, sandbox, args.jobs))
    print(f"{args.copies * len(SETS)} honest submissions (every solution notebook x {args.copies}), "
          f"--jobs {args.jobs}, {args.rounds} rounds each, medians:")
    print(f"{'sandbox':<12} {'submissions/s':>14} {'wall s':>8} {'CPU s per submission':>22}")
    for sandbox, runs in results.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] / r[2] for r in runs)
        count = runs[0][2]
        print(f"{sandbox:<12} {count / wall:>14.3f} {wall:>8.1f} {cpu:>22.2f}")


if __name__ == "__main__":
    main()
