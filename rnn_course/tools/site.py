"""`rnn-course site --out DIR`: the whole course as a static web site, executed, that works offline.

Every lesson and exercise is run in a fresh kernel and converted to a page
with its figures and outputs; the home page is the course map; the lessons'
slide decks (``rnn-course slides``, built from the same executed notebooks)
are linked from every lesson. The site opens from ``file://`` or any static
host and loads nothing from a network: JupyterLab's notebook stylesheets (from
the installed nbconvert) and MathJax (the build vendored for the slides,
``slides_assets/``, SVG output so no web fonts) are copied into ``_static/``,
pages use the system's fonts, figures are PNG files next to each page.

Why nbconvert with a small template, not Jupyter Book 2 / MyST: MyST's site
themes are downloaded when a site is built (``jupyter-book build --html``
asks api.mystmd.org for the book theme, and stops there on a machine that
reaches only package registries), so neither the course's CI nor a lecturer
offline could build it. nbconvert is already installed with JupyterLab, runs
offline, and its JupyterLab template makes pages that look like the notebook.

What a page shows: the notebook as a student sees it after "Run All",
without the Colab header cells (the page has its own "Open in Colab" link),
stderr (progress bars) or widget views. A demo shows the PNG of its figure at
its default settings (its static fallback, see ``rnn_course.demos.Demo``) with
a line saying the sliders are in the notebook. Every figure has alt text: the
kernel that runs a notebook attaches ``plots.style.describe(fig)`` (built from
the figure's titles, axis labels and legend, or the description a plot set)
to each figure it displays. Links between notebooks become links between
pages; links to files outside the site go to the repository on GitHub.
"""

from __future__ import annotations

import copy
import html
import re
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from posixpath import relpath as posix_relpath

from . import colab
from .paths import course_root
from .slides import ASSETS as SLIDES_ASSETS

__all__ = ["Page", "Site", "site_notebooks", "build_site", "register", "ASSETS"]

ASSETS = Path(__file__).with_name("site_assets")
_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_SOURCE_URL = f"{colab.REPOSITORY}/blob/{colab.BRANCH}"
_BINDER_URL = (f"https://mybinder.org/v2/gh/{colab.REPOSITORY.removeprefix('https://github.com/')}/{colab.BRANCH}"
               "?urlpath=lab/tree/notebooks/00_welcome.ipynb")

# Run in the kernel before the notebook: every matplotlib figure it displays carries its description as the
# PNG's alt text. `%matplotlib inline` (each lesson's first cell) registers its own PNG formatter, so the
# wrapper is put back around whatever formatter is current before each cell runs.
_KERNEL_SETUP = """\
def _rnn_course_alt_text():
    from IPython import get_ipython
    from matplotlib.figure import Figure

    from rnn_course.demos import Demo
    from rnn_course.plots.style import describe

    shell = get_ipython()
    png = shell.display_formatter.formatters["image/png"]

    def wrap(*_):
        try:
            current = png.lookup_by_type(Figure)
        except KeyError:
            return
        if getattr(current, "rnn_course_alt", False):
            return

        def with_alt(fig, _inner=current):
            data = _inner(fig)
            if data is None:
                return None
            return data, {"alt": describe(fig)}

        with_alt.rnn_course_alt = True
        png.for_type(Figure, with_alt)

    def demo_bundle(demo):
        data = demo._repr_mimebundle_()
        alt = f"Demo: {demo.title}. " + (f"{demo.description} " if demo.description else "") + describe(demo.figure)
        return data, {"image/png": {"alt": alt}}

    shell.display_formatter.mimebundle_formatter.for_type(Demo, demo_bundle)
    shell.events.register("pre_run_cell", wrap)
    shell.events.register("post_execute", wrap)
    wrap()


_rnn_course_alt_text()
del _rnn_course_alt_text
"""


@dataclass(frozen=True)
class Page:
    """One built page: the notebook it came from, where it is, what it holds."""

    notebook: Path
    path: Path
    title: str
    figures: int
    undescribed: int  # figures whose alt text is only the section they are in
    executed: bool
    seconds: float  # executing and converting

    def __str__(self) -> str:
        how = "executed and built" if self.executed else "built"
        return f"{self.path} ({self.figures} figures; {how} in {self.seconds:.1f} s)"


@dataclass
class Site:
    """A built site: its folder, home page, pages, slide decks and the time it took."""

    out: Path
    index: Path
    pages: list[Page] = field(default_factory=list)
    decks: list[Path] = field(default_factory=list)
    seconds: float = 0.0


def site_notebooks(root: Path) -> list[Path]:
    """What the site shows, in order: the lessons ``notebooks/NN_*.ipynb``, then the exercises (never the
    solutions)."""
    return sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb")) + sorted((root / "exercises").glob("*.ipynb"))


# -- executing ---------------------------------------------------------------------------------------------


def _execute(path: str, timeout: int) -> str:
    """Run a notebook in a fresh kernel in its own folder (with the alt-text set-up first); returns its JSON.
    A module-level function so that notebooks can run in separate processes."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(_KERNEL_SETUP))
    kernel = nb.metadata.get("kernelspec", {}).get("name", "python3")
    # store_widget_state=False: no widget state, so a demo keeps only its PNG (a page has no kernel)
    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel, store_widget_state=False,
                            resources={"metadata": {"path": str(Path(path).parent)}})
    client.execute()
    nb.cells.pop(0)
    return nbformat.writes(nb)


def _run_all(notebooks: list[Path], timeout: int, jobs: int):
    """(notebook, executed JSON, seconds) for each notebook, ``jobs`` at a time, in order."""
    start = {}
    if jobs <= 1:
        for nb in notebooks:
            t0 = time.perf_counter()
            text = _execute(str(nb), timeout)
            yield nb, text, time.perf_counter() - t0
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = []
        for nb in notebooks:
            start[nb] = time.perf_counter()
            futures.append((nb, pool.submit(_execute, str(nb), timeout)))
        for nb, future in futures:
            text = future.result()
            yield nb, text, time.perf_counter() - start[nb]


# -- one page ------------------------------------------------------------------------------------------------


def _title(nb, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#\s+(.+)$", cell.source, re.M)
            if match and colab.TAG not in cell.metadata.get("tags", ()):
                return match.group(1).strip()
    return fallback


def _prepare(nb) -> tuple[int, int]:
    """Page-only clean-up, in place: drop the Colab header cells, stderr and widget views; make sure every
    figure has alt text. Returns (figures, figures described only by their section)."""
    nb.metadata.pop("widgets", None)
    figures = undescribed = 0
    section = ""
    kept = []
    for cell in nb.cells:
        if colab.TAG in cell.metadata.get("tags", ()):
            continue
        kept.append(cell)
        if cell.cell_type == "markdown":
            headings = re.findall(r"^#{1,4}\s+(.+)$", cell.source, re.M)
            section = headings[-1].strip() if headings else section
            continue
        if cell.cell_type != "code":
            continue
        outputs = []
        for output in cell.outputs:
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                continue
            data = output.get("data")
            if data is not None:
                if data.pop(_WIDGET_VIEW, None) is not None:
                    output.metadata["rnn_course_demo"] = True
                if "image/png" in data:
                    figures += 1
                    meta = output.metadata.setdefault("image/png", {})
                    if not meta.get("alt"):
                        undescribed += 1
                        meta["alt"] = f"A figure in the section “{section}”" if section else "A figure"
            outputs.append(output)
        cell.outputs = outputs
    nb.cells = kept
    return figures, undescribed


def _nav(page_rel: str, title: str, prev_next: tuple, deck: str | None, static_prefix: str) -> str:
    home = posix_relpath("index.html", _dir(page_rel))
    links = [f'<a class="rnn-course-brand" href="{home}">rnn-course</a>']
    prev, nxt = prev_next
    if prev:
        links.append(f'<a href="{posix_relpath(prev[0], _dir(page_rel))}" rel="prev">← {html.escape(prev[1])}</a>')
    if nxt:
        links.append(f'<a href="{posix_relpath(nxt[0], _dir(page_rel))}" rel="next">{html.escape(nxt[1])} →</a>')
    links.append('<span class="rnn-course-spacer"></span>')
    if deck:
        links.append(f'<a href="{posix_relpath(deck, _dir(page_rel))}">Slides</a>')
    ipynb = page_rel.removesuffix(".html") + ".ipynb"
    links.append(f'<a href="{_SOURCE_URL}/{ipynb}">Notebook</a>')
    links.append(f'<a class="rnn-course-button" href="{colab.colab_url(ipynb)}">Open in Colab</a>')
    return f'<nav class="rnn-course-nav" aria-label="{html.escape(title)}">{"".join(links)}</nav>'


def _footer() -> str:
    return ('<footer class="rnn-course-footer">rnn-course. Lesson text and figures: '
            '<a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>; code: MIT '
            f'(<a href="{colab.REPOSITORY}">repository</a>, LICENSE and LICENSE-content). '
            'Built from the notebooks by <code>rnn-course site</code>.</footer>')


def _dir(rel: str) -> str:
    return rel.rpartition("/")[0] or "."


def _rewrite_links(body: str, source_rel: str, page_rel: str, pages: dict[str, str], root: Path) -> str:
    """Links between notebooks become links between pages; other relative links go to the repository."""
    source_dir = _dir(source_rel)

    def fix(match):
        target, anchor = match.group(2), match.group(3) or ""
        if not target or re.match(r"^[a-z][a-z0-9+.-]*:|^/", target):
            return match.group(0)  # an anchor on the page, another site, an absolute path
        repo_rel = Path(source_dir, target).as_posix()
        parts = []
        for piece in repo_rel.split("/"):
            if piece == "..":
                parts = parts[:-1]
            elif piece not in ("", "."):
                parts.append(piece)
        repo_rel = "/".join(parts)
        if repo_rel in pages:
            new = posix_relpath(pages[repo_rel], _dir(page_rel))
        elif (root / repo_rel).exists():
            kind = "tree" if (root / repo_rel).is_dir() else "blob"
            new = f"{colab.REPOSITORY}/{kind}/{colab.BRANCH}/{repo_rel}"
        else:
            return match.group(0)
        return f'{match.group(1)}"{html.escape(new)}{anchor}"'

    return re.sub(r'(<a\s[^>]*?href=)"([^"#]*)(#[^"]*)?"', fix, body)


def _write_page(nb, *, notebook: Path, root: Path, out: Path, pages: dict[str, str], prev_next, deck,
                seconds: float, executed: bool) -> Page:
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import ExtractOutputPreprocessor

    source_rel = notebook.relative_to(root).as_posix()
    page_rel = pages[source_rel]
    title = _title(nb, notebook.stem.replace("_", " "))
    start = time.perf_counter()
    figures, undescribed = _prepare(nb)
    static = posix_relpath("_static", _dir(page_rel))
    exporter = HTMLExporter(template_name="rnn_course_site", template_file="page.html.j2",
                            extra_template_basedirs=[str(ASSETS)], exclude_input_prompt=True,
                            exclude_output_prompt=True)
    exporter.register_preprocessor(ExtractOutputPreprocessor(extract_output_types={"image/png", "image/jpeg",
                                                                                   "image/svg+xml"}), enabled=True)
    resources = {
        "metadata": {"name": title, "path": str(notebook.parent)},
        "unique_key": notebook.stem,
        "output_files_dir": f"{notebook.stem}_files",
        "site": {"static": static, "nav": _nav(page_rel, title, prev_next, deck, static), "footer": _footer()},
    }
    body, resources = exporter.from_notebook_node(nb, resources=resources)
    body = _rewrite_links(body, source_rel, page_rel, pages, root)
    path = out / page_rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    for name, data in resources.get("outputs", {}).items():
        (path.parent / name).parent.mkdir(parents=True, exist_ok=True)
        (path.parent / name).write_bytes(data)
    return Page(notebook, path, title, figures, undescribed, executed, seconds + time.perf_counter() - start)


# -- the site ------------------------------------------------------------------------------------------------


def _copy_static(out: Path) -> None:
    from jupyter_core.paths import jupyter_path

    static = out / "_static"
    (static / "lab").mkdir(parents=True, exist_ok=True)
    for base in jupyter_path("nbconvert", "templates", "lab", "static"):
        if Path(base, "index.css").is_file():
            for name in ("index.css", "theme-light.css"):
                shutil.copy2(Path(base, name), static / "lab" / name)
            break
    else:
        raise RuntimeError("cannot find nbconvert's JupyterLab template (nbconvert/templates/lab/static)")
    (static / "mathjax").mkdir(exist_ok=True)
    shutil.copy2(SLIDES_ASSETS / "mathjax-tex-svg-full.js", static / "mathjax" / "tex-svg-full.js")
    shutil.copy2(SLIDES_ASSETS / "LICENSE.mathjax.txt", static / "mathjax" / "LICENSE.txt")
    shutil.copy2(ASSETS / "site.css", static / "site.css")


def _readme_section(root: Path, heading: str) -> str:
    readme = root / "README.md"
    if not readme.is_file():
        return ""
    text = readme.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    return match.group(1).strip() if match else ""


def _write_index(site: Site, root: Path, pages: dict[str, str], decks: dict[str, str]) -> Path:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    lessons = [p for p in site.pages if p.notebook.parent.name == "notebooks"]
    exercises = [p for p in site.pages if p.notebook.parent.name == "exercises"]
    course_map = _readme_section(root, "Course map")
    course_map = course_map.split("\n\nLessons are in", 1)[0]  # the table, not the notes for a clone
    parts = ["<h1>rnn-course: recurrent neural networks from first principles</h1>",
             "<p>An interactive course in NumPy, from the recurrence to LSTMs, GRUs and sequence-to-sequence "
             "models: every forward and backward pass written by hand and gradient-checked. These pages are the "
             "notebooks run top to bottom; open any of them in Colab or JupyterLab to run it yourself.</p>"]
    if course_map:
        parts += ['<h2 id="course-map">Course map</h2>',
                  _rewrite_links(markdown2html_mistune(course_map), "README.md", "index.html", pages, root)]
    else:
        parts += ['<h2 id="course-map">Lessons</h2><ol>'] + [
            f'<li><a href="{posix_relpath(str(p.path.relative_to(site.out)), ".")}">{html.escape(p.title)}</a></li>'
            for p in lessons] + ["</ol>"]
    if exercises:
        rows = "".join(
            f'<li><a href="{p.path.relative_to(site.out).as_posix()}">{html.escape(p.title)}</a> '
            f'(<a href="{colab.colab_url(p.notebook.relative_to(root).as_posix())}">open in Colab</a>)</li>'
            for p in exercises)
        parts.append('<h2 id="exercises">Exercises</h2><p>Graded exercises, without their solutions: each check '
                     'below says "not attempted" until you write the function in the notebook.</p>'
                     f"<ul>{rows}</ul>")
    if decks:
        rows = "".join(f'<li><a href="{deck}">{html.escape(name)}</a></li>' for name, deck in decks.items())
        parts.append('<h2 id="slides">Slides</h2><p>One reveal.js deck per lesson (arrow keys move, S opens the '
                     f"speaker view); they work offline too.</p><ul>{rows}</ul>")
    lab = _readme_command(root)
    parts.append('<h2 id="run-it">Run it yourself</h2><ul>'
                 f'<li>In your browser: <a href="{colab.colab_url("notebooks/00_welcome.ipynb")}">Google Colab</a> '
                 "(each page has its own link; the first cell installs the course) or "
                 f'<a href="{_BINDER_URL}">Binder</a> (JupyterLab with everything installed).</li>'
                 f"<li>On your machine, in a clone of <a href=\"{colab.REPOSITORY}\">the repository</a>:"
                 f"<pre><code>{html.escape(lab)}</code></pre></li></ul>")
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">"
            "<title>rnn-course</title><link rel=\"stylesheet\" href=\"_static/site.css\"></head>\n"
            "<body class=\"rnn-course-home\"><nav class=\"rnn-course-nav\" aria-label=\"rnn-course\">"
            "<a class=\"rnn-course-brand\" href=\"index.html\">rnn-course</a>"
            "<a href=\"#course-map\">Lessons</a><a href=\"#exercises\">Exercises</a><a href=\"#slides\">Slides</a>"
            "<a href=\"#run-it\">Run it</a></nav>\n<main>\n" + "\n".join(parts) + "\n</main>\n" + _footer()
            + "\n</body></html>\n")
    index = site.out / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def _readme_command(root: Path) -> str:
    readme = root / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.is_file() else ""
    match = re.search(r"<!-- lab-command -->\s*```bash\n(.+?)\n```", text, re.S)
    return match.group(1).strip() if match else 'pip install -e ".[course]" && rnn-course lab'


def build_site(root: str | Path, out: str | Path, *, notebooks=None, execute: bool = True, slides: bool = True,
               jobs: int = 1, timeout: int = 600, log=None) -> Site:
    """Build the course's web site in ``out``.

    Inputs:
        root: the course folder (notebooks/, exercises/, README.md)
        out: the site's folder (created; pages, figures and _static/ are written into it)
        notebooks: the notebooks to build (default ``site_notebooks(root)``: every lesson and exercise)
        execute: run each notebook first (fresh kernel, in its folder), so pages show outputs and figures
        slides: also build each lesson's slide deck from the executed notebook, into ``out/slides``
        jobs: notebooks run at the same time (separate kernels)
        timeout: seconds allowed per cell
        log: ``log(message)`` is called after each page
    Returns a ``Site``. Raises ValueError for a notebook outside ``root`` or not an .ipynb; nbclient's
    CellExecutionError (naming the cell) when a cell fails.
    """
    import nbformat

    start = time.perf_counter()
    root, out = Path(root).resolve(), Path(out)
    notebooks = [Path(n).resolve() for n in (site_notebooks(root) if notebooks is None else notebooks)]
    for nb in notebooks:
        if nb.suffix != ".ipynb" or not nb.is_file():
            raise ValueError(f"notebooks: expected existing .ipynb files, got {str(nb)!r}")
        if root not in nb.parents:
            raise ValueError(f"notebooks: {str(nb)!r} is not inside the course folder {str(root)!r}")
    if not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs: expected a positive number of notebooks at a time, got {jobs!r}")
    out.mkdir(parents=True, exist_ok=True)
    _copy_static(out)
    pages = {nb.relative_to(root).as_posix(): nb.relative_to(root).with_suffix(".html").as_posix()
             for nb in notebooks}
    titles = {}
    for nb in notebooks:
        titles[nb] = _title(nbformat.read(nb, as_version=4), nb.stem.replace("_", " "))
    decks = {nb: f"slides/{nb.stem}.slides.html" for nb in notebooks if slides and nb.parent.name == "notebooks"}
    site = Site(out=out, index=out / "index.html")

    def neighbours(nb):
        group = [n for n in notebooks if n.parent == nb.parent]
        i = group.index(nb)
        prev = (pages[group[i - 1].relative_to(root).as_posix()], titles[group[i - 1]]) if i > 0 else None
        nxt = (pages[group[i + 1].relative_to(root).as_posix()], titles[group[i + 1]]) if i + 1 < len(group) else None
        return prev, nxt

    if execute:
        results = _run_all(notebooks, timeout, jobs)
    else:
        results = ((nb, nb.read_text(encoding="utf-8"), 0.0) for nb in notebooks)
    with tempfile.TemporaryDirectory() as tmp:
        for nb_path, text, seconds in results:
            nb = nbformat.reads(text, as_version=4)
            if nb_path in decks:
                from .slides import build_deck

                executed = Path(tmp, nb_path.name)
                executed.write_text(text, encoding="utf-8")
                site.decks.append(build_deck(executed, out / "slides", execute=False).path)
            page = _write_page(copy.deepcopy(nb), notebook=nb_path, root=root, out=out, pages=pages,
                               prev_next=neighbours(nb_path), deck=decks.get(nb_path), seconds=seconds,
                               executed=execute)
            site.pages.append(page)
            if log is not None:
                log(str(page))
    deck_links = {titles[nb]: path for nb, path in decks.items()}
    _write_index(site, root, pages, deck_links)
    site.seconds = time.perf_counter() - start
    return site


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "site",
        help="build the course as a static web site (executed, works offline)",
        description="Run every lesson and exercise and build a static web site of the course: the course map "
        "as home page, each notebook as a page with its figures (with alt text) and outputs, maths by MathJax, "
        "demos as still pictures, links to the lessons' slide decks. It opens from file:// or any static host "
        "and loads nothing from a network.",
    )
    p.add_argument("notebooks", nargs="*", metavar="NOTEBOOK",
                   help="build only these notebooks (default: every lesson and exercise)")
    p.add_argument("--out", default=None, help="output folder (default: build/site in the course folder)")
    p.add_argument("--no-execute", action="store_true", help="convert the notebooks as they are (no outputs)")
    p.add_argument("--no-slides", action="store_true", help="do not build the lessons' slide decks")
    p.add_argument("--jobs", type=int, default=1, help="notebooks run at the same time (default 1)")
    p.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell (default 600)")
    p.add_argument("--dir", help="the course folder (default: the checkout you are in)")
    p.set_defaults(func=_run)


def _run(args) -> int:
    root = course_root(args.dir)
    if root is None:
        print("rnn-course site: cannot find the course folder; pass --dir PATH", file=sys.stderr)
        return 2
    notebooks = [Path(n) for n in args.notebooks] or None
    if notebooks:
        missing = [str(n) for n in notebooks if not n.is_file()]
        if missing:
            print(f"rnn-course site: no such notebook: {', '.join(missing)}", file=sys.stderr)
            return 2
    out = Path(args.out) if args.out else root / "build" / "site"
    try:
        site = build_site(root, out, notebooks=notebooks, execute=not args.no_execute, slides=not args.no_slides,
                          jobs=args.jobs, timeout=args.timeout,
                          log=lambda message: print(f"wrote {message}", flush=True))
    except Exception as err:  # a failing cell or a broken notebook: say which, no traceback wall
        print(f"rnn-course site: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    figures = sum(p.figures for p in site.pages)
    undescribed = sum(p.undescribed for p in site.pages)
    print(f"{len(site.pages)} pages, {figures} figures ({undescribed} described only by their section), "
          f"{len(site.decks)} slide decks in {site.seconds:.1f} s; open {site.index} (works offline, from file://)")
    return 0
