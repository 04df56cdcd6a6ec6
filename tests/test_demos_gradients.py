"""rnn_course.demos.gradients: the spectral-radius demo of lesson 03 (every control driven)."""

from __future__ import annotations

import pytest

from rnn_course.demos import spectral_radius_demo
from rnn_course.demos.gradients import SPECTRAL_PRESETS


def _drive(demo, moves):
    """Move every control once; each move must change the picture and raise nothing."""
    assert demo.error is None
    for name, value in moves.items():
        before = demo.png()
        demo.set(**{name: value})
        assert demo.error is None, f"{name}={value!r}: {demo.error}"
        assert demo.png() != before, f"moving {name} to {value!r} did not change the figure"
        assert demo.values[name] == pytest.approx(value) if not isinstance(value, str) else demo.values[name] == value


def test_spectral_radius_demo_controls(artifacts):
    demo = spectral_radius_demo()
    _drive(demo, {"rho": 1.2, "activation": "tanh", "input_scale": 2.5})
    norm_line = demo.animated[0]
    assert norm_line.get_ydata()[-1] < 1e-6  # tanh saturated by strong inputs: vanishing although rho > 1
    demo.set(activation="linear", rho=1.2)
    assert norm_line.get_ydata()[-1] > 1e3  # the linear network explodes
    for label, values in SPECTRAL_PRESETS.items():
        demo.set(**values)
        assert demo.error is None, label
    (artifacts / "lesson03_spectral_demo.png").write_bytes(demo.png())
    assert "image/png" in demo._repr_mimebundle_()
