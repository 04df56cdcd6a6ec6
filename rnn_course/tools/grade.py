"""`rnn-course grade PATH... --out report.json`: grade students' exercise notebooks (see rnn_course.grading.grader).

Each submission runs in its own process with a time and a memory limit, in
parallel; the checks, the reference implementations and the random inputs
stay in the grader's process. The report is written even when submissions
hang, crash or print megabytes; submissions are never modified.
"""

from __future__ import annotations

import sys

from ..grading.grader import DEFAULTS

__all__ = ["register", "run"]


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "grade",
        help="grade exercise submissions (.ipynb or .py files, or folders of them)",
        description="Grade exercise submissions. Each runs in its own process with a time and a memory limit, "
        "several in parallel; every graded item gets points and a message. Writes a JSON report (and a CSV "
        "with --csv) and prints a table. Exit status 0 when every submission was graded, 1 when some could "
        "not be (they are still in the report, with 0 points and the reason).",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="submission files, or folders to search for them")
    p.add_argument("--out", default="report.json", help="the JSON report to write (default: report.json)")
    p.add_argument("--csv", help="also write one CSV row per (submission, item)")
    p.add_argument("--jobs", type=int, default=DEFAULTS["jobs"],
                   help=f"submissions graded at the same time (default: {DEFAULTS['jobs']})")
    p.add_argument("--timeout", type=float, default=DEFAULTS["timeout"],
                   help=f"seconds allowed to run a notebook's cells (default: {DEFAULTS['timeout']:g}); "
                   "a cell that runs out of time is skipped")
    p.add_argument("--item-timeout", type=float, default=DEFAULTS["item_timeout"],
                   help=f"seconds allowed per graded item (default: {DEFAULTS['item_timeout']:g})")
    p.add_argument("--memory", type=int, default=DEFAULTS["memory_mb"], metavar="MB",
                   help=f"address-space limit of each submission's process in MB (default: {DEFAULTS['memory_mb']})")
    p.add_argument("--exercise", help="grade every submission as this set (default: from the file name or its "
                   "functions), e.g. 01_forward_pass")
    p.add_argument("--seed", type=int, help="seed for the checks' random inputs (default: fresh; the report "
                   "records it, so a run can be repeated)")
    p.add_argument("--quiet", action="store_true", help="do not print the table")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..grading import grader

    if args.jobs < 1 or args.timeout <= 0 or args.item_timeout <= 0 or args.memory < 0:
        print("rnn-course grade: --jobs must be >= 1, --timeout and --item-timeout > 0, --memory >= 0",
              file=sys.stderr)
        return 2
    files = grader.find_submissions(args.paths)
    if not files:
        print("rnn-course grade: no .ipynb or .py files found in " + " ".join(args.paths), file=sys.stderr)
        return 2
    missing = [str(f) for f in files if not f.exists()]
    for m in missing:
        print(f"rnn-course grade: {m} does not exist (it is in the report with 0 points)", file=sys.stderr)

    def progress(entry):
        if not args.quiet:
            print(f"graded {entry['path']}: {entry['score']:g}/{entry['max_score']:g}", file=sys.stderr, flush=True)

    try:
        report = grader.grade(files, exercise=args.exercise, jobs=args.jobs, timeout=args.timeout,
                              item_timeout=args.item_timeout, memory_mb=args.memory, seed=args.seed,
                              progress=progress)
    except ValueError as err:
        print(f"rnn-course grade: {err}", file=sys.stderr)
        return 2
    grader.write_json(report, args.out)
    if args.csv:
        grader.write_csv(report, args.csv)
    if not args.quiet:
        print(grader.format_table(report))
        print(f"report: {args.out}" + (f", {args.csv}" if args.csv else ""))
    ungraded = [s for s in report["submissions"] if not s.get("graded")]
    return 1 if ungraded or report["grader"].get("interrupted") else 0
