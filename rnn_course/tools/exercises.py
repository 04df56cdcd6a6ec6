"""`rnn-course exercises build [--force]`: make exercises/ from solutions/, so the two cannot drift.

solutions/NN_name.py (py:percent) is the source of truth. In the exercise
made from it (exercises/NN_name.py and the .ipynb rendered from it):

* every block between ``### BEGIN SOLUTION`` and ``### END SOLUTION``
  (inside a function, in a code cell) becomes, at the same indentation::

      # YOUR CODE HERE
      raise NotImplementedError("write your code here")

  so the check reports "not attempted" until the student replaces it;
* every block between ``### BEGIN HIDDEN`` and ``### END HIDDEN`` is removed
  (code or markdown, e.g. ``# ### BEGIN HIDDEN`` in a markdown cell): notes
  for instructors and the solutions' self-tests. A cell left empty by this
  is dropped.

A solution block at the top level of a cell is refused (the stub would make
the blank exercise crash when run top to bottom); so are unbalanced or
nested markers.

Students edit exercise notebooks, so ``build`` never overwrites one that
somebody changed: it overwrites a file only when it is missing, or when it
is byte-for-byte what the generator last wrote (its SHA-256 is recorded in
exercises/.generated.json). ``--force`` overwrites anyway. ``check`` only
reports what ``build`` would change (the tests use it).
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import tempfile
from pathlib import Path

from ..grading.submissions import split_percent
from . import colab
from .notebooks import render
from .paths import course_root_or_error

__all__ = ["generate", "expected_files", "build", "check", "register", "MANIFEST", "ExerciseError"]

MANIFEST = ".generated.json"
STUB = ('# YOUR CODE HERE', 'raise NotImplementedError("write your code here")')
_MARKER = re.compile(r"^(?P<indent>\s*)(?:#\s*)?### (?P<kind>BEGIN|END) (?P<what>SOLUTION|HIDDEN)\s*$")


class ExerciseError(ValueError):
    """A solution file the generator cannot turn into an exercise (says which file and line)."""


def generate(text: str, name: str = "<solution>") -> str:
    """The exercise text made from a solution's py:percent text."""
    lines = text.splitlines()
    out: list[str] = []
    lineno = 0
    for header, body in split_percent(lines):
        if header is not None:
            lineno += 1
        is_markdown = header is not None and ("[markdown]" in header or "[md]" in header)
        kept: list[str] = []
        open_kind, open_line = None, 0
        for line in body:
            lineno += 1
            m = _MARKER.match(line)
            if m:
                kind, what = m["kind"], m["what"]
                if kind == "BEGIN":
                    if open_kind:
                        raise ExerciseError(f"{name}:{lineno}: BEGIN {what} inside an open {open_kind} block "
                                            f"(opened at line {open_line})")
                    if what == "SOLUTION":
                        if is_markdown:
                            raise ExerciseError(f"{name}:{lineno}: a SOLUTION block in a markdown cell; "
                                                "use HIDDEN to remove markdown")
                        if not m["indent"]:
                            raise ExerciseError(f"{name}:{lineno}: a SOLUTION block at the top level of a cell; "
                                                "put graded code inside a function so the blank exercise runs")
                        kept += [m["indent"] + s for s in STUB]
                    open_kind, open_line = what, lineno
                else:
                    if open_kind != what:
                        raise ExerciseError(f"{name}:{lineno}: END {what} without a matching BEGIN {what}")
                    open_kind = None
                continue
            if open_kind is None:
                kept.append(line)
        if open_kind:
            raise ExerciseError(f"{name}:{open_line}: BEGIN {open_kind} is never closed")
        if is_markdown and kept != body:
            while kept and kept[-1].strip() in ("", "#"):
                kept.pop()
            kept.append("")
        if header is None:
            out += kept
        elif any(line.strip() for line in kept) or not any(line.strip() for line in body):
            out.append(header)
            out += kept
    while len(out) > 1 and not out[-1].strip() and not out[-2].strip():
        out.pop()
    result = "\n".join(out)
    return result if result.endswith("\n") else result + "\n"


def _solutions(root: Path) -> list[Path]:
    return [p for p in sorted((root / "solutions").glob("*.py"))
            if not p.name.startswith("_") and "# %%" in p.read_text(encoding="utf-8")]


def expected_files(root: Path) -> dict[Path, str]:
    """Every exercise file (the .py and its .ipynb) and the text the generator makes for it."""
    files: dict[Path, str] = {}
    for sol in _solutions(root):
        py_text = generate(sol.read_text(encoding="utf-8"), str(sol.relative_to(root)))
        target = root / "exercises" / sol.name
        py_text = colab.with_header(py_text, f"exercises/{sol.name}")  # the badge opens the exercise
        with tempfile.TemporaryDirectory() as tmp:
            tmp_py = Path(tmp) / sol.name
            tmp_py.write_text(py_text, encoding="utf-8")
            ipynb_text = render(tmp_py)
        files[target] = py_text
        files[target.with_suffix(".ipynb")] = ipynb_text
    return files


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _manifest(root: Path) -> dict:
    path = root / "exercises" / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _plan(root: Path):
    """(file, new text, action) with action "write", "unchanged" or "edited"."""
    manifest = _manifest(root)
    plan = []
    for path, text in expected_files(root).items():
        if not path.exists():
            plan.append((path, text, "write"))
            continue
        current = path.read_text(encoding="utf-8")
        if current == text:
            plan.append((path, text, "unchanged"))
        elif manifest.get(path.name) == _sha(current):
            plan.append((path, text, "write"))  # what we generated last time, from an older solution
        else:
            plan.append((path, text, "edited"))
    return plan


def build(root: Path, force: bool = False) -> tuple[list[Path], list[Path]]:
    """Write the exercises; returns (written, refused). Refused files were edited since generation."""
    (root / "exercises").mkdir(exist_ok=True)
    manifest = _manifest(root)
    written, refused = [], []
    for path, text, action in _plan(root):
        if action == "edited" and not force:
            refused.append(path)
            continue
        if action != "unchanged":
            path.write_text(text, encoding="utf-8")
            written.append(path)
        manifest[path.name] = _sha(text)
    manifest_path = root / "exercises" / MANIFEST
    manifest_text = json.dumps(dict(sorted(manifest.items())), indent=2) + "\n"
    if not manifest_path.exists() or manifest_path.read_text(encoding="utf-8") != manifest_text:
        manifest_path.write_text(manifest_text, encoding="utf-8")
    return written, refused


def check(root: Path) -> list[str]:
    """What ``build`` would change, as readable lines (empty when exercises/ is up to date)."""
    problems = []
    for path, _, action in _plan(root):
        rel = path.relative_to(root)
        if action == "write":
            problems.append(f"{rel} is missing or out of date (run `rnn-course exercises build`)")
        elif action == "edited":
            problems.append(f"{rel} differs from what its solution generates and was edited by hand "
                            "(`rnn-course exercises build --force` regenerates it)")
    return problems


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "exercises",
        help="build the exercise notebooks from the solutions (or check they are up to date)",
        description="Make exercises/ from solutions/: every ### BEGIN SOLUTION ... ### END SOLUTION block "
        "becomes a stub that raises NotImplementedError, every ### BEGIN HIDDEN ... ### END HIDDEN block is "
        "removed. Writes the .py twin and the .ipynb. An exercise somebody edited is not overwritten "
        "unless --force.",
    )
    p.add_argument("action", choices=("build", "check"), help="build: write exercises/; check: only report")
    p.add_argument("--force", action="store_true", help="overwrite exercises even if they were edited")
    p.add_argument("--dir", help="the course folder (default: the checkout you are in)")
    p.set_defaults(func=_run)


def _run(args) -> int:
    root = course_root_or_error(args.dir, "exercises")
    if root is None:
        return 2
    try:
        if args.action == "check":
            problems = check(root)
            for line in problems:
                print(line)
            if not problems:
                print(f"exercises/ is up to date with its {len(_solutions(root))} solutions")
            return 1 if problems else 0
        written, refused = build(root, force=args.force)
    except ExerciseError as err:
        print(f"rnn-course exercises: {err}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path.relative_to(root)}")
    for path in refused:
        print(f"refused to overwrite {path.relative_to(root)}: it was edited since it was generated "
              "(--force overwrites it; the edits are lost)", file=sys.stderr)
    if not written and not refused:
        print("exercises/ is up to date")
    return 1 if refused else 0
