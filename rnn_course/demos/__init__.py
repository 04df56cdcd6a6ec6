"""One-line lecture demos. Each returns a ``Demo``: sliders over a figure in a widget front end,
a static PNG of the figure anywhere else. Building blocks in ``demos._base``.

    from rnn_course.demos import cliff_demo
    cliff_demo(presenter=True)
"""

from ._base import Demo, dropdown, float_slider, int_slider, log_slider, nice_values
from .attention import attention_demo  # lesson 08
from .bptt import bptt_demo  # lesson 02
from .classification import sentiment_demo  # lesson 06
from .cliff import cliff_demo  # lesson 03
from .gradients import spectral_radius_demo  # lesson 03
from .lstm import carousel_demo  # lesson 04
from .sampling import temperature_demo  # lesson 05
from .seq2seq import teacher_forcing_demo  # lesson 07
from .unrolling import hidden_state_demo, parity_demo  # lesson 01

__all__ = [
    # building blocks
    "Demo", "dropdown", "float_slider", "int_slider", "log_slider", "nice_values",
    # in lesson order
    "hidden_state_demo", "parity_demo",
    "bptt_demo",
    "spectral_radius_demo", "cliff_demo",
    "carousel_demo",
    "temperature_demo",
    "sentiment_demo",
    "teacher_forcing_demo",
    "attention_demo",
]  # fmt: skip
