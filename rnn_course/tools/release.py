"""`rnn-course release --out DIR`: the students' copy of the course, without the solutions.

As nbgrader separates an assignment's source from its release, the course
checkout (the instructor's copy: ``solutions/``, ``tests/``, the benchmarks)
is the source, and the release is what students get:

* the lessons (``notebooks/``), the exercises (``exercises/``, generated from
  the solutions with every solution block replaced by a stub) and the
  package (``rnn_course/``, which ``check()`` needs; it holds the course's
  reference implementations, as any installed copy does);
* the files that install and describe it: ``README``, licences, citation,
  ``pyproject.toml``, ``environment.yml``, ``jupytext.toml``, Binder's
  configuration.

Nothing else is copied (an allowlist: a folder added to the checkout later is
not released by accident), and before it finishes the command reads every
released file for any solution block of ``solutions/*.py`` (their lines in
order, whitespace aside); if one is found, the release is deleted and the
command fails, naming the file. A block that is the package's own code (the
softmax solution is ``rnn_course.activations.softmax``, line for line) is
not a leak where the package has it; three or more blocks of one solution in
one package file are (a solution copied into the package).
"""

from __future__ import annotations

import fnmatch
import re
import shutil
import sys
from pathlib import Path

from .paths import course_root_or_error

__all__ = ["release", "solution_blocks", "find_leaks", "register", "RELEASED", "ReleaseError"]

#: what a release holds: top-level names (shell patterns) of the checkout
RELEASED = ("README*", "LICENSE*", "COPYING*", "CITATION*", "pyproject.toml", "environment.yml", "jupytext.toml",
            "requirements*.txt", "postBuild", "apt.txt", "runtime.txt", "binder", ".binder", "notebooks",
            "exercises", "rnn_course")
_NEVER = ("__pycache__", "*.pyc", "*.pyo", ".ipynb_checkpoints", "*.egg-info", ".DS_Store")
_BLOCK = re.compile(r"^\s*#*\s*### BEGIN SOLUTION\s*$(.*?)^\s*#*\s*### END SOLUTION\s*$", re.M | re.S)
#: a solution block shorter than this (in non-blank lines) is too generic to call a leak (`return h, cache`)
MIN_BLOCK_LINES = 2


class ReleaseError(RuntimeError):
    """The release could not be made (it would overwrite something, or it would hold solution code)."""


def _normalise(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def solution_blocks(root: Path) -> list[tuple[str, list[str]]]:
    """``(solution file, its lines)`` for every ``### BEGIN SOLUTION`` block in ``solutions/*.py``."""
    blocks = []
    for path in sorted((root / "solutions").glob("*.py")):
        for match in _BLOCK.finditer(path.read_text(encoding="utf-8")):
            lines = _normalise(match.group(1))
            if len(lines) >= MIN_BLOCK_LINES:
                blocks.append((path.name, lines))
    return blocks


def _contains(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    first = needle[0]
    return any(haystack[i] == first and haystack[i:i + n] == needle for i in range(len(haystack) - n + 1))


def _read(path: Path) -> list[str] | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None
    if path.suffix == ".ipynb":
        import json

        try:  # a code cell's lines are JSON strings there: read the cells' text
            nb = json.loads(text)
            text = "\n".join("".join(c.get("source", "")) if isinstance(c.get("source"), list)
                             else str(c.get("source", "")) for c in nb.get("cells", []))
        except (ValueError, AttributeError):
            pass
    return _normalise(text)


def find_leaks(folder: Path, blocks) -> list[str]:
    """``"file: contains a solution block of solutions/x.py"`` for every file under ``folder`` that holds one.

    In the package's own files (``rnn_course/``), a block is a leak only when three or more blocks of the same
    solution are there together: one block can be the package's reference itself (see the module docstring).
    """
    folder = Path(folder)
    found = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        lines = _read(path)
        if lines is None:
            continue
        hits: dict[str, int] = {}
        for source, block in blocks:
            if _contains(lines, block):
                hits[source] = hits.get(source, 0) + 1
        in_package = "rnn_course" in path.relative_to(folder).parts
        leaked = [s for s, n in hits.items() if n >= (3 if in_package else 1)]
        if leaked:
            found.append(f"{path.relative_to(folder)}: contains a solution block of solutions/{leaked[0]}")
    return found


def _ignore(directory, names):
    return {n for n in names if any(fnmatch.fnmatch(n, p) for p in _NEVER)}


def release(root: Path, out: Path, *, force: bool = False) -> list[Path]:
    """Write the students' copy of the course at ``root`` into ``out``; returns the top-level entries written."""
    root, out = Path(root).resolve(), Path(out).resolve()
    inside = [d for d in ("solutions", "tests", *RELEASED) if (root / d).is_dir() and (out == root / d or
                                                                                      root / d in out.parents)]
    if out == root or out in root.parents or inside:
        raise ReleaseError(f"--out {out} is the course folder, holds it, or is inside one of its folders; choose a "
                           "new folder")
    if out.exists() and any(out.iterdir()):
        if not force:
            raise ReleaseError(f"{out} is not empty (--force replaces it)")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for entry in sorted(root.iterdir()):
        if not any(fnmatch.fnmatch(entry.name, p) for p in RELEASED):
            continue
        target = out / entry.name
        if entry.is_dir():
            shutil.copytree(entry, target, ignore=_ignore, symlinks=False)
        else:
            shutil.copy2(entry, target)
        written.append(target)
    leaks = find_leaks(out, solution_blocks(root))
    if leaks:
        shutil.rmtree(out, ignore_errors=True)
        raise ReleaseError("the release would hold solution code, so it was deleted: " + "; ".join(leaks[:5]))
    return written


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "release",
        help="write the students' copy of the course (lessons, exercises, package) without the solutions",
        description="Copy what students get (README, licences, pyproject.toml, environment.yml, notebooks/, "
        "exercises/, rnn_course/, Binder's files) into a new folder, and nothing else: no solutions/, tests/ or "
        "benchmarks/. Then check that no released file holds a solution block; if one does, the release is "
        "deleted and the command fails. Run `rnn-course exercises build` first so exercises/ is up to date.",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="the folder to write (must be new or empty)")
    p.add_argument("--force", action="store_true", help="replace DIR if it is not empty")
    p.add_argument("--dir", help="the course folder (default: the checkout you are in)")
    p.set_defaults(func=_run)


def _run(args) -> int:
    root = course_root_or_error(args.dir, "release")
    if root is None:
        return 2
    try:
        written = release(root, Path(args.out), force=args.force)
    except ReleaseError as err:
        print(f"rnn-course release: {err}", file=sys.stderr)
        return 1
    print(f"wrote {len(written)} entries to {args.out}: {', '.join(p.name for p in written)}")
    print(f"checked: no file in {args.out} holds any of the {len(solution_blocks(root))} solution blocks")
    return 0
