"""Bad input raises ValueError naming the argument, the expected shape and the received one."""

from __future__ import annotations

import re

import numpy as np
import pytest

import rnn_course as rc
from rnn_course import cells, layers, losses, optim, wrappers

N, T, D, H = 2, 3, 4, 5
G = {"rnn": 1, "lstm": 4, "gru": 3}


def seq_args(cell):
    g = G[cell]
    return dict(
        x=np.ones((N, T, D)), h0=np.zeros((N, H)), Wx=np.zeros((D, g * H)), Wh=np.zeros((H, g * H)), b=np.zeros(g * H)
    )


def step_args(cell):
    g = G[cell]
    args = dict(x=np.ones((N, D)), h_prev=np.zeros((N, H)))
    if cell == "lstm":
        args["c_prev"] = np.zeros((N, H))
    args.update(Wx=np.zeros((D, g * H)), Wh=np.zeros((H, g * H)), b=np.zeros(g * H))
    return args


SEQ_FORWARD = {"rnn": cells.rnn_forward, "lstm": cells.lstm_forward, "gru": cells.gru_forward}
STEP_FORWARD = {"rnn": cells.rnn_step_forward, "lstm": cells.lstm_step_forward, "gru": cells.gru_step_forward}


def expect(fn, match, **kwargs):
    with pytest.raises(ValueError, match=match) as info:
        fn(**kwargs)
    return str(info.value)


@pytest.mark.parametrize("cell", list(G))
def test_sequence_forward_errors(cell):
    f, g = SEQ_FORWARD[cell], G[cell]
    # wrong rank
    msg = expect(
        f,
        r"^x: expected a 3-D array of shape \(N, T, D\), got a 2-D array of shape \(2, 4\)",
        **dict(seq_args(cell), x=np.ones((N, D))),
    )
    assert "got" in msg
    # mismatched N between x and h0
    expect(f, re.escape("h0: expected shape (N, H) = (2, 5), got (3, 5)"), **dict(seq_args(cell), h0=np.zeros((3, H))))
    # mismatched D
    block = "H" if g == 1 else f"{g}H"
    expect(
        f,
        re.escape(f"Wx: expected shape (D, {block}) = (4, {g * H}), got (3, {g * H})"),
        **dict(seq_args(cell), Wx=np.zeros((3, g * H))),
    )
    # wrong gate-block size
    msg = expect(
        f,
        re.escape(f"Wh: expected shape (H, {block}) = (5, {g * H}), got (5, {g * H + 1})"),
        **dict(seq_args(cell), Wh=np.zeros((H, g * H + 1))),
    )
    if g > 1:
        assert "gate blocks" in msg
    expect(
        f,
        re.escape(f"b: expected shape ({block},) = ({g * H},), got ({H + 1},)"),
        **dict(seq_args(cell), b=np.zeros(H + 1)),
    )
    # non-finite values
    bad = np.zeros((H, g * H))
    bad[1, 2] = np.nan
    expect(
        f, r"^Wh: expected finite values, got 1 non-finite \(first at index \(1, 2\)", **dict(seq_args(cell), Wh=bad)
    )
    x = np.ones((N, T, D))
    x[0, 1, 0] = np.inf
    expect(f, r"^x: expected finite values", **dict(seq_args(cell), x=x))
    expect(f, r"^x: expected a numeric array", **dict(seq_args(cell), x="hello"))
    expect(f, r"^x: expected an array, got None", **dict(seq_args(cell), x=None))


@pytest.mark.parametrize("cell", list(G))
def test_step_forward_errors(cell):
    f, g = STEP_FORWARD[cell], G[cell]
    expect(
        f,
        re.escape("x: expected a 2-D array of shape (N, D), got a 3-D array of shape (2, 3, 4)"),
        **dict(step_args(cell), x=np.ones((N, T, D))),
    )
    expect(
        f,
        re.escape("h_prev: expected shape (N, H) = (2, 5), got (1, 5)"),
        **dict(step_args(cell), h_prev=np.zeros((1, H))),
    )
    if cell == "lstm":
        expect(
            f,
            re.escape("c_prev: expected shape (N, H) = (2, 5), got (2, 4)"),
            **dict(step_args(cell), c_prev=np.zeros((N, 4))),
        )
    if g > 1:
        expect(
            f,
            re.escape(f"Wh: expected shape (H, {g}H) = (5, {g * H}), got (5, 5)"),
            **dict(step_args(cell), Wh=np.zeros((H, H))),
        )


@pytest.mark.parametrize("cell", list(G))
def test_backward_errors(cell):
    f = SEQ_FORWARD[cell]
    backward = {"rnn": cells.rnn_backward, "lstm": cells.lstm_backward, "gru": cells.gru_backward}[cell]
    h, cache = f(**seq_args(cell))
    expect(
        backward,
        re.escape("dh: expected shape (N, T, H) = (2, 3, 5), got (2, 3, 4)"),
        dh=np.zeros((N, T, 4)),
        cache=cache,
    )
    expect(backward, r"^dh: expected a 3-D array", dh=np.zeros((N, H)), cache=cache)
    expect(backward, r"^cache: expected the \w+Cache returned by \w+_forward, got tuple", dh=h, cache=(1, 2))
    dh = np.zeros_like(h)
    dh[0, 0, 0] = np.nan
    expect(backward, r"^dh: expected finite values", dh=dh, cache=cache)
    expect(backward, r"^truncate: expected None or an integer >= 1, got 0", dh=h, cache=cache, truncate=0)
    expect(
        backward,
        r"^truncate_mode: expected one of 'chunk', 'window', got 'sliding'",
        dh=h,
        cache=cache,
        truncate=2,
        truncate_mode="sliding",
    )


def test_step_backward_errors():
    h, cache = cells.rnn_step_forward(**step_args("rnn"))
    expect(
        cells.rnn_step_backward,
        re.escape("dh: expected shape (N, H) = (2, 5), got (5, 2)"),
        dh=np.zeros((H, N)),
        cache=cache,
    )
    h, c, cache = cells.lstm_step_forward(**step_args("lstm"))
    expect(
        cells.lstm_step_backward,
        re.escape("dc: expected shape (N, H) = (2, 5), got (2, 1)"),
        dh=h,
        dc=np.zeros((N, 1)),
        cache=cache,
    )
    expect(
        cells.lstm_step_backward,
        r"^cache: expected the LSTMStepCache returned by lstm_step_forward",
        dh=h,
        dc=c,
        cache=None,
    )
    h, cache = cells.gru_step_forward(**step_args("gru"))
    expect(cells.gru_step_backward, r"^dh: expected a 2-D array", dh=np.zeros(H), cache=cache)


def test_activation_argument():
    expect(
        cells.rnn_forward,
        r"^activation: expected one of 'tanh', 'relu', got 'sigmoid'",
        **seq_args("rnn"),
        activation="sigmoid",
    )


def test_layer_errors():
    W = np.zeros((10, 3))
    expect(
        layers.embedding_forward,
        r"^idx: expected indices in \[0, 10\), got values in \[0, 12\]",
        idx=np.array([[0, 12]]),
        W=W,
    )
    expect(layers.embedding_forward, r"^idx: expected integer indices, got dtype float64", idx=np.array([[0.5]]), W=W)
    expect(
        layers.embedding_forward,
        re.escape("idx: expected a 2-D array of shape (N, T), got a 1-D array"),
        idx=np.array([1, 2]),
        W=W,
    )
    expect(
        layers.temporal_affine_forward,
        re.escape("W: expected shape (H, M) = (5, 3), got (4, 3)"),
        h=np.zeros((N, T, H)),
        W=np.zeros((4, 3)),
        b=np.zeros(3),
    )
    expect(
        layers.affine_forward,
        re.escape("b: expected shape (M,) = (3,), got (4,)"),
        x=np.zeros((N, D)),
        W=np.zeros((D, 3)),
        b=np.zeros(4),
    )
    expect(layers.dropout_forward, r"^p: expected a drop probability in \[0, 1\), got 1.0", x=np.zeros(3), p=1.0)
    out, cache = layers.dropout_forward(np.ones((2, 3)), 0.5, rng=0)
    expect(
        layers.dropout_backward,
        re.escape("dout: expected shape (2, 3) (the forward input's), got (3, 2)"),
        dout=np.ones((3, 2)),
        cache=cache,
    )
    out, cache = layers.temporal_affine_forward(np.zeros((N, T, H)), np.zeros((H, 3)), np.zeros(3))
    expect(
        layers.temporal_affine_backward,
        re.escape("dout: expected shape (N, T, M) = (2, 3, 3), got (2, 3, 4)"),
        dout=np.zeros((N, T, 4)),
        cache=cache,
    )


def test_loss_errors():
    logits = np.zeros((N, T, 7))
    expect(
        losses.softmax_cross_entropy,
        re.escape("y: expected shape (N, T) = (2, 3), got (2, 4)"),
        logits=logits,
        y=np.zeros((N, 4), dtype=int),
    )
    expect(
        losses.softmax_cross_entropy,
        r"^y: expected indices in \[0, 7\), got values in \[7, 7\]",
        logits=logits,
        y=np.full((N, T), 7),
    )
    expect(
        losses.softmax_cross_entropy,
        re.escape("mask: expected shape (N, T) = (2, 3), got (3, 2)"),
        logits=logits,
        y=np.zeros((N, T), dtype=int),
        mask=np.ones((3, 2)),
    )
    expect(
        losses.softmax_cross_entropy,
        r"^reduction: expected one of",
        logits=logits,
        y=np.zeros((N, T), dtype=int),
        reduction="avg",
    )
    expect(
        losses.mse_loss,
        re.escape("target: expected shape (A, B) = (2, 3), got (2, 2)"),
        pred=np.zeros((2, 3)),
        target=np.zeros((2, 2)),
    )


def test_wrapper_errors():
    p = rc.init_cell_params(D, H, "lstm", rng=0)
    expect(
        wrappers.bidirectional_forward,
        r"^params_bwd: expected a dict with keys 'Wx', 'Wh', 'b'",
        x=np.zeros((N, T, D)),
        params_fwd=p,
        params_bwd={"Wx": 1},
        cell="lstm",
    )
    expect(
        wrappers.bidirectional_forward,
        r"^cell: expected one of 'rnn', 'rnn_relu', 'lstm', 'gru', got 'transformer'",
        x=np.zeros((N, T, D)),
        params_fwd=p,
        params_bwd=p,
        cell="transformer",
    )
    expect(
        wrappers.stacked_forward,
        re.escape("layers[1]: Wx: expected shape (D, 4H) = (5, 20), got (4, 20)"),
        x=np.zeros((N, T, D)),
        layers=[p, p],
        cell="lstm",
    )


def test_optim_errors():
    params = {"W": np.zeros((2, 2))}
    expect(
        optim.SGD(0.1).step,
        re.escape("grads['W']: expected shape (2, 2) (the parameter's), got (2,)"),
        params=params,
        grads={"W": np.zeros(2)},
    )
    expect(optim.Adam().step, r"^grads: missing the gradient for parameter 'W'", params=params, grads={})
    expect(
        optim.Adam().step,
        r"^grads\['W'\]: non-finite values \(exploding gradients\? try clip_grad_norm\)",
        params=params,
        grads={"W": np.full((2, 2), np.inf)},
    )
    expect(optim.clip_grad_norm, r"^max_norm: expected a positive number, got -1", grads=params, max_norm=-1)
    expect(optim.clip_grad_value, r"^clip_value: expected a positive number", grads=params, clip_value=0)
    expect(optim.SGD, r"^lr: expected a positive learning rate, got 0", lr=0)
    expect(optim.Momentum, r"^momentum: expected a value in \[0, 1\)", lr=0.1, momentum=1.0)


def test_init_errors():
    from rnn_course import init

    expect(init.orthogonal, r"^shape: expected \(rows, columns\)", shape=(3,))
    expect(init.init_cell_params, r"^cell: expected one of", D=2, H=3, cell="mlp")
    expect(init.as_rng, r"^rng: expected a numpy Generator, an int seed or None, got str", rng="seed")
