"""Encoder-decoder (sequence to sequence) without attention: teacher forcing for training, greedy decoding.

    encoder:  h^enc = cell_enc(embed_src[src])              the final state s = h^enc at the last real token
    decoder:  h^dec = cell_dec(embed_tgt[tgt_in], h0 = s)   (for an LSTM, c0 = the encoder's final c too)
              logits_u = h^dec_u W_out + b_out              (N, U, V_out)
    loss = mean cross-entropy over the real target positions

Teacher forcing: during training the decoder reads the *true* previous
target token ("<s> y_1 .. y_{L}") and predicts "y_1 .. y_L </s>". Greedy
decoding feeds back its own most likely token instead, until "</s>".
Everything the decoder knows about the source passes through the fixed-size
state s: the bottleneck that attention removes.

Dimensions: N batch, S source time, U target time, E embedding, H hidden.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_int_array
from ..cells import get_cell, lstm_backward, lstm_forward
from ..init import as_rng, init_cell_params, xavier_uniform
from ..layers import embedding_backward, embedding_forward, temporal_affine_backward, temporal_affine_forward
from ..losses import softmax_cross_entropy
from .base import Model, register_model
from .classifier import _positive_int
from .encoder import check_lengths

__all__ = ["Seq2Seq"]

_KEYS = ("Wx", "Wh", "b")


@register_model
class Seq2Seq(Model):
    """An RNN encoder and an RNN decoder joined by the encoder's final state.

    Inputs (constructor):
        V_in, V_out: source and target vocabulary sizes
        H: hidden size (encoder and decoder); E: embedding size (both)
        cell: "rnn", "rnn_relu", "lstm" or "gru" (both)
        start_id, end_id: ids of "<s>" and "</s>" in the target vocabulary
        seed: initialisation seed
    Batches for ``loss``: ``tasks.dates.Seq2SeqBatch`` or any 5-tuple
    (src (N, S), src_lengths (N,), tgt_in (N, U), tgt_out (N, U), tgt_mask (N, U)).
    """

    def __init__(self, V_in: int, V_out: int, H: int = 64, E: int = 16, cell: str = "gru", start_id: int = 1,
                 end_id: int = 2, seed: int = 0):
        V_in, V_out, H, E = (_positive_int(n, v) for n, v in (("V_in", V_in), ("V_out", V_out), ("H", H),
                                                               ("E", E)))
        spec = get_cell(cell)
        for name, value in (("start_id", start_id), ("end_id", end_id)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value < V_out:
                raise ValueError(f"{name}: expected an id in [0, V_out) = [0, {V_out}), got {value!r}")
        rng = as_rng(seed)
        params = {"enc_embed": rng.standard_normal((V_in, E)) / np.sqrt(E)}
        for key, value in init_cell_params(E, H, spec.name, rng=rng).items():
            params[f"enc_{key}"] = value
        params["dec_embed"] = rng.standard_normal((V_out, E)) / np.sqrt(E)
        for key, value in init_cell_params(E, H, spec.name, rng=rng).items():
            params[f"dec_{key}"] = value
        params["W_out"] = xavier_uniform((H, V_out), rng=rng)
        params["b_out"] = np.zeros(V_out)
        config = dict(V_in=V_in, V_out=V_out, H=H, E=E, cell=spec.name, start_id=int(start_id),
                      end_id=int(end_id), seed=seed)
        super().__init__(params, config)
        self.cell = spec

    def _cell(self, prefix):
        return [self.params[f"{prefix}_{k}"] for k in _KEYS]

    # -- encoder -------------------------------------------------------------
    def encode(self, src, src_lengths=None):
        """The final state of the encoder at each sequence's last real token: (h,) or (h, c), each (N, H).

        Returns (state, cache).
        """
        src = check_int_array("src", src, ("N", "S"), {}, high=self.config["V_in"])
        lengths = check_lengths(src_lengths, *src.shape)
        emb, emb_cache = embedding_forward(src, self.params["enc_embed"])
        rows, last = np.arange(src.shape[0]), lengths - 1
        if self.cell.name == "lstm":
            h, cache = lstm_forward(emb, None, *self._cell("enc"))
            state = (h[rows, last], cache.c[rows, last])
        else:
            h, cache = self.cell.forward(emb, None, *self._cell("enc"))
            state = (h[rows, last],)
        return state, (emb_cache, cache, lengths, h.shape)

    def _encode_backward(self, dstate, cache):
        emb_cache, cell_cache, lengths, shape = cache
        rows, last = np.arange(shape[0]), lengths - 1
        dh = np.zeros(shape)
        dh[rows, last] = dstate[0]
        if self.cell.name == "lstm":
            dc = np.zeros(shape)
            dc[rows, last] = dstate[1]
            g = lstm_backward(dh, cell_cache, dc=dc)
        else:
            g = self.cell.backward(dh, cell_cache)
        grads = {"enc_embed": embedding_backward(g.dx, emb_cache)}
        grads.update({"enc_Wx": g.dWx, "enc_Wh": g.dWh, "enc_b": g.db})
        return grads

    # -- decoder -------------------------------------------------------------
    def decode_step(self, tokens, state):
        """One decoder step: logits (N, V_out) for input tokens (N, U) given ``state``, and the new state."""
        emb, _ = embedding_forward(tokens, self.params["dec_embed"])
        if self.cell.name == "lstm":
            h, cache = lstm_forward(emb, state[0], *self._cell("dec"), c0=state[1])
            new = (h[:, -1], cache.c[:, -1])
        else:
            h, _ = self.cell.forward(emb, state[0], *self._cell("dec"))
            new = (h[:, -1],)
        logits, _ = temporal_affine_forward(h[:, -1:], self.params["W_out"], self.params["b_out"])
        return logits[:, 0], new

    def forward(self, src, src_lengths, tgt_in):
        """Teacher-forced logits (N, U, V_out) for decoder inputs tgt_in (N, U). Returns (logits, cache)."""
        state, enc_cache = self.encode(src, src_lengths)
        tgt_in = check_int_array("tgt_in", tgt_in, ("N", "U"), {"N": state[0].shape[0]}, high=self.config["V_out"])
        emb, emb_cache = embedding_forward(tgt_in, self.params["dec_embed"])
        if self.cell.name == "lstm":
            h, dec_cache = lstm_forward(emb, state[0], *self._cell("dec"), c0=state[1])
        else:
            h, dec_cache = self.cell.forward(emb, state[0], *self._cell("dec"))
        logits, out_cache = temporal_affine_forward(h, self.params["W_out"], self.params["b_out"])
        return logits, (enc_cache, emb_cache, dec_cache, out_cache)

    def backward(self, dlogits, cache) -> dict:
        """Gradients of every parameter given dloss/dlogits (N, U, V_out)."""
        enc_cache, emb_cache, dec_cache, out_cache = cache
        dh, dW_out, db_out = temporal_affine_backward(dlogits, out_cache)
        g = self.cell.backward(dh, dec_cache)
        dstate = (g.dh0, g.dc0) if self.cell.name == "lstm" else (g.dh0,)
        grads = self._encode_backward(dstate, enc_cache)
        grads.update({"dec_embed": embedding_backward(g.dx, emb_cache), "dec_Wx": g.dWx, "dec_Wh": g.dWh,
                      "dec_b": g.db, "W_out": dW_out, "b_out": db_out})
        return grads

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

    def greedy_decode(self, src, src_lengths=None, max_len: int = 30) -> list[np.ndarray]:
        """Greedy decoding: each step feeds back the most likely token, until "</s>" or ``max_len`` tokens.

        Returns one array of output ids per source sequence ("</s>" not included).
        """
        max_len = _positive_int("max_len", max_len)
        state, _ = self.encode(src, src_lengths)
        N = state[0].shape[0]
        tokens = np.full((N, 1), self.config["start_id"])
        out = np.zeros((N, max_len), dtype=np.int64)
        done = np.zeros(N, bool)
        lengths = np.full(N, max_len)
        for u in range(max_len):
            logits, state = self.decode_step(tokens, state)
            nxt = logits.argmax(axis=1)
            out[:, u] = nxt
            ended = (nxt == self.config["end_id"]) & ~done
            lengths[ended] = u
            done |= ended
            if done.all():
                break
            tokens = nxt[:, None]
        return [out[n, : lengths[n]] for n in range(N)]

    def translate(self, sources, source_vocab, target_vocab, max_len: int = 30) -> list[str]:
        """Greedy translations of a list of strings (vocabularies from the task)."""
        from ..text import pad_sequences

        src, lengths = pad_sequences([source_vocab.encode(s) for s in sources])
        return [target_vocab.decode(ids) for ids in self.greedy_decode(src, lengths, max_len)]

    def predict(self, src, src_lengths=None):
        """Greedy decoding (see ``greedy_decode``)."""
        return self.greedy_decode(src, src_lengths)
