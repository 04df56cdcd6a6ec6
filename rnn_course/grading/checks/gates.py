"""Exercise 04, gates: lstm_step_forward, lstm_step_backward, gru_step_forward, gru_step_backward (bonus).

Gate blocks follow DESIGN.md: LSTM i, f, g, o (PyTorch's order), GRU r, z, n
with the reset gate applied before the matrix product (Cho et al. 2014). The
known-wrong variants include the other conventions students meet elsewhere
(CS231n's i, f, o, g; PyTorch's GRU with the reset after the product), so the
message can say which convention a wrong answer follows.
"""

from __future__ import annotations

import numpy as np

from ... import cells
from ...activations import sigmoid
from .common import case_label
from .framework import Bug, Case, Item, Out, check_backward, check_outputs

EXERCISE = "04_gates"
_FORBID = ("rnn_course.cells", "rnn_course.wrappers", "rnn_course.carousel")


def _gate_inputs(rng, N, D, H, G, *, scale=0.7):
    x = rng.standard_normal((N, D))
    h_prev = rng.uniform(-0.9, 0.9, (N, H))
    Wx = scale * rng.standard_normal((D, G * H)) / np.sqrt(D)
    Wh = scale * rng.standard_normal((H, G * H)) / np.sqrt(H)
    b = 0.5 * rng.standard_normal(G * H)
    return x, h_prev, Wx, Wh, b


# ---------------------------------------------------------------------------------------------
# LSTM


def _lstm_cases(rng):
    cases = []
    for N, D, H, extra in [(3, 4, 5, ""), (1, 1, 1, ""), (2, 3, 2, "forget bias 1"), (4, 2, 3, "large c_prev"),
                           (1, 5, 4, "")]:
        x, h_prev, Wx, Wh, b = _gate_inputs(rng, N, D, H, 4)
        c_prev = rng.standard_normal((N, H)) * (4.0 if extra == "large c_prev" else 1.0)
        if extra == "forget bias 1":
            b[H:2 * H] += 1.0
        dims = {"N": N, "D": D, "H": H, "4H": 4 * H}
        label = case_label(dims) + (f", {extra}" if extra else "")
        case = Case(label, dict(x=x, h_prev=h_prev, c_prev=c_prev, Wx=Wx, Wh=Wh, b=b), {}, dims)
        case.extra.update(dh=rng.standard_normal((N, H)), dc=rng.standard_normal((N, H)))
        cases.append(case)
    return cases


def _lstm_ref(case):
    h, c, _ = cells.lstm_step_forward(**case.args)
    return {"h": h, "c": c}


def _lstm_variant(case, order="ifgo", *, g_act="tanh", gate_act="sigmoid", h_tanh=True, use_i=True):
    a_ = case.args
    H = a_["h_prev"].shape[1]
    a = a_["x"] @ a_["Wx"] + a_["h_prev"] @ a_["Wh"] + a_["b"]
    blocks = {name: a[:, k * H:(k + 1) * H] for k, name in enumerate(order)}
    act = sigmoid if gate_act == "sigmoid" else np.tanh
    i, f, o = act(blocks["i"]), act(blocks["f"]), act(blocks["o"])
    g = np.tanh(blocks["g"]) if g_act == "tanh" else sigmoid(blocks["g"])
    c = f * a_["c_prev"] + (i * g if use_i else g)
    h = o * (np.tanh(c) if h_tanh else c)
    return {"h": h, "c": c}


LSTM_FORWARD_BUGS = (
    Bug("the gate blocks are read in the order i, f, o, g (CS231n's); this course uses i, f, g, o (PyTorch's): "
        "columns 2H..3H-1 are the candidate g, 3H..4H-1 the output gate o",
        lambda case: _lstm_variant(case, "ifog")),
    Bug("the input and forget gates are swapped: the first H columns are i, the next H are f",
        lambda case: _lstm_variant(case, "figo")),
    Bug("h = o * c is missing the tanh: h = o * tanh(c)", lambda case: _lstm_variant(case, h_tanh=False)),
    Bug("the candidate g is not multiplied by the input gate: c = f * c_prev + i * g",
        lambda case: _lstm_variant(case, use_i=False)),
    Bug("the candidate g goes through a sigmoid; it takes tanh (values in (-1, 1)), the gates i, f, o take sigmoid",
        lambda case: _lstm_variant(case, g_act="sigmoid")),
    Bug("the gates i, f, o go through tanh; gates take the sigmoid (values in (0, 1))",
        lambda case: _lstm_variant(case, gate_act="tanh")),
)


def check_lstm_step_forward(ctx):
    outs = [Out("h", ("N", "H")), Out("c", ("N", "H"))]
    return check_outputs(ctx, _lstm_cases(ctx.rng), _lstm_ref, outs, returns_cache=True, bugs=LSTM_FORWARD_BUGS)


def _lstm_backward_ref(case, up):
    *_, cache = cells.lstm_step_forward(**case.args)
    return cells.lstm_step_backward(up["dh"], up["dc"], cache).as_dict()


def _lstm_backward_variant(case, up, *, use_dc=True, tanh_of_c=True, dc_prev_f=True, h_path=True):
    a_ = case.args
    H = a_["h_prev"].shape[1]
    a = a_["x"] @ a_["Wx"] + a_["h_prev"] @ a_["Wh"] + a_["b"]
    i, f, g, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
    c = f * a_["c_prev"] + i * g
    tc = np.tanh(c)
    dh, dc_in = up["dh"], up["dc"]
    deriv = {True: 1 - tc * tc, False: 1 - c * c, "missing": 1.0}[tanh_of_c]
    dc = (dc_in if use_dc else 0.0) + (dh * o * deriv if h_path else 0.0)
    da = np.concatenate([dc * g * i * (1 - i), dc * a_["c_prev"] * f * (1 - f), dc * i * (1 - g * g),
                         dh * tc * o * (1 - o)], axis=1)
    return {"dx": da @ a_["Wx"].T, "dh_prev": da @ a_["Wh"].T, "dc_prev": dc * f if dc_prev_f else dc,
            "dWx": a_["x"].T @ da, "dWh": a_["h_prev"].T @ da, "db": da.sum(axis=0)}


LSTM_BACKWARD_BUGS = (
    Bug("the incoming dc is ignored: the cell state's gradient is dc (from the next step) plus what comes through "
        "h, dh * o * (1 - tanh(c)**2)", lambda case, up: _lstm_backward_variant(case, up, use_dc=False)),
    Bug("the path from h back into c is missing: h = o * tanh(c), so c also receives dh * o * (1 - tanh(c)**2)",
        lambda case, up: _lstm_backward_variant(case, up, h_path=False)),
    Bug("tanh'(c) is computed as 1 - c**2; it is 1 - tanh(c)**2", lambda case, up: _lstm_backward_variant(
        case, up, tanh_of_c=False)),
    Bug("the path from h back into c is missing tanh'(c): h = o * tanh(c), so c receives dh * o * (1 - tanh(c)**2), "
        "not dh * o", lambda case, up: _lstm_backward_variant(case, up, tanh_of_c="missing")),
    Bug("dc_prev is missing the forget gate: c = f * c_prev + ..., so dc_prev = dc * f (the constant error "
        "carousel)", lambda case, up: _lstm_backward_variant(case, up, dc_prev_f=False)),
)

LSTM_GRADS = [Out("dx", ("N", "D")), Out("dh_prev", ("N", "H")), Out("dc_prev", ("N", "H")),
              Out("dWx", ("D", "4H"), gates="lstm"), Out("dWh", ("H", "4H"), gates="lstm"),
              Out("db", ("4H",), gates="lstm")]


def check_lstm_step_backward(ctx):
    return check_backward(ctx, _lstm_cases(ctx.rng), forward="lstm_step_forward",
                          forward_outputs=[Out("h", ("N", "H")), Out("c", ("N", "H"))], grads=LSTM_GRADS,
                          reference_forward=_lstm_ref, reference_backward=_lstm_backward_ref,
                          upstream=lambda case: {"dh": case.extra["dh"], "dc": case.extra["dc"]},
                          bugs=LSTM_BACKWARD_BUGS)


# ---------------------------------------------------------------------------------------------
# GRU


def _gru_cases(rng):
    cases = []
    for N, D, H in [(3, 4, 5), (1, 1, 1), (2, 3, 2), (4, 2, 3), (1, 5, 4)]:
        x, h_prev, Wx, Wh, b = _gate_inputs(rng, N, D, H, 3)
        dims = {"N": N, "D": D, "H": H, "3H": 3 * H}
        case = Case(case_label(dims), dict(x=x, h_prev=h_prev, Wx=Wx, Wh=Wh, b=b), {}, dims)
        case.extra["dh"] = rng.standard_normal((N, H))
        cases.append(case)
    return cases


def _gru_ref(case):
    return {"h": cells.gru_step_forward(**case.args)[0]}


def _gru_variant(case, *, order="rzn", reset="before", z_swap=False, gate=None):
    a_ = case.args
    x, hp, Wx, Wh, b = a_["x"], a_["h_prev"], a_["Wx"], a_["Wh"], a_["b"]
    H = hp.shape[1]
    idx = {name: slice(k * H, (k + 1) * H) for k, name in enumerate(order)}
    r = (np.tanh if gate == "r" else sigmoid)(x @ Wx[:, idx["r"]] + hp @ Wh[:, idx["r"]] + b[idx["r"]])
    z = (np.tanh if gate == "z" else sigmoid)(x @ Wx[:, idx["z"]] + hp @ Wh[:, idx["z"]] + b[idx["z"]])
    xn = x @ Wx[:, idx["n"]] + b[idx["n"]]
    if reset == "before":
        n = np.tanh(xn + (r * hp) @ Wh[:, idx["n"]])
    elif reset == "after":
        n = np.tanh(xn + r * (hp @ Wh[:, idx["n"]]))
    else:
        n = np.tanh(xn + hp @ Wh[:, idx["n"]])
    h = z * n + (1 - z) * hp if z_swap else (1 - z) * n + z * hp
    return {"h": h}


GRU_FORWARD_BUGS = (
    Bug("the reset gate multiplies h_prev @ Wh_n after the matrix product (PyTorch's GRU); this course follows "
        "Cho et al.: n = tanh(x Wx_n + (r * h_prev) Wh_n + b_n)", lambda case: _gru_variant(case, reset="after")),
    Bug("the reset gate is not used: n = tanh(x Wx_n + (r * h_prev) Wh_n + b_n)",
        lambda case: _gru_variant(case, reset="none")),
    Bug("z and 1 - z are swapped: h = (1 - z) * n + z * h_prev (z close to 1 keeps the old state)",
        lambda case: _gru_variant(case, z_swap=True)),
    Bug("the gate blocks are read in the order z, r, n; this course uses r, z, n (as PyTorch does)",
        lambda case: _gru_variant(case, order="zrn")),
    Bug("the update gate z goes through tanh; gates take the sigmoid (values in (0, 1))",
        lambda case: _gru_variant(case, gate="z")),
    Bug("the reset gate r goes through tanh; gates take the sigmoid (values in (0, 1))",
        lambda case: _gru_variant(case, gate="r")),
)


def check_gru_step_forward(ctx):
    return check_outputs(ctx, _gru_cases(ctx.rng), _gru_ref, [Out("h", ("N", "H"))], returns_cache=True,
                         bugs=GRU_FORWARD_BUGS)


def _gru_backward_ref(case, up):
    _, cache = cells.gru_step_forward(**case.args)
    return cells.gru_step_backward(up["dh"], cache).as_dict()


def _gru_backward_variant(case, up, *, direct=True, through_reset=True, through_gates=True, z_sign=1.0,
                          dWh_n_reset=True):
    a_ = case.args
    x, hp, Wx, Wh, b = a_["x"], a_["h_prev"], a_["Wx"], a_["Wh"], a_["b"]
    H = hp.shape[1]
    r = sigmoid(x @ Wx[:, :H] + hp @ Wh[:, :H] + b[:H])
    z = sigmoid(x @ Wx[:, H:2 * H] + hp @ Wh[:, H:2 * H] + b[H:2 * H])
    n = np.tanh(x @ Wx[:, 2 * H:] + (r * hp) @ Wh[:, 2 * H:] + b[2 * H:])
    dh = up["dh"]
    da_n = dh * (1 - z) * (1 - n * n)
    d_rh = da_n @ Wh[:, 2 * H:].T
    da_r = d_rh * hp * r * (1 - r)
    da_z = z_sign * dh * (hp - n) * z * (1 - z)
    da = np.concatenate([da_r, da_z, da_n], axis=1)
    dh_prev = (dh * z if direct else 0) + (d_rh * r if through_reset else 0)
    dh_prev = dh_prev + (da[:, :2 * H] @ Wh[:, :2 * H].T if through_gates else 0)
    dWh = np.concatenate([hp.T @ da[:, :2 * H], ((r * hp) if dWh_n_reset else hp).T @ da_n], axis=1)
    return {"dx": da @ Wx.T, "dh_prev": dh_prev, "dWx": x.T @ da, "dWh": dWh, "db": da.sum(axis=0)}


GRU_BACKWARD_BUGS = (
    Bug("dh_prev is missing the direct path: h = (1 - z) n + z h_prev, so dh_prev gets dh * z straight away",
        lambda case, up: _gru_backward_variant(case, up, direct=False)),
    Bug("dh_prev is missing the path through the candidate: n uses (r * h_prev) Wh_n, which sends "
        "(da_n @ Wh_n.T) * r back to h_prev", lambda case, up: _gru_backward_variant(case, up, through_reset=False)),
    Bug("dh_prev is missing the paths through the gates r and z: [da_r, da_z] @ Wh[:, :2H].T",
        lambda case, up: _gru_backward_variant(case, up, through_gates=False)),
    Bug("the update gate's gradient has the wrong sign: h = (1 - z) n + z h_prev, so dz = dh * (h_prev - n)",
        lambda case, up: _gru_backward_variant(case, up, z_sign=-1.0)),
    Bug("the n block of dWh uses h_prev; the candidate multiplies (r * h_prev) by Wh_n, so use (r * h_prev).T",
        lambda case, up: _gru_backward_variant(case, up, dWh_n_reset=False)),
)

GRU_GRADS = [Out("dx", ("N", "D")), Out("dh_prev", ("N", "H")), Out("dWx", ("D", "3H"), gates="gru"),
             Out("dWh", ("H", "3H"), gates="gru"), Out("db", ("3H",), gates="gru")]


def check_gru_step_backward(ctx):
    return check_backward(ctx, _gru_cases(ctx.rng), forward="gru_step_forward",
                          forward_outputs=[Out("h", ("N", "H"))], grads=GRU_GRADS, reference_forward=_gru_ref,
                          reference_backward=_gru_backward_ref, upstream=lambda case: {"dh": case.extra["dh"]},
                          bugs=GRU_BACKWARD_BUGS)


ITEMS = (
    Item("lstm_step_forward", "lstm_step_forward", EXERCISE, 3, check_lstm_step_forward,
         summary="one LSTM step: gates i, f, g, o from one affine map, then c and h",
         hints=(
             "Compute a = x @ Wx + h_prev @ Wh + b once, (N, 4H), and slice it: a[:, :H] is i, a[:, H:2*H] f, "
             "a[:, 2*H:3*H] g, a[:, 3*H:] o.",
             "i, f, o take the sigmoid, g takes tanh. Then c = f * c_prev + i * g and h = o * tanh(c).",
             "Keep in the cache what the backward pass needs: the inputs, the four activated gates, c_prev and "
             "tanh(c).",
         ),
         forbid=_FORBID),
    Item("lstm_step_backward", "lstm_step_backward", EXERCISE, 4, check_lstm_step_backward,
         summary="the backward pass of one LSTM step, from dh and dc",
         hints=(
             "The cell state receives gradient twice: dc from the next step, and through h = o * tanh(c): "
             "dc_total = dc + dh * o * (1 - tanh(c)**2).",
             "From dc_total: df = dc_total * c_prev, di = dc_total * g, dg = dc_total * i, dc_prev = dc_total * f; "
             "do = dh * tanh(c). Then through the activations: sigmoid' = s(1 - s), tanh' = 1 - t**2.",
             "Put the four pre-activation gradients side by side in the order i, f, g, o (N, 4H): then dx, "
             "dh_prev, dWx, dWh, db follow exactly as for the vanilla RNN.",
         ),
         forbid=_FORBID),
    Item("gru_step_forward", "gru_step_forward", EXERCISE, 3, check_gru_step_forward,
         summary="one GRU step (Cho et al.): gates r, z, then the candidate n from r * h_prev",
         hints=(
             "r and z: sigmoid of x @ Wx[:, block] + h_prev @ Wh[:, block] + b[block] for the first two blocks.",
             "The candidate resets the state *before* the product: n = tanh(x Wx_n + (r * h_prev) Wh_n + b_n).",
             "h = (1 - z) * n + z * h_prev: z near 1 keeps the old state.",
         ),
         forbid=_FORBID),
    Item("gru_step_backward", "gru_step_backward", EXERCISE, 2, check_gru_step_backward, bonus=True,
         summary="(bonus) the backward pass of one GRU step",
         hints=(
             "h = (1 - z) n + z h_prev: dn = dh * (1 - z), dz = dh * (h_prev - n), and dh_prev gets dh * z "
             "directly.",
             "The candidate's pre-activation gradient da_n = dn * (1 - n**2) flows into (r * h_prev) through "
             "Wh_n: d(r * h_prev) = da_n @ Wh_n.T, which splits into dr = d(r h) * h_prev and a share r for h_prev.",
             "dWh's n block is (r * h_prev).T @ da_n; the r and z blocks are h_prev.T @ [da_r, da_z].",
         ),
         forbid=_FORBID),
)
