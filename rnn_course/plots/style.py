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
"""

from __future__ import annotations

import contextlib
import io

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
    "CELL_COLORS",
    "figure_to_png",
    "canvas_to_png",
    "canvas_to_jpeg",
]

DIVERGING = "RdBu_r"  # values around 0 (weights, hidden states, gradients)
SEQUENTIAL = "viridis"  # magnitudes (norms, losses)
#: one colour per model kind, the same in every lesson
CELL_COLORS = {"rnn": "#d62728", "rnn_relu": "#ff7f0e", "irnn": "#ff7f0e", "lstm": "#1f77b4", "gru": "#2ca02c"}

PRESENTER_RC = {
    "font.size": 18,
    "axes.titlesize": 22,
    "axes.labelsize": 20,
    "xtick.labelsize": 16,
    "ytick.labelsize": 16,
    "legend.fontsize": 16,
    "lines.linewidth": 3.5,
    "lines.markersize": 10,
    "axes.linewidth": 1.5,
    "figure.dpi": 100,
}


@contextlib.contextmanager
def presenter(enabled: bool = True):
    """Large fonts and thick lines while the block runs (a no-op when ``enabled`` is False)."""
    if not enabled:
        yield
        return
    with mpl.rc_context(PRESENTER_RC):
        yield


def new_figure(figsize=(6.4, 4.0), nrows: int = 1, ncols: int = 1, **subplot_kw):
    """A figure not registered with pyplot, and its axes (an array when nrows * ncols > 1)."""
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
