"""Exercise 03, vanishing and exploding gradients: jacobian_norms, clip_grad_norm, gradient_fate (10 points).

``gradient_fate`` is the auto-checked analysis question: will this W_h make
the gradients of a linear RNN vanish or explode, and why (the number that
decides it). Its cases are built so that the tempting wrong answers give a
different verdict: a non-normal matrix whose largest singular value is above
1 but whose spectral radius is below 1 (gradients grow for a while, then
vanish), a dominant negative eigenvalue, a dominant complex pair.
"""

from __future__ import annotations

import numpy as np

from ... import cells, jacobians
from ...optim import clip_grad_norm as reference_clip_grad_norm
from .framework import Bug, Case, Grade, Item, Out, check_outputs, compare, diagnose_part, terminal_result

EXERCISE = "03_gradients"


# ---------------------------------------------------------------------------------------------
# jacobian_norms


def _orthogonal(rng, H):
    q, r = np.linalg.qr(rng.standard_normal((H, H)))
    return q * np.sign(np.diag(r))


def _jac_cases(rng):
    cases = []
    for T, H, gain, label in [(8, 4, 0.9, "a contracting Wh"), (12, 3, 1.6, "an expanding Wh"),
                              (1, 3, 1.0, "T=1"), (6, 1, 1.3, "H=1"), (20, 6, 1.1, "20 steps"),
                              (5, 4, 2.5, "large weights (saturated units)")]:
        Wh = gain * _orthogonal(rng, H) if H > 1 else np.array([[gain]])
        x = rng.standard_normal((1, T, H))
        h, _ = cells.rnn_forward(x, np.zeros((1, H)), 0.8 * np.eye(H), Wh, 0.1 * rng.standard_normal(H))
        cases.append(Case(f"T={T}, H={H}, {label}", {"Wh": Wh, "h": h[0]}, {}, {"T": T, "H": H}))
    return cases


def _jac_ref(case):
    return {"norms": jacobians.jacobian_norms(case.args["Wh"], case.args["h"], "tanh")}


def _jac_variant(case, *, order="right", deriv="h_t", transpose=True, norm=2, bound=False, reverse=False):
    Wh, h = case.args["Wh"], case.args["h"]
    T, H = h.shape
    M = np.eye(H)
    out = [1.0 if norm == 2 else float(np.sqrt(H))]
    running = 1.0
    for lag in range(1, T):
        t = T - lag
        if deriv == "h_t":
            d = 1.0 - h[t] ** 2
        elif deriv == "h_prev":
            d = 1.0 - h[t - 1] ** 2
        else:
            d = np.ones(H)
        J = d[:, None] * (Wh.T if transpose else Wh)
        M = M @ J if order == "right" else J @ M
        running *= float(np.linalg.norm(J, 2))
        out.append(running if bound else float(np.linalg.norm(M, 2 if norm == 2 else "fro")))
    return {"norms": np.array(out[::-1] if reverse else out)}


JAC_BUGS = (
    Bug("the Frobenius norm is used; the question is how much the product can stretch a vector, its largest "
        "singular value: np.linalg.norm(M, 2)", lambda case: _jac_variant(case, norm="fro")),
    Bug("the tanh' factors are missing: each step's Jacobian is diag(1 - h_t**2) Wh^T, not Wh^T alone",
        lambda case: _jac_variant(case, deriv="none")),
    Bug("the derivative is taken at the wrong step: the Jacobian dh_t/dh_(t-1) uses f'(a_t) = 1 - h_t**2",
        lambda case: _jac_variant(case, deriv="h_prev")),
    Bug("the product is built in the wrong order: dh_T/dh_(T-lag) = J_T J_(T-1) ... J_(T-lag+1), "
        "the latest step's Jacobian on the left", lambda case: _jac_variant(case, order="left")),
    Bug("this multiplies the norms of the one-step Jacobians, which only bounds the norm of their product "
        "(||AB|| <= ||A|| ||B||): multiply the matrices, then take the norm of the product",
        lambda case: _jac_variant(case, bound=True)),
    Bug("the norms are in reverse order: norms[lag] is for lag steps back, so norms[0] is lag 0 (the identity, "
        "norm 1)", lambda case: _jac_variant(case, reverse=True)),
    Bug("Wh is not transposed in the Jacobian: dh_t[i]/dh_(t-1)[j] = (1 - h_t[i]**2) Wh[j, i]",
        lambda case: _jac_variant(case, transpose=False)),
)


def _jac_extra(case, values, grade):
    norms = values.get("norms")
    T = case.dims["T"]
    if isinstance(norms, np.ndarray) and norms.shape == (T - 1,):
        grade.note("norms has T-1 entries: it should start at lag 0, where the product is the identity (norm 1), "
                   "and end at lag T-1")


def check_jacobian_norms(ctx):
    out = Out("norms", ("T",), axes=("L",))
    return check_outputs(ctx, _jac_cases(ctx.rng), _jac_ref, [out], bugs=JAC_BUGS, extra_checks=_jac_extra)


# ---------------------------------------------------------------------------------------------
# clip_grad_norm


def _grads(rng, shapes, scale):
    return {name: scale * rng.standard_normal(shape) for name, shape in shapes.items()}


def _clip_cases(rng):
    shapes = {"Wx": (4, 5), "Wh": (5, 5), "b": (5,)}
    cases = []
    for label, grads, max_norm in [
        ("a norm well above max_norm", _grads(rng, shapes, 3.0), 5.0),
        ("a norm below max_norm (nothing to clip)", _grads(rng, shapes, 0.1), 5.0),
        ("all gradients zero", {k: np.zeros(s) for k, s in shapes.items()}, 1.0),
        ("one array, huge values", {"W": 1e6 * rng.standard_normal((3, 2))}, 0.5),
        ("a single-entry array", {"w": np.array([[-7.5]])}, 2.0),
    ]:
        label = f"{len(grads)} array{'s' if len(grads) > 1 else ''}, {label}, max_norm={max_norm:g}"
        cases.append(Case(label, {"grads": grads, "max_norm": max_norm}))
    return cases


def _clip_ref(case):
    grads = {k: v.copy() for k, v in case.args["grads"].items()}
    norm = reference_clip_grad_norm(grads, case.args["max_norm"])
    return norm, grads


def _clip_variant(case, kind):
    grads = {k: v.copy() for k, v in case.args["grads"].items()}
    m = case.args["max_norm"]
    norm = float(np.sqrt(sum(np.sum(g * g) for g in grads.values())))
    ret = norm
    if kind == "per-array":
        for g in grads.values():
            n = np.linalg.norm(g)
            if n > m:
                g *= m / n
    elif kind == "always":
        if norm > 0:
            for g in grads.values():
                g *= m / norm
    elif kind == "inverted":
        if norm > m:
            for g in grads.values():
                g *= norm / m
    elif kind == "by-value":
        for g in grads.values():
            np.clip(g, -m, m, out=g)
    elif kind == "after":
        if norm > m:
            for g in grads.values():
                g *= m / norm
        ret = min(norm, m)
    elif kind == "squared":
        sq = norm * norm
        ret = sq
        if sq > m:
            for g in grads.values():
                g *= m / sq
    elif kind == "unchanged":
        pass
    return {"norm": ret, "grads": grads}


CLIP_BUGS = (
    Bug("each array is clipped by its own norm; clipping by the *global* norm rescales all of them together by "
        "one factor, keeping the direction of the whole gradient", lambda case: _clip_variant(case, "per-array")),
    Bug("gradients are rescaled even when their norm is below max_norm: only rescale when norm > max_norm",
        lambda case: _clip_variant(case, "always")),
    Bug("the scale factor is upside down: multiply by max_norm / norm", lambda case: _clip_variant(case, "inverted")),
    Bug("this clips every entry to [-max_norm, max_norm] (clipping by value), which changes the gradient's "
        "direction; clip by the global norm instead", lambda case: _clip_variant(case, "by-value")),
    Bug("the norm returned is the norm after clipping; return it from before, so a training loop can log the "
        "spikes", lambda case: _clip_variant(case, "after")),
    Bug("the norm is missing its square root: sqrt(sum of every squared entry)",
        lambda case: _clip_variant(case, "squared")),
    Bug("the arrays in grads did not change: scale them in place (g *= scale) so the caller's dict holds the "
        "clipped gradients", lambda case: _clip_variant(case, "unchanged")),
)


def check_clip_grad_norm(ctx):
    grade = Grade(ctx, ["norm", "grads"])
    for case in _clip_cases(ctx.rng):
        outcome = ctx.call(case.args, return_args=(0,))
        stop = terminal_result(ctx, outcome)
        if stop is not None:
            if stop.status == "error":
                stop.details.append(f"inputs: {case.label}")
            return stop
        grade.saw(outcome, allowed=("grads",))
        norm, expected_grads = _clip_ref(case)
        got_grads = outcome.args_after.get(0)
        if not grade.failed("norm"):
            problem = diagnose_part(Out("norm", kind="scalar"), outcome.value, norm, case, CLIP_BUGS,
                                    warnings=outcome.warnings)
            if problem and isinstance(outcome.value, dict):
                problem = (problem[0], "return the norm (a float), and change the arrays of grads in place")
            if problem:
                grade.fail("norm", *problem)
        if not grade.failed("grads"):
            problem = _compare_dicts(got_grads, expected_grads, case, outcome.warnings)
            if problem:
                cause = _explain_dict(got_grads, expected_grads, case)
                grade.fail("grads", f"{problem} (inputs: {case.label})", cause)
        if grade.all_failed:
            break
    return grade.result()


def _compare_dicts(got, expected, case, warnings):
    if not isinstance(got, dict):
        return f"grads is no longer a dict after the call (it is a {type(got).__name__})"
    if set(got) != set(expected):
        return f"grads has the keys {sorted(got)} after the call; keep the keys {sorted(expected)}"
    for name in expected:
        out = Out(f"grads[{name!r}]", tuple(f"d{i}" for i in range(expected[name].ndim)), axes=())
        case.dims.update({f"d{i}": s for i, s in enumerate(expected[name].shape)})
        problem = compare(out, got[name], expected[name], case, warnings, patterns=_explain_dict(
            got, expected, case) is None)
        if problem:
            return problem
    return None


def _explain_dict(got, expected, case):
    if not isinstance(got, dict) or set(got) != set(expected):
        return None
    from .diagnose import all_close

    for bug in CLIP_BUGS:
        wrong = bug.values(case)["grads"]
        same_as_expected = all(all_close(wrong[k], expected[k]) for k in expected)
        if not same_as_expected and all(all_close(got[k], wrong[k]) for k in expected):
            return bug.message
    return None


# ---------------------------------------------------------------------------------------------
# gradient_fate (the analysis question)


def _with_eigenvalues(rng, eigvals, *, skew=0.0):
    """A real matrix with the given (real, or conjugate-pair 2x2 blocks) spectrum, optionally far from normal."""
    blocks = []
    for ev in eigvals:
        if isinstance(ev, complex):
            r, th = abs(ev), np.angle(ev)
            blocks.append(r * np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]]))
        else:
            blocks.append(np.array([[ev]]))
    H = sum(b.shape[0] for b in blocks)
    B = np.zeros((H, H))
    i = 0
    for b in blocks:
        k = b.shape[0]
        B[i:i + k, i:i + k] = b
        i += k
    if skew:
        upper = np.triu(rng.standard_normal((H, H)), k=1)
        mask = np.ones((H, H), dtype=bool)
        i = 0
        for b in blocks:
            k = b.shape[0]
            mask[i:i + k, i:i + k] = False
            i += k
        B = B + skew * upper * mask
    Q = _orthogonal(rng, H)
    return Q @ B @ Q.T


def _fate_cases(rng):
    specs = [
        ("a symmetric-like 4x4 matrix, all eigenvalues inside the unit circle", [0.7, -0.5, 0.3, 0.1], 0.0),
        ("a 4x4 matrix with an eigenvalue outside the unit circle", [1.3, 0.6, -0.2, 0.4], 0.0),
        ("a non-normal 5x5 matrix: largest singular value well above 1", [0.8, 0.7, 0.5, -0.6, 0.3], 2.5),
        ("a 3x3 matrix whose largest eigenvalue in size is negative", [-1.3, 0.6, 0.5], 0.0),
        ("a 4x4 matrix with a complex pair of eigenvalues (a rotation)", [1.2 * np.exp(1.2j), 0.5, 0.3], 0.0),
        ("a 1x1 matrix (one number)", [0.5], 0.0),
        ("another 1x1 matrix", [-1.5], 0.0),
        ("a non-normal 4x4 matrix that grows slowly", [1.1, 0.9, 0.2, -0.3], 1.5),
    ]
    cases = []
    for label, eig, skew in specs:
        Wh = _with_eigenvalues(rng, eig, skew=skew)
        cases.append(Case(label, {"Wh": Wh}, {}, {"H": Wh.shape[0]}))
    return cases


def _fate_ref(case):
    rho = jacobians.spectrum(case.args["Wh"]).spectral_radius
    return "vanish" if rho < 1 else "explode", rho


def _verdict(value):
    if not isinstance(value, str):
        return None
    v = value.strip().lower()
    if v.startswith("vanish"):
        return "vanish"
    if v.startswith("explod"):
        return "explode"
    return None


def _rho_candidates(Wh):
    ev = np.linalg.eigvals(Wh)
    return (
        (float(np.linalg.norm(Wh, 2)), "your number is the largest singular value: it bounds how much one step can "
         "stretch a vector, but the long run is decided by the eigenvalues (||Wh^k||^(1/k) tends to the spectral "
         "radius, max |eigenvalue|)"),
        (float(np.max(ev.real)), "your number is the largest real part of an eigenvalue: size is what matters, "
         "max |eigenvalue| (negative and complex eigenvalues count by their modulus)"),
        (float(np.max(np.abs(Wh))), "your number is the largest entry of Wh in size: use the eigenvalues"),
        (float(np.linalg.norm(Wh)), "your number is the Frobenius norm: use the eigenvalues"),
        (float(abs(np.linalg.det(Wh))), "your number is |det Wh|, the product of the eigenvalues: use the largest "
         "one in size"),
    )


def check_gradient_fate(ctx):
    grade = Grade(ctx, ["verdict", "reason"])
    for case in _fate_cases(ctx.rng):
        outcome = ctx.call(case.args)
        stop = terminal_result(ctx, outcome)
        if stop is not None:
            if stop.status == "error":
                stop.details.append(f"inputs: {case.label}")
            return stop
        grade.saw(outcome)
        value = outcome.value
        if not isinstance(value, tuple | list) or len(value) != 2:
            grade.fail_all(f"gradient_fate returned {type(value).__name__}, expected a tuple (verdict, number)")
            break
        verdict, rho = value
        want_verdict, want_rho = _fate_ref(case)
        if not grade.failed("verdict"):
            got = _verdict(verdict)
            if got is None:
                grade.fail("verdict", f"the verdict {verdict!r} is neither 'vanish' nor 'explode'")
            elif got != want_verdict:
                grade.fail("verdict", f"the verdict is wrong for {case.label}")
        if not grade.failed("reason"):
            problem = compare(Out("the number", kind="scalar"), rho, want_rho, case)
            if problem:
                cause = None
                try:
                    r = float(rho)
                    cause = next((msg for c, msg in _rho_candidates(case.args["Wh"])
                                  if abs(c - want_rho) > 1e-6 * want_rho and abs(r - c) <= 1e-6 * max(abs(c), 1e-12)),
                                 None)
                except (TypeError, ValueError):
                    pass
                grade.fail("reason", f"{problem} (inputs: {case.label})", cause)
        if grade.all_failed:
            break
    return grade.result()


ITEMS = (
    Item("jacobian_norms", "jacobian_norms", EXERCISE, 4, check_jacobian_norms,
         summary="||dh_T/dh_(T-lag)||_2 for lag = 0 .. T-1 in a tanh RNN",
         hints=(
             "One step back: dh_t/dh_(t-1) = diag(1 - h_t**2) @ Wh.T (an (H, H) matrix), with h_t the row "
             "h[t-1] of the array. Row i is how h_t[i] moves when h_(t-1) moves.",
             "Keep a running product M, starting from the identity (lag 0), and multiply the next Jacobian on "
             "the right as you go back: M = M @ J_t for t = T, T-1, ..., 2 (the rows h[T-1], h[T-2], ..., h[1]).",
             "The size of a matrix as a map is its largest singular value: np.linalg.norm(M, 2).",
         ),
         forbid=("rnn_course.jacobians", "rnn_course.gradient_flow", "rnn_course.carousel")),
    Item("clip_grad_norm", "clip_grad_norm", EXERCISE, 3, check_clip_grad_norm,
         summary="rescale every gradient in a dict together so the global norm is at most max_norm",
         hints=(
             "The global norm is the square root of the sum of the squares of *every* entry of *every* array.",
             "Only when it exceeds max_norm, multiply every array by the same factor max_norm / norm, in place "
             "(g *= factor), so the dict the caller holds sees the change.",
             "Return the norm from before the rescaling.",
         ),
         forbid=("rnn_course.optim:clip_grad_norm", "rnn_course.optim:global_norm",
                 "rnn_course.optim:clip_grad_value")),
    Item("gradient_fate", "gradient_fate", EXERCISE, 3, check_gradient_fate,
         summary="will gradients through h_t = h_(t-1) Wh vanish or explode over many steps, and which number "
                 "decides it",
         hints=(
             "In a linear RNN the gradient that travels k steps back is multiplied by Wh^k (transposed). "
             "What decides whether ||Wh^k|| goes to 0 or to infinity as k grows?",
             "A single step can stretch a vector by up to the largest singular value, yet Wh^k can still shrink: "
             "the long run follows the eigenvalues (np.linalg.eigvals).",
             "Return ('vanish', rho) or ('explode', rho) with rho = max |eigenvalue|, the spectral radius.",
         ),
         forbid=("rnn_course.jacobians",)),
)
