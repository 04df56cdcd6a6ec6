"""One-line lecture demos. Each returns a ``Demo``: sliders over a figure in a widget front end,
a static PNG of the figure anywhere else. Building blocks in ``demos._base``.

    from rnn_course.demos import Demo
"""

from ._base import Demo, dropdown, float_slider, int_slider, log_slider

__all__ = ["Demo", "dropdown", "float_slider", "int_slider", "log_slider"]
# Lesson modules add their demo functions below (import + __all__ entry).
