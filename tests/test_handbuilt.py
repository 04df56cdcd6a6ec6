"""rnn_course.handbuilt: the hand-built parity RNN."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course.handbuilt import HandBuiltRNN, parity_rnn
from rnn_course.tasks.parity import parity_accuracy, parity_batch


def test_handbuilt_parity_rnn_is_perfect_for_thousands_of_steps():
    x, y = parity_batch(50, 2000, rng=0)
    model = parity_rnn(gain=10.0)
    assert parity_accuracy(model.predict(x), y) == 1.0
    h, probs = model.run(x)
    assert h.shape == (50, 2000, 2) and probs.shape == (50, 2000, 2)
    np.testing.assert_allclose(probs.sum(axis=-1), 1.0)
    # the units are switches: saturated near +-1
    assert np.min(np.abs(h)) > 0.99


def test_handbuilt_parity_rnn_forgets_when_the_gain_is_low():
    x, y = parity_batch(50, 500, rng=1)
    assert abs(parity_accuracy(parity_rnn(gain=1.0).predict(x), y) - 0.5) < 0.05
    # between the two, the memory leaks: right at first, at chance later
    leaky = parity_rnn(gain=2.0).predict(x)
    assert parity_accuracy(leaky[:, :5], y[:, :5]) > 0.9
    assert abs(parity_accuracy(leaky[:, 300:], y[:, 300:]) - 0.5) < 0.05


def test_handbuilt_weights_follow_the_course_layout():
    model = parity_rnn(gain=4.0, output_gain=3.0)
    assert isinstance(model, HandBuiltRNN)
    assert model.Wx.shape == (1, 2) and model.Wh.shape == (2, 2) and model.b.shape == (2,)
    assert model.Wy.shape == (2, 2) and model.by.shape == (2,)
    np.testing.assert_allclose(model.Wh, 4.0 * np.array([[0.5, 0.5], [-0.5, -0.5]]))
    assert set(model.params) == {"Wx", "Wh", "b"}
    assert "H=2" in repr(model) and "gain 4" in repr(model)
    with pytest.raises(ValueError, match="gain: expected a positive number"):
        parity_rnn(gain=0.0)
    with pytest.raises(ValueError, match="output_gain: expected a number"):
        parity_rnn(output_gain=np.ones(2))
