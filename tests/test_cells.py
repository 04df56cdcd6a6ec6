"""The cells' forward and backward passes: gradient checks, consistency, truncation.

Every backward function is checked against centered differences in float64
at relative error < 1e-7, on many random shapes including N=1, T=1, H=1.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnn_course import gradcheck_layer, rel_error
from rnn_course.cells import (
    gru_backward,
    gru_forward,
    gru_step_backward,
    gru_step_forward,
    lstm_backward,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
)

TOL = 1e-7
GATES = {"rnn": 1, "rnn_relu": 1, "lstm": 4, "gru": 3}
SEQUENCE = {
    "rnn": (rnn_forward, rnn_backward, {}),
    "rnn_relu": (rnn_forward, rnn_backward, {"activation": "relu"}),
    "lstm": (lstm_forward, lstm_backward, {}),
    "gru": (gru_forward, gru_backward, {}),
}
STEP = {
    "rnn": (rnn_step_forward, rnn_step_backward, {}),
    "rnn_relu": (rnn_step_forward, rnn_step_backward, {"activation": "relu"}),
    "lstm": (lstm_step_forward, lstm_step_backward, {}),
    "gru": (gru_step_forward, gru_step_backward, {}),
}
SHAPES = [(1, 1, 1, 1), (1, 3, 2, 1), (2, 1, 3, 4), (3, 4, 2, 3), (1, 6, 1, 2), (4, 2, 5, 1), (2, 5, 3, 5)]


def sequence_inputs(cell, N, T, D, H, rng, scale=0.6):
    G = GATES[cell]
    return dict(
        x=rng.standard_normal((N, T, D)),
        h0=rng.standard_normal((N, H)),
        Wx=scale * rng.standard_normal((D, G * H)),
        Wh=scale * rng.standard_normal((H, G * H)),
        b=0.3 * rng.standard_normal(G * H),
    )


def step_inputs(cell, N, D, H, rng, scale=0.6):
    G = GATES[cell]
    inputs = dict(x=rng.standard_normal((N, D)), h_prev=rng.standard_normal((N, H)))
    if cell == "lstm":
        inputs["c_prev"] = rng.standard_normal((N, H))
    inputs.update(
        Wx=scale * rng.standard_normal((D, G * H)),
        Wh=scale * rng.standard_normal((H, G * H)),
        b=0.3 * rng.standard_normal(G * H),
    )
    return inputs


@pytest.mark.parametrize("cell", list(SEQUENCE))
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "NTDH=" + "x".join(map(str, s)))
def test_sequence_backward_passes_gradcheck(cell, shape, rng):
    forward, backward, kwargs = SEQUENCE[cell]
    report = gradcheck_layer(forward, backward, sequence_inputs(cell, *shape, rng), forward_kwargs=kwargs, tol=TOL)
    assert report.ok, str(report)
    assert set(report.inputs) == {"x", "h0", "Wx", "Wh", "b"}


@pytest.mark.parametrize("cell", list(STEP))
@pytest.mark.parametrize(
    "shape", [(1, 1, 1), (2, 3, 4), (3, 1, 2), (4, 5, 1)], ids=lambda s: "NDH=" + "x".join(map(str, s))
)
def test_step_backward_passes_gradcheck(cell, shape, rng):
    forward, backward, kwargs = STEP[cell]
    report = gradcheck_layer(forward, backward, step_inputs(cell, *shape, rng), forward_kwargs=kwargs, tol=TOL)
    assert report.ok, str(report)


@settings(max_examples=25, deadline=None)
@given(
    cell=st.sampled_from(list(SEQUENCE)),
    N=st.integers(1, 3),
    T=st.integers(1, 5),
    D=st.integers(1, 4),
    H=st.integers(1, 4),
    seed=st.integers(0, 2**32 - 1),
)
def test_sequence_gradcheck_on_random_shapes(cell, N, T, D, H, seed):
    forward, backward, kwargs = SEQUENCE[cell]
    rng = np.random.default_rng(seed)
    report = gradcheck_layer(
        forward, backward, sequence_inputs(cell, N, T, D, H, rng), forward_kwargs=kwargs, tol=TOL, seed=seed
    )
    assert report.ok, str(report)


def test_lstm_c0_gradient_is_checked(rng):
    inputs = sequence_inputs("lstm", 2, 4, 3, 2, rng)
    c0 = rng.standard_normal((2, 2))

    def analytic(dout):
        _, cache = lstm_forward(**inputs, c0=c0)
        return {"c0": lstm_backward(dout, cache).dc0}

    from rnn_course import gradcheck

    report = gradcheck(lambda c0: lstm_forward(**inputs, c0=c0)[0], {"c0": c0}, analytic, tol=TOL)
    assert report.ok, str(report)


@pytest.mark.parametrize("cell", list(SEQUENCE))
def test_sequence_forward_equals_step_loop(cell, rng):
    """rnn_forward is rnn_step_forward applied T times (likewise LSTM, GRU)."""
    forward, _, kwargs = SEQUENCE[cell]
    step_forward, _, _ = STEP[cell]
    inp = sequence_inputs(cell, 3, 6, 2, 4, rng)
    h_seq, _ = forward(**inp, **kwargs)
    h = inp["h0"]
    c = np.zeros_like(h)
    for t in range(6):
        if cell == "lstm":
            h, c, _ = step_forward(inp["x"][:, t], h, c, inp["Wx"], inp["Wh"], inp["b"])
        else:
            h, _ = step_forward(inp["x"][:, t], h, inp["Wx"], inp["Wh"], inp["b"], **kwargs)
        np.testing.assert_allclose(h_seq[:, t], h, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_independent_loop_implementation_agrees(cell, rng):
    """A second, step-by-step implementation (tests/planted_bugs.py, bug=None) gives the same gradients."""
    import planted_bugs

    variant = getattr(planted_bugs, f"{cell}_backward_variant")
    forward, backward, _ = SEQUENCE[cell]
    inp = sequence_inputs(cell, 3, 5, 2, 4, rng)
    h, cache = forward(**inp)
    dh = rng.standard_normal(h.shape)
    ours = backward(dh, cache).as_dict()
    theirs = variant(dh, cache)
    for name in inp:
        assert rel_error(ours["d" + name], theirs[name]) < 1e-12, name


def test_lstm_matches_hand_formula_and_gate_order(rng):
    """Gate blocks are i, f, g, o: check one step against the equations written out."""
    inp = step_inputs("lstm", 2, 3, 4, rng)
    h, c, _ = lstm_step_forward(**inp)
    a = inp["x"] @ inp["Wx"] + inp["h_prev"] @ inp["Wh"] + inp["b"]
    H = 4
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    i, f, g, o = sig(a[:, :H]), sig(a[:, H : 2 * H]), np.tanh(a[:, 2 * H : 3 * H]), sig(a[:, 3 * H :])
    c_ref = f * inp["c_prev"] + i * g
    np.testing.assert_allclose(c, c_ref, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(h, o * np.tanh(c_ref), rtol=1e-12, atol=1e-14)


def test_gru_applies_reset_before_the_product(rng):
    """Cho et al. 2014: n = tanh(x Wx_n + (r * h_prev) Wh_n + b_n), h = (1 - z) n + z h_prev."""
    inp = step_inputs("gru", 2, 3, 4, rng)
    h, _ = gru_step_forward(**inp)
    H = 4
    x, hp, Wx, Wh, b = inp["x"], inp["h_prev"], inp["Wx"], inp["Wh"], inp["b"]
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    r = sig(x @ Wx[:, :H] + hp @ Wh[:, :H] + b[:H])
    z = sig(x @ Wx[:, H : 2 * H] + hp @ Wh[:, H : 2 * H] + b[H : 2 * H])
    n = np.tanh(x @ Wx[:, 2 * H :] + (r * hp) @ Wh[:, 2 * H :] + b[2 * H :])
    np.testing.assert_allclose(h, (1 - z) * n + z * hp, rtol=1e-12, atol=1e-14)


def test_rnn_and_lstm_match_pytorch_when_available(rng):
    torch = pytest.importorskip("torch")
    N, T, D, H = 2, 5, 3, 4
    for cell in ("rnn", "lstm"):
        inp = sequence_inputs(cell, N, T, D, H, rng)
        module = (torch.nn.RNN if cell == "rnn" else torch.nn.LSTM)(D, H, batch_first=True).double()
        with torch.no_grad():
            module.weight_ih_l0.copy_(torch.tensor(inp["Wx"].T))  # PyTorch stores the transpose
            module.weight_hh_l0.copy_(torch.tensor(inp["Wh"].T))
            module.bias_ih_l0.copy_(torch.tensor(inp["b"]))
            module.bias_hh_l0.zero_()
            h0 = torch.tensor(inp["h0"])[None]
            state = h0 if cell == "rnn" else (h0, torch.zeros_like(h0))
            out, _ = module(torch.tensor(inp["x"]), state)
        ours, _ = SEQUENCE[cell][0](**inp)
        np.testing.assert_allclose(ours, out.numpy(), rtol=1e-10, atol=1e-12)


# ----------------------------------------------------------------------------- truncated BPTT
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("k", [1, 2, 3, 7])
def test_chunk_truncation_equals_detaching_the_state_every_k_steps(cell, k, rng):
    """truncate=k, mode "chunk": the same as running forward/backward on blocks of k steps
    with the state carried over but no gradient through it."""
    forward, backward, _ = SEQUENCE[cell]
    N, T, D, H = 2, 7, 3, 3
    inp = sequence_inputs(cell, N, T, D, H, rng)
    h, cache = forward(**inp)
    dh = rng.standard_normal(h.shape)
    g = backward(dh, cache, truncate=k, truncate_mode="chunk")

    ref = {"Wx": 0, "Wh": 0, "b": 0}
    dx = np.zeros_like(inp["x"])
    state, cell_state = inp["h0"], None
    for lo in range(0, T, k):
        hi = min(lo + k, T)
        args = dict(inp, x=inp["x"][:, lo:hi], h0=state)
        if cell == "lstm":
            h_blk, c_blk = forward(**args, c0=cell_state)
            state, cell_state = h_blk[:, -1], c_blk.c[:, -1]
        else:
            h_blk, c_blk = forward(**args)
            state = h_blk[:, -1]
        np.testing.assert_allclose(h_blk, h[:, lo:hi], rtol=1e-12, atol=1e-14)
        gb = backward(dh[:, lo:hi], c_blk)
        dx[:, lo:hi] = gb.dx
        for key in ref:
            ref[key] = ref[key] + getattr(gb, "d" + key)
        if lo == 0:
            dh0 = gb.dh0
    np.testing.assert_allclose(g.dx, dx, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(g.dh0, dh0, rtol=1e-10, atol=1e-12)
    for key in ref:
        np.testing.assert_allclose(getattr(g, "d" + key), ref[key], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("k", [1, 2, 4])
def test_window_truncation_equals_brute_force(cell, k, rng):
    """truncate=k, mode "window": the loss at step t sends its gradient back through
    steps t, t-1, ..., t-k+1 only. Brute force: for every t, re-run the k-step window
    from the (detached) state before it and back-propagate dh[:, t] alone."""
    forward, backward, _ = SEQUENCE[cell]
    N, T, D, H = 2, 6, 2, 3
    inp = sequence_inputs(cell, N, T, D, H, rng)
    h, cache = forward(**inp)
    dh = rng.standard_normal(h.shape)
    g = backward(dh, cache, truncate=k, truncate_mode="window")

    h_states = [inp["h0"]] + [h[:, t] for t in range(T)]
    c_states = [np.zeros((N, H))] + ([cache.c[:, t] for t in range(T)] if cell == "lstm" else [])
    ref = {"x": np.zeros_like(inp["x"]), "h0": np.zeros_like(inp["h0"]), "Wx": 0, "Wh": 0, "b": 0}
    for t in range(T):
        lo = max(0, t - k + 1)
        args = dict(inp, x=inp["x"][:, lo : t + 1], h0=h_states[lo])
        if cell == "lstm":
            _, c_win = forward(**args, c0=c_states[lo])
        else:
            _, c_win = forward(**args)
        d = np.zeros((N, t + 1 - lo, H))
        d[:, -1] = dh[:, t]
        gw = backward(d, c_win)
        ref["x"][:, lo : t + 1] += gw.dx
        if lo == 0:
            ref["h0"] += gw.dh0
        for key in ("Wx", "Wh", "b"):
            ref[key] = ref[key] + getattr(gw, "d" + key)
    for key, value in ref.items():
        np.testing.assert_allclose(getattr(g, "d" + key), value, rtol=1e-10, atol=1e-12, err_msg=key)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("mode", ["chunk", "window"])
def test_truncation_longer_than_sequence_is_full_bptt(cell, mode, rng):
    forward, backward, _ = SEQUENCE[cell]
    inp = sequence_inputs(cell, 2, 5, 2, 3, rng)
    h, cache = forward(**inp)
    dh = rng.standard_normal(h.shape)
    full = backward(dh, cache)
    for k in (5, 9):
        trunc = backward(dh, cache, truncate=k, truncate_mode=mode)
        for a, b in zip(full, trunc):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_dh_all_is_the_total_gradient_at_every_state(cell, rng):
    """dh_all[:, t] = dL/dh_t including later steps: check it numerically by adding
    a perturbation delta to h_t (through a loss term that reads it)."""
    forward, backward, _ = SEQUENCE[cell]
    N, T, D, H = 2, 5, 2, 3
    inp = sequence_inputs(cell, N, T, D, H, rng)
    h, cache = forward(**inp)
    dh = rng.standard_normal(h.shape)
    g = backward(dh, cache)
    # d L / d h_0 is dh0; the total gradient at h_t obeys dh_all[:, 0] -> dh0 through one step.
    assert g.dh_all.shape == (N, T, H)
    # The last step receives only the loss's own gradient.
    np.testing.assert_allclose(g.dh_all[:, -1], dh[:, -1])
    # Compare every step with a numerical derivative: L(h) = sum(h * dh); perturb the
    # state h_t by running the rest of the sequence from h_t + eps * e.
    eps = 1e-6
    for t in range(T - 1):
        num = np.zeros((N, H))
        for n in range(N):
            for j in range(H):
                vals = []
                for sign in (1, -1):
                    start = h[:, t].copy()
                    start[n, j] += sign * eps
                    args = dict(inp, x=inp["x"][:, t + 1 :], h0=start)
                    if cell == "lstm":
                        rest, _ = forward(**args, c0=cache.c[:, t])
                    else:
                        rest, _ = forward(**args)
                    vals.append(np.sum(rest * dh[:, t + 1 :]) + np.sum(start * dh[:, t]))
                num[n, j] = (vals[0] - vals[1]) / (2 * eps)
        assert rel_error(g.dh_all[:, t], num) < 1e-7, t


def test_lstm_dc_all_and_dc0(rng):
    inp = sequence_inputs("lstm", 2, 4, 2, 3, rng)
    h, cache = lstm_forward(**inp)
    dh = rng.standard_normal(h.shape)
    g = lstm_backward(dh, cache)
    assert g.dc_all.shape == h.shape
    # dc0 = dc_all[:, 0] * f_0 (the forget gate of the first step)
    f0 = cache.f[:, 0]
    np.testing.assert_allclose(g.dc0, g.dc_all[:, 0] * f0, rtol=1e-12)


def test_backward_does_not_modify_the_cache_or_upstream(rng):
    for cell in ("rnn", "lstm", "gru"):
        forward, backward, _ = SEQUENCE[cell]
        inp = sequence_inputs(cell, 2, 4, 3, 2, rng)
        h, cache = forward(**inp)
        dh = rng.standard_normal(h.shape)
        before = [np.copy(a) for a in cache if isinstance(a, np.ndarray)] + [dh.copy()]
        backward(dh, cache, truncate=2, truncate_mode="window")
        backward(dh, cache)
        after = [a for a in cache if isinstance(a, np.ndarray)] + [dh]
        for a, b in zip(before, after):
            np.testing.assert_array_equal(a, b)


def test_forward_does_not_modify_inputs(rng):
    for cell in ("rnn", "lstm", "gru"):
        forward = SEQUENCE[cell][0]
        inp = sequence_inputs(cell, 2, 4, 3, 2, rng)
        copies = {k: v.copy() for k, v in inp.items()}
        forward(**inp)
        for k in inp:
            np.testing.assert_array_equal(inp[k], copies[k])


def test_grads_tuple_unpacks_and_names(rng):
    inp = sequence_inputs("rnn", 2, 3, 2, 2, rng)
    h, cache = rnn_forward(**inp)
    grads = rnn_backward(np.ones_like(h), cache)
    dx, dh0, dWx, dWh, db = grads
    assert grads.names == ("dx", "dh0", "dWx", "dWh", "db")
    assert grads.dWh is dWh and len(grads) == 5
    assert "dh_all=array(2, 3, 2)" in repr(grads)
    import pickle

    again = pickle.loads(pickle.dumps(grads))
    np.testing.assert_array_equal(again.dh_all, grads.dh_all)


def test_relu_rnn_with_identity_keeps_positive_state():
    """IRNN: relu with Wh = I and no input copies a positive state forward unchanged."""
    N, T, D, H = 1, 10, 1, 3
    h0 = np.array([[0.5, 1.0, 2.0]])
    h, _ = rnn_forward(np.zeros((N, T, D)), h0, np.zeros((D, H)), np.eye(H), np.zeros(H), activation="relu")
    np.testing.assert_array_equal(h[0, -1], h0[0])
