"""rnn_course.demos.bptt: the BPTT demo (lesson 02); each control is driven from code, and the figure must change."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course.demos import bptt_demo


def test_bptt_demo_truncation_and_scale(artifacts):
    demo = bptt_demo(truncate=24)
    assert demo.error is None
    summary = demo.figure.axes[2].texts[-1]
    assert summary.get_text().splitlines()[:2] == ["none", "0.0e+00"]  # no truncation: the full gradient
    grey = demo.figure.axes[0].images[1]
    assert grey.get_array().mask.all()  # nothing dropped
    before = demo.png()

    demo.set(truncate=5, mode="window")
    assert demo.error is None and demo.png() != before
    assert not grey.get_array().mask.all()
    what, err, steps = summary.get_text().splitlines()
    assert what == "window 5" and float(err) > 0
    assert steps == "110 (full 24)"  # 24 + 23 + 22 + 21 + 20

    demo.set(mode="chunk")
    assert summary.get_text().splitlines()[2] == "24 (full 24)"

    heat = demo.figure.axes[0].images[0]
    old = heat.get_array().copy()
    demo.set(scale=0.4)
    assert demo.error is None
    assert not np.ma.allclose(heat.get_array(), old)
    reach = demo.figure.axes[1].lines[0].get_ydata()
    assert reach[0] < 1e-6 * reach[-1]  # with a small W_h the gradient from E_T vanishes
    (artifacts / "lesson02_bptt_demo.png").write_bytes(demo.png())
    for values in demo.presets.values():
        demo.set(**values)
        assert demo.error is None
    with pytest.raises(ValueError, match="mode: expected one of 'chunk', 'window'"):
        bptt_demo(mode="sliding")
