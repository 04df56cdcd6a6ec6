# %% [markdown]
# A submission with the classic BPTT bugs: tanh' from the pre-activation, truncation ignored, a one-sided
# difference. Its rnn_backward is right (it does its own step backward).

# %%
import numpy as np


def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    a = x @ Wx + h_prev @ Wh + b
    h = np.tanh(a) if activation == "tanh" else np.maximum(a, 0.0)
    return h, (x, h_prev, a, h, Wx, Wh, activation)


def rnn_forward(x, h0, Wx, Wh, b, activation="tanh"):
    N, T, _ = x.shape
    h = np.empty((N, T, h0.shape[1]))
    caches, prev = [], h0
    for t in range(T):
        prev, c = rnn_step_forward(x[:, t], prev, Wx, Wh, b, activation)
        h[:, t] = prev
        caches.append(c)
    return h, caches


# %%
def rnn_step_backward(dh, cache):
    x, h_prev, a, h, Wx, Wh, activation = cache
    da = dh * (1 - a ** 2) if activation == "tanh" else dh * (a > 0)
    return da @ Wx.T, da @ Wh.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)


# %%
def rnn_backward(dh, cache, truncate=None):
    N, T, H = dh.shape
    x0, _, _, _, Wx, Wh, _ = cache[0]
    dx = np.zeros((N, T, x0.shape[1]))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(H)
    dnext = np.zeros((N, H))
    for t in reversed(range(T)):
        x, h_prev, a, h, Wx, Wh, activation = cache[t]
        da = (dh[:, t] + dnext) * ((1 - h * h) if activation == "tanh" else (h > 0))
        dx[:, t] = da @ Wx.T
        dnext = da @ Wh.T
        dWx += x.T @ da
        dWh += h_prev.T @ da
        db += da.sum(axis=0)
    return dx, dnext, dWx, dWh, db


# %%
def numerical_gradient(f, x, dout=None, eps=1e-6):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    base = float(np.sum(f(x) * dout)) if dout is not None else float(np.sum(f(x)))
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        plus = float(np.sum(f(x) * dout)) if dout is not None else float(np.sum(f(x)))
        x[i] = old
        grad[i] = (plus - base) / eps
    return grad
