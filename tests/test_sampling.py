"""Greedy, temperature and top-k sampling: the distributions they produce and seeded reproducibility."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course.activations import softmax
from rnn_course.sampling import entropy, greedy, sample_next, temperature_probs, top_k_logits

LOGITS = np.array([2.0, 1.0, 0.0, -1.0, 0.5])


def test_temperature_one_is_softmax_and_limits_are_argmax_and_uniform():
    np.testing.assert_allclose(temperature_probs(LOGITS, 1.0), softmax(LOGITS))
    np.testing.assert_array_equal(temperature_probs(LOGITS, 0.0), [1, 0, 0, 0, 0])
    np.testing.assert_allclose(temperature_probs(LOGITS, 1e6), np.full(5, 0.2), atol=1e-5)
    # dividing the logits by T is the same as raising the probabilities to the power 1/T and renormalising
    p = softmax(LOGITS) ** 2
    np.testing.assert_allclose(temperature_probs(LOGITS, 0.5), p / p.sum())


def test_entropy_grows_with_temperature():
    values = [entropy(temperature_probs(LOGITS, t)) for t in (0.0, 0.3, 0.7, 1.0, 2.0, 10.0)]
    assert values[0] == 0.0
    assert all(a < b for a, b in zip(values, values[1:]))
    assert values[-1] < np.log(5)


def test_extreme_logits_do_not_overflow():
    big = np.array([1000.0, -1000.0, 999.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        probs = temperature_probs(big, 0.01)
    assert np.isfinite(probs).all() and probs.sum() == pytest.approx(1.0)


def test_top_k_keeps_the_k_best_and_renormalises():
    probs = temperature_probs(LOGITS, 1.0, top_k=2)
    assert np.count_nonzero(probs) == 2 and probs[0] > probs[1] > 0
    assert probs.sum() == pytest.approx(1.0)
    assert np.isneginf(top_k_logits(LOGITS, 3)).sum() == 2
    np.testing.assert_array_equal(top_k_logits(LOGITS, None), LOGITS)
    rng = np.random.default_rng(0)
    draws = [sample_next(LOGITS, temperature=5.0, top_k=2, rng=rng) for _ in range(300)]
    assert set(draws) == {0, 1}  # never a token outside the top 2, even when T flattens the rest


def test_samples_follow_the_distribution():
    rng = np.random.default_rng(1)
    draws = sample_next(np.tile(LOGITS, (20000, 1)), temperature=1.0, rng=rng)
    freq = np.bincount(draws, minlength=5) / draws.size
    np.testing.assert_allclose(freq, softmax(LOGITS), atol=0.015)


def test_seeded_sampling_is_reproducible_and_greedy_is_deterministic():
    a = [sample_next(LOGITS, temperature=1.3, rng=s) for s in range(20)]
    b = [sample_next(LOGITS, temperature=1.3, rng=s) for s in range(20)]
    assert a == b and len(set(a)) > 1
    assert sample_next(LOGITS, temperature=0.0) == greedy(LOGITS) == 0
    np.testing.assert_array_equal(greedy(np.stack([LOGITS, -LOGITS])), [0, 3])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(temperature=-1.0), "temperature: expected a finite number >= 0"),
        (dict(temperature="hot"), "temperature: expected a number"),
        (dict(top_k=-2), "top_k: expected None, 0"),
    ],
)
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sample_next(LOGITS, rng=0, **kwargs)


def test_bad_logits_are_named():
    with pytest.raises(ValueError, match="logits: expected shape"):
        temperature_probs(np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match="logits: expected finite values"):
        temperature_probs(np.array([0.0, np.nan]))
    with pytest.raises(ValueError, match="probs: expected non-negative"):
        entropy(np.array([0.5, -0.5]))
