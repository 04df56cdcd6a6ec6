"""The encoder-decoder with attention: gradients through every step, the mask, decoding, save/load, training."""

from __future__ import annotations

import numpy as np
import pytest
from model_helpers import gradcheck_model

from rnn_course import gradcheck
from rnn_course.models import AttentionSeq2Seq, Model
from rnn_course.models.attention_seq2seq import (
    AttentionState,
    attention_decoder_step,
    attention_decoder_step_backward,
)
from rnn_course.optim import Adam
from rnn_course.tasks.dates import END, START, encode_pairs
from rnn_course.tasks.reversal import REVERSAL_SOURCE_VOCAB, REVERSAL_TARGET_VOCAB, reversal_data
from rnn_course.train import fit


def perturbed(model, seed=0, scale=0.3):
    rng = np.random.default_rng(seed)
    for name, p in model.params.items():
        model.params[name] = p + scale * rng.standard_normal(p.shape)
    return model


def small_batch():
    sources, targets = ["abc", "ba", "cabdj"], ["dd", "abcd", "c"]  # different lengths: padding on both sides
    return encode_pairs(sources, targets, REVERSAL_SOURCE_VOCAB, REVERSAL_TARGET_VOCAB)


def model_for(cell, H=4, E=3, A=5, seed=1):
    return AttentionSeq2Seq(REVERSAL_SOURCE_VOCAB.size, REVERSAL_TARGET_VOCAB.size, H=H, E=E, A=A, cell=cell,
                            start_id=REVERSAL_TARGET_VOCAB[START], end_id=REVERSAL_TARGET_VOCAB[END], seed=seed)


@pytest.mark.parametrize("cell", ["rnn", "rnn_relu", "lstm", "gru"])
def test_gradients_through_attention_decoder_and_encoder(cell):
    report = gradcheck_model(perturbed(model_for(cell)), small_batch())
    assert report.ok, str(report)


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_decoder_step_gradients(cell):
    """One attention decoder step on its own: every input and parameter, LSTM cell state included."""
    rng = np.random.default_rng(3)
    N, S, E, H, A = 2, 4, 3, 4, 5
    G = 4 if cell == "lstm" else 3
    params = {"att_Wq": rng.standard_normal((H, A)), "att_Wk": rng.standard_normal((H, A)),
              "att_v": rng.standard_normal(A), "dec_Wx": 0.5 * rng.standard_normal((E + H, G * H)),
              "dec_Wh": 0.5 * rng.standard_normal((H, G * H)), "dec_b": rng.standard_normal(G * H)}
    mask = np.array([[True, True, True, False], [True, True, True, True]])
    inputs = dict(emb=rng.standard_normal((N, E)), h=rng.standard_normal((N, H)), keys=rng.standard_normal((N, S, H)),
                  c=rng.standard_normal((N, H)), **params)
    if cell != "lstm":
        del inputs["c"]
    dh, dctx = rng.standard_normal((N, H)), rng.standard_normal((N, H))
    dc = rng.standard_normal((N, H)) if cell == "lstm" else None

    def run(**kw):
        state = AttentionState(kw["h"], kw.get("c"), kw["keys"], mask, np.zeros((N, S)))
        return attention_decoder_step(kw["emb"], state, {k: kw[k] for k in params}, cell)

    def loss(**kw):
        h, ctx, new, _ = run(**kw)
        return np.sum(h * dh) + np.sum(ctx * dctx) + (np.sum(new.c * dc) if dc is not None else 0.0)

    *_, cache = run(**inputs)
    d = attention_decoder_step_backward(dh, dctx, dc, cache, cell)
    analytic = {"emb": d["emb"], "h": d["h_prev"], "keys": d["keys"], **{k: d[k] for k in params}}
    if cell == "lstm":
        analytic["c"] = d["c_prev"]
    report = gradcheck(loss, inputs, analytic, tol=1e-7)
    assert report.ok, str(report)


def test_padding_in_the_source_changes_nothing():
    """The mask hides padding from the attention, so a padded source decodes exactly like the bare one."""
    model = perturbed(model_for("gru", H=6, E=4), seed=2)
    src = REVERSAL_SOURCE_VOCAB.encode("hbjdc")[None, :]
    padded = np.concatenate([src, np.full((1, 4), REVERSAL_SOURCE_VOCAB["a"])], axis=1)
    tgt_in = np.array([[REVERSAL_TARGET_VOCAB[START], 3, 4, 5]])
    bare, _ = model.forward(src, [5], tgt_in)
    longer, cache = model.forward(padded, [5], tgt_in)
    np.testing.assert_allclose(longer, bare, rtol=1e-12, atol=1e-12)
    assert np.all(cache.weights[:, :, 5:] == 0.0)


def test_greedy_decoding_matches_teacher_forcing_on_its_own_output_and_returns_the_weights():
    model = perturbed(model_for("lstm", H=6, E=4), seed=4, scale=0.6)
    sources = ["abcdef", "ji", "c"]
    src = np.zeros((3, 6), dtype=np.int64)
    lengths = np.array([len(s) for s in sources])
    for n, s in enumerate(sources):
        src[n, : len(s)] = REVERSAL_SOURCE_VOCAB.encode(s)
    outputs, weights = model.greedy_decode(src, lengths, max_len=7, return_weights=True)
    for n, (out, w) in enumerate(zip(outputs, weights)):
        assert w.shape[1] == lengths[n] and w.shape[0] in (len(out) + 1, 7)
        np.testing.assert_allclose(w.sum(axis=1), 1.0)
        tgt_in = np.concatenate([[model.config["start_id"]], out])[None, :]
        logits, cache = model.forward(src[n : n + 1, : lengths[n]], [lengths[n]], tgt_in)
        np.testing.assert_array_equal(logits[0].argmax(axis=1)[: len(out)], out)
        np.testing.assert_allclose(cache.weights[0, : len(w)], w, atol=1e-12)
    assert model.predict(src, lengths)[0][:7].tolist() == outputs[0].tolist()  # predict: max_len 30


def test_training_learns_to_reverse_longer_strings_than_the_bottleneck_allows():
    model = AttentionSeq2Seq(REVERSAL_SOURCE_VOCAB.size, REVERSAL_TARGET_VOCAB.size, H=16, E=8, cell="gru",
                             start_id=REVERSAL_TARGET_VOCAB[START], end_id=REVERSAL_TARGET_VOCAB[END], seed=0)

    def batches(rng):
        sources, targets = reversal_data(32, rng=rng, min_len=2, max_len=8)
        return encode_pairs(sources, targets, REVERSAL_SOURCE_VOCAB, REVERSAL_TARGET_VOCAB)

    fit(model, batches, steps=300, optimizer=Adam(2e-2), clip=5.0, seed=0, progress=False)
    sources, targets = reversal_data(100, rng=1, min_len=2, max_len=8)
    outputs = model.translate(sources, REVERSAL_SOURCE_VOCAB, REVERSAL_TARGET_VOCAB, max_len=10)
    assert np.mean([o == t for o, t in zip(outputs, targets)]) > 0.8


def test_save_load_round_trip(tmp_path):
    model = perturbed(model_for("gru"))
    path = model.save(tmp_path / "att")
    again = Model.load(path)
    assert isinstance(again, AttentionSeq2Seq) and again.config == model.config
    batch = small_batch()
    assert again.loss(batch)[0] == model.loss(batch)[0]
    assert "att_Wq" in repr(model) and "parameters" in repr(model)


@pytest.mark.parametrize(("kwargs", "message"), [
    (dict(H=0), r"H: expected an integer >= 1, got 0"),
    (dict(A=2.5), r"A: expected an integer >= 1, got 2.5"),
    (dict(cell="transformer"), r"cell: expected one of"),
    (dict(end_id=99), r"end_id: expected an id in \[0, V_out\)"),
])
def test_argument_errors(kwargs, message):
    args = dict(V_in=12, V_out=13) | kwargs
    with pytest.raises(ValueError, match=message):
        AttentionSeq2Seq(**args)


def test_batch_errors():
    model = model_for("gru")
    with pytest.raises(ValueError, match=r"batch: expected \(src, src_lengths, tgt_in, tgt_out, tgt_mask\)"):
        model.loss((1, 2))
    with pytest.raises(ValueError, match=r"src: expected indices in \[0, 11\)"):
        model.encode(np.array([[11, 1]]))
    with pytest.raises(ValueError, match=r"lengths: expected values in \[1, T\]"):
        model.encode(np.array([[1, 1]]), [3])
