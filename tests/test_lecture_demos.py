"""Lecture mode: every one-line demo follows the same contract, and the lecture notebook shows them all.

The lesson tests drive each demo's own callbacks; these tests hold every demo
(including ones added later: they are found in ``rnn_course.demos.__all__``)
to the lecture contract:

* ``<thing>_demo(*, presenter=False, **initial_values) -> Demo``: callable with
  no arguments, keyword-only presenter switch and initial values, which set
  the controls; an unknown keyword is refused;
* presets exist, only name controls, stay inside the controls' ranges (a
  slider silently clips a value outside its range), and each one applied
  leaves no error;
* presenter mode is bigger: a larger figure and larger fonts;
* every control redraws the figure, and redrawing neither re-creates the
  figure nor accumulates artists (a demo runs for a whole lecture);
* the static fallback (``image/png`` in the display data) is the figure;
* no pyplot figure is created (nothing leaks into the notebook's state).

Latency is measured by ``benchmarks/demo_latency.py``, not asserted here.
"""

from __future__ import annotations

import base64
import inspect
import io
import json
import re
import sys
from pathlib import Path

import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.text import Text
from PIL import Image

from rnn_course import demos
from rnn_course.demos import Demo

ROOT = Path(__file__).resolve().parents[1]
LECTURE = ROOT / "notebooks" / "lecture_demos.py"
FACTORIES = sorted(name for name in demos.__all__ if name.endswith("_demo"))


def _other_value(control):
    """A valid value of ``control`` different from its current one (None if there is none)."""
    if isinstance(control, widgets.Dropdown | widgets.SelectionSlider):
        options = [o[1] if isinstance(o, tuple) else o for o in control.options]
        others = [o for o in options if o != control.value]
        if not others:
            return None
        return others[len(others) // 2] if isinstance(control, widgets.SelectionSlider) else others[0]
    if isinstance(control, widgets.IntSlider | widgets.FloatSlider):
        middle = control.min + (control.max - control.min) / 2
        if isinstance(control, widgets.IntSlider):
            middle = int(round(middle))
        value = middle if middle != control.value else control.max
        return None if value == control.value else value
    return None


def _in_range(control, value) -> bool:
    if isinstance(control, widgets.Dropdown | widgets.SelectionSlider):
        return value in [o[1] if isinstance(o, tuple) else o for o in control.options]
    if hasattr(control, "min"):
        return control.min <= value <= control.max
    return True


def _max_fontsize(fig) -> float:
    return max(t.get_fontsize() for t in fig.findobj(Text) if t.get_text())


def _png_size(png: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(png)).size


@pytest.fixture(scope="module", params=FACTORIES)
def factory(request):
    return getattr(demos, request.param)


def test_there_are_lecture_demos():
    assert len(FACTORIES) >= 5, FACTORIES


def test_signature_is_one_line_with_a_presenter_switch_and_keyword_values(factory):
    """Everything has a default (the demo is one line); the presenter switch and the controls' initial
    values are keyword-only. An optional positional data argument (a trained model to sample from) is fine."""
    params = inspect.signature(factory).parameters
    assert params, f"{factory.__name__} takes no arguments"
    required = [p.name for p in params.values()
                if p.default is p.empty and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
    assert required == [], f"{factory.__name__}: give {required} defaults (a lecture demo is one line)"
    assert "presenter" in params and params["presenter"].default is False
    assert params["presenter"].kind is inspect.Parameter.KEYWORD_ONLY
    controls = factory().controls
    positional = [name for name in controls if name in params and params[name].kind is not params[name].KEYWORD_ONLY]
    assert positional == [], f"{factory.__name__}: make the initial values {positional} keyword-only"
    assert factory.__doc__ and len(factory.__doc__.strip()) > 40, f"{factory.__name__} needs a docstring"


def test_builds_with_title_description_presets_and_a_static_png(factory):
    before = set(plt.get_fignums())
    demo = factory()
    assert isinstance(demo, Demo) and demo.error is None
    assert set(plt.get_fignums()) == before, "demos must not create pyplot figures (use plots.style.new_figure)"
    assert demo.title.strip() and len(demo.description) > 20, "a lecture demo says what to look at"
    assert len(demo.presets) >= 2, "give the lecturer at least two presets"
    bundle = demo._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"]) == demo.png() and demo.png().startswith(b"\x89PNG")
    width, height = _png_size(demo.png())
    fig_w, fig_h = demo.figure.get_size_inches() * demo.figure.dpi
    assert (width, height) == (round(fig_w), round(fig_h)), "the fallback PNG is the whole figure"


def test_initial_values_set_the_controls_and_unknown_ones_are_refused(factory):
    default = factory()
    name, control = next((n, c) for n, c in default.controls.items() if _other_value(c) is not None)
    value = _other_value(control)
    demo = factory(**{name: value})
    assert demo.error is None
    assert demo.values[name] == pytest.approx(value) if isinstance(value, float) else demo.values[name] == value
    with pytest.raises((ValueError, TypeError), match="no_such_control"):
        factory(no_such_control=1)


def test_presets_name_controls_stay_in_range_and_apply_cleanly(factory):
    demo = factory()
    for label, values in demo.presets.items():
        assert label.strip(), "a preset button needs a label"
        unknown = set(values) - set(demo.controls)
        assert not unknown, f"preset {label!r} sets {sorted(unknown)}, which are not controls"
        for name, value in values.items():
            assert _in_range(demo.controls[name], value), (
                f"preset {label!r}: {name}={value!r} is outside the control's range (a slider would clip it)")
        demo.set(**values)
        assert demo.error is None, f"preset {label!r}: {demo.error}"
        for name, value in values.items():
            shown = demo.values[name]
            assert shown == pytest.approx(value) if isinstance(value, float) else shown == value, (
                f"preset {label!r}: {name} shows {shown!r}, not {value!r}")


def test_presets_show_different_figures(factory):
    demo = factory()
    pngs = {}
    for label, values in demo.presets.items():
        demo.set(**values)
        pngs[label] = demo.png()
    labels = list(pngs)
    same = [(a, b) for i, a in enumerate(labels) for b in labels[i + 1:] if pngs[a] == pngs[b]]
    assert same == [], f"presets that draw the same figure: {same}"


def test_every_control_redraws_without_recreating_or_accumulating(factory):
    demo = factory()
    figure, n_axes = demo.figure, len(demo.figure.axes)
    n_artists = len(demo.figure.findobj())
    for name, control in demo.controls.items():
        value = _other_value(control)
        if value is None:
            continue
        before = demo.png()
        demo.set(**{name: value})
        assert demo.error is None, f"{name}={value!r}: {demo.error}"
        assert demo.png() != before, f"moving {name} to {value!r} did not change the figure"
    for values in demo.presets.values():  # and back and forth once more
        demo.set(**values)
    assert demo.figure is figure and len(figure.axes) == n_axes
    grown = len(demo.figure.findobj()) - n_artists
    assert grown <= 0, f"{grown} artists accumulated over {len(demo.latencies)} redraws"


def test_presenter_mode_is_bigger(factory):
    normal, big = factory(), factory(presenter=True)
    assert big.presenter is True and normal.presenter is False
    assert big.error is None
    (w0, h0), (w1, h1) = _png_size(normal.png()), _png_size(big.png())
    assert w1 * h1 > w0 * h0, f"presenter figure {w1}x{h1} is not larger than {w0}x{h0}"
    assert _max_fontsize(big.figure) > _max_fontsize(normal.figure)
    # presenter controls are styled by the demo's stylesheet (>= 18 px, measured in tests/test_browser.py)
    assert "rnn-course-presenter" in big.widget._dom_classes
    assert "rnn-course-presenter" not in normal.widget._dom_classes


def _drawn_outside(fig) -> list[str]:
    """Axes (with their titles, labels and tick labels) or figure texts that are cut off at the figure's edge."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height

    def outside(box):
        return box.x0 < -1 or box.y0 < -1 or box.x1 > width + 1 or box.y1 > height + 1

    problems = []
    for ax in fig.axes:
        box = ax.get_tightbbox(renderer) if ax.get_visible() else None
        if box is not None and outside(box):
            name = ax.get_title() or ax.get_ylabel() or ax.get_xlabel()
            problems.append(f"axes {name[:40]!r} spans x {box.x0:.0f}..{box.x1:.0f}, y {box.y0:.0f}..{box.y1:.0f} "
                            f"of a {width:.0f} x {height:.0f} figure")
    problems += [f"text {t.get_text()[:40]!r} is cut off" for t in fig.texts
                 if t.get_visible() and t.get_text().strip() and outside(t.get_window_extent(renderer))]
    titles = [t for ax in fig.axes if ax.get_visible() for t in (ax.title, ax._left_title, ax._right_title)
              if t.get_visible() and t.get_text().strip()]
    if fig._suptitle is not None and fig._suptitle.get_text().strip():
        titles.append(fig._suptitle)
    boxes = [t.get_window_extent(renderer) for t in titles]
    problems += [f"titles {a.get_text()[:30]!r} and {b.get_text()[:30]!r} overlap"
                 for i, (a, box_a) in enumerate(zip(titles, boxes, strict=True))
                 for b, box_b in zip(titles[i + 1:], boxes[i + 1:], strict=True) if box_a.overlaps(box_b)]
    return problems


def test_the_layout_check_sees_cut_off_and_overlapping_titles():
    from rnn_course.plots.style import new_figure

    fig, (left, right) = new_figure(figsize=(4, 2), ncols=2)
    fig.set_layout_engine("none")
    left.set_title("a title far too long for half of a four-inch figure")
    right.set_title("and its neighbour")
    problems = _drawn_outside(fig)
    assert any("spans x" in p for p in problems) and any("overlap" in p for p in problems)
    fig, ax = new_figure(figsize=(6, 3))
    ax.set_title("fits")
    assert _drawn_outside(fig) == []


@pytest.mark.parametrize("presenter", [False, True], ids=["normal", "presenter"])
def test_nothing_is_cut_off_at_any_preset(factory, presenter):
    """Titles, labels and tick labels stay inside the figure and titles do not overlap (presenter fonts are
    large: easy to overrun)."""
    demo = factory(presenter=presenter)
    problems = [f"at start: {p}" for p in _drawn_outside(demo.figure)]
    for label, values in demo.presets.items():
        demo.set(**values)
        problems += [f"preset {label!r}: {p}" for p in _drawn_outside(demo.figure)]
    assert problems == []


def test_set_refuses_unknown_controls(factory):
    demo = factory()
    with pytest.raises(ValueError, match="not a control of this demo"):
        demo.set(nope=1)


# -- the lecture notebook -----------------------------------------------------------------------

def _lecture_cells():
    """(markdown before, code) pairs of the lecture notebook, in order."""
    import jupytext

    nb = jupytext.read(LECTURE, fmt="py:percent")
    pairs, markdown = [], ""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            markdown = cell.source
        else:
            pairs.append((markdown, cell.source))
    return nb, pairs


def test_lecture_notebook_shows_every_demo_in_presenter_mode():
    _, pairs = _lecture_cells()
    code = "\n".join(source for _, source in pairs)
    missing = [name for name in FACTORIES if not re.search(rf"demos\.{name}\(presenter=True", code)]
    assert missing == [], f"add these demos to notebooks/lecture_demos.py: {missing}"
    assert "presenter=False" not in code


def test_lecture_notebook_names_only_presets_that_exist():
    """Talking points quote preset buttons as **"label"**; a renamed preset must not leave a dead reference."""
    _, pairs = _lecture_cells()
    checked = 0
    for markdown, source in pairs:
        match = re.fullmatch(r"demos\.(\w+_demo)\(presenter=True\)", source.strip())
        if not match:
            continue
        labels = re.findall(r'\*\*"(.+?)"\*\*', markdown)
        assert labels, f"say which presets to click before {match.group(1)}"
        presets = getattr(demos, match.group(1))().presets
        unknown = [label for label in labels if label not in presets]
        assert unknown == [], f"{match.group(1)} has no preset(s) {unknown}; it has {list(presets)}"
        checked += 1
    assert checked == len(FACTORIES)


def test_lecture_notebook_is_marked_up_for_slides():
    nb, _ = _lecture_cells()
    types = [c.metadata.get("slideshow", {}).get("slide_type") for c in nb.cells]
    assert types[0] == "slide" and types.count("slide") >= len(FACTORIES) + 2
    assert nb.cells[0].source.startswith("# Lecture demos")
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "## Summary" in text and "<summary>Answers</summary>" in text
    assert nb.cells[-1].source.startswith("## References")
    demo_cells = [c for c in nb.cells if c.cell_type == "code" and "presenter=True)" in c.source]
    assert all(c.metadata.get("slideshow", {}).get("slide_type") == "subslide" for c in demo_cells), (
        "each demo gets a slide of its own (a figure under the talking points does not fit)")


# -- speed fixes made for the lecture demos ------------------------------------------------------

@pytest.mark.parametrize("order", [1, 3, 5])
def test_ngram_sampling_reads_only_the_context_it_needs(order):
    """CharNGramModel.sample passes the last order-1 ids (not the whole growing history, which was
    O(length^2) and half of temperature_demo's update time); the text must be the same."""
    from rnn_course.sampling import sample_next
    from rnn_course.text import CharNGramModel, CharVocab

    text = "to be, or not to be, that is the question: whether 'tis nobler in the mind to suffer\n" * 3
    vocab = CharVocab("".join(sorted(set(text))))
    model = CharNGramModel(vocab.encode(text), vocab.size, order=order, chars=vocab.chars)
    sampled = model.sample(120, prime="to be", temperature=1.3, top_k=6, rng=11)
    rng = np.random.default_rng(11)
    ids, out = list(vocab.encode("to be")), []
    for _ in range(120):  # the definition: score the next character from the whole history
        nxt = sample_next(model.next_logits(np.array(ids)), temperature=1.3, top_k=6, rng=rng)
        ids.append(nxt)
        out.append(nxt)
    assert sampled == vocab.decode(np.array(out))


def test_every_demo_is_in_the_latency_benchmark():
    """benchmarks/demo_latency.py times every demo, in a lesson and in presenter mode, with moves of
    controls that exist (the benchmark itself is not run in CI)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("demo_latency", ROOT / "benchmarks" / "demo_latency.py")
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # dataclasses look their module up there
    try:
        spec.loader.exec_module(bench)
    finally:
        del sys.modules[spec.name]
    assert sorted(bench.LECTURE_MOVES) == FACTORIES, "add the new demo to LECTURE_MOVES in benchmarks/demo_latency.py"
    for name, moves in bench.LECTURE_MOVES.items():
        controls = set(getattr(demos, name)().controls)
        unknown = {key for move in moves for key in move} - controls
        assert not unknown, f"{name}: the benchmark moves {sorted(unknown)}, which are not controls"
        assert {key for move in moves for key in move} == controls, f"{name}: move every control"


# -- the room a demo has -------------------------------------------------------------------------

#: the figure slot and the height left for it at 1280 x 800 (JupyterLab, sidebar closed, Presentation Mode)
PROJECTOR_SLOTS = {"side": (730, 590), "top": (1050, 420)}


@pytest.mark.parametrize("dpr", [1.0, 2.0])
def test_resize_draws_the_figure_for_its_slot_and_the_screen_density(factory, dpr):
    demo = factory(presenter=True)
    width, height = PROJECTOR_SLOTS[demo.layout]
    demo.resize(width, height, dpr)
    assert demo.error is None
    w, h = demo.figure_size(width, height)
    assert w <= width and h <= height
    assert _png_size(demo.png()) == (round(w * dpr), round(h * dpr)), "drawn at the screen's density"
    assert demo._image.layout.width == f"{w}px"
    assert demo.min_fontsize() >= 12.5, "presenter text never below 12.5 pt (17.4 px, the body text)"
    problems = _drawn_outside(demo.figure)
    for label, values in demo.presets.items():
        demo.set(**values)
        assert demo.error is None, f"preset {label!r}: {demo.error}"
        problems += [f"preset {label!r}: {p}" for p in _drawn_outside(demo.figure)]
    assert problems == []


def test_the_browser_reports_the_room_through_the_viewport_widget():
    demo = demos.cliff_demo(presenter=True)
    before = demo.latencies[:]
    demo._viewport.value = json.dumps({"width": 700, "height": 500, "dpr": 1.5, "theme": "light"})
    assert demo.error is None and len(demo.latencies) == len(before) + 1
    assert demo.viewport["dpr"] == 1.5 and demo.figure.dpi == 150
    demo._viewport.value = json.dumps({"width": 700, "height": 500, "dpr": 1.5, "theme": "light"})
    assert len(demo.latencies) == len(before) + 1, "the same room again: no redraw"
    demo._viewport.value = "not json"
    assert demo.error.startswith("resize:")  # shown under the figure, the demo keeps working
    demo.set(lr=1.0)
    assert demo.error is None


def test_dark_theme_recolours_the_figure_and_light_restores_it():
    demo = demos.spectral_radius_demo(presenter=True)
    light = demo.png()
    demo.resize(1050, 420, 1.0, "dark")
    image = np.asarray(Image.open(io.BytesIO(demo.png())).convert("L"))
    assert image[2, 2] < 40, "dark background"
    ax = demo.figure.axes[0]
    assert np.mean(matplotlib.colors.to_rgb(ax.xaxis.label.get_color())) > 0.7, "light text"
    line = ax.get_lines()[0]
    assert matplotlib.colors.to_hex(line.get_color()) == "#1f77b4", "colours keep their hue"
    demo.resize(1050, 420, 1.0, "light")
    demo.resize(*_png_size(light), 1.0)
    assert np.asarray(Image.open(io.BytesIO(demo.png())).convert("L"))[2, 2] > 240


def test_the_frame_counter_changes_on_every_redraw_even_an_unchanged_one():
    demo = demos.cliff_demo()
    first = demo._status.value
    demo.set(**demo.values)  # same values: the same picture, but the kernel answered
    assert demo._status.value != first and 'data-frame="' in demo._status.value


def test_log_sliders_stop_at_the_round_values_the_text_names():
    from rnn_course.demos import log_slider, nice_values

    assert nice_values(0.01, 3.0) == [0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 3.0]
    slider = log_slider("learning rate", 0.3, 0.01, 3.0)
    assert slider.value == 0.3 and slider.label == "0.3"
    slider.value = 0.05
    assert slider.label == "0.05"
    with pytest.raises(ValueError, match="learning rate: expected one of"):
        log_slider("learning rate", 0.316, 0.01, 3.0)
    demo = demos.cliff_demo()
    for values in demo.presets.values():
        demo.set(**values)
        assert demo.controls["lr"].label == f"{values['lr']:g}"
        assert demo.controls["threshold"].label == f"{values['threshold']:g}"


def test_saved_notebooks_keep_demos_as_static_figures():
    from rnn_course.demos.static import WIDGET_VIEW, store_static_figures

    bundle = demos.cliff_demo()._repr_mimebundle_()
    other = {WIDGET_VIEW: {"model_id": "x"}, "text/plain": "IntSlider(value=1)"}
    notebook = {"cells": [{"cell_type": "code", "outputs": [
        {"output_type": "display_data", "data": dict(bundle), "metadata": {}},
        {"output_type": "display_data", "data": dict(other), "metadata": {}}]},
        {"cell_type": "markdown", "source": "x"}]}
    store_static_figures(model={"type": "notebook", "content": notebook}, path="x.ipynb")
    saved, kept = (o["data"] for o in notebook["cells"][0]["outputs"])
    assert sorted(saved) == ["image/png", "text/plain"] and saved["image/png"] == bundle["image/png"]
    assert kept == other, "other widgets are saved as they are"
