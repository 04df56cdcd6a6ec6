"""A training loop for any model with ``loss(batch) -> (loss, grads)``: clipping, progress, history.

    history = fit(model, data, steps=2000, optimizer=Adam(1e-2), clip=1.0,
                  evaluate=lambda m: {"accuracy": ...}, eval_every=200)
    plot_history(history)            # from rnn_course.plots

``data`` is either a function ``data(rng) -> batch`` (synthetic tasks draw a
fresh batch every step) or an iterable of batches. The progress bar is a
widget in Jupyter, a text bar in a terminal, and silent when output goes to
a file or a CI log (``progress="auto"``), so a non-interactive run never
fills a log with carriage returns.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from ._checks import NonFiniteError
from .init import as_rng
from .optim import Adam, clip_grad_norm, global_norm

__all__ = ["History", "fit", "minibatches", "progress_bar"]


@dataclass
class History:
    """What happened during ``fit``: per-step loss and gradient norm, periodic evaluations."""

    steps: list = field(default_factory=list)
    loss: list = field(default_factory=list)
    grad_norm: list = field(default_factory=list)  # before clipping
    eval_steps: list = field(default_factory=list)
    metrics: dict = field(default_factory=dict)  # name -> list aligned with eval_steps
    seconds: float = 0.0
    stopped: str = ""  # why training stopped early ("" when it ran all steps)

    def smoothed_loss(self, window: int = 50) -> np.ndarray:
        """Running mean of the loss over ``window`` steps (same length as ``loss``)."""
        loss = np.asarray(self.loss, dtype=float)
        if loss.size == 0:
            return loss
        cumsum = np.cumsum(np.insert(loss, 0, 0.0))
        idx = np.arange(1, loss.size + 1)
        lo = np.maximum(idx - window, 0)
        return (cumsum[idx] - cumsum[lo]) / (idx - lo)

    def final(self, metric: str | None = None, window: int = 50) -> float:
        """The last evaluated value of ``metric``, or the smoothed final loss."""
        if metric is None:
            smooth = self.smoothed_loss(window)
            return float(smooth[-1]) if smooth.size else float("nan")
        if metric not in self.metrics or not self.metrics[metric]:
            raise ValueError(f"metric: expected one of {sorted(self.metrics)}, got {metric!r}")
        return float(self.metrics[metric][-1])

    def __repr__(self) -> str:
        parts = [f"{len(self.steps)} steps in {self.seconds:.1f} s", f"final loss {self.final():.4g}"]
        for name, values in self.metrics.items():
            if values:
                parts.append(f"{name} {values[-1]:.4g}")
        if self.stopped:
            parts.append(f"stopped: {self.stopped}")
        return "History(" + ", ".join(parts) + ")"


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    ip = shell.get_ipython() if hasattr(shell, "get_ipython") else None
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


def progress_bar(total: int, progress="auto", desc: str = ""):
    """A tqdm bar: a widget in Jupyter, text in a terminal, None when silent.

    ``progress``: True (always), False (never) or "auto" (Jupyter or a
    terminal; not when stderr is a file or a pipe).
    """
    if progress not in (True, False, "auto"):
        raise ValueError(f"progress: expected True, False or 'auto', got {progress!r}")
    if progress is False:
        return None
    notebook = _in_notebook()
    if progress == "auto" and not notebook and not (hasattr(sys.stderr, "isatty") and sys.stderr.isatty()):
        return None
    if notebook:
        from tqdm.notebook import tqdm as bar
    else:
        from tqdm import tqdm as bar
    return bar(total=total, desc=desc, leave=True, mininterval=0.25)


def fit(
    model,
    data,
    *,
    steps: int,
    optimizer=None,
    clip: float | None = None,
    evaluate: Callable | None = None,
    eval_every: int | None = None,
    progress="auto",
    seed: int = 0,
    callback: Callable | None = None,
    desc: str = "",
) -> History:
    """Train ``model`` for ``steps`` updates.

    Inputs:
        model: has ``params`` and ``loss(batch, train=True, rng=...) -> (loss, grads)``
        data: ``data(rng) -> batch`` or an iterable of batches (stops early if it runs out)
        steps: number of updates
        optimizer: default Adam(lr=1e-3)
        clip: max global gradient norm (None: no clipping); the norm before
            clipping is recorded in ``history.grad_norm`` either way
        evaluate: ``evaluate(model) -> {metric: value}``, called every
            ``eval_every`` steps and after the last one
        progress: True, False or "auto" (see ``progress_bar``)
        seed: seeds the Generator passed to ``data`` and ``model.loss`` (dropout)
        callback: ``callback(step, loss, history)`` after every step
    Returns:
        History. Training stops early, with ``history.stopped`` saying why,
        when the loss or the gradient becomes NaN/inf (exploding gradients).
    """
    if not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps: expected an integer >= 1, got {steps!r}")
    if eval_every is not None and (not isinstance(eval_every, (int, np.integer)) or eval_every < 1):
        raise ValueError(f"eval_every: expected None or an integer >= 1, got {eval_every!r}")
    optimizer = optimizer or Adam(lr=1e-3)
    rng = as_rng(seed)
    batches: Iterator | None = None
    if not callable(data):
        if not isinstance(data, Iterable):
            raise ValueError(f"data: expected a function data(rng) -> batch or an iterable, got {type(data).__name__}")
        batches = iter(data)
    history = History()
    bar = progress_bar(steps, progress, desc)
    start = time.perf_counter()

    def run_eval(step):
        if evaluate is None:
            return
        results = evaluate(model)
        history.eval_steps.append(step)
        for name, value in results.items():
            history.metrics.setdefault(name, []).append(float(value))

    try:
        for step in range(1, steps + 1):
            if batches is None:
                batch = data(rng)
            else:
                try:
                    batch = next(batches)
                except StopIteration:
                    history.stopped = f"data ran out after {step - 1} steps"
                    break
            # Overflow is how exploding gradients show up; it is detected just
            # below and reported in history.stopped, so numpy's warnings are noise here.
            try:
                with np.errstate(over="ignore", invalid="ignore"):
                    loss, grads = model.loss(batch, train=True, rng=rng)
                    norm = global_norm(grads)
            except NonFiniteError as err:
                history.stopped = f"non-finite values at step {step} (exploding activations: {err})"
                break
            if not (math.isfinite(loss) and math.isfinite(norm)):
                history.stopped = f"non-finite loss or gradient at step {step} (exploding gradients: try clip=)"
                break
            if clip is not None:
                clip_grad_norm(grads, clip)
            optimizer.step(model.params, grads)
            if not all(np.isfinite(p).all() for p in model.params.values()):
                history.stopped = f"parameters became non-finite at step {step} (learning rate too high? try clip=)"
                break
            history.steps.append(step)
            history.loss.append(float(loss))
            history.grad_norm.append(norm)
            if eval_every and step % eval_every == 0 and step != steps:
                run_eval(step)
            if callback is not None:
                callback(step, loss, history)
            if bar is not None:
                bar.update(1)
                if step % 10 == 0 or step == steps:
                    bar.set_postfix(loss=f"{history.smoothed_loss(20)[-1]:.4f}", refresh=False)
        if history.steps:
            run_eval(history.steps[-1])
    finally:
        if bar is not None:
            bar.close()
        history.seconds = time.perf_counter() - start
    return history


def minibatches(*arrays, batch_size: int, rng=None, epochs: int | None = None) -> Iterator[tuple]:
    """Shuffled minibatches of aligned arrays (same first dimension), epoch after epoch.

    Yields tuples of arrays (a single array when one is given). ``epochs``
    None means forever; the last partial batch of an epoch is kept.
    """
    if not arrays:
        raise ValueError("arrays: expected at least one array")
    n = len(arrays[0])
    for i, a in enumerate(arrays):
        if len(a) != n:
            raise ValueError(f"arrays[{i}]: expected {n} rows (like arrays[0]), got {len(a)}")
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size: expected an integer >= 1, got {batch_size!r}")
    rng = as_rng(rng)
    epoch = 0
    while epochs is None or epoch < epochs:
        order = rng.permutation(n)
        for lo in range(0, n, batch_size):
            idx = order[lo : lo + batch_size]
            batch = tuple(a[idx] for a in arrays)
            yield batch[0] if len(batch) == 1 else batch
        epoch += 1
