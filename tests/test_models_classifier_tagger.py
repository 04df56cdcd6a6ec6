"""The many-to-one classifier, the tagger and their shared encoder: gradients, padding, dropout, training, save/load."""

from __future__ import annotations

import numpy as np
import pytest
from model_helpers import gradcheck_model

from rnn_course.models import Model, SequenceClassifier, SequenceTagger
from rnn_course.models.encoder import encoder_forward, init_encoder, reverse_padded
from rnn_course.optim import Adam
from rnn_course.train import fit


def perturbed(model, seed=0, scale=0.3):
    rng = np.random.default_rng(seed)
    for name, p in model.params.items():
        model.params[name] = p + scale * rng.standard_normal(p.shape)
    return model


def padded_batch(rng, N=3, T=5, V=7, K=3, per_token=False):
    x = rng.integers(0, V, size=(N, T))
    lengths = np.array([T, 2, 4][:N])
    y = rng.integers(0, K, size=(N, T) if per_token else N)
    return x, y, lengths


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


def test_padding_changes_nothing_for_the_real_tokens(rng):
    """A padded sequence gets the same predictions as the same sequence alone, in both directions."""
    for model in (perturbed(SequenceTagger(7, 3, H=4, cell="lstm", bidirectional=True, layers=2, seed=5)),
                  perturbed(SequenceClassifier(7, 3, H=4, cell="gru", bidirectional=True, readout="mean", seed=5))):
        short = rng.integers(1, 7, size=(1, 3))
        padded = np.concatenate([short, [[0, 0, 0]]], axis=1)
        alone, _ = model.forward(short)
        inside, _ = model.forward(padded, np.array([3]))
        if alone.ndim == 3:
            inside = inside[:, :3]
        np.testing.assert_allclose(inside, alone, atol=1e-12)


def test_reverse_padded_is_an_involution():
    x = np.arange(2 * 5).reshape(2, 5, 1)
    lengths = np.array([5, 3])
    out = reverse_padded(x, lengths)
    np.testing.assert_array_equal(out[1, :, 0], [7, 6, 5, 8, 9])  # reversed within length 3, padding kept
    np.testing.assert_array_equal(reverse_padded(out, lengths), x)


def test_dropout_only_in_training_and_a_fresh_recurrent_mask_each_step():
    params = init_encoder(3, 4, cell="gru", rng=0)
    x = np.random.default_rng(0).standard_normal((2, 6, 3))
    base, _ = encoder_forward(params, x, cell="gru")
    same, _ = encoder_forward(params, x, cell="gru", dropout=0.5, recurrent_dropout=0.5, train=False, rng=1)
    np.testing.assert_array_equal(base, same)
    _, naive = encoder_forward(params, x, cell="gru", recurrent_dropout=0.5, train=True, rng=1)
    naive_masks = naive.directions[0]["fwd"][1].masks
    assert naive_masks.shape == (2, 6, 4)  # (N, T, H), batch-first like the states
    assert not np.array_equal(naive_masks[:, 0], naive_masks[:, 1])  # a fresh mask every step
    assert set(np.unique(naive_masks)) == {0.0, 2.0}  # inverted dropout: kept units scaled by 1/(1-p)


def test_variational_dropout_uses_one_mask_per_sequence_everywhere():
    params = init_encoder(3, 4, cell="lstm", layers=2, rng=0)
    x = np.random.default_rng(0).standard_normal((5, 6, 3))
    _, cache = encoder_forward(params, x, cell="lstm", layers=2, dropout=0.5, recurrent_dropout=0.5,
                               recurrent_dropout_mode="variational", train=True, rng=1)
    masks = [cache.directions[layer]["fwd"][1].masks for layer in range(2)]
    masks += [drop.mask for drop in cache.input_drops] + [cache.output_drop.mask]
    for mask in masks:
        assert (mask == mask[:, :1]).all()  # the same at every step
        assert set(np.unique(mask)) == {0.0, 2.0}
        assert not (mask == mask[:1]).all()  # but not the same for every sequence


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
