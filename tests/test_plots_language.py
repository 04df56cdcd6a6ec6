"""rnn_course.plots.language: the language-model curves and the temperature figure."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course.models import CharLanguageModel
from rnn_course.optim import Adam
from rnn_course.plots import plot_lm_curves, plot_temperature
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
