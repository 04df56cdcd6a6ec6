"""Exercise 02, backpropagation through time: rnn_step_backward, rnn_backward, truncation, numerical_gradient.

The backward checks run the notebook's own forward pass (its cache stays on
the student's side) and compare every gradient with the package's
``rnn_backward`` on the same inputs. The known-wrong variants are the bugs
BPTT is famous for: tanh' taken from the pre-activation, the gradient from
later steps not accumulated, the first or last step skipped, weight
gradients overwritten instead of summed over time, truncation blocks in the
wrong place.
"""

from __future__ import annotations

import numpy as np

from ... import cells
from ...gradcheck import numerical_gradient as reference_numerical_gradient
from ..factories import smooth_function
from ..wire import Factory, Ref
from .common import case_label, rnn_inputs
from .framework import (
    Bug,
    Case,
    Grade,
    Item,
    Out,
    check_backward,
    check_outputs,
    diagnose_part,
    terminal_result,
)

EXERCISE = "02_bptt"
_FORBID = ("rnn_course.cells", "rnn_course.gradient_flow", "rnn_course.jacobians", "rnn_course.wrappers")


# ---------------------------------------------------------------------------------------------
# rnn_step_backward


def _step_cases(rng):
    cases = []
    for N, D, H, act in [(3, 4, 5, "tanh"), (1, 1, 1, "tanh"), (2, 3, 3, "tanh"), (4, 2, 3, "relu"),
                         (1, 3, 1, "relu")]:
        x, h_prev, Wx, Wh, b = rnn_inputs(rng, N, D, H)
        dims = {"N": N, "D": D, "H": H}
        case = Case(case_label(dims, activation=act), dict(x=x, h_prev=h_prev, Wx=Wx, Wh=Wh, b=b),
                    {"activation": act}, dims)
        case.extra["dh"] = rng.standard_normal((N, H))
        cases.append(case)
    return cases


def _step_forward_ref(case):
    return {"h": cells.rnn_step_forward(**case.args, **case.kwargs)[0]}


def _step_backward_ref(case, up):
    _, cache = cells.rnn_step_forward(**case.args, **case.kwargs)
    return cells.rnn_step_backward(up["dh"], cache).as_dict()


def _step_variant(case, up, *, deriv="output", dWh_from="h_prev", dx_T=True, dh_prev_T=True, db_mean=False):
    a_ = case.args
    a = a_["x"] @ a_["Wx"] + a_["h_prev"] @ a_["Wh"] + a_["b"]
    relu = case.kwargs.get("activation") == "relu"
    h = np.maximum(a, 0.0) if relu else np.tanh(a)
    dh = up["dh"]
    if deriv == "output":
        da = dh * ((a > 0).astype(float) if relu else 1.0 - h * h)
    elif deriv == "pre":
        da = dh * (1.0 - a * a)
    elif deriv == "tanh-always":
        da = dh * (1.0 - h * h)
    else:
        da = dh
    return {
        "dx": da @ (a_["Wx"].T if dx_T else a_["Wx"]),
        "dh_prev": da @ (a_["Wh"].T if dh_prev_T else a_["Wh"]),
        "dWx": a_["x"].T @ da,
        "dWh": (a_["h_prev"] if dWh_from == "h_prev" else h).T @ da,
        "db": da.mean(axis=0) if db_mean else da.sum(axis=0),
    }


STEP_BUGS = (
    Bug("tanh' is computed from the pre-activation a as 1 - a**2; the formula 1 - h**2 needs the output "
        "h = tanh(a)", lambda case, up: _step_variant(case, up, deriv="pre")),
    Bug("the derivative of the nonlinearity is missing: multiply dh by f'(a) before anything else",
        lambda case, up: _step_variant(case, up, deriv="none")),
    Bug("the tanh derivative is used for relu too: relu'(a) is 1 where a > 0 and 0 elsewhere",
        lambda case, up: _step_variant(case, up, deriv="tanh-always")),
    Bug("dWh uses the step's output h; the weight gradient needs the state Wh multiplied, h_prev",
        lambda case, up: _step_variant(case, up, dWh_from="h")),
    Bug("dx is missing a transpose: da (N, H) times Wx.T (H, D)", lambda case, up: _step_variant(case, up, dx_T=False)),
    Bug("dh_prev is missing a transpose: da (N, H) times Wh.T (H, H)",
        lambda case, up: _step_variant(case, up, dh_prev_T=False)),
    Bug("db is the mean of da over the batch; b is added to every row, so its gradient is the sum, "
        "da.sum(axis=0)", lambda case, up: _step_variant(case, up, db_mean=True)),
)

STEP_GRADS = [Out("dx", ("N", "D")), Out("dh_prev", ("N", "H")), Out("dWx", ("D", "H")), Out("dWh", ("H", "H")),
              Out("db", ("H",))]


def check_rnn_step_backward(ctx):
    return check_backward(ctx, _step_cases(ctx.rng), forward="rnn_step_forward",
                          forward_outputs=[Out("h", ("N", "H"))], grads=STEP_GRADS,
                          reference_forward=_step_forward_ref, reference_backward=_step_backward_ref,
                          upstream=lambda case: {"dh": case.extra["dh"]}, bugs=STEP_BUGS)


# ---------------------------------------------------------------------------------------------
# rnn_backward


def _seq_cases(rng, shapes=None):
    cases = []
    shapes = shapes or [(3, 6, 4, 5, "tanh"), (1, 1, 1, 1, "tanh"), (2, 1, 3, 4, "tanh"), (1, 5, 2, 1, "tanh"),
                        (2, 4, 3, 3, "relu")]
    for N, T, D, H, act in shapes:
        x, h0, Wx, Wh, b = rnn_inputs(rng, N, D, H, T=T)
        dims = {"N": N, "T": T, "D": D, "H": H}
        case = Case(case_label(dims, activation=act), dict(x=x, h0=h0, Wx=Wx, Wh=Wh, b=b), {"activation": act}, dims)
        case.extra["dh"] = rng.standard_normal((N, T, H))
        cases.append(case)
    return cases


def _seq_forward_ref(case):
    return {"h": cells.rnn_forward(**case.args, **case.kwargs)[0]}


def _seq_backward_ref(case, up, **kwargs):
    _, cache = cells.rnn_forward(**case.args, **case.kwargs)
    return cells.rnn_backward(up["dh"], cache, **kwargs).as_dict()


def bptt_variant(case, dh, *, carry=True, local=True, first=0, last=None, accumulate=True, deriv="output",
                 reset=None, carry_T=True, dWh_from="h_prev", dh0_total=False, forwards=False):
    """BPTT written out step by step, with switches for the classic bugs (used to recognise them).

    ``reset(t, T)`` True drops the gradient arriving from step t+1 before step t is processed;
    ``dh0_total`` returns the gradient arriving at step 0's output instead of what step 0 sends to h0;
    ``forwards`` walks t = 0 .. T-1, carrying each step's dh_prev on to the *next* step.
    """
    a_ = case.args
    relu = case.kwargs.get("activation") == "relu"
    x, h0, Wx, Wh = a_["x"], a_["h0"], a_["Wx"], a_["Wh"]
    h, _ = cells.rnn_forward(**a_, **case.kwargs)
    N, T, D = x.shape
    H = h0.shape[1]
    last = T - 1 if last is None else last
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros((D, H)), np.zeros((H, H)), np.zeros(H)
    nxt = np.zeros((N, H))
    total = nxt
    for t in (range(first, last + 1) if forwards else range(last, first - 1, -1)):
        if reset is not None and reset(t, T):
            nxt = np.zeros((N, H))
        total = (dh[:, t] if local or t == T - 1 else 0.0) + (nxt if carry else 0.0)
        ht = h[:, t]
        if deriv == "output":
            fp = (ht > 0).astype(float) if relu else 1.0 - ht * ht
        else:
            prev = h0 if t == 0 else h[:, t - 1]
            pre = x[:, t] @ Wx + prev @ Wh + a_["b"]
            fp = 1.0 - pre * pre
        da = total * fp
        hp = h0 if t == 0 else h[:, t - 1]
        if dWh_from == "h":
            hp = ht
        dx[:, t] = da @ Wx.T
        if accumulate:
            dWx += x[:, t].T @ da
            dWh += hp.T @ da
            db += da.sum(axis=0)
        else:
            dWx, dWh, db = x[:, t].T @ da, hp.T @ da, da.sum(axis=0)
        nxt = da @ (Wh.T if carry_T else Wh)
    return {"dx": dx, "dh0": total if dh0_total else nxt, "dWx": dWx, "dWh": dWh, "db": db}


SEQ_BUGS = (
    Bug("the gradient arriving from step t+1 (dh_prev of the later step) is not added to dh[:, t]: each step "
        "must back-propagate dh[:, t] + dh_next", lambda case, up: bptt_variant(case, up["dh"], carry=False)),
    Bug("only the gradient from later steps is propagated: add the loss's own gradient dh[:, t] at every step, "
        "not only at the last", lambda case, up: bptt_variant(case, up["dh"], local=False)),
    Bug("the last time step t = T-1 is never back-propagated (the loop starts one step too early)",
        lambda case, up: bptt_variant(case, up["dh"], last=case.args["x"].shape[1] - 2)),
    Bug("step t = 0 is never back-propagated (the loop stops at t = 1: range(T - 1, 0, -1)?), so dh0 and "
        "step 0's share of the weight gradients are missing", lambda case, up: bptt_variant(case, up["dh"], first=1)),
    Bug("the weight gradients hold one step's contribution: the same weights are used at every step, so "
        "accumulate dWx, dWh and db over time with +=",
        lambda case, up: bptt_variant(case, up["dh"], accumulate=False)),
    Bug("tanh' is computed from the pre-activation a as 1 - a**2; the formula 1 - h**2 needs h = tanh(a)",
        lambda case, up: bptt_variant(case, up["dh"], deriv="pre")),
    Bug("the gradient passed back to the previous step is missing a transpose: da @ Wh.T",
        lambda case, up: bptt_variant(case, up["dh"], carry_T=False)),
    Bug("dWh uses each step's output h_t; the weight multiplies the previous state, so use h_(t-1)",
        lambda case, up: bptt_variant(case, up["dh"], dWh_from="h")),
    Bug("dh0 is the gradient arriving at step 0's output (dh[:, 0] plus what step 1 sends back); dh0 is what "
        "step 0's backward sends on to its h_prev, the dh_prev it returns",
        lambda case, up: bptt_variant(case, up["dh"], dh0_total=True)),
    Bug("the loop runs forwards in time: BPTT starts at the last step, t = T-1, and walks back to t = 0, "
        "because step t needs the gradient that step t+1 sends back",
        lambda case, up: bptt_variant(case, up["dh"], forwards=True)),
)

SEQ_GRADS = [Out("dx", ("N", "T", "D")), Out("dh0", ("N", "H")), Out("dWx", ("D", "H")), Out("dWh", ("H", "H")),
             Out("db", ("H",))]


def check_rnn_backward(ctx):
    return check_backward(ctx, _seq_cases(ctx.rng), forward="rnn_forward", forward_outputs=[Out("h", ("N", "T", "H"))],
                          grads=SEQ_GRADS, reference_forward=_seq_forward_ref, reference_backward=_seq_backward_ref,
                          upstream=lambda case: {"dh": case.extra["dh"]}, bugs=SEQ_BUGS)


# ---------------------------------------------------------------------------------------------
# rnn_backward(..., truncate=k)


def _truncate_cases(rng):
    # k = 3 on 7 steps first: there the known slips (blocks off by one either way, blocks counted from the end) all
    # give different gradients, so the first message names the right one (with k = 2 on 7 steps two of them agree)
    cases = _seq_cases(rng, [(2, 7, 3, 4, "tanh"), (2, 7, 3, 4, "tanh"), (3, 7, 2, 3, "tanh"), (1, 7, 2, 2, "tanh"),
                             (2, 6, 3, 2, "relu"), (1, 1, 1, 1, "tanh")])
    for case, k in zip(cases, (3, 2, 1, 7, 4, 1)):
        case.extra["truncate"] = k
        case.label += f", truncate={k}"
    cases.append(_seq_cases(rng, [(2, 5, 2, 3, "tanh")])[0])
    cases[-1].extra["truncate"] = 9
    cases[-1].label += ", truncate=9 (longer than the sequence)"
    return cases


TRUNC_BUGS = (
    Bug("truncate is ignored: no gradient may cross from block [k..2k-1] back into block [0..k-1]",
        lambda case, up: bptt_variant(case, up["dh"])),
    Bug("the blocks are off by one step: cut the sequence into [0..k-1], [k..2k-1], ... so that no gradient "
        "flows from step k back to step k-1",
        lambda case, up: bptt_variant(case, up["dh"],
                                      reset=lambda t, T, k=case.extra["truncate"]: t % k == 0 and t > 0)),
    Bug("the blocks are off by one step: cut the sequence into [0..k-1], [k..2k-1], ... so that no gradient "
        "flows from step k back to step k-1",
        lambda case, up: bptt_variant(case, up["dh"],
                                      reset=lambda t, T, k=case.extra["truncate"]: (t + 2) % k == 0)),
    Bug("the blocks are counted from the end of the sequence; this exercise cuts from the start, "
        "[0..k-1], [k..2k-1], ...",
        lambda case, up: bptt_variant(case, up["dh"], reset=lambda t, T, k=case.extra["truncate"]: (T - 1 - t) % k == 0
                                      and t < T - 1)),
    Bug("this is windowed truncation (each step's loss sends its gradient back at most k steps); the exercise "
        "asks for blocks, like detaching the state every k steps",
        lambda case, up: _seq_backward_ref(case, up, truncate=case.extra["truncate"], truncate_mode="window")),
)


def check_rnn_backward_truncate(ctx):
    grade = Grade(ctx, [g.name for g in SEQ_GRADS])
    fn = ctx.item.function
    for case in _truncate_cases(ctx.rng):
        k = case.extra["truncate"]
        fo = ctx.call(case.args, case.kwargs, function="rnn_forward", keep=True, opaque=[(1,)])
        stop = terminal_result(ctx, fo, "rnn_forward", needed_by=fn)
        if stop is not None:
            return stop
        up = {"dh": case.extra["dh"]}
        bo = ctx.call({"dh": up["dh"], "cache": Ref(fo.ref.handle, (1,))}, {"truncate": k})
        stop = terminal_result(ctx, bo)
        if stop is not None:
            if stop.status == "error":
                stop.details.append(f"inputs: {case.label}")
                if bo.error and "unexpected keyword argument" in (bo.error.get("message") or ""):
                    stop.details.append("give rnn_backward the argument truncate=None (see the instructions)")
            return stop
        grade.saw(bo, allowed=("cache",))
        got = bo.value
        if not isinstance(got, tuple | list) or len(got) != 5:
            grade.fail_all(f"{fn} returned {type(got).__name__}, expected 5 values: dx, dh0, dWx, dWh, db")
            break
        expected = _seq_backward_ref(case, up, truncate=k, truncate_mode="chunk")
        for g, value in zip(SEQ_GRADS, got):
            if grade.failed(g.name):
                continue
            problem = diagnose_part(g, value, expected[g.name], case, TRUNC_BUGS, up, bo.warnings)
            if problem:
                grade.fail(g.name, *problem)
        if grade.all_failed:
            break
    return grade.result()


# ---------------------------------------------------------------------------------------------
# numerical_gradient


def _numgrad_cases(rng):
    specs = [((4, 3), 2, True, False, 1e-6, "x (4, 3), f(x) (4, 2), dout given"),
             ((2, 3, 4), 3, True, False, 1e-6, "x (2, 3, 4), f(x) (2, 3, 3), dout given"),
             ((5, 2), 3, False, True, 1e-6, "x (5, 2), f(x) returns one number, dout=None"),
             ((1, 1), 1, True, False, 1e-6, "x (1, 1), dout given"),
             ((3, 4), 2, True, False, 1e-3, "x (3, 4), dout given, eps=1e-3"),
             ((6,), 4, False, False, 1e-5, "x (6,), f(x) (4,) with dout=None, eps=1e-5")]
    cases = []
    for shape, M, with_dout, scalar, eps, label in specs:
        K = shape[-1]
        A = rng.standard_normal((K, M))
        B = 1.0 + rng.random(M)
        c = 0.3 * rng.standard_normal()
        x = rng.standard_normal(shape)
        out_shape = (*shape[:-1], M)
        args = {"f": Factory("smooth", {"A": A, "B": B, "c": c, "scalar": scalar}), "x": x}
        kwargs = {"eps": eps}
        if with_dout:
            kwargs["dout"] = rng.standard_normal(out_shape)
        case = Case(label, args, kwargs, {})
        case.extra.update(A=A, B=B, c=c, scalar=scalar)
        cases.append(case)
    return cases


def _numgrad_f(case):
    e = case.extra
    return smooth_function(e["A"], e["B"], e["c"], scalar=e["scalar"])


def _numgrad_ref(case):
    return {"grad": reference_numerical_gradient(_numgrad_f(case), case.args["x"], case.kwargs.get("dout"),
                                                 case.kwargs["eps"])}


def _numgrad_variant(case, kind):
    f = _numgrad_f(case)
    x = np.array(case.args["x"], dtype=float)
    dout, eps = case.kwargs.get("dout"), case.kwargs["eps"]

    def L(v):
        out = f(v)
        return float(np.sum(out * dout)) if dout is not None and kind != "no-dout" else float(np.sum(out))

    grad = np.zeros_like(x)
    base = L(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        plus = L(x)
        x[i] = old - eps
        minus = L(x)
        if kind != "no-restore":
            x[i] = old
        grad[i] = {"forward": (plus - base) / eps, "no-dout": (plus - minus) / (2 * eps),
                   "one-eps": (plus - minus) / eps,
                   "no-restore": (plus - minus) / (2 * eps)}[kind]
    return {"grad": grad}


NUMGRAD_BUGS = (
    Bug("this is a one-sided difference (f(x + eps) - f(x)) / eps, whose error shrinks only like eps; the "
        "centred difference (f(x + eps) - f(x - eps)) / (2 eps) is far more accurate",
        lambda case: _numgrad_variant(case, "forward")),
    Bug("dout is ignored: with dout given, differentiate sum(f(x) * dout), not sum(f(x))",
        lambda case: _numgrad_variant(case, "no-dout")),
    Bug("the difference is divided by eps; the two points are 2 eps apart",
        lambda case: _numgrad_variant(case, "one-eps")),
    Bug("x[i] is not put back after the two evaluations, so every later entry is measured at a point where the "
        "entries before it are shifted by -eps: set x[i] = old after computing f(x - eps)",
        lambda case: _numgrad_variant(case, "no-restore")),
)


def check_numerical_gradient(ctx):
    # finite differences divide rounding errors of f by 2 eps: two right implementations agree to ~1e-10, not 1e-15
    out = Out("grad", lambda case: tuple(f"d{i}" for i in range(case.args["x"].ndim)), axes=(), rtol=1e-6)
    cases = _numgrad_cases(ctx.rng)
    for case in cases:
        case.dims = {f"d{i}": s for i, s in enumerate(case.args["x"].shape)}
    return check_outputs(ctx, cases, _numgrad_ref, [out], bugs=NUMGRAD_BUGS)


ITEMS = (
    Item("rnn_step_backward", "rnn_step_backward", EXERCISE, 3, check_rnn_step_backward,
         summary="the backward pass of one RNN step: dx, dh_prev, dWx, dWh, db from dh and the cache",
         hints=(
             "Start from the nonlinearity: da = dh * f'(a). For tanh, f'(a) = 1 - tanh(a)**2 = 1 - h**2, so "
             "keep h (the output) in the cache.",
             "a = x @ Wx + h_prev @ Wh + b, so dx = da @ Wx.T, dh_prev = da @ Wh.T, dWx = x.T @ da, "
             "dWh = h_prev.T @ da. Check each shape against the input it belongs to.",
             "b was broadcast over the batch in the forward pass, so its gradient sums over the batch: "
             "db = da.sum(axis=0).",
         ),
         forbid=_FORBID),
    Item("rnn_backward", "rnn_backward", EXERCISE, 3, check_rnn_backward, uses=("rnn_step_backward",),
         summary="backpropagation through time over the whole sequence",
         hints=(
             "Walk backwards over the array index, t = T-1, ..., 0. The state h[:, t] receives gradient from the "
             "loss (dh[:, t]) *and* from step t+1 (the dh_prev that step's backward returned): add them before calling "
             "rnn_step_backward.",
             "The same Wx, Wh, b are used at every step, so their gradients are sums over t: start from zeros "
             "and add each step's contribution.",
             "What is left flowing out of step 0 is dh0. dx[:, t] is step t's dx.",
         ),
         forbid=_FORBID),
    Item("rnn_backward[truncate]", "rnn_backward", EXERCISE, 2, check_rnn_backward_truncate,
         uses=("rnn_step_backward",),
         summary="truncated BPTT: with truncate=k no gradient crosses from block [k..2k-1] into [0..k-1], etc.",
         hints=(
             "Truncation only changes what flows between steps: the gradient that step t sends back to step "
             "t-1 is dropped when step t starts a new block, i.e. when t > 0 and t % k == 0 (steps counted from 0).",
             "Blocks start at 0: [0..k-1], [k..2k-1], ... With k >= T nothing is truncated; with k = 1 every "
             "step sees only its own dh[:, t].",
         ),
         forbid=_FORBID),
    Item("numerical_gradient", "numerical_gradient", EXERCISE, 2, check_numerical_gradient,
         summary="centred-difference gradient of sum(f(x) * dout) with respect to x",
         hints=(
             "For every entry i of x: set x[i] = old + eps, evaluate, set x[i] = old - eps, evaluate, and put "
             "the old value back. np.ndindex(x.shape) walks every index of an array of any shape.",
             "The scalar being differentiated is sum(f(x) * dout), or sum(f(x)) when dout is None.",
             "Work on a copy of x (x = np.array(x, dtype=float)) so the caller's array never changes.",
         ),
         forbid=("rnn_course.gradcheck:numerical_gradient",)),
)
