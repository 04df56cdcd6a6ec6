"""Every slide of every lecture deck fits the 1280 x 800 screen the decks are laid out for.

The decks are built as `rnn-course slides` builds them: each notebook executed in a fresh kernel, so
figures and the demos' static PNGs take their real height, then opened from file:// in Chromium and
measured slide by slide. A slide taller than the screen still works (the deck makes it scroll), but in a
lecture hall it means scrolling in front of the room: split it with the cells' slideshow metadata
(``subslide``, ``skip`` for helper cells; the tags ``remove-input`` for code a lecture need not show,
``split-output`` for an output on a slide below its code, ``small-code`` for a long function that must
be seen whole: rnn_course.tools.slides), never by removing content from the notebook.

Slow: it runs every lesson once (about as long as executing the notebooks).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import launch

from rnn_course.tools import slides
from rnn_course.tools.paths import course_root

ROOT = Path(__file__).resolve().parents[1]
DECKS = slides.lecture_notebooks(course_root(ROOT) or ROOT)

#: every slide's height, shown in turn (reveal.js lays out only the slides near the current one)
MEASURE = """async () => {
  const heights = [];
  const columns = Reveal.getHorizontalSlides();
  for (let h = 0; h < columns.length; h++) {
    const stack = columns[h].querySelectorAll(':scope > section');
    for (let v = 0; v < Math.max(stack.length, 1); v++) {
      Reveal.slide(h, v);
      await new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 20)));
      const slide = Reveal.getCurrentSlide();
      const first = slide.querySelector('h1, h2, h3, h4, p, pre') || slide;
      const text = first.textContent.replace(/\\s+/g, ' ').replace(/\\s*¶\\s*$/, '').trim();  // ¶: the heading's anchor
      heights.push({slide: `${h + 1}.${v + 1}`, height: slide.scrollHeight, first: text.slice(0, 60)});
    }
  }
  return heights;
}"""


def slide_heights(browser, deck: Path) -> list[dict]:
    """[{slide: "h.v", height: px, first: its heading or first line}] for every slide of ``deck``."""
    context = browser.new_context(viewport={"width": slides.WIDTH, "height": slides.HEIGHT}, offline=True)
    try:
        page = context.new_page()
        page.goto(deck.resolve().as_uri())
        page.wait_for_function("window.Reveal && Reveal.isReady() && window.rnnCourseDeck "
                               "&& window.rnnCourseDeck.mathjax === 'done'", timeout=60_000)
        return page.evaluate(MEASURE)
    finally:
        context.close()


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(not DECKS, reason="no lesson notebooks yet")
@pytest.mark.parametrize("notebook", DECKS, ids=[p.stem for p in DECKS])
def test_every_slide_fits_the_screen(notebook, tmp_path, artifacts):
    deck = slides.build_deck(notebook, tmp_path)
    with launch() as browser:
        heights = slide_heights(browser, deck.path)
    assert len(heights) == deck.slides + deck.subslides, "every slide was measured"
    (artifacts / f"slide-heights-{notebook.stem}.txt").write_text(
        "\n".join(f"{h['slide']:>6} {h['height']:5d}px  {h['first']}" for h in heights) + "\n", encoding="utf-8")
    too_tall = [f"slide {h['slide']} ({h['first']!r}) is {h['height']} px" for h in heights
                if h["height"] > slides.HEIGHT]
    assert too_tall == [], (f"{notebook.name}: {len(too_tall)} of {len(heights)} slides are taller than "
                            f"{slides.HEIGHT} px:\n" + "\n".join(too_tall))


@pytest.mark.browser
def test_the_fit_check_sees_a_slide_that_is_too_tall(tmp_path):
    import nbformat

    cells = [nbformat.v4.new_markdown_cell("# Short"), nbformat.v4.new_markdown_cell(
        "## Long\n\n" + "\n".join(f"- point {i}" for i in range(40)))]
    for cell in cells:
        cell.metadata["slideshow"] = {"slide_type": "slide"}
    nbformat.write(nbformat.v4.new_notebook(cells=cells), tmp_path / "tall.ipynb")
    deck = slides.build_deck(tmp_path / "tall.ipynb", tmp_path, execute=False)
    with launch() as browser:
        heights = slide_heights(browser, deck.path)
    assert [h["slide"] for h in heights] == ["1.1", "2.1"]
    assert heights[0]["height"] <= slides.HEIGHT < heights[1]["height"]
    assert heights[1]["first"] == "Long"
