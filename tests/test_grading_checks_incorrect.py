"""Checks, outcome *incorrect*: known-wrong implementations get the intended diagnosis and points."""

from __future__ import annotations

import pytest
from grading_support import bug_namespace, check_source, define, grading_env, namespace

from rnn_course.grading import ITEMS, check


@pytest.fixture(autouse=True)
def _not_grading():
    with grading_env(None):
        yield


# (item, source of a wrong variant, status, points, fragments the message must contain)
BUGS = [
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


@pytest.mark.parametrize(("name", "source", "status", "points", "fragments"), BUGS,
                         ids=[f"{b[0]}-{i}" for i, b in enumerate(BUGS)])
def test_known_bug_gets_its_diagnosis(name, source, status, points, fragments):
    result = check_source(name, source)
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


FLOAT32 = [
    ("rnn_step_forward", '''
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    a = x.astype(np.float32) @ Wx.astype(np.float32) + h_prev.astype(np.float32) @ Wh.astype(np.float32) + b
    return (np.tanh(a) if activation == "tanh" else np.maximum(a, 0)).astype(np.float64), None
'''),
    ("softmax_cross_entropy", '''
def softmax_cross_entropy(logits, y, mask=None):
    loss, dlogits = REF(logits.astype(np.float32).astype(np.float64), y, mask)
    return float(np.float32(loss)), dlogits.astype(np.float32).astype(np.float64)
'''),
]


@pytest.mark.parametrize(("name", "source"), FLOAT32, ids=[f[0] for f in FLOAT32])
def test_float32_answers_get_the_same_score_every_time_and_are_told_why(name, source):
    """At a 1e-6 tolerance a float32 rnn_step_forward was correct on some random inputs and wrong on others (5 of 12
    runs), and softmax_cross_entropy scored 1.5 or 0: full or half marks by luck."""
    results = [check_source(name, source) for _ in range(8)]
    assert {r.points for r in results} == {0}, [r.text() for r in results]
    assert all("float32" in r.text() for r in results), results[0].text()


def test_both_off_by_one_truncations_are_called_off_by_one():
    """An off-by-one in truncation was diagnosed as "blocks counted from the end" (on 7 steps with k = 2 the two
    give the same gradient); the first case is now one where they differ, and ambiguity is said as such."""
    template = '''
def rnn_backward(dh, cache, truncate=None):
    step_caches, _ = cache
    N, T, H = dh.shape
    x_0, _, _, Wx, Wh, _ = step_caches[0]
    dx = np.zeros((N, T, x_0.shape[1]))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(H)
    dh_next = np.zeros((N, H))
    for t in reversed(range(T)):
        if truncate is not None and CUT:
            dh_next = np.zeros((N, H))
        dx[:, t], dh_next, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t] + dh_next, step_caches[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, dh_next, dWx, dWh, db
'''
    for cut in ("t % truncate == 0 and t > 0", "(t + 2) % truncate == 0"):
        text = check_source("rnn_backward[truncate]", template.replace("CUT", cut)).text()
        assert "off by one" in text and "counted from the end" not in text, (cut, text)


def test_clipping_each_array_by_its_own_norm_is_named_not_called_unclipped():
    text = check_source("train_step", '''
def train_step(params, x, y, optimizer, max_norm=5.0):
    from rnn_course import (embedding_backward, embedding_forward, rnn_backward, rnn_forward, softmax_cross_entropy,
                            temporal_affine_backward, temporal_affine_forward)
    N = x.shape[0]
    emb, ce = embedding_forward(x, params["W_embed"])
    h, cr = rnn_forward(emb, np.zeros((N, params["Wh"].shape[0])), params["Wx"], params["Wh"], params["b"])
    logits, ca = temporal_affine_forward(h, params["W_out"], params["b_out"])
    loss, dlogits = softmax_cross_entropy(logits, y)
    dh, dW_out, db_out = temporal_affine_backward(dlogits, ca)
    demb, _, dWx, dWh, db = rnn_backward(dh, cr)
    grads = {"W_embed": embedding_backward(demb, ce), "Wx": dWx, "Wh": dWh, "b": db, "W_out": dW_out, "b_out": db_out}
    for g in grads.values():
        norm = np.sqrt(np.sum(g * g))
        if norm > max_norm:
            g *= max_norm / norm
    optimizer.step(params, grads)
    return loss
''').text()
    assert "clipped by its own norm" in text and "not clipped" not in text, text


def test_a_precision_slip_in_the_forward_does_not_zero_the_backward():
    """The forward's own item loses its points for float32; the backward, checked on that forward's cache, is
    checked to float32 precision and keeps its points when its formulas are right."""
    ns = bug_namespace("02_bptt")
    ns["rnn_step_forward"] = define('''
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    h, cache = SOLUTION(x, h_prev, Wx, Wh, b, activation)
    return h.astype(np.float32), cache
''', dict(ns, SOLUTION=ns["rnn_step_forward"]), "rnn_step_forward")
    result = check("rnn_step_backward", ns["rnn_step_backward"], namespace=ns)
    assert result.points == ITEMS["rnn_step_backward"].points, result.text()
    assert "float32" in result.text()
