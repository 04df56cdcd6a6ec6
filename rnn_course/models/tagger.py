"""Synced many-to-many: one label per token (tagging).

    e_t = embed[x_t]                         (N, T, E)
    h = encoder(e)                           (N, T, H) or (N, T, 2H) when bidirectional
    logits_t = h_t W_out + b_out             (N, T, K)
    loss = mean cross-entropy over the real tokens (padding masked out)

A unidirectional tagger labels token t having read only tokens 1..t; a
bidirectional one has also read t..T_n (T_n: the sentence's length).
``dropout`` acts on the non-recurrent connections; ``recurrent_dropout``
also drops units of h_{t-1} inside the recurrence, with a fresh mask at
every step (``recurrent_dropout_mode="naive"``) or one mask per sequence
for every dropout (``"variational"``, Gal & Ghahramani 2016): the
placements lesson 06 compares (see ``encoder``).

Dimensions: N batch, T time, V vocabulary, E embedding, H hidden, K tags.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_int_array
from ..init import as_rng, xavier_uniform
from ..layers import embedding_backward, embedding_forward, temporal_affine_backward, temporal_affine_forward
from ..losses import softmax_cross_entropy
from .base import Model, register_model
from .classifier import _positive_int, split_batch
from .encoder import check_dropout, check_lengths, encoder_backward, encoder_forward, init_encoder

__all__ = ["SequenceTagger"]


@register_model
class SequenceTagger(Model):
    """Embedding, a recurrent encoder (stacked, optionally bidirectional) and a per-token classifier.

    Inputs (constructor):
        V: vocabulary size; K: number of tags; H: hidden size per direction; E: embedding size
        cell: "rnn", "rnn_relu", "lstm" or "gru"
        bidirectional, layers: the encoder's shape
        dropout: drop probability on the non-recurrent connections
        recurrent_dropout, recurrent_dropout_mode: drop probability on h_{t-1}; "naive" (a fresh mask each
            step) or "variational" (one mask per sequence, for the non-recurrent dropout too; not for a GRU)
        seed: initialisation seed
    Batches: ``(x, y)`` or ``(x, y, lengths)`` with x, y (N, T) (right-padded), lengths (N,).
    """

    def __init__(self, V: int, K: int, H: int = 32, E: int = 16, cell: str = "gru", bidirectional: bool = False,
                 layers: int = 1, dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 recurrent_dropout_mode: str = "naive", seed: int = 0):
        V, K, H, E, layers = (_positive_int(n, v) for n, v in (("V", V), ("K", K), ("H", H), ("E", E),
                                                                ("layers", layers)))
        check_dropout(dropout, recurrent_dropout, recurrent_dropout_mode, cell)
        rng = as_rng(seed)
        params = {"embed": rng.standard_normal((V, E)) / np.sqrt(E)}
        params.update(init_encoder(E, H, cell=cell, layers=layers, bidirectional=bidirectional, rng=rng))
        params["W_out"] = xavier_uniform((2 * H if bidirectional else H, K), rng=rng)
        params["b_out"] = np.zeros(K)
        config = dict(V=V, K=K, H=H, E=E, cell=cell, bidirectional=bool(bidirectional), layers=layers,
                      dropout=float(dropout), recurrent_dropout=float(recurrent_dropout),
                      recurrent_dropout_mode=recurrent_dropout_mode, seed=seed)
        super().__init__(params, config)

    def forward(self, x, lengths=None, *, train: bool = False, rng=None):
        """Tag scores (N, T, K) for token ids x (N, T). Returns (logits, cache)."""
        c = self.config
        x = check_int_array("x", x, ("N", "T"), {"V": c["V"]}, high=c["V"])
        lengths = check_lengths(lengths, *x.shape)
        emb, emb_cache = embedding_forward(x, self.params["embed"])
        h, enc_cache = encoder_forward(self.params, emb, lengths, cell=c["cell"], layers=c["layers"],
                                       bidirectional=c["bidirectional"], dropout=c["dropout"],
                                       recurrent_dropout=c["recurrent_dropout"],
                                       recurrent_dropout_mode=c["recurrent_dropout_mode"], train=train, rng=rng)
        logits, out_cache = temporal_affine_forward(h, self.params["W_out"], self.params["b_out"])
        return logits, (emb_cache, enc_cache, out_cache, lengths)

    def backward(self, dlogits, cache) -> dict:
        """Gradients of every parameter given dloss/dlogits (N, T, K)."""
        emb_cache, enc_cache, out_cache, _ = cache
        dh, dW_out, db_out = temporal_affine_backward(dlogits, out_cache)
        demb, grads = encoder_backward(dh, enc_cache)
        return {"embed": embedding_backward(demb, emb_cache), **grads, "W_out": dW_out, "b_out": db_out}

    @staticmethod
    def mask(lengths, T: int) -> np.ndarray:
        """(N, T) booleans: True at the real tokens."""
        return np.arange(T)[None, :] < np.asarray(lengths)[:, None]

    def loss(self, batch, *, train: bool = True, rng=None):
        """Mean cross-entropy over the real tokens of ``(x, y)`` or ``(x, y, lengths)``, and the gradients."""
        x, y, lengths = split_batch(batch)
        logits, cache = self.forward(x, lengths, train=train, rng=rng)
        loss, dlogits = softmax_cross_entropy(logits, y, mask=self.mask(cache[3], logits.shape[1]))
        return loss, self.backward(dlogits, cache)

    def predict(self, x, lengths=None, *, train: bool = False, rng=None) -> np.ndarray:
        """Predicted tags (N, T) (padding positions hold predictions too: mask them with ``lengths``).

        ``train=True`` keeps dropout on (to see what a training step sees).
        """
        return self.forward(x, lengths, train=train, rng=rng)[0].argmax(axis=2)
