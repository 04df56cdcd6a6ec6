"""Figure conventions shared by every plot in the course.

* One function per figure kind; each returns the matplotlib ``Figure`` and
  takes an optional ``ax`` so notebooks, demos and tests share them.
* Figures are made with ``matplotlib.figure.Figure`` when no ``ax`` is given
  through ``new_figure`` (pyplot's global state is not touched, so demos can
  redraw many times without leaking figures), and shown in a notebook by
  returning them from a cell.
* ``presenter()`` is a context manager with large fonts and thick lines for a
  projector; colour maps are perceptually uniform (viridis, magma, cividis)
  or diverging around zero (RdBu_r) so they survive a washed-out projector.
  Its sizes are for a figure shown at its own size (100 CSS pixels per inch,
  as the lecture demos draw theirs): the smallest text, "small" at 16 pt,
  is over 18 px, larger than JupyterLab's body text even in Presentation Mode.
* The environment variable ``RNN_COURSE_STYLE=presenter`` switches every
  figure to the presenter style when this module is imported: the slide
  builder runs the lessons with it, so decks get figures for the room. There
  ``new_figure`` also draws a figure smaller than a slide's figure box
  enlarged to fill it (``slide_figsize``): the deck shows every figure as
  large as the box allows, so a small one drawn at its own size would show
  its text enlarged, and crowd (even clip) its labels in presenter fonts.
  Text a plot sized in points for a notebook (a legend at 8 pt) grows with
  the enlargement, up to the presenter style's smallest size.
* ``apply_theme(fig, "dark")`` recolours a finished figure for a dark
  background (JupyterLab's dark theme); ``"light"`` restores it.
* Colours that tell things apart (cells, gates, methods, right and wrong)
  come from the Okabe-Ito palette, made to stay distinct for the three common
  kinds of colour blindness (about 1 man in 12 has one). tests/test_palette.py
  simulates them (Machado et al. 2009) and measures every pair.
* Every figure can say what it shows in words (``describe``): the course's
  web site uses it as the figures' alt text. A plot function that knows
  better than its titles and labels says it with ``set_description``.
"""

from __future__ import annotations

import contextlib
import io
import os
import re

import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = [
    "new_figure",
    "get_figure_ax",
    "presenter",
    "PRESENTER_RC",
    "DIVERGING",
    "SEQUENTIAL",
    "OKABE_ITO",
    "CELL_COLORS",
    "GATE_COLORS",
    "RIGHT",
    "WRONG",
    "describe",
    "set_description",
    "figure_to_png",
    "canvas_to_png",
    "canvas_to_jpeg",
    "apply_theme",
    "scale_fonts",
    "themed_color",
    "STYLE_ENV",
    "SLIDE_FIGURE",
    "slide_figsize",
]

DIVERGING = "RdBu_r"  # values around 0 (weights, hidden states, gradients)
SEQUENTIAL = "viridis"  # magnitudes (norms, losses)
#: Okabe & Ito (2008), "Color Universal Design": eight colours that colour-blind readers tell apart
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}
#: one colour per model kind, the same in every lesson (red and green, as before, look alike to 1 man in 12)
CELL_COLORS = {"rnn": OKABE_ITO["vermillion"], "rnn_relu": OKABE_ITO["orange"], "irnn": OKABE_ITO["orange"],
               "lstm": OKABE_ITO["blue"], "gru": OKABE_ITO["bluish_green"]}
#: the gates: LSTM i, f, g, o (drawn over the LSTM's blue) and GRU r, z, n (over the GRU's green);
#: the two candidates g and n share a colour
GATE_COLORS = {"i": OKABE_ITO["bluish_green"], "f": OKABE_ITO["vermillion"], "g": OKABE_ITO["reddish_purple"],
               "o": OKABE_ITO["orange"], "r": OKABE_ITO["sky_blue"], "z": OKABE_ITO["orange"],
               "n": OKABE_ITO["reddish_purple"]}
#: right and wrong (a passed check, a correct prediction): blue and vermillion, not green and red
RIGHT, WRONG = OKABE_ITO["blue"], OKABE_ITO["vermillion"]

#: sizes in points; at 100 CSS px per inch 1 pt is 1.39 px: ticks 15 pt = 21 px, "small" 13.3 pt = 18.5 px
PRESENTER_RC = {
    "font.size": 16,
    "axes.titlesize": 18,
    "axes.labelsize": 16,
    "xtick.labelsize": 15,
    "ytick.labelsize": 15,
    "legend.fontsize": 14,
    "figure.titlesize": 18,
    "lines.linewidth": 3.0,
    "lines.markersize": 9,
    "axes.linewidth": 1.5,
    "figure.dpi": 100,
}
#: ``RNN_COURSE_STYLE=presenter``: every figure in the presenter style (the slide builder sets it)
STYLE_ENV = "RNN_COURSE_STYLE"
#: the box a figure fills on a slide, in inches at the presenter style's 100 px per inch: the deck
#: (rnn_course.tools.slides) shows an image at most 1180 px wide (the 1280 px slide less its margins) and 600 px high
SLIDE_FIGURE = (11.8, 6.0)
_FOR_SLIDES = os.environ.get(STYLE_ENV, "").strip().lower() == "presenter"
if _FOR_SLIDES:
    mpl.rcParams.update(PRESENTER_RC)


#: the presenter style's smallest text in points ("small" at 16 pt, 18.5 px at 100 px per inch)
SMALLEST_TEXT = PRESENTER_RC["font.size"] / 1.2


def slide_figsize(figsize, box=SLIDE_FIGURE) -> tuple[float, float]:
    """``figsize`` (width, height in inches) enlarged, aspect kept, until it fills ``box``; a figure already
    as wide or as high as the box is returned as it is (never drawn smaller than its author asked)."""
    width, height = (float(v) for v in figsize)
    if width <= 0 or height <= 0:
        raise ValueError(f"figsize: expected a positive (width, height) in inches, got {tuple(figsize)!r}")
    scale = max(1.0, min(box[0] / width, box[1] / height))
    return (width * scale, height * scale)


@contextlib.contextmanager
def presenter(enabled: bool = True):
    """Large fonts and thick lines while the block runs (a no-op when ``enabled`` is False)."""
    if not enabled:
        yield
        return
    with mpl.rc_context(PRESENTER_RC):
        yield


#: JupyterLab's dark theme background (--jp-layout-color0) and its lightest text
_DARK_BACKGROUND, _DARK_INK = 0x11 / 255, 0.9


def themed_color(color, theme: str = "light"):
    """``color`` for a ``theme``: unchanged in "light"; in "dark", greys (black text, white
    backgrounds, grey grid lines) swap lightness and colours keep their hue. Returns an RGBA tuple
    (or the input unchanged when it is not a colour, such as "none")."""
    from matplotlib.colors import to_rgba

    if theme == "light":
        return color
    try:
        r, g, b, a = to_rgba(color)
    except (ValueError, TypeError):
        return color
    if a == 0 or max(r, g, b) - min(r, g, b) > 0.12:  # transparent, or a colour: keep
        return (r, g, b, a)
    light = (r + g + b) / 3
    grey = _DARK_BACKGROUND + (1 - light) * (_DARK_INK - _DARK_BACKGROUND)
    return (grey, grey, grey, a)


_THEMED = {  # artist class -> the colour properties that follow the theme
    "Text": ("color",),
    "Line2D": ("color", "markerfacecolor", "markeredgecolor"),
    "Patch": ("facecolor", "edgecolor"),
    "Collection": ("facecolor", "edgecolor"),
}


def apply_theme(fig, theme: str) -> None:
    """Recolour ``fig`` for JupyterLab's "light" or "dark" theme, in place.

    Dark: the background becomes JupyterLab's dark grey, black text and lines become light grey,
    greys swap lightness; coloured lines, colour maps and images are unchanged (they read on both).
    "light" restores the colours the figure had. Call before the next draw.
    """
    from matplotlib.cm import ScalarMappable
    from matplotlib.collections import Collection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.text import Text

    if theme not in ("light", "dark"):
        raise ValueError(f"theme: expected 'light' or 'dark', got {theme!r}")
    originals = fig.__dict__.setdefault("_rnn_course_colors", {})
    kinds = ((Text, "Text"), (Line2D, "Line2D"), (Patch, "Patch"), (Collection, "Collection"))
    seen = set()
    for artist in fig.findobj():
        kind = next((name for cls, name in kinds if isinstance(artist, cls)), None)
        if kind is None or id(artist) in seen or (isinstance(artist, ScalarMappable)
                                                 and artist.get_array() is not None):
            continue  # colour-mapped data (images, meshes) reads on both backgrounds
        seen.add(id(artist))
        props = {p: getattr(artist, f"get_{p}")() for p in _THEMED[kind]}
        if kind == "Text" and artist.get_bbox_patch() is not None:  # a text's box is not among its children
            box = artist.get_bbox_patch()
            if id(box) not in seen:
                seen.add(id(box))
                saved_box = originals.setdefault(id(box), (box, {"facecolor": box.get_facecolor(),
                                                                  "edgecolor": box.get_edgecolor()}))[1]
                box.set_facecolor(themed_color(tuple(saved_box["facecolor"]), theme))
                box.set_edgecolor(themed_color(tuple(saved_box["edgecolor"]), theme))
        saved = originals.setdefault(id(artist), (artist, props))[1]
        for prop, value in saved.items():
            if isinstance(value, str) and value in ("auto", "none"):
                continue
            if getattr(value, "ndim", 0) == 2:  # a collection's per-element colours
                new = [themed_color(tuple(row), theme) for row in value] if len(value) else value
            else:
                new = themed_color(value if isinstance(value, str) else tuple(value), theme)
            getattr(artist, f"set_{prop}")(new)
    ink = themed_color(mpl.rcParams["xtick.color"], theme)
    for ax in fig.axes:  # ticks made later (new limits) follow too
        ax.tick_params(which="both", colors=ink, labelcolor=ink)
    fig.rnn_course_theme = theme


def scale_fonts(fig, scale: float, floor: float = 0.0) -> None:
    """Set every text of ``fig`` to ``scale`` times the size it was made with, but at least ``floor``
    points (a figure drawn smaller than designed keeps its text readable). ``scale_fonts(fig, 1)``
    restores the sizes. Text composited from bitmaps (``demos._sprites``) follows too."""
    from matplotlib.text import Text

    originals = fig.__dict__.setdefault("_rnn_course_fonts", {})
    for artist in fig.findobj(lambda a: isinstance(a, Text) or hasattr(a, "set_fontsize_points")):
        if isinstance(artist, Text):
            size = originals.setdefault(id(artist), (artist, artist.get_fontsize()))[1]
            artist.set_fontsize(max(size * scale, floor))
        else:
            size = originals.setdefault(id(artist), (artist, artist.fontsize))[1]
            artist.set_fontsize_points(max(size * scale, floor))
    for ax in fig.axes:  # tick labels made later (new limits) get the size too
        for axis in (ax.xaxis, ax.yaxis):
            key = ("ticks", id(axis))
            labels = axis.get_ticklabels(which="both")
            made = labels[0].get_fontsize() if labels else mpl.rcParams["xtick.labelsize"]
            size = originals.setdefault(key, (axis, made))[1]
            if not isinstance(size, (int, float)):
                from matplotlib.font_manager import FontProperties

                size = FontProperties(size=size).get_size_in_points()
            axis.set_tick_params(which="both", labelsize=max(size * scale, floor))


def _two_lines(text: str) -> str:
    """``text`` broken at the space nearest its middle (unchanged when it has no space)."""
    spaces = [i for i, c in enumerate(text) if c == " "]
    if not spaces:
        return text
    cut = min(spaces, key=lambda i: abs(i - len(text) / 2))
    return text[:cut] + "\n" + text[cut + 1:]


class _SlideFigure(Figure):
    """A figure drawn ``slide_scale`` times larger than asked, for a slide (``new_figure`` in a deck). Before each
    draw, text smaller than ``SMALLEST_TEXT`` grows as the figure did, up to that size: a label sized for a
    notebook keeps the size it had relative to the figure, so it stays readable. A one-line title wider than
    its axes (or a figure title wider than the figure) is broken into two lines, instead of running into its
    neighbour in presenter fonts."""

    slide_scale = 1.0

    def draw(self, renderer):
        from matplotlib.text import Text

        made = self.__dict__.setdefault("_rnn_course_made_size", {})
        for text in self.findobj(Text):
            size = made.setdefault(id(text), (text, text.get_fontsize()))[1]
            text.set_fontsize(max(size, min(SMALLEST_TEXT, size * self.slide_scale)))
        titles = [(ax.title, ax.get_position().width * self.bbox.width) for ax in self.axes if ax.get_visible()]
        if getattr(self, "_suptitle", None) is not None:
            titles.append((self._suptitle, self.bbox.width))
        for title, room in titles:
            text = title.get_text()
            if text and "\n" not in text and "$" not in text and title.get_window_extent(renderer).width > room:
                title.set_text(_two_lines(text))
        super().draw(renderer)


def new_figure(figsize=(6.4, 4.0), nrows: int = 1, ncols: int = 1, **subplot_kw):
    """A figure not registered with pyplot, and its axes (an array when nrows * ncols > 1). When a deck is
    built (``RNN_COURSE_STYLE=presenter``) the figure is drawn at ``slide_figsize(figsize)``, the size it is
    shown at on a slide."""
    if _FOR_SLIDES:
        fig = _SlideFigure(figsize=slide_figsize(figsize), layout="constrained")
        fig.slide_scale = fig.get_size_inches()[0] / float(figsize[0])
    else:
        fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)  # render without pyplot: demos redraw through this canvas
    axes = fig.subplots(nrows, ncols, squeeze=True, **subplot_kw)
    return fig, axes


def get_figure_ax(ax=None, figsize=(6.4, 4.0), **subplot_kw):
    """``(fig, ax)``: the given axes and its figure, or a new figure with one axes."""
    if ax is not None:
        return ax.figure, ax
    return new_figure(figsize, **subplot_kw)


def figure_to_png(fig, dpi: int | None = None) -> bytes:
    """Render a figure to PNG bytes (fast settings: used for every demo update)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def canvas_to_png(canvas) -> bytes:
    """PNG bytes of what an Agg canvas holds now, without drawing it again."""
    from PIL import Image

    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def canvas_to_jpeg(canvas, quality: int = 90) -> bytes:
    """JPEG bytes of what an Agg canvas holds now: the live frames of a demo.

    PNG encoding of a 0.5-megapixel figure costs 10-40 ms, most of a slider
    update's budget; JPEG at quality 90 without chroma subsampling costs a
    tenth of that and keeps lines and text sharp enough on a screen. The
    static fallback saved in a notebook stays PNG.
    """
    from PIL import Image

    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=quality, subsampling=0)
    return buf.getvalue()


# -- alt text -----------------------------------------------------------------

_DESCRIPTION = "_rnn_course_description"


def set_description(fig, text: str):
    """Say in words what ``fig`` shows (its alt text on the course's web site); returns ``fig``."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"text: expected a non-empty sentence, got {text!r}")
    setattr(fig, _DESCRIPTION, text.strip())
    return fig


def _plain(text: str) -> str:
    """Mathtext as words a screen reader can say: '$\\|W_h\\|_2$' -> '|W_h|_2'."""
    text = text.replace("$", "").replace("\\|", "|").replace("\n", " ")
    text = re.sub(r"\\([a-zA-Z]+)", r"\1", text)
    return " ".join(text.replace("{", "").replace("}", "").split())


def _is_colorbar(ax) -> bool:
    return getattr(ax, "_colorbar", None) is not None or ax.get_label() == "<colorbar>"


def _what(ax) -> str:
    from matplotlib.container import BarContainer

    if ax.name == "3d":
        return "surface plot"
    if not ax.axison:  # boxes and arrows drawn with lines and patches: a diagram, not data
        return "diagram"
    if ax.images:
        return "heat map"
    if any(isinstance(c, BarContainer) for c in ax.containers):
        return "bar chart"
    lines = [line for line in ax.lines if not line.get_label().startswith("_child") or len(line.get_xdata()) > 1]
    if lines:
        return "line plot" if len(lines) == 1 else f"{len(lines)} curves"
    if ax.collections:
        return "scatter plot" if all(type(c).__name__ == "PathCollection" for c in ax.collections) else "plot"
    return "diagram"


def _describe_axes(ax) -> str:
    title = _plain(ax.get_title() or ax.get_title("left") or ax.get_title("right"))
    what = _what(ax)
    x, y = _plain(ax.get_xlabel()), _plain(ax.get_ylabel())
    text = f"{title}: {what}" if title else what
    if x and y:
        text += f" of {y} against {x}"
    elif x or y:
        text += f" along {x or y}"
    legend = ax.get_legend()
    if legend is not None:
        labels = [_plain(t.get_text()) for t in legend.get_texts() if t.get_text()]
        if labels:
            text += " (" + ", ".join(labels) + ")"
    return text


def describe(fig) -> str:
    """What ``fig`` shows, in words: its description if one was set, else built from the figure's title and
    each panel's title, kind (line plot, heat map, bar chart, diagram), axis labels and legend."""
    explicit = getattr(fig, _DESCRIPTION, None)
    if explicit:
        return explicit
    title = _plain(fig._suptitle.get_text()) if getattr(fig, "_suptitle", None) is not None else ""
    panels = [_describe_axes(ax) for ax in fig.axes if ax.get_visible() and not _is_colorbar(ax)]
    if not panels:
        return f"Figure: {title}" if title else "An empty figure"
    if len(panels) == 1:
        body = panels[0]
    else:
        body = f"{len(panels)} panels: " + "; ".join(f"({i}) {p}" for i, p in enumerate(panels, 1))
    return f"{title}. {body}" if title else body[0].upper() + body[1:]
