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
"""

from __future__ import annotations

import base64
import contextlib
import html
import time
from collections.abc import Callable

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg

from ..plots.style import canvas_to_jpeg, canvas_to_png

__all__ = ["Demo", "float_slider", "int_slider", "dropdown", "log_slider"]

_CONTROL_LAYOUT = {"width": "420px"}
_PRESENTER_LAYOUT = {"width": "640px"}


def _layout(presenter: bool):
    return widgets.Layout(**(_PRESENTER_LAYOUT if presenter else _CONTROL_LAYOUT))


_STYLE = {"description_width": "initial"}


def float_slider(description, value, min, max, step, *, presenter=False, continuous=True, readout_format=".2f"):
    """A FloatSlider with the course's layout."""
    return widgets.FloatSlider(value=value, min=min, max=max, step=step, description=description,
                               continuous_update=continuous, readout_format=readout_format,
                               layout=_layout(presenter), style=_STYLE)


def log_slider(description, value, min, max, *, base=10, step=0.1, presenter=False, continuous=True,
               readout_format=".3g"):
    """A FloatLogSlider: ``min``/``max`` are the *values* at the ends (not exponents)."""
    import math

    return widgets.FloatLogSlider(value=value, base=base, min=math.log(min, base), max=math.log(max, base),
                                  step=step, description=description, continuous_update=continuous,
                                  readout_format=readout_format, layout=_layout(presenter), style=_STYLE)


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
    Use ``demo.set(name=value, ...)`` to move controls from code (tests, slides).
    """

    def __init__(self, title: str, figure, update: Callable[..., bool | None], controls: dict, *,
                 animated=(), presets: dict | None = None, description: str = "", presenter: bool = False):
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
        self._background = None
        self.error: str | None = None
        self._paused = False
        self._png: bytes | None = None  # PNG of the current frame, encoded on demand
        self._frame = b""  # what the image widget shows (JPEG: fast to encode on every update)
        # align_self: in the VBox (a flex column) an image would be stretched to the output's
        # width, upscaling the PNG and blurring it on a projector; keep its own size
        self._image = widgets.Image(format="jpeg", layout=widgets.Layout(max_width="100%", align_self="flex-start"))
        self._status = widgets.HTML()
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self._buttons = []
        for label, values in self.presets.items():
            # presenter: preset buttons are what a lecturer clicks most; make them easy to hit and to read
            button = widgets.Button(description=label,
                                    layout=widgets.Layout(width="auto", height="auto" if presenter else None),
                                    style={"font_size": "1.3em"} if presenter else {})
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

    def refresh(self) -> None:
        """Redraw the figure for the current values and push it to the image widget."""
        start = time.perf_counter()
        try:
            full = bool(self._update(**self.values))
            self._render(full)
            self._png = None
            self._frame = canvas_to_jpeg(self.figure.canvas)
            self._image.value = self._frame
            self.error = None
            self._status.value = ""
        except Exception as err:  # a demo must never crash in front of a room
            self.error = f"{type(err).__name__}: {err}"
            self._status.value = f'<span style="color:#cf222e">{html.escape(self.error)}</span>'
        self.latencies.append(time.perf_counter() - start)

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

    def png(self) -> bytes:
        """The figure as PNG bytes at the current values (the static fallback)."""
        if self._png is None:
            self._png = canvas_to_png(self.figure.canvas)
        return self._png

    # -- display -----------------------------------------------------------
    @property
    def widget(self):
        """The ipywidgets box: title, controls, preset buttons, figure, error line."""
        if self._widget is None:
            size = "1.5em" if self.presenter else "1.15em"
            header = f'<b style="font-size:{size}">{html.escape(self.title)}</b>'
            if self.description:
                header += f"<br><span>{html.escape(self.description)}</span>"
            parts = [widgets.HTML(header), *self.controls.values()]
            if self._buttons:
                parts.append(widgets.HBox(self._buttons))
            parts += [self._image, self._status]
            self._widget = widgets.VBox(parts)
            # CSS hooks: the browser test finds a demo, its figure and its error line by these
            self._widget.add_class("rnn-course-demo")
            self._image.add_class("rnn-course-demo-figure")
            self._status.add_class("rnn-course-demo-status")
        return self._widget

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
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
