"""Figures of the course. One function per figure kind, each returning a matplotlib ``Figure``
and taking an optional ``ax``. Conventions in ``plots._style``.
"""

from ._style import CELL_COLORS, DIVERGING, SEQUENTIAL, figure_to_png, new_figure, presenter

__all__ = ["CELL_COLORS", "DIVERGING", "SEQUENTIAL", "figure_to_png", "new_figure", "presenter"]
# Lesson modules add their plot functions below (import + __all__ entry).
