"""Exercise 05, a character-level language model: sample_next_token, generate, train_step (10 points).

The model is built from the package's pieces only (embedding, a tanh RNN, a
temporal affine layer, softmax cross-entropy, clipping, an optimiser):

    emb = W_embed[x]                         (N, T, D)
    h = rnn_forward(emb, 0, Wx, Wh, b)       (N, T, H)
    logits = h @ W_out + b_out               (N, T, V)

Sampling is random, so ``sample_next_token`` and ``generate`` are graded on
behaviour: the frequencies of many draws must match the right distribution
(each symbol within 5 standard deviations, so a correct sampler fails less
than once in a million checks), top-k must never draw outside the top k,
greedy decoding (top_k=1) must reproduce the reference sequence exactly, and
the same seed must give the same draws. ``train_step`` is graded exactly on
one step (the loss it returns and the parameters after it) and on behaviour:
the loss it reaches on the fixed corpus within a step budget.

This module holds reference implementations: every graded function is
forbidden to call it.
"""

from __future__ import annotations

import functools

import numpy as np

from ...cells import rnn_backward, rnn_forward
from ...layers import embedding_backward, embedding_forward, temporal_affine_backward, temporal_affine_forward
from ...losses import softmax_cross_entropy
from ...optim import SGD, Adam, clip_grad_norm
from ..corpus import CORPUS, V, batch_at, encode, init_params
from ..wire import Factory, RngArg
from .diagnose import all_close
from .framework import Grade, Item, terminal_result

EXERCISE = "05_language_model"
_FORBID = ("rnn_course.models", "rnn_course.train", "rnn_course.text", "rnn_course.sampling")
PARAM_NAMES = ("W_embed", "Wx", "Wh", "b", "W_out", "b_out")

#: the behaviour check's budget and set-up (the notebook trains with the same numbers)
BEHAVIOUR = {"D": 16, "H": 48, "N": 8, "T": 24, "steps": 100, "lr": 0.02, "max_norm": 5.0, "seed": 0}


# ---------------------------------------------------------------------------------------------
# the reference model


def loss_and_grads(params: dict, x, y):
    """Mean cross-entropy of the model on (x, y) (N, T) and the gradient of every parameter."""
    N = x.shape[0]
    H = params["Wh"].shape[0]
    emb, emb_cache = embedding_forward(x, params["W_embed"])
    h, rnn_cache = rnn_forward(emb, np.zeros((N, H)), params["Wx"], params["Wh"], params["b"])
    logits, out_cache = temporal_affine_forward(h, params["W_out"], params["b_out"])
    loss, dlogits = softmax_cross_entropy(logits, y)
    dh, dW_out, db_out = temporal_affine_backward(dlogits, out_cache)
    demb, _, dWx, dWh, db = rnn_backward(dh, rnn_cache)
    dW_embed = embedding_backward(demb, emb_cache)
    return loss, {"W_embed": dW_embed, "Wx": dWx, "Wh": dWh, "b": db, "W_out": dW_out, "b_out": db_out}


def reference_train_step(params, x, y, optimizer, max_norm=5.0, *, clip="global", loss_after=False):
    """One step: loss and gradients, clipping by the global norm, the optimiser's update (in place).

    ``clip="none"`` and ``clip="per-array"`` (each gradient by its own norm) are the known-wrong variants.
    """
    loss, grads = loss_and_grads(params, x, y)
    if clip == "global":
        clip_grad_norm(grads, max_norm)
    elif clip == "per-array":
        for g in grads.values():
            norm = float(np.sqrt(np.sum(g * g)))
            if norm > max_norm:
                g *= max_norm / norm
    optimizer.step(params, grads)
    if loss_after:
        return loss_and_grads(params, x, y)[0]
    return loss


def eval_loss(params: dict, T: int = 32) -> float:
    """The model's mean loss over the whole corpus, in windows of T characters (no training)."""
    ids = encode(CORPUS)
    starts = np.arange(0, len(ids) - T - 1, 8)
    windows = np.stack([ids[s:s + T + 1] for s in starts])
    return float(loss_and_grads(params, windows[:, :-1], windows[:, 1:])[0])


def next_probs(logits, temperature=1.0, top_k=None):
    """The distribution sample_next_token must draw from: softmax(logits / temperature) on the top k."""
    z = np.asarray(logits, dtype=float) / temperature
    if top_k is not None:
        kth = np.sort(z, axis=-1)[..., -top_k][..., None]
        z = np.where(z >= kth, z, -np.inf)
    z = z - z.max(axis=-1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=-1, keepdims=True)


def _step(params, ids, h):
    return np.tanh(params["W_embed"][ids] @ params["Wx"] + h @ params["Wh"] + params["b"])


def prime_logits(params, start_ids):
    """Logits for the first generated symbol after reading the prime start_ids (N, P)."""
    h = np.zeros((start_ids.shape[0], params["Wh"].shape[0]))
    for t in range(start_ids.shape[1]):
        h = _step(params, start_ids[:, t], h)
    return h @ params["W_out"] + params["b_out"]


def greedy(params, start_ids, length, *, carry=True, feed_back=True, prime_steps=None):
    """Greedy decoding (what generate does with top_k=1); the switches make the known-wrong variants."""
    N, P = start_ids.shape
    H = params["Wh"].shape[0]
    h = np.zeros((N, H))
    for t in range(P if prime_steps is None else prime_steps):
        h = _step(params, start_ids[:, t], h)
    out = np.empty((N, length), dtype=np.int64)
    last = start_ids[:, -1]
    for t in range(length):
        logits = h @ params["W_out"] + params["b_out"]
        out[:, t] = np.argmax(logits, axis=-1)
        fed = out[:, t] if feed_back else last
        h = _step(params, fed, h if carry else np.zeros_like(h))
    return out


# ---------------------------------------------------------------------------------------------
# sample_next_token


def _ids_problem(name, got, N, V_):
    if got is None:
        return f"{name} returned None: return the array of sampled ids"
    if not isinstance(got, np.ndarray):
        return f"{name} returned a {type(got).__name__}, expected a numpy array of shape (N,) = ({N},) of ids"
    if got.dtype.kind not in "iu":
        return f"{name} returned dtype {got.dtype}, expected integer ids (e.g. np.int64)"
    if got.shape != (N,):
        return f"{name} returned shape {got.shape}, expected (N,) = ({N},): one id per row of logits"
    if got.size and (got.min() < 0 or got.max() >= V_):
        return f"{name} returned ids outside [0, V) = [0, {V_})"
    return None


def distribution_problem(samples, probs) -> str | None:
    """None when ``samples`` (n,) look like draws from ``probs`` (V,), else what is off.

    Each symbol's count must be within 5 standard deviations (plus 3) of n p;
    symbols of probability 0 must never appear.
    """
    n = samples.size
    counts = np.bincount(samples, minlength=probs.size)[: probs.size]
    impossible = np.flatnonzero((probs == 0) & (counts > 0))
    if impossible.size:
        return (f"drew symbol{'s' if impossible.size > 1 else ''} {', '.join(map(str, impossible[:5]))}, which "
                "should have probability 0 (outside the top k)")
    sd = np.sqrt(n * probs * (1 - probs))
    off = np.flatnonzero(np.abs(counts - n * probs) > 5 * sd + 3)
    if off.size:
        j = off[np.argmax(np.abs(counts - n * probs)[off])]
        return (f"the frequencies of {off.size} symbol{'s' if off.size > 1 else ''} are off by more than 5 standard "
                f"deviations (symbol {j} was drawn in {100 * counts[j] / n:.1f}% of {n} draws)")
    return None


def _sampler_candidates(logits, temperature, top_k):
    def k_probs(k):
        return next_probs(logits, temperature, k)

    cands = [
        (next_probs(logits * temperature * temperature, temperature, top_k) if temperature != 1 else None,
         "the logits are multiplied by the temperature; divide them: softmax(logits / temperature)"),
        (next_probs(logits, 1.0, top_k) if temperature != 1 else None, "the temperature is ignored"),
        (next_probs(logits, temperature, None) if top_k else None, "top_k is ignored: keep only the k largest logits"),
        (k_probs(top_k - 1) if top_k and top_k > 1 else None,
         "one symbol too few is kept: top_k=k keeps the k largest logits"),
        (k_probs(top_k + 1) if top_k and top_k < logits.size else None,
         "one symbol too many is kept: top_k=k keeps the k largest logits"),
        (np.eye(logits.size)[np.argmax(logits)], "it always returns the most likely symbol: sample from the "
         "distribution instead (rng.choice(V, p=probs), or compare rng.random() with the cumulative probabilities)"),
        (np.full(logits.size, 1.0 / logits.size), "the draws are uniform: sample with the probabilities"),
    ]
    return [(p, msg) for p, msg in cands if p is not None]


def _logit_row(rng, V_):
    return 1.5 * rng.standard_normal(V_)


def check_sample_next_token(ctx):
    grade = Grade(ctx, ["temperature", "top_k", "rng"])
    rng = ctx.rng
    V_ = 12
    n = 20000
    cases = [("temperature", 1.0, None), ("temperature", 0.5, None), ("temperature", 2.0, None),
             ("top_k", 1.0, 3), ("top_k", 0.7, 5)]
    for part, temperature, top_k in cases:
        if grade.failed(part):
            continue
        row = _logit_row(rng, V_)
        logits = np.tile(row, (n, 1))
        label = f"{n} identical rows of {V_} logits, temperature={temperature:g}, top_k={top_k}"
        outcome = ctx.call({"logits": logits, "rng": RngArg(ctx.seed())}, {"temperature": temperature, "top_k": top_k})
        stop = terminal_result(ctx, outcome)
        if stop is not None:
            stop.details.append(f"inputs: {label}")
            return stop
        grade.saw(outcome, allowed=("rng",))
        problem = _ids_problem("sample_next_token", outcome.value, n, V_)
        if problem:
            grade.fail_all(f"{problem} (inputs: {label})")
            break
        probs = next_probs(row, temperature, top_k)
        problem = distribution_problem(outcome.value, probs)
        if problem:
            cause = next((msg for p, msg in _sampler_candidates(row, temperature, top_k)
                          if distribution_problem(outcome.value, p) is None), None)
            grade.fail(part, f"{problem} (inputs: {label})", cause)
    if not grade.failed("top_k"):
        # one row per case, with a logit far above the rest: top_k=1 and a stable softmax give that symbol
        rows = 3.0 * rng.standard_normal((6, V_))
        winners = rng.integers(0, V_, 6)
        rows[np.arange(6), winners] += 800.0
        outcome = ctx.call({"logits": rows, "rng": RngArg(ctx.seed())}, {"temperature": 1.0, "top_k": 1})
        stop = terminal_result(ctx, outcome)
        if stop is not None:
            return stop
        problem = _ids_problem("sample_next_token", outcome.value, 6, V_)
        if problem is None and not np.array_equal(outcome.value, winners):
            wrong = np.flatnonzero(outcome.value != winners)
            problem = (f"with top_k=1 every row must give its largest logit, but rows {', '.join(map(str, wrong))} "
                       "did not (each row is its own distribution; are the logits around 800 handled stably?)")
        if problem:
            grade.fail("top_k", f"{problem} (inputs: 6 different rows with one logit about 800 above the others)")
    seed = ctx.seed()
    logits = np.tile(_logit_row(rng, V_), (50, 1))
    draws = []
    for _ in range(2):
        outcome = ctx.call({"logits": logits, "rng": RngArg(seed)}, {"temperature": 1.0, "top_k": None})
        stop = terminal_result(ctx, outcome)
        if stop is not None:
            return stop
        grade.saw(outcome, allowed=("rng",))
        draws.append(outcome.value)
    if not all(isinstance(d, np.ndarray) for d in draws) or not np.array_equal(draws[0], draws[1]):
        grade.fail("rng", "two calls with generators seeded the same way drew different symbols: draw every random "
                          "number from the rng argument (rng.random, rng.choice), nothing else")
    elif len(np.unique(draws[0])) == 1:
        grade.fail("rng", "50 draws from a spread-out distribution were all the same symbol: are you sampling?")
    return grade.result()


# ---------------------------------------------------------------------------------------------
# generate


def _small_model(rng, V_=12, D=6, H=10):
    return {
        "W_embed": rng.standard_normal((V_, D)),
        "Wx": rng.standard_normal((D, H)) / np.sqrt(D),
        "Wh": 1.2 * rng.standard_normal((H, H)) / np.sqrt(H),
        "b": 0.1 * rng.standard_normal(H),
        "W_out": 2.0 * rng.standard_normal((H, V_)) / np.sqrt(H),
        "b_out": 0.3 * rng.standard_normal(V_),
    }


GREEDY_BUGS = (
    ({"carry": False}, "the hidden state is not carried from one step to the next: each step starts from the "
                       "previous state h"),
    ({"feed_back": False}, "the symbol just generated is not fed back in: the next step reads the last output"),
    ({"prime_steps": "P-1"}, "the last symbol of the prime is not read before the first prediction: run the "
                             "RNN over every symbol of start_ids, then predict"),
)


def check_generate(ctx):
    grade = Grade(ctx, ["greedy", "sampling"])
    rng = ctx.rng
    for N, P, length in [(3, 4, 15), (1, 1, 8), (2, 6, 1)]:
        params = _small_model(rng)
        start = rng.integers(0, 12, (N, P))
        label = f"N={N}, a prime of {P} symbols, length={length}, top_k=1"
        outcome = ctx.call({"params": params, "start_ids": start, "length": length, "rng": RngArg(ctx.seed())},
                           {"temperature": 1.0, "top_k": 1})
        stop = terminal_result(ctx, outcome)
        if stop is not None:
            stop.details.append(f"inputs: {label}")
            return stop
        grade.saw(outcome, allowed=("rng",))
        got = outcome.value
        want = greedy(params, start, length)
        if not isinstance(got, np.ndarray) or got.dtype.kind not in "iu" or got.shape != (N, length):
            what = (f"shape {got.shape} and dtype {got.dtype}" if isinstance(got, np.ndarray)
                    else f"a {type(got).__name__}")
            hint_ = " (only the new symbols, not the prime)" if isinstance(got, np.ndarray) and got.shape == (
                N, P + length) else ""
            grade.fail_all(f"generate returned {what}, expected integer ids of shape (N, length) = ({N}, {length})"
                           f"{hint_} (inputs: {label})")
            return grade.result()
        if not np.array_equal(got, want):
            first = int(np.argmax((got != want).any(axis=0)))
            cause = None
            for switches, msg in GREEDY_BUGS:
                kw = dict(switches)
                if kw.get("prime_steps") == "P-1":
                    kw["prime_steps"] = P - 1
                variant = greedy(params, start, length, **kw)
                if not np.array_equal(variant, want) and np.array_equal(got, variant):
                    cause = msg
                    break
            grade.fail("greedy", f"greedy decoding (top_k=1) differs from the right sequence from step {first} on "
                                 f"(inputs: {label}). generate must use your sample_next_token, which with top_k=1 "
                                 "returns the largest logit", cause)
            break
    params = _small_model(rng)
    n, P = 20000, 4
    prime = rng.integers(0, 12, P)
    start = np.tile(prime, (n, 1))
    label = f"{n} copies of one prime of {P} symbols, length=1, temperature=1.3"
    outcome = ctx.call({"params": params, "start_ids": start, "length": 1, "rng": RngArg(ctx.seed())},
                       {"temperature": 1.3, "top_k": None})
    stop = terminal_result(ctx, outcome)
    if stop is not None:
        return stop
    got = outcome.value
    if not isinstance(got, np.ndarray) or got.dtype.kind not in "iu" or got.shape != (n, 1):
        grade.fail("sampling", f"generate returned something other than integer ids of shape ({n}, 1) "
                               f"(inputs: {label})")
    else:
        probs = next_probs(prime_logits(params, start[:1])[0], 1.3)
        problem = distribution_problem(got[:, 0], probs)
        if problem:
            grade.fail("sampling", f"the first generated symbol: {problem} (inputs: {label}); it must be drawn "
                                   "from softmax(logits / temperature) of the state after the whole prime")
    return grade.result()


# ---------------------------------------------------------------------------------------------
# train_step


def _copy(params):
    return {k: np.array(v, dtype=float, copy=True) for k, v in params.items()}


def check_train_step(ctx):
    grade = Grade(ctx, ["loss", "update", "behaviour"])
    rng = ctx.rng
    runner = ctx.runner
    # max_norm None: half the largest single gradient's norm, so clipping by the global norm, clipping each array
    # by its own norm and not clipping all give different updates (with 0.3 each array was often under it alone)
    for N, T, D, H, max_norm in [(3, 5, 4, 6, None), (1, 1, 3, 2, 1e3), (2, 7, 5, 4, 0.05)]:
        params = {k: v * 0.8 for k, v in init_params(V, D, H, seed=int(rng.integers(1 << 30))).items()}
        x = rng.integers(0, V, (N, T))
        y = rng.integers(0, V, (N, T))
        lr = 0.5
        if max_norm is None:
            _, grads = loss_and_grads(params, x, y)
            max_norm = round(0.5 * max(float(np.sqrt(np.sum(g * g))) for g in grads.values()), 4)
        label = f"N={N}, T={T}, D={D}, H={H}, SGD(lr={lr:g}), max_norm={max_norm:g}"
        opt = runner.make(Factory("optimizer", {"kind": "SGD", "lr": lr}))
        outcome = ctx.call({"params": _copy(params), "x": x, "y": y, "optimizer": opt}, {"max_norm": max_norm},
                           return_args=(0,))
        stop = terminal_result(ctx, outcome)
        if stop is not None:
            stop.details.append(f"inputs: {label}")
            return stop
        grade.saw(outcome, allowed=("params", "optimizer"))
        ref_params = _copy(params)
        want_loss = reference_train_step(ref_params, x, y, SGD(lr=lr), max_norm)
        if not grade.failed("loss"):
            loss = outcome.value
            if not isinstance(loss, int | float | np.floating) or isinstance(loss, bool):
                grade.fail("loss", f"train_step returned a {type(loss).__name__}, expected the loss (a float)")
            elif not all_close(float(loss), want_loss):
                after = reference_train_step(_copy(params), x, y, SGD(lr=lr), max_norm, loss_after=True)
                cause = ("this is the loss after the update; return the loss computed before it"
                         if all_close(float(loss), after) else None)
                grade.fail("loss", f"the loss returned is wrong (relative error "
                                   f"{abs(float(loss) - want_loss) / abs(want_loss):.1e}; inputs: {label})", cause)
        if not grade.failed("update"):
            problem, cause = _update_problem(outcome.args_after.get(0), params, ref_params, x, y, lr, max_norm)
            if problem:
                grade.fail("update", f"{problem} (inputs: {label})", cause)
    if not grade.failed("update") and not grade.failed("loss"):
        _check_behaviour(ctx, grade)
    else:
        grade.fail("behaviour", "not run: the single training step is not right yet")
    return grade.result()


def _update_problem(after, before, want, x, y, lr, max_norm):
    if not isinstance(after, dict) or set(after) != set(PARAM_NAMES):
        keys = sorted(after) if isinstance(after, dict) else type(after).__name__
        return f"params is not the dict it was after the call ({keys})", None
    unchanged = [k for k in PARAM_NAMES if np.array_equal(after[k], before[k])]
    if len(unchanged) == len(PARAM_NAMES):
        return "no parameter changed: update params in place with optimizer.step(params, grads)", None
    wrong = [k for k in PARAM_NAMES if not all_close(after[k], want[k])]
    if not wrong:
        return None, None
    cause = None
    variants = {}
    for clip in ("per-array", "none"):
        variants[clip] = _copy(before)
        reference_train_step(variants[clip], x, y, SGD(lr=lr), max_norm, clip=clip)
    matching = [clip for clip, p in variants.items()
                if all(all_close(after[k], p[k]) for k in PARAM_NAMES) and not all(
                    all_close(want[k], p[k]) for k in PARAM_NAMES)]
    if matching == ["per-array", "none"]:
        cause = ("the update is one without clipping by the global norm (on these inputs clipping each gradient by "
                 "its own norm would change nothing, so this cannot tell which): call clip_grad_norm(grads, "
                 "max_norm), which rescales all of them together, before optimizer.step")
    elif matching == ["per-array"]:
        cause = ("each gradient is clipped by its own norm; clip_grad_norm(grads, max_norm) rescales all of them "
                 "together by one factor, from the norm of the whole gradient")
    elif matching == ["none"]:
        cause = "the gradients are not clipped: call clip_grad_norm(grads, max_norm) before optimizer.step"
    elif unchanged:
        cause = (f"{', '.join(unchanged)} did not change: is its gradient computed and in the grads dict under the "
                 "same key as in params?")
    return f"after one step, {', '.join(wrong)} differ from a correct update", cause


@functools.lru_cache(maxsize=4)
def reference_run(D, H, N, T, steps, lr, max_norm, seed) -> tuple[float, float]:
    """(loss before, loss after) training the reference model with Adam for ``steps`` steps on the corpus.

    Computed when first needed and remembered for the rest of the process (it is deterministic).
    """
    start = init_params(V, D, H, seed=seed)
    params = _copy(start)
    opt = Adam(lr=lr)
    for step in range(steps):
        x, y = batch_at(step, N, T, seed)
        reference_train_step(params, x, y, opt, max_norm)
    return eval_loss(start), eval_loss(params)


def _check_behaviour(ctx, grade):
    cfg = BEHAVIOUR
    runner = ctx.runner
    start = init_params(V, cfg["D"], cfg["H"], seed=cfg["seed"])
    initial, target = reference_run(**cfg)
    handle = runner.store(_copy(start))
    student_opt = runner.make(Factory("optimizer", {"kind": "Adam", "lr": cfg["lr"]}))
    for step in range(cfg["steps"]):
        x, y = batch_at(step, cfg["N"], cfg["T"], cfg["seed"])
        outcome = ctx.call({"params": handle, "x": x, "y": y, "optimizer": student_opt},
                           {"max_norm": cfg["max_norm"]})
        if outcome.status != "ok":
            stop = terminal_result(ctx, outcome)
            grade.fail("behaviour", f"training stopped at step {step}: {stop.message if stop else outcome.status}")
            return
    trained = runner.fetch(handle)
    try:
        reached = eval_loss({k: np.asarray(trained[k], dtype=float) for k in PARAM_NAMES})
    except (KeyError, TypeError, ValueError) as err:
        grade.fail("behaviour", f"after training, params is not usable ({type(err).__name__})")
        return
    if not np.isfinite(reached) or reached > target + 0.05:
        grade.fail("behaviour", f"after {cfg['steps']} steps of Adam(lr={cfg['lr']:g}) on the corpus your "
                                f"train_step reached a loss of {reached:.3f} (from {initial:.3f} at the start); a "
                                "correct train_step gets more than 0.05 lower with the same budget")


ITEMS = (
    Item("sample_next_token", "sample_next_token", EXERCISE, 3, check_sample_next_token,
         summary="draw one symbol per row from softmax(logits / temperature), optionally among the top k only",
         hints=(
             "Divide the logits by the temperature, then take a stable softmax row by row.",
             "For top_k=k, set every logit below the k-th largest of its row to -inf before the softmax (np.sort "
             "or np.partition give the k-th largest); exp(-inf) is exactly 0.",
             "Draw with the rng you are given: u = rng.random((N, 1)) and the first index where the cumulative "
             "probability exceeds u, (probs.cumsum(axis=1) > u).argmax(axis=1), samples every row at once.",
         ),
         forbid=_FORBID, timeout=30),
    Item("train_step", "train_step", EXERCISE, 4, check_train_step,
         summary="one training step of the character model: loss, gradients, clipping, update",
         hints=(
             "Forward: embedding_forward, rnn_forward (h0 = zeros), temporal_affine_forward, softmax_cross_entropy. "
             "Backward: the same layers in reverse order, each consuming the gradient the next one produced.",
             "rnn_backward returns the gradient of its input (the embeddings) first: that is what "
             "embedding_backward needs.",
             "Put the gradients in a dict with the same keys as params, clip_grad_norm(grads, max_norm), then "
             "optimizer.step(params, grads), and return the loss from before the update.",
         ),
         forbid=_FORBID, timeout=60),
    Item("generate", "generate", EXERCISE, 3, check_generate, uses=("sample_next_token",),
         summary="read a prime, then generate `length` symbols one at a time with sample_next_token",
         hints=(
             "Start from h = zeros (N, H) and run the RNN step over every symbol of start_ids: "
             "h = tanh(W_embed[ids] @ Wx + h @ Wh + b).",
             "Then repeat `length` times: logits = h @ W_out + b_out, sample with your sample_next_token, store "
             "the symbol, and feed it back in as the next input.",
         ),
         forbid=_FORBID, timeout=30),
)
