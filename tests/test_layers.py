"""Layers, wrappers and losses: forward values and gradient-checked backward passes."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course import gradcheck, gradcheck_layer, init_cell_params
from rnn_course.layers import (
    affine_backward,
    affine_forward,
    dropout_backward,
    dropout_forward,
    embedding_backward,
    embedding_forward,
    temporal_affine_backward,
    temporal_affine_forward,
)
from rnn_course.losses import mse_loss, softmax_cross_entropy
from rnn_course.wrappers import bidirectional_backward, bidirectional_forward, stacked_backward, stacked_forward

TOL = 1e-7


def test_embedding_forward_and_gradcheck(rng):
    W = rng.standard_normal((7, 3))
    idx = np.array([[0, 3, 3], [6, 0, 1]])  # repeated ids must accumulate
    out, cache = embedding_forward(idx, W)
    np.testing.assert_array_equal(out[1, 0], W[6])
    report = gradcheck(
        lambda W: embedding_forward(idx, W)[0],
        {"W": W},
        lambda dout: {"W": embedding_backward(dout, embedding_forward(idx, W)[1])},
        tol=TOL,
    )
    assert report.ok, str(report)


@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (2, 3, 4, 5)])
def test_temporal_affine_gradcheck(shape, rng):
    N, T, H, M = shape
    inputs = dict(h=rng.standard_normal((N, T, H)), W=rng.standard_normal((H, M)), b=rng.standard_normal(M))
    assert gradcheck_layer(temporal_affine_forward, temporal_affine_backward, inputs, tol=TOL).ok


def test_affine_gradcheck(rng):
    inputs = dict(x=rng.standard_normal((3, 4)), W=rng.standard_normal((4, 2)), b=rng.standard_normal(2))
    assert gradcheck_layer(affine_forward, affine_backward, inputs, tol=TOL).ok


def test_dropout_train_eval_and_gradient(rng):
    x = rng.standard_normal((200, 50))
    out, cache = dropout_forward(x, 0.3, rng=1)
    dropped = out == 0
    assert 0.25 < dropped.mean() < 0.35
    np.testing.assert_allclose(out[~dropped], x[~dropped] / 0.7)
    dout = rng.standard_normal(x.shape)
    np.testing.assert_array_equal(dropout_backward(dout, cache), dout * cache.mask)
    # expectation preserved (inverted dropout)
    assert abs(out.mean() - x.mean()) < 0.05
    out_eval, cache_eval = dropout_forward(x, 0.3, train=False)
    assert out_eval is x or np.array_equal(out_eval, x)
    np.testing.assert_array_equal(dropout_backward(dout, cache_eval), dout)
    # the same seed gives the same mask; numpy's global state is not used
    state = np.random.get_state()[1].copy()  # noqa: NPY002 (checking that the legacy global state is untouched)
    a, _ = dropout_forward(x, 0.5, rng=3)
    b, _ = dropout_forward(x, 0.5, rng=3)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002


def test_dropout_shared_over_time(rng):
    x = np.ones((4, 6, 5))
    out, _ = dropout_forward(x, 0.5, rng=0, shared_over_time=True)
    for t in range(1, 6):
        np.testing.assert_array_equal(out[:, t] == 0, out[:, 0] == 0)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_bidirectional_gradcheck_and_directions(cell, rng):
    N, T, D, H = 2, 4, 3, 2
    x = rng.standard_normal((N, T, D))
    pf, pb = init_cell_params(D, H, cell, rng=1), init_cell_params(D, H, cell, rng=2)
    h, _ = bidirectional_forward(x, pf, pb, cell)
    assert h.shape == (N, T, 2 * H)
    # the forward half at step 0 has only seen x[:, 0]; the backward half at the last step only x[:, -1]
    x2 = x.copy()
    x2[:, 1:] += 1.0
    h2, _ = bidirectional_forward(x2, pf, pb, cell)
    np.testing.assert_allclose(h[:, 0, :H], h2[:, 0, :H])
    assert not np.allclose(h[:, 0, H:], h2[:, 0, H:])

    keys = ("Wx", "Wh", "b")
    inputs = {"x": x, **{f"f_{k}": pf[k] for k in keys}, **{f"b_{k}": pb[k] for k in keys}}

    def fn(x, **p):
        return bidirectional_forward(x, {k: p[f"f_{k}"] for k in keys}, {k: p[f"b_{k}"] for k in keys}, cell)[0]

    def analytic(dout):
        _, cache = bidirectional_forward(x, pf, pb, cell)
        g = bidirectional_backward(dout, cache)
        return {"x": g.dx, **{f"f_{k}": g.dparams_fwd[k] for k in keys}, **{f"b_{k}": g.dparams_bwd[k] for k in keys}}

    report = gradcheck(fn, inputs, analytic, tol=TOL)
    assert report.ok, str(report)


@pytest.mark.parametrize("cell,bidirectional", [("rnn", False), ("lstm", False), ("gru", True)])
def test_stacked_gradcheck(cell, bidirectional, rng):
    N, T, D, H, L = 2, 3, 3, 2, 3
    x = rng.standard_normal((N, T, D))
    layers = []
    for depth in range(L):
        d_in = D if depth == 0 else (2 * H if bidirectional else H)
        if bidirectional:
            layers.append(
                {
                    "fwd": init_cell_params(d_in, H, cell, rng=depth),
                    "bwd": init_cell_params(d_in, H, cell, rng=10 + depth),
                }
            )
        else:
            layers.append(init_cell_params(d_in, H, cell, rng=depth))
    flat = {}
    for depth, layer in enumerate(layers):
        for direction in ("fwd", "bwd") if bidirectional else (None,):
            params = layer[direction] if direction else layer
            for k, v in params.items():
                flat[f"{depth}.{direction}.{k}"] = v

    def rebuild(p):
        out = []
        for depth in range(L):
            if bidirectional:
                out.append({d: {k: p[f"{depth}.{d}.{k}"] for k in ("Wx", "Wh", "b")} for d in ("fwd", "bwd")})
            else:
                out.append({k: p[f"{depth}.None.{k}"] for k in ("Wx", "Wh", "b")})
        return out

    def fn(x, **p):
        return stacked_forward(x, rebuild(p), cell, bidirectional=bidirectional, dropout=0.4, rng=5)[0]

    def analytic(dout):
        _, cache = stacked_forward(x, layers, cell, bidirectional=bidirectional, dropout=0.4, rng=5)
        dx, dlayers = stacked_backward(dout, cache)
        g = {"x": dx}
        for depth, layer in enumerate(dlayers):
            for direction in ("fwd", "bwd") if bidirectional else (None,):
                params = layer[direction] if direction else layer
                for k, v in params.items():
                    g[f"{depth}.{direction}.{k}"] = v
        return g

    report = gradcheck(fn, {"x": x, **flat}, analytic, tol=TOL)
    assert report.ok, str(report)


def test_softmax_cross_entropy_values_mask_and_gradcheck(rng):
    N, T, V = 3, 4, 5
    logits = rng.standard_normal((N, T, V))
    y = rng.integers(0, V, size=(N, T))
    mask = rng.random((N, T)) > 0.3
    loss, dlogits = softmax_cross_entropy(logits, y, mask)
    p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    expected = -np.sum(np.log(p[np.arange(N)[:, None], np.arange(T), y]) * mask) / mask.sum()
    assert loss == pytest.approx(expected, rel=1e-12)
    assert np.all(dlogits[~mask] == 0)
    for reduction in ("mean", "sum", "batch"):
        report = gradcheck(
            lambda logits, r=reduction: softmax_cross_entropy(logits, y, mask, r)[0],
            {"logits": logits},
            {"logits": softmax_cross_entropy(logits, y, mask, reduction)[1]},
            tol=TOL,
        )
        assert report.ok, (reduction, str(report))
    # uniform logits: loss = ln V
    assert softmax_cross_entropy(np.zeros((2, V)), np.array([0, 3]))[0] == pytest.approx(np.log(V))


def test_cross_entropy_is_stable_at_extreme_logits():
    logits = np.array([[1000.0, -1000.0, 0.0]])
    loss, d = softmax_cross_entropy(logits, np.array([1]))
    assert loss == pytest.approx(2000.0)
    assert np.all(np.isfinite(d))
    loss, _ = softmax_cross_entropy(logits, np.array([0]))
    assert loss == pytest.approx(0.0, abs=1e-12)


def test_all_masked_gives_zero_not_nan():
    loss, d = softmax_cross_entropy(np.zeros((2, 3, 4)), np.zeros((2, 3), dtype=int), mask=np.zeros((2, 3)))
    assert loss == 0.0 and np.all(d == 0)


def test_mse_loss_and_gradcheck(rng):
    pred, target = rng.standard_normal((3, 4, 2)), rng.standard_normal((3, 4, 2))
    mask = rng.random((3, 4)) > 0.5
    loss, d = mse_loss(pred, target, mask)
    m = np.broadcast_to(mask[..., None], pred.shape)
    assert loss == pytest.approx(np.sum(m * (pred - target) ** 2) / m.sum())
    report = gradcheck(lambda pred: mse_loss(pred, target, mask)[0], {"pred": pred}, {"pred": d}, tol=TOL)
    assert report.ok
