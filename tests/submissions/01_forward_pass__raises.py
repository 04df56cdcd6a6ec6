# %% [markdown]
# A deliberately broken submission for the grader's tests: rnn_step_forward raises an exception.

# %%
import numpy as np

# %%
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    a = x @ Wx + h_prev @ Wh + b
    raise ValueError("shapes do not match, sorry")

# %%
def rnn_forward(x, h0, Wx, Wh, b, activation="tanh"):
    N, T, _ = x.shape
    h = np.empty((N, T, h0.shape[1]))
    prev = h0
    for t in range(T):
        a = x[:, t] @ Wx + prev @ Wh + b
        prev = np.tanh(a) if activation == "tanh" else np.maximum(a, 0.0)
        h[:, t] = prev
    return h, None

# %%
def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)

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
    return loss, d * m[..., None] / count
