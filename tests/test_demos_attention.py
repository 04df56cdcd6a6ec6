"""rnn_course.demos.attention: the attention demo of lesson 08.

The lecture contract (signature, presets in range, presenter mode, nothing cut off, no accumulating artists)
is checked for every demo by test_lecture_demos.py; here: the heat map holds the model's weights, the bars
the outlined row, and the presets show what their labels say.
"""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.collections import QuadMesh

from rnn_course.demos import attention_demo
from rnn_course.demos.attention import STEPS, _default_model, attention_menu, train_dates_attention
from rnn_course.models import AttentionSeq2Seq, Seq2Seq
from rnn_course.tasks.dates import FORMATS, SOURCE_VOCAB, dates_data
from rnn_course.text import pad_sequences


def _mesh(demo) -> QuadMesh:
    (mesh,) = [a for a in demo.animated if isinstance(a, QuadMesh)]  # the colour bar's mesh is not animated
    return mesh


def test_the_menu_has_every_format():
    menu = attention_menu()
    sources, _, formats = dates_data(200, rng=8)
    shown = {int(f) for s, f in zip(sources, formats) if s in menu}
    assert shown == set(range(len(FORMATS))) and len(menu) == len(set(menu)) == 3 * len(FORMATS)


def test_heat_map_and_bars_are_the_models_weights():
    model = _default_model()
    demo = attention_demo(model, date=attention_menu()[3], step=4)
    src, lengths = pad_sequences([SOURCE_VOCAB.encode(attention_menu()[3])])
    _, (weights,) = model.greedy_decode(src, lengths, max_len=STEPS, return_weights=True)
    shown = np.ma.filled(_mesh(demo).get_array(), np.nan).reshape(STEPS, -1)
    S = weights.shape[1]
    np.testing.assert_allclose(shown[: len(weights), :S], weights)
    assert np.isnan(shown[:, S:]).all()  # padding columns of the menu's longest date stay blank
    bars = next(a for a in demo.animated if a.__class__.__name__ == "StepPatch")
    np.testing.assert_allclose(bars.get_data().values[:S], weights[3])
    outline = next(a for a in demo.animated if a.__class__.__name__ == "Rectangle")
    assert outline.get_y() == pytest.approx(2.5) and outline.get_width() == S


def test_presets_show_the_year_month_and_day_of_a_crossed_date():
    """On "month d, yyyy" the year is written first but read last: the first output step looks at the end."""
    model = _default_model()
    demo = attention_demo(model)
    presets = demo.presets
    date = presets["year, first digit"]["date"]
    assert date.split(" ")[0].isalpha() and "," in date
    src, lengths = pad_sequences([SOURCE_VOCAB.encode(date)])
    _, (weights,) = model.greedy_decode(src, lengths, max_len=STEPS, return_weights=True)
    year = range(len(date) - 4, len(date))
    assert weights[0, year].sum() > 0.5  # the first output character reads the year, at the end of the source
    assert presets["with a weekday"]["date"].split(",")[0] in (
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def test_the_demo_refuses_other_models_and_dates():
    with pytest.raises(ValueError, match="model: expected an AttentionSeq2Seq"):
        attention_demo(Seq2Seq(5, 5))
    with pytest.raises(ValueError, match=r"model: expected a model of tasks.dates"):
        attention_demo(AttentionSeq2Seq(12, 7, H=4, E=2))
    with pytest.raises(ValueError, match="date: expected one of the menu's dates"):
        attention_demo(_default_model(), date="1 january 2000 (not in the menu)")
    with pytest.raises(ValueError, match=r"step: expected an output step in \[1, 11\]"):
        attention_demo(_default_model(), step=12)
    with pytest.raises(ValueError, match="steps: expected an integer >= 1"):
        train_dates_attention(steps=0)
