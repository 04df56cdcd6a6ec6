"""rnn_course.demos.cliff: the gradient-cliff demo of lesson 03 (every control driven)."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course.demos import cliff_demo, spectral_radius_demo
from rnn_course.demos.cliff import CLIFF_PRESETS
from rnn_course.surfaces import descent_path


def _drive(demo, moves):
    """Move every control once; each move must change the picture and raise nothing."""
    assert demo.error is None
    for name, value in moves.items():
        before = demo.png()
        demo.set(**{name: value})
        assert demo.error is None, f"{name}={value!r}: {demo.error}"
        assert demo.png() != before, f"moving {name} to {value!r} did not change the figure"
        assert demo.values[name] == pytest.approx(value) if not isinstance(value, str) else demo.values[name] == value


def test_cliff_demo_controls(artifacts):
    demo = cliff_demo()
    _drive(demo, {"lr": 1.0, "threshold": 0.1, "w0": 3.0, "b0": -1.0})
    line = next(a for a in demo.animated if a.get_gid() == "path-norm")
    want = descent_path(3.0, -1.0, lr=demo.values["lr"], steps=100, clip="norm", threshold=demo.values["threshold"])
    np.testing.assert_allclose(line.get_xdata(), want.w)
    for label, values in CLIFF_PRESETS.items():
        demo.set(**values)
        assert demo.error is None, label
    demo.set(**CLIFF_PRESETS["thrown off the cliff"])
    (artifacts / "lesson03_cliff_demo.png").write_bytes(demo.png())
    bundle = demo._repr_mimebundle_()
    assert "image/png" in bundle  # the static fallback for front ends without widgets


# also covers demos.gradients (spectral_radius_demo), both demos of lesson 03
def test_demos_in_presenter_mode():
    for factory in (cliff_demo, spectral_radius_demo):
        demo = factory(presenter=True)
        assert demo.error is None and demo.presenter
        assert demo.figure.get_figwidth() > 11


# also covers demos.gradients (spectral_radius_demo), both demos of lesson 03
@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: cliff_demo(steps=0), "steps"),
        (lambda: cliff_demo(lr=-1.0), "lr"),
        (lambda: spectral_radius_demo(activation="sigmoid"), "activation"),
        (lambda: spectral_radius_demo(kind="unitary"), "kind"),
        (lambda: spectral_radius_demo(T=1), "T"),
    ],
)
def test_demo_arguments_are_checked(call, name):
    with pytest.raises(ValueError, match=f"^{name}:"):
        call()
