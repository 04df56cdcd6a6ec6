# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "skip"} tags=["colab"]
# **[Open in Colab](https://colab.research.google.com/github/rnn-course/rnn-course/blob/main/notebooks/02_backpropagation_through_time.ipynb)**: run this notebook in Google Colab, nothing to install.

# %% slideshow={"slide_type": "skip"} tags=["colab"]
# On Google Colab this installs the course (about a minute); anywhere else it does nothing.
import sys

if "google.colab" in sys.modules:
    import importlib
    import subprocess

    pip = [sys.executable, "-m", "pip", "install", "--quiet"]
    # --no-deps: keep Colab's own ipywidgets, the version its sliders work with
    subprocess.run([*pip, "--no-deps", "rnn-course @ git+https://github.com/rnn-course/rnn-course@main"], check=True)
    subprocess.run([*pip, "numpy>=1.24", "matplotlib>=3.7", "tqdm>=4.60", "threadpoolctl>=3.1"], check=True)
    importlib.invalidate_caches()

# %% [markdown] slideshow={"slide_type": "slide"}
# # 02 · Backpropagation through time
#
# **What you will learn**
# - the loss of a sequence, $L = \sum_t L_t$, and the derivation of every gradient of an RNN, step by step,
#   including the product of Jacobians $J_t J_{t-1} \cdots J_{k+1}$ with $J_j = \partial h_j / \partial h_{j-1}$;
# - why the gradients of the shared weights are **sums** over the unrolled copies (checked numerically);
# - the same derivation as code: one loop from $t = T$ down to 1;
# - how to check a backward pass with the gradient checker, and how to read its report to find a bug;
# - the initial state $h_0$ as a parameter: its gradient, checked, and whether learning it helps;
# - where the gradient goes: each step's contribution to $\partial L / \partial W_h$, and how much of
#   $L_T$'s gradient reaches each earlier state;
# - truncated BPTT: its two forms, how fast each one's error falls with the truncation length, what it saves, and
#   what it removes.
#
# **Prerequisites**: lesson 01; the chain rule for vectors (a Jacobian is the matrix of partial derivatives);
# softmax and cross-entropy.
#
# **Time**: about 90 minutes.

# %% slideshow={"slide_type": "skip"}
# %matplotlib inline
import time

import numpy as np

from rnn_course import (
    Adam,
    gradcheck,
    gradcheck_layer,
    mse_loss,
    numerical_gradient,
    rel_error,
    rnn_backward,
    rnn_forward,
    softmax_cross_entropy,
    use_blas_threads,
)
from rnn_course.demos import bptt_demo
from rnn_course.gradient_flow import count_backward_steps, dWh_contributions, truncation_mask
from rnn_course.init import init_cell_params, orthogonal, xavier_normal
from rnn_course.layers import temporal_affine_backward, temporal_affine_forward
from rnn_course.plots import (
    new_figure,
    plot_contribution_matrix,
    plot_copy_contributions,
    plot_gradcheck,
    plot_gradient_reaching,
    plot_truncation,
    plot_truncation_masks,
    plot_unrolled,
)
from rnn_course.tasks.counter import counter_batch

# One BLAS thread for numpy's matrix products: an RNN multiplies small matrices one step at a time,
# and a second thread costs more than it saves (the docstring of rnn_course.blas says why).
use_blas_threads(1)

np.set_printoptions(precision=4, suppress=True)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The model and its loss
#
# The RNN of lesson 01 with an output at every step, scored by cross-entropy at every step:
#
# $$
# \begin{aligned}
# a_t &= x_t W_x + h_{t-1} W_h + b, & h_t &= \tanh(a_t), & t &= 1, \dots, T,\\
# z_t &= h_t W_y + b_y, & \hat y_t &= \operatorname{softmax}(z_t), & L_t &= -\log \hat y_t[y_t],
# \end{aligned}
# \qquad L = \sum_{t=1}^{T} L_t ,
# $$
#
# with $h_0$ given ($h_0 = 0$ until section 5). The unrolled graph, with the backward pass drawn in red: every
# loss $L_t$ sends gradient down to $h_t$, and from there back through all the earlier steps.

# %% slideshow={"slide_type": "subslide"}
plot_unrolled(4, loss=True, backward=True, title="BPTT: gradients flow back along every path")

# %% [markdown] slideshow={"slide_type": "subslide"}
# A small problem we will use throughout: 3 sequences of 6 steps, 4 inputs, 5 hidden units, 3 classes.

# %%
rng = np.random.default_rng(0)
N, T, D, H, V = 3, 6, 4, 5, 3
x = rng.standard_normal((N, T, D))
y = rng.integers(0, V, size=(N, T))
params = {
    "Wx": xavier_normal((D, H), rng=rng),
    "Wh": orthogonal((H, H), rng=rng),
    "b": 0.1 * rng.standard_normal(H),
    "Wy": xavier_normal((H, V), rng=rng),
    "by": np.zeros(V),
}


def model_loss(x, Wx, Wh, b, Wy, by, y=y):
    """L = sum over every sequence and step of -log y_hat_t[y_t]."""
    h, _ = rnn_forward(x, None, Wx, Wh, b)
    z, _ = temporal_affine_forward(h, Wy, by)
    return softmax_cross_entropy(z, y, reduction="sum")[0]


L_start, chance = model_loss(x, **params), N * T * np.log(V)
print(f"L = {L_start:.4f}  (chance level: N T log V = {chance:.4f}; "
      f"with W_y = 0, L = {model_loss(x, **{**params, 'Wy': np.zeros((H, V))}):.4f})")

# %% [markdown] slideshow={"slide_type": "fragment"}
# "Chance" is the loss of predicting $1/V$ for every class, $\log V$ per step. The untrained net is above it because
# its random scores are not all equal and know nothing about the labels: for labels independent of the
# predictions, cross-entropy is smallest, $\log V$, when the predictions are uniform (set $W_y = 0$ and it is exactly
# chance), so any confident guess costs more.

# %% slideshow={"slide_type": "skip"}
assert np.isclose(model_loss(x, **{**params, "Wy": np.zeros((H, V))}), chance, rtol=1e-12)
assert chance < L_start < 1.5 * chance  # above chance, but not far

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Deriving every gradient
#
# Gradients are **row vectors** shaped like what they differentiate: $\delta h_t = \partial L / \partial h_t$
# is $(1, H)$ like $h_t$. We write one sequence; a batch just adds rows, and the parameter gradients add up over
# them.
#
# ### 2.1 The output layer
#
# $L_t = -z_t[y_t] + \log \sum_j e^{z_t[j]}$, so $\partial L_t / \partial z_t[j] = \hat y_t[j] - [j = y_t]$:
#
# $$
# \delta z_t \;=\; \frac{\partial L}{\partial z_t} \;=\; \hat y_t - \operatorname{onehot}(y_t) \qquad (1, V).
# $$
#
# $z_t = h_t W_y + b_y$ uses the same $W_y, b_y$ at every step, so
#
# $$
# \frac{\partial L}{\partial W_y} = \sum_{t=1}^{T} h_t^\top\, \delta z_t \quad (H, V), \qquad
# \frac{\partial L}{\partial b_y} = \sum_{t=1}^{T} \delta z_t, \qquad
# \frac{\partial L_t}{\partial h_t} = \delta z_t\, W_y^\top \quad (1, H).
# $$

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 2.2 The hidden states: gradient from now and from the future
#
# $h_t$ affects $L$ along two paths: directly through $L_t$, and through $a_{t+1}$ (hence $h_{t+1}$ and every
# later loss). Adding the two paths:
#
# $$
# \delta h_t \;=\; \frac{\partial L}{\partial h_t}
# \;=\; \underbrace{\delta z_t\, W_y^\top}_{\text{from } L_t}
# \;+\; \underbrace{\delta a_{t+1}\, W_h^\top}_{\text{from } L_{t+1}, \dots, L_T},
# \qquad \delta a_{T+1} = 0,
# $$
#
# and through the nonlinearity ($\tanh' (a) = 1 - \tanh^2(a)$, written with the output we already have):
#
# $$
# \delta a_t \;=\; \frac{\partial L}{\partial a_t} \;=\; \delta h_t \odot \left(1 - h_t^2\right).
# $$
#
# This pair of equations is all of BPTT: start at $t = T$ and walk back.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 2.3 The parameters and the inputs
#
# $a_t = x_t W_x + h_{t-1} W_h + b$ uses $W_x, W_h, b$ at every step, so their gradients are sums over the steps:
#
# $$
# \frac{\partial L}{\partial W_h} = \sum_{t=1}^{T} h_{t-1}^\top\, \delta a_t \quad (H, H), \qquad
# \frac{\partial L}{\partial W_x} = \sum_{t=1}^{T} x_t^\top\, \delta a_t \quad (D, H), \qquad
# \frac{\partial L}{\partial b} = \sum_{t=1}^{T} \delta a_t ,
# $$
#
# $$
# \frac{\partial L}{\partial x_t} = \delta a_t\, W_x^\top \quad (1, D), \qquad
# \frac{\partial L}{\partial h_0} = \delta a_1\, W_h^\top .
# $$
#
# Note $h_{t-1}$, not $h_t$, in $\partial L/\partial W_h$: $W_h$ multiplies the *previous* state.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 2.4 The product of Jacobians
#
# Unroll the recursion of 2.2. One step back multiplies by the Jacobian of $h_j$ with respect to $h_{j-1}$, the
# matrix of $\partial h_{j,i} / \partial h_{j-1,m}$:
#
# $$
# J_j = \frac{\partial h_j}{\partial h_{j-1}} = \operatorname{diag}\!\left(1 - h_j^2\right) W_h^\top \quad (H, H),
# \qquad\text{so}\qquad
# \frac{\partial L_t}{\partial h_k} = \frac{\partial L_t}{\partial h_t}\,
# \prod_{j=t}^{k+1} J_j
# = \frac{\partial L_t}{\partial h_t}\, J_t J_{t-1} \cdots J_{k+1}
# $$
#
# (the product runs from the latest step on the left to the earliest on the right). Putting it into 2.3 gives the
# form you will meet in papers: every loss $L_t$ reaches every earlier copy $k \le t$, through $t - k$ Jacobians,
#
# $$
# \frac{\partial L}{\partial W_h} = \sum_{t=1}^{T} \sum_{k=1}^{t}
# \underbrace{h_{k-1}^\top \left[\left(\frac{\partial L_t}{\partial h_t}
# \prod_{j=t}^{k+1} J_j\right) \odot \left(1 - h_k^2\right)\right]}_{G[t,\,k]:\ L_t \text{ through copy } k}.
# $$
#
# A product of $t-k$ matrices can shrink or grow exponentially in $t - k$: that is lesson 03.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 2.5 Why the gradients of shared weights are summed
#
# Pretend every step has its own copy $W_h^{(k)}$, all equal to $W_h$. $L$ depends on $W_h$ only through the copies,
# so by the chain rule
#
# $$
# \frac{\partial L}{\partial W_h} = \sum_{k=1}^{T} \frac{\partial L}{\partial W_h^{(k)}}\,
# \underbrace{\frac{\partial W_h^{(k)}}{\partial W_h}}_{= \text{identity}}
# = \sum_{k=1}^{T} \frac{\partial L}{\partial W_h^{(k)}} .
# $$
#
# Checked with numbers: run the net with **untied** copies, take the numerical gradient with respect to one copy at a
# time, and compare with the per-copy terms $\sum_t G[t, k]$ that `rnn_course.gradient_flow.dWh_contributions`
# computes from the formula above.

# %% slideshow={"slide_type": "subslide"}
h, cache = rnn_forward(x, None, params["Wx"], params["Wh"], params["b"])
z, affine_cache = temporal_affine_forward(h, params["Wy"], params["by"])
E, dz = softmax_cross_entropy(z, y, reduction="sum")
dh_direct, dWy, dby = temporal_affine_backward(dz, affine_cache)  # dL_t/dh_t for every t: (N, T, H)


def loss_with_copies(copies):
    """The same model, but step k uses its own recurrent matrix copies[k]."""
    h_t, states = np.zeros((N, H)), []
    for k in range(T):
        h_t = np.tanh(x[:, k] @ params["Wx"] + h_t @ copies[k] + params["b"])
        states.append(h_t)
    z_u, _ = temporal_affine_forward(np.stack(states, axis=1), params["Wy"], params["by"])
    return softmax_cross_entropy(z_u, y, reduction="sum")[0]


# %% slideshow={"slide_type": "subslide"}
G = dWh_contributions(dh_direct, cache)  # (T, T, H, H): L_t through copy k
per_copy_formula = G.sum(axis=0)  # (T, H, H): everything that goes through copy k
copy_norms, copy_errors = [], []
for k in range(T):
    def loss_of_copy_k(W, k=k):
        copies = [params["Wh"]] * T
        return loss_with_copies(copies[:k] + [W] + copies[k + 1:])

    numeric = numerical_gradient(loss_of_copy_k, params["Wh"])
    copy_norms.append(np.linalg.norm(numeric))
    copy_errors.append(rel_error(per_copy_formula[k], numeric))
    print(f"copy k = {k + 1}: |dL/dWh^(k)| = {copy_norms[-1]:.4f}, "
          f"relative error of the formula = {copy_errors[-1]:.1e}")

dWh_bptt = rnn_backward(dh_direct, cache).dWh
sum_error = rel_error(per_copy_formula.sum(axis=0), dWh_bptt)
print(f"sum over copies vs rnn_backward's dWh: relative error {sum_error:.1e}")

# %% slideshow={"slide_type": "skip"}
assert max(copy_errors) < 1e-7 and sum_error < 1e-12
assert np.all(per_copy_formula[0] == 0) and copy_norms[0] < 1e-9  # copy 1 multiplies h_0 = 0
assert min(copy_norms[1:]) > 0.1  # every other copy contributes

# %% [markdown] slideshow={"slide_type": "fragment"}
# Copy 1's gradient is exactly 0: it multiplies $h_0 = 0$. Every other copy contributes, and the sum is the gradient.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. The derivation as code
#
# Sections 2.2–2.3, line by line. `dh` is what the losses send *directly* to each state ($\delta z_t W_y^\top$);
# `dh_next` carries $\delta a_{t+1} W_h^\top$, the gradient from the future. The cache is the one `rnn_forward`
# returns; its arrays are batch-first like `x` and `h`, so `cache.h[:, t]` is $h_{t+1}$ (code counts from 0).
#
# This is the loop of the package's `rnn_backward` (open it with `rnn_backward??`): the same names, the same
# order. Only the recursion through time is sequential. The weight gradients are sums over the steps (section 2.3),
# so they are computed after the loop, each as one matrix product over all $N \cdot T$ rows.

# %% slideshow={"slide_type": "subslide"}
def rnn_backward_loop(dh, cache):
    """BPTT for a tanh RNN. dh: (N, T, H) -> dx (N, T, D), dh0 (N, H), dWx (D, H), dWh (H, H), db (H,)."""
    x, h0, h, Wx, Wh = cache.x, cache.h0, cache.h, cache.Wx, cache.Wh
    N, T, H = h.shape
    da = np.empty((N, T, H))  # dL/da_t at every step
    dh_all = np.empty((N, T, H))
    dh_next = np.zeros((N, H))  # what step t+1 sends back to h_t (nothing after the last step)
    for t in reversed(range(T)):  # maths: t = T, T-1, ..., 1
        dh_t = dh[:, t] + dh_next  # the loss's own gradient at h_t, plus every later step's
        da_t = dh_t * (1 - h[:, t] ** 2)  # through tanh: tanh'(a) = 1 - h^2
        dh_next = da_t @ Wh.T  # back through a_t = x_t Wx + h_{t-1} Wh + b, to h_{t-1}
        dh_all[:, t], da[:, t] = dh_t, da_t
    # The shared weights: each gradient is a sum over the steps, one product over the N*T rows.
    h_prev = np.concatenate([h0[:, None], h[:, :-1]], axis=1)  # (N, T, H): h_{t-1} for every step
    dx = da @ Wx.T
    dWx = x.reshape(N * T, -1).T @ da.reshape(N * T, H)  # sum_t x_t^T da_t
    dWh = h_prev.reshape(N * T, H).T @ da.reshape(N * T, H)  # sum_t h_{t-1}^T da_t
    db = da.sum(axis=(0, 1))
    return dx, dh_next, dWx, dWh, db  # after the loop, dh_next is dL/dh_0


ours = rnn_backward_loop(dh_direct, cache)
package = rnn_backward(dh_direct, cache)
for name, a, b_ in zip(package.names, ours, package, strict=True):
    print(f"{name:4s} relative error vs rnn_backward: {rel_error(a, b_):.1e}")

# %% slideshow={"slide_type": "skip"}
assert all(rel_error(a, b_) < 1e-12 for a, b_ in zip(ours, package, strict=True))

# %% [markdown] slideshow={"slide_type": "subslide"}
# The whole model's gradient is the output layer's backward, then BPTT. The package does each piece; here they
# are chained, and the result is checked against finite differences of $E$ itself:

# %%
def model_gradients(x, Wx, Wh, b, Wy, by):
    h, rnn_cache = rnn_forward(x, None, Wx, Wh, b)
    z, aff_cache = temporal_affine_forward(h, Wy, by)
    _, dz = softmax_cross_entropy(z, y, reduction="sum")  # y_hat - onehot(y), every step
    dh, dWy, dby = temporal_affine_backward(dz, aff_cache)  # sums over the steps inside
    dx, _, dWx, dWh, db = rnn_backward_loop(dh, rnn_cache)
    return {"x": dx, "Wx": dWx, "Wh": dWh, "b": db, "Wy": dWy, "by": dby}


whole_model = gradcheck(model_loss, {"x": x, **params}, model_gradients(x, **params), dout=1.0)
whole_model

# %% slideshow={"slide_type": "skip"}
assert whole_model.ok

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Gradient checking, and reading the report
#
# The checker perturbs one entry at a time by $\pm\varepsilon$ and compares the centred difference
#
# $$
# \frac{L(\theta + \varepsilon e_i) - L(\theta - \varepsilon e_i)}{2\varepsilon} \;=\; \frac{\partial L}{\partial \theta_i} + O(\varepsilon^2)
# $$
#
# with the analytic gradient, reporting $\max|{\rm analytic} - {\rm numeric}| / \max(|{\rm analytic}| + |{\rm numeric}|)$
# per input. In float64 with $\varepsilon = 10^{-6}$ a correct gradient lands around $10^{-9}$ or below (the whole
# model above: under $10^{-8}$); the checker fails anything above $10^{-6}$. For a layer,
# `gradcheck_layer(forward, backward, inputs)` draws a random upstream gradient and checks every input; for inputs
# with a time axis it also says **which steps** are wrong. Our loop passes:

# %%
layer_inputs = {"x": x, "h0": rng.standard_normal((N, H)), "Wx": params["Wx"], "Wh": params["Wh"], "b": params["b"]}
loop_report = gradcheck_layer(rnn_forward, rnn_backward_loop, layer_inputs)
loop_report

# %% slideshow={"slide_type": "skip"}
assert loop_report.ok and loop_report.max_error < 1e-8 and whole_model.max_error < 1e-8

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### A student's backward pass
#
# Here is a BPTT someone wrote. It runs and returns arrays of the right shapes. Before reading it closely, run the
# checker.

# %%
def student_rnn_backward(dh, cache):
    x, h0, h, Wx, Wh = cache.x, cache.h0, cache.h, cache.Wx, cache.Wh
    N, T, H = h.shape
    dx = np.zeros_like(x)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(H)
    dh_next = np.zeros((N, H))
    for t in reversed(range(T)):
        da = dh[:, t] * (1.0 - h[:, t] ** 2)
        h_prev = h[:, t - 1] if t > 0 else h0
        dWx += x[:, t].T @ da
        dWh += h_prev.T @ da
        db += da.sum(axis=0)
        dx[:, t] = da @ Wx.T
        dh_next = da @ Wh.T
    return dx, dh_next, dWx, dWh, db


# %% slideshow={"slide_type": "subslide"}
report = gradcheck_layer(rnn_forward, student_rnn_backward, layer_inputs)
report

# %%
plot_gradcheck(report)

# %% slideshow={"slide_type": "skip"}
assert set(report.failing) == set(layer_inputs)  # every input is wrong
assert report["x"].bad_steps(report.tol) == list(range(T - 1))  # x: wrong at every step but the last

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Reading the report
#
# 1. **Which inputs?** Every one of them is wrong, so the bug is in something they all share: the gradient flowing
#    through the states, not one parameter's formula.
# 2. **Which time steps?** `x` is right at the **last** step (index 5, the report counts from 0 like the arrays:
#    step $t = 6$) and wrong at every earlier one. At the last step nothing comes from the future; everywhere else something must. So
#    the gradient from the future is missing.
# 3. **The line**: `da = dh[:, t] * ...` uses only the direct gradient. It must be `(dh[:, t] + dh_next) * ...`:
#    `dh_next` is computed at the end of every iteration and never used.

# %% [markdown] slideshow={"slide_type": "subslide"}
# A second student makes a different mistake. Only one row of the report is red:

# %%
def second_student_rnn_backward(dh, cache):
    x, h, Wx, Wh = cache.x, cache.h, cache.Wx, cache.Wh
    N, T, H = h.shape
    dx = np.zeros_like(x)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(H)
    dh_next = np.zeros((N, H))
    for t in reversed(range(T)):
        da = (dh[:, t] + dh_next) * (1.0 - h[:, t] ** 2)
        dWx += x[:, t].T @ da
        dWh += h[:, t].T @ da
        db += da.sum(axis=0)
        dx[:, t] = da @ Wx.T
        dh_next = da @ Wh.T
    return dx, dh_next, dWx, dWh, db


second = gradcheck_layer(rnn_forward, second_student_rnn_backward, layer_inputs)
print(second.summary())
print("inputs that are wrong:", second.failing)

# %% slideshow={"slide_type": "skip"}
assert second.failing == ["Wh"]

# %% [markdown] slideshow={"slide_type": "fragment"}
# Only `Wh` is wrong, so the flow of gradient through the states is right (otherwise `x`, `h0` and `b` would be
# wrong too) and the bug is in the one line that computes `dWh`: it uses $h_t$ where the formula has $h_{t-1}$.
#
# **How to use the checker on your own code**: check the one-step backward first (no time axis, fewer places for a
# bug), then the sequence. Use small sizes (it costs two forward passes per entry), float64, and inputs that are not
# all zero or symmetric, so that a swapped index or a missing term cannot hide.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. The initial state can be learned too
#
# So far $h_0 = 0$. But $h_0$ is just another input of the first step, $a_1 = x_1 W_x + h_0 W_h + b$, and its
# gradient is the last thing the loop computes: $\partial L/\partial h_0 = \delta a_1 W_h^\top$, returned as `dh0`
# (one row per sequence). To **learn** one initial state for every sequence, keep a single vector $h_0$ of shape
# $(H,)$ and broadcast it to $(N, H)$: like a shared weight, its gradient is the **sum** of the $N$ per-sequence
# gradients. Checked against finite differences:

# %%
def loss_of_h0(h0_shared):
    """The loss of section 1 with every sequence starting from the same h0_shared (H,)."""
    h_, _ = rnn_forward(x, np.broadcast_to(h0_shared, (N, H)), params["Wx"], params["Wh"], params["b"])
    z_, _ = temporal_affine_forward(h_, params["Wy"], params["by"])
    return softmax_cross_entropy(z_, y, reduction="sum")[0]


h0_shared = 0.5 * rng.standard_normal(H)
h_s, cache_s = rnn_forward(x, np.broadcast_to(h0_shared, (N, H)), params["Wx"], params["Wh"], params["b"])
z_s, affine_s = temporal_affine_forward(h_s, params["Wy"], params["by"])
_, dz_s = softmax_cross_entropy(z_s, y, reduction="sum")
dh0 = rnn_backward(temporal_affine_backward(dz_s, affine_s).dh, cache_s).dh0  # (N, H): one per sequence
h0_check = gradcheck(loss_of_h0, {"h0_shared": h0_shared}, {"h0_shared": dh0.sum(axis=0)})
h0_check

# %% slideshow={"slide_type": "skip"}
assert h0_check.ok and h0_check.max_error < 1e-8

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Does learning $h_0$ help?
#
# Only where the right starting state is not the one the net gets for free. With a bias in every step, $h_0 = 0$
# is often as good as any other start: the net can choose its state's coordinates so that 0 means the right
# thing. It cannot when the start sits at one end of the range a tanh unit can hold. The task: a **bounded counter
# that starts full** (`rnn_course.tasks.counter`): a battery with 4 units of charge, charged (+1) or drained (-1)
# at each step, clipped to 0..4; the output is the level divided by 4, and the level before the first step is 4.
# The same tanh RNN (8 units, read out at every step, Adam, 500 updates of 32 fresh sequences of 12 steps) is
# trained with $h_0$ fixed at 0 and with $h_0$ learned, from the same initial weights, for four seeds, on the
# counter starting full and starting half full (2 of 4).

# %% slideshow={"slide_type": "skip"}
def train_counter_rnn(learn_h0, seed, start=4, H=8, T=12, steps=500):
    """A tanh RNN with a per-step read-out on the counter task; h_0 fixed at 0, or one learned vector."""
    r = np.random.default_rng(seed)
    p = init_cell_params(1, H, rng=r)
    p["Wy"], p["by"] = 0.1 * r.standard_normal((H, 1)), np.zeros(1)
    if learn_h0:
        p["h0"] = np.zeros(H)  # starts where the fixed one stays
    optimizer = Adam(1e-2)
    for _ in range(steps):
        xb, yb = counter_batch(32, T, start=start, rng=r)
        h0 = np.broadcast_to(p["h0"] if learn_h0 else np.zeros(H), (32, H))
        hb, cb = rnn_forward(xb, h0, p["Wx"], p["Wh"], p["b"])
        y_hat, out_cache = temporal_affine_forward(hb, p["Wy"], p["by"])
        _, dy_hat = mse_loss(y_hat, yb)
        dhb, dWy, dby = temporal_affine_backward(dy_hat, out_cache)
        g = rnn_backward(dhb, cb)
        grads = {"Wx": g.dWx, "Wh": g.dWh, "b": g.db, "Wy": dWy, "by": dby}
        if learn_h0:
            grads["h0"] = g.dh0.sum(axis=0)  # one h_0 shared by the batch: the sum of its gradients
        optimizer.step(p, grads)
    return p


# %% slideshow={"slide_type": "skip"}
def counter_errors_per_step(p, start, learn_h0, N_test=1000, T=12):
    """Squared error at every step, on fresh test sequences."""
    x_c, y_c = counter_batch(N_test, T, start=start, rng=99)
    h0 = p["h0"] if learn_h0 else np.zeros(p["Wh"].shape[0])
    h_c, _ = rnn_forward(x_c, np.broadcast_to(h0, (N_test, h0.size)), p["Wx"], p["Wh"], p["b"])
    return np.mean((h_c @ p["Wy"] + p["by"] - y_c) ** 2, axis=(0, 2))  # (T,)


# %% slideshow={"slide_type": "subslide"}
counter_errors = {}
print("start     seed | h_0 fixed at 0: error at t = 1, all steps | h_0 learned: error at t = 1, all steps")
for start, name in ((4, "full"), (2, "half-full")):
    for seed in range(4):
        for learn_h0 in (False, True):
            per_step = counter_errors_per_step(train_counter_rnn(learn_h0, seed, start), start, learn_h0)
            counter_errors[start, seed, learn_h0] = (per_step[0], per_step.mean())
        fixed, learned_h0 = counter_errors[start, seed, False], counter_errors[start, seed, True]
        print(f"{name:9} {seed:4d} | {fixed[0]:26.5f}, {fixed[1]:9.5f} | {learned_h0[0]:23.5f}, {learned_h0[1]:9.5f}")

# %% slideshow={"slide_type": "skip"}
median_ratio = {start: np.median([counter_errors[start, seed, False][1] / counter_errors[start, seed, True][1]
                                  for seed in range(4)]) for start in (4, 2)}
print(f"median of (error with h_0 = 0) / (error with h_0 learned), all steps: full start {median_ratio[4]:.2f}, "
      f"half-full start {median_ratio[2]:.2f}")
for seed in range(4):
    (fixed_first, fixed_all), (learned_first, learned_all) = counter_errors[4, seed, False], counter_errors[4, seed, True]
    assert learned_first < fixed_first / 3  # full start, first step: at least 3 times smaller, every seed
    assert learned_all < fixed_all  # full start, all steps: better on every seed
assert median_ratio[4] > 2 and median_ratio[2] < 1.5  # full: more than twice better; half-full: much less
assert any(counter_errors[2, seed, True][1] >= counter_errors[2, seed, False][1] for seed in range(4))  # not always

# %% [markdown] slideshow={"slide_type": "fragment"}
# Learning $h_0$ helps when the counter starts full: on every seed the error at the first step falls at least
# threefold, and the error over all 12 steps falls too, by more than half in the median. The net with $h_0 = 0$ does
# learn the task, but it has to spend weights on making its first step behave differently from the others, and that
# costs accuracy. When the counter starts half full, in the middle of the range, the gain is much smaller and not
# there on every seed. So: $h_0$ is a parameter like any other, with a gradient BPTT already computes; learn it when
# the start of every sequence is special.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Where the gradient goes
#
# Every loss term $L_t$ sends gradient to every earlier copy $k \le t$ of $W_h$: the table $G[t, k]$ of section 2.4.
# Left, the size of each entry; right, each copy's total (the sum down a column). A longer sequence and a
# recurrent matrix whose singular values are all 0.8 make the pattern visible:

# %% slideshow={"slide_type": "skip"}
def make_problem(T, scale, seed=0, N=4, D=4, H=8, V=5):
    """A tanh RNN over a random sequence, scored at every step; returns the cache and dL_t/dh_t."""
    r = np.random.default_rng(seed)
    xs, ys = r.standard_normal((N, T, D)), r.integers(0, V, size=(N, T))
    Wx, Wh = xavier_normal((D, H), rng=r), orthogonal((H, H), gain=scale, rng=r)
    Wy = xavier_normal((H, V), rng=r)
    hs, c = rnn_forward(xs, None, Wx, Wh, np.zeros(H))
    zs, ac = temporal_affine_forward(hs, Wy, np.zeros(V))
    _, dzs = softmax_cross_entropy(zs, ys, reduction="sum")
    return c, temporal_affine_backward(dzs, ac)[0]


# %%
cache_20, dh_20 = make_problem(T=20, scale=0.8)
G_20 = dWh_contributions(dh_20, cache_20)
fig, axes = new_figure(figsize=(12, 3.7), ncols=2)
plot_contribution_matrix(G_20, ax=axes[0])
plot_copy_contributions(G_20, ax=axes[1])
fig

# %% slideshow={"slide_type": "subslide"}
t_idx, k_idx = np.tril_indices(20)
lag = t_idx - k_idx
entry = np.linalg.norm(G_20[t_idx, k_idx], axis=(1, 2))  # ||G[t, k]|| for every pair k <= t
by_lag = np.array([entry[lag == d].mean() for d in range(20)])
diagonal_share = entry[lag == 0].sum() / entry.sum()
far = np.linalg.norm(G_20[t_idx[lag >= 15], k_idx[lag >= 15]].sum(axis=0)) / np.linalg.norm(G_20.sum(axis=(0, 1)))
print(f"mean ||G[t, k]|| at lag t - k = 0, 1, 5, 10, 15: {by_lag[0]:.3g}, {by_lag[1]:.3g}, {by_lag[5]:.3g}, "
      f"{by_lag[10]:.3g}, {by_lag[15]:.3g}")
print(f"the diagonal (lag 0) holds {100 * diagonal_share:.0f}% of the total size of the entries; "
      f"all pairs 15 or more steps apart add up to {far:.1e} of dL/dW_h")

# %% slideshow={"slide_type": "skip"}
assert np.all(np.diff(by_lag[:16]) < 0)  # fades with every step between t and k
assert by_lag[15] < 1e-2 * by_lag[0]
assert diagonal_share > 0.4 and by_lag[0] > 1.5 * by_lag[1]  # the diagonal dominates
assert far < 1e-2  # long-range pairs: a tiny part of the gradient

# %% [markdown] slideshow={"slide_type": "fragment"}
# Along each row the contributions fade as $k$ moves away from $t$: the gradient of $L_t$ has been through more
# Jacobians. The diagonal ($k = t$, no Jacobian at all) dominates: its entries are the largest, and together
# almost half of the total. So the total $\partial L/\partial W_h$ is made mostly of **short-range** terms: whatever
# links an input to a loss 15 steps later is a tiny part of it.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The gradient reaching $h_k$ from $L_T$
#
# Keep only the last loss: set the direct gradient to zero except at $t = T$ and run BPTT; `dh_all` is the
# gradient arriving at every state. Its size, for three scales of $W_h$:

# %%
reach, slopes = {}, {}
for scale in (0.5, 1.0, 1.5):
    c_s, dh_s = make_problem(T=30, scale=scale)
    dh_last = np.zeros_like(dh_s)
    dh_last[:, -1] = dh_s[:, -1]  # only L_T
    dh_all = rnn_backward(dh_last, c_s).dh_all  # (N, T, H): the gradient arriving at every state
    reach[scale] = np.linalg.norm(dh_all, axis=(0, 2))
    slopes[scale] = np.mean(1 - c_s.h**2)  # tanh's slope, averaged over every unit and step
    print(f"singular values {scale}: ||dL_T/dh_1|| / ||dL_T/dh_T|| = {reach[scale][0] / reach[scale][-1]:.2g}, "
          f"largest ratio {reach[scale].max() / reach[scale][-1]:.2g}, mean tanh slope {slopes[scale]:.2f}")

# %% slideshow={"slide_type": "subslide"}
fig, ax = new_figure(figsize=(7.5, 3.2))
plot_gradient_reaching({f"singular values of $W_h$ = {scale}": r for scale, r in reach.items()}, ax=ax)

# %% slideshow={"slide_type": "skip"}
assert np.all(reach[0.5][:-1] <= 0.5 * reach[0.5][1:] * (1 + 1e-9))  # at least halved at every step back
assert reach[0.5][0] < 1e-8 * reach[0.5][-1]  # nothing reaches the start
assert reach[1.5].max() < 10 * reach[1.5][-1]  # 1.5 does not explode here ...
assert slopes[1.5] < slopes[1.0] < slopes[0.5]  # ... because the units saturate more

# %% [markdown] slideshow={"slide_type": "subslide"}
# With singular values 0.5 the gradient shrinks by at least half per step (0.5 from $W_h$, times tanh's slope, at
# most 1) and nothing reaches the start. With 1.5 it does not explode here: the larger recurrent weights drive the
# units further into saturation, tanh's mean slope $1 - h^2$ is the smallest of the three, and it pulls the product
# down. Lesson 03 takes this apart.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Explore it
#
# All three views in one demo: drag the scale of $W_h$, then truncate (next section) and see which pairs $(t, k)$
# are dropped and what that does to $\partial L/\partial W_h$.

# %%
bptt_demo()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Truncated BPTT
#
# Full BPTT on a long sequence (a book, a day of sensor data) needs every state of the sequence kept in memory, and
# gives one update per pass over it. **Truncated** BPTT cuts the backward pass short. The package has both common
# forms, `rnn_backward(dh, cache, truncate=k, truncate_mode=...)`:
#
# - **`"chunk"`**: cut the sequence into blocks of $k$ steps; no gradient crosses a block boundary (the state
#   itself still does). This is what training on long text does: Karpathy's min-char-rnn (blocks of 25 characters,
#   `hprev` carried over), and in PyTorch `h = h.detach()` every $k$ steps.
# - **`"window"`**: every loss $L_t$ sends its gradient to the last $k$ steps only: back to $h_{t-k+1}$, through
#   at most $k - 1$ Jacobians, reaching the copies $t-k+1, \dots, t$ of the weights. This is Williams and Peng's
#   BPTT($k$); it keeps more of the gradient than chunking with the same $k$.
#
# Which pairs (loss $L_t$, copy $k$) each one keeps:

# %% slideshow={"slide_type": "subslide"}
plot_truncation_masks(12, 4)

# %% [markdown] slideshow={"slide_type": "subslide"}
# In the loop of section 3, chunking is one line: forget the gradient from the future at every block boundary.

# %%
def rnn_backward_loop_chunked(dh, cache, k):
    x, h0, h, Wx, Wh = cache.x, cache.h0, cache.h, cache.Wx, cache.Wh
    N, T, H = h.shape
    da = np.empty_like(h)
    dh_next = np.zeros((N, H))
    for t in reversed(range(T)):
        da[:, t] = (dh[:, t] + dh_next) * (1 - h[:, t] * h[:, t])
        dh_next = da[:, t] @ Wh.T
        if t > 0 and t % k == 0:
            dh_next = np.zeros((N, H))  # step t starts a chunk: no gradient crosses into the chunk before
    h_prev = np.concatenate([h0[:, None], h[:, :-1]], axis=1)
    dx = da @ Wx.T
    dWx = x.reshape(N * T, -1).T @ da.reshape(N * T, H)
    dWh = h_prev.reshape(N * T, H).T @ da.reshape(N * T, H)
    return dx, dh_next, dWx, dWh, da.sum(axis=(0, 1))


chunk_errors = []
for k in (1, 4, 6):
    mine = rnn_backward_loop_chunked(dh_direct, cache, k)
    theirs = rnn_backward(dh_direct, cache, truncate=k, truncate_mode="chunk")
    chunk_errors.append(max(rel_error(a, b_) for a, b_ in zip(mine, theirs, strict=True)))
    print(f"k = {k}: largest relative error vs rnn_backward(truncate={k}, 'chunk'): {chunk_errors[-1]:.1e}")

# %% slideshow={"slide_type": "skip"}
assert max(chunk_errors) < 1e-12
window_mask = truncation_mask(12, 4, "window")
assert np.all((np.arange(12)[:, None] - np.arange(12)[None, :])[window_mask] <= 3)  # at most k - 1 = 3 steps back

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### How wrong is the truncated gradient?
#
# A 48-step sequence, singular values of $W_h$ all 0.9; for every $k$, the relative error of the truncated
# $\partial L/\partial W_h$ against full BPTT, next to how many single-step backward operations each variant performs
# (`count_backward_steps`: how many times the loop steps back).

# %%
T_long = 48
cache_48, dh_48 = make_problem(T=T_long, scale=0.9, seed=1)
full = rnn_backward(dh_48, cache_48).dWh
ks = np.arange(1, T_long + 1)
errors = {mode: np.array([rel_error(rnn_backward(dh_48, cache_48, truncate=int(k), truncate_mode=mode).dWh, full)
                          for k in ks]) for mode in ("chunk", "window")}
costs = {mode: np.array([count_backward_steps(T_long, int(k), mode) for k in ks]) for mode in ("chunk", "window")}
for k in (1, 5, 10, 20, 40):
    print(f"k = {k:2d}: error chunk {errors['chunk'][k - 1]:.1e}, window {errors['window'][k - 1]:.1e};"
          f" steps chunk {costs['chunk'][k - 1]}, window {costs['window'][k - 1]}, full {T_long}")
fall = {mode: errors[mode][9] / errors[mode][39] for mode in errors}  # from k = 10 to k = 40
print(f"from k = 10 to k = 40 the error falls {fall['chunk']:.3g}-fold (chunk) and {fall['window']:.3g}-fold (window)")

# %% slideshow={"slide_type": "skip"}
rerun = rel_error(rnn_backward(dh_48, cache_48, truncate=10, truncate_mode="chunk").dWh, full)
assert rerun == errors["chunk"][9]  # deterministic: the same error every time, for both modes
assert fall["window"] > 1e4 and fall["chunk"] < 10  # geometric against slow
assert np.all(errors["window"][:-1] <= errors["chunk"][:-1] * (1 + 1e-12))  # window never worse at the same k
assert errors["chunk"][T_long - 1] == errors["window"][T_long - 1] == 0.0  # k = T: full BPTT
assert np.all(costs["chunk"] == T_long) and costs["window"][39] > 20 * T_long  # T against about T k

# %% slideshow={"slide_type": "subslide"}
plot_truncation(ks, errors, costs=costs, T=T_long)

# %% [markdown] slideshow={"slide_type": "subslide"}
# - Both truncations are **deterministic**: the same sequence gives the same truncated gradient every time. Neither
#   is noise around the true gradient that averages out over many updates; both are **biased**, each leaves out a
#   fixed set of terms. What differs is how fast that bias falls as $k$ grows.
# - **Window** truncation converges geometrically in $k$: each extra step back adds a term that has been through
#   one more Jacobian (here a 10,000-fold and more smaller error from $k = 10$ to $k = 40$).
# - **Chunk** truncation falls slowly: a loss just after a block boundary keeps only one or two steps of history,
#   so on average a loss sees only about $k/2$ steps back, whatever $k$ is (here less than 10-fold from $k = 10$ to
#   $k = 40$).
# - Neither is cheaper for **one** gradient of a stored sequence: full BPTT is already $T$ step-backwards. Chunking
#   costs the same $T$; the window form costs about $T k$ (every loss walks back up to $k - 1$ steps on its own). At
#   $k = T$ the window keeps every pair, which *is* full BPTT, and the package runs it as one backward walk: hence
#   the drop to $T$ at the right end of the cost plot.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### So what does truncation save?
#
# Its purpose is training on a **stream**, updating the weights every $k$ steps. Exact gradients would mean
# back-propagating from step $t$ all the way to the start at every update, and keeping every state since the start.
# Counted with the same step counter, then timed (CPU time of this process) on a 1000-step stream (4 sequences,
# 16 units, an update every 50 steps):

# %% slideshow={"slide_type": "subslide"}
stream_T = 1000
print(f"{'update every k':>14} | {'full-history steps':>18} | {'chunked steps':>13} | {'ratio':>6} | states kept: full vs chunked")
stream_ratio = {}
for k in (10, 25, 50, 100):
    full_history = sum(count_backward_steps(j * k) for j in range(1, stream_T // k + 1))
    chunked = sum(count_backward_steps(k) for _ in range(stream_T // k))
    stream_ratio[k] = full_history / chunked
    print(f"{k:>14} | {full_history:>18,} | {chunked:>13,} | {stream_ratio[k]:>6.1f} | {stream_T} vs {k}")

# %% slideshow={"slide_type": "skip"}
for k, ratio in stream_ratio.items():
    assert ratio == (stream_T / k + 1) / 2  # full history: (T/k)(T/k + 1)/2 blocks of k steps; chunked: T/k blocks

# %% slideshow={"slide_type": "subslide"}
r = np.random.default_rng(3)
Ns, Ds, Hs, k = 4, 8, 16, 50
xs = r.standard_normal((Ns, stream_T, Ds))
Wx_s, Wh_s, b_s = xavier_normal((Ds, Hs), rng=r), orthogonal((Hs, Hs), gain=0.9, rng=r), np.zeros(Hs)
dh_stream = r.standard_normal((Ns, stream_T, Hs))  # stands in for dL_t/dh_t

start = time.process_time()
for j in range(1, stream_T // k + 1):  # exact: forward and back over the whole history at each update
    hs, c = rnn_forward(xs[:, : j * k], None, Wx_s, Wh_s, b_s)
    rnn_backward(dh_stream[:, : j * k], c)
seconds_full = time.process_time() - start

start = time.process_time()
h_carry = np.zeros((Ns, Hs))
for j in range(stream_T // k):  # truncated: forward and back over the current block, carry the state
    block = slice(j * k, (j + 1) * k)
    hs, c = rnn_forward(xs[:, block], h_carry, Wx_s, Wh_s, b_s)
    rnn_backward(dh_stream[:, block], c)
    h_carry = hs[:, -1]
seconds_chunked = time.process_time() - start
print(f"measured, k = {k}: full history {seconds_full:.3f} s, chunked {seconds_chunked:.3f} s "
      f"({seconds_full / seconds_chunked:.0f}x; the step count says {stream_ratio[k]:.1f}x)")

# %% slideshow={"slide_type": "skip"}
assert seconds_full > 3 * seconds_chunked  # the counted 10.5x shows up in the time, with a wide margin

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What truncation removes
#
# With window truncation $k$, no gradient links an input to a loss more than $k - 1$ steps later: the **direct
# gradient path** is cut. Here is the gradient of the last loss with respect to the first input, on the 48-step
# problem:

# %%
dh_last_48 = np.zeros_like(dh_48)
dh_last_48[:, -1] = dh_48[:, -1]
first_input = {}
for k in (None, 40, 47, 48):
    dx_first = rnn_backward(dh_last_48, cache_48, truncate=k, truncate_mode="window").dx[:, 0]
    first_input[k] = np.linalg.norm(dx_first)
    label = "full BPTT" if k is None else f"window k = {k}"
    print(f"{label:>14}: |dL_T/dx_1| = {first_input[k]:.2e}")

# %% slideshow={"slide_type": "skip"}
assert first_input[40] == first_input[47] == 0.0  # cut: x_1 is 47 steps before L_T
assert first_input[48] == first_input[None] > 0  # k = T reaches it: 47 Jacobians back
assert first_input[None] < 1e-6 * np.linalg.norm(dh_48[:, -1])  # and what arrives is tiny

# %% [markdown] slideshow={"slide_type": "fragment"}
# Exactly zero with $k < T$. That does **not** make a dependency longer than $k$ impossible to learn: the state
# still flows forward untruncated, so the weights used in the last $k$ steps can still learn to keep and read what
# the state carries. What is lost is the signal that would teach the net *to put* the information into the state
# in the first place. Lesson 03 measures how much that costs on the latch task. And full BPTT does not fix the
# problem by itself either: the gradient it does deliver has been through 47 Jacobians, and is tiny. Lesson 03 is
# about that number.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - BPTT is backpropagation on the unrolled graph. Walking back from $t = T$:
#   $\delta h_t = \delta z_t W_y^\top + \delta a_{t+1} W_h^\top$ and $\delta a_t = \delta h_t \odot (1 - h_t^2)$.
# - Shared weights get the **sum** of the gradients of their copies: $\partial L/\partial W_h = \sum_t h_{t-1}^\top \delta a_t$,
#   and likewise for $W_x$, $b$, $W_y$, $b_y$ (checked copy by copy against finite differences). A learned initial
#   state $h_0$ shared by the batch is one more such parameter: its gradient is the sum of the rows of `dh0`; it
#   helped on a counter that starts full, much less on one that starts half full.
# - Every loss reaches every earlier copy through a product of Jacobians $J_t J_{t-1} \cdots J_{k+1}$,
#   $J_j = \operatorname{diag}(1 - h_j^2) W_h^\top$; far-apart pairs contribute little when that product shrinks.
# - The gradient checker says which input and which time steps are wrong: "right at the last step only" means the
#   gradient from the future is missing; "only `Wh` wrong" points at one line.
# - Truncated BPTT (`truncate=k`) is deterministic and biased in both forms: `"chunk"` costs $T$ and its error falls
#   slowly with $k$; `"window"` (at most $k - 1$ Jacobians back) converges geometrically in $k$ but costs about $Tk$.
#   Its real saving is on streams: $O(T)$ work and $k$ stored states instead of $O(T^2/k)$ and $T$. It cuts the
#   gradient path, not the state.
#
# **Next**: the exercise [`exercises/02_bptt.ipynb`](../exercises/02_bptt.ipynb) (`rnn_step_backward`, `rnn_backward`,
# the gradient checker, truncation), then
# [lesson 03](03_vanishing_and_exploding_gradients.ipynb): what the product of Jacobians does over many steps.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Check your understanding
#
# 1. Why is $\partial L/\partial W_h = \sum_t h_{t-1}^\top \delta a_t$ and not $\sum_t h_t^\top \delta a_t$?
# 2. In the loop, what is `dh_next` after the last iteration, and why?
# 3. A gradient check reports `x` wrong at t = 0..3 and right at t = 4 (T = 5), and every parameter wrong. What do you look for?
# 4. A report says only `b` is wrong; `x`, `h0`, `Wx` and `Wh` are fine. Which line do you read, and what is a likely mistake?
# 5. With the window form and $k = 1$, what does the gradient of $W_h$ contain? And with $k \ge T$?
# 6. You train a language model on a 10-million-character text with chunks of $k = 100$. How many step-backward
#    operations does one pass over the text cost, and how many states are cached at any moment?
#
# <details><summary>Answers</summary>
#
# 1. $a_t = x_t W_x + h_{t-1} W_h + b$: $W_h$ multiplies the previous state, so its gradient at step $t$ is
#    $h_{t-1}^\top \delta a_t$ (the second student's bug).
# 2. $\delta a_1 W_h^\top = \partial L/\partial h_0$: the gradient "from the future" of the initial state. The loop
#    returns it as `dh0` (section 5 learns $h_0$ with it).
# 3. Right at the last step only, wrong before: the carried gradient from the future is missing or wrong (not added,
#    reset, or multiplied by the wrong matrix, e.g. `Wh` instead of `Wh.T`). Section 4's first student shows exactly
#    this pattern.
# 4. The states' gradients are right (otherwise `x` and `h0` would be wrong), so only the `db` line can be. Typical
#    mistakes: `db = da.sum(axis=0)` instead of `+=` (keeps one step instead of the sum over steps), or summing `da`
#    over the wrong axis.
# 5. $k = 1$: only the diagonal terms $G[t, t] = h_{t-1}^\top (\partial L_t/\partial h_t \odot (1 - h_t^2))$, no
#    Jacobian at all. $k \ge T$: everything, i.e. full BPTT. (Checked below.)
# 6. About $10^7$ step-backwards (one per character, the same as full BPTT would need for one gradient), and only
#    the 100 states of the current chunk (plus the carried $h$), instead of $10^7$. (The count is linear in the
#    length: checked below on $10^4$ characters.)
# </details>

# %% slideshow={"slide_type": "skip"}
# The answers' claims, measured
G_48 = dWh_contributions(dh_48, cache_48)
diagonal_only = np.einsum("tkij->ij", G_48 * np.eye(T_long)[:, :, None, None])
assert rel_error(rnn_backward(dh_48, cache_48, truncate=1, truncate_mode="window").dWh, diagonal_only) < 1e-12  # 5
assert rel_error(rnn_backward(dh_48, cache_48, truncate=T_long, truncate_mode="window").dWh, full) < 1e-12  # 5
assert count_backward_steps(10_000, 100, "chunk") == 10_000 == count_backward_steps(10_000)  # 6

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### References
#
# - D. E. Rumelhart, G. E. Hinton, R. J. Williams, "Learning representations by back-propagating errors", *Nature* 323 (1986).
# - P. J. Werbos, "Backpropagation through time: what it does and how to do it", *Proc. IEEE* 78(10) (1990).
# - R. J. Williams, J. Peng, "An efficient gradient-based algorithm for on-line training of recurrent network
#   trajectories", *Neural Computation* 2(4) (1990): BPTT($h$) and BPTT($h; h'$).
# - R. J. Williams, D. Zipser, "Gradient-based learning algorithms for recurrent networks and their computational
#   complexity", in *Backpropagation: Theory, Architectures and Applications* (1995).
# - I. Sutskever, *Training Recurrent Neural Networks*, PhD thesis, University of Toronto (2013), section 2.8 (truncated BPTT).
# - C. Tallec, Y. Ollivier, "Unbiasing truncated backpropagation through time" (2017): the bias of truncation.
# - R. Pascanu, T. Mikolov, Y. Bengio, "On the difficulty of training recurrent neural networks", ICML 2013: the
#   product of Jacobians (lesson 03).
# - Stanford CS231n, assignment 3 (`rnn_backward`); A. Karpathy, `min-char-rnn.py`; A. Zhang et al., *Dive into Deep
#   Learning*, section 9.7 "Backpropagation through time".
