"""rnn_course.models.tagger: the SequenceTagger (gradients with every kind of dropout, save/load)."""

from __future__ import annotations

import numpy as np
import pytest
from model_helpers import gradcheck_model, padded_batch, perturbed

from rnn_course.models import Model, SequenceClassifier, SequenceTagger


@pytest.mark.parametrize("cell", ["rnn", "rnn_relu", "lstm", "gru"])
def test_tagger_with_recurrent_dropout_gradients(cell, rng):
    model = perturbed(SequenceTagger(6, 3, H=3, E=3, cell=cell, dropout=0.2, recurrent_dropout=0.3, seed=3))
    report = gradcheck_model(model, padded_batch(rng, V=6, per_token=True), rng=11)
    assert report.ok, str(report)


@pytest.mark.parametrize("cell, mode", [("gru", "naive"), ("lstm", "variational")])
def test_deep_bidirectional_tagger_with_every_dropout_gradients(cell, mode, rng):
    model = perturbed(SequenceTagger(6, 3, H=3, E=3, cell=cell, bidirectional=True, layers=2, dropout=0.2,
                                     recurrent_dropout=0.3, recurrent_dropout_mode=mode, seed=3))
    report = gradcheck_model(model, padded_batch(rng, V=6, per_token=True), rng=11)
    assert report.ok, str(report)


@pytest.mark.parametrize("cell", ["rnn", "rnn_relu", "lstm"])
def test_tagger_with_variational_dropout_gradients(cell, rng):
    """One mask per sequence (Gal & Ghahramani 2016): the gradient flows back through the same mask at every step."""
    model = perturbed(SequenceTagger(6, 3, H=3, E=3, cell=cell, dropout=0.2, recurrent_dropout=0.3,
                                     recurrent_dropout_mode="variational", seed=3))
    report = gradcheck_model(model, padded_batch(rng, V=6, per_token=True), rng=11)
    assert report.ok, str(report)


def test_tagger_gradients_without_dropout(rng):
    model = perturbed(SequenceTagger(7, 3, H=4, E=3, cell="gru", seed=4))
    assert gradcheck_model(model, padded_batch(rng, per_token=True)).ok


# the classifier too: both are saved and loaded through models.base
def test_save_load_round_trip(tmp_path, rng):
    model = perturbed(SequenceTagger(7, 3, H=4, cell="lstm", bidirectional=True, layers=2, dropout=0.1,
                                     recurrent_dropout=0.2, seed=6))
    again = Model.load(model.save(tmp_path / "tagger"))
    assert isinstance(again, SequenceTagger) and again.config == model.config
    x, _, lengths = padded_batch(rng)
    np.testing.assert_array_equal(again.predict(x, lengths), model.predict(x, lengths))
    clf = perturbed(SequenceClassifier(7, 2, H=3, readout="max", bidirectional=True, seed=7))
    again = Model.load(clf.save(tmp_path / "clf"))
    np.testing.assert_array_equal(again.predict(x, lengths), clf.predict(x, lengths))
