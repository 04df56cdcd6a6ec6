"""rnn_course.models.classifier: the many-to-one SequenceClassifier (gradients, dropout, training)."""

from __future__ import annotations

import numpy as np
import pytest
from model_helpers import gradcheck_model, padded_batch, perturbed

from rnn_course.models import SequenceClassifier, SequenceTagger
from rnn_course.optim import Adam
from rnn_course.train import fit


@pytest.mark.parametrize("cell", ["rnn", "rnn_relu", "lstm", "gru"])
@pytest.mark.parametrize("readout", ["last", "mean", "max"])
def test_classifier_gradients(cell, readout, rng):
    model = perturbed(SequenceClassifier(7, 3, H=3, E=4, cell=cell, readout=readout, bidirectional=True, seed=1))
    report = gradcheck_model(model, padded_batch(rng))
    assert report.ok, str(report)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_stacked_classifier_with_dropout_gradients(bidirectional, rng):
    """Dropout masks come from the seed passed as rng, so every evaluation of the loss uses the same masks."""
    model = perturbed(SequenceClassifier(7, 2, H=3, E=4, cell="lstm", layers=2, bidirectional=bidirectional,
                                         dropout=0.3, seed=2))
    report = gradcheck_model(model, padded_batch(rng, K=2), rng=5)
    assert report.ok, str(report)


def test_classifier_learns_which_token_came_first():
    """Order matters: the label is whether token 1 appears before token 2 (same bag of tokens either way)."""
    def data(rng, N=32, T=6):
        x = rng.integers(3, 6, size=(N, T))
        pos = np.array([rng.choice(T, 2, replace=False) for _ in range(N)])
        x[np.arange(N), pos[:, 0]] = 1
        x[np.arange(N), pos[:, 1]] = 2
        return x, (pos[:, 0] < pos[:, 1]).astype(int)

    model = SequenceClassifier(6, 2, H=12, E=6, cell="gru", seed=0)
    history = fit(model, data, steps=200, optimizer=Adam(2e-2), clip=5.0, progress=False, seed=1)
    x, y = data(np.random.default_rng(99), N=300)
    assert model.accuracy(x, y) > 0.9
    assert np.mean(history.loss[-20:]) < 0.5 * np.mean(history.loss[:20])


# the tagger's arguments too: both check them through the shared encoder's options
def test_argument_errors():
    with pytest.raises(ValueError, match="readout: expected one of 'last', 'mean', 'max'"):
        SequenceClassifier(5, 2, readout="first")
    with pytest.raises(ValueError, match="recurrent_dropout_mode: expected one of"):
        SequenceTagger(5, 2, recurrent_dropout=0.1, recurrent_dropout_mode="semeniuta")
    with pytest.raises(ValueError, match="dropout: expected a drop probability"):
        SequenceTagger(5, 2, dropout=1.0)
    with pytest.raises(ValueError, match="recurrent_dropout_mode: 'variational' recurrent dropout is for"):
        SequenceTagger(5, 2, cell="gru", recurrent_dropout=0.1, recurrent_dropout_mode="variational")
    SequenceTagger(5, 2, cell="gru", dropout=0.1, recurrent_dropout_mode="variational")  # per-sequence masks: fine
    with pytest.raises(ValueError, match="layers: expected an integer >= 1"):
        SequenceClassifier(5, 2, layers=0)
    model = SequenceClassifier(5, 2)
    with pytest.raises(ValueError, match=r"lengths: expected values in \[1, T\] = \[1, 3\]"):
        model.forward(np.zeros((2, 3), dtype=int), np.array([3, 4]))
    with pytest.raises(ValueError, match=r"x: expected indices in \[0, 5\)"):
        model.forward(np.full((1, 3), 5))
    with pytest.raises(ValueError, match=r"batch: expected \(x, y\) or \(x, y, lengths\)"):
        model.loss(np.zeros((2, 3)))
