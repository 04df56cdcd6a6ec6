"""Text that changes on every frame of a demo, drawn from bitmaps rendered once.

Agg lays out and rasterises a text glyph by glyph on every draw: about a
millisecond per short word. A demo that relabels a dozen words per update
(the words of a sentence, the characters a decoder reads and writes) spends
half its budget there. The strings repeat (a vocabulary, a few colours), so
``TextSprites`` renders each (string, colour, weight) once, keeps the bitmap,
and composites it at its place on every frame, which costs next to nothing.
``TextGrid`` does the same for monospace text one character per cell (a
sampled text changes every time, its alphabet does not). Each is one
artist: list it in a Demo's ``animated``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.colors import to_rgb
from matplotlib.font_manager import FontProperties

from ..plots.style import themed_color

__all__ = ["TextSprites", "TextGrid", "Sprite"]


class Sprite(NamedTuple):
    """One string to draw at (x, y) in the data coordinates of the artist's axes."""

    x: float
    y: float
    text: str
    color: str = "black"
    weight: str = "normal"
    ha: str = "center"  # "left", "center" or "right": which edge of the text sits at x


class TextSprites(Artist):
    """Strings composited from cached bitmaps; ``set_sprites([Sprite(...), ...])`` replaces what is shown."""

    def __init__(self, fontsize: float, *, family: str | None = None):
        super().__init__()
        self._fontsize = float(fontsize)
        self._family = family
        self._items: list[Sprite] = []
        self._bitmaps: dict = {}

    @property
    def fontsize(self) -> float:
        return self._fontsize

    def set_fontsize_points(self, size: float) -> None:
        """A new font size (points): the cached bitmaps are redrawn."""
        self._fontsize = float(size)
        self._bitmaps.clear()
        self.stale = True

    def set_sprites(self, sprites) -> None:
        self._items = [s if isinstance(s, Sprite) else Sprite(*s) for s in sprites]
        self.stale = True

    def bitmap(self, text: str, color: str, weight: str, dpi: float) -> tuple[np.ndarray, float]:
        """RGBA uint8 (rows bottom-up, as ``renderer.draw_image`` takes them) of one string, and the
        height of its baseline above the bitmap's bottom edge (pixels). Cached."""
        color = themed_color(color, getattr(self.figure, "rnn_course_theme", "light"))
        key = (text, color, weight, dpi)
        if key not in self._bitmaps:
            prop = FontProperties(size=self._fontsize, weight=weight, family=self._family)
            width, height, descent = RendererAgg(1, 1, dpi).get_text_width_height_descent(text, prop, ismath=False)
            renderer = RendererAgg(int(np.ceil(width)) + 2, int(np.ceil(height)) + 2, dpi)
            gc = renderer.new_gc()
            gc.set_foreground("black")
            renderer.draw_text(gc, 1, 1 + height - descent, text, prop, 0)  # y: the baseline, from the top
            gc.restore()
            ink = np.asarray(renderer.buffer_rgba())[::-1, :, 3]
            sprite = np.empty((*ink.shape, 4), dtype=np.uint8)
            sprite[..., :3] = np.round(255 * np.asarray(to_rgb(color))).astype(np.uint8)
            sprite[..., 3] = ink  # antialiased edges kept as partial alpha
            self._bitmaps[key] = (sprite, descent + 1)
        return self._bitmaps[key]

    def _cap_height(self, dpi: float) -> float:
        key = ("cap height", dpi)
        if key not in self._bitmaps:
            prop = FontProperties(size=self._fontsize, family=self._family)
            self._bitmaps[key] = RendererAgg(1, 1, dpi).get_text_width_height_descent("H", prop, ismath=False)[1]
        return self._bitmaps[key]

    def draw(self, renderer) -> None:
        if not self.get_visible() or self.axes is None:
            return
        items = [item for item in self._items if item.text.strip()]
        if not items:
            return
        dpi = self.figure.dpi
        cap = self._cap_height(dpi)
        places = self.axes.transData.transform([(item.x, item.y) for item in items])  # one transform for all
        gc = renderer.new_gc()
        for item, (px, py) in zip(items, places):
            sprite, baseline = self.bitmap(item.text, item.color, item.weight, dpi)
            width = sprite.shape[1]
            left = {"left": px, "center": px - width / 2, "right": px - width}[item.ha]
            # every string on one baseline, capitals centred on y (as va="center_baseline" would)
            renderer.draw_image(gc, round(left), round(py - cap / 2 - baseline), sprite)
        gc.restore()
        self.stale = False


class TextGrid(TextSprites):
    """Monospace text on a grid of character cells, each character a cached bitmap.

    For text that changes on every frame but is drawn from a small alphabet (sampled characters):
    ``set_text`` places character k of line r in the cell (k, r) of the axes' data coordinates, so the
    axes' limits must be ``(0, columns)`` and ``(rows, 0)``. ``get_text`` returns what was set.
    """

    def __init__(self, fontsize: float, color: str = "black"):
        super().__init__(fontsize, family="monospace")
        self._color = color
        self._text = ""

    def set_text(self, text: str) -> None:
        self._text = str(text)
        self.set_sprites(Sprite(col + 0.5, row + 0.5, char, self._color)
                         for row, line in enumerate(self._text.split("\n")) for col, char in enumerate(line)
                         if not char.isspace())

    def get_text(self) -> str:
        return self._text
