"""What a class hands in: finding the submission files, reading their code cells, naming their student.

* ``find_submissions(paths)``: every ``.ipynb`` and ``.py`` file given or
  inside the folders given (any case: ``.IPYNB`` too), each its own entry,
  a symbolic link included (and marked: it never replaces the file it points
  to); returns the files and the ones it passed over, so nothing is skipped
  silently.
* ``load_submission(path)``: the code cells of a notebook or a py:percent
  file, read once, never written; a UTF-8 byte-order mark is fine; a file
  that is not a notebook is a ``problem`` the report states, never an
  exception.
* ``student_of(submission, exercises)``: the student id, from the notebook's
  metadata (``rnn_course.student``, ``student_id`` or ``student``), else the
  file name without the set's name (``alice_01_forward_pass.ipynb`` is
  ``alice``), else the folder it is in (``alice/01_forward_pass.ipynb``).
* ``split_percent(lines)``: py:percent lines as cells, shared with the
  exercise generator (``tools/exercises.py``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Submission", "SUFFIXES", "find_submissions", "load_submission", "split_percent", "percent_cells",
           "detect_exercise", "student_of"]

SUFFIXES = (".ipynb", ".py")


@dataclass
class Submission:
    path: Path
    cells: list = field(default_factory=list)
    text: str = ""
    problem: str | None = None  # why its code cannot be run (not JSON, not a notebook, unreadable)
    sha256: str = ""
    metadata: dict = field(default_factory=dict)  # the notebook's metadata (empty for .py)
    link: str | None = None  # where a symbolic link points


def split_percent(lines) -> list[tuple[str | None, list[str]]]:
    """py:percent lines as ``(header line or None, body lines)`` cells; the first cell is what precedes the
    first ``# %%`` line (its header is None)."""
    cells, header, body = [], None, []
    for line in lines:
        if line.startswith("# %%"):
            cells.append((header, body))
            header, body = line, []
        else:
            body.append(line)
    cells.append((header, body))
    return cells


def _is_code(header: str | None) -> bool:
    return header is None or not any(kind in header for kind in ("[markdown]", "[md]", "[raw]"))


def percent_cells(text: str) -> list[str]:
    """Code cells of a py:percent file (markdown cells dropped); a plain script is one cell."""
    if not re.search(r"^# %%", text, flags=re.M):
        return [text]
    return ["\n".join(body) for header, body in split_percent(text.splitlines())
            if _is_code(header) and (header is not None or any(line.strip() for line in body))]


def _suffix(path: Path) -> str:
    return path.suffix.lower()


def load_submission(path) -> Submission:
    """Read a submission's code cells; never raises (a problem is recorded instead)."""
    path = Path(path)
    sub = Submission(path)
    if path.is_symlink():
        try:
            sub.link = os.readlink(path)
        except OSError:
            sub.link = "?"
    try:
        data = path.read_bytes()
    except OSError as err:
        sub.problem = f"could not read the file ({err.strerror or err})"
        return sub
    sub.sha256 = hashlib.sha256(data).hexdigest()
    text = data.decode("utf-8-sig", errors="replace")  # -sig: a byte-order mark (Windows editors) is not code
    sub.text = text
    if _suffix(path) == ".ipynb" or text.lstrip().startswith("{"):  # a notebook, whatever its name says
        try:
            nb = json.loads(text)
        except (ValueError, RecursionError) as err:
            if _suffix(path) != ".ipynb":
                sub.cells = percent_cells(text)
                return sub
            sub.problem = f"the notebook is not valid JSON ({str(err)[:120]}); was it saved completely?"
            return sub
        cells = nb.get("cells") if isinstance(nb, dict) else None
        if not isinstance(cells, list):
            sub.problem = "the file is JSON but not a Jupyter notebook (no list of cells)"
            return sub
        if isinstance(nb.get("metadata"), dict):
            sub.metadata = nb["metadata"]
        for cell in cells:
            if isinstance(cell, dict) and cell.get("cell_type") == "code":
                source = cell.get("source", "")
                sub.cells.append("".join(map(str, source)) if isinstance(source, list) else str(source))
        return sub
    sub.cells = percent_cells(text)
    return sub


def find_submissions(paths) -> tuple[list[Path], list[Path]]:
    """``(files to grade, files passed over)``: the files given, and every .ipynb / .py inside the folders given.

    Every path is its own entry: a symbolic link to another student's file is
    graded (and marked in the report), and never replaces that student's row.
    Hidden files and folders and ``__pycache__`` are passed over silently;
    other files (a .txt, a .zip) are returned as passed over.
    """
    found: list[Path] = []
    passed: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p).parts
                if any(part.startswith(".") or part == "__pycache__" for part in rel) or f.is_dir():
                    continue
                (found if _suffix(f) in SUFFIXES and f.is_file() else passed).append(f)
        else:
            found.append(p)
    seen, unique = set(), []
    for f in found:
        key = os.path.abspath(f)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, passed


def _keyword(exercise: str) -> str:
    """``"forward_pass"`` for ``"01_forward_pass"``: the set's name without its number."""
    head, _, rest = exercise.partition("_")
    return rest if head.isdigit() and rest else exercise


def detect_exercise(sub: Submission, exercises: dict) -> str | None:
    """Which set a submission belongs to: from its file name, else from the functions it defines.

    ``exercises`` maps each set's name to its items (``catalog.EXERCISES``).
    """
    name = sub.path.name.lower()
    for exercise in exercises:
        if exercise.lower() in name:
            return exercise
    for exercise in exercises:
        if _keyword(exercise).lower() in name:
            return exercise
    defined = set(re.findall(r"def\s+([A-Za-z_]\w*)\s*\(", sub.text))
    scores = {ex: len(defined & {i.function for i in items}) for ex, items in exercises.items()}
    best = max(scores.values(), default=0)
    winners = [ex for ex, s in scores.items() if s == best]
    return winners[0] if best > 0 and len(winners) == 1 else None


_META_KEYS = (("rnn_course", "student"), ("student_id",), ("student",))


def student_of(sub: Submission, exercise: str | None) -> str:
    """The student a submission belongs to (see the module docstring)."""
    for keys in _META_KEYS:
        value = sub.metadata
        for k in keys:
            value = value.get(k) if isinstance(value, dict) else None
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()[:100]
    stem = sub.path.name[: -len(sub.path.suffix)] if sub.path.suffix else sub.path.name
    if exercise:
        for name in (exercise, _keyword(exercise)):
            stem = re.sub(re.escape(name), "", stem, flags=re.I)
    stem = stem.strip(" _-.")
    if stem:
        return stem
    parent = sub.path.parent.name
    return parent or sub.path.name
