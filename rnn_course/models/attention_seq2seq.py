"""Encoder-decoder with additive attention (Bahdanau, Cho & Bengio 2014): the bottleneck removed.

The encoder is the one of ``Seq2Seq`` (lesson 07), and the decoder starts
from its final state as before. What changes: the decoder keeps *every*
encoder state h^enc_1 .. h^enc_S and, at each output step u, reads a
weighted average of them, the context, chosen by its previous state:

    ctx_u, alpha_u = attention(query = h^dec_{u-1}, keys = h^enc, mask = real source positions)
    h^dec_u        = cell([embed(y_{u-1}), ctx_u], h^dec_{u-1})     the context is part of the input
    logits_u       = [h^dec_u, ctx_u] W_out + b_out                 and of the read-out

(Bahdanau et al. write the context c_i; here c is the LSTM's cell state, so
the context is ``ctx``. W_out, b_out are the lessons' W_y, b_y.) Because ctx_u depends on h^dec_{u-1}, the decoder
runs one step at a time, forward and backward; the encoder runs as a whole
sequence. Training uses teacher forcing, as in lesson 07.

Dimensions: N batch, S source time, U target time, E embedding, H hidden, A attention.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import check_int_array
from ..attention import additive_attention_backward, additive_attention_forward
from ..cells import (
    get_cell,
    gru_step_backward,
    gru_step_forward,
    lstm_backward,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
    rnn_step_backward,
    rnn_step_forward,
)
from ..init import as_rng, init_cell_params, xavier_uniform
from ..layers import embedding_backward, embedding_forward, temporal_affine_backward, temporal_affine_forward
from ..losses import softmax_cross_entropy
from .base import Model, register_model
from .classifier import _positive_int
from .encoder import check_lengths

__all__ = ["AttentionSeq2Seq", "AttentionState", "attention_decoder_step", "attention_decoder_step_backward"]

_KEYS = ("Wx", "Wh", "b")


class AttentionState(NamedTuple):
    """Everything one decoder step needs; every entry has the batch (or beam) on axis 0.

    h: (N, H) decoder state; c: (N, H) LSTM cell state (None for other cells);
    keys: (N, S, H) the encoder's states; mask: (N, S) True at real source positions;
    weights: (N, S) where the last step looked (zeros before the first step).
    """

    h: np.ndarray
    c: np.ndarray | None
    keys: np.ndarray
    mask: np.ndarray
    weights: np.ndarray


class DecoderStepCache(NamedTuple):
    attention: object  # AttentionCache
    cell: object  # the cell's step cache
    E: int  # width of the embedding part of the cell's input


def _cell_step_forward(cell: str, x, h_prev, c_prev, Wx, Wh, b):
    """One step of any cell: (h, c or None, cache)."""
    if cell == "lstm":
        return lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b)
    if cell == "gru":
        h, cache = gru_step_forward(x, h_prev, Wx, Wh, b)
    else:
        h, cache = rnn_step_forward(x, h_prev, Wx, Wh, b, activation="relu" if cell == "rnn_relu" else "tanh")
    return h, None, cache


def _cell_step_backward(cell: str, dh, dc, cache):
    """(dx, dh_prev, dc_prev or None, dWx, dWh, db) of one step of any cell."""
    if cell == "lstm":
        return tuple(lstm_step_backward(dh, dc, cache))
    step_backward = gru_step_backward if cell == "gru" else rnn_step_backward
    dx, dh_prev, dWx, dWh, db = step_backward(dh, cache)
    return dx, dh_prev, None, dWx, dWh, db


def attention_decoder_step(emb, state: AttentionState, params: dict, cell: str = "gru"):
    """One decoder step with attention, from the embedded previous token ``emb`` (N, E).

    Reads params "att_Wq", "att_Wk", "att_v", "dec_Wx" ((E + H), G*H), "dec_Wh", "dec_b".
    Returns (h (N, H), ctx (N, H), new AttentionState, DecoderStepCache); the read-out
    [h, ctx] W_out + b_out is left to the caller (one product for all steps in training).
    """
    ctx, weights, att_cache = additive_attention_forward(state.h, state.keys, params["att_Wq"], params["att_Wk"],
                                                         params["att_v"], state.mask)
    x = np.concatenate([emb, ctx], axis=1)  # (N, E + H): the context is part of the cell's input
    h, c, cell_cache = _cell_step_forward(cell, x, state.h, state.c, *(params[f"dec_{k}"] for k in _KEYS))
    new = AttentionState(h, c, state.keys, state.mask, weights)
    return h, ctx, new, DecoderStepCache(att_cache, cell_cache, emb.shape[1])


def attention_decoder_step_backward(dh, dctx, dc, cache: DecoderStepCache, cell: str = "gru"):
    """Backward pass of ``attention_decoder_step``.

    Inputs: dh (N, H) gradient at the step's output state (from the read-out and from the next step),
    dctx (N, H) gradient at the context from the read-out, dc (N, H) gradient at the LSTM cell state
    (None for other cells).
    Returns a dict: "emb" (N, E), "h_prev" (N, H), "c_prev" (N, H) or None, "keys" (N, S, H), and the
    parameter gradients "dec_Wx", "dec_Wh", "dec_b", "att_Wq", "att_Wk", "att_v".
    """
    dx, dh_prev, dc_prev, dWx, dWh, db = _cell_step_backward(cell, dh, dc, cache.cell)
    demb, dctx_input = dx[:, :cache.E], dx[:, cache.E:]
    g = additive_attention_backward(dctx + dctx_input, cache.attention)  # the context fed both uses
    return {"emb": demb, "h_prev": dh_prev + g.dquery, "c_prev": dc_prev, "keys": g.dkeys,  # query = h_prev
            "dec_Wx": dWx, "dec_Wh": dWh, "dec_b": db, "att_Wq": g.dWq, "att_Wk": g.dWk, "att_v": g.dv}


@register_model
class AttentionSeq2Seq(Model):
    """An RNN encoder and an RNN decoder that attends to every encoder state at every step.

    Inputs (constructor):
        V_in, V_out: source and target vocabulary sizes
        H: hidden size (encoder and decoder); E: embedding size (both); A: attention size (default H)
        cell: "rnn", "rnn_relu", "lstm" or "gru" (both)
        start_id, end_id: ids of "<s>" and "</s>" in the target vocabulary
        seed: initialisation seed
    Batches for ``loss``: ``tasks.dates.Seq2SeqBatch`` or any 5-tuple
    (src (N, S), src_lengths (N,), tgt_in (N, U), tgt_out (N, U), tgt_mask (N, U)), as for ``Seq2Seq``.
    """

    def __init__(self, V_in: int, V_out: int, H: int = 64, E: int = 16, A: int | None = None, cell: str = "gru",
                 start_id: int = 1, end_id: int = 2, seed: int = 0):
        A = H if A is None else A
        V_in, V_out, H, E, A = (_positive_int(n, v) for n, v in (("V_in", V_in), ("V_out", V_out), ("H", H),
                                                                  ("E", E), ("A", A)))
        spec = get_cell(cell)
        for name, value in (("start_id", start_id), ("end_id", end_id)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value < V_out:
                raise ValueError(f"{name}: expected an id in [0, V_out) = [0, {V_out}), got {value!r}")
        rng = as_rng(seed)
        params = {"enc_embed": rng.standard_normal((V_in, E)) / np.sqrt(E)}
        for key, value in init_cell_params(E, H, spec.name, rng=rng).items():
            params[f"enc_{key}"] = value
        params["dec_embed"] = rng.standard_normal((V_out, E)) / np.sqrt(E)
        for key, value in init_cell_params(E + H, H, spec.name, rng=rng).items():
            params[f"dec_{key}"] = value
        params["att_Wq"] = xavier_uniform((H, A), rng=rng)
        params["att_Wk"] = xavier_uniform((H, A), rng=rng)
        params["att_v"] = rng.standard_normal(A) / np.sqrt(A)
        params["W_out"] = xavier_uniform((2 * H, V_out), rng=rng)
        params["b_out"] = np.zeros(V_out)
        config = dict(V_in=V_in, V_out=V_out, H=H, E=E, A=A, cell=spec.name, start_id=int(start_id),
                      end_id=int(end_id), seed=seed)
        super().__init__(params, config)
        self.cell = spec

    # -- encoder -------------------------------------------------------------
    def encode(self, src, src_lengths=None):
        """Run the encoder. Returns (AttentionState for the first decoder step, cache).

        The decoder starts from the encoder's state at each sequence's last real token (as in
        ``Seq2Seq``) and may attend to the states at every real position.
        """
        src = check_int_array("src", src, ("N", "S"), {}, high=self.config["V_in"])
        N, S = src.shape
        lengths = check_lengths(src_lengths, N, S)
        emb, emb_cache = embedding_forward(src, self.params["enc_embed"])
        enc_params = [self.params[f"enc_{k}"] for k in _KEYS]
        rows, last = np.arange(N), lengths - 1
        if self.cell.name == "lstm":
            keys, cell_cache = lstm_forward(emb, None, *enc_params)
            c0 = cell_cache.c[rows, last]  # the LSTM cell state at the last real token
        else:
            keys, cell_cache = self.cell.forward(emb, None, *enc_params)
            c0 = None
        mask = np.arange(S)[None, :] < lengths[:, None]  # (N, S) True at real positions
        state = AttentionState(keys[rows, last], c0, keys, mask, np.zeros((N, S)))
        return state, (emb_cache, cell_cache, lengths)

    def _encode_backward(self, dkeys, dh0, dc0, cache) -> dict:
        emb_cache, cell_cache, lengths = cache
        N = dkeys.shape[0]
        rows, last = np.arange(N), lengths - 1
        dh = dkeys.copy()
        dh[rows, last] += dh0  # the decoder's first state is the encoder's last real state
        if self.cell.name == "lstm":
            dc = np.zeros_like(dh)
            dc[rows, last] = dc0
            g = lstm_backward(dh, cell_cache, dc=dc)
        else:
            g = self.cell.backward(dh, cell_cache)
        return {"enc_embed": embedding_backward(g.dx, emb_cache), "enc_Wx": g.dWx, "enc_Wh": g.dWh, "enc_b": g.db}

    # -- decoder -------------------------------------------------------------
    def decode_step(self, tokens, state: AttentionState):
        """Feed the tokens (N, U) one column at a time; logits (N, V_out) after the last, and the new state.

        The same contract as ``Seq2Seq.decode_step``; the new state's ``weights`` (N, S) say where the
        last step looked.
        """
        tokens = np.asarray(tokens)
        if tokens.ndim == 1:
            tokens = tokens[:, None]
        tokens = check_int_array("tokens", tokens, ("N", "U"), {"N": state.h.shape[0]}, high=self.config["V_out"])
        for u in range(tokens.shape[1]):
            emb, _ = embedding_forward(tokens[:, u : u + 1], self.params["dec_embed"])
            h, ctx, state, _ = attention_decoder_step(emb[:, 0], state, self.params, self.cell.name)
        logits = np.concatenate([h, ctx], axis=1) @ self.params["W_out"] + self.params["b_out"]
        return logits, state

    def forward(self, src, src_lengths, tgt_in):
        """Teacher-forced logits (N, U, V_out) for decoder inputs tgt_in (N, U). Returns (logits, cache).

        ``cache.weights`` (N, U, S): where each output step looked.
        """
        state, enc_cache = self.encode(src, src_lengths)
        N, S = state.mask.shape
        tgt_in = check_int_array("tgt_in", tgt_in, ("N", "U"), {"N": N}, high=self.config["V_out"])
        U, H = tgt_in.shape[1], self.config["H"]
        emb, emb_cache = embedding_forward(tgt_in, self.params["dec_embed"])
        readout = np.empty((N, U, 2 * H))  # [h^dec_u, ctx_u] for every step
        weights = np.empty((N, U, S))
        steps = []
        for u in range(U):
            h, ctx, state, step_cache = attention_decoder_step(emb[:, u], state, self.params, self.cell.name)
            readout[:, u, :H], readout[:, u, H:] = h, ctx
            weights[:, u] = state.weights
            steps.append(step_cache)
        logits, out_cache = temporal_affine_forward(readout, self.params["W_out"], self.params["b_out"])
        return logits, _ForwardCache(enc_cache, emb_cache, steps, out_cache, weights)

    def backward(self, dlogits, cache) -> dict:
        """Gradients of every parameter given dloss/dlogits (N, U, V_out): BPTT through the decoder's steps."""
        enc_cache, emb_cache, steps, out_cache, _ = cache
        H = self.config["H"]
        dreadout, dW_out, db_out = temporal_affine_backward(dlogits, out_cache)
        N, U, _ = dreadout.shape
        grads = {k: np.zeros_like(self.params[k]) for k in ("dec_Wx", "dec_Wh", "dec_b", "att_Wq", "att_Wk", "att_v")}
        demb = np.empty((N, U, self.params["dec_embed"].shape[1]))
        dkeys = 0.0
        dh_next = np.zeros((N, H))  # what step u+1 sends back to h^dec_u (through its cell and its query)
        dc_next = np.zeros((N, H)) if self.cell.name == "lstm" else None
        for u in reversed(range(U)):
            d = attention_decoder_step_backward(dreadout[:, u, :H] + dh_next, dreadout[:, u, H:], dc_next,
                                                steps[u], self.cell.name)
            demb[:, u] = d["emb"]
            dh_next, dc_next = d["h_prev"], d["c_prev"]
            dkeys = dkeys + d["keys"]
            for key in grads:
                grads[key] += d[key]
        grads.update(self._encode_backward(dkeys, dh_next, dc_next, enc_cache))
        grads.update({"dec_embed": embedding_backward(demb, emb_cache), "W_out": dW_out, "b_out": db_out})
        return {k: grads[k] for k in self.params}

    def loss(self, batch, *, train: bool = True, rng=None):
        """Mean cross-entropy per target token (teacher forcing) and the gradients of every parameter."""
        if not isinstance(batch, (tuple, list)) or len(batch) != 5:
            raise ValueError("batch: expected (src, src_lengths, tgt_in, tgt_out, tgt_mask), e.g. a Seq2SeqBatch")
        src, src_lengths, tgt_in, tgt_out, mask = batch
        logits, cache = self.forward(src, src_lengths, tgt_in)
        loss, dlogits = softmax_cross_entropy(logits, tgt_out, mask=mask)
        return loss, self.backward(dlogits, cache)

    def token_accuracy(self, batch) -> float:
        """Teacher-forced accuracy: the share of target tokens predicted right when every input token is true."""
        src, src_lengths, tgt_in, tgt_out, mask = batch
        logits, _ = self.forward(src, src_lengths, tgt_in)
        return float(np.mean((logits.argmax(axis=2) == tgt_out)[np.asarray(mask, bool)]))

    def greedy_decode(self, src, src_lengths=None, max_len: int = 30, return_weights: bool = False):
        """Greedy decoding: each step feeds back the most likely token, until "</s>" or ``max_len`` tokens.

        Returns one array of output ids per source sequence ("</s>" not included), and with
        ``return_weights`` also one (L_n + 1, S_n) array of attention weights per sequence: row u is
        where output step u looked (the last row produced "</s>", when it came), column t source position t.
        """
        max_len = _positive_int("max_len", max_len)
        state, _ = self.encode(src, src_lengths)
        N, S = state.mask.shape
        tokens = np.full(N, self.config["start_id"])
        out = np.zeros((N, max_len), dtype=np.int64)
        weights = np.zeros((N, max_len, S))
        done = np.zeros(N, bool)
        lengths = np.full(N, max_len)
        steps = max_len
        for u in range(max_len):
            logits, state = self.decode_step(tokens, state)
            weights[:, u] = state.weights
            tokens = logits.argmax(axis=1)
            out[:, u] = tokens
            ended = (tokens == self.config["end_id"]) & ~done
            lengths[ended] = u
            done |= ended
            if done.all():
                steps = u + 1
                break
        outputs = [out[n, : lengths[n]] for n in range(N)]
        if not return_weights:
            return outputs
        src_len = state.mask.sum(axis=1)
        return outputs, [weights[n, : min(lengths[n] + 1, steps), : src_len[n]] for n in range(N)]

    def translate(self, sources, source_vocab, target_vocab, max_len: int = 30) -> list[str]:
        """Greedy translations of a list of strings (vocabularies from the task)."""
        from ..text import pad_sequences

        src, lengths = pad_sequences([source_vocab.encode(s) for s in sources])
        return [target_vocab.decode(ids) for ids in self.greedy_decode(src, lengths, max_len)]

    def predict(self, src, src_lengths=None):
        """Greedy decoding (see ``greedy_decode``)."""
        return self.greedy_decode(src, src_lengths)


class _ForwardCache(NamedTuple):
    encoder: tuple
    embedding: object
    steps: list  # DecoderStepCache per output step
    readout: object
    weights: np.ndarray  # (N, U, S)
