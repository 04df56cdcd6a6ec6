"""Figures and lecture demos of lessons 05-07: each figure is saved to artifacts/ and each demo control is driven."""

from __future__ import annotations

import re

import numpy as np
import pytest
from matplotlib.text import Text

from rnn_course.demos import temperature_demo
from rnn_course.models import CharLanguageModel
from rnn_course.optim import Adam
from rnn_course.plots import plot_lm_curves, plot_temperature
from rnn_course.text import CharNGramModel, CharVocab, TextBatches, known_word_fraction, load_corpus, split_ids
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


def test_lm_curves_in_nats_and_perplexity(tiny_lm, artifacts):
    model, history, vocab = tiny_lm
    baselines = {"uniform": np.log(vocab.size), "unigram": 3.2, "bigram": 2.5}
    fig = plot_lm_curves({"LSTM": history}, baselines)
    fig.savefig(artifacts / "lesson05_lm_curves.png", dpi=80)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "cross-entropy (nats per character)" and ax.get_xlabel().startswith("training step")
    val_line = next(line for line in ax.get_lines() if line.get_label() == "LSTM (validation)")
    np.testing.assert_allclose(val_line.get_ydata(), history.metrics["val_loss"])
    labels = [t.get_text() for t in ax.texts]
    assert any("bigram 2.5" in t for t in labels)
    fig = plot_lm_curves({"LSTM": history}, baselines, unit="perplexity")
    fig.savefig(artifacts / "lesson05_lm_perplexity.png", dpi=80)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    val_line = next(line for line in ax.get_lines() if line.get_label() == "LSTM (validation)")
    np.testing.assert_allclose(val_line.get_ydata(), np.exp(history.metrics["val_loss"]))
    with pytest.raises(ValueError, match="unit: expected one of"):
        plot_lm_curves({"LSTM": history}, unit="dB")
    with pytest.raises(ValueError, match="runs: expected a non-empty dict"):
        plot_lm_curves({})


def test_temperature_figure_shows_sharper_and_flatter_distributions(artifacts):
    logits = np.array([3.0, 2.0, 1.0, 0.5, 0.0, -1.0])
    fig = plot_temperature(logits, "abcdef", temperatures=(0.5, 1.0, 2.0), context="xyz")
    fig.savefig(artifacts / "lesson05_temperature.png", dpi=80)
    ax = fig.axes[0]
    heights = np.array([p.get_height() for p in ax.patches]).reshape(3, 6)
    assert heights[0, 0] > heights[1, 0] > heights[2, 0]  # the top character loses mass as tau grows
    assert heights[0, -1] < heights[1, -1] < heights[2, -1]  # the tail gains
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0].startswith(r"$\tau = 0.5$") and "entropy" in legend[0]  # typeset, as in the lesson
    assert r"$\tau = 1$" in ax.get_xlabel()
    with pytest.raises(ValueError, match=r"logits: expected shape \(V,\) = \(5,\)"):
        plot_temperature(logits, "abcde")


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


def test_ngram_model_is_normalised_and_beats_the_bigram_on_the_corpus():
    text = load_corpus()
    vocab = CharVocab.from_text(text)
    train, val = split_ids(vocab.encode(text))
    model = CharNGramModel(train, vocab.size, order=4, chars=vocab.chars)
    for context in (np.array([], dtype=np.int64), vocab.encode("the "), vocab.encode("Qzx")):
        assert model.next_probs(context).sum() == pytest.approx(1.0)
    bigram = CharNGramModel(train, vocab.size, order=2)
    assert model.cross_entropy(val[:3000]) < bigram.cross_entropy(val[:3000]) - 0.3
    assert model.sample(50, prime="the ", rng=1) == model.sample(50, prime="the ", rng=1)


def test_known_word_fraction():
    reference = "to be or not to be that is the question"
    assert known_word_fraction("the question is not that", reference) == 1.0
    assert known_word_fraction("xqz the vvv", reference) == pytest.approx(1 / 3)
    assert known_word_fraction("", reference) == 0.0


def test_accuracy_by_group_and_metric_curves(artifacts):
    from rnn_course.plots import plot_accuracy_by_group, plot_metric_curves
    from rnn_course.train import History

    fig = plot_accuracy_by_group({"bag of words": {"plain": 0.65, "negated": 0.44},
                                  "GRU": {"plain": 1.0, "negated": 0.99}}, chance=0.5)
    fig.savefig(artifacts / "lesson06_accuracy_by_kind.png", dpi=80)
    ax = fig.axes[0]
    assert [round(p.get_height()) for p in ax.patches] == [65, 44, 100, 99]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["plain", "negated"]
    with pytest.raises(ValueError, match=r"results\['GRU'\]: no accuracy for groups \['negated'\]"):
        plot_accuracy_by_group({"a": {"plain": 1, "negated": 1}, "GRU": {"plain": 1}})
    history = History(steps=[1, 2], loss=[1.0, 0.5], eval_steps=[1, 2], metrics={"accuracy": [0.5, 0.9]})
    fig = plot_metric_curves({"last": history}, "accuracy")
    np.testing.assert_allclose(fig.axes[0].get_lines()[0].get_ydata(), [50, 90])
    with pytest.raises(ValueError, match="metric: run 'last' recorded"):
        plot_metric_curves({"last": history}, "f1")


def test_position_accuracy_and_tagged_sentence(artifacts):
    from rnn_course.plots import plot_position_accuracy, plot_tagged_sentence

    fig = plot_position_accuracy({"a": np.linspace(1, 0.3, 20), "b": (np.arange(3, 9), np.full(6, 0.9))},
                                 chance=0.25)
    fig.savefig(artifacts / "lesson06_position_accuracy.png", dpi=80)
    lines = fig.axes[0].get_lines()
    assert lines[0].get_ydata()[0] == 100 and lines[1].get_xdata()[0] == 3
    fig = plot_tagged_sentence(["kent", "smiled", "today"], [1, 0, 0], {"uni": [2, 0, 0]}, ("O", "PER", "LOC"))
    fig.savefig(artifacts / "lesson06_tagged_sentence.png", dpi=80)
    wrong = [p for p in fig.axes[0].patches if p.get_linewidth() > 2]
    assert len(wrong) == 1  # only the wrong tag is outlined


def test_encoder_decoder_diagram(artifacts):
    from rnn_course.plots import plot_encoder_decoder

    fig = plot_encoder_decoder(list("3 may 1999"), list("1999-05-03"))
    fig.savefig(artifacts / "lesson07_encoder_decoder.png", dpi=80)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "s" in texts and "</s>" in texts and "<s>" in texts and "fixed-size state" in texts
    fig = plot_encoder_decoder(list("abcdefghijklmnopqrstuvwxyz"), list("zyx"), max_tokens=8)
    assert "…" in [t.get_text() for t in fig.axes[0].texts]  # long inputs are cut
    with pytest.raises(ValueError, match="source, target: expected non-empty"):
        plot_encoder_decoder([], ["a"])


def test_sequence_accuracy_gap(artifacts):
    from rnn_course.plots import plot_sequence_accuracy_gap
    from rnn_course.train import History

    history = History(eval_steps=[100, 200], metrics={"tok": [0.8, 0.99], "exact": [0.05, 0.9]})
    fig = plot_sequence_accuracy_gap(history, token="tok", sequence="exact", length=11)
    fig.savefig(artifacts / "lesson07_accuracy_gap.png", dpi=80)
    reference = fig.axes[0].get_lines()[2].get_ydata()
    np.testing.assert_allclose(reference, 100 * np.array([0.8, 0.99]) ** 11)
    with pytest.raises(ValueError, match="history: no metric 'bleu'"):
        plot_sequence_accuracy_gap(history, token="bleu", sequence="exact", length=11)
