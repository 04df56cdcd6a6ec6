"""`rnn-course slides`: lecture decks (reveal.js) built from the lessons' slideshow metadata.

Why a tool and not plain ``jupyter nbconvert --to slides``: nbconvert's reveal
template loads reveal.js, require.js, jQuery and MathJax from CDNs, so its
decks show raw LaTeX and no slides at all in a lecture hall without Wi-Fi.
Here every deck is one self-contained HTML file: reveal.js 5 and MathJax 3
(SVG output, no web fonts) are vendored in ``slides_assets/`` (versions and
licences in its VENDOR.md) and inlined, and figures are embedded PNGs.

What goes on the slides comes from the lesson's cell metadata (jupytext writes
``# %% [markdown] slideshow={"slide_type": "slide"}``): ``slide`` starts a
slide, ``subslide`` a slide below it, ``fragment`` appears on the next key
press, ``skip`` is left out, ``notes`` goes to the speaker view (press S): what to
say, what to ask and the answers, for the lecturer's eyes only (every deck
has them: ``tests/test_slides.py``).
Cell tags ``remove-input`` / ``remove-output`` / ``remove-cell`` hide parts of
a cell on the slides only, ``split-output`` shows a cell's output on a slide
of its own, below its code (for a cell whose code and output together are
taller than the screen; the notes cells right after it are shown with both),
and ``small-code`` sets a cell's code, text output and HTML tables at 20 px
instead of 24 (for a function that must be seen whole but is taller than the
screen, a printed table whose rows wrap at 24 px: about 76 characters fit a
line at 24 px, 91 at 20, or an HTML report that runs past the slide's foot);
``fit-output`` shrinks a printed table's text, down to 16 px, until its
longest row fits the slide's width (a wider table still wraps).

By default each notebook is executed first (in its own folder, with a fresh
kernel), so the deck shows the lesson's figures; a lesson runs in well under
a minute. The kernel runs with ``RNN_COURSE_STYLE=presenter`` (see
``rnn_course.plots.style``), so every figure is drawn with the presenter's
large fonts and thick lines, for the room rather than for a notebook; on
POSIX it talks to the builder over local sockets (IPC), which is private to
the machine and keeps the kernel from warning about unencrypted TCP.
Interactive demos appear as the static PNG of their figure (the
widget state is not stored, so nbconvert picks the demo's ``image/png``), and
stderr (progress bars) is dropped. ``--no-execute`` converts the notebooks as
they are (the committed notebooks have no outputs: text and maths only).
"""

from __future__ import annotations

import copy
import html
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .paths import course_root

__all__ = ["Deck", "build_deck", "build_decks", "lecture_notebooks", "slides_without_notes", "ASSETS",
           "register"]

ASSETS = Path(__file__).with_name("slides_assets")
REVEAL_VERSION = "5.2.1"
MATHJAX_VERSION = "3.2.2"
#: the deck's logical size in px; reveal.js scales it to the screen
WIDTH, HEIGHT = 1280, 800
_REMOVE_INPUT = ("remove-input", "remove_input", "hide-input")
_REMOVE_OUTPUT = ("remove-output", "remove_output", "hide-output")
_REMOVE_CELL = ("remove-cell", "remove_cell")
_SPLIT_OUTPUT = ("split-output",)


@dataclass(frozen=True)
class Deck:
    """One built deck: where it is, how many slides it has, how long it took."""

    notebook: Path
    path: Path
    slides: int  # horizontal slides
    subslides: int  # vertical slides below them
    fragments: int
    executed: bool
    seconds: float

    def __str__(self) -> str:
        how = f"executed and built in {self.seconds:.1f} s" if self.executed else f"built in {self.seconds:.1f} s"
        return (f"{self.path} ({self.slides} slides, {self.subslides} subslides, "
                f"{self.fragments} fragments; {how})")


def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def _script(text: str) -> str:
    # Inline JavaScript must not close its own <script> element early.
    return text.replace("</script", "<\\/script")


def _deck_resources() -> dict:
    import nbconvert

    theme = re.sub(r"@import url\([^)]*\);\s*", "", _asset("reveal-theme-white.css"))  # web fonts not vendored
    return {
        "reveal_js": _script(_asset("reveal.js")),
        "notes_js": _script(_asset("reveal-notes.js")),
        "mathjax_js": _script(_asset("mathjax-tex-svg-full.js")),
        "reveal_css": _asset("reveal.css"),
        "theme_css": theme,
        "width": WIDTH,
        "height": HEIGHT,
        "nbconvert_version": nbconvert.__version__,
        "reveal_version": REVEAL_VERSION,
        "mathjax_version": MATHJAX_VERSION,
    }


def lecture_notebooks(root: Path) -> list[Path]:
    """The notebooks a lecturer presents: the lessons ``notebooks/NN_*.ipynb`` in order, then the
    lecture-demo notebook when there is one."""
    notebooks = sorted(p for p in (root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    demos = root / "notebooks" / "lecture_demos.ipynb"
    return notebooks + ([demos] if demos.exists() else [])


def _execute(nb, folder: Path, timeout: int):
    from nbclient import NotebookClient
    from traitlets.config import Config

    from ..plots.style import STYLE_ENV

    kernel = nb.metadata.get("kernelspec", {}).get("name", "python3")
    env = dict(os.environ, **{STYLE_ENV: "presenter"})  # figures for the room (plots.style)
    with tempfile.TemporaryDirectory(prefix="rnn-course-slides-") as sockets:
        config = Config()
        if os.name == "posix":  # local sockets: nothing on the network, and no TCP warning from the kernel
            config.KernelManager.transport = "ipc"
            config.KernelManager.ip = str(Path(sockets) / "kernel")
        # store_widget_state=False: without widget state nbconvert shows a demo's static PNG
        # (a deck has no kernel to drive sliders).
        client = NotebookClient(nb, timeout=timeout, kernel_name=kernel, store_widget_state=False,
                                resources={"metadata": {"path": str(folder)}}, config=config)
        client.execute(env=env)
    return nb


def slides_without_notes(nb, *, each_subslide: bool = False) -> list[str]:
    """The slides (horizontal, with the vertical ones below them) that have no speaker notes: the
    first line of each, in order. A ``notes`` cell anywhere in a slide's stack counts for it; with
    ``each_subslide``, every vertical slide needs notes of its own (the speaker view shows the
    current slide's)."""
    starts = ("slide", "subslide") if each_subslide else ("slide",)
    stacks: list[list] = []
    for cell in nb.cells:
        kind = cell.metadata.get("slideshow", {}).get("slide_type", "-")
        if kind == "skip":
            continue
        if kind in starts or not stacks:
            stacks.append([cell])
        else:
            stacks[-1].append(cell)
    missing = []
    for stack in stacks:
        if not any(c.metadata.get("slideshow", {}).get("slide_type") == "notes" for c in stack):
            shown = [c for c in stack if c.metadata.get("slideshow", {}).get("slide_type") != "notes"]
            first = (shown or stack)[0]
            missing.append(first.source.strip().splitlines()[0] if first.source.strip() else "(empty)")
    return missing


def _notes_after(cells, index: int) -> list:
    """The notes cells that directly follow ``cells[index]``."""
    notes = []
    for cell in cells[index + 1:]:
        if cell.metadata.get("slideshow", {}).get("slide_type") != "notes":
            break
        notes.append(cell)
    return notes


def _copy(cell, suffix: str):
    """A deep copy of ``cell`` with an id of its own (nbformat rejects duplicate ids)."""
    twin = copy.deepcopy(cell)
    if "id" in twin:
        twin["id"] = f"{cell['id']}-{suffix}"[-64:]
    return twin


def _prepare(nb) -> None:
    """Slide-only clean-up: drop stderr (progress bars), widget state, and what the tags hide; a cell tagged
    ``split-output`` becomes its code, then (after copies of the notes that follow it, so that the code's
    slide has them too) its output alone on a new subslide."""
    nb.metadata.pop("widgets", None)
    kept = []
    for index, cell in enumerate(nb.cells):
        tags = set(cell.metadata.get("tags", ()))
        if tags & set(_REMOVE_CELL):
            continue
        below = None
        if cell.cell_type == "code":
            if tags & set(_REMOVE_INPUT):
                cell.metadata.setdefault("transient", {})["remove_source"] = True
            if tags & set(_REMOVE_OUTPUT):
                cell.outputs = []
            cell.outputs = [o for o in cell.outputs
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
            if tags & set(_SPLIT_OUTPUT) and cell.outputs:
                below = _copy(cell, "output")
                below.metadata["slideshow"] = {"slide_type": "subslide"}
                below.metadata.setdefault("transient", {})["remove_source"] = True
                cell.outputs = []
        kept.append(cell)
        if below is not None:
            kept.extend(_copy(note, "again") for note in _notes_after(nb.cells, index))
            kept.append(below)
    nb.cells = kept


def _count(nb) -> tuple[int, int, int]:
    types = [c.metadata.get("slideshow", {}).get("slide_type", "-") for c in nb.cells]
    shown = [t for t in types if t not in ("skip", "notes")]
    slides = max(1, sum(t == "slide" for t in shown) + (0 if shown and shown[0] == "slide" else 1))
    return slides, sum(t == "subslide" for t in shown), sum(t == "fragment" for t in shown)


def build_deck(notebook: str | Path, out_dir: str | Path, *, execute: bool = True, timeout: int = 600) -> Deck:
    """Build ``<out_dir>/<notebook stem>.slides.html`` from one notebook.

    Inputs:
        notebook: an .ipynb (or a py:percent .py, read through jupytext)
        out_dir: created when missing
        execute: run the notebook first (fresh kernel, in the notebook's folder) so the
            deck shows its outputs; False converts the notebook as it is
        timeout: seconds allowed per cell when executing
    Returns a ``Deck`` (path, counts of slides/subslides/fragments, seconds taken).
    Raises ValueError for a missing or unreadable notebook, or one whose cells are all skipped;
    nbclient's CellExecutionError (with the failing cell) when a cell fails.
    """
    import nbformat
    from nbconvert import SlidesExporter

    start = time.perf_counter()
    notebook = Path(notebook)
    if not notebook.is_file():
        raise ValueError(f"notebook: expected an existing .ipynb or .py file, got {str(notebook)!r}")
    if not isinstance(timeout, int) or timeout <= 0:
        raise ValueError(f"timeout: expected a positive number of seconds, got {timeout!r}")
    if notebook.suffix == ".py":
        import jupytext

        nb = jupytext.read(notebook, fmt="py:percent")
    elif notebook.suffix == ".ipynb":
        nb = nbformat.read(notebook, as_version=4)
    else:
        raise ValueError(f"notebook: expected a .ipynb or .py file, got {notebook.name!r}")
    nb = copy.deepcopy(nb)
    if execute:
        _execute(nb, notebook.parent.resolve(), timeout)
    _prepare(nb)
    slides, subslides, fragments = _count(nb)

    exporter = SlidesExporter(template_name="rnn_course_reveal", extra_template_basedirs=[str(ASSETS)],
                              exclude_input_prompt=True, exclude_output_prompt=True)
    title = nb.metadata.get("title") or notebook.stem.replace("_", " ")
    resources = {"deck": _deck_resources(), "metadata": {"name": title, "path": str(notebook.parent)}}
    try:
        body, _ = exporter.from_notebook_node(nb, resources=resources)
    except ValueError as err:  # nbconvert: "All cells are hidden, cannot create slideshow"
        raise ValueError(f"notebook: {notebook.name}: {err}") from err
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{notebook.stem}.slides.html"
    path.write_text(body, encoding="utf-8")
    return Deck(notebook, path, slides, subslides, fragments, execute, time.perf_counter() - start)


def _write_index(decks: list[Deck], out_dir: Path) -> Path:
    rows = "\n".join(
        f'<li><a href="{html.escape(d.path.name)}">{html.escape(d.notebook.stem.replace("_", " "))}</a> '
        f"({d.slides} slides)</li>" for d in decks)
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>rnn-course slides</title>"
            "<style>body{font:20px/1.5 sans-serif;margin:2em auto;max-width:40em}</style></head>\n"
            "<body><h1>rnn-course: lecture decks</h1>\n<p>Arrow keys move, F is full screen, "
            "S opens the speaker view, Esc shows an overview.</p>\n"
            f"<ol>\n{rows}\n</ol></body></html>\n")
    index = out_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def build_decks(notebooks, out_dir: str | Path, *, execute: bool = True, timeout: int = 600,
                log=None) -> list[Deck]:
    """Build a deck per notebook (in order) and an ``index.html`` linking them; ``log(message)``
    is called after each deck."""
    decks = []
    for notebook in notebooks:
        deck = build_deck(notebook, out_dir, execute=execute, timeout=timeout)
        decks.append(deck)
        if log is not None:
            log(str(deck))
    if decks:
        _write_index(decks, Path(out_dir))
    return decks


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "slides",
        help="build offline reveal.js lecture decks from the lessons",
        description="Build one self-contained reveal.js deck per notebook (default: every lesson and the "
        "lecture demos) from the cells' slideshow metadata. Decks open from file:// with no network: "
        "reveal.js and MathJax are inlined. Notebooks are executed first so the decks show figures.",
    )
    p.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="notebooks to convert (.ipynb or .py)")
    p.add_argument("--out", default=None, help="output folder (default: build/slides in the course folder)")
    p.add_argument("--no-execute", action="store_true",
                   help="convert the notebooks as they are, without running them (no figures)")
    p.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell (default 600)")
    p.add_argument("--dir", help="the course folder (default: the checkout you are in)")
    p.set_defaults(func=_run)


def _run(args) -> int:
    root = course_root(args.dir)
    if args.notebooks:
        notebooks = [Path(n) for n in args.notebooks]
        missing = [str(n) for n in notebooks if not n.is_file()]
        if missing:
            print(f"rnn-course slides: no such notebook: {', '.join(missing)}", file=sys.stderr)
            return 2
    elif root is None:
        print("rnn-course slides: cannot find the course folder; pass --dir PATH or NOTEBOOK files",
              file=sys.stderr)
        return 2
    else:
        notebooks = lecture_notebooks(root)
        if not notebooks:
            print(f"rnn-course slides: no lesson notebooks in {root / 'notebooks'}", file=sys.stderr)
            return 2
    out = Path(args.out) if args.out else (root or Path.cwd()) / "build" / "slides"
    start = time.perf_counter()
    try:
        decks = build_decks(notebooks, out, execute=not args.no_execute, timeout=args.timeout,
                            log=lambda message: print(f"wrote {message}", flush=True))
    except Exception as err:  # a failing cell or a broken notebook: say which, no traceback wall
        print(f"rnn-course slides: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    print(f"{len(decks)} decks in {time.perf_counter() - start:.1f} s; open {out / 'index.html'} "
          "(works offline, from file://)")
    return 0
