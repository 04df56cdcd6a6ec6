"""Many-to-one: read a whole sequence of tokens, predict one class.

    e_t = embed[x_t]                                    (N, T, E)
    h = encoder(e)                                      (N, T, H) or (N, T, 2H) when bidirectional
    r = readout(h)                                      (N, H') "last", "mean" or "max" over the real tokens
    logits = r W_out + b_out                            (N, C)
    loss = mean cross-entropy

Readouts: "last" is the final state (for a bidirectional encoder, the
forward direction's state at the last token and the backward direction's
at the first: each has read the whole sequence); "mean" and "max" pool the
states of every real token (padding excluded).

Dimensions: N batch, T time, V vocabulary, E embedding, H hidden, C classes.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_choice, check_int_array
from ..init import as_rng, xavier_uniform
from ..layers import affine_backward, affine_forward, embedding_backward, embedding_forward
from ..losses import softmax_cross_entropy
from .base import Model, register_model
from .encoder import check_dropout, check_lengths, encoder_backward, encoder_forward, init_encoder

__all__ = ["SequenceClassifier", "READOUTS"]

READOUTS = ("last", "mean", "max")


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name}: expected an integer >= 1, got {value!r}")
    return int(value)


def split_batch(batch):
    """(x, y, lengths or None) from (x, y) or (x, y, lengths)."""
    if not isinstance(batch, (tuple, list)) or len(batch) not in (2, 3):
        raise ValueError("batch: expected (x, y) or (x, y, lengths)")
    return batch[0], batch[1], (batch[2] if len(batch) == 3 else None)


@register_model
class SequenceClassifier(Model):
    """Embedding, a recurrent encoder (stacked, optionally bidirectional), a readout and a linear classifier.

    Inputs (constructor):
        V: vocabulary size; C: number of classes; H: hidden size per direction
        E: embedding size
        cell: "rnn", "rnn_relu", "lstm" or "gru"
        readout: "last", "mean" or "max"
        bidirectional, layers: the encoder's shape
        dropout: drop probability on the non-recurrent connections (embeddings,
            between layers, before the classifier)
        seed: initialisation seed
    Batches: ``(x, y)`` or ``(x, y, lengths)`` with x (N, T) token ids
    (right-padded), y (N,) classes, lengths (N,) real lengths.
    """

    def __init__(self, V: int, C: int, H: int = 32, E: int = 16, cell: str = "gru", readout: str = "last",
                 bidirectional: bool = False, layers: int = 1, dropout: float = 0.0, seed: int = 0):
        V, C, H, E, layers = (_positive_int(n, v) for n, v in (("V", V), ("C", C), ("H", H), ("E", E),
                                                                ("layers", layers)))
        check_choice("readout", readout, READOUTS)
        check_dropout(dropout)
        rng = as_rng(seed)
        params = {"embed": rng.standard_normal((V, E)) / np.sqrt(E)}
        params.update(init_encoder(E, H, cell=cell, layers=layers, bidirectional=bidirectional, rng=rng))
        width = 2 * H if bidirectional else H
        params["W_out"] = xavier_uniform((width, C), rng=rng)
        params["b_out"] = np.zeros(C)
        config = dict(V=V, C=C, H=H, E=E, cell=cell, readout=readout, bidirectional=bool(bidirectional),
                      layers=layers, dropout=float(dropout), seed=seed)
        super().__init__(params, config)

    def _encoder_kwargs(self):
        c = self.config
        return dict(cell=c["cell"], layers=c["layers"], bidirectional=c["bidirectional"], dropout=c["dropout"])

    def forward(self, x, lengths=None, *, train: bool = False, rng=None):
        """Class scores (N, C) for token ids x (N, T). Returns (logits, cache)."""
        dims = {"V": self.config["V"]}
        x = check_int_array("x", x, ("N", "T"), dims, high=self.config["V"])
        lengths = check_lengths(lengths, *x.shape)
        emb, emb_cache = embedding_forward(x, self.params["embed"])
        h, enc_cache = encoder_forward(self.params, emb, lengths, train=train, rng=rng, **self._encoder_kwargs())
        pooled, pool_cache = self._readout(h, lengths)
        logits, out_cache = affine_forward(pooled, self.params["W_out"], self.params["b_out"])
        return logits, (emb_cache, enc_cache, pool_cache, out_cache)

    def _readout(self, h, lengths):
        N, T, width = h.shape
        rows = np.arange(N)
        mask = np.arange(T)[None, :] < lengths[:, None]
        kind = self.config["readout"]
        if kind == "last":
            if self.config["bidirectional"]:
                half = width // 2
                pooled = np.concatenate([h[rows, lengths - 1, :half], h[:, 0, half:]], axis=1)
            else:
                pooled = h[rows, lengths - 1]
            return pooled, (kind, h.shape, lengths, None)
        if kind == "mean":
            pooled = (h * mask[:, :, None]).sum(axis=1) / lengths[:, None]
            return pooled, (kind, h.shape, lengths, mask)
        masked = np.where(mask[:, :, None], h, -np.inf)
        arg = masked.argmax(axis=1)  # (N, width): the time step of each unit's maximum
        return np.take_along_axis(h, arg[:, None, :], axis=1)[:, 0], (kind, h.shape, lengths, arg)

    def _readout_backward(self, dpooled, cache):
        kind, shape, lengths, extra = cache
        N, T, width = shape
        dh = np.zeros(shape)
        rows = np.arange(N)
        if kind == "last":
            if self.config["bidirectional"]:
                half = width // 2
                dh[rows, lengths - 1, :half] = dpooled[:, :half]
                dh[:, 0, half:] += dpooled[:, half:]
            else:
                dh[rows, lengths - 1] = dpooled
        elif kind == "mean":
            dh[:] = (dpooled / lengths[:, None])[:, None, :] * extra[:, :, None]
        else:
            np.put_along_axis(dh, extra[:, None, :], dpooled[:, None, :], axis=1)
        return dh

    def backward(self, dlogits, cache) -> dict:
        """Gradients of every parameter given dloss/dlogits (N, C)."""
        emb_cache, enc_cache, pool_cache, out_cache = cache
        dpooled, dW_out, db_out = affine_backward(dlogits, out_cache)
        demb, grads = encoder_backward(self._readout_backward(dpooled, pool_cache), enc_cache)
        return {"embed": embedding_backward(demb, emb_cache), **grads, "W_out": dW_out, "b_out": db_out}

    def loss(self, batch, *, train: bool = True, rng=None):
        """Mean cross-entropy on ``(x, y)`` or ``(x, y, lengths)`` and the gradients of every parameter."""
        x, y, lengths = split_batch(batch)
        logits, cache = self.forward(x, lengths, train=train, rng=rng)
        loss, dlogits = softmax_cross_entropy(logits, y)
        return loss, self.backward(dlogits, cache)

    def predict(self, x, lengths=None) -> np.ndarray:
        """Predicted classes (N,) (evaluation mode: no dropout)."""
        return self.forward(x, lengths, train=False)[0].argmax(axis=1)

    def accuracy(self, x, y, lengths=None) -> float:
        """Fraction of sequences classified correctly."""
        return float(np.mean(self.predict(x, lengths) == np.asarray(y)))
