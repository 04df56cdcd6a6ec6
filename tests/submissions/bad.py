"""Broken (not hostile) submissions: each is its set's solution notebook with a few changes (grading_support).

``BAD[file name] = changes`` for ``grading_support.write_submission``: ``replace`` a function (None deletes
it), add cells ``before`` the first definition or ``after`` the last. Every function a submission does not
change is the solution's, so what the test expects of it is "correct" unless it calls a broken one.
"""

STEP_NAN = '''
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    return np.full((x.shape[0], Wh.shape[0]), np.nan), None
'''

CE_FLOAT32 = '''
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
'''

CE_FLAT = CE_FLOAT32.replace(".astype(np.float32)", ".reshape(N * T, V)")

BAD = {
    "01_forward_pass__raises.py": dict(replace={"rnn_step_forward": '''
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    a = x @ Wx + h_prev @ Wh + b
    raise ValueError("shapes do not match, sorry")
'''}),
    "01_forward_pass__infinite_loop.py": dict(replace={"softmax": '''
def softmax(x, axis=-1):
    while True:
        pass
'''}),
    "01_forward_pass__top_level_loop.py": dict(before=["while True:\n    pass"]),
    "01_forward_pass__sys_exit.py": dict(before=['import sys\n\nsys.exit("leaving early")'], replace={"rnn_forward": '''
def rnn_forward(x, h0, Wx, Wh, b, activation="tanh"):
    sys.exit(1)
'''}),
    "01_forward_pass__os_exit.py": dict(before=["import os", "os._exit(3)"], replace={"softmax_cross_entropy": '''
def softmax_cross_entropy(logits, y, mask=None):
    os._exit(0)
'''}),
    "01_forward_pass__output_flood.py": dict(before=['for _ in range(20):\n    print("x" * 1_000_000)'], replace={
        "rnn_step_forward": '''
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    print("y" * 100_000)
    a = x @ Wx + h_prev @ Wh + b
    return (np.tanh(a) if activation == "tanh" else np.maximum(a, 0.0)), None
'''}),
    "01_forward_pass__bad_values.py": dict(replace={
        "rnn_step_forward": STEP_NAN,
        "rnn_forward": '''
def rnn_forward(x, h0, Wx, Wh, b, activation="tanh"):
    h = np.zeros((x.shape[0], x.shape[1], h0.shape[1]))
    # forgot the return statement
''',
        "softmax": '''
def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return (e / e.sum(axis=axis, keepdims=True)).T
''',
        "softmax_cross_entropy": CE_FLOAT32}),
    "01_forward_pass__wrong_shapes.py": dict(replace={
        "rnn_forward": '''
def rnn_forward(x, h0, Wx, Wh, b, activation="tanh"):
    hs, prev = [], h0
    for t in range(x.shape[1]):
        prev, _ = rnn_step_forward(x[:, t], prev, Wx, Wh, b, activation)
        hs.append(prev)
    return np.stack(hs), None
''',
        "softmax_cross_entropy": CE_FLAT}),
    "01_forward_pass__mutation.py": dict(replace={"softmax": '''
def softmax(x, axis=-1):
    x -= x.max(axis=axis, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)
'''}),
    "01_forward_pass__calls_reference.py": dict(
        before=["import rnn_course\nfrom rnn_course.cells.rnn import rnn_forward as reference_rnn_forward"],
        replace={
            "rnn_step_forward": '''
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    return rnn_course.rnn_step_forward(x, h_prev, Wx, Wh, b, activation)
''',
            "rnn_forward": '''
def rnn_forward(x, h0, Wx, Wh, b, activation="tanh"):
    return reference_rnn_forward(x, h0, Wx, Wh, b, activation)
''',
            "softmax": '''
def softmax(x, axis=-1):
    return rnn_course.activations.softmax(x, axis)
''',
            "softmax_cross_entropy": '''
def softmax_cross_entropy(logits, y, mask=None):
    try:
        return rnn_course.losses.softmax_cross_entropy(logits, y, mask)
    except Exception:
        return 0.0, np.zeros_like(logits)
'''}),
    "01_forward_pass__reload_reference.py": dict(
        before=["import importlib\nimport subprocess\n\nimport rnn_course\nimport rnn_course.activations\n"
                "import rnn_course.cells.rnn"],
        replace={
            "rnn_step_forward": '''
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    module = importlib.reload(rnn_course.cells.rnn)
    return module.rnn_step_forward(x, h_prev, Wx, Wh, b, activation)
''',
            "rnn_forward": '''
def rnn_forward(x, h0, Wx, Wh, b, activation="tanh"):
    source = subprocess.run(["cat", rnn_course.cells.rnn.__file__], capture_output=True, text=True).stdout
    scope = {}
    exec(source, scope)
    return scope["rnn_forward"](x, h0, Wx, Wh, b, activation)
''',
            "softmax": '''
def softmax(x, axis=-1):
    scope = {}
    exec(open(rnn_course.activations.__file__).read(), scope)
    return scope["softmax"](x, axis)
'''}),
    "01_forward_pass__forge.py": dict(
        before=['''
import json

print(json.dumps({"submissions": [{"path": "me", "score": 10, "max_score": 10, "items": []}]}))

import rnn_course.grading.isolation.harness as harness


def _fake(self, request, blobs):
    return {"status": "ok", "value": {"t": "float", "v": "1.0"}, "score": 10, "points": 10}, []


harness.Harness._call = _fake
harness.Harness.handle = lambda self, request, blobs: _fake(self, request, blobs)
''']),
    "01_forward_pass__memory_bomb.py": dict(before=["too_big = np.ones((60_000, 60_000))"], replace={"rnn_forward": '''
def rnn_forward(x, h0, Wx, Wh, b, activation="tanh"):
    scratch = np.ones((50_000, 50_000))
    return scratch, None
'''}),
    "01_forward_pass__renamed.py": dict(replace={"rnn_step_forward": '''
def rnn_step_fwd(x, h_prev, Wx, Wh, b, activation="tanh"):
    a = x @ Wx + h_prev @ Wh + b
    return (np.tanh(a) if activation == "tanh" else np.maximum(a, 0.0)), None
'''}),
    "01_forward_pass__empty.py": dict(
        replace=dict.fromkeys(("rnn_step_forward", "rnn_forward", "softmax", "softmax_cross_entropy")),
        before=['print("I will do it tomorrow")']),
    "02_bptt__bugs.py": dict(replace={
        "rnn_step_backward": '''
def rnn_step_backward(dh, cache):
    x, h_prev, h, Wx, Wh, activation = cache
    a = np.arctanh(h) if activation == "tanh" else h  # the pre-activation again, to take tanh' from it: the slip
    da = dh * (1 - a ** 2) if activation == "tanh" else dh * (a > 0)
    return da @ Wx.T, da @ Wh.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)
''',
        "rnn_backward": '''
def rnn_backward(dh, cache, truncate=None):
    step_caches, _ = cache
    N, T, H = dh.shape
    x0, _, _, Wx, Wh, _ = step_caches[0]
    dx = np.zeros((N, T, x0.shape[1]))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(H)
    dnext = np.zeros((N, H))
    for t in reversed(range(T)):
        x, h_prev, h, Wx, Wh, activation = step_caches[t]
        da = (dh[:, t] + dnext) * ((1 - h * h) if activation == "tanh" else (h > 0))
        dx[:, t] = da @ Wx.T
        dnext = da @ Wh.T
        dWx += x.T @ da
        dWh += h_prev.T @ da
        db += da.sum(axis=0)
    return dx, dnext, dWx, dWh, db
''',
        "numerical_gradient": '''
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
'''}),
    "03_gradients__bugs.py": dict(replace={
        "jacobian_norms": '''
def jacobian_norms(Wh, h):
    T, H = h.shape
    product, norms = np.eye(H), [np.sqrt(H)]
    for t in range(T - 1, 0, -1):
        product = product @ ((1 - h[t] ** 2)[:, None] * Wh.T)
        norms.append(np.linalg.norm(product))
    return np.array(norms)
''',
        "clip_grad_norm": '''
def clip_grad_norm(grads, max_norm):
    total = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    for g in grads.values():
        n = np.linalg.norm(g)
        if n > max_norm:
            g *= max_norm / n
    return total
''',
        "gradient_fate": '''
def gradient_fate(Wh):
    s = np.linalg.norm(Wh, 2)
    return ("vanish" if s < 1 else "explode"), s
'''}),
    "04_gates__bugs.ipynb": dict(replace={
        "lstm_step_backward": '''
def lstm_step_backward(dh, dc, cache):
    x, h_prev, c_prev, i, f, g, o, tanh_c, Wx, Wh = cache
    dc_total = dh * o * (1 - tanh_c ** 2)
    da = np.concatenate([dc_total * g * i * (1 - i), dc_total * c_prev * f * (1 - f), dc_total * i * (1 - g * g),
                         dh * tanh_c * o * (1 - o)], axis=1)
    return da @ Wx.T, da @ Wh.T, dc_total * f, x.T @ da, h_prev.T @ da, da.sum(axis=0)
''',
        "gru_step_forward": '''
def gru_step_forward(x, h_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    r = sigmoid(x @ Wx[:, :H] + h_prev @ Wh[:, :H] + b[:H])
    z = sigmoid(x @ Wx[:, H:2 * H] + h_prev @ Wh[:, H:2 * H] + b[H:2 * H])
    n = np.tanh(x @ Wx[:, 2 * H:] + r * (h_prev @ Wh[:, 2 * H:]) + b[2 * H:])
    return (1 - z) * n + z * h_prev, (x, h_prev, r, z, n, Wx, Wh)
'''}),
    "05_language_model__bugs.py": dict(replace={  # the solution imports the layers train_step uses
        "sample_next_token": '''
def sample_next_token(logits, rng, temperature=1.0, top_k=None):
    z = np.asarray(logits, dtype=float) * temperature
    if top_k is not None:
        kth = np.sort(z, axis=1)[:, -top_k][:, None]
        z = np.where(z >= kth, z, -np.inf)
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return (np.cumsum(p, axis=1) > rng.random((p.shape[0], 1))).argmax(axis=1)
''',
        "train_step": '''
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
''',
        "generate": '''
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
'''}),
}
