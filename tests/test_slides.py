"""`rnn-course slides`: self-contained reveal.js decks that open offline.

Unit tests check what goes into a deck (slides from metadata, executed figures,
demos as PNGs, no stderr, no link off the machine); the ``browser`` tests open
decks from file:// in Chromium with every non-file request blocked and check
that reveal.js and MathJax ran.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from browser_support import ConsoleLog, RequestLog, launch

from rnn_course.cli import main
from rnn_course.tools import slides
from rnn_course.tools.paths import course_root

ROOT = Path(__file__).resolve().parents[1]
LESSONS = slides.lecture_notebooks(course_root(ROOT) or ROOT)

DEMO_CODE = """\
import numpy as np
from rnn_course.demos import Demo, float_slider
from rnn_course.plots.style import new_figure
fig, ax = new_figure()
x = np.linspace(0, 6, 200)
(line,) = ax.plot(x, np.sin(x))
ax.set(title="a sine", xlabel="x (rad)", ylabel="sin(x)")
Demo("frequency", fig, lambda freq: line.set_ydata(np.sin(freq * x)),
     {"freq": float_slider("freq", 1.0, 0.5, 3.0, 0.1)}, animated=[line])"""


def _cell(kind, source, slide_type=None, tags=()):
    cell = nbformat.v4.new_markdown_cell(source) if kind == "md" else nbformat.v4.new_code_cell(source)
    if slide_type:
        cell.metadata["slideshow"] = {"slide_type": slide_type}
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def sample_notebook(folder: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        _cell("md", "# Sample lesson\n\nThe recurrence $h_t = \\tanh(x_t W_x + h_{t-1} W_h + b)$, and\n\n"
              "$$\\frac{\\partial L}{\\partial W_h} = \\sum_{t=1}^{T} \\frac{\\partial L_t}{\\partial W_h}$$",
              "slide"),
        _cell("code", "print('SKIPPED', 'CELL', sep='-')", "skip"),
        _cell("md", "## A demo", "slide"),
        _cell("code", DEMO_CODE),
        _cell("md", "- appears on a key press", "fragment"),
        _cell("code", "import sys\nprint('PROGRESS', 'ON-STDERR', sep='-', file=sys.stderr)\n"
                      "print('STDOUT', 'STAYS', sep='-')"),
        _cell("code", "HIDDEN_SOURCE = 6 * 7\nHIDDEN_SOURCE", tags=["remove-input"]),
        _cell("md", "### Below\n\n\\begin{align} a &= b + c \\\\ d &= e \\end{align}", "subslide"),
        _cell("md", "say this out loud: $h_t = \\tanh(a_t)$", "notes"),
    ]
    path = folder / "sample.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def executed_deck(tmp_path_factory):
    folder = tmp_path_factory.mktemp("deck")
    return slides.build_deck(sample_notebook(folder), folder / "out")


def test_executed_deck_has_the_slides_the_metadata_asks_for(executed_deck):
    deck = executed_deck
    assert (deck.slides, deck.subslides, deck.fragments, deck.executed) == (2, 1, 1, True)
    text = deck.path.read_text(encoding="utf-8")
    assert deck.path.name == "sample.slides.html"
    assert "SKIPPED" not in text  # slide_type "skip": neither code nor output
    assert "PROGRESS-ON-STDERR" not in text and "STDOUT-STAYS" in text
    assert "HIDDEN_SOURCE = 6" not in text and ">42<" in text.replace("\n", "")  # remove-input keeps the output
    assert '<aside class="notes">' in text and "say this out loud" in text
    # the demo appears as the PNG of its figure, not as a widget view that needs a kernel
    assert "application/vnd.jupyter.widget-view+json" not in text
    assert re.search(r'<img [^>]*src="data:image/png;base64,[A-Za-z0-9+/=]{2000,}"', text)


def test_deck_links_nothing_off_the_machine(executed_deck):
    text = executed_deck.path.read_text(encoding="utf-8")
    # no element loads anything from a URL: scripts and styles are inlined
    assert not re.search(r'<script[^>]+src=', text)
    assert not re.search(r'<link[^>]+href=', text)
    assert not re.search(r'@import\s+url', text)
    assert "unpkg.com" not in text and "cdnjs" not in text
    assert f"reveal.js {slides.REVEAL_VERSION}" in text and f"MathJax {slides.MATHJAX_VERSION}" in text


def test_no_execute_converts_as_is_and_reads_py_percent(tmp_path):
    py = tmp_path / "lesson.py"
    py.write_text('# %% [markdown] slideshow={"slide_type": "slide"}\n# # One\n\n'
                  '# %%\nprint("NOT RUN")\n\n'
                  '# %% [markdown] slideshow={"slide_type": "slide"}\n# # Two\n', encoding="utf-8")
    deck = slides.build_deck(py, tmp_path / "out", execute=False)
    assert (deck.slides, deck.executed) == (2, False)
    text = deck.path.read_text(encoding="utf-8")
    assert re.search(r'<span class="nb">print</span>.*NOT RUN', text)  # the code, highlighted...
    assert 'class="jp-OutputArea jp-Cell-outputArea"' not in text  # ...and no output


def test_split_output_puts_the_output_on_a_slide_below_its_code(tmp_path):
    code = _cell("code", "print('LONG', 'CODE', sep='-')", "subslide", tags=["split-output"])
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="THE-OUTPUT\n")]
    nb = nbformat.v4.new_notebook(cells=[_cell("md", "# Title", "slide"), code, _cell("md", "say both", "notes"),
                                         _cell("md", "### next", "subslide")])
    nbformat.write(nb, tmp_path / "split.ipynb")
    deck = slides.build_deck(tmp_path / "split.ipynb", tmp_path, execute=False)  # keeps the stored output
    assert (deck.slides, deck.subslides) == (1, 3)  # the code's subslide, the output's, "next"
    text = deck.path.read_text(encoding="utf-8")
    sections = re.findall(r"<section[^>]*>(.*?)</section>", text.replace("\n", " "), re.S)
    with_code = [s for s in sections if "CODE" in s]
    with_output = [s for s in sections if "THE-OUTPUT" in s]
    assert len(with_code) == len(with_output) == 1 and with_code != with_output
    assert "THE-OUTPUT" not in with_code[0] and "print" not in with_output[0]
    assert "say both" in with_code[0] and "say both" in with_output[0]  # the notes, on both slides
    assert sections.index(with_output[0]) == sections.index(with_code[0]) + 1


def test_bad_arguments_name_the_argument(tmp_path):
    with pytest.raises(ValueError, match="notebook: expected an existing"):
        slides.build_deck(tmp_path / "missing.ipynb", tmp_path)
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ValueError, match="notebook: expected a .ipynb or .py file, got 'notes.txt'"):
        slides.build_deck(tmp_path / "notes.txt", tmp_path)
    nb = nbformat.v4.new_notebook(cells=[_cell("md", "# hidden", "skip")])
    nbformat.write(nb, tmp_path / "hidden.ipynb")
    with pytest.raises(ValueError, match="hidden.ipynb: All cells are hidden"):
        slides.build_deck(tmp_path / "hidden.ipynb", tmp_path, execute=False)
    with pytest.raises(ValueError, match="timeout: expected a positive number"):
        slides.build_deck(tmp_path / "hidden.ipynb", tmp_path, timeout=0)


def test_cli_builds_decks_and_an_index(tmp_path, capsys):
    nb = sample_notebook(tmp_path)
    assert main(["slides", str(nb), "--out", str(tmp_path / "decks"), "--no-execute"]) == 0
    out = capsys.readouterr().out
    assert "sample.slides.html (2 slides, 1 subslides, 1 fragments" in out
    index = (tmp_path / "decks" / "index.html").read_text(encoding="utf-8")
    assert '<a href="sample.slides.html">sample</a>' in index
    assert main(["slides", str(tmp_path / "nope.ipynb"), "--out", str(tmp_path)]) == 2
    assert "no such notebook" in capsys.readouterr().err


def test_lecture_notebooks_lists_lessons_in_order(tmp_path):
    (tmp_path / "notebooks").mkdir()
    for name in ("02_b.ipynb", "00_a.ipynb", "lecture_demos.ipynb", "scratch.ipynb"):
        (tmp_path / "notebooks" / name).write_text("{}", encoding="utf-8")
    assert [p.name for p in slides.lecture_notebooks(tmp_path)] == ["00_a.ipynb", "02_b.ipynb",
                                                                   "lecture_demos.ipynb"]


@pytest.mark.parametrize("notebook", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_lesson_is_marked_up_for_slides(notebook):
    nb = nbformat.read(notebook, as_version=4)
    types = [c.metadata.get("slideshow", {}).get("slide_type") for c in nb.cells]
    assert types.count("slide") >= 3, f"{notebook.name}: mark section headings slide_type 'slide'"
    first_shown = next(c for c, t in zip(nb.cells, types, strict=True) if t not in ("skip", "notes"))
    assert first_shown.cell_type == "markdown" and first_shown.source.lstrip().startswith("# "), (
        f"{notebook.name}: the deck should open on the lesson's title")


# -- in a real browser, with the network cut ---------------------------------------------------


def open_deck(browser, path: Path, screenshot: Path | None = None) -> dict:
    """Open a deck from file:// with every non-file request blocked; returns what the page reports."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, offline=True)
    requests = RequestLog(context)
    page = context.new_page()
    console = ConsoleLog(page)
    page.goto(path.resolve().as_uri())
    page.wait_for_function("window.Reveal && Reveal.isReady() && window.rnnCourseDeck "
                           "&& window.rnnCourseDeck.mathjax !== 'pending'", timeout=30_000)
    state = page.evaluate("""() => ({
        mathjax: window.rnnCourseDeck.mathjax,
        total: Reveal.getTotalSlides(),
        sections: document.querySelectorAll('.reveal .slides section').length,
        formulas: document.querySelectorAll('mjx-container svg').length,
        mathErrors: Array.from(document.querySelectorAll('[data-mjx-error], mjx-merror'))
                         .map(e => e.getAttribute('data-mjx-error') || e.textContent),
        rawDollars: Array.from(document.querySelectorAll('.reveal .jp-MarkdownOutput'))
                         .filter(e => /\\$[^$]+\\$/.test(e.innerText)).length,
        images: Array.from(document.querySelectorAll('.reveal img')).map(i => i.naturalWidth),
    })""")
    if screenshot is not None:
        page.screenshot(path=str(screenshot))
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(100)
        page.screenshot(path=str(screenshot.with_name(screenshot.stem + "-2.png")))
    state.update(blocked=requests.blocked, local=requests.local, console=console.errors)
    context.close()
    return state


@pytest.mark.browser
def test_deck_opens_offline_in_chromium(executed_deck, artifacts):
    with launch() as browser:
        state = open_deck(browser, executed_deck.path, artifacts / "slides-sample.png")
    assert state["blocked"] == [], "the deck tried to reach the network"
    assert all(url.startswith("file:") for url in state["local"]) and len(state["local"]) == 1
    assert state["console"] == []
    assert state["mathjax"] == "done" and state["mathErrors"] == [] and state["formulas"] >= 3
    assert state["rawDollars"] == 0  # every $...$ was typeset
    assert state["total"] == 3  # 2 slides + 1 subslide
    assert state["images"] and all(width > 300 for width in state["images"])  # the demo's PNG decoded


@pytest.mark.browser
def test_small_code_sets_one_cells_code_and_output_smaller(tmp_path):
    cells = [_cell("md", "# Code", "slide"), _cell("code", "print('normal')"),
             _cell("code", "print('small')", "subslide", tags=["small-code"])]
    for cell, text in zip(cells[1:], ("normal\n", "small\n"), strict=True):
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    table = "<p><b>verdict</b></p><table><tr><th>check</th></tr><tr><td>ok</td></tr></table>"
    for tags in ([], ["small-code"]):  # an HTML report, like rnn-course doctor's
        cell = _cell("code", "report", "subslide", tags=tags)
        cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/html": table}, execution_count=1)]
        cells.append(cell)
    nbformat.write(nbformat.v4.new_notebook(cells=cells), tmp_path / "code.ipynb")
    deck = slides.build_deck(tmp_path / "code.ipynb", tmp_path, execute=False)
    with launch() as browser:
        page = browser.new_context(viewport={"width": 1280, "height": 800}, offline=True).new_page()
        page.goto(deck.path.as_uri())
        page.wait_for_function("window.Reveal && Reveal.isReady()")
        sizes = page.evaluate("""() => Array.from(document.querySelectorAll('.jp-CodeCell')).slice(0, 2).map(cell => [
            getComputedStyle(cell.querySelector('.jp-InputArea-editor pre')).fontSize,
            getComputedStyle(cell.querySelector('.jp-RenderedText pre')).fontSize])""")
        tables = page.evaluate("""() => Array.from(document.querySelectorAll('.jp-RenderedHTMLCommon table')).map(
            table => [getComputedStyle(table).fontSize, getComputedStyle(table.previousElementSibling).fontSize])""")
    assert sizes == [["24px", "24px"], ["20px", "20px"]]
    assert tables[1] == ["20px", "20px"]
    assert all(float(size[:-2]) > 20 for size in tables[0])  # the untagged report keeps the deck's sizes


@pytest.mark.browser
def test_fit_output_keeps_a_wide_tables_rows_on_one_line(tmp_path):
    row = " | ".join(f"column {i:2d}" for i in range(9))  # 105 characters: wraps at 24 px
    cells = [_cell("md", "# Tables", "slide")]
    for text, tags in ((row, ["fit-output"]), ("a short row", ["fit-output"]), (row, []), (row * 2, ["fit-output"])):
        cell = _cell("code", "print(row)", "subslide", tags=tags)
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"{text}\n{text}\n")]
        cells.append(cell)
    nbformat.write(nbformat.v4.new_notebook(cells=cells), tmp_path / "tables.ipynb")
    deck = slides.build_deck(tmp_path / "tables.ipynb", tmp_path, execute=False)
    with launch() as browser:
        page = browser.new_context(viewport={"width": 1280, "height": 800}, offline=True).new_page()
        page.goto(deck.path.as_uri())
        page.wait_for_function("window.Reveal && Reveal.isReady() && window.rnnCourseDeck.mathjax === 'done'")
        shown = []
        for v in range(1, 5):  # fitted when shown: reveal.js lays out only the slides near the current one
            page.evaluate(f"Reveal.slide(0, {v})")
            page.wait_for_timeout(50)
            shown.append(page.evaluate("""() => {
                const pre = Reveal.getCurrentSlide().querySelector('.jp-RenderedText pre');
                const line = parseFloat(getComputedStyle(pre).lineHeight);
                return {size: parseFloat(getComputedStyle(pre).fontSize), lines: Math.round(pre.clientHeight / line),
                        overflow: pre.scrollWidth > pre.clientWidth}; }"""))
    fitted, short, plain, too_wide = shown
    assert 16 <= fitted["size"] < 24 and fitted["lines"] <= 3 and not fitted["overflow"]  # two rows, one line each
    assert short["size"] == 24 and plain["size"] == 24 and plain["lines"] >= 4  # untagged: wraps
    assert too_wide["size"] == 16 and not too_wide["overflow"] and too_wide["lines"] >= 4  # at the floor: wraps


@pytest.mark.browser
def test_a_slide_taller_than_the_screen_scrolls(tmp_path, artifacts):
    nb = nbformat.v4.new_notebook(cells=[
        _cell("md", "# Short", "slide"),
        _cell("md", "## Long\n\n" + "\n".join(f"- point {i}: $x_{{{i}}}$" for i in range(60)), "slide"),
        _cell("md", "## Short again", "slide"),
    ])
    nbformat.write(nb, tmp_path / "tall.ipynb")
    deck = slides.build_deck(tmp_path / "tall.ipynb", tmp_path, execute=False)
    with launch() as browser:
        page = browser.new_context(viewport={"width": 1280, "height": 800}, offline=True).new_page()
        page.goto(deck.path.as_uri())
        page.wait_for_function("window.Reveal && Reveal.isReady() && window.rnnCourseDeck.mathjax === 'done'")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("Reveal.getIndices().h === 1")
        state = page.evaluate("""() => { const s = Reveal.getCurrentSlide(); s.scrollTop = 200;
            return {scroll: s.classList.contains('rnn-course-scroll'), top: s.scrollTop,
                    overflow: s.scrollHeight > s.clientHeight, height: s.clientHeight}; }""")
        page.screenshot(path=str(artifacts / "slides-tall-slide-scrolled.png"))
        page.keyboard.press("ArrowRight")
        page.wait_for_function("Reveal.getIndices().h === 2")
        short = page.evaluate("Reveal.getCurrentSlide().classList.contains('rnn-course-scroll')")
    assert state == {"scroll": True, "top": 200, "overflow": True, "height": slides.HEIGHT}
    assert short is False


@pytest.mark.browser
@pytest.mark.skipif(not LESSONS, reason="no lesson notebooks yet")
def test_every_lesson_deck_opens_offline_and_typesets_its_maths(tmp_path, artifacts):
    """Unexecuted decks (text and maths) of every lesson: reveal.js starts, MathJax parses every formula."""
    decks = slides.build_decks(LESSONS, tmp_path, execute=False)
    problems = []
    with launch() as browser:
        for deck in decks:
            state = open_deck(browser, deck.path, artifacts / f"slides-{deck.notebook.stem}.png")
            expected = deck.slides + deck.subslides
            if state["blocked"] or state["console"] or state["mathjax"] != "done" or state["mathErrors"] \
                    or state["rawDollars"] or state["total"] != expected:
                problems.append(f"{deck.notebook.name}: {dict(state, local=len(state['local']))}, "
                                f"expected {expected} slides")
    assert problems == []


def test_cli_says_which_cell_failed(tmp_path, capsys):
    nb = nbformat.v4.new_notebook(cells=[_cell("md", "# Broken", "slide"), _cell("code", "1 / 0")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "broken.ipynb")
    assert main(["slides", str(tmp_path / "broken.ipynb"), "--out", str(tmp_path / "decks")]) == 1
    err = capsys.readouterr().err
    assert "CellExecutionError" in err and "ZeroDivisionError" in err and "1 / 0" in err
    assert not (tmp_path / "decks" / "broken.slides.html").exists()


# -- speaker notes, presenter figures, a quiet build ----------------------------------------------

@pytest.mark.parametrize("notebook", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_slide_of_every_deck_has_speaker_notes(notebook):
    """What to say, ask and answer is in the speaker view (a ``notes`` cell in each slide's stack)."""
    missing = slides.slides_without_notes(nbformat.read(notebook, as_version=4))
    assert missing == [], f"{notebook.name}: slides without speaker notes: {missing}"


#: lessons whose every slide, each vertical one too, has notes of its own
NOTES_ON_EVERY_SLIDE = [p for p in LESSONS if p.stem[:2] in {"00", "01", "02", "03", "05", "06", "07"}]


@pytest.mark.parametrize("notebook", NOTES_ON_EVERY_SLIDE, ids=[p.stem for p in NOTES_ON_EVERY_SLIDE])
def test_every_vertical_slide_has_notes_of_its_own(notebook):
    """The speaker view shows the current slide's notes: in these lessons none is left empty."""
    missing = slides.slides_without_notes(nbformat.read(notebook, as_version=4), each_subslide=True)
    assert missing == [], f"{notebook.name}: slides without speaker notes: {missing}"


def test_the_notes_check_sees_a_slide_without_notes():
    nb = nbformat.v4.new_notebook(cells=[
        _cell("md", "# One", "slide"), _cell("md", "say one", "notes"), _cell("md", "### below", "subslide"),
        _cell("md", "## Two", "slide"), _cell("code", "x = 1", "skip"),
        _cell("md", "## Three", "slide"), _cell("md", "more", "fragment"), _cell("md", "say three", "notes")])
    assert slides.slides_without_notes(nb) == ["## Two"]
    assert slides.slides_without_notes(nb, each_subslide=True) == ["### below", "## Two"]


def test_the_demo_deck_keeps_the_lecturers_script_in_the_notes(executed_demo_deck):
    text = executed_demo_deck.path.read_text(encoding="utf-8")
    shown = text[text.index('<main>\n<div class="reveal">'):]
    shown = shown[:shown.index("<script")]
    notes = re.findall(r'<aside class="notes">(.*?)</aside>', shown, re.S)
    assert len(notes) >= 11
    outside = re.sub(r'<aside class="notes">.*?</aside>', "", shown, flags=re.S)
    assert "<strong>Show</strong>" not in outside and "<strong>Ask</strong>" not in outside
    assert all("<strong>Answer</strong>" in n for n in notes if "<strong>Ask</strong>:" in n and "next slide" not in n)


@pytest.fixture(scope="module")
def executed_demo_deck(tmp_path_factory):
    demos = [p for p in LESSONS if p.stem == "lecture_demos"]
    if not demos:
        pytest.skip("no lecture_demos notebook")
    return slides.build_deck(demos[0], tmp_path_factory.mktemp("demo-deck"))


def test_decks_are_built_quietly_with_presenter_figures(tmp_path, capfd):
    nb = nbformat.v4.new_notebook(cells=[_cell("md", "# Fonts", "slide"), _cell("code", """\
import matplotlib as mpl
from rnn_course.plots.style import new_figure
print("font size", mpl.rcParams["font.size"])
print("figure size", tuple(float(v) for v in new_figure((5.9, 2.0))[0].get_size_inches()))""")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "fonts.ipynb")
    assert main(["slides", str(tmp_path / "fonts.ipynb"), "--out", str(tmp_path / "decks")]) == 0
    out, err = capfd.readouterr()
    assert "without encryption" not in out + err and "Warning" not in err, err
    from rnn_course.plots.style import PRESENTER_RC

    text = (tmp_path / "decks" / "fonts.slides.html").read_text(encoding="utf-8")
    assert f"font size {PRESENTER_RC['font.size']}" in text
    assert "figure size (11.8, 4.0)" in text  # drawn at the size the slide shows it (slide_figsize)


def test_slide_figsize_fills_the_slides_figure_box_and_never_shrinks(monkeypatch):
    from rnn_course.plots import style

    assert style.slide_figsize((5.9, 2.0)) == (11.8, 4.0)  # limited by the width
    assert style.slide_figsize((4.0, 4.0)) == (6.0, 6.0)  # limited by the height
    assert style.slide_figsize((14.0, 4.4)) == (14.0, 4.4)  # wider than the box: as asked
    with pytest.raises(ValueError, match="figsize: expected a positive"):
        style.slide_figsize((0, 3))
    assert tuple(style.new_figure((5.9, 2.0))[0].get_size_inches()) == (5.9, 2.0)  # in a notebook: as asked
    monkeypatch.setattr(style, "_FOR_SLIDES", True)
    fig, ax = style.new_figure((5.9, 2.0))
    assert tuple(fig.get_size_inches()) == pytest.approx((11.8, 4.0))
    # text sized for a notebook grows with the figure, up to the presenter style's smallest text
    tiny, small, large = (ax.text(0, 0, name, fontsize=size) for name, size in (("a", 5), ("b", 9), ("c", 20)))
    fig.canvas.draw()
    fig.canvas.draw()  # idempotent: sizes are computed from the sizes the text was made with
    assert [t.get_fontsize() for t in (tiny, small, large)] == pytest.approx([10, style.SMALLEST_TEXT, 20])
    # a title wider than its axes in presenter fonts is broken into two lines; one that fits is left alone
    fig, (left, right) = style.new_figure((14.0, 4.0), ncols=2)
    left.set_title("a title far too long to sit above half of this figure in presenter fonts, as one line")
    right.set_title("a short title")
    fig.canvas.draw()
    assert left.get_title().count("\n") == 1 and right.get_title() == "a short title"


@pytest.mark.browser
def test_the_speaker_view_shows_the_notes(executed_deck, artifacts):
    with launch() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 800}, offline=True)
        page = context.new_page()
        page.goto(executed_deck.path.resolve().as_uri())
        page.wait_for_function("window.Reveal && Reveal.isReady() && window.rnnCourseDeck.mathjax === 'done'")
        page.evaluate("Reveal.slide(1, 1)")  # the subslide whose stack has the notes cell
        with context.expect_page() as popup:
            page.keyboard.press("s")
        speaker = popup.value
        speaker.wait_for_load_state()
        speaker.wait_for_function("() => document.querySelector('.speaker-controls-notes .value')"
                                  " && document.querySelector('.speaker-controls-notes .value').textContent.length",
                                  timeout=30_000)
        notes = speaker.evaluate("document.querySelector('.speaker-controls-notes .value').textContent")
        # the notes' formula is drawn in the speaker view (a page of its own): its glyphs are there, and the
        # MathML copy MathJax keeps for screen readers stays hidden
        maths = speaker.evaluate("""() => Array.from(document.querySelectorAll('.speaker-controls-notes mjx-container'))
            .map(c => { const uses = Array.from(c.querySelectorAll('svg use'));
                        const mml = c.querySelector('mjx-assistive-mml');
                        return {glyphs: uses.length, drawn: uses.filter(u => document.getElementById(
                                    (u.getAttribute('href') || u.getAttribute('xlink:href')).slice(1))).length,
                                mathmlWidth: mml ? mml.getBoundingClientRect().width : 0}; })""")
        speaker.screenshot(path=str(artifacts / "slides-speaker-view.png"))
        context.close()
    assert "say this out loud" in notes
    assert len(maths) == 1 and maths[0]["glyphs"] >= 4 and maths[0]["drawn"] == maths[0]["glyphs"], maths
    assert maths[0]["mathmlWidth"] <= 1, maths
