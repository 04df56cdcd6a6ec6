"""Exercise 01, the forward pass: rnn_step_forward, rnn_forward, softmax, softmax_cross_entropy (10 points)."""

from __future__ import annotations

import numpy as np

from ... import activations, cells, losses
from .common import case_label, rnn_inputs
from .framework import Bug, Case, Item, Out, check_outputs

EXERCISE = "01_forward_pass"
_CELLS = ("rnn_course.cells",)


# ---------------------------------------------------------------------------------------------
# rnn_step_forward


def _step_cases(rng):
    cases = []
    for N, D, H, act, scale in [(3, 4, 5, "tanh", 0.6), (1, 1, 1, "tanh", 0.6), (2, 3, 4, "relu", 0.6),
                                (1, 5, 3, "relu", 0.6), (4, 3, 2, "tanh", 4.0)]:
        x, h_prev, Wx, Wh, b = rnn_inputs(rng, N, D, H, scale=scale)
        dims = {"N": N, "D": D, "H": H}
        extra = {"activation": act} | ({"weights": "large (tanh saturates)"} if scale > 1 else {})
        cases.append(Case(case_label(dims, **extra), dict(x=x, h_prev=h_prev, Wx=Wx, Wh=Wh, b=b),
                          {"activation": act}, dims))
    return cases


def _step_ref(case):
    return {"h": cells.rnn_step_forward(**case.args, **case.kwargs)[0]}


def _act(case):
    return np.tanh if case.kwargs.get("activation", "tanh") == "tanh" else (lambda a: np.maximum(a, 0.0))


def _step_bug(formula):
    def values(case):
        a = case.args
        return {"h": formula(a["x"], a["h_prev"], a["Wx"], a["Wh"], a["b"], _act(case))}

    return values


STEP_BUGS = (
    Bug("the bias b is not added", _step_bug(lambda x, hp, Wx, Wh, b, f: f(x @ Wx + hp @ Wh))),
    Bug("h_prev is not used: the new state must depend on the previous one (h_prev @ Wh)",
        _step_bug(lambda x, hp, Wx, Wh, b, f: f(x @ Wx + b))),
    Bug("Wh is transposed: weights multiply from the right, h_prev @ Wh",
        _step_bug(lambda x, hp, Wx, Wh, b, f: f(x @ Wx + hp @ Wh.T + b))),
    Bug("no nonlinearity is applied to the pre-activation a = x Wx + h_prev Wh + b",
        _step_bug(lambda x, hp, Wx, Wh, b, f: x @ Wx + hp @ Wh + b)),
    Bug("the activation argument is ignored: tanh is used even when activation='relu'",
        _step_bug(lambda x, hp, Wx, Wh, b, f: np.tanh(x @ Wx + hp @ Wh + b))),
    Bug("sigmoid is used where the activation should be tanh",
        _step_bug(lambda x, hp, Wx, Wh, b, f: activations.sigmoid(x @ Wx + hp @ Wh + b))),
)


def check_rnn_step_forward(ctx):
    return check_outputs(ctx, _step_cases(ctx.rng), _step_ref, [Out("h", ("N", "H"))], returns_cache=True,
                         bugs=STEP_BUGS)


# ---------------------------------------------------------------------------------------------
# rnn_forward


def _seq_cases(rng):
    cases = []
    for N, T, D, H, act in [(3, 6, 4, 5, "tanh"), (1, 1, 1, 1, "tanh"), (2, 1, 3, 4, "tanh"), (1, 5, 2, 1, "tanh"),
                            (2, 4, 3, 3, "relu")]:
        x, h0, Wx, Wh, b = rnn_inputs(rng, N, D, H, T=T)
        dims = {"N": N, "T": T, "D": D, "H": H}
        cases.append(Case(case_label(dims, activation=act), dict(x=x, h0=h0, Wx=Wx, Wh=Wh, b=b),
                          {"activation": act}, dims))
    return cases


def _seq_ref(case):
    return {"h": cells.rnn_forward(**case.args, **case.kwargs)[0]}


def _unroll(case, *, start=None, every_from_h0=False, steps=None):
    a = case.args
    f = _act(case)
    x, h0 = a["x"], a["h0"]
    N, T, _ = x.shape
    H = h0.shape[1]
    out = np.zeros((N, T, H))
    prev = h0 if start is None else start
    for t in range(T if steps is None else steps):
        h = f(x[:, t] @ a["Wx"] + (h0 if every_from_h0 else prev) @ a["Wh"] + a["b"])
        out[:, t] = h
        prev = h
    return out


SEQ_BUGS = (
    Bug("h0 is ignored: the first step must start from h0, not from zeros",
        lambda case: {"h": _unroll(case, start=np.zeros_like(case.args["h0"]))}),
    Bug("every step starts from h0: pass each step's new state on to the next step",
        lambda case: {"h": _unroll(case, every_from_h0=True)}),
    Bug("the last time step is never computed: the loop stops one step early (range(T - 1)?)",
        lambda case: {"h": _unroll(case, steps=case.args["x"].shape[1] - 1)}),
    Bug("the activation argument is not passed on: tanh is used even when activation='relu'",
        lambda case: {"h": _unroll(Case(case.label, case.args, {"activation": "tanh"}, case.dims))}),
)


def check_rnn_forward(ctx):
    out = Out("h", ("N", "T", "H"))
    return check_outputs(ctx, _seq_cases(ctx.rng), _seq_ref, [out], returns_cache=True, bugs=SEQ_BUGS)


# ---------------------------------------------------------------------------------------------
# softmax


def _softmax_cases(rng):
    cases = [
        Case("x of shape (4, 7), axis=-1", {"x": rng.standard_normal((4, 7))}, {}, {"N": 4, "V": 7}),
        Case("x of shape (2, 3, 5), axis=-1", {"x": 2 * rng.standard_normal((2, 3, 5))}, {}, {"N": 2, "T": 3, "V": 5}),
        Case("x of shape (1, 1), axis=-1", {"x": rng.standard_normal((1, 1))}, {}, {"N": 1, "V": 1}),
        Case("x of shape (5, 3), axis=0", {"x": rng.standard_normal((5, 3))}, {"axis": 0}, {"N": 5, "V": 3}),
    ]
    big = rng.standard_normal((3, 6))
    big[0] = 1000 + big[0]
    big[1] = -1000 + 10 * big[1]
    cases.append(Case("large logits (rows around +1000 and -1000), axis=-1", {"x": big}, {}, {"N": 3, "V": 6}))
    mixed = rng.standard_normal((2, 4))
    mixed[0] += 800
    cases.append(Case("rows on very different scales (one around 800, one around 0)", {"x": mixed}, {},
                      {"N": 2, "V": 4}))
    return cases


def _softmax_ref(case):
    return {"probs": activations.softmax(case.args["x"], axis=case.kwargs.get("axis", -1))}


def _naive_softmax(x, axis):
    with np.errstate(all="ignore"):
        e = np.exp(x)
        return e / e.sum(axis=axis, keepdims=True)


def _global_max_softmax(x, axis):
    with np.errstate(all="ignore"):
        e = np.exp(x - x.max())
        return e / e.sum(axis=axis, keepdims=True)


SOFTMAX_BUGS = (
    Bug("exp overflows at large inputs: subtract the maximum along the axis first "
        "(softmax(x) = softmax(x - max), and exp of a number <= 0 cannot overflow)",
        lambda case: {"probs": _naive_softmax(case.args["x"], case.kwargs.get("axis", -1))}),
    Bug("the maximum of the whole array is subtracted, so rows far below it underflow to 0/0: "
        "subtract each row's own maximum (x.max(axis=axis, keepdims=True))",
        lambda case: {"probs": _global_max_softmax(case.args["x"], case.kwargs.get("axis", -1))}),
    Bug("the exponentials are divided by their sum over the whole array, not along the axis",
        lambda case: {"probs": np.exp(case.args["x"] - case.args["x"].max()) / np.exp(
            case.args["x"] - case.args["x"].max()).sum()}),
    Bug("the axis argument is ignored (always the last axis)",
        lambda case: {"probs": activations.softmax(case.args["x"], axis=-1)}),
)


def _softmax_extra(case, values, grade):
    p = values.get("probs")
    if grade.failed("probs") or not isinstance(p, np.ndarray) or p.shape != case.args["x"].shape:
        return
    axis = case.kwargs.get("axis", -1)
    with np.errstate(all="ignore"):
        sums = p.sum(axis=axis)
    if np.all(np.isfinite(sums)) and not np.allclose(sums, 1.0, rtol=1e-9, atol=1e-9):
        grade.note(f"the probabilities along axis {axis} do not sum to 1 (inputs: {case.label})")


def check_softmax(ctx):
    out = Out("probs", lambda case: tuple(case.dims), axes=())
    return check_outputs(ctx, _softmax_cases(ctx.rng), _softmax_ref, [out], bugs=SOFTMAX_BUGS,
                         extra_checks=_softmax_extra)


# ---------------------------------------------------------------------------------------------
# softmax_cross_entropy


def _ce_cases(rng):
    cases = []
    for N, T, V, masked, scale in [(3, 4, 5, False, 1.0), (2, 5, 6, True, 1.0), (1, 1, 3, False, 1.0),
                                   (4, 3, 2, True, 1.0), (2, 3, 4, False, 400.0)]:
        logits = scale * rng.standard_normal((N, T, V))
        y = rng.integers(0, V, (N, T))
        if scale > 1:
            # whatever the draw: one logit exp overflows on, and one target whose probability underflows to 0
            logits[0, 0, 0] = 1000.0 + logits[0, 0].max()
            y[0, 0] = 1 + int(np.argmin(logits[0, 0, 1:]))
        dims = {"N": N, "T": T, "V": V}
        kwargs = {}
        label = case_label(dims)
        if masked:
            mask = rng.random((N, T)) < 0.6
            mask[0, 0] = True
            mask[-1, -1] = False
            kwargs["mask"] = mask
            label += f", mask with {int(mask.sum())} of {N * T} positions True"
        if scale > 1:
            label += ", large logits (hundreds)"
        cases.append(Case(label, {"logits": logits, "y": y}, kwargs, dims))
    return cases


def _ce_ref(case):
    loss, dlogits = losses.softmax_cross_entropy(case.args["logits"], case.args["y"], case.kwargs.get("mask"))
    return {"loss": loss, "dlogits": dlogits}


def _ce_variant(case, *, divisor="count", use_mask=True, probs=None, pick="take", grad_divided=True,
                grad_masked=True):
    """The loss and gradient with one slip switched on.

    ``probs``: None computes log-softmax directly (right); "naive" takes the log of an unshifted softmax
    (exp overflows), "stable" the log of a shifted one (a probability that underflows to 0 gives log 0).
    ``pick``: "take" picks each target's log-probability; "onehot" sums probs * onehot first, as many
    students write it (a NaN anywhere in the row then reaches the loss).
    """
    logits, y = case.args["logits"], case.args["y"]
    N, T, V = logits.shape
    mask = case.kwargs.get("mask")
    w = np.ones((N, T)) if mask is None or not use_mask else mask.astype(float)
    onehot = np.eye(V)[y]
    with np.errstate(all="ignore"):
        if probs is None:
            logp = activations.log_softmax(logits)
            p = np.exp(logp)
        else:
            p = _naive_softmax(logits, -1) if probs == "naive" else activations.softmax(logits, axis=-1)
            logp = np.log(p)
        if pick == "onehot":
            picked = np.log(np.sum(p * onehot, axis=-1))
        else:
            picked = np.take_along_axis(logp, y[..., None], axis=-1)[..., 0]
        total = -np.sum(picked * w)
        div = {"count": max(w.sum(), 1.0), "all": N * T, "batch": N}[divisor]
        d = (p - onehot) * (w[..., None] if grad_masked else 1.0)
        if grad_divided:
            d = d / div
    return {"loss": total / div, "dlogits": d}


_CE_OVERFLOW = ("exp overflows at large logits (inf / inf is NaN): subtract each row's maximum before exp, and "
                "compute log-probabilities directly, x - max - log(sum(exp(x - max)))")
_CE_LOG_ZERO = ("log(softmax(x)) underflows to log(0) = -inf at large logits, even with a stable softmax: compute "
                "log-softmax directly, x - max - log(sum(exp(x - max)))")


CE_BUGS = (
    Bug("the loss is averaged over all N*T positions; average over the positions where mask is True",
        lambda case: _ce_variant(case, divisor="all")),
    Bug("the mask is ignored: padded positions (mask False) must add nothing to the loss or the gradient",
        lambda case: _ce_variant(case, use_mask=False)),
    Bug("the loss is summed over time and averaged over the batch only; this exercise averages over every "
        "(unmasked) position, a per-token loss", lambda case: _ce_variant(case, divisor="batch")),
    Bug("dlogits is not masked: padded positions (mask False) add nothing to the loss, so their gradient is 0; "
        "multiply (softmax - onehot) by the mask too", lambda case: _ce_variant(case, grad_masked=False)),
    Bug(_CE_LOG_ZERO, lambda case: _ce_variant(case, probs="stable")),
    Bug(_CE_OVERFLOW, lambda case: _ce_variant(case, probs="naive")),
    Bug(_CE_OVERFLOW, lambda case: _ce_variant(case, probs="naive", pick="onehot")),
    Bug("dlogits is not divided by the number of positions averaged over (the loss is an average, so its "
        "gradient is too)", lambda case: _ce_variant(case, grad_divided=False)),
)


def check_softmax_cross_entropy(ctx):
    outs = [Out("loss", kind="scalar"), Out("dlogits", ("N", "T", "V"))]
    return check_outputs(ctx, _ce_cases(ctx.rng), _ce_ref, outs, bugs=CE_BUGS)


ITEMS = (
    Item("rnn_step_forward", "rnn_step_forward", EXERCISE, 2, check_rnn_step_forward,
         summary="one step of a vanilla RNN: h = tanh(x Wx + h_prev Wh + b) (or relu), returning (h, cache)",
         hints=(
             "Weights multiply from the right: x is (N, D) and Wx is (D, H), so x @ Wx is (N, H); "
             "h_prev @ Wh is (N, H) too, and b (H,) broadcasts over the batch.",
             "Pick the nonlinearity from `activation`: np.tanh for 'tanh', np.maximum(a, 0) for 'relu'.",
             "Return a tuple (h, cache). The cache can be anything your backward pass will need later, "
             "e.g. (x, h_prev, h, Wx, Wh, activation).",
         ),
         forbid=_CELLS),
    Item("rnn_forward", "rnn_forward", EXERCISE, 3, check_rnn_forward, uses=("rnn_step_forward",),
         summary="run the RNN over a whole sequence x (N, T, D) from h0, returning h (N, T, H) and a cache",
         hints=(
             "Loop over t = 0 .. T-1 and call your rnn_step_forward on x[:, t, :] and the previous state; "
             "the previous state of step 0 is h0.",
             "Collect every step's state in an array of shape (N, T, H), batch-first: h[:, t, :] is the state "
             "computed from x[:, t, :] (h_(t+1) in the maths, which counts steps from 1).",
             "Pass activation on to every step, and keep each step's cache (a list) for the backward pass.",
         ),
         forbid=_CELLS),
    Item("softmax", "softmax", EXERCISE, 2, check_softmax,
         summary="a numerically stable softmax along any axis",
         hints=(
             "softmax(x) = exp(x) / sum(exp(x)) along the axis. What happens to np.exp(1000)?",
             "softmax(x) = softmax(x - c) for any constant c per row; with c = the row's maximum, every "
             "exponent is <= 0 and cannot overflow.",
             "Use keepdims=True in max and sum so the shapes broadcast back along `axis`.",
         ),
         forbid=("rnn_course.activations", "rnn_course.losses")),
    Item("softmax_cross_entropy", "softmax_cross_entropy", EXERCISE, 3, check_softmax_cross_entropy,
         summary="mean cross-entropy over the unmasked positions of a sequence, and its gradient dlogits",
         hints=(
             "Work with log-probabilities: log_softmax(x) = x - max - log(sum(exp(x - max))) is finite for any "
             "logits, while log(softmax(x)) can be log(0).",
             "Pick the log-probability of the target at every (n, t): np.take_along_axis(logp, y[..., None], "
             "axis=-1). Multiply by the mask (1.0 or 0.0) and divide the sum by the number of True positions.",
             "The gradient of the mean loss is (softmax(logits) - onehot(y)) * mask / count.",
         ),
         forbid=("rnn_course.activations", "rnn_course.losses")),
)
