"""`rnn-course notebooks sync|check`: the .py twins are the source, the .ipynb files are built from them.

Every notebook in notebooks/, solutions/ and exercises/ is a py:percent file
(reviewable, lintable) plus the .ipynb generated from it without outputs, so
students can open it directly in JupyterLab, VS Code or Colab. ``sync``
rewrites each .ipynb from its twin (and puts the Colab header, see
``rnn_course.tools.colab``, at the top of each student notebook's .py);
``check`` (used by the tests) lists what differs without writing anything.

The pairing lives here, not in a jupytext configuration. A ``jupytext.toml``
with ``formats = "ipynb,py:percent"`` makes jupytext's contents manager (which
JupyterLab uses when jupytext is installed) write the .py twin on every save of
an .ipynb: a student saving an exercise rewrote the course's source, and their
next ``git pull`` conflicted. So the repository has no pairing configuration,
and each generated .ipynb says in its metadata that it is paired with nothing
(``"jupytext": {"formats": "ipynb"}``), which jupytext obeys before any
configuration file, including one in the student's home folder. Authors edit
the .py and run ``rnn-course notebooks sync``.
"""

from __future__ import annotations

from pathlib import Path

from . import colab
from .paths import NOTEBOOK_DIRS, course_root_or_error

__all__ = ["twins", "render", "out_of_sync", "sync", "register", "UNPAIRED"]

#: the .ipynb's jupytext metadata: saving it writes the .ipynb only, whatever jupytext's configuration says
UNPAIRED = {"formats": "ipynb"}


def twins(root: Path, dirs=NOTEBOOK_DIRS) -> list[tuple[Path, Path]]:
    """(py, ipynb) for every py:percent notebook under ``dirs`` of ``root``."""
    pairs = []
    for d in dirs:
        for py in sorted((root / d).glob("*.py")):
            if py.name.startswith("_") or "# %%" not in py.read_text(encoding="utf-8"):
                continue
            pairs.append((py, py.with_suffix(".ipynb")))
    return pairs


def render(py: Path) -> str:
    """The .ipynb text generated from a py:percent file (no outputs, no execution counts)."""
    import jupytext

    nb = jupytext.read(py, fmt="py:percent")
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index:03d}"  # deterministic: the .ipynb must be a pure function of the .py
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.metadata["jupytext"] = dict(UNPAIRED)  # a student's save must not rewrite the .py (see the docstring)
    text = jupytext.writes(nb, fmt="ipynb")
    return text if text.endswith("\n") else text + "\n"


def out_of_sync(root: Path, dirs=NOTEBOOK_DIRS) -> list[str]:
    """Human-readable problems: missing or stale .ipynb files, and .ipynb files without a twin."""
    problems = []
    pairs = twins(root, dirs)
    for py, ipynb in pairs:
        if _with_colab_header(py, root) != py.read_text(encoding="utf-8"):
            problems.append(f"{py.relative_to(root)} lacks its Colab header or it is stale "
                            "(run `rnn-course notebooks sync`)")
        if not ipynb.exists():
            problems.append(f"{ipynb.relative_to(root)} is missing (run `rnn-course notebooks sync`)")
        elif ipynb.read_text(encoding="utf-8") != render(py):
            problems.append(
                f"{ipynb.relative_to(root)} differs from its twin {py.name} (run `rnn-course notebooks sync`)"
            )
    paired = {ipynb for _, ipynb in pairs}
    for d in dirs:
        for ipynb in sorted((root / d).glob("*.ipynb")):
            if ipynb not in paired:
                problems.append(f"{ipynb.relative_to(root)} has no py:percent twin {ipynb.with_suffix('.py').name}")
    return problems


def sync(root: Path, dirs=NOTEBOOK_DIRS) -> list[Path]:
    """Put the Colab header on every student notebook's .py, then rewrite every stale .ipynb from its
    twin; returns the files written."""
    written = []
    for py, ipynb in twins(root, dirs):
        source = _with_colab_header(py, root)
        if source != py.read_text(encoding="utf-8"):
            py.write_text(source, encoding="utf-8")
            written.append(py)
        text = render(py)
        if not ipynb.exists() or ipynb.read_text(encoding="utf-8") != text:
            ipynb.write_text(text, encoding="utf-8")
            written.append(ipynb)
    return written


def _with_colab_header(py: Path, root: Path) -> str:
    """The .py's text with its Colab header (unchanged for notebooks that take none)."""
    text = py.read_text(encoding="utf-8")
    relpath = py.relative_to(root).as_posix()
    return colab.with_header(text, relpath) if colab.wants_header(relpath) else text


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "notebooks",
        help="build the .ipynb notebooks from their py:percent twins, or check they agree",
        description="The py:percent files are the source of the lessons; the .ipynb files are built from "
        "them without outputs.",
    )
    p.add_argument("action", choices=("sync", "check"), help="sync: rewrite stale .ipynb files; check: only report")
    p.add_argument("--dir", help="the course folder (default: the checkout you are in)")
    p.set_defaults(func=_run)


def _run(args) -> int:
    root = course_root_or_error(args.dir, "notebooks")
    if root is None:
        return 2
    if args.action == "sync":
        for path in sync(root):
            print(f"wrote {path.relative_to(root)}")
        return 0
    problems = out_of_sync(root)
    for line in problems:
        print(line)
    if not problems:
        print(f"all {len(twins(root))} notebooks are in sync with their twins")
    return 1 if problems else 0
