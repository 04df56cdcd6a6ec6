"""Exercise 06, attention and decoding: additive_attention_forward, additive_attention_backward, beam_search.

The attention items compare the student's values with ``rnn_course.attention``
on fresh random inputs: no mask, padding masks and random masks, the edge
sizes N = T = Hq = Hk = A = 1, and scores in the hundreds (an unshifted
softmax overflows there). ``beam_search`` is graded on behaviour, on small
random RNN decoders built on the student's side (``factories.toy_decoder``):
a beam of 1 is greedy search; a beam as wide as every possible output finds
the most probable one (checked by enumerating them); a beam of 2 or 3 keeps
the hypotheses the module docstring of ``rnn_course.decoding`` describes;
every score is the total log-probability of its tokens, also over 300 steps
where a product of probabilities underflows to 0.

This module holds reference implementations: every graded function is
forbidden to call it.
"""

from __future__ import annotations

import itertools

import numpy as np

from ...attention import additive_attention_backward, additive_attention_forward
from ...decoding import beam_search, greedy_search
from ..factories import toy_decoder
from ..wire import Factory
from .common import case_label
from .framework import Bug, Case, Grade, Item, Out, check_backward, check_outputs, terminal_result

EXERCISE = "06_attention"
_FORBID = ("rnn_course.attention", "rnn_course.decoding")


# ---------------------------------------------------------------------------------------------
# additive_attention_forward


def _attention_cases(rng):
    cases = []
    specs = [((3, 5, 4, 6, 7), "no mask", 1.0), ((1, 1, 1, 1, 1), "no mask", 1.0),
             ((4, 6, 3, 4, 5), "padding", 1.0), ((3, 4, 2, 3, 3), "random mask", 1.0),
             ((2, 5, 3, 3, 4), "padding", 1000.0), ((1, 3, 2, 2, 2), "no mask", 1.0)]
    for (N, T, Hq, Hk, A), kind, scale in specs:
        args = dict(query=rng.standard_normal((N, Hq)), keys=rng.standard_normal((N, T, Hk)),
                    Wq=rng.standard_normal((Hq, A)) / np.sqrt(Hq), Wk=rng.standard_normal((Hk, A)) / np.sqrt(Hk),
                    v=scale * rng.standard_normal(A))
        mask = None
        if kind == "padding":
            lengths = rng.integers(1, T + 1, N)
            lengths[0] = T
            mask = np.arange(T)[None, :] < lengths[:, None]
        elif kind == "random mask":
            mask = rng.random((N, T)) < 0.5
            mask[np.arange(N), rng.integers(0, T, N)] = True
        for _ in range(200 if scale > 1 else 0):  # redraw v until an unshifted exp overflows in every row
            if _largest_real_score(args, mask).min() > 800:
                break
            args["v"] = scale * rng.standard_normal(A)
        dims = {"N": N, "T": T, "Hq": Hq, "Hk": Hk, "A": A}
        extra = {"padding": "padding mask", "random mask": "random mask", "no mask": "mask=None"}[kind]
        label = case_label(dims) + f", {extra}" + (f", scores of order {scale:g}" if scale > 1 else "")
        case = Case(label, args, {"mask": mask}, dims)
        case.extra["dcontext"] = rng.standard_normal((N, Hk))
        cases.append(case)
    return cases


def _largest_real_score(args, mask):
    """Each row's largest score at a real position."""
    scores = np.tanh((args["query"] @ args["Wq"])[:, None, :] + args["keys"] @ args["Wk"]) @ args["v"]
    return np.where(np.ones(scores.shape, bool) if mask is None else mask, scores, -np.inf).max(axis=1)


def _attention_ref(case):
    context, weights, _ = additive_attention_forward(**case.args, **case.kwargs)
    return {"context": context, "weights": weights}


def _forward_variant(case, *, axis=1, mask_mode="before", use_tanh=True, stable=True, context_from="weights"):
    a = case.args
    mask = case.kwargs.get("mask")
    z = (a["query"] @ a["Wq"])[:, None, :] + a["keys"] @ a["Wk"]
    scores = raw = (np.tanh(z) if use_tanh else z) @ a["v"]
    if mask is not None and mask_mode == "before":
        scores = np.where(mask, scores, -np.inf)
    if mask is not None and mask_mode == "inverted":
        scores = np.where(mask, -np.inf, scores)
    with np.errstate(all="ignore"):
        shifted = scores - scores.max(axis=axis, keepdims=True) if stable else scores
        e = np.exp(shifted)
        weights = e / e.sum(axis=axis, keepdims=True)
        if mask is not None and mask_mode == "after":
            weights = weights * mask
        mix = weights if context_from == "weights" else raw
        context = np.einsum("nt,nth->nh", mix, a["keys"])
    return {"context": context, "weights": weights}


FORWARD_BUGS = (  # first: an overflow gives NaN, and a variant with NaN in the same places would match it
    Bug("exp overflows when the scores are large: subtract each row's largest (real) score before exp",
        lambda case: _forward_variant(case, stable=False)),
    Bug("the softmax runs over the batch (axis 0); each row's weights are a distribution over its T positions: "
        "take the softmax along axis 1", lambda case: _forward_variant(case, axis=0)),
    Bug("the mask is applied after the softmax, so the weights of a row with padding no longer sum to 1: give "
        "the masked scores -inf before the softmax (exp(-inf) = 0)",
        lambda case: _forward_variant(case, mask_mode="after")),
    Bug("the mask is ignored: padded positions get weight too",
        lambda case: _forward_variant(case, mask_mode="ignored")),
    Bug("the mask is the wrong way round: True marks the positions that are real", lambda case: _forward_variant(
        case, mask_mode="inverted")),
    Bug("the scores are missing the tanh: e_t = tanh(query Wq + keys_t Wk) v", lambda case: _forward_variant(
        case, use_tanh=False)),
    Bug("the context averages the keys with the scores; use the weights (the softmax of the scores)",
        lambda case: _forward_variant(case, context_from="scores")),
)

_FORWARD_OUTS = [Out("context", ("N", "Hk"), axes=("N", "H")), Out("weights", ("N", "T"))]


def _weights_extra(case, values, grade):
    w = values.get("weights")
    if grade.failed("weights") or not isinstance(w, np.ndarray) or w.shape != (case.dims["N"], case.dims["T"]):
        return
    with np.errstate(all="ignore"):
        sums = w.sum(axis=1)
    if np.all(np.isfinite(sums)) and not np.allclose(sums, 1.0, rtol=1e-9, atol=1e-9):
        grade.note(f"the weights of a row do not sum to 1 over its positions (inputs: {case.label})")


def check_attention_forward(ctx):
    return check_outputs(ctx, _attention_cases(ctx.rng), _attention_ref, _FORWARD_OUTS, returns_cache=True,
                         bugs=FORWARD_BUGS, extra_checks=_weights_extra)


# ---------------------------------------------------------------------------------------------
# additive_attention_backward


def _backward_ref(case, up):
    _, _, cache = additive_attention_forward(**case.args, **case.kwargs)
    return additive_attention_backward(up["dcontext"], cache).as_dict()


def _backward_variant(case, up, *, tanh_grad="output", direct=True, through_scores=True, softmax_sum=True):
    a = case.args
    mask = case.kwargs.get("mask")
    z = (a["query"] @ a["Wq"])[:, None, :] + a["keys"] @ a["Wk"]
    u = np.tanh(z)
    scores = u @ a["v"]
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    w = e / e.sum(axis=1, keepdims=True)
    dctx = up["dcontext"]
    dw = np.einsum("nth,nh->nt", a["keys"], dctx)
    de = w * (dw - (w * dw).sum(axis=1, keepdims=True)) if softmax_sum else w * dw
    du = de[:, :, None] * a["v"]
    dz = {"output": du * (1 - u * u), "pre-activation": du * (1 - z * z), "missing": du}[tanh_grad]
    dkeys = np.zeros_like(a["keys"])
    if direct:
        dkeys = dkeys + w[:, :, None] * dctx[:, None, :]
    if through_scores:
        dkeys = dkeys + dz @ a["Wk"].T
    N, T, Hk = a["keys"].shape
    return {"dquery": dz.sum(axis=1) @ a["Wq"].T, "dkeys": dkeys, "dWq": a["query"].T @ dz.sum(axis=1),
            "dWk": a["keys"].reshape(N * T, Hk).T @ dz.reshape(N * T, -1), "dv": np.einsum("nta,nt->a", u, de)}


BACKWARD_BUGS = (
    Bug("tanh' is missing: u = tanh(z), so dz = du * (1 - u**2)", lambda case, up: _backward_variant(
        case, up, tanh_grad="missing")),
    Bug("tanh' is computed from the pre-activation z; it is 1 - tanh(z)**2 = 1 - u**2", lambda case, up:
        _backward_variant(case, up, tanh_grad="pre-activation")),
    Bug("dkeys is missing the direct path through the context: the keys are also the values averaged, "
        "context = sum_t alpha_t keys_t, so dkeys_t gets alpha_t * dcontext as well",
        lambda case, up: _backward_variant(case, up, direct=False)),
    Bug("dkeys is missing the path through the scores: keys_t Wk is inside the tanh, so dkeys_t also gets "
        "dz_t @ Wk.T", lambda case, up: _backward_variant(case, up, through_scores=False)),
    Bug("the softmax's backward is missing the sum term: de_t = alpha_t (dalpha_t - sum_t' alpha_t' dalpha_t')",
        lambda case, up: _backward_variant(case, up, softmax_sum=False)),
)

_BACKWARD_GRADS = [Out("dquery", ("N", "Hq"), axes=("N", "H")), Out("dkeys", ("N", "T", "Hk"), axes=("N", "T", "H")),
                   Out("dWq", ("Hq", "A"), axes=("H", "A")), Out("dWk", ("Hk", "A"), axes=("H", "A")),
                   Out("dv", ("A",), axes=("A",))]


def check_attention_backward(ctx):
    return check_backward(ctx, _attention_cases(ctx.rng), forward="additive_attention_forward",
                          forward_outputs=_FORWARD_OUTS, grads=_BACKWARD_GRADS, reference_forward=_attention_ref,
                          reference_backward=_backward_ref, upstream=lambda case: {"dcontext": case.extra["dcontext"]},
                          bugs=BACKWARD_BUGS)


# ---------------------------------------------------------------------------------------------
# beam_search

START, END = 0, 1


def _decoder(rng, V, H, *, sharpness=1.5, end_bias=0.0, contraction=None):
    """A random toy decoder's parameters and first state.

    ``contraction``: scale Wh to this spectral norm (< 1), so the state map h -> tanh(e + h Wh) is a
    contraction and a rounding difference dies out instead of growing. Long cases need it: a random Wh can
    make the map chaotic, and then the last bit in which a batch of 3 rows and a batch of 1 row differ grew,
    over 400 steps, into scores 2% apart between the judge's reference and the same tokens rescored one at
    a time (6 decoders in 6,000), which failed honest solutions.
    """
    Wh = rng.standard_normal((H, H)) / np.sqrt(H)
    if contraction is not None:
        Wh *= contraction / np.linalg.norm(Wh, 2)
    params = {"embed": rng.standard_normal((V, H)), "Wh": Wh,
              "W_out": sharpness * rng.standard_normal((H, V)), "b_out": np.zeros(V)}
    params["b_out"][END] += end_bias
    return params, rng.standard_normal((1, H))


def _token_log_probs(step, h0, tokens) -> np.ndarray:
    """log p(token_u | tokens before it) for every token of a hypothesis."""
    h, previous, out = h0, START, []
    for token in tokens:
        log_probs, h = step(np.array([previous]), h)
        out.append(float(log_probs[0, token]))
        previous = int(token)
    return np.array(out)


def _total_log_prob(step, h0, tokens) -> float:
    return float(_token_log_probs(step, h0, tokens).sum())


def _every_output(V, max_len):
    for length in range(1, max_len + 1):
        for seq in itertools.product(range(V), repeat=length):
            if END not in seq[:-1] and (seq[-1] == END or length == max_len):
                yield seq


def beam_variant(step, h0, beam_size, max_len, *, score="log", keep_finished=True):
    """Known-wrong beam searches (the switches), as [(tokens tuple, score)] best first; defaults are right."""
    beam = [((), 0.0, 0.0, False)]  # (tokens, ranking key, reported score, finished)
    state = h0
    finished_aside = []
    for _ in range(max_len):
        live = [b for b in beam if not b[3]]
        if not live:
            break
        previous = np.array([b[0][-1] if b[0] else START for b in live])
        log_probs, new_state = step(previous, state)
        cands = [b for b in beam if b[3]] if keep_finished else []
        for i, b in enumerate(live):
            for token in range(log_probs.shape[1]):
                lp = float(log_probs[i, token])
                with np.errstate(all="ignore"):
                    reported = {"log": b[2] + lp, "prob_sum": b[2] + np.exp(lp), "last": lp,
                                "product": b[2] * np.exp(lp) if b[0] else np.exp(lp)}[score]
                cands.append((b[0] + (token,), reported, reported, token == END, i))
        order = sorted(range(len(cands)), key=lambda k: -cands[k][1])  # stable: ties keep candidate order
        if keep_finished:
            kept = [cands[k] for k in order[:beam_size]]
        else:  # every finished extension is set aside; the beam is refilled with unfinished ones
            finished_aside = sorted(finished_aside + [cands[k] for k in order if cands[k][3]],
                                    key=lambda c: -c[1])[:beam_size]
            kept = [cands[k] for k in order if not cands[k][3]][:beam_size]
        parents = [c[4] for c in kept if len(c) > 4 and not c[3]]
        state = new_state[parents]
        beam = [c[:4] for c in kept]
    out = beam + [c[:4] for c in finished_aside]
    out = sorted(out, key=lambda b: -b[1])[:beam_size]
    return [(b[0], b[2]) for b in out]


BEAM_BUGS = (
    ({"score": "product"}, "the scores are products of probabilities, not sums of log-probabilities: over many "
                           "steps the product underflows to 0 and every hypothesis ties; add log-probabilities"),
    ({"score": "prob_sum"}, "the scores add up probabilities; a hypothesis' score is the sum of the "
                            "log-probabilities of its tokens"),
    ({"score": "last"}, "the beam is ranked by the log-probability of the last token only; rank every candidate "
                        "by its total log-probability, the hypothesis' score plus log p(token)"),
    ({"keep_finished": False}, "finished hypotheses leave the beam; keep them among the candidates with their "
                               "scores (they compete for the beam_size places), and stop when every hypothesis "
                               "in the beam is finished"),
)


def _as_hypotheses(value, beam_size):
    """[(tokens tuple, score)] from the student's return value, or a message saying why not."""
    shape = "a list of (tokens, score) pairs, best first"
    if not isinstance(value, list | tuple):
        return f"beam_search returned {'None' if value is None else 'a ' + type(value).__name__}, expected {shape}"
    if not value:
        return f"beam_search returned an empty list, expected {shape}"
    out = []
    for item in value:
        if not isinstance(item, list | tuple) or len(item) != 2:
            return f"beam_search returned a list whose items are not (tokens, score) pairs, expected {shape}"
        tokens, score = item
        try:
            arr = np.asarray(tokens)
            score = float(score)
        except (TypeError, ValueError):
            return "a hypothesis' tokens must be a 1-D array of integer ids and its score a number"
        if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
            return "a hypothesis' tokens must be a 1-D array of integer ids (\"</s>\" included when it finished)"
        out.append((tuple(int(t) for t in arr), score))
    if len(out) > beam_size:
        return f"beam_search returned {len(out)} hypotheses with beam_size={beam_size}: keep at most beam_size"
    return out


def _same_hypotheses(got, want) -> bool:
    return [g[0] for g in got] == [w[0] for w in want]


def _beam_case(rng, V, H, max_len, beam_size, label, **kw):
    params, h0 = _decoder(rng, V, H, **kw)
    return {"params": params, "h0": h0, "V": V, "max_len": max_len, "beam_size": beam_size, "label": label}


def long_beam_case(rng):
    """400 steps on a decoder whose state map is a contraction (so rescoring one hypothesis alone agrees)."""
    return _beam_case(rng, 10, 4, 400, 3, "V=10, H=4, max_len=400 (\"</s>\" very unlikely), beam_size=3",
                      end_bias=-30.0, sharpness=0.3, contraction=0.5)


def _call_beam(ctx, grade, case):
    args = {"step": Factory("toy_decoder", case["params"]), "state": case["h0"], "start_id": START, "end_id": END,
            "beam_size": case["beam_size"], "max_len": case["max_len"]}
    outcome = ctx.call(args)
    stop = terminal_result(ctx, outcome)
    if stop is not None:
        stop.details.append(f"inputs: {case['label']}")
        return stop, None
    grade.saw(outcome, allowed=("state",))
    return None, _as_hypotheses(outcome.value, case["beam_size"])


def _explain_beam(step, case, got) -> str | None:
    for switches, message in BEAM_BUGS:
        variant = beam_variant(step, case["h0"], case["beam_size"], case["max_len"], **switches)
        right = beam_variant(step, case["h0"], case["beam_size"], case["max_len"])
        if _same_hypotheses(variant, right) and switches.get("score") != "product":
            continue
        if _same_hypotheses(got, variant) and (switches.get("score") is None or np.allclose(
                [g[1] for g in got], [v[1] for v in variant], rtol=1e-6, atol=1e-300)):
            return message
    return None


def _reference(step, case):
    return [(tuple(int(t) for t in h.tokens), h.score)
            for h in beam_search(step, case["h0"], start_id=START, end_id=END, beam_size=case["beam_size"],
                                 max_len=case["max_len"])]


_SCORE_SLIPS = {  # what a wrong score is, from the log-probabilities of its tokens
    "product": lambda lp: float(np.exp(lp.sum())),
    "prob_sum": lambda lp: float(np.exp(lp).sum()),
    "last": lambda lp: float(lp[-1]) if lp.size else 0.0,
}


def _score_cause(step, case, got) -> str | None:
    """The known slip that gives every returned score (hypotheses of one token cannot tell them apart)."""
    logs = [(_token_log_probs(step, case["h0"], tokens), score) for tokens, score in got]
    for name, slip in _SCORE_SLIPS.items():
        if all(np.isclose(score, slip(lp), rtol=1e-6, atol=1e-300) for lp, score in logs):
            if any(lp.size > 1 for lp, _ in logs) or name == "product":
                return next(msg for switches, msg in BEAM_BUGS if switches.get("score") == name)
    return None


def _check_scores(grade, step, case, got):
    if grade.failed("scores"):
        return
    scores = [g[1] for g in got]
    if scores != sorted(scores, reverse=True):
        grade.fail("scores", f"the hypotheses are not sorted best first (inputs: {case['label']})")
        return
    for tokens, score in got:
        if END in tokens[:-1] or (tokens and tokens[-1] != END and len(tokens) != case["max_len"]):
            grade.fail("scores", f"a hypothesis continues after \"</s>\" or stops before max_len without it "
                                 f"(inputs: {case['label']})")
            return
        if not np.isclose(score, _total_log_prob(step, case["h0"], tokens), rtol=1e-6, atol=1e-9):
            grade.fail("scores", f"a hypothesis' score is not the total log-probability of its tokens "
                                 f"(inputs: {case['label']})", _score_cause(step, case, got))
            return


def check_beam_search(ctx):
    grade = Grade(ctx, ["greedy", "ranking", "scores"])
    rng = ctx.rng
    cases = [("greedy", _beam_case(rng, 5, 4, 6, 1, "V=5, H=4, max_len=6, beam_size=1")),
             ("greedy", _beam_case(rng, 3, 2, 1, 1, "V=3, H=2, max_len=1, beam_size=1"))]
    n_outputs = sum(1 for _ in _every_output(4, 4))
    cases.append(("exhaustive", _beam_case(rng, 4, 3, 4, n_outputs, f"V=4, H=3, max_len=4, beam_size={n_outputs} "
                                                                     "(every possible output)")))
    for beam_size in (2, 3):
        for _ in range(50):  # a decoder on which the beam finds something greedy does not
            case = _beam_case(rng, 5, 4, 6, beam_size, f"V=5, H=4, max_len=6, beam_size={beam_size}")
            step = toy_decoder(**case["params"])
            greedy = greedy_search(step, case["h0"], start_id=START, end_id=END, max_len=6)
            if _reference(step, case)[0][0] != tuple(greedy.tokens):
                break
        cases.append(("ranking", case))
    cases.append(("long", long_beam_case(rng)))
    for kind, case in cases:
        stop, got = _call_beam(ctx, grade, case)
        if stop is not None:
            return stop
        if isinstance(got, str):
            grade.fail_all(f"{got} (inputs: {case['label']})")
            break
        step = toy_decoder(**case["params"])
        want = _reference(step, case)
        part = "greedy" if kind == "greedy" else "ranking"
        if kind == "exhaustive":
            scores = {seq: _total_log_prob(step, case["h0"], seq) for seq in _every_output(4, 4)}
            best = max(scores, key=scores.get)
            if not grade.failed(part) and got[0][0] != best:
                grade.fail(part, f"with a beam as wide as every possible output, the first hypothesis is not the most "
                                 f"probable output (inputs: {case['label']})", _explain_beam(step, case, got))
        elif not grade.failed(part) and not _same_hypotheses(got, want):
            what = ("the result is not greedy search's (with beam_size=1 the beam keeps the most likely next token "
                    "each step)" if kind == "greedy" else "the hypotheses returned are not the beam_size best kept "
                    "by beam search")
            grade.fail(part, f"{what} (inputs: {case['label']})", _explain_beam(step, case, got))
        if kind == "long" and not grade.failed("scores") and not _same_hypotheses(got, want):
            grade.fail("scores", f"over 400 steps the search does not find the best hypotheses (inputs: "
                                 f"{case['label']})", _explain_beam(step, case, got))
        _check_scores(grade, step, case, got)
    return grade.result()


ITEMS = (
    Item("additive_attention_forward", "additive_attention_forward", EXERCISE, 3, check_attention_forward,
         summary="scores tanh(query Wq + keys_t Wk) v, a masked softmax over positions, the weighted sum of the keys",
         hints=(
             "query @ Wq is (N, A); keys @ Wk is (N, T, A). Add query @ Wq to every position with "
             "(query @ Wq)[:, None, :], take tanh, and multiply by v to get the scores (N, T).",
             "The softmax runs over the positions, axis 1. Subtract each row's maximum first (exp of a number <= 0 "
             "cannot overflow); set masked scores to -inf *before* the softmax, so exp gives exactly 0.",
             "context = sum_t weights_t keys_t: (weights[:, :, None] * keys).sum(axis=1), or np.einsum('nt,nth->nh', "
             "weights, keys). Keep what the backward pass needs in the cache.",
         ),
         forbid=_FORBID),
    Item("additive_attention_backward", "additive_attention_backward", EXERCISE, 4, check_attention_backward,
         uses=("additive_attention_forward",),
         summary="the gradients of query, keys, Wq, Wk and v, from dcontext and your forward pass's cache",
         hints=(
             "Go backwards through the forward pass: context -> weights (and keys), softmax -> scores, scores -> u, "
             "u = tanh(z) -> z, z = query Wq + keys Wk -> query, keys, Wq, Wk.",
             "dweights_t = keys_t . dcontext; the softmax's backward is de = w * (dw - (w * dw).sum(axis=1, "
             "keepdims=True)); then du = de[:, :, None] * v and dz = du * (1 - u**2).",
             "The keys appear twice: as the values (dkeys gets weights[:, :, None] * dcontext[:, None, :]) and in "
             "the scores (dkeys gets dz @ Wk.T). The query was added at every position: sum dz over axis 1.",
         ),
         forbid=_FORBID),
    Item("beam_search", "beam_search", EXERCISE, 3, check_beam_search,
         summary="keep the beam_size best hypotheses by total log-probability, finished ones included",
         hints=(
             "A hypothesis is (tokens, score) with score = the sum of the log-probabilities of its tokens. Start "
             "from one empty hypothesis with score 0; the decoder's first input is start_id.",
             "Each step: call step once on the last tokens of every unfinished hypothesis (their states stacked "
             "in rows); total = score[:, None] + log_probs gives every extension's score. Put those and the "
             "finished hypotheses together and keep the beam_size best (np.argsort(-scores)).",
             "An extension ending in end_id is finished. The unfinished ones continue from their parent's state: "
             "state = new_state[parents]. Stop when every hypothesis in the beam is finished, or after max_len steps.",
         ),
         forbid=_FORBID, timeout=60),
)
