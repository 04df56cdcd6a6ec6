"""Every graded item, checked three ways in the notebook's own process (``check``):

* the solution notebook's function scores full marks,
* the generated exercise's stub is "not attempted",
* known-wrong implementations (the bugs students make) get the intended diagnosis and score.

Plus the feedback API around the checks: four distinct outcomes, hints, ``needs``, ``check_all``,
the student's global random state left alone, exceptions with the student's line.
"""

from __future__ import annotations

import numpy as np
import pytest
from grading_support import EXERCISE_SETS, ROOT, define, grading_env, load_notebook

from rnn_course.grading import EXERCISES, ITEMS, check, check_all, hint, needs
from rnn_course.grading.result import Result

_cache: dict = {}


def namespace(kind: str, exercise: str) -> dict:
    key = (kind, exercise)
    if key not in _cache:
        _cache[key] = load_notebook(ROOT / kind / f"{exercise}.py")
    return _cache[key]


ALL_ITEMS = [(item.exercise, item.name) for items in EXERCISES.values() for item in items]


@pytest.fixture(autouse=True)
def _not_grading():
    with grading_env(None):
        yield


@pytest.mark.parametrize(("exercise", "name"), ALL_ITEMS)
def test_solution_scores_full_marks(exercise, name):
    ns = namespace("solutions", exercise)
    item = ITEMS[name]
    result = check(name, ns[item.function])
    assert result.status == "correct", result
    assert result.points == item.points
    assert result.message == "correct"


@pytest.mark.parametrize(("exercise", "name"), ALL_ITEMS)
def test_exercise_stub_is_not_attempted(exercise, name):
    ns = namespace("exercises", exercise)
    result = check(name, ns[ITEMS[name].function])
    assert result.status == "not attempted", result
    assert result.points == 0
    assert "NotImplementedError" in result.message


@pytest.mark.parametrize("exercise", EXERCISE_SETS)
def test_check_all_on_solution_and_exercise(exercise):
    full = check_all(exercise, namespace("solutions", exercise))
    assert full.full_marks and full.score >= full.max_score > 0, full
    blank = check_all(exercise, namespace("exercises", exercise))
    assert blank.score == 0 and {r.status for r in blank.results} == {"not attempted"}, blank
    assert f"0 / {blank.max_score:g} points" in str(blank)
    assert "not attempted" in blank._repr_html_()
    bonus = sum(item.points for item in EXERCISES[exercise] if item.bonus)
    assert (f"(including {bonus:g} bonus)" in str(full)) == (bonus > 0), full  # why 12 / 10 is possible
    assert "bonus)" not in str(blank).splitlines()[0] and "bonus)" not in blank._repr_html_().split("</b>")[0]


# ---------------------------------------------------------------------------------------------
# known-wrong implementations: (item, source, status, points, fragments the message must contain)

BUGS = [
    # 01 forward pass
    ("rnn_step_forward", """
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    a = x @ Wx + h_prev @ Wh
    return (np.tanh(a) if activation == "tanh" else np.maximum(a, 0)), None
""", "incorrect", 0, ["h is wrong", "the bias b is not added"]),
    ("rnn_step_forward", """
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    return np.tanh(x @ Wx + h_prev @ Wh.T + b), None
""", "incorrect", 0, ["Wh is transposed"]),
    ("rnn_step_forward", """
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    return np.tanh(x @ Wx + h_prev @ Wh + b), None
""", "incorrect", 0, ["activation='relu'", "the activation argument is ignored"]),
    ("rnn_step_forward", """
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    a = x @ Wx.T + h_prev @ Wh + b
    return np.tanh(a), None
""", "error", 0, ["ValueError", "a = x @ Wx.T + h_prev @ Wh + b", "missing or extra transpose"]),
    ("rnn_forward", """
def rnn_forward(x, h0, Wx, Wh, b, activation="tanh"):
    N, T, D = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    prev = h0
    for t in range(T - 1):
        prev, _ = rnn_step_forward(x[:, t], prev, Wx, Wh, b, activation)
        h[:, t] = prev
    return h, None
""", "incorrect", 0, ["time steps t = ", "the last time step is never computed"]),
    ("rnn_forward", """
def rnn_forward(x, h0, Wx, Wh, b, activation="tanh"):
    hs, prev = [], h0
    for t in range(x.shape[1]):
        prev, _ = rnn_step_forward(x[:, t], prev, Wx, Wh, b, activation)
        hs.append(prev)
    return np.stack(hs), None
""", "incorrect", 0, ["time and batch axes are swapped"]),
    ("rnn_forward", """
def rnn_forward(x, h0, Wx, Wh, b, activation="tanh"):
    return rnn_step_stub(x[:, 0], h0, Wx, Wh, b), None

def rnn_step_stub(x, h_prev, Wx, Wh, b):
    raise NotImplementedError("write your code here")
""", "incorrect", 0, ["rnn_forward calls rnn_step_stub, which is not implemented yet"]),
    ("softmax", """
def softmax(x, axis=-1):
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)
""", "incorrect", 0, ["NaN", "subtract the maximum along the axis first", "overflow"]),
    ("softmax", """
def softmax(x, axis=-1):
    e = np.exp(x - x.max())
    return e / e.sum(axis=axis, keepdims=True)
""", "incorrect", 0, ["each row's own maximum"]),
    ("softmax", """
def softmax(x, axis=-1):
    x -= x.max(axis=axis, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)
""", "incorrect", 1, ["modified its input x in place", "half points"]),
    ("softmax", """
def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
""", "incorrect", 0, ["axis=0", "the axis argument is ignored"]),
    ("softmax_cross_entropy", """
def softmax_cross_entropy(logits, y, mask=None):
    loss, d = REF(logits, y, None)
    return loss, d
""", "incorrect", 0, ["mask is ignored"]),
    ("softmax_cross_entropy", """
def softmax_cross_entropy(logits, y, mask=None):
    N, T, V = logits.shape
    m = np.ones((N, T)) if mask is None else mask.astype(float)
    z = logits - logits.max(-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
    loss = -np.sum(np.take_along_axis(logp, y[..., None], -1)[..., 0] * m) / (N * T)
    d = np.exp(logp)
    np.put_along_axis(d, y[..., None], np.take_along_axis(d, y[..., None], -1) - 1, -1)
    return loss, d * m[..., None] / (N * T)
""", "incorrect", 0, ["averaged over all N*T positions"]),
    ("softmax_cross_entropy", """
def softmax_cross_entropy(logits, y, mask=None):
    return REF(logits, y, mask)[0]
""", "incorrect", 0, ["returned", "expected 2 values: loss, dlogits"]),
    # 02 BPTT
    ("rnn_step_backward", """
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    a = x @ Wx + h_prev @ Wh + b
    h = np.tanh(a) if activation == "tanh" else np.maximum(a, 0.0)
    return h, (x, h_prev, a, h, Wx, Wh, activation)

def rnn_step_backward(dh, cache):
    x, h_prev, a, h, Wx, Wh, activation = cache
    da = dh * (1 - a ** 2) if activation == "tanh" else dh * (a > 0)
    return da @ Wx.T, da @ Wh.T, x.T @ da, h_prev.T @ da, da.sum(0)
""", "incorrect", 0, ["from the pre-activation"]),
    ("rnn_step_backward", """
def rnn_step_backward(dh, cache):
    x, h_prev, h, Wx, Wh, activation = cache
    da = dh * (1 - h * h) if activation == "tanh" else dh * (h > 0)
    return da @ Wx.T, da @ Wh.T, x.T @ da, h_prev.T @ da, da
""", "incorrect", 2.4, ["db has shape", "sum over the batch"]),
    ("rnn_step_backward", """
def rnn_step_backward(dh, cache):
    x, h_prev, h, Wx, Wh, activation = cache
    da = dh * (1 - h * h) if activation == "tanh" else dh * (h > 0)
    return da @ Wx.T, da @ Wh.T, x.T @ da, h.T @ da, da.sum(0)
""", "incorrect", 2.4, ["dWh uses the step's output h"]),
    ("rnn_backward", """
def rnn_backward(dh, cache, truncate=None):
    step_caches, _ = cache
    N, T, H = dh.shape
    x0, _, _, Wx, Wh, _ = step_caches[0]
    dx = np.zeros((N, T, x0.shape[1])); dWx = np.zeros_like(Wx); dWh = np.zeros_like(Wh); db = np.zeros(H)
    for t in reversed(range(T)):
        dx[:, t], dh_prev, a, b_, c = rnn_step_backward(dh[:, t], step_caches[t])
        dWx += a; dWh += b_; db += c
    return dx, dh_prev, dWx, dWh, db
""", "incorrect", 0, ["is not added to dh[:, t]", "time steps t = "]),
    ("rnn_backward", """
def rnn_backward(dh, cache, truncate=None):
    step_caches, _ = cache
    N, T, H = dh.shape
    x0, _, _, Wx, Wh, _ = step_caches[0]
    dx = np.zeros((N, T, x0.shape[1])); dnext = np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t], dnext, dWx, dWh, db = rnn_step_backward(dh[:, t] + dnext, step_caches[t])
    return dx, dnext, dWx, dWh, db
""", "incorrect", 1.2, ["accumulate dWx, dWh and db over time"]),
    ("rnn_backward[truncate]", """
def rnn_backward(dh, cache, truncate=None):
    return FULL(dh, cache)
""", "incorrect", 0, ["truncate is ignored"]),
    ("rnn_backward[truncate]", """
def rnn_backward(dh, cache, truncate=None):
    step_caches, _ = cache
    N, T, H = dh.shape
    x0, _, _, Wx, Wh, _ = step_caches[0]
    dx = np.zeros((N, T, x0.shape[1])); dWx = np.zeros_like(Wx); dWh = np.zeros_like(Wh); db = np.zeros(H)
    dnext = np.zeros((N, H))
    for t in reversed(range(T)):
        if truncate is not None and t % truncate == 0 and t > 0:
            dnext = np.zeros((N, H))
        dx[:, t], dnext, a, b_, c = rnn_step_backward(dh[:, t] + dnext, step_caches[t])
        dWx += a; dWh += b_; db += c
    return dx, dnext, dWx, dWh, db
""", "incorrect", 0, ["the blocks are off by one step"]),
    ("rnn_backward[truncate]", """
def rnn_backward(dh, cache):
    return FULL(dh, cache)
""", "error", 0, ["unexpected keyword argument", "truncate=None"]),
    ("numerical_gradient", """
def numerical_gradient(f, x, dout=None, eps=1e-6):
    x = np.array(x, dtype=float)
    L = lambda v: float(np.sum(f(v) * dout)) if dout is not None else float(np.sum(f(v)))
    base, g = L(x), np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]; x[i] = old + eps; g[i] = (L(x) - base) / eps; x[i] = old
    return g
""", "incorrect", 0, ["one-sided difference"]),
    ("numerical_gradient", """
def numerical_gradient(f, x, dout=None, eps=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps; plus = float(np.sum(f(x) if dout is None else f(x) * dout))
        x[i] = old - eps; minus = float(np.sum(f(x) if dout is None else f(x) * dout))
        g[i] = (plus - minus) / (2 * eps)
    return g
""", "incorrect", 0, ["modified its input x in place"]),
    # 03 gradients
    ("jacobian_norms", """
def jacobian_norms(Wh, h):
    T, H = h.shape
    M, out = np.eye(H), [1.0]
    for t in range(T - 1, 0, -1):
        M = M @ Wh.T
        out.append(np.linalg.norm(M, 2))
    return np.array(out)
""", "incorrect", 0, ["the tanh' factors are missing"]),
    ("jacobian_norms", """
def jacobian_norms(Wh, h):
    T, H = h.shape
    M, out = np.eye(H), [1.0]
    for t in range(T - 1, 0, -1):
        M = ((1 - h[t] ** 2)[:, None] * Wh.T) @ M
        out.append(np.linalg.norm(M, 2))
    return np.array(out)
""", "incorrect", 0, ["lags ", "wrong order"]),
    ("clip_grad_norm", """
def clip_grad_norm(grads, max_norm):
    total = 0.0
    for g in grads.values():
        n = np.linalg.norm(g)
        total += n * n
        if n > max_norm:
            g *= max_norm / n
    return np.sqrt(total)
""", "incorrect", 1.5, ["grads", "clipped by its own norm"]),
    ("clip_grad_norm", """
def clip_grad_norm(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    for g in grads.values():
        if norm > 0:
            g *= max_norm / norm
    return norm
""", "incorrect", 1.5, ["even when their norm is below max_norm"]),
    ("clip_grad_norm", """
def clip_grad_norm(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    if norm > max_norm:
        for g in grads.values():
            g *= max_norm / norm
    return min(norm, max_norm)
""", "incorrect", 1.5, ["norm after clipping"]),
    ("gradient_fate", """
def gradient_fate(Wh):
    s = np.linalg.norm(Wh, 2)
    return ("vanish" if s < 1 else "explode"), s
""", "incorrect", 0, ["non-normal", "largest singular value"]),
    ("gradient_fate", """
def gradient_fate(Wh):
    r = np.max(np.linalg.eigvals(Wh).real)
    return ("vanishes" if r < 1 else "explodes"), r
""", "incorrect", 0, ["largest real part"]),
    # 04 gates
    ("lstm_step_forward", """
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    i, f, o, g = sigmoid(a[:, :H]), sigmoid(a[:, H:2*H]), sigmoid(a[:, 2*H:3*H]), np.tanh(a[:, 3*H:])
    c = f * c_prev + i * g
    return o * np.tanh(c), c, None
""", "incorrect", 0, ["i, f, o, g (CS231n's)"]),
    ("lstm_step_forward", """
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    i, f, g, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2*H]), np.tanh(a[:, 2*H:3*H]), sigmoid(a[:, 3*H:])
    c = f * c_prev + i * g
    return o * c, c, None
""", "incorrect", 1.5, ["c right; h wrong", "missing the tanh"]),
    ("lstm_step_backward", """
def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, i, f, g, o, tanh_c, Wx, Wh = cache
    dct = dc + dh * o * (1 - tanh_c ** 2)
    da = np.concatenate([dct*g*i*(1-i), dct*c_prev*f*(1-f), dct*i*(1-g*g), dh*tanh_c*o*(1-o)], axis=1)
    return da @ Wx.T, da @ Wh.T, dct, x.T @ da, h_prev.T @ da, da.sum(0)
""", "incorrect", round(4 * 5 / 6, 2), ["dc_prev", "missing the forget gate"]),
    ("lstm_step_backward", """
def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, i, f, g, o, tanh_c, Wx, Wh = cache
    dct = dc + dh * o * (1 - tanh_c ** 2)
    da = np.concatenate([dct*c_prev*f*(1-f), dct*g*i*(1-i), dct*i*(1-g*g), dh*tanh_c*o*(1-o)], axis=1)
    return da @ Wx.T, da @ Wh.T, dct * f, x.T @ da, h_prev.T @ da, da.sum(0)
""", "incorrect", round(4 / 6, 2), ["gate blocks are in the order f, i, g, o"]),
    ("gru_step_forward", """
def gru_step_forward(x, h_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    r = sigmoid(x @ Wx[:, :H] + h_prev @ Wh[:, :H] + b[:H])
    z = sigmoid(x @ Wx[:, H:2*H] + h_prev @ Wh[:, H:2*H] + b[H:2*H])
    n = np.tanh(x @ Wx[:, 2*H:] + r * (h_prev @ Wh[:, 2*H:]) + b[2*H:])
    return (1 - z) * n + z * h_prev, None
""", "incorrect", 0, ["PyTorch's GRU"]),
    ("gru_step_forward", """
def gru_step_forward(x, h_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    r = sigmoid(x @ Wx[:, :H] + h_prev @ Wh[:, :H] + b[:H])
    z = sigmoid(x @ Wx[:, H:2*H] + h_prev @ Wh[:, H:2*H] + b[H:2*H])
    n = np.tanh(x @ Wx[:, 2*H:] + (r * h_prev) @ Wh[:, 2*H:] + b[2*H:])
    return z * n + (1 - z) * h_prev, None
""", "incorrect", 0, ["z and 1 - z are swapped"]),
    ("gru_step_backward", """
def gru_step_backward(dh, cache):
    x, hp, r, z, n, Wx, Wh = cache
    H = hp.shape[1]
    da_n = dh * (1 - z) * (1 - n * n)
    d_rh = da_n @ Wh[:, 2*H:].T
    da = np.concatenate([d_rh * hp * r * (1 - r), dh * (hp - n) * z * (1 - z), da_n], axis=1)
    dh_prev = d_rh * r + da[:, :2*H] @ Wh[:, :2*H].T
    dWh = np.concatenate([hp.T @ da[:, :2*H], (r * hp).T @ da_n], axis=1)
    return da @ Wx.T, dh_prev, x.T @ da, dWh, da.sum(0)
""", "incorrect", 1.6, ["dh_prev", "missing the direct path"]),
    # 05 language model
    ("sample_next_token", """
def sample_next_token(logits, rng, temperature=1.0, top_k=None):
    return SOLUTION(logits * temperature * temperature, rng, temperature, top_k)
""", "incorrect", 1, ["multiplied by the temperature"]),
    ("sample_next_token", """
def sample_next_token(logits, rng, temperature=1.0, top_k=None):
    return SOLUTION(logits, rng, temperature, None if top_k is None else top_k + 1)
""", "incorrect", 2, ["one symbol too many"]),
    ("sample_next_token", """
def sample_next_token(logits, rng, temperature=1.0, top_k=None):
    return SOLUTION(logits, np.random.default_rng(), temperature, top_k)
""", "incorrect", 2, ["seeded the same way drew different symbols"]),
    ("train_step", """
def train_step(params, x, y, optimizer, max_norm=5.0):
    return SOLUTION(params, x, y, optimizer, max_norm=1e12)
""", "incorrect", round(4 / 3, 2), ["gradients are not clipped", "not run"]),
    ("generate", """
def generate(params, start_ids, length, rng, temperature=1.0, top_k=None):
    N, P = start_ids.shape
    h = np.zeros((N, params["Wh"].shape[0]))
    step = lambda ids, h: np.tanh(params["W_embed"][ids] @ params["Wx"] + h @ params["Wh"] + params["b"])
    for t in range(P):
        h = step(start_ids[:, t], h)
    out = np.empty((N, length), dtype=np.int64)
    for t in range(length):
        out[:, t] = sample_next_token(h @ params["W_out"] + params["b_out"], rng, temperature, top_k)
        h = step(start_ids[:, -1], h)
    return out
""", "incorrect", 1.5, ["not fed back"]),
]

# Slips found by working through the exercises as a student: each got a generic "wrong at n entries" (or, for a
# naive cross-entropy, sometimes full marks, depending on the random draw) before it got its own diagnosis.
BUGS += [
    ("softmax_cross_entropy", """
def softmax_cross_entropy(logits, y, mask=None):
    N, T, V = logits.shape
    m = np.ones((N, T)) if mask is None else mask.astype(float)
    z = logits - logits.max(-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
    onehot = np.eye(V)[y]
    loss = -((logp * onehot).sum(-1) * m).sum() / m.sum()
    return loss, (np.exp(logp) - onehot) / m.sum()
""", "incorrect", 1.5, ["loss right; dlogits wrong", "dlogits is not masked"]),
    ("softmax_cross_entropy", """
def softmax_cross_entropy(logits, y, mask=None):
    N, T, V = logits.shape
    m = np.ones((N, T)) if mask is None else mask.astype(float)
    e = np.exp(logits)
    p = e / e.sum(-1, keepdims=True)
    onehot = np.eye(V)[y]
    loss = -(np.log((p * onehot).sum(-1)) * m).sum() / m.sum()
    return loss, (p - onehot) * m[..., None] / m.sum()
""", "incorrect", 0, ["large logits", "exp overflows at large logits"]),
    ("softmax_cross_entropy", """
def softmax_cross_entropy(logits, y, mask=None):
    N, T, V = logits.shape
    m = np.ones((N, T)) if mask is None else mask.astype(float)
    z = logits - logits.max(-1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(-1, keepdims=True)
    onehot = np.eye(V)[y]
    loss = -(np.log((p * onehot).sum(-1)) * m).sum() / m.sum()
    return loss, (p - onehot) * m[..., None] / m.sum()
""", "incorrect", 1.5, ["loss is inf", "log(softmax(x)) underflows to log(0)"]),
    ("rnn_forward", """
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    a = x @ Wx + h_prev @ Wh.T + b
    return (np.tanh(a) if activation == "tanh" else np.maximum(a, 0.0)), None

def rnn_forward(x, h0, Wx, Wh, b, activation="tanh"):
    hs, prev = [], h0
    for t in range(x.shape[1]):
        prev, _ = rnn_step_forward(x[:, t], prev, Wx, Wh, b, activation)
        hs.append(prev)
    return np.stack(hs, axis=1), None
""", "incorrect", 0, ["Your rnn_step_forward is not right yet", "fix rnn_step_forward first"]),
    ("rnn_step_backward", """
def rnn_step_backward(dh, cache):
    x, h_prev, h, Wx, Wh, activation = cache
    da = dh * (1 - h * h) if activation == "tanh" else dh * (h > 0)
    return da @ Wx.T, da @ Wh.T, x.T @ da, h_prev.T @ da, da.mean(0)
""", "incorrect", 2.4, ["db is the mean of da over the batch"]),
    ("rnn_backward", """
def rnn_backward(dh, cache, truncate=None):
    step_caches, _ = cache
    N, T, H = dh.shape
    dx = np.zeros((N, T, step_caches[0][0].shape[1])); dWx = dWh = db = 0.0
    carry = total = np.zeros((N, H))
    for t in reversed(range(T)):
        total = dh[:, t] + carry
        dx[:, t], carry, a, b_, c = rnn_step_backward(total, step_caches[t])
        dWx = dWx + a; dWh = dWh + b_; db = db + c
    return dx, total, dWx, dWh, db
""", "incorrect", 2.4, ["dh0 wrong", "the dh_prev it returns"]),
    ("rnn_backward", """
def rnn_backward(dh, cache, truncate=None):
    step_caches, _ = cache
    N, T, H = dh.shape
    dx = np.zeros((N, T, step_caches[0][0].shape[1])); dWx = dWh = db = 0.0
    carry = np.zeros((N, H))
    for t in range(T):
        dx[:, t], carry, a, b_, c = rnn_step_backward(dh[:, t] + carry, step_caches[t])
        dWx = dWx + a; dWh = dWh + b_; db = db + c
    return dx, carry, dWx, dWh, db
""", "incorrect", 0, ["the loop runs forwards in time"]),
    ("rnn_backward", """
def rnn_step_backward(dh, cache):
    x, h_prev, h, Wx, Wh, activation = cache
    da = dh * (1 - h * h) if activation == "tanh" else dh * (h > 0)
    return da @ Wx.T, da @ Wh, x.T @ da, h_prev.T @ da, da.sum(0)

def rnn_backward(dh, cache, truncate=None):
    step_caches, _ = cache
    N, T, H = dh.shape
    dx = np.zeros((N, T, step_caches[0][0].shape[1])); dWx = dWh = db = 0.0
    carry = np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t], carry, a, b_, c = rnn_step_backward(dh[:, t] + carry, step_caches[t])
        dWx = dWx + a; dWh = dWh + b_; db = db + c
    return dx, carry, dWx, dWh, db
""", "incorrect", 0, ["Your rnn_step_backward is not right yet", "fix rnn_step_backward first"]),
    ("numerical_gradient", """
def numerical_gradient(f, x, dout=None, eps=1e-6):
    x = np.array(x, dtype=float); g = np.zeros_like(x)
    L = lambda v: float(np.sum(f(v) if dout is None else f(v) * dout))
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps; plus = L(x)
        x[i] = old - eps; minus = L(x)
        g[i] = (plus - minus) / (2 * eps)
    return g
""", "incorrect", 0, ["x[i] is not put back"]),
    ("jacobian_norms", """
def jacobian_norms(Wh, h):
    T, H = h.shape
    out, running = [1.0], 1.0
    for t in range(T - 1, 0, -1):
        running *= np.linalg.norm((1 - h[t] ** 2)[:, None] * Wh.T, 2)
        out.append(running)
    return np.array(out)
""", "incorrect", 0, ["multiplies the norms of the one-step Jacobians"]),
    ("jacobian_norms", """
def jacobian_norms(Wh, h):
    T, H = h.shape
    M, out = np.eye(H), [1.0]
    for t in range(T - 1, 0, -1):
        M = M @ ((1 - h[t] ** 2)[:, None] * Wh.T)
        out.append(np.linalg.norm(M, 2))
    return np.array(out[::-1])
""", "incorrect", 0, ["the norms are in reverse order"]),
    ("lstm_step_backward", """
def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, i, f, g, o, tanh_c, Wx, Wh = cache
    dct = dc + dh * o
    da = np.concatenate([dct*g*i*(1-i), dct*c_prev*f*(1-f), dct*i*(1-g*g), dh*tanh_c*o*(1-o)], axis=1)
    return da @ Wx.T, da @ Wh.T, dct * f, x.T @ da, h_prev.T @ da, da.sum(0)
""", "incorrect", 0, ["missing tanh'(c)"]),
    ("gru_step_forward", """
def gru_step_forward(x, h_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    r = sigmoid(x @ Wx[:, :H] + h_prev @ Wh[:, :H] + b[:H])
    z = np.tanh(x @ Wx[:, H:2*H] + h_prev @ Wh[:, H:2*H] + b[H:2*H])
    n = np.tanh(x @ Wx[:, 2*H:] + (r * h_prev) @ Wh[:, 2*H:] + b[2*H:])
    return (1 - z) * n + z * h_prev, None
""", "incorrect", 0, ["the update gate z goes through tanh"]),
]


def _bug_namespace(item):
    """The solution notebook's namespace, plus its correct functions under names a wrong variant can build on."""
    ns = dict(namespace("solutions", item.exercise))
    ns["REF"] = ns.get("softmax_cross_entropy")
    ns["FULL"] = ns.get("rnn_backward")
    ns["SOLUTION"] = ns.get(item.function)
    return ns


@pytest.mark.parametrize(("name", "source", "status", "points", "fragments"), BUGS,
                         ids=[f"{b[0]}-{i}" for i, b in enumerate(BUGS)])
def test_known_bug_gets_its_diagnosis(name, source, status, points, fragments):
    item = ITEMS[name]
    ns = _bug_namespace(item)
    fn = define(source, ns, item.function)
    result = check(name, fn)
    text = result.text()
    assert result.status == status, text
    assert result.points == pytest.approx(points, abs=0.01), text
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in {text!r}"


def test_messages_never_show_expected_values():
    """A wrong answer's message names shapes, places and error sizes, never the reference's numbers."""
    ns = namespace("solutions", "01_forward_pass")
    fn = define("""
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    return np.tanh(x @ Wx + h_prev @ Wh), None
""", ns, "rnn_step_forward")
    text = check("rnn_step_forward", fn).text()
    numbers = [float(t) for t in __import__("re").findall(r"-?\d+\.\d{3,}", text)]
    assert numbers == [], text


# ---------------------------------------------------------------------------------------------
# the reference implementation, in every disguise


def test_calling_the_reference_scores_zero_however_it_is_reached():
    import rnn_course
    from rnn_course import cells
    from rnn_course.cells import rnn as rnn_module

    ways = {
        "package attribute": lambda x, h, Wx, Wh, b, activation="tanh": rnn_course.rnn_step_forward(x, h, Wx, Wh, b,
                                                                                                     activation),
        "imported name": lambda x, h, Wx, Wh, b, activation="tanh": rnn_module.rnn_step_forward(x, h, Wx, Wh, b,
                                                                                                 activation),
        "CELLS table": lambda x, h, Wx, Wh, b, activation="tanh": (
            cells.CELLS["rnn"].forward(x[:, None], h, Wx, Wh, b)[0][:, 0], None),
        "the reference itself": rnn_course.rnn_step_forward,
    }
    for label, fn in ways.items():
        result = check("rnn_step_forward", fn, namespace={})
        assert result.status == "incorrect" and result.points == 0, (label, result)
        assert "reference implementation" in result.message, (label, result)


def test_swallowing_the_trap_does_not_help():
    import rnn_course

    def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
        try:
            return rnn_course.rnn_step_forward(x, h_prev, Wx, Wh, b, activation)
        except Exception:  # noqa: BLE001
            a = x @ Wx + h_prev @ Wh + b
            return (np.tanh(a) if activation == "tanh" else np.maximum(a, 0)), None

    result = check("rnn_step_forward", rnn_step_forward)
    assert result.points == 0 and "reference implementation" in result.message


def test_a_verbatim_copy_of_the_reference_scores_zero():
    import inspect

    from rnn_course import activations

    source = inspect.getsource(activations.softmax)
    fn = define(source, {"np": np}, "softmax")
    result = check("softmax", fn)
    assert result.points == 0 and "verbatim copy" in result.message, result


def test_reference_functions_are_untouched_after_a_check():
    import inspect

    import rnn_course

    before = inspect.signature(rnn_course.rnn_forward)
    check("rnn_forward", lambda *a, **k: rnn_course.rnn_forward(*a, **k))
    assert inspect.signature(rnn_course.rnn_forward) == before
    h, _ = rnn_course.rnn_forward(np.zeros((1, 2, 3)), np.zeros((1, 4)), np.zeros((3, 4)), np.zeros((4, 4)),
                                  np.zeros(4))
    assert h.shape == (1, 2, 4)


def test_package_code_may_call_a_forbidden_reference_for_the_student():
    """gradcheck uses numerical_gradient internally: a student checking gradients inside a graded function is fine."""
    from rnn_course import gradcheck_layer
    from rnn_course.grading.isolation import references

    ns = namespace("solutions", "02_bptt")
    with references.armed(["rnn_course.gradcheck:numerical_gradient"], "numerical_gradient") as calls:
        report = gradcheck_layer(ns["rnn_step_forward"], ns["rnn_step_backward"],
                                 dict(x=np.ones((1, 2)), h_prev=np.zeros((1, 2)), Wx=np.eye(2) * 0.5,
                                      Wh=np.eye(2) * 0.3, b=np.zeros(2)))
    assert report.ok and calls == []


# ---------------------------------------------------------------------------------------------
# the feedback API


def test_checks_leave_the_global_random_state_alone():
    ns = namespace("solutions", "05_language_model")
    state = np.random.get_state(legacy=False)  # noqa: NPY002 - the state a student's notebook would see
    check("sample_next_token", ns["sample_next_token"])
    check("rnn_step_forward", namespace("solutions", "01_forward_pass")["rnn_step_forward"])
    after = np.random.get_state(legacy=False)  # noqa: NPY002
    assert np.array_equal(state["state"]["key"], after["state"]["key"]) and state["state"]["pos"] == after["state"][
        "pos"]


def test_checks_use_fresh_inputs_each_time():
    seen = []

    def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
        seen.append(x.copy())
        a = x @ Wx + h_prev @ Wh + b
        return (np.tanh(a) if activation == "tanh" else np.maximum(a, 0)), None

    check("rnn_step_forward", rnn_step_forward)
    first = list(seen)
    seen.clear()
    check("rnn_step_forward", rnn_step_forward)
    assert not np.array_equal(first[0], seen[0])
    shapes = {s.shape for s in first}
    assert (1, 1) in shapes  # the N=1, D=1 edge case


def test_four_outcomes_are_distinct_and_show_in_html():
    ns = namespace("solutions", "01_forward_pass")
    outcomes = {
        "correct": check("softmax", ns["softmax"]),
        "not attempted": check("softmax", define("def softmax(x, axis=-1):\n    raise NotImplementedError\n",
                                                 ns, "softmax")),
        "error": check("softmax", define("def softmax(x, axis=-1):\n    return x.nope\n", ns, "softmax")),
        "incorrect": check("softmax", define("def softmax(x, axis=-1):\n    return x * 0.0\n", ns, "softmax")),
    }
    for status, result in outcomes.items():
        assert isinstance(result, Result) and result.status == status, result
        assert status in result._repr_html_() and status in str(result)
    assert "AttributeError" in outcomes["error"].message and "return x.nope" in outcomes["error"].message
    assert "all zeros" in outcomes["incorrect"].text()


def test_hints_count_up_and_stop_at_the_last():
    item = ITEMS["rnn_backward"]
    shown = [hint("rnn_backward") for _ in range(len(item.hints) + 1)]
    assert [h.number for h in shown] == [*range(1, len(item.hints) + 1), len(item.hints)]
    assert hint("rnn_backward", 1).text == item.hints[0]
    assert "Hint 1 of" in hint("rnn_backward", 1)._repr_html_()
    with pytest.raises(ValueError, match="number: expected a hint number from 1 to"):
        hint("rnn_backward", 99)
    with pytest.raises(ValueError, match="did you mean 'rnn_forward'"):
        check("rnn_forwad", None)


def test_every_item_has_hints_and_a_summary():
    for item in ITEMS.values():
        assert len(item.hints) >= 2 and item.summary, item.name
        assert item.function in item.name


def test_needs_explains_a_stub_and_lets_real_errors_through(capsys):
    def stub():
        raise NotImplementedError("write your code here")

    with needs("rnn_forward"):
        stub()
    assert "needs rnn_forward, which is not implemented yet" in capsys.readouterr().out
    with pytest.raises(ZeroDivisionError), needs("rnn_forward"):
        _ = 1 / 0


def test_checks_are_skipped_inside_the_grader():
    with grading_env("1"):
        result = check("softmax", lambda x, axis=-1: x)
        assert result.status == "skipped" and result.points == 0
        assert check_all("01_forward_pass", {}).skipped
