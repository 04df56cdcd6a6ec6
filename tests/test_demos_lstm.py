"""rnn_course.demos.lstm: the carousel demo of lesson 04 (every control driven)."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course.carousel import (
    run_carousel,
)
from rnn_course.demos import carousel_demo
from rnn_course.demos.lstm import CAROUSEL_PRESETS


def test_carousel_demo_drives_every_control(artifacts):
    demo = carousel_demo()
    assert demo.error is None
    c_line = next(a for a in demo.animated if a.get_gid() == "c")
    moves = {"value": -2.5, "t_write": 20, "t_read": 40, "forget": 0.9}
    for name, value in moves.items():
        before = demo.png()
        demo.set(**{name: value})
        assert demo.error is None, f"{name}={value!r}: {demo.error}"
        assert demo.png() != before, f"moving {name} to {value!r} did not change the figure"
    want = run_carousel(60, -2.5, 20, 40, 0.9)
    np.testing.assert_allclose(c_line.get_ydata(), want.c)
    grad = next(a for a in demo.animated if a.get_gid() == "grad-lstm")
    np.testing.assert_allclose(grad.get_ydata(), np.maximum(want.carousel_gradient, 1e-30))
    caption = next(a for a in demo.animated if a.get_gid() == "caption")
    assert f"v = {want.recalled:.4f}" in caption.get_text()
    for label, values in CAROUSEL_PRESETS.items():
        demo.set(**values)
        assert demo.error is None, label
    demo.set(**CAROUSEL_PRESETS["read before write"])
    assert "nothing stored yet" in caption.get_text()
    demo.set(**CAROUSEL_PRESETS["perfect memory (f = 1)"])
    (artifacts / "lesson04_carousel_demo.png").write_bytes(demo.png())
    assert "image/png" in demo._repr_mimebundle_()


def test_carousel_demo_presenter_mode_and_arguments():
    demo = carousel_demo(presenter=True, forget=0.95, t_write=5)
    assert demo.error is None and demo.presenter and demo.figure.get_figwidth() > 12
    assert demo.values["forget"] == pytest.approx(0.95) and demo.values["t_write"] == 5
    with pytest.raises(ValueError, match="^T:"):
        carousel_demo(T=3)
    with pytest.raises(ValueError, match="^t_read:"):
        carousel_demo(t_read=70)
    with pytest.raises(ValueError, match="^forget:"):
        carousel_demo(forget=1.2)
