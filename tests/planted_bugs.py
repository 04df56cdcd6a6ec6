"""Independent, loop-based backward passes for the RNN, LSTM and GRU, with planted bugs.

``<cell>_backward_variant(dh, cache, bug=None)`` re-implements BPTT one step
at a time from the forward cache, the way a student would write it. With
``bug=None`` it must agree with the package (a second, independent
implementation). Each named bug is a mistake students make; the tests check
that ``gradcheck`` flags it and points at the right input and time steps.

Every variant returns the gradients in the contract's order
(dx, dh0, dWx, dWh, db) as a dict keyed by input name.
"""

from __future__ import annotations

import numpy as np

T_AXIS = 1


def tm(a):
    """Time-major view (T, N, ...) of a batch-first cache array: this file loops over a[t]."""
    return a.transpose(1, 0, 2)


def _sig_grad(s):
    return s * (1.0 - s)


# --------------------------------------------------------------------------- RNN
RNN_BUGS = {
    # name: (what a student did, inputs the report must flag, time steps of x it must flag: "all", "last", "not_last")
    "tanh_grad_from_preactivation": ("tanh'(a) computed as 1 - a^2 instead of 1 - h^2", {"x", "Wx"}, "all"),
    "dh_prev_not_accumulated": (
        "the gradient from step t+1 is dropped: dh_t uses only the loss's dh[:, t]",
        {"x", "Wh"},
        "not_last",
    ),
    "missing_transpose_dh_prev": ("dh_prev = da @ Wh instead of da @ Wh.T", {"x", "Wh"}, "not_last"),
    "bias_not_summed_over_batch": ("db = da.sum over time only, keeping the batch axis", {"b"}, None),
    "last_step_skipped": ("the loop starts at T-2", {"x", "Wx"}, "last"),
    "dWh_uses_h_t": ("dWh accumulates h_t^T da_t instead of h_{t-1}^T da_t", {"Wh"}, None),
}


def rnn_backward_variant(dh, cache, bug=None):
    x, h0, h, Wx, Wh = tm(cache.x), cache.h0, tm(cache.h), cache.Wx, cache.Wh
    T, N, D = x.shape
    H = h0.shape[1]
    dh = dh.transpose(1, 0, 2)
    dx = np.zeros((T, N, D))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(H)
    db_per_example = np.zeros((N, H))
    carry = np.zeros((N, H))
    start = T - 2 if bug == "last_step_skipped" else T - 1
    for t in range(start, -1, -1):
        h_prev = h0 if t == 0 else h[t - 1]
        g = dh[t] if bug == "dh_prev_not_accumulated" else dh[t] + carry
        if bug == "tanh_grad_from_preactivation":
            a = np.arctanh(h[t])  # the pre-activation
            da = g * (1.0 - a * a)
        else:
            da = g * (1.0 - h[t] ** 2)
        dx[t] = da @ Wx.T
        dWx += x[t].T @ da
        dWh += (h[t] if bug == "dWh_uses_h_t" else h_prev).T @ da
        db += da.sum(axis=0)
        db_per_example += da
        carry = da @ (Wh if bug == "missing_transpose_dh_prev" else Wh.T)
    if bug == "bias_not_summed_over_batch":
        db = db_per_example
    return dict(x=dx.transpose(1, 0, 2), h0=carry, Wx=dWx, Wh=dWh, b=db)


# --------------------------------------------------------------------------- LSTM
LSTM_BUGS = {
    "input_forget_swapped": (
        "the gradients of the i and f blocks are written to each other's columns",
        {"Wx", "Wh", "b"},
        None,
    ),
    "dc_prev_without_forget": ("dc_prev = dc instead of dc * f", {"x", "h0"}, "not_last"),
    "h_path_missing_from_dc": ("dc ignores the path through h = o * tanh(c)", {"x", "Wx"}, "all"),
    "tanh_grad_of_c_from_c": ("tanh'(c) computed as 1 - c^2", {"x", "Wx"}, "all"),
    "dh_prev_not_accumulated": ("the gradient from step t+1 is dropped from dh_t", {"x", "Wh"}, "not_last"),
    "bias_not_summed_over_batch": ("db keeps the batch axis", {"b"}, None),
    "dWx_transposed": ("dWx = da^T x (shape (4H, D)) instead of x^T da", {"Wx"}, None),
}


def lstm_backward_variant(dh, cache, bug=None):
    x, h0, c0, h, c, gates = tm(cache.x), cache.h0, cache.c0, tm(cache.h), tm(cache.c), tm(cache.gates)
    tanh_c = np.tanh(c)
    Wx, Wh = cache.Wx, cache.Wh
    T, N, D = x.shape
    H = h0.shape[1]
    dh = dh.transpose(1, 0, 2)
    dx = np.zeros((T, N, D))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(4 * H)
    db_per_example = np.zeros((N, 4 * H))
    dh_carry, dc_carry = np.zeros((N, H)), np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        h_prev = h0 if t == 0 else h[t - 1]
        c_prev = c0 if t == 0 else c[t - 1]
        i, f, g, o = (gates[t][:, k * H : (k + 1) * H] for k in range(4))
        g_h = dh[t] if bug == "dh_prev_not_accumulated" else dh[t] + dh_carry
        if bug == "h_path_missing_from_dc":
            dc = dc_carry.copy()
        elif bug == "tanh_grad_of_c_from_c":
            dc = dc_carry + g_h * o * (1.0 - c[t] ** 2)
        else:
            dc = dc_carry + g_h * o * (1.0 - tanh_c[t] ** 2)
        da_i = dc * g * _sig_grad(i)
        da_f = dc * c_prev * _sig_grad(f)
        da_g = dc * i * (1.0 - g * g)
        da_o = g_h * tanh_c[t] * _sig_grad(o)
        if bug == "input_forget_swapped":
            da_i, da_f = da_f, da_i
        da = np.concatenate([da_i, da_f, da_g, da_o], axis=1)
        dx[t] = da @ Wx.T
        dWx += x[t].T @ da
        dWh += h_prev.T @ da
        db += da.sum(axis=0)
        db_per_example += da
        dh_carry = da @ Wh.T
        dc_carry = dc if bug == "dc_prev_without_forget" else dc * f
    if bug == "bias_not_summed_over_batch":
        db = db_per_example
    if bug == "dWx_transposed":
        dWx = dWx.T
    return dict(x=dx.transpose(1, 0, 2), h0=dh_carry, Wx=dWx, Wh=dWh, b=db)


# --------------------------------------------------------------------------- GRU
GRU_BUGS = {
    "reset_after_product": (
        "backward treats n as tanh(x Wx_n + r * (h_prev Wh_n) + b_n) (PyTorch's variant)",
        {"Wh"},
        None,
    ),
    "update_gate_sign": ("dz uses (n - h_prev) instead of (h_prev - n)", {"x", "Wx"}, "all"),
    "direct_path_missing": ("dh_prev misses the direct term z * dh", {"x", "h0"}, "not_last"),
    "dWh_n_uses_h_prev": ("dWh_n accumulates h_prev^T da_n instead of (r * h_prev)^T da_n", {"Wh"}, None),
    "last_step_skipped": ("the loop starts at T-2", {"x", "Wx"}, "last"),
    "dh_prev_not_accumulated": ("the gradient from step t+1 is dropped from dh_t", {"x", "Wh"}, "not_last"),
}


def gru_backward_variant(dh, cache, bug=None):
    x, h0, h, gates, Wx, Wh = tm(cache.x), cache.h0, tm(cache.h), tm(cache.gates), cache.Wx, cache.Wh
    T, N, D = x.shape
    H = h0.shape[1]
    Wh_rz, Wh_n = Wh[:, : 2 * H], Wh[:, 2 * H :]
    dh = dh.transpose(1, 0, 2)
    dx = np.zeros((T, N, D))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(3 * H)
    carry = np.zeros((N, H))
    start = T - 2 if bug == "last_step_skipped" else T - 1
    for t in range(start, -1, -1):
        h_prev = h0 if t == 0 else h[t - 1]
        r, z, n = (gates[t][:, k * H : (k + 1) * H] for k in range(3))
        g = dh[t] if bug == "dh_prev_not_accumulated" else dh[t] + carry
        da_n = g * (1.0 - z) * (1.0 - n * n)
        if bug == "reset_after_product":
            hWn = h_prev @ Wh_n
            d_r = da_n * hWn
            dh_prev = (da_n * r) @ Wh_n.T
            dWh_n = h_prev.T @ (da_n * r)
        else:
            d_rh = da_n @ Wh_n.T
            d_r = d_rh * h_prev
            dh_prev = d_rh * r
            dWh_n = (h_prev if bug == "dWh_n_uses_h_prev" else r * h_prev).T @ da_n
        da_r = d_r * _sig_grad(r)
        sign = -1.0 if bug == "update_gate_sign" else 1.0
        da_z = g * sign * (h_prev - n) * _sig_grad(z)
        if bug != "direct_path_missing":
            dh_prev = dh_prev + g * z
        da_rz = np.concatenate([da_r, da_z], axis=1)
        dh_prev = dh_prev + da_rz @ Wh_rz.T
        da = np.concatenate([da_r, da_z, da_n], axis=1)
        dx[t] = da @ Wx.T
        dWx += x[t].T @ da
        dWh[:, : 2 * H] += h_prev.T @ da_rz
        dWh[:, 2 * H :] += dWh_n
        db += da.sum(axis=0)
        carry = dh_prev
    return dict(x=dx.transpose(1, 0, 2), h0=carry, Wx=dWx, Wh=dWh, b=db)
