"""Greedy and beam search: greedy is beam search of width 1, a wide beam is exhaustive, scores are log-probabilities."""

from __future__ import annotations

import itertools
from typing import NamedTuple

import numpy as np
import pytest

from rnn_course.activations import log_softmax
from rnn_course.decoding import Hypothesis, beam_search, decode, decoder_for, greedy_search, select_states
from rnn_course.models import AttentionSeq2Seq, Seq2Seq
from rnn_course.tasks.dates import END, START
from rnn_course.tasks.reversal import REVERSAL_SOURCE_VOCAB, REVERSAL_TARGET_VOCAB

START_ID, END_ID = 0, 1


def toy_decoder(seed, V=4, H=5, sharpness=1.5):
    """A random tanh RNN decoder: step(tokens (B,), h (B, H)) -> (log_probs (B, V), h)."""
    rng = np.random.default_rng(seed)
    E = rng.standard_normal((V, H))
    Wh = rng.standard_normal((H, H)) / np.sqrt(H)
    W_out = sharpness * rng.standard_normal((H, V))

    def step(tokens, h):
        h = np.tanh(E[tokens] + h @ Wh)
        return log_softmax(h @ W_out, axis=1), h

    return step, rng.standard_normal((1, H))


def total_log_prob(step, h0, tokens):
    h, previous, total = h0, START_ID, 0.0
    for token in tokens:
        log_probs, h = step(np.array([previous]), h)
        total += log_probs[0, token]
        previous = token
    return total


def every_output(V, max_len):
    """Every finished output up to max_len tokens, and every unfinished one of exactly max_len."""
    for length in range(1, max_len + 1):
        for seq in itertools.product(range(V), repeat=length):
            if END_ID in seq[:-1]:
                continue
            if seq[-1] == END_ID or length == max_len:
                yield seq


@pytest.mark.parametrize("seed", range(8))
def test_beam_of_one_is_greedy_search(seed):
    step, h0 = toy_decoder(seed)
    greedy = greedy_search(step, h0, start_id=START_ID, end_id=END_ID, max_len=6)
    (beam,) = beam_search(step, h0, start_id=START_ID, end_id=END_ID, beam_size=1, max_len=6)
    np.testing.assert_array_equal(beam.tokens, greedy.tokens)
    assert beam.score == pytest.approx(greedy.score, abs=1e-12) and beam.finished == greedy.finished


@pytest.mark.parametrize("seed", range(8))
def test_a_beam_as_wide_as_every_output_finds_the_most_probable_one(seed):
    V, max_len = 4, 4
    step, h0 = toy_decoder(seed, V=V)
    outputs = list(every_output(V, max_len))
    scores = [total_log_prob(step, h0, seq) for seq in outputs]
    best = outputs[int(np.argmax(scores))]
    found = beam_search(step, h0, start_id=START_ID, end_id=END_ID, beam_size=len(outputs), max_len=max_len)
    assert tuple(found[0].tokens) == best
    assert found[0].score == pytest.approx(max(scores), abs=1e-10)
    assert len(found) == len(outputs)  # the whole space: every output, each once
    np.testing.assert_allclose(sorted(h.score for h in found), sorted(scores), atol=1e-10)


def test_beam_search_can_beat_greedy_and_every_score_is_a_total_log_probability():
    better = 0
    for seed in range(30):
        step, h0 = toy_decoder(seed)
        greedy = greedy_search(step, h0, start_id=START_ID, end_id=END_ID, max_len=6)
        beams = beam_search(step, h0, start_id=START_ID, end_id=END_ID, beam_size=4, max_len=6)
        assert [h.score for h in beams] == sorted((h.score for h in beams), reverse=True)
        for hyp in beams:
            assert hyp.score == pytest.approx(total_log_prob(step, h0, hyp.tokens), abs=1e-10)
            assert hyp.finished == (hyp.tokens[-1] == END_ID)
            assert hyp.finished or len(hyp.tokens) == 6
            assert END_ID not in hyp.tokens[:-1]
        better += beams[0].score > greedy.score + 1e-9
    assert better >= 3  # the toy decoders are chosen so that greedy's local choices sometimes lose


def test_scores_are_sums_of_logs_so_long_outputs_do_not_underflow():
    def step(tokens, state):  # "</s>" is never likely: every hypothesis runs to max_len
        logits = np.tile([0.0, -30.0, 0.5, 0.2, 0.1], (len(tokens), 1))
        logits[:, 2] += 0.01 * (tokens == 3)
        return log_softmax(logits, axis=1), state

    beams = beam_search(step, np.zeros((1, 1)), start_id=START_ID, end_id=END_ID, beam_size=3, max_len=400)
    assert np.isfinite(beams[0].score) and beams[0].score < -300  # a product of probabilities would be 0 here
    assert len(beams[0].tokens) == 400 and not beams[0].finished
    previous = np.concatenate([[START_ID], beams[0].tokens[:-1]])
    assert beams[0].score == pytest.approx(step(previous, None)[0][np.arange(400), beams[0].tokens].sum())


def test_counts_the_decoder_steps():
    step, h0 = toy_decoder(3)
    counts = {}
    beams = beam_search(step, h0, start_id=START_ID, end_id=END_ID, beam_size=3, max_len=5, counts=counts)
    assert 3 <= counts["steps"] <= 1 + 3 * 4
    assert 1 <= counts["calls"] <= 5 and counts["calls"] < counts["steps"]  # one call per step, all beams at once
    assert beams


def test_select_states_reorders_arrays_tuples_and_named_tuples():
    class State(NamedTuple):
        h: np.ndarray
        c: object

    a = np.arange(6).reshape(3, 2)
    assert np.array_equal(select_states(a, np.array([2, 2, 0])), a[[2, 2, 0]])
    out = select_states((a, None, (a, a)), np.array([1]))
    assert np.array_equal(out[0], a[[1]]) and out[1] is None and np.array_equal(out[2][1], a[[1]])
    named = select_states(State(a, None), np.array([0, 0]))
    assert isinstance(named, State) and named.c is None and named.h.shape == (2, 2)


@pytest.mark.parametrize("cls", [Seq2Seq, AttentionSeq2Seq])
def test_decoder_for_a_model_agrees_with_its_greedy_decoding(cls):
    model = cls(REVERSAL_SOURCE_VOCAB.size, REVERSAL_TARGET_VOCAB.size, H=6, E=4, cell="gru",
                start_id=REVERSAL_TARGET_VOCAB[START], end_id=REVERSAL_TARGET_VOCAB[END], seed=2)
    rng = np.random.default_rng(0)
    for name, p in model.params.items():
        model.params[name] = p + 0.8 * rng.standard_normal(p.shape)
    sources = [REVERSAL_SOURCE_VOCAB.encode(s) for s in ("abcde", "j", "hhgf")]
    counts = {}
    found = decode(model, sources, beam_size=1, max_len=8, counts=counts)
    for ids, hyp in zip(sources, found):
        want = model.greedy_decode(ids[None, :], [len(ids)], max_len=8)[0]
        np.testing.assert_array_equal(hyp.tokens[: len(want)], want)
    assert counts["steps"] == sum(len(h.tokens) for h in found)
    assert counts["calls"] == counts["steps"]  # greedy: one row per call
    step, state = decoder_for(model, sources[0])
    log_probs, _ = step(np.array([model.config["start_id"]] * 2), select_states(state, np.array([0, 0])))
    np.testing.assert_allclose(np.exp(log_probs).sum(axis=1), 1.0)
    wide = decode(model, sources, beam_size=5, max_len=8)
    assert all(isinstance(h, Hypothesis) and h.tokens.size for h in wide)


@pytest.mark.parametrize(("kwargs", "message"), [
    (dict(beam_size=0), r"beam_size: expected an integer >= 1, got 0"),
    (dict(max_len=0), r"max_len: expected an integer >= 1, got 0"),
    (dict(start_id=-1), r"start_id: expected an integer >= 0, got -1"),
    (dict(end_id=1.5), r"end_id: expected an integer >= 0, got 1.5"),
])
def test_bad_arguments_are_named(kwargs, message):
    step, h0 = toy_decoder(0)
    args = dict(start_id=START_ID, end_id=END_ID, beam_size=2, max_len=3) | kwargs
    with pytest.raises(ValueError, match=message):
        beam_search(step, h0, **args)


def test_a_step_function_returning_the_wrong_shape_is_named():
    def step(tokens, state):
        return np.zeros(4), state

    with pytest.raises(ValueError, match=r"step: expected log-probabilities of shape \(B, V\) with B = 1"):
        greedy_search(step, None, start_id=0, end_id=1)
