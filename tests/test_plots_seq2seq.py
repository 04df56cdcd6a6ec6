"""rnn_course.plots.seq2seq: the encoder-decoder diagram and the token/sequence accuracy gap."""

from __future__ import annotations

import numpy as np
import pytest


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
