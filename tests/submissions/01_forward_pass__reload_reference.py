# %% [markdown]
# A deliberately broken submission for the grader's tests: it tries to get the reference back by reloading, reading or shelling out.

# %%
import numpy as np

# %%
import importlib
import subprocess

import rnn_course
import rnn_course.activations
import rnn_course.cells.rnn


def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    module = importlib.reload(rnn_course.cells.rnn)
    return module.rnn_step_forward(x, h_prev, Wx, Wh, b, activation)


def rnn_forward(x, h0, Wx, Wh, b, activation="tanh"):
    source = subprocess.run(["cat", rnn_course.cells.rnn.__file__], capture_output=True, text=True).stdout
    scope = {}
    exec(source, scope)
    return scope["rnn_forward"](x, h0, Wx, Wh, b, activation)


def softmax(x, axis=-1):
    scope = {}
    exec(open(rnn_course.activations.__file__).read(), scope)
    return scope["softmax"](x, axis)

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
