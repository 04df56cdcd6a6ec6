"""rnn_course.models.encoder: the recurrent encoder shared by the classifier and the tagger (padding, dropout)."""

from __future__ import annotations

import numpy as np
from model_helpers import perturbed

from rnn_course.models import SequenceClassifier, SequenceTagger
from rnn_course.models.encoder import encoder_forward, init_encoder, reverse_padded


# through a tagger and a classifier: the padding is handled by the encoder they share
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
