"""The encoder-decoder: gradients (including the LSTM cell state passed from encoder to decoder), decoding, training."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from model_helpers import gradcheck_model

from rnn_course import gradcheck, lstm_backward, lstm_forward
from rnn_course.models import Model, Seq2Seq
from rnn_course.optim import Adam
from rnn_course.tasks.dates import (
    END,
    FORMATS,
    SOURCE_VOCAB,
    START,
    TARGET_VOCAB,
    dates_data,
    encode_pairs,
    format_date,
)
from rnn_course.tasks.reversal import REVERSAL_SOURCE_VOCAB, REVERSAL_TARGET_VOCAB, reversal_data
from rnn_course.train import fit


def perturbed(model, seed=0, scale=0.3):
    rng = np.random.default_rng(seed)
    for name, p in model.params.items():
        model.params[name] = p + scale * rng.standard_normal(p.shape)
    return model


def small_batch():
    sources, targets = ["abc", "ba", "cabd"], ["dd", "abcd", "c"]
    return encode_pairs(sources, targets, REVERSAL_SOURCE_VOCAB, REVERSAL_TARGET_VOCAB)


def model_for(cell, H=4, E=3, seed=1):
    return Seq2Seq(REVERSAL_SOURCE_VOCAB.size, REVERSAL_TARGET_VOCAB.size, H=H, E=E, cell=cell,
                   start_id=REVERSAL_TARGET_VOCAB[START], end_id=REVERSAL_TARGET_VOCAB[END], seed=seed)


@pytest.mark.parametrize("cell", ["rnn", "rnn_relu", "lstm", "gru"])
def test_gradients_through_encoder_and_decoder(cell):
    report = gradcheck_model(perturbed(model_for(cell)), small_batch())
    assert report.ok, str(report)


def test_lstm_backward_accepts_an_upstream_cell_state_gradient(rng):
    """lstm_backward(..., dc=) adds a gradient arriving at the cell states (the encoder's final c, in seq2seq)."""
    N, T, D, H = 2, 4, 3, 3
    inputs = dict(x=rng.standard_normal((N, T, D)), Wx=rng.standard_normal((D, 4 * H)),
                  Wh=rng.standard_normal((H, 4 * H)), b=rng.standard_normal(4 * H))
    dh, dc = rng.standard_normal((N, T, H)), rng.standard_normal((N, T, H))

    def fn(x, Wx, Wh, b):
        h, cache = lstm_forward(x, None, Wx, Wh, b)
        return np.sum(h * dh) + np.sum(cache.c * dc)

    _, cache = lstm_forward(inputs["x"], None, inputs["Wx"], inputs["Wh"], inputs["b"])
    g = lstm_backward(dh, cache, dc=dc)
    report = gradcheck(fn, inputs, {"x": g.dx, "Wx": g.dWx, "Wh": g.dWh, "b": g.db}, tol=1e-7)
    assert report.ok, str(report)
    plain = lstm_backward(dh, cache)
    np.testing.assert_array_equal(lstm_backward(dh, cache, dc=np.zeros((N, T, H))).dWx, plain.dWx)
    with pytest.raises(ValueError, match=r"dc: expected shape \(N, T, H\) = \(2, 4, 3\)"):
        lstm_backward(dh, cache, dc=np.zeros((2, 3, 3)))


def test_encoder_reads_only_the_real_source_tokens():
    model = perturbed(model_for("lstm", H=5))
    batch = small_batch()
    state, _ = model.encode(batch.src, batch.src_lengths)
    alone, _ = model.encode(batch.src[1:2, :2])  # "ba" without padding
    for full, single in zip(state, alone):
        np.testing.assert_allclose(full[1], single[0], atol=1e-12)


def test_greedy_decoding_matches_step_by_step_teacher_forcing_on_its_own_output():
    """Feeding the greedy output back in as tgt_in reproduces the same argmax at every step."""
    model = perturbed(model_for("gru", H=6), scale=1.0)
    batch = small_batch()
    decoded = model.greedy_decode(batch.src, batch.src_lengths, max_len=6)
    for n, ids in enumerate(decoded):
        tgt_in = np.concatenate([[model.config["start_id"]], ids])[None, :]
        logits, _ = model.forward(batch.src[n : n + 1], batch.src_lengths[n : n + 1], tgt_in)
        greedy = logits[0].argmax(axis=1)
        np.testing.assert_array_equal(greedy[: len(ids)], ids)
        if len(ids) < 6:
            assert greedy[len(ids)] == model.config["end_id"]


def test_training_learns_to_reverse_short_strings():
    def data(rng):
        s, t = reversal_data(32, rng=rng, min_len=1, max_len=4)
        return encode_pairs(s, t, REVERSAL_SOURCE_VOCAB, REVERSAL_TARGET_VOCAB)

    model = model_for("lstm", H=32, E=8, seed=0)
    history = fit(model, data, steps=300, optimizer=Adam(2e-2), clip=5.0, progress=False, seed=0)
    sources, targets = reversal_data(200, rng=5, min_len=1, max_len=4)
    out = model.translate(sources, REVERSAL_SOURCE_VOCAB, REVERSAL_TARGET_VOCAB, max_len=8)
    assert np.mean([a == b for a, b in zip(out, targets)]) > 0.9
    assert np.mean(history.loss[-20:]) < 0.2 * np.mean(history.loss[:20])


def test_save_load_round_trip(tmp_path):
    model = perturbed(model_for("lstm", H=5))
    again = Model.load(model.save(tmp_path / "s2s"))
    assert isinstance(again, Seq2Seq) and again.config == model.config
    batch = small_batch()
    assert [list(a) for a in again.greedy_decode(batch.src, batch.src_lengths)] == \
        [list(a) for a in model.greedy_decode(batch.src, batch.src_lengths)]


def test_dates_data_is_correct_and_seeded():
    sources, targets, formats = dates_data(400, rng=0)
    assert dates_data(400, rng=0)[0] == sources
    assert set(formats.tolist()) == set(range(len(FORMATS)))
    for source, target, f in zip(sources, targets, formats):
        date = dt.date.fromisoformat(target)
        assert 1950 <= date.year <= 2049 and format_date(date, FORMATS[f]) == source
    assert format_date(dt.date(1982, 8, 3), "weekday, d month yyyy") == "tuesday, 3 august 1982"
    assert format_date(dt.date(2011, 3, 12), "dth of month yyyy") == "12th of march 2011"
    assert format_date(dt.date(2011, 3, 22), "dth of month yyyy") == "22nd of march 2011"
    assert format_date(dt.date(2001, 1, 9), "dd.mm.yyyy") == "09.01.2001"
    with pytest.raises(ValueError, match="fmt: expected one of"):
        format_date(dt.date(2001, 1, 9), "yyyy/mm/dd")


def test_encode_pairs_builds_teacher_forcing_inputs():
    batch = encode_pairs(["3 may 1999", "feb 5 1954"], ["1999-05-03", "1954-02-05"])
    assert batch.tgt_in.shape == batch.tgt_out.shape == (2, 11)
    assert batch.tgt_in[0, 0] == TARGET_VOCAB[START] and batch.tgt_out[0, -1] == TARGET_VOCAB[END]
    np.testing.assert_array_equal(batch.tgt_in[:, 1:], batch.tgt_out[:, :-1])  # inputs are targets shifted right
    assert SOURCE_VOCAB.decode(batch.src[1]) == "feb 5 1954" and batch.src_lengths.tolist() == [10, 10]
    assert batch.tgt_mask.all()
    with pytest.raises(ValueError, match="text: characters not in the vocabulary"):
        encode_pairs(["3 MAY 1999"], ["1999-05-03"])


def test_reversal_data():
    sources, targets = reversal_data(100, rng=0, min_len=3, max_len=5)
    assert all(t == s[::-1] and 3 <= len(s) <= 5 for s, t in zip(sources, targets))
    with pytest.raises(ValueError, match="min_len, max_len"):
        reversal_data(3, min_len=4, max_len=2)


def test_argument_errors():
    with pytest.raises(ValueError, match=r"start_id: expected an id in \[0, V_out\)"):
        Seq2Seq(5, 4, start_id=4)
    model = model_for("gru")
    with pytest.raises(ValueError, match="batch: expected"):
        model.loss((1, 2))
    with pytest.raises(ValueError, match=r"src: expected indices in \[0, 11\)"):
        model.encode(np.array([[11]]))
