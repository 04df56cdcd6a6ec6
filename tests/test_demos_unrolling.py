"""rnn_course.demos.unrolling: the hidden-state and parity demos (lesson 01); each callback is driven from
code, and the figure must change.
"""

from __future__ import annotations

import base64

import numpy as np
import pytest

from rnn_course.demos import Demo, hidden_state_demo, parity_demo


def _static_fallback(demo: Demo) -> bytes:
    bundle = demo._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    return base64.b64decode(bundle["image/png"])


def test_hidden_state_demo_steps_and_scales(artifacts):
    demo = hidden_state_demo()
    assert isinstance(demo, Demo) and demo.error is None
    assert set(demo.controls) == {"t", "scale", "inputs"}
    image = demo.figure.axes[1].images[0]
    first = demo.png()
    assert _static_fallback(demo) == first
    (artifacts / "lesson01_hidden_state_demo.png").write_bytes(first)

    demo.set(t=10)
    assert demo.error is None and demo.png() != first
    assert image.get_array().mask[:, 10:].all() and not image.get_array().mask[:, :10].any()

    at_09 = image.get_array()[:, :10].copy()
    demo.set(scale=1.6)
    assert demo.error is None
    assert not np.allclose(image.get_array()[:, :10], at_09)
    norms = demo.figure.axes[2].lines[0].get_ydata()
    assert len(norms) == 10

    demo.set(inputs="noise", t=40)
    assert demo.error is None
    x_line = demo.figure.axes[0].lines[0]
    assert np.count_nonzero(x_line.get_ydata()) > 30  # noise, not a single pulse
    (artifacts / "lesson01_hidden_state_demo_noise.png").write_bytes(demo.png())
    assert len(demo.latencies) == 4


def test_hidden_state_demo_memory_fades_below_one_and_persists_above():
    demo = hidden_state_demo(inputs="pulse")
    demo.set(scale=0.5, t=40)
    fading = demo.figure.axes[2].lines[0].get_ydata()
    demo.set(scale=1.5)
    lasting = demo.figure.axes[2].lines[0].get_ydata()
    assert fading[-1] < 1e-5 < 0.5 < lasting[-1]


def test_hidden_state_demo_presets_and_presenter_mode():
    demo = hidden_state_demo(presenter=True)
    for label, values in demo.presets.items():
        before = demo.png()
        demo.set(**values)
        assert demo.error is None, label
        assert demo.values["scale"] == values["scale"]
        assert demo.png() != before or label == "noise, 0.9"
    assert demo.figure.get_size_inches()[0] >= 10
    with pytest.raises(ValueError, match="inputs: expected one of 'pulse', 'noise', 'sine'"):
        hidden_state_demo(inputs="step")
    with pytest.raises(ValueError, match="speed: not a control of this demo"):
        demo.set(speed=2)


def test_parity_demo_gain_breaks_the_memory(artifacts):
    demo = parity_demo()
    assert demo.error is None
    title = demo.figure.axes[0].title
    assert title.get_text().endswith("all sequences 100%")
    prob_line = demo.figure.axes[2].lines[1]
    sharp = prob_line.get_ydata().copy()
    before = demo.png()
    demo.set(gain=1.0)
    assert demo.error is None and demo.png() != before
    assert not np.allclose(prob_line.get_ydata(), sharp)
    accuracy = int(title.get_text().split("all sequences ")[1].rstrip("%"))
    assert accuracy < 70
    demo.set(**demo.presets["leaking (gain 2.0)"])
    assert demo.error is None
    assert len(demo.figure.axes[2].collections[0].get_offsets()) > 0  # wrong steps are marked
    (artifacts / "lesson01_parity_demo_leaking.png").write_bytes(demo.png())
    demo.set(t=5)
    assert len(prob_line.get_xdata()) == 5
