"""`rnn-course gradescope --out DIR`: one Gradescope autograder per exercise set, ready to upload.

Gradescope runs each submission in its own container from an autograder
zip (its "Autograder Specifications"): ``setup.sh`` installs what the grader
needs once, when the image is built; ``run_autograder`` runs for every
submission, reads ``/autograder/submission`` and writes
``/autograder/results/results.json``. For each set this writes
``DIR/NN_name/`` and ``DIR/NN_name.zip`` holding, at the zip's root:

* ``setup.sh``: Python, a virtualenv in ``/autograder/venv``, bubblewrap (the
  grader uses it inside the container when the container allows user
  namespaces, and says so in the output when it does not), and the course
  package from ``course/``;
* ``run_autograder``: ``rnn-course grade`` on the uploaded notebook as that
  set, with ``--gradescope-results``: one Gradescope test per graded item
  (points, maximum, passed or failed, the feedback message), the notes about
  running the notebook in the top-level output;
* ``course/``: the package and what installs it (``pyproject.toml``, README,
  licences); no solutions (the same check as ``rnn-course release``).

``run_autograder`` reads ``AUTOGRADER_ROOT`` (default ``/autograder``) and
``RNN_COURSE`` (default the virtualenv's ``rnn-course``), so it can be tried
on your machine first (the tests do).
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import zipfile
from pathlib import Path

from .paths import course_root_or_error
from .release import ReleaseError, find_leaks, solution_blocks

__all__ = ["build", "SETUP_SH", "RUN_AUTOGRADER", "register"]

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu).
set -euo pipefail
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv python3-pip bubblewrap >/dev/null
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --quiet --upgrade pip
/autograder/venv/bin/pip install --quiet /autograder/source/course
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission; the student's files are in $ROOT/submission.
set -uo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
GRADE="${{RNN_COURSE:-/autograder/venv/bin/rnn-course}}"
mkdir -p "$ROOT/results"
"$GRADE" grade "$ROOT/submission" --exercise {exercise} --jobs 1 \\
    --timeout {timeout:g} --item-timeout {item_timeout:g} \\
    --out "$ROOT/results/report.json" --gradescope-results "$ROOT/results/results.json"
status=$?
if [ ! -s "$ROOT/results/results.json" ]; then
  # the grader itself failed: still give Gradescope a result, and the instructor the reason (stdout)
  message="The autograder could not grade this submission (exit status $status); your instructor can see why."
  printf '{{"score": 0, "output": "%s", "tests": []}}\\n' "$message" > "$ROOT/results/results.json"
fi
exit 0
"""


def _copy_course(root: Path, target: Path) -> None:
    """What ``pip install`` needs: the package, pyproject.toml and the files it names."""
    target.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md", "LICENSE", "LICENSE-content"):
        if (root / name).is_file():
            shutil.copy2(root / name, target / name)
    shutil.copytree(root / "rnn_course", target / "rnn_course",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))


def _write_executable(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def build(root: Path, out: Path, exercises, *, timeout: float = 120.0, item_timeout: float = 30.0) -> list[Path]:
    """Write one autograder folder and zip per exercise set; returns the zips."""
    root, out = Path(root), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    blocks = solution_blocks(root)
    zips = []
    for exercise in exercises:
        folder = out / exercise
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir()
        _write_executable(folder / "setup.sh", SETUP_SH)
        _write_executable(folder / "run_autograder", RUN_AUTOGRADER.format(
            exercise=exercise, timeout=timeout, item_timeout=item_timeout))
        _copy_course(root, folder / "course")
        leaks = find_leaks(folder, blocks)
        if leaks:
            shutil.rmtree(folder)
            raise ReleaseError("the autograder would hold solution code: " + "; ".join(leaks[:3]))
        archive = out / f"{exercise}.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    info = zipfile.ZipInfo(str(path.relative_to(folder)))
                    info.external_attr = (path.stat().st_mode & 0xFFFF) << 16
                    info.compress_type = zipfile.ZIP_DEFLATED
                    z.writestr(info, path.read_bytes())
        zips.append(archive)
    return zips


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "gradescope",
        help="build Gradescope autograders (one zip per exercise set)",
        description="Write DIR/NN_name.zip for each exercise set: setup.sh, run_autograder and the course package, "
        "as Gradescope's autograder specification asks. Each submission is then graded in Gradescope's own "
        "container; results.json has one test per graded item with its points and feedback.",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="the folder to write the autograders into")
    p.add_argument("--exercise", action="append", help="only this set (repeatable; default: every set)")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds for a notebook's cells (default 120)")
    p.add_argument("--item-timeout", type=float, default=30.0, help="seconds per graded item (default 30)")
    p.add_argument("--dir", help="the course folder (default: the checkout you are in)")
    p.set_defaults(func=_run)


def _run(args) -> int:
    from ..grading import EXERCISES

    root = course_root_or_error(args.dir, "gradescope")
    if root is None:
        return 2
    exercises = args.exercise or list(EXERCISES)
    unknown = [e for e in exercises if e not in EXERCISES]
    if unknown:
        print(f"rnn-course gradescope: --exercise: expected one of {', '.join(EXERCISES)}, got {unknown[0]!r}",
              file=sys.stderr)
        return 2
    try:
        zips = build(root, Path(args.out), exercises, timeout=args.timeout, item_timeout=args.item_timeout)
    except ReleaseError as err:
        print(f"rnn-course gradescope: {err}", file=sys.stderr)
        return 1
    for z in zips:
        print(f"wrote {os.path.relpath(z)} (upload it as the autograder of {z.stem})")
    return 0
