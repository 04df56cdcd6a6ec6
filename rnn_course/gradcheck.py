"""Gradient checking that says *where* a gradient is wrong.

``numerical_gradient`` estimates a gradient by centered differences in
float64; ``rel_error`` compares two arrays on a common scale; ``gradcheck``
compares every analytic gradient with its numerical estimate and returns a
``GradcheckReport``: per input the worst relative error, the entry where it
sits, and, for inputs with a time axis, the error at every time step. The
report prints as a table, shows as HTML in a notebook and can ``plot()``
where the error is.

Nothing here modifies the caller's arrays: every function works on copies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from html import escape

import numpy as np

__all__ = [
    "numerical_gradient",
    "rel_error",
    "gradcheck",
    "gradcheck_layer",
    "index_ranges",
    "GradcheckReport",
    "InputReport",
]

_TINY = 1e-300


def rel_error(a, b) -> float:
    """max |a - b| / max(|a| + |b|), or 0.0 when a and b are both zero.

    The denominator is the scale of the whole array rather than of each
    entry, so entries whose true gradient is ~0 (where floating-point noise
    dominates) cannot make a correct gradient look wrong.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"b: expected shape {a.shape} (the shape of a), got {b.shape}")
    if a.size == 0:
        return 0.0
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return 0.0 if np.array_equal(a, b, equal_nan=True) else float("inf")
    diff = float(np.max(np.abs(a - b)))
    if diff == 0.0:
        return 0.0
    scale = float(np.max(np.abs(a) + np.abs(b)))
    return diff / max(scale, _TINY)


def _as_outputs(out) -> tuple:
    if isinstance(out, tuple):
        return tuple(np.asarray(o, dtype=float) for o in out)
    return (np.asarray(out, dtype=float),)


def _scalar(out, dout) -> float:
    """sum(out * dout) over every output (dout=None: plain sum)."""
    outs = _as_outputs(out)
    if dout is None:
        return float(sum(np.sum(o) for o in outs))
    douts = dout if isinstance(dout, tuple) else (dout,)
    return float(sum(np.sum(o * d) for o, d in zip(outs, douts)))


# Centered stencils: offsets (in units of eps) and weights, divided by eps.
_STENCILS = {
    2: ((1.0, -1.0), (0.5, -0.5)),  # (L(x+h) - L(x-h)) / 2h, error O(h^2)
    4: ((2.0, 1.0, -1.0, -2.0), (-1 / 12, 8 / 12, -8 / 12, 1 / 12)),  # five-point stencil, error O(h^4)
}


def numerical_gradient(f: Callable, x, dout=None, eps: float = 1e-6, order: int = 2) -> np.ndarray:
    """Centered-difference gradient of ``sum(f(x) * dout)`` with respect to ``x``.

    Inputs:
        f: function of one array returning an array, a scalar or a tuple of arrays
        x: the point, any shape (copied; the caller's array is never changed)
        dout: upstream gradient with the shape of f(x) (a tuple for tuple
            outputs); None means the gradient of ``sum(f(x))``
        eps: step size (1e-6 balances truncation and rounding error in float64
            for ``order=2``)
        order: 2 for (L(x+eps) - L(x-eps)) / (2 eps); 4 for the five-point
            stencil, accurate to O(eps^4), used with eps ~ 1e-3 to resolve
            gradients too small for the two-point formula's rounding noise
    Returns:
        an array with the shape of x
    """
    if order not in _STENCILS:
        raise ValueError(f"order: expected 2 or 4, got {order!r}")
    offsets, weights = _STENCILS[order]
    x = np.array(x, dtype=np.float64, copy=True, order="C")  # C order, so x.reshape(-1) below is a view of x
    grad = np.zeros_like(x)
    flat = x.reshape(-1)
    gflat = grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        total = 0.0
        for offset, weight in zip(offsets, weights):
            flat[i] = old + offset * eps
            total += weight * _scalar(f(x), dout)
        flat[i] = old
        gflat[i] = total / eps
    return grad


@dataclass
class InputReport:
    """The comparison for one input."""

    name: str
    shape: tuple
    rel_error: float
    ok: bool
    worst_index: tuple | None = None
    analytic_value: float | None = None
    numeric_value: float | None = None
    errors: np.ndarray | None = field(default=None, repr=False)  # per entry, on the array's scale
    time_axis: int | None = None
    time_errors: np.ndarray | None = field(default=None, repr=False)  # per time step
    problem: str = ""  # shape mismatch, missing, non-finite
    method: str = "centered difference"  # or "five-point stencil" when the check was refined

    def bad_steps(self, tol: float) -> list[int]:
        """Time steps whose error exceeds ``tol`` (empty for inputs without a time axis)."""
        if self.time_errors is None:
            return []
        return [int(t) for t in np.flatnonzero(self.time_errors > tol)]


def index_ranges(indices) -> str:
    """Indices as runs, for messages that say where something is wrong: ``[0, 1, 2, 5]`` -> ``"0..2, 5"``."""
    indices = sorted(int(i) for i in indices)
    parts, start = [], None
    for k, t in enumerate(indices):
        if start is None:
            start = t
        if k + 1 == len(indices) or indices[k + 1] != t + 1:
            parts.append(str(start) if start == t else f"{start}..{t}")
            start = None
    return ", ".join(parts)


@dataclass
class GradcheckReport:
    """Result of ``gradcheck``: one ``InputReport`` per checked input."""

    inputs: dict
    tol: float
    eps: float
    mutated: list = field(default_factory=list)  # inputs that fn changed in place

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.inputs.values()) and not self.mutated

    @property
    def failing(self) -> list[str]:
        """Names of the inputs whose gradient is wrong."""
        return [n for n, r in self.inputs.items() if not r.ok]

    @property
    def max_error(self) -> float:
        return max((r.rel_error for r in self.inputs.values()), default=0.0)

    def __getitem__(self, name) -> InputReport:
        return self.inputs[name]

    def __bool__(self) -> bool:
        return self.ok

    def _rows(self):
        for r in self.inputs.values():
            if r.problem:
                where = r.problem
            elif r.worst_index is None:
                where = ""
            else:
                where = f"{r.worst_index}: analytic {r.analytic_value:.6g}, numeric {r.numeric_value:.6g}"
            steps = ""
            if r.time_errors is not None:
                bad = r.bad_steps(self.tol)
                T = len(r.time_errors)
                steps = "none" if not bad else f"t = {index_ranges(bad)} (of 0..{T - 1})"
            yield (r.name, str(tuple(r.shape)), f"{r.rel_error:.2e}", "ok" if r.ok else "WRONG", where, steps)

    def summary(self) -> str:
        """One line: passed, or which inputs are wrong and where."""
        if self.ok:
            return f"gradcheck passed: max relative error {self.max_error:.2e} < tol {self.tol:.0e}"
        parts = []
        for name in self.failing:
            r = self.inputs[name]
            text = f"{name} ({r.problem or f'rel. error {r.rel_error:.2e}'}"
            bad = r.bad_steps(self.tol)
            if bad:
                text += f", wrong at t = {index_ranges(bad)}"
            parts.append(text + ")")
        if self.mutated:
            parts.append("fn modified its inputs in place: " + ", ".join(self.mutated))
        return "gradcheck FAILED: " + "; ".join(parts)

    def __str__(self) -> str:
        header = ("input", "shape", "rel. error", "status", "worst entry", "wrong time steps")
        rows = [header, *self._rows()]
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join([*lines, "", self.summary()])

    def __repr__(self) -> str:
        return f"<GradcheckReport ok={self.ok} max_error={self.max_error:.2e} failing={self.failing}>"

    def _repr_html_(self) -> str:
        head = "".join(
            f"<th>{h}</th>" for h in ("input", "shape", "rel. error", "status", "worst entry", "wrong time steps")
        )
        body = []
        for row in self._rows():
            color = "#1a7f37" if row[3] == "ok" else "#cf222e"
            cells = [f"<td>{escape(c)}</td>" for c in row]
            cells[3] = f'<td style="color:{color};font-weight:bold">{escape(row[3])}</td>'
            body.append("<tr>" + "".join(cells) + "</tr>")
        color = "#1a7f37" if self.ok else "#cf222e"
        return (
            f'<div><p style="color:{color}"><b>{escape(self.summary())}</b></p>'
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            f"<p><small>relative error = max|analytic - numeric| / max(|analytic| + |numeric|); "
            f"tol = {self.tol:.0e}, eps = {self.eps:.0e}</small></p></div>"
        )


def _normalise_analytic(analytic, names: list[str]) -> dict:
    """Accept a dict, a ``Grads`` tuple (names 'dx' -> 'x') or a plain tuple in input order."""
    if isinstance(analytic, Mapping):
        return dict(analytic)
    grad_names = getattr(analytic, "names", None)
    if grad_names is not None:
        out = {}
        for gname, value in zip(grad_names, analytic):
            key = gname[1:] if gname.startswith("d") and gname[1:] in names else gname
            out[key] = value
        return out
    if isinstance(analytic, (tuple, list)):
        return dict(zip(names, analytic))
    raise ValueError(
        "analytic: expected a dict {input name: gradient}, a tuple of gradients in input order, "
        f"or a function of dout returning one, got {type(analytic).__name__}"
    )


def gradcheck(
    fn: Callable,
    inputs: Mapping,
    analytic,
    *,
    dout=None,
    eps: float = 1e-6,
    tol: float = 1e-6,
    seed: int = 0,
    time_axes: Mapping | None = None,
    refine_eps: float = 1e-3,
) -> GradcheckReport:
    """Compare analytic gradients of ``fn`` with centered differences, input by input.

    Inputs:
        fn: called as ``fn(**inputs)``; returns an array, a scalar or a tuple of arrays
        inputs: {name: array}; copied, never modified
        analytic: {name: gradient of sum(fn(**inputs) * dout) w.r.t. inputs[name]},
            or a tuple/``Grads`` in input order, or a function ``analytic(dout)``
            returning either (needed when dout is None, since dout is then drawn here)
        dout: upstream gradient shaped like fn's output; None draws a standard
            normal one from ``seed`` when ``analytic`` is a function (random
            weights expose bugs that a sum of outputs would hide, e.g. two
            swapped outputs), and means ones (the gradient of ``sum(fn)``)
            when ``analytic`` is fixed arrays
        eps: finite-difference step; tol: pass threshold on the relative error
            An input that fails with the two-point formula is checked again
            with the fourth-order stencil (step ``refine_eps``) before it is
            called wrong: when an input's whole gradient is tiny (a saturated
            tanh), the two-point estimate's rounding noise (~1e-10) alone can
            exceed tol, and a false alarm teaches students to distrust the
            checker. A real bug fails both.
        time_axes: {name: axis} for inputs with a time axis; by default every
            3-D input is taken to be batch-first (N, T, ...) with time on axis 1
    Returns:
        GradcheckReport (``.ok``, ``.failing``, ``report[name].worst_index``,
        ``report[name].time_errors``, ``plots.plot_gradcheck(report)``; prints as a table)
    """
    names = list(inputs)
    copies = {n: np.array(v, dtype=np.float64, copy=True) if _is_float_like(v) else _copy(v) for n, v in inputs.items()}
    out = fn(**{n: _copy(v) for n, v in copies.items()})
    if dout is None and not callable(analytic):
        # Fixed gradients can only be for one dout: take the gradient of sum(fn(**inputs)).
        outs = _as_outputs(out)
        dout = tuple(np.ones(o.shape) for o in outs) if isinstance(out, tuple) else np.ones(outs[0].shape)
    if dout is None:
        rng = np.random.default_rng(seed)
        outs = _as_outputs(out)
        douts = tuple(rng.standard_normal(o.shape) for o in outs)
        dout = douts if isinstance(out, tuple) else douts[0]
    grads = analytic(dout) if callable(analytic) else analytic
    grads = _normalise_analytic(grads, names)
    time_axes = dict(time_axes or {})

    reports = {}
    mutated = []
    for name in names:
        if name not in grads:
            continue
        x = copies[name]
        g = grads[name]
        try:
            g = np.asarray(g, dtype=float)
        except (TypeError, ValueError):
            g = None
        if g is None or g.shape != x.shape:
            got = "None" if g is None else str(tuple(g.shape))
            reports[name] = InputReport(
                name, x.shape, float("inf"), False, problem=f"shape mismatch: gradient {got}, input {tuple(x.shape)}"
            )
            continue
        if not np.isfinite(g).all():
            reports[name] = InputReport(
                name,
                x.shape,
                float("inf"),
                False,
                problem=f"non-finite analytic gradient ({int((~np.isfinite(g)).sum())} entries)",
            )
            continue

        def f(value, _name=name):
            args = {n: _copy(v) for n, v in copies.items()}
            args[_name] = value.copy()  # fn may write into its arguments; our working copy must survive
            result = fn(**args)
            for n, v in args.items():
                reference = value if n == _name else copies[n]
                if isinstance(v, np.ndarray) and not np.array_equal(v, reference, equal_nan=True):
                    if n not in mutated:
                        mutated.append(n)
            return result

        num = numerical_gradient(f, x, dout, eps)
        axis = time_axes.get(name, 1 if x.ndim == 3 else None)
        report = _compare(name, g, num, tol, axis)
        if not report.ok:
            refined = _compare(name, g, numerical_gradient(f, x, dout, refine_eps, order=4), tol, axis)
            if refined.rel_error < report.rel_error:
                refined.method = "five-point stencil"
                report = refined
        reports[name] = report

    return GradcheckReport(reports, tol, eps, mutated)


def _is_float_like(v) -> bool:
    arr = np.asarray(v)
    return arr.dtype.kind == "f"


def _copy(v):
    return v.copy() if isinstance(v, np.ndarray) else v


def _compare(name, g, num, tol, time_axis) -> InputReport:
    err = rel_error(g, num)
    scale = max(float(np.max(np.abs(g) + np.abs(num))) if g.size else 0.0, _TINY)
    per_entry = np.abs(g - num) / scale
    worst = np.unravel_index(int(np.argmax(np.abs(g - num))), g.shape) if g.size else None
    time_errors = None
    if time_axis is not None and g.ndim > time_axis:
        other = tuple(a for a in range(g.ndim) if a != time_axis)
        time_errors = per_entry.max(axis=other) if other else per_entry
    return InputReport(
        name=name,
        shape=g.shape,
        rel_error=err,
        ok=bool(err < tol),
        worst_index=None if worst is None else tuple(int(i) for i in worst),
        analytic_value=None if worst is None else float(g[worst]),
        numeric_value=None if worst is None else float(num[worst]),
        errors=per_entry,
        time_axis=time_axis,
        time_errors=time_errors,
    )


def gradcheck_layer(
    forward: Callable, backward: Callable, inputs: Mapping, *, forward_kwargs=None, backward_kwargs=None, **kwargs
) -> GradcheckReport:
    """Gradient-check a ``forward -> (*outputs, cache)`` / ``backward(*douts, cache)`` pair.

    This is the course's contract (``rnn_forward``/``rnn_backward``,
    ``lstm_step_forward``/``lstm_step_backward``, ...): the backward pass
    returns the gradients in the order of ``inputs``. Extra keyword
    arguments (``activation="relu"``) go in ``forward_kwargs``; the rest of
    ``kwargs`` goes to ``gradcheck``.

    >>> report = gradcheck_layer(rnn_forward, rnn_backward, dict(x=x, h0=h0, Wx=Wx, Wh=Wh, b=b))
    """
    forward_kwargs = dict(forward_kwargs or {})
    backward_kwargs = dict(backward_kwargs or {})

    def outputs(**kw):
        result = forward(**kw, **forward_kwargs)
        outs = result[:-1]
        return outs[0] if len(outs) == 1 else tuple(outs)

    def analytic(dout):
        result = forward(
            **{n: _copy(np.asarray(v, dtype=float) if _is_float_like(v) else v) for n, v in inputs.items()},
            **forward_kwargs,
        )
        douts = dout if isinstance(dout, tuple) else (dout,)
        return backward(*douts, result[-1], **backward_kwargs)

    return gradcheck(outputs, inputs, analytic, **kwargs)
