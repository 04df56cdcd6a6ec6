"""The peephole and CIFG LSTMs (rnn_course.lstm_variants), their regressors and the LSTM without a forget gate
(rnn_course.models.lstm_variants), and the GRU update-gate bias."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course import gradcheck
from rnn_course.activations import sigmoid
from rnn_course.cells import gru_forward, lstm_forward
from rnn_course.init import gru_update_bias, init_cell_params, lstm_forget_bias
from rnn_course.lstm_variants import (
    CIFGCache,
    CIFGStepCache,
    PeepholeCache,
    PeepholeStepCache,
    cifg_lstm_backward,
    cifg_lstm_forward,
    cifg_lstm_step_backward,
    cifg_lstm_step_forward,
    peephole_lstm_backward,
    peephole_lstm_forward,
    peephole_lstm_step_backward,
    peephole_lstm_step_forward,
)
from rnn_course.models import (
    CIFGLSTMRegressor,
    NoForgetLSTMRegressor,
    PeepholeLSTMRegressor,
    SequenceRegressor,
    load_model,
)
from rnn_course.models.lstm_variants import FORGET_PIN
from rnn_course.optim import Adam
from rnn_course.tasks.adding import adding_data
from rnn_course.train import fit

N, T, D, H = 3, 5, 4, 3


def _peephole_args(rng, scale=0.5):
    return dict(Wx=scale * rng.standard_normal((D, 4 * H)), Wh=scale * rng.standard_normal((H, 4 * H)),
                b=scale * rng.standard_normal(4 * H), peep=rng.standard_normal(3 * H))


def _cifg_args(rng, scale=0.5):
    return dict(Wx=scale * rng.standard_normal((D, 3 * H)), Wh=scale * rng.standard_normal((H, 3 * H)),
                b=scale * rng.standard_normal(3 * H))


# -- gradient checks (float64) ------------------------------------------------------------------------


def test_peephole_sequence_backward_gradcheck(rng):
    x, h0, c0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    p = _peephole_args(rng)
    dout = rng.standard_normal((N, T, H))
    _, cache = peephole_lstm_forward(x, h0, p["Wx"], p["Wh"], p["b"], p["peep"], c0=c0)
    g = peephole_lstm_backward(dout, cache)
    assert g.names == ("dx", "dh0", "dWx", "dWh", "db", "dpeep")
    report = gradcheck(lambda x, h0, c0, Wx, Wh, b, peep: peephole_lstm_forward(x, h0, Wx, Wh, b, peep, c0=c0)[0],
                       {"x": x, "h0": h0, "c0": c0, **p},
                       {"x": g.dx, "h0": g.dh0, "c0": g.dc0, "Wx": g.dWx, "Wh": g.dWh, "b": g.db, "peep": g.dpeep},
                       dout=dout, tol=1e-7)
    assert report.ok, str(report)


def test_peephole_step_backward_gradcheck(rng):
    x, h_prev, c_prev = rng.standard_normal((N, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    p = _peephole_args(rng)
    dh, dc = rng.standard_normal((N, H)), rng.standard_normal((N, H))
    _, _, cache = peephole_lstm_step_forward(x, h_prev, c_prev, p["Wx"], p["Wh"], p["b"], p["peep"])
    assert isinstance(cache, PeepholeStepCache)
    g = peephole_lstm_step_backward(dh, dc, cache)

    def fn(x, h_prev, c_prev, Wx, Wh, b, peep):
        h, c, _ = peephole_lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b, peep)
        return h, c

    report = gradcheck(fn, {"x": x, "h_prev": h_prev, "c_prev": c_prev, **p},
                       {"x": g.dx, "h_prev": g.dh_prev, "c_prev": g.dc_prev, "Wx": g.dWx, "Wh": g.dWh, "b": g.db,
                        "peep": g.dpeep}, dout=(dh, dc), tol=1e-7)
    assert report.ok, str(report)


def test_cifg_sequence_backward_gradcheck(rng):
    x, h0, c0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    p = _cifg_args(rng)
    dout = rng.standard_normal((N, T, H))
    _, cache = cifg_lstm_forward(x, h0, p["Wx"], p["Wh"], p["b"], c0=c0)
    g = cifg_lstm_backward(dout, cache)
    assert g.names == ("dx", "dh0", "dWx", "dWh", "db")
    report = gradcheck(lambda x, h0, c0, Wx, Wh, b: cifg_lstm_forward(x, h0, Wx, Wh, b, c0=c0)[0],
                       {"x": x, "h0": h0, "c0": c0, **p},
                       {"x": g.dx, "h0": g.dh0, "c0": g.dc0, "Wx": g.dWx, "Wh": g.dWh, "b": g.db},
                       dout=dout, tol=1e-7)
    assert report.ok, str(report)


def test_cifg_step_backward_gradcheck(rng):
    x, h_prev, c_prev = rng.standard_normal((N, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    p = _cifg_args(rng)
    dh, dc = rng.standard_normal((N, H)), rng.standard_normal((N, H))
    _, _, cache = cifg_lstm_step_forward(x, h_prev, c_prev, p["Wx"], p["Wh"], p["b"])
    assert isinstance(cache, CIFGStepCache)
    g = cifg_lstm_step_backward(dh, dc, cache)

    def fn(x, h_prev, c_prev, Wx, Wh, b):
        h, c, _ = cifg_lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b)
        return h, c

    report = gradcheck(fn, {"x": x, "h_prev": h_prev, "c_prev": c_prev, **p},
                       {"x": g.dx, "h_prev": g.dh_prev, "c_prev": g.dc_prev, "Wx": g.dWx, "Wh": g.dWh, "b": g.db},
                       dout=(dh, dc), tol=1e-7)
    assert report.ok, str(report)


# -- what the cells compute ---------------------------------------------------------------------------


def test_peephole_with_zero_peepholes_is_the_standard_lstm(rng):
    x, h0, c0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    p = _peephole_args(rng)
    h_peep, cache = peephole_lstm_forward(x, h0, p["Wx"], p["Wh"], p["b"], np.zeros(3 * H), c0=c0)
    h_lstm, _ = lstm_forward(x, h0, p["Wx"], p["Wh"], p["b"], c0=c0)
    np.testing.assert_allclose(h_peep, h_lstm, atol=1e-13)
    assert isinstance(cache, PeepholeCache) and cache.c.shape == (N, T, H)
    assert cache.i.shape == cache.f.shape == cache.g.shape == cache.o.shape == (N, T, H)


def test_peephole_gates_read_the_cell_state(rng):
    """i and f see c_{t-1}, o sees c_t: the equations of the module docstring, one step by hand."""
    x, h_prev, c_prev = rng.standard_normal((N, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    p = _peephole_args(rng)
    h, c, cache = peephole_lstm_step_forward(x, h_prev, c_prev, p["Wx"], p["Wh"], p["b"], p["peep"])
    a = x @ p["Wx"] + h_prev @ p["Wh"] + p["b"]
    p_i, p_f, p_o = np.split(p["peep"], 3)
    i = sigmoid(a[:, :H] + p_i * c_prev)
    f = sigmoid(a[:, H : 2 * H] + p_f * c_prev)
    g = np.tanh(a[:, 2 * H : 3 * H])
    c_want = f * c_prev + i * g
    o = sigmoid(a[:, 3 * H :] + p_o * c_want)
    np.testing.assert_allclose(c, c_want, atol=1e-14)
    np.testing.assert_allclose(h, o * np.tanh(c_want), atol=1e-14)
    for name, want in (("i", i), ("f", f), ("g", g), ("o", o)):
        np.testing.assert_allclose(getattr(cache, name), want, atol=1e-14, err_msg=name)


def test_cifg_forgets_what_it_writes(rng):
    x, h0, c0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    p = _cifg_args(rng)
    h, cache = cifg_lstm_forward(x, h0, p["Wx"], p["Wh"], p["b"], c0=c0)
    assert isinstance(cache, CIFGCache)
    i, g, o = cache.i, cache.g, cache.o
    np.testing.assert_array_equal(cache.f, 1 - i)
    c_prev = np.concatenate([c0[:, None], cache.c[:, :-1]], axis=1)
    np.testing.assert_allclose(cache.c, (1 - i) * c_prev + i * g, atol=1e-14)  # f = 1 - i
    np.testing.assert_allclose(h, o * np.tanh(cache.c), atol=1e-14)


@pytest.mark.parametrize("variant", ["peephole", "cifg"])
def test_sequence_agrees_with_steps(variant, rng):
    x = rng.standard_normal((N, T, D))
    if variant == "peephole":
        p = _peephole_args(rng)
        h_seq, cache = peephole_lstm_forward(x, None, **{k: p[k] for k in ("Wx", "Wh", "b", "peep")})
        step = lambda xt, h, c: peephole_lstm_step_forward(xt, h, c, p["Wx"], p["Wh"], p["b"], p["peep"])  # noqa: E731
    else:
        p = _cifg_args(rng)
        h_seq, cache = cifg_lstm_forward(x, None, p["Wx"], p["Wh"], p["b"])
        step = lambda xt, h, c: cifg_lstm_step_forward(xt, h, c, p["Wx"], p["Wh"], p["b"])  # noqa: E731
    h, c = np.zeros((N, H)), np.zeros((N, H))
    for t in range(T):
        h, c, _ = step(x[:, t], h, c)
        np.testing.assert_allclose(h_seq[:, t], h, atol=1e-14)
        np.testing.assert_allclose(cache.c[:, t], c, atol=1e-14)


# -- argument checks -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda r: peephole_lstm_forward(r.standard_normal((N, D)), None, **_peephole_args(r)),
         r"^x: expected a 3-D array of shape \(N, T, D\)"),
        (lambda r: peephole_lstm_forward(r.standard_normal((N, T, D)), None, **{**_peephole_args(r),
                                                                             "peep": np.zeros(4 * H)}),
         r"^peep: expected shape \(3H,\) = \(9,\), got \(12,\) \(peephole weights p_i, p_f, p_o\)"),
        (lambda r: peephole_lstm_forward(r.standard_normal((N, T, D)), None, **{**_peephole_args(r),
                                                                             "Wx": np.zeros((D, 3 * H))}),
         r"^Wx: expected shape \(D, 4H\) = \(4, 12\), got \(4, 9\) \(peephole LSTM gate blocks i, f, g, o\)"),
        (lambda r: peephole_lstm_forward(r.standard_normal((N, T, D)), None, **{**_peephole_args(r), "peep": None}),
         r"^peep: expected an array, got None"),
        (lambda r: cifg_lstm_forward(r.standard_normal((N, T, D)), np.zeros((N, H + 1)), **_cifg_args(r)),
         r"^h0: expected shape \(N, H\) = \(3, 3\), got \(3, 4\)"),
        (lambda r: cifg_lstm_forward(r.standard_normal((N, T, D)), None, **_cifg_args(r), c0=np.zeros((2, H))),
         r"^c0: expected shape \(N, H\) = \(3, 3\), got \(2, 3\)"),
        (lambda r: cifg_lstm_forward(r.standard_normal((N, T, D)), None, **{**_cifg_args(r),
                                                                         "Wh": np.zeros((H, 4 * H))}),
         r"^Wh: expected shape \(H, 3H\).*\(CIFG gate blocks i, g, o\)"),
        (lambda r: cifg_lstm_step_forward(np.full((N, D), np.nan), None, None, **_cifg_args(r)),
         r"^x: expected finite"),
        (lambda r: cifg_lstm_backward(np.zeros((N, T, H)), "cache"), r"^cache: expected the CIFGCache"),
        (lambda r: peephole_lstm_backward(np.zeros((N, T + 1, H)),
                                          peephole_lstm_forward(r.standard_normal((N, T, D)), None,
                                                                **_peephole_args(r))[1]),
         r"^dh: expected shape \(N, T, H\) = \(3, 5, 3\), got \(3, 6, 3\)"),
        (lambda r: peephole_lstm_step_backward(np.zeros((N, H)), np.zeros((N, H + 1)),
                                               peephole_lstm_step_forward(r.standard_normal((N, D)), None, None,
                                                                          **_peephole_args(r))[2]),
         r"^dc: expected shape \(N, H\)"),
    ],
)
def test_bad_arguments_say_which_and_what_shape(call, message, rng):
    with pytest.raises(ValueError, match=message):
        call(rng)


# -- the regressors --------------------------------------------------------------------------------------


def _loss_gradcheck(model, rng):
    x, y = rng.standard_normal((3, 6, 2)), rng.standard_normal(3)
    _, grads = model.loss((x, y))
    assert set(grads) == set(model.params)

    def fn(**params):
        saved = dict(model.params)
        model.params.update(params)
        try:
            return model.loss((x, y))[0]
        finally:
            model.params.update(saved)

    report = gradcheck(fn, dict(model.params), grads, tol=1e-7)
    assert report.ok, str(report)


def test_peephole_regressor_starts_as_the_lstm_and_its_gradients_check(rng):
    model, lstm = PeepholeLSTMRegressor(2, 5, seed=3), SequenceRegressor(2, 5, cell="lstm", seed=3)
    assert list(model.params) == ["Wx", "Wh", "b", "peep", "W_out", "b_out"]
    assert model.num_params == lstm.num_params + 15 and not model.params["peep"].any()
    x = rng.standard_normal((4, 7, 2))
    np.testing.assert_allclose(model.predict(x), lstm.predict(x), atol=1e-13)
    model.params["peep"] = rng.standard_normal(15)  # check the peephole gradients away from 0
    _loss_gradcheck(model, rng)


def test_cifg_regressor_keeps_the_lstm_i_g_o_blocks_and_its_gradients_check(rng):
    H_ = 5
    model, lstm = CIFGLSTMRegressor(2, H_, seed=3), SequenceRegressor(2, H_, cell="lstm", seed=3)
    keep = np.r_[0:H_, 2 * H_ : 4 * H_]
    np.testing.assert_array_equal(model.params["Wx"], lstm.params["Wx"][:, keep])
    np.testing.assert_array_equal(model.params["Wh"], lstm.params["Wh"][:, keep])
    np.testing.assert_array_equal(model.params["b"][:H_], -1.0)  # f = 1 - i starts at sigmoid(1), like the LSTM's
    np.testing.assert_array_equal(model.params["W_out"], lstm.params["W_out"])
    assert model.num_params == lstm.num_params - (2 * H_ + H_ * H_ + H_)  # one block of Wx, Wh and b fewer
    assert np.all(CIFGLSTMRegressor(2, H_, forget_bias=0.0, seed=3).params["b"][:H_] == 0)
    _loss_gradcheck(model, rng)


@pytest.mark.parametrize("cls", [PeepholeLSTMRegressor, CIFGLSTMRegressor])
def test_variant_regressors_train_save_and_load(cls, tmp_path, rng):
    model = cls(2, 4, seed=1)
    history = fit(model, adding_data(8, 16), steps=30, optimizer=Adam(0.02), progress=False, seed=0)
    assert not history.stopped and history.loss[-1] < history.loss[0]
    loaded = load_model(model.save(tmp_path / "variant"))
    assert type(loaded) is cls and loaded.config == model.config
    x = rng.standard_normal((2, 8, 2))
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


# -- the GRU update-gate bias --------------------------------------------------------------------------------


def test_gru_update_bias_sets_the_z_block_like_the_forget_bias_sets_f():
    np.testing.assert_array_equal(gru_update_bias(3, 1.5), [0, 0, 0, 1.5, 1.5, 1.5, 0, 0, 0])
    np.testing.assert_array_equal(lstm_forget_bias(3, 1.5)[3:6], gru_update_bias(3, 1.5)[3:6])
    with pytest.raises(ValueError, match="^H:"):
        gru_update_bias(0)
    p = init_cell_params(2, 3, "gru", update_bias=2.0, rng=0)
    np.testing.assert_array_equal(p["b"], gru_update_bias(3, 2.0))
    assert not init_cell_params(2, 3, "gru", rng=0)["b"].any()  # default 0, as before
    assert not init_cell_params(2, 3, "lstm", update_bias=2.0, forget_bias=0.0, rng=0)["b"].any()  # GRU only


def test_gru_update_bias_starts_z_high_and_keeps_the_rest_of_the_init(rng):
    with_bias, without = (SequenceRegressor(2, 8, cell="gru", update_bias=v, seed=0) for v in (1.0, 0.0))
    for name in ("Wx", "Wh", "W_out"):
        np.testing.assert_array_equal(with_bias.params[name], without.params[name])
    assert with_bias.config["update_bias"] == 1.0
    x = rng.random((16, 20, 2))
    z = {}
    for label, model in (("bias", with_bias), ("none", without)):
        p = model.params
        _, cache = gru_forward(x, None, p["Wx"], p["Wh"], p["b"])
        z[label] = cache.gates[..., 8:16].mean()
    assert abs(z["none"] - 0.5) < 0.1 and abs(z["bias"] - sigmoid(1.0)) < 0.1


def test_no_forget_lstm_pins_f_to_exactly_one(rng):
    model = NoForgetLSTMRegressor(2, 5, seed=0)
    H = 5
    p = model.params
    assert np.all(p["Wx"][:, H : 2 * H] == 0) and np.all(p["Wh"][:, H : 2 * H] == 0)
    assert np.all(p["b"][H : 2 * H] == FORGET_PIN)
    x = 3 * rng.standard_normal((4, 9, 2))
    _, cache = lstm_forward(x, None, p["Wx"], p["Wh"], p["b"])
    assert np.all(cache.f == 1.0)  # exactly, not approximately
    c_prev = np.concatenate([np.zeros((4, 1, H)), cache.c[:, :-1]], axis=1)
    np.testing.assert_array_equal(cache.c, c_prev + cache.i * cache.g)  # the 1997 cell: a pure integrator
    # everything else is an ordinary LSTM regressor with the same seed
    other = SequenceRegressor(2, 5, cell="lstm", seed=0)
    keep = np.ones(4 * H, dtype=bool)
    keep[H : 2 * H] = False
    np.testing.assert_array_equal(p["Wx"][:, keep], other.params["Wx"][:, keep])
    np.testing.assert_array_equal(p["W_out"], other.params["W_out"])


def test_no_forget_lstm_gradients_and_training_keep_the_pin(rng):
    model = NoForgetLSTMRegressor(2, 3, seed=1)
    H = 3
    x, y = rng.standard_normal((3, 5, 2)), rng.standard_normal(3)
    _, grads = model.loss((x, y))
    for name in ("Wx", "Wh"):
        assert np.all(grads[name][:, H : 2 * H] == 0)
        assert np.any(grads[name][:, :H] != 0)
    assert np.all(grads["b"][H : 2 * H] == 0)

    def fn(**params):
        saved = dict(model.params)
        model.params.update(params)
        try:
            return model.loss((x, y))[0]
        finally:
            model.params.update(saved)

    report = gradcheck(fn, dict(model.params), grads, tol=1e-7)
    assert report.ok, str(report)  # the numerical gradient of the pinned block is 0 too: f'(40) = 0
    pinned = model.params["b"][H : 2 * H].copy()
    fit(model, adding_data(5, 8), steps=20, optimizer=Adam(0.05), progress=False, seed=0)
    np.testing.assert_array_equal(model.params["b"][H : 2 * H], pinned)
    assert np.all(model.params["Wh"][:, H : 2 * H] == 0)


def test_no_forget_lstm_save_and_load(tmp_path, rng):
    model = NoForgetLSTMRegressor(2, 4, seed=3)
    fit(model, adding_data(6, 8), steps=5, progress=False, seed=0)
    path = model.save(tmp_path / "no_forget")
    loaded = load_model(path)
    assert type(loaded) is NoForgetLSTMRegressor
    x = rng.standard_normal((2, 6, 2))
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert loaded.config == {"D": 2, "H": 4, "K": 1, "recurrent_init": "orthogonal", "scale": 1.0, "seed": 3}
