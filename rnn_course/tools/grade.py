"""`rnn-course grade PATH... --out report.json`: grade students' exercise notebooks (see rnn_course.grading.grader).

Each submission runs in its own processes, in a bubblewrap sandbox where the
machine offers one (else with process limits, and the output says so), with
a time and a memory limit, several in parallel; the checks, the reference
implementations and the random inputs stay in the grader's process. The
report is written even when submissions hang, crash or print megabytes;
submissions are never modified.
"""

from __future__ import annotations

import sys

from ..grading.grader import DEFAULTS, SANDBOX_CHOICES

__all__ = ["register", "run"]


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "grade",
        help="grade exercise submissions (.ipynb or .py files, or folders of them)",
        description="Grade exercise submissions. Each runs in a sandbox (bubblewrap, on Linux) or, where there is "
        "none, in its own limited process; several in parallel; every graded item gets points and a message. "
        "Writes a JSON report (and a CSV with --csv, a gradebook with --gradebook, one HTML page per student "
        "with --feedback) and prints a table. Exit status 0 when every submission was graded, 1 when some "
        "could not be (they are still in the report, with 0 points and the reason).",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="submission files, or folders to search for them")
    p.add_argument("--out", default="report.json", help="the JSON report to write (default: report.json)")
    p.add_argument("--csv", help="also write one CSV row per (submission, item)")
    p.add_argument("--gradebook", metavar="CSV", help="also write a gradebook: one row per student, one column "
                   "per exercise set (the student is named in the notebook's metadata, or by the file name)")
    p.add_argument("--feedback", metavar="DIR", help="also write one HTML feedback page per student into DIR")
    p.add_argument("--gradescope-results", metavar="JSON", help="also write Gradescope's results.json for a "
                   "single submission (what an autograder made by `rnn-course gradescope` runs)")
    p.add_argument("--jobs", type=int, default=DEFAULTS["jobs"],
                   help=f"submissions graded at the same time (default: {DEFAULTS['jobs']})")
    p.add_argument("--timeout", type=float, default=DEFAULTS["timeout"],
                   help=f"seconds allowed to run a notebook's cells (default: {DEFAULTS['timeout']:g}); when they "
                   "run out, the running cell is stopped and the rest of the notebook runs its definitions only")
    p.add_argument("--item-timeout", type=float, default=DEFAULTS["item_timeout"],
                   help=f"seconds allowed per graded item (default: {DEFAULTS['item_timeout']:g})")
    p.add_argument("--memory", type=int, default=DEFAULTS["memory_mb"], metavar="MB",
                   help=f"address-space limit of each submission's process in MB (default: {DEFAULTS['memory_mb']})")
    p.add_argument("--exercise", help="grade every submission as this set (default: from the file name or its "
                   "functions), e.g. 01_forward_pass")
    p.add_argument("--seed", type=int, help="seed for the checks' random inputs (default: fresh; the report "
                   "records it, so a run can be repeated)")
    p.add_argument("--sandbox", choices=SANDBOX_CHOICES, default="auto",
                   help="auto (default): bubblewrap when it works here, else process limits only, and the output "
                   "says so; bubblewrap: refuse to grade without it; none: process limits only")
    p.add_argument("--quiet", action="store_true", help="do not print the table")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..grading import grader, reports
    from ..grading.submissions import find_submissions

    if args.jobs < 1 or args.timeout <= 0 or args.item_timeout <= 0 or args.memory < 0:
        print("rnn-course grade: --jobs must be >= 1, --timeout and --item-timeout > 0, --memory >= 0",
              file=sys.stderr)
        return 2
    files, _ = find_submissions(args.paths)
    if not files:
        print("rnn-course grade: no .ipynb or .py files found in " + " ".join(args.paths), file=sys.stderr)
        return 2
    for f in files:
        if not f.exists():
            print(f"rnn-course grade: {f} does not exist (it is in the report with 0 points)", file=sys.stderr)
    try:
        status = grader.sandbox_status(args.sandbox)
    except ValueError as err:
        print(f"rnn-course grade: {err}", file=sys.stderr)
        return 2
    print(("sandbox: " if status.ok else "WARNING, no sandbox: ") + status.description, file=sys.stderr, flush=True)

    def progress(entry):
        if not args.quiet:
            print(f"graded {entry['path']}: {entry['score']:g}/{entry['max_score']:g}", file=sys.stderr, flush=True)

    outputs = [o for o in (args.out, args.csv, args.gradebook, args.feedback, args.gradescope_results) if o]
    try:
        report = grader.grade(files, exercise=args.exercise, jobs=args.jobs, timeout=args.timeout,
                              item_timeout=args.item_timeout, memory_mb=args.memory, seed=args.seed,
                              progress=progress, sandbox=args.sandbox, protect=outputs)
    except ValueError as err:
        print(f"rnn-course grade: {err}", file=sys.stderr)
        return 2
    reports.write_json(report, args.out)
    written = [args.out]
    if args.csv:
        reports.write_csv(report, args.csv)
        written.append(args.csv)
    if args.gradebook:
        reports.write_gradebook(report, args.gradebook)
        written.append(args.gradebook)
    if args.feedback:
        pages = reports.write_feedback(report, args.feedback)
        written.append(f"{args.feedback} ({len(pages)} pages)")
    if args.gradescope_results:
        reports.write_gradescope_results(report, args.gradescope_results)
        written.append(args.gradescope_results)
    if not args.quiet:
        print(reports.format_table(report))
        print("report: " + ", ".join(written))
    ungraded = [s for s in report["submissions"] if not s.get("graded")]
    return 1 if ungraded or report["grader"].get("interrupted") else 0
