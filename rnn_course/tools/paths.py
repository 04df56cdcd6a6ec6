"""Where the course's folders are: the checkout that holds notebooks/, solutions/, exercises/."""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["course_root", "course_root_or_error", "NOTEBOOK_DIRS"]

NOTEBOOK_DIRS = ("notebooks", "solutions", "exercises")


def _is_root(path: Path) -> bool:
    return (path / "notebooks").is_dir() and (path / "pyproject.toml").is_file()


def course_root(start: str | Path | None = None) -> Path | None:
    """The course checkout containing ``start`` (default: the current directory), else the
    checkout this package was installed from (``pip install -e``), else None."""
    here = Path(start or Path.cwd()).resolve()
    for path in (here, *here.parents):
        if _is_root(path):
            return path
    source = Path(__file__).resolve().parents[2]
    return source if _is_root(source) else None


def course_root_or_error(start: str | Path | None, command: str) -> Path | None:
    """``course_root(start)``, or None after telling the user (what every command's ``_run`` starts with)."""
    root = course_root(start)
    if root is None:
        print(f"rnn-course {command}: cannot find the course folder; pass --dir PATH", file=sys.stderr)
    return root
