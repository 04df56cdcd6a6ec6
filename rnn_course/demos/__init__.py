"""One-line lecture demos. Each returns a ``Demo``: sliders over a figure in a widget front end,
a static PNG of the figure anywhere else. Building blocks in ``demos._base``.

    from rnn_course.demos import Demo
"""

from ._base import Demo, dropdown, float_slider, int_slider, log_slider

__all__ = ["Demo", "dropdown", "float_slider", "int_slider", "log_slider"]
# Lesson modules add their demo functions below (import + __all__ entry).
from .bptt import bptt_demo  # noqa: E402
from .unrolling import hidden_state_demo, parity_demo  # noqa: E402

__all__ += ["bptt_demo", "hidden_state_demo", "parity_demo"]
from .cliff import cliff_demo  # noqa: E402
from .gradients import spectral_radius_demo  # noqa: E402

__all__ += ["cliff_demo", "spectral_radius_demo"]
from .lstm import carousel_demo  # noqa: E402

__all__ += ["carousel_demo"]
from .sampling import temperature_demo  # noqa: E402

__all__ += ["temperature_demo"]
from .classification import sentiment_demo  # noqa: E402

__all__ += ["sentiment_demo"]
from .seq2seq import teacher_forcing_demo  # noqa: E402

__all__ += ["teacher_forcing_demo"]
