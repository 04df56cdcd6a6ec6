"""`rnn-course site`: the course as a static web site that opens offline.

A part of the site (lesson 00, whose demo stands in for every demo, and the
first exercise) is built, executed, once per module; the unit tests read its
files and the ``browser`` tests open it from file:// in Chromium with every
request routed through the test, failing on any that would leave the
machine, and check that figures show with alt text and MathJax typeset the
maths. ``test_whole_course_site`` builds every lesson and exercise the same
way (two notebooks at a time) and opens every page: it is the slowest test
here and runs in CI (it executes the notebooks nbval executes, once more).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_support import ConsoleLog, RequestLog, launch, require_browser

from rnn_course.cli import main
from rnn_course.tools import colab, site

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
LESSON = ROOT / "notebooks" / "00_welcome.ipynb"
EXERCISE = ROOT / "exercises" / "01_forward_pass.ipynb"
#: the numbered lessons (lecture_demos is a deck, not a page of the site)
LESSONS = sorted(p for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))


@pytest.fixture(scope="module")
def part(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    return site.build_site(ROOT, out, notebooks=[LESSON, EXERCISE])


def _page(part, name) -> str:
    return (part.out / name).read_text(encoding="utf-8")


def test_part_of_the_site_has_its_pages_figures_and_decks(part):
    assert [p.path.relative_to(part.out).as_posix() for p in part.pages] == [
        "notebooks/00_welcome.html", "exercises/01_forward_pass.html"]
    lesson, exercise = part.pages
    assert lesson.executed and lesson.figures >= 1 and lesson.undescribed == 0
    assert [d.relative_to(part.out).as_posix() for d in part.decks] == ["slides/00_welcome.slides.html"]
    for name in ("_static/lab/index.css", "_static/lab/theme-light.css", "_static/site.css",
                 "_static/mathjax/tex-svg-full.js", "_static/mathjax/LICENSE.txt"):
        assert (part.out / name).is_file(), name
    text = _page(part, "notebooks/00_welcome.html")
    # figures are files next to the page, each with its alt text; the demo is its still picture, said so
    images = re.findall(r"<img [^>]*>", text)
    assert images and all(re.search(r'src="00_welcome_files/[^"]+\.png"', i) for i in images)
    for image in images:
        alt = re.search(r'alt="([^"]*)"', image).group(1)
        assert len(alt) > 30, image
    assert "Demo: Watch the hidden state evolve" in text and "rnn-course-demo-note" in text
    assert "application/vnd.jupyter.widget-view+json" not in text
    assert "rnn_course 0.1.0" in text  # an executed output


def test_pages_link_nothing_off_the_machine(part):
    for path in [*part.out.rglob("*.html"), *part.out.rglob("*.css")]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r'<script[^>]+src="(https?:)?//', text), path
        assert not re.search(r'<link[^>]+href="(https?:)?//', text), path
        assert not re.search(r'<img[^>]+src="(https?:)?//', text), path
        assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", text), path
        if path.parent.name != "slides":  # a deck inlines MathJax, whose source names its CDN (never loaded)
            assert "cdn.jsdelivr" not in text and "cdnjs" not in text and "unpkg.com" not in text, path


def test_pages_have_colab_links_instead_of_the_colab_cells(part):
    text = _page(part, "exercises/01_forward_pass.html")
    assert "google.colab" not in text and "colab-badge.svg" not in text  # the header cells are dropped
    assert f'href="{colab.colab_url("exercises/01_forward_pass.ipynb")}"' in text
    assert 'href="../index.html"' in text and "CC BY 4.0" in text


def test_exercise_page_has_no_solutions(part):
    text = _page(part, "exercises/01_forward_pass.html")
    assert "NotImplementedError" in text and "not attempted" in text
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN" not in text
    solution = (ROOT / "solutions" / "01_forward_pass.py").read_text(encoding="utf-8")
    body = re.search(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", solution, re.S).group(1)
    first_line = next(line.strip() for line in body.splitlines() if line.strip())
    assert first_line not in text


def test_links_between_notebooks_become_links_between_pages(part):
    text = _page(part, "notebooks/00_welcome.html")
    assert 'href="../exercises/01_forward_pass.html"' in text  # built: a page
    assert f'href="{colab.REPOSITORY}/blob/{colab.BRANCH}/notebooks/01_sequences_and_unrolling.ipynb"' in text
    assert 'href="#Notation"' in text  # anchors on the page stay
    index = _page(part, "index.html")
    assert 'href="notebooks/00_welcome.html"' in index and 'href="exercises/01_forward_pass.html"' in index
    assert 'href="slides/00_welcome.slides.html"' in index and "Course map" in index


def test_bad_arguments_name_the_argument(tmp_path):
    with pytest.raises(ValueError, match="notebooks: expected existing .ipynb files"):
        site.build_site(ROOT, tmp_path, notebooks=[ROOT / "notebooks" / "00_welcome.py"])
    other = tmp_path / "other.ipynb"
    other.write_text(LESSON.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ValueError, match="is not inside the course folder"):
        site.build_site(ROOT, tmp_path, notebooks=[other])
    with pytest.raises(ValueError, match="jobs: expected a positive number"):
        site.build_site(ROOT, tmp_path, notebooks=[LESSON], jobs=0)


def test_code_hidden_on_the_slides_is_shown_on_the_site(tmp_path):
    """remove-input is a slides-only tag: the site, like the notebook, shows every cell's code."""
    import html
    import json

    built = site.build_site(ROOT, tmp_path, notebooks=LESSONS, execute=False, slides=False)
    checked = 0
    for lesson, page in zip(LESSONS, built.pages, strict=True):
        text = html.unescape(re.sub(r"<[^>]+>", "", page.path.read_text(encoding="utf-8")))
        for cell in json.loads(lesson.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code" and "remove-input" in cell["metadata"].get("tags", ()):
                lines = [line.strip() for line in "".join(cell["source"]).splitlines() if line.strip()]
                assert lines[0] in text and lines[-1] in text, (lesson.name, lines[0])
                checked += 1
    assert checked >= 3  # lessons 01, 02 and 08 hide plotting code on their slides


def test_cli_builds_without_executing(tmp_path, capsys):
    assert main(["site", str(EXERCISE), "--out", str(tmp_path), "--no-execute", "--no-slides"]) == 0
    out = capsys.readouterr().out
    assert "1 pages, 0 figures" in out and "works offline" in out
    assert (tmp_path / "exercises" / "01_forward_pass.html").is_file()
    assert main(["site", str(tmp_path / "nope.ipynb"), "--out", str(tmp_path)]) == 2


def test_site_notebooks_are_the_lessons_then_the_exercises():
    names = [p.relative_to(ROOT).as_posix() for p in site.site_notebooks(ROOT)]
    assert names[0] == "notebooks/00_welcome.ipynb" and "notebooks/lecture_demos.ipynb" not in names
    assert not any(n.startswith("solutions/") for n in names)
    assert names[-1].startswith("exercises/") and len(names) == len(EXERCISES) + len(LESSONS)


# -- in Chromium -------------------------------------------------------------------------------------------


def open_offline(browser, path: Path, screenshot: str | None = None) -> dict:
    """Open a page from file:// with every request routed (anything not on this machine is blocked and
    recorded), wait for MathJax, and return what the page shows."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests = RequestLog(context)
    page = context.new_page()
    console = ConsoleLog(page)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    has_maths = page.evaluate("() => !!window.MathJax")
    if has_maths:
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30000)
        page.evaluate("() => MathJax.startup.promise")
    shown = page.evaluate("""() => ({
        images: [...document.querySelectorAll('main img')].map(i => ({
            alt: i.getAttribute('alt') || '', loaded: i.complete && i.naturalWidth > 0, src: i.src})),
        maths: document.querySelectorAll('mjx-container').length,
        mathErrors: document.querySelectorAll('mjx-merror').length,
        rawTex: [...document.querySelectorAll('.jp-RenderedMarkdown')].map(e => e.innerText)
                  .filter(t => /\\$[^$\\s][^$]*\\\\[a-zA-Z]+[^$]*\\$/.test(t)).length,
        title: document.title,
    })""")
    if screenshot:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / screenshot), full_page=False)
    context.close()
    shown.update(blocked=requests.blocked, local=requests.local, errors=console.errors)
    return shown


@pytest.mark.browser
def test_part_of_the_site_opens_offline_in_chromium(part):
    with launch() as browser:
        lesson = open_offline(browser, part.out / "notebooks" / "00_welcome.html", "site_00_welcome.png")
        exercise = open_offline(browser, part.out / "exercises" / "01_forward_pass.html", "site_exercise_01.png")
        home = open_offline(browser, part.out / "index.html", "site_index.png")
    for shown in (lesson, exercise, home):
        assert shown["blocked"] == [], f"requests that would leave the machine: {shown['blocked']}"
        assert shown["errors"] == [], shown["errors"]
        assert all(url.startswith(("file:", "data:", "about:", "blob:")) for url in shown["local"])
    assert lesson["images"] and all(i["loaded"] and len(i["alt"]) > 30 for i in lesson["images"]), lesson["images"]
    assert lesson["maths"] >= 20 and lesson["mathErrors"] == 0 and lesson["rawTex"] == 0, lesson
    assert exercise["maths"] >= 5 and exercise["mathErrors"] == 0 and exercise["rawTex"] == 0, exercise
    assert any(url.endswith("/_static/mathjax/tex-svg-full.js") for url in lesson["local"])


@pytest.mark.slow
@pytest.mark.browser
def test_whole_course_site(tmp_path):
    require_browser()  # skip before the build (minutes), not after it
    built = site.build_site(ROOT, tmp_path / "site", jobs=2)
    lessons = [p for p in built.pages if p.notebook.parent.name == "notebooks"]
    assert len(LESSONS) >= 9 and len(lessons) == len(LESSONS) and len(built.decks) == len(LESSONS)
    assert len(built.pages) == len(LESSONS) + len(EXERCISES)
    with launch() as browser:
        for page in built.pages:
            shown = open_offline(browser, page.path)
            name = page.path.name
            assert shown["blocked"] == [], (name, shown["blocked"])
            assert shown["errors"] == [], (name, shown["errors"])
            assert shown["mathErrors"] == 0 and shown["rawTex"] == 0, (name, shown)
            assert all(i["loaded"] and len(i["alt"]) > 20 for i in shown["images"]), (name, shown["images"])
            if page in lessons:
                assert shown["images"] and shown["maths"] > 0, (name, shown)
        home = open_offline(browser, built.index)
        assert home["blocked"] == [] and home["errors"] == []
    undescribed = {p.path.name: p.undescribed for p in built.pages if p.undescribed}
    assert sum(undescribed.values()) <= sum(p.figures for p in built.pages) // 10, undescribed
