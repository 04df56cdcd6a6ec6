"""Objects a check hands to a graded function that are not plain arrays.

Some graded functions take a function (``numerical_gradient(f, x)``) or an
optimiser (``train_step(params, x, y, optimizer)``). Code cannot cross
between the judge and the student's process, so the judge sends a *recipe*
(``wire.Factory("smooth", {...})``) and this module builds it on the
student's side. Only the recipes listed in ``FACTORIES`` exist.
"""

from __future__ import annotations

import numpy as np

__all__ = ["FACTORIES", "build", "smooth_function", "toy_decoder"]


def smooth_function(A, B, c=0.0, *, scalar=False):
    """``f(x) = tanh(x @ A + c) * B`` (or its sum when ``scalar``): a smooth test function.

    ``x`` is (..., K), ``A`` is (K, M) and ``B`` broadcasts against (..., M).
    Its exact gradient is easy to write down, so a numerical-gradient routine
    can be checked against both the reference and the truth.
    """
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)

    def f(x):
        out = np.tanh(np.asarray(x, dtype=float) @ A + c) * B
        return float(out.sum()) if scalar else out

    return f


def toy_decoder(embed, Wh, W_out, b_out):
    """``step(tokens, h) -> (log_probs, h)``: a small tanh RNN decoder for beam search (exercise 06).

    ``h = tanh(embed[tokens] + h @ Wh)``, ``log_probs = log_softmax(h @ W_out + b_out)``; tokens (B,),
    h (B, H), log_probs (B, V). The log-softmax is written out here (no package function is called, so
    nothing a graded function may not use runs inside it).
    """
    embed, Wh = np.asarray(embed, dtype=float), np.asarray(Wh, dtype=float)
    W_out, b_out = np.asarray(W_out, dtype=float), np.asarray(b_out, dtype=float)

    def step(tokens, h):
        tokens, h = np.asarray(tokens, dtype=np.int64), np.asarray(h, dtype=float)
        if tokens.ndim != 1 or h.ndim != 2 or h.shape[0] != tokens.shape[0]:
            raise ValueError(f"step: got tokens of shape {tokens.shape} and states of shape {h.shape}; expected "
                             "tokens (B,) and states (B, H), one state row per hypothesis in the same order "
                             "(state = new_state[parents])")
        h = np.tanh(embed[tokens] + h @ Wh)
        logits = h @ W_out + b_out
        shifted = logits - logits.max(axis=1, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True)), h

    return step


def _optimizer(kind, **kwargs):
    from .. import optim

    classes = {"SGD": optim.SGD, "Momentum": optim.Momentum, "Adagrad": optim.Adagrad, "Adam": optim.Adam}
    if kind not in classes:
        raise ValueError(f"kind: expected one of {sorted(classes)}, got {kind!r}")
    return classes[kind](**kwargs)


FACTORIES = {
    "smooth": smooth_function,
    "optimizer": _optimizer,
    "toy_decoder": toy_decoder,
}


def build(name: str, kwargs: dict):
    """The object the recipe ``name`` makes from ``kwargs``."""
    if name not in FACTORIES:
        raise ValueError(f"name: expected one of {sorted(FACTORIES)}, got {name!r}")
    return FACTORIES[name](**kwargs)
