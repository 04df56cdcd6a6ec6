"""Additive attention: gradients (float64, with masks and edge sizes), the mask, the softmax, the errors."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course.attention import AttentionCache, additive_attention_backward, additive_attention_forward, masked_softmax
from rnn_course.cells import Grads
from rnn_course.gradcheck import gradcheck


def inputs(rng, N=3, T=5, Hq=4, Hk=6, A=7, scale=1.0):
    return dict(query=rng.standard_normal((N, Hq)), keys=rng.standard_normal((N, T, Hk)),
                Wq=scale * rng.standard_normal((Hq, A)) / np.sqrt(Hq),
                Wk=scale * rng.standard_normal((Hk, A)) / np.sqrt(Hk), v=scale * rng.standard_normal(A))


def random_mask(rng, N, T):
    mask = rng.random((N, T)) < 0.6
    mask[np.arange(N), rng.integers(0, T, N)] = True  # every row keeps a real position
    return mask


def attention_gradcheck(args, mask=None):
    def fn(**kw):
        return additive_attention_forward(**kw, mask=mask)[0]

    def analytic(dcontext):
        return additive_attention_backward(dcontext, additive_attention_forward(**args, mask=mask)[2])

    return gradcheck(fn, args, analytic, tol=1e-7)


@pytest.mark.parametrize("dims", [dict(N=3, T=5, Hq=4, Hk=6, A=7), dict(N=1, T=1, Hq=1, Hk=1, A=1),
                                  dict(N=1, T=4, Hq=2, Hk=3, A=1), dict(N=4, T=1, Hq=3, Hk=2, A=5),
                                  dict(N=2, T=6, Hq=5, Hk=5, A=3)])
@pytest.mark.parametrize("masked", [False, True])
def test_gradients_match_the_numerical_gradient(dims, masked):
    rng = np.random.default_rng(sum(dims.values()) + masked)
    args = inputs(rng, **dims)
    mask = random_mask(rng, dims["N"], dims["T"]) if masked else None
    report = attention_gradcheck(args, mask)
    assert report.ok, str(report)
    assert report.max_error < 1e-7


def test_gradients_with_padding_masks_like_a_batch_of_different_lengths():
    rng = np.random.default_rng(7)
    args = inputs(rng, N=4, T=6, Hq=3, Hk=4, A=5, scale=2.0)
    lengths = np.array([6, 1, 3, 5])
    mask = np.arange(6)[None, :] < lengths[:, None]
    report = attention_gradcheck(args, mask)
    assert report.ok, str(report)
    # padding receives nothing: no gradient reaches a key the decoder cannot see
    context, weights, cache = additive_attention_forward(**args, mask=mask)
    g = additive_attention_backward(rng.standard_normal(context.shape), cache)
    assert np.all(g.dkeys[~mask] == 0.0)


def test_backward_returns_named_grads_in_the_order_of_the_inputs():
    rng = np.random.default_rng(0)
    args = inputs(rng)
    context, weights, cache = additive_attention_forward(**args)
    g = additive_attention_backward(np.ones_like(context), cache)
    assert isinstance(g, Grads) and g.names == ("dquery", "dkeys", "dWq", "dWk", "dv")
    for name, grad in zip(g.names, g):
        assert grad.shape == args[name[1:]].shape
    assert isinstance(cache, AttentionCache)


def loop_reference(query, keys, Wq, Wk, v, mask=None):
    """The equations one row and one position at a time."""
    N, T, _ = keys.shape
    context = np.zeros((N, keys.shape[2]))
    weights = np.zeros((N, T))
    for n in range(N):
        scores = np.array([np.tanh(query[n] @ Wq + keys[n, t] @ Wk) @ v for t in range(T)])
        real = np.ones(T, bool) if mask is None else mask[n]
        e = np.exp(scores[real] - scores[real].max())
        weights[n, real] = e / e.sum()
        for t in range(T):
            context[n] += weights[n, t] * keys[n, t]
    return context, weights


def test_forward_is_the_equations():
    rng = np.random.default_rng(1)
    args = inputs(rng, N=3, T=4, Hq=2, Hk=3, A=5)
    mask = random_mask(rng, 3, 4)
    for m in (None, mask):
        context, weights, _ = additive_attention_forward(**args, mask=m)
        want_context, want_weights = loop_reference(**args, mask=m)
        np.testing.assert_allclose(context, want_context, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(weights, want_weights, rtol=1e-12, atol=1e-14)


def test_weights_are_a_distribution_and_masked_positions_get_exactly_zero():
    rng = np.random.default_rng(2)
    args = inputs(rng, N=5, T=7)
    mask = random_mask(rng, 5, 7)
    context, weights, _ = additive_attention_forward(**args, mask=mask)
    assert np.all(weights[~mask] == 0.0) and np.all(weights[mask] > 0.0)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    # the context is a convex combination of the real keys: changing a padded key changes nothing
    keys = args["keys"].copy()
    keys[~mask] = 1e6
    again, _, _ = additive_attention_forward(**{**args, "keys": keys}, mask=mask)
    np.testing.assert_array_equal(again, context)
    # 0/1 integers are accepted as a mask
    same, _, _ = additive_attention_forward(**args, mask=mask.astype(int))
    np.testing.assert_array_equal(same, context)


def test_one_position_gets_all_the_weight():
    rng = np.random.default_rng(3)
    args = inputs(rng, N=2, T=1)
    context, weights, cache = additive_attention_forward(**args)
    assert np.all(weights == 1.0)
    np.testing.assert_array_equal(context, args["keys"][:, 0])
    g = additive_attention_backward(np.ones_like(context), cache)
    assert np.all(g.dquery == 0) and np.all(g.dv == 0)  # with one position the scores cannot matter


def test_the_softmax_is_stable_at_extreme_scores():
    rng = np.random.default_rng(4)
    args = inputs(rng, N=3, T=6)
    args["v"] = 1e4 * args["v"]  # scores of order 1e4: exp would overflow without the shift
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is the point
        context, weights, cache = additive_attention_forward(**args)
        g = additive_attention_backward(np.ones_like(context), cache)
    assert np.isfinite(context).all() and np.isfinite(weights).all()
    assert all(np.isfinite(x).all() for x in g)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is the point
        w = masked_softmax(np.array([[1000.0, -1000.0, 999.0]]), np.array([[True, True, False]]))
    np.testing.assert_allclose(w, [[1.0, 0.0, 0.0]], atol=1e-300)


def test_a_row_with_no_real_position_is_an_error():
    rng = np.random.default_rng(5)
    args = inputs(rng, N=3, T=4)
    mask = np.ones((3, 4), bool)
    mask[1] = False
    with pytest.raises(ValueError, match=r"mask: row 1 has no real position"):
        additive_attention_forward(**args, mask=mask)
    with pytest.raises(ValueError, match=r"mask: a row has no real position"):
        masked_softmax(np.zeros((2, 3)), np.array([[True, False, False], [False, False, False]]))


@pytest.mark.parametrize(("change", "message"), [
    (dict(query=np.zeros(4)), r"query: expected a 2-D array of shape \(N, Hq\), got a 1-D array of shape \(4,\)"),
    (dict(keys=np.zeros((2, 5, 6))), r"keys: expected shape \(N, T, Hk\) = \(3, 5, 6\), got \(2, 5, 6\)"),
    (dict(Wq=np.zeros((5, 7))), r"Wq: expected shape \(Hq, A\) = \(4, 7\), got \(5, 7\)"),
    (dict(Wk=np.zeros((6, 3))), r"Wk: expected shape \(Hk, A\) = \(6, 7\), got \(6, 3\)"),
    (dict(v=np.zeros(3)), r"v: expected shape \(A,\) = \(7,\), got \(3,\)"),
    (dict(v=np.zeros((7, 1))), r"v: expected a 1-D array"),
    (dict(mask=np.ones((3, 4), bool)), r"mask: expected shape \(N, T\) = \(3, 5\), got \(3, 4\)"),
    (dict(mask=np.full((3, 5), 0.5)), r"mask: expected booleans"),
    (dict(query=np.full((3, 4), np.nan)), r"query: expected finite values"),
])
def test_bad_arguments_are_named(change, message):
    rng = np.random.default_rng(6)
    args = {**inputs(rng), "mask": None, **change}
    with pytest.raises(ValueError, match=message):
        additive_attention_forward(**args)


def test_backward_checks_its_arguments():
    rng = np.random.default_rng(8)
    context, _, cache = additive_attention_forward(**inputs(rng))
    with pytest.raises(ValueError, match=r"dcontext: expected shape \(N, Hk\) = \(3, 6\), got \(3, 5\)"):
        additive_attention_backward(np.zeros((3, 5)), cache)
    with pytest.raises(ValueError, match=r"cache: expected the AttentionCache returned by additive_attention_forward"):
        additive_attention_backward(context, (1, 2))


def test_inputs_are_not_modified():
    rng = np.random.default_rng(9)
    args = inputs(rng)
    mask = random_mask(rng, 3, 5)
    copies = {k: v.copy() for k, v in args.items()}
    context, _, cache = additive_attention_forward(**args, mask=mask)
    dcontext = rng.standard_normal(context.shape)
    saved = dcontext.copy()
    additive_attention_backward(dcontext, cache)
    for k, v in args.items():
        np.testing.assert_array_equal(v, copies[k])
    np.testing.assert_array_equal(dcontext, saved)
