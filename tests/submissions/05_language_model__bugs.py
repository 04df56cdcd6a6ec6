# %% [markdown]
# A submission with a sampler that multiplies by the temperature, a training step that does not clip, and a
# generator that does not feed its output back in.

# %%
import numpy as np

from rnn_course import (
    clip_grad_norm,
    embedding_backward,
    embedding_forward,
    rnn_backward,
    rnn_forward,
    softmax_cross_entropy,
    temporal_affine_backward,
    temporal_affine_forward,
)


def sample_next_token(logits, rng, temperature=1.0, top_k=None):
    z = np.asarray(logits, dtype=float) * temperature
    if top_k is not None:
        kth = np.sort(z, axis=1)[:, -top_k][:, None]
        z = np.where(z >= kth, z, -np.inf)
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return (np.cumsum(p, axis=1) > rng.random((p.shape[0], 1))).argmax(axis=1)


def train_step(params, x, y, optimizer, max_norm=5.0):
    N = x.shape[0]
    emb, ce = embedding_forward(x, params["W_embed"])
    h, cr = rnn_forward(emb, np.zeros((N, params["Wh"].shape[0])), params["Wx"], params["Wh"], params["b"])
    logits, ca = temporal_affine_forward(h, params["W_out"], params["b_out"])
    loss, dlogits = softmax_cross_entropy(logits, y)
    dh, dW_out, db_out = temporal_affine_backward(dlogits, ca)
    demb, _, dWx, dWh, db = rnn_backward(dh, cr)
    grads = {"W_embed": embedding_backward(demb, ce), "Wx": dWx, "Wh": dWh, "b": db, "W_out": dW_out,
             "b_out": db_out}
    optimizer.step(params, grads)
    return loss


def generate(params, start_ids, length, rng, temperature=1.0, top_k=None):
    N, P = start_ids.shape
    h = np.zeros((N, params["Wh"].shape[0]))
    for t in range(P):
        h = np.tanh(params["W_embed"][start_ids[:, t]] @ params["Wx"] + h @ params["Wh"] + params["b"])
    out = np.empty((N, length), dtype=np.int64)
    for t in range(length):
        out[:, t] = sample_next_token(h @ params["W_out"] + params["b_out"], rng, temperature, top_k)
        h = np.tanh(params["W_embed"][start_ids[:, -1]] @ params["Wx"] + h @ params["Wh"] + params["b"])
    return out
