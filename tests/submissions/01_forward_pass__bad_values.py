# %% [markdown]
# A deliberately broken submission for the grader's tests: NaN, None, a wrong shape and a wrong dtype.

# %%
import numpy as np

# %%
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    return np.full((x.shape[0], Wh.shape[0]), np.nan), None

# %%
def rnn_forward(x, h0, Wx, Wh, b, activation="tanh"):
    h = np.zeros((x.shape[0], x.shape[1], h0.shape[1]))
    # forgot the return statement

# %%
def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return (e / e.sum(axis=axis, keepdims=True)).T

# %%
def softmax_cross_entropy(logits, y, mask=None):
    N, T, V = logits.shape
    m = np.ones((N, T)) if mask is None else np.asarray(mask, dtype=float)
    z = logits - logits.max(axis=-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    count = max(m.sum(), 1.0)
    loss = -float(np.sum(np.take_along_axis(logp, y[..., None], axis=-1)[..., 0] * m)) / count
    d = np.exp(logp)
    np.put_along_axis(d, y[..., None], np.take_along_axis(d, y[..., None], axis=-1) - 1.0, axis=-1)
    return loss, (d * m[..., None] / count).astype(np.float32)
