# %% [markdown]
# A deliberately broken submission for the grader's tests: softmax_cross_entropy and a top-level cell kill the interpreter with os._exit.

# %%
import numpy as np

# %%
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    a = x @ Wx + h_prev @ Wh + b
    return (np.tanh(a) if activation == "tanh" else np.maximum(a, 0.0)), None

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
import os


def softmax_cross_entropy(logits, y, mask=None):
    os._exit(0)

# %%
os._exit(3)
