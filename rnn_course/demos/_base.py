"""The lecture-demo building block: a figure, some controls, and a static fallback.

A ``Demo`` shows as sliders above a figure in a front end with the widget
extension (JupyterLab, Notebook 7, VS Code). Everywhere else (JupyterLab
without the extension, nbconvert slides, GitHub, nbviewer) the same output
shows as a PNG of the figure at the current values: the demo's display data
carries both the widget view and an ``image/png``, and a front end picks the
richest one it can render. Nothing has to detect the front end, so nothing
can guess wrong.

Updates redraw the existing matplotlib artists in place and send one frame
(JPEG: a tenth of PNG's encoding time) to an ``ipywidgets.Image``: no figure is re-created, nothing accumulates, and an
exception in an update is shown under the figure instead of breaking the
demo. Artists listed as ``animated`` are blitted: the rest of the figure
(axes, ticks, labels, colour bars) is drawn once and reused, which is what
keeps an update within a few tens of milliseconds on a laptop. An update
that changes anything else (axis limits, a legend) returns True to ask for a
full redraw. Every update's latency (figure rendering included) is recorded
in ``demo.latencies`` for the benchmarks.

In the browser a demo lays itself out for the room it has (``_frontend``):
the controls beside the figure, or above it when the figure is wide; the
figure is redrawn for the width of its slot, the height left in the visible
notebook area and the screen's pixel density (``Demo.resize``), in
JupyterLab's light or dark theme; and it says when the kernel is busy or gone.
"""

from __future__ import annotations

import base64
import contextlib
import html
import json
import math
import time
from collections.abc import Callable

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from ..plots.style import apply_theme, canvas_to_jpeg, canvas_to_png, scale_fonts
from ._frontend import frontend_html
from ._sprites import TextSprites

__all__ = ["Demo", "float_slider", "int_slider", "dropdown", "log_slider", "nice_values"]

# Controls fill their column (beside the figure) or their grid cell (above it): see _frontend.CSS.
_CONTROL_LAYOUT = {"width": "auto"}


def _layout(presenter: bool):
    return widgets.Layout(**_CONTROL_LAYOUT)


_STYLE = {"description_width": "initial"}
#: the figure's CSS pixels per inch (matplotlib's default dpi; the screen's density multiplies it)
CSS_DPI = 100
#: the smallest figure a demo is drawn at (CSS px): below this nothing is readable
MIN_FIGURE = (320, 240)
#: presenter mode: no text in a figure drawn smaller than designed shrinks below this (points): 12.5 pt
#: is 17.4 CSS px, JupyterLab's body text in Presentation Mode (17 px)
PRESENTER_MIN_FONT = 12.5


def float_slider(description, value, min, max, step, *, presenter=False, continuous=True, readout_format=".2f"):
    """A FloatSlider with the course's layout."""
    return widgets.FloatSlider(value=value, min=min, max=max, step=step, description=description,
                               continuous_update=continuous, readout_format=readout_format,
                               layout=_layout(presenter), style=_STYLE)


def nice_values(low: float, high: float, mantissas=(1, 2, 3, 5)) -> list[float]:
    """The "round" numbers from ``low`` to ``high``: 0.01, 0.02, 0.03, 0.05, 0.1, ... (each decade's
    ``mantissas``), plus the ends. What a log slider stops at, so that it reads 0.3, not 0.316."""
    if not 0 < low < high:
        raise ValueError(f"low, high: expected 0 < low < high, got {low!r}, {high!r}")
    values = {float(f"{low:.6g}"), float(f"{high:.6g}")}
    for decade in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1):
        for m in mantissas:
            v = float(f"{m * 10.0 ** decade:.6g}")
            if low * (1 - 1e-9) <= v <= high * (1 + 1e-9):
                values.add(v)
    return sorted(values)


def log_slider(description, value, min, max, *, presenter=False, continuous=True, mantissas=(1, 2, 3, 5)):
    """A slider over round values on a log scale from ``min`` to ``max`` (0.01, 0.02, 0.03, 0.05, 0.1, ...):
    its readout says 0.3 where the text says 0.3. ``value`` must be one of them (``nice_values``)."""
    options = nice_values(min, max, mantissas)
    if not any(math.isclose(value, v, rel_tol=1e-9) for v in options):
        raise ValueError(f"{description}: expected one of the slider's values {options}, got {value!r}")
    value = next(v for v in options if math.isclose(value, v, rel_tol=1e-9))
    return widgets.SelectionSlider(options=[(f"{v:g}", v) for v in options], value=value,
                                   description=description, continuous_update=continuous,
                                   layout=_layout(presenter), style=_STYLE)


def int_slider(description, value, min, max, step=1, *, presenter=False, continuous=True):
    """An IntSlider with the course's layout."""
    return widgets.IntSlider(value=value, min=min, max=max, step=step, description=description,
                             continuous_update=continuous, layout=_layout(presenter), style=_STYLE)


def dropdown(description, options, value=None, *, presenter=False):
    """A Dropdown with the course's layout."""
    return widgets.Dropdown(options=options, value=value if value is not None else list(options)[0],
                            description=description, layout=_layout(presenter), style=_STYLE)


class Demo:
    """A figure whose artists ``update(**values)`` redraws from the controls' values.

    Inputs:
        title: shown above the controls
        figure: a matplotlib Figure (made once, updated in place)
        update: ``update(**values)`` sets the artists' data for the control values;
            it returns True when something outside ``animated`` changed
        controls: {name: ipywidgets value widget}; names are ``update``'s keywords
        animated: artists that ``update`` changes (lines, images, texts); when
            given, only they are redrawn on an update (blitting)
        presets: optional {label: {name: value}} shown as buttons (lecture shortcuts)
        description: one sentence under the title: what to look at
        layout: "top" (the default: controls in columns above a full-width figure) or "side" (a
            column of controls beside the figure). Measured at 1280 x 800, "top" leaves every
            lecture demo the larger figure: a column of labelled controls and wrapped presets is
            taller than the figure it leaves room for
        on_resize: optional ``on_resize(figure)`` called after the figure changed size (before the
            layout is recomputed), for a demo that fits something to its axes (wrapped text)
    Use ``demo.set(name=value, ...)`` to move controls from code (tests, slides), and
    ``demo.resize(width, height)`` to draw the figure for a box of that many CSS pixels.
    """

    def __init__(self, title: str, figure, update: Callable[..., bool | None], controls: dict, *,
                 animated=(), presets: dict | None = None, description: str = "", presenter: bool = False,
                 layout: str = "top", on_resize: Callable | None = None):
        self.title = title
        self.figure = figure
        self._update = update
        self.controls = dict(controls)
        self.presets = dict(presets or {})
        self.description = description
        self.presenter = presenter
        self.latencies: list[float] = []
        self.animated = list(animated)
        for artist in self.animated:
            artist.set_animated(True)
        if not isinstance(figure.canvas, FigureCanvasAgg):
            FigureCanvasAgg(figure)
        width, height = figure.get_size_inches()
        self._natural = (float(width), float(height))  # the size the demo was designed at (inches)
        if layout not in ("side", "top"):
            raise ValueError(f"layout: expected 'top' or 'side', got {layout!r}")
        self.layout = layout
        self._on_resize = on_resize
        self.theme = "light"
        self.viewport: dict | None = None  # what the browser last reported (Demo.resize's arguments)
        self._background = None
        self.error: str | None = None
        self._paused = False
        self._frames = 0
        self._png: bytes | None = None  # PNG of the current frame, encoded on demand
        self._frame = b""  # what the image widget shows (JPEG: fast to encode on every update)
        self._image = widgets.Image(format="jpeg", layout=widgets.Layout(max_width="100%"))
        self._status = widgets.HTML()
        # the browser writes the room it has here (JSON, see _frontend); hidden
        self._viewport = widgets.Text(value="", continuous_update=True, layout=widgets.Layout(display="none"))
        self._viewport.observe(self._on_viewport, names="value")
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self._buttons = []
        for label, values in self.presets.items():
            # what a lecturer clicks most: labels never cut off, the row wraps (see _frontend.CSS)
            button = widgets.Button(description=label, tooltip=label, layout=widgets.Layout(width="auto"))
            button.on_click(lambda _b, v=values: self.set(**v))
            self._buttons.append(button)
        self._widget = None
        self.refresh()

    # -- state -------------------------------------------------------------
    @property
    def values(self) -> dict:
        """The controls' current values, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def set(self, **values) -> Demo:
        """Set several controls at once and redraw once."""
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise ValueError(f"{unknown[0]}: not a control of this demo; expected one of {sorted(self.controls)}")
        with self._hold():
            for name, value in values.items():
                self.controls[name].value = value
        self.refresh()
        return self

    @contextlib.contextmanager
    def _hold(self):
        self._paused = True
        try:
            yield
        finally:
            self._paused = False

    def _on_change(self, _change) -> None:
        if not self._paused:
            self.refresh()

    def refresh(self, full: bool = False) -> None:
        """Redraw the figure for the current values and push it to the image widget."""
        start = time.perf_counter()
        try:
            full = bool(self._update(**self.values)) or full
            self._render(full)
            self._png = None
            self._frame = canvas_to_jpeg(self.figure.canvas)
            self._image.value = self._frame
            self.error = None
        except Exception as err:  # a demo must never crash in front of a room
            self.error = f"{type(err).__name__}: {err}"
        self._frames += 1
        self._status.value = self._status_html()
        self.latencies.append(time.perf_counter() - start)

    def _status_html(self) -> str:
        # The frame counter tells the browser that the kernel answered (see _frontend): it changes
        # on every redraw, error or not. The smallest font is there for the browser test.
        text = f'<span style="color:#cf222e">{html.escape(self.error)}</span>' if self.error else ""
        return (f'<span class="rnn-course-demo-frame" data-frame="{self._frames}" '
                f'data-min-font-pt="{self.min_fontsize():.1f}"></span>{text}')

    def min_fontsize(self) -> float:
        """The smallest font (points) of any visible text in the figure."""
        sizes = [t.get_fontsize() for t in self.figure.findobj(Text) if t.get_visible() and t.get_text().strip()]
        sizes += [sprites.fontsize for sprites in self.figure.findobj(TextSprites)]
        return float(min(sizes)) if sizes else 0.0

    def _render(self, full: bool) -> None:
        """Bring the canvas up to date: a full draw, or the cached background plus the animated artists."""
        canvas = self.figure.canvas
        if not self.animated:
            canvas.draw()
            return
        if full or self._background is None:
            canvas.draw()  # everything except the animated artists
            if self._background is None and self.figure.get_layout_engine() is not None:
                # Freeze the layout found on the first draw: later draws skip the solver.
                self.figure.set_layout_engine("none")
            self._background = canvas.copy_from_bbox(self.figure.bbox)
        else:
            canvas.restore_region(self._background)
        for artist in self.animated:
            if artist.get_visible():
                (artist.axes or self.figure).draw_artist(artist)

    # -- the room it has ---------------------------------------------------
    def figure_size(self, width: float, height: float) -> tuple[int, int]:
        """The figure's size (CSS px) for a slot ``width`` wide with ``height`` left on screen: the whole
        width, and at most the height (never taller than 1.3 times the designed aspect allows)."""
        natural_w, natural_h = self._natural
        ratio = natural_h / natural_w
        w = max(MIN_FIGURE[0], int(width))
        h = max(MIN_FIGURE[1], min(int(height), int(w * max(0.62, 1.3 * ratio))))
        # very wide and flat: narrower, so that the figure keeps a usable shape
        w = min(w, int(h / (0.7 * ratio)))
        return w, h

    def resize(self, width: float, height: float, dpr: float = 1.0, theme: str | None = None) -> None:
        """Redraw the figure for a box ``width`` x ``height`` CSS px on a screen of pixel density ``dpr``
        (and in the ``theme`` "light" or "dark" when given). What the browser calls, through the
        hidden viewport widget; call it yourself to preview a size."""
        dpr = min(max(float(dpr), 1.0), 3.0)
        w, h = self.figure_size(width, height)
        fig = self.figure
        changed = (round(fig.dpi, 3) != round(CSS_DPI * dpr, 3)
                   or tuple(round(v) for v in fig.get_size_inches() * fig.dpi / dpr) != (w, h))
        if theme is not None and theme != self.theme:
            apply_theme(fig, theme)
            self.theme = theme
            changed = True
        if not changed:
            return
        fig.set_dpi(CSS_DPI * dpr)
        fig.set_size_inches(w / CSS_DPI, h / CSS_DPI)
        if self.presenter:  # smaller than designed: smaller text, down to the body text's size
            natural_w, natural_h = self._natural
            scale = min(1.0, w / (CSS_DPI * natural_w), h / (CSS_DPI * natural_h))
            scale_fonts(fig, scale, floor=PRESENTER_MIN_FONT)
        fig.set_layout_engine("constrained")
        if self._on_resize is not None:
            self._on_resize(fig)
        self._background = None
        self._image.layout.width = f"{w}px"
        self.refresh(full=True)

    def _on_viewport(self, change) -> None:
        try:
            room = json.loads(change["new"] or "{}")
            if not room:
                return
            self.viewport = room
            self.resize(float(room["width"]), float(room["height"]), float(room.get("dpr", 1.0)),
                        room.get("theme"))
        except Exception as err:  # a bad report must not break the demo
            self.error = f"resize: {type(err).__name__}: {err}"
            self._status.value = self._status_html()

    def png(self) -> bytes:
        """The figure as PNG bytes at the current values (the static fallback)."""
        if self._png is None:
            self._png = canvas_to_png(self.figure.canvas)
        return self._png

    # -- display -----------------------------------------------------------
    @property
    def widget(self):
        """The ipywidgets box: title, controls and presets beside (or above) the figure, error line."""
        if self._widget is None:
            title = f'<b class="rnn-course-demo-title" style="font-size:1.3em">{html.escape(self.title)}</b>'
            if self.description:
                title += f"<br><span>{html.escape(self.description)}</span>"
            head = widgets.HTML(title)
            head.add_class("rnn-course-demo-header")
            grid = widgets.VBox(list(self.controls.values()))
            grid.add_class("rnn-course-demo-grid")
            column = [grid]
            if self._buttons:
                presets = widgets.HBox(self._buttons)
                presets.add_class("rnn-course-demo-presets")
                column.append(presets)
            controls = widgets.VBox(column)
            controls.add_class("rnn-course-demo-controls")
            slot = widgets.Box([self._image])
            slot.add_class("rnn-course-demo-slot")
            body = widgets.HBox([controls, slot]) if self.layout == "side" else widgets.VBox([controls, slot])
            body.add_class("rnn-course-demo-body")
            frontend = widgets.HTML(frontend_html(), layout=widgets.Layout(display="none"))
            self._viewport.add_class("rnn-course-demo-viewport")
            self._widget = widgets.VBox([frontend, head, body, self._status, self._viewport])
            # CSS hooks: the browser test finds a demo, its figure and its error line by these
            self._widget.add_class("rnn-course-demo")
            self._widget.add_class(f"rnn-course-{self.layout}")
            if self.presenter:
                self._widget.add_class("rnn-course-presenter")
            self._image.add_class("rnn-course-demo-figure")
            self._status.add_class("rnn-course-demo-status")
        return self._widget

    def _repr_mimebundle_(self, include=None, exclude=None):
        if hasattr(self.widget, "_repr_mimebundle_"):
            bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        else:  # ipywidgets 7 (Google Colab ships 7.7.1) displays widgets another way: the same view, by hand
            bundle = {"application/vnd.jupyter.widget-view+json": {
                "version_major": 2, "version_minor": 0, "model_id": self.widget.model_id}}
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        bundle = dict(bundle)
        bundle["image/png"] = base64.b64encode(self.png()).decode("ascii")
        values = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        bundle["text/plain"] = f"<Demo {self.title!r}: {values}>"
        return bundle

    def __repr__(self) -> str:
        values = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"<Demo {self.title!r}: {values}>"
