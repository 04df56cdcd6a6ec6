"""rnn_course.demos.sampling: the temperature demo of lesson 05 (every control driven)."""

from __future__ import annotations

import re

import pytest
from matplotlib.text import Text

from rnn_course.demos import temperature_demo
from rnn_course.models import CharLanguageModel
from rnn_course.optim import Adam
from rnn_course.text import CharVocab, TextBatches, load_corpus, split_ids
from rnn_course.train import fit


@pytest.fixture(scope="module")
def tiny_lm():
    """An LSTM trained for a few steps on the start of the corpus (and its history and data)."""
    text = load_corpus(max_chars=20_000)
    vocab = CharVocab.from_text(load_corpus())
    train, val = split_ids(vocab.encode(text), 0.2)
    model = CharLanguageModel(vocab, H=24, cell="lstm", seed=0)
    history = fit(model, TextBatches(train, 16, 16), steps=40, optimizer=Adam(2e-2), clip=5.0, progress=False,
                  eval_every=20, evaluate=lambda m: {"val_loss": m.cross_entropy(val, batch_size=8, seq_len=50)})
    return model, history, vocab


def test_temperature_demo_with_a_trained_model_drives_every_control(tiny_lm, artifacts):
    model, _, _ = tiny_lm
    demo = temperature_demo(model=model, prime="MACBETH.\n", length=120)
    assert demo.error is None
    first = demo.png()
    bars = [a for a in demo.animated if hasattr(a, "get_height")]
    start = [b.get_height() for b in bars]
    demo.set(temperature=0.2)
    assert demo.error is None and demo.png() != first
    assert bars[0].get_height() > start[0]  # sharper: the top character gains
    demo.set(top_k=3)
    assert demo.error is None
    assert sum(b.get_height() > 0 for b in bars) == 3
    before = demo.png()
    demo.set(seed=7, temperature=1.5, top_k=0)
    assert demo.error is None and demo.png() != before
    with open(artifacts / "lesson05_temperature_demo.png", "wb") as f:
        f.write(demo.png())
    demo.set(temperature=0.0)  # greedy
    assert demo.error is None and bars[0].get_height() == 1.0
    for label, values in demo.presets.items():
        demo.set(**values)
        assert demo.error is None, label
    assert len(demo.latencies) >= 5


def test_temperature_demo_writes_the_temperature_as_the_lessons_tau():
    """Figure text typesets $\\tau$ (mathtext, like the lesson and the slides); widget text writes τ; never T."""
    demo = temperature_demo(temperature=0.5)
    texts = {t.get_text() for t in demo.figure.findobj(Text) if t.get_text()}
    about_tau = sorted(t for t in texts if "tau" in t or "τ" in t)
    assert r"$\tau = 0.50$: entropy" in demo.animated[-2].get_text()  # the readout under the slider's value
    assert any(r"ranked at $\tau = 1$" in t for t in texts) and len(about_tau) >= 4, about_tau
    assert not [t for t in texts if "τ" in t or re.search(r"\bT\s*=", t)]
    widget_text = [demo.controls["temperature"].description, demo.description, *demo.presets]
    assert "τ" in widget_text[0] and all("$" not in t for t in widget_text)
    demo.set(temperature=1.25)  # the readout is drawn (mathtext parsed) on every update
    assert demo.error is None and r"$\tau = 1.25$" in demo.animated[-2].get_text()


def test_temperature_demo_without_a_model_uses_a_count_model():
    demo = temperature_demo(temperature=0.5)
    assert demo.error is None and "5-gram" in demo.figure.axes[1].get_title(loc="left")
    body = demo.animated[-1].get_text()
    assert body.startswith("MACBETH.\n") and len(body) > 100
    with pytest.raises(ValueError, match="length: expected an integer"):
        temperature_demo(length=0)
    with pytest.raises(ValueError, match="model: expected a model built with its characters"):
        temperature_demo(model=CharLanguageModel(8, H=4))
