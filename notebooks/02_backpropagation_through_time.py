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
# - the loss of a sequence, $E = \sum_t E_t$, and the derivation of every gradient of an RNN, step by step,
#   including the product of Jacobians $\prod_j \partial h_j / \partial h_{j-1}$;
# - why the gradients of the shared weights are **sums** over the unrolled copies (checked numerically);
# - the same derivation as code: one loop from $t = T$ down to 1;
# - how to check a backward pass with the gradient checker, and how to read its report to find a bug;
# - where the gradient goes: each step's contribution to $\partial E / \partial W_h$, and how much of
#   $E_T$'s gradient reaches each earlier state;
# - truncated BPTT: its two forms, how wrong its gradient is as the truncation length varies, and what it saves.
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
    gradcheck,
    gradcheck_layer,
    numerical_gradient,
    rel_error,
    rnn_backward,
    rnn_forward,
    softmax_cross_entropy,
    use_blas_threads,
)
from rnn_course.demos import bptt_demo
from rnn_course.gradient_flow import count_backward_steps, dWh_contributions
from rnn_course.init import orthogonal, xavier_normal
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
# a_t &= x_t W_x + h_{t-1} W_h + b, & h_t &= \tanh(a_t), & h_0 &= 0,\\
# z_t &= h_t W_y + b_y, & \hat y_t &= \operatorname{softmax}(z_t), & E_t &= -\log \hat y_t[y_t],
# \end{aligned}
# \qquad E = \sum_{t=1}^{T} E_t .
# $$
#
# The unrolled graph, with the backward pass drawn in red: every loss $E_t$ sends gradient down to $h_t$, and
# from there back through all the earlier steps.

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
    """E = sum over every sequence and step of -log y_hat_t[y_t]."""
    h, _ = rnn_forward(x, None, Wx, Wh, b)
    z, _ = temporal_affine_forward(h, Wy, by)
    return softmax_cross_entropy(z, y, reduction="sum")[0]


print(f"E = {model_loss(x, **params):.4f}  (chance level: N T log V = {N * T * np.log(V):.4f})")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Deriving every gradient
#
# Gradients are **row vectors** shaped like what they differentiate: $\delta h_t = \partial E / \partial h_t$
# is $(1, H)$ like $h_t$. We write one sequence; a batch just adds rows, and the parameter gradients add up over
# them.
#
# ### 2.1 The output layer
#
# $E_t = -z_t[y_t] + \log \sum_j e^{z_t[j]}$, so $\partial E_t / \partial z_t[j] = \hat y_t[j] - [j = y_t]$:
#
# $$
# \delta z_t \;=\; \frac{\partial E}{\partial z_t} \;=\; \hat y_t - \operatorname{onehot}(y_t) \qquad (1, V).
# $$
#
# $z_t = h_t W_y + b_y$ uses the same $W_y, b_y$ at every step, so
#
# $$
# \frac{\partial E}{\partial W_y} = \sum_{t=1}^{T} h_t^\top\, \delta z_t \quad (H, V), \qquad
# \frac{\partial E}{\partial b_y} = \sum_{t=1}^{T} \delta z_t, \qquad
# \frac{\partial E_t}{\partial h_t} = \delta z_t\, W_y^\top \quad (1, H).
# $$

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 2.2 The hidden states: gradient from now and from the future
#
# $h_t$ affects $E$ along two paths: directly through $E_t$, and through $a_{t+1}$ (hence $h_{t+1}$ and every
# later loss). Adding the two paths:
#
# $$
# \delta h_t \;=\; \frac{\partial E}{\partial h_t}
# \;=\; \underbrace{\delta z_t\, W_y^\top}_{\text{from } E_t}
# \;+\; \underbrace{\delta a_{t+1}\, W_h^\top}_{\text{from } E_{t+1}, \dots, E_T},
# \qquad \delta a_{T+1} = 0,
# $$
#
# and through the nonlinearity ($\tanh' (a) = 1 - \tanh^2(a)$, written with the output we already have):
#
# $$
# \delta a_t \;=\; \frac{\partial E}{\partial a_t} \;=\; \delta h_t \odot \left(1 - h_t^2\right).
# $$
#
# This pair of equations is all of BPTT: start at $t = T$ and walk back.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 2.3 The parameters and the inputs
#
# $a_t = x_t W_x + h_{t-1} W_h + b$ uses $W_x, W_h, b$ at every step, so their gradients are sums over the steps:
#
# $$
# \frac{\partial E}{\partial W_h} = \sum_{t=1}^{T} h_{t-1}^\top\, \delta a_t \quad (H, H), \qquad
# \frac{\partial E}{\partial W_x} = \sum_{t=1}^{T} x_t^\top\, \delta a_t \quad (D, H), \qquad
# \frac{\partial E}{\partial b} = \sum_{t=1}^{T} \delta a_t ,
# $$
#
# $$
# \frac{\partial E}{\partial x_t} = \delta a_t\, W_x^\top \quad (1, D), \qquad
# \frac{\partial E}{\partial h_0} = \delta a_1\, W_h^\top .
# $$
#
# Note $h_{t-1}$, not $h_t$, in $\partial E/\partial W_h$: $W_h$ multiplies the *previous* state.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 2.4 The product of Jacobians
#
# Unroll the recursion of 2.2. One step back multiplies by the Jacobian of $h_j$ with respect to $h_{j-1}$:
#
# $$
# \frac{\partial h_j}{\partial h_{j-1}} = \operatorname{diag}\!\left(1 - h_j^2\right) W_h^\top \quad (H, H),
# \qquad\text{so}\qquad
# \frac{\partial E_t}{\partial h_k} = \frac{\partial E_t}{\partial h_t}\,
# \prod_{j=t}^{k+1} \frac{\partial h_j}{\partial h_{j-1}}
# = \frac{\partial E_t}{\partial h_t}\,
# \frac{\partial h_t}{\partial h_{t-1}} \frac{\partial h_{t-1}}{\partial h_{t-2}} \cdots \frac{\partial h_{k+1}}{\partial h_k}.
# $$
#
# Putting it into 2.3 gives the form you will meet in papers: every loss $E_t$ reaches every earlier copy $k \le t$,
# through $t - k$ Jacobians,
#
# $$
# \frac{\partial E}{\partial W_h} = \sum_{t=1}^{T} \sum_{k=1}^{t}
# \underbrace{h_{k-1}^\top \left[\left(\frac{\partial E_t}{\partial h_t}
# \prod_{j=t}^{k+1} \frac{\partial h_j}{\partial h_{j-1}}\right) \odot \left(1 - h_k^2\right)\right]}_{G[t,\,k]:\ E_t \text{ through copy } k}.
# $$
#
# A product of $t-k$ matrices can shrink or grow exponentially in $t - k$: that is lesson 03.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 2.5 Why the gradients of shared weights are summed
#
# Pretend every step has its own copy $W_h^{(k)}$, all equal to $W_h$. $E$ depends on $W_h$ only through the copies,
# so by the chain rule
#
# $$
# \frac{\partial E}{\partial W_h} = \sum_{k=1}^{T} \frac{\partial E}{\partial W_h^{(k)}}\,
# \underbrace{\frac{\partial W_h^{(k)}}{\partial W_h}}_{= \text{identity}}
# = \sum_{k=1}^{T} \frac{\partial E}{\partial W_h^{(k)}} .
# $$
#
# Checked with numbers: run the net with **untied** copies, take the numerical gradient with respect to one copy at a
# time, and compare with the per-copy terms $\sum_t G[t, k]$ that `rnn_course.gradient_flow.dWh_contributions`
# computes from the formula above.

# %% slideshow={"slide_type": "subslide"}
h, cache = rnn_forward(x, None, params["Wx"], params["Wh"], params["b"])
z, affine_cache = temporal_affine_forward(h, params["Wy"], params["by"])
E, dz = softmax_cross_entropy(z, y, reduction="sum")
dh_direct, dWy, dby = temporal_affine_backward(dz, affine_cache)  # dE_t/dh_t for every t: (N, T, H)


def loss_with_copies(copies):
    """The same model, but step k uses its own recurrent matrix copies[k]."""
    h_t, states = np.zeros((N, H)), []
    for k in range(T):
        h_t = np.tanh(x[:, k] @ params["Wx"] + h_t @ copies[k] + params["b"])
        states.append(h_t)
    z_u, _ = temporal_affine_forward(np.stack(states, axis=1), params["Wy"], params["by"])
    return softmax_cross_entropy(z_u, y, reduction="sum")[0]


# %% slideshow={"slide_type": "subslide"}
G = dWh_contributions(dh_direct, cache)  # (T, T, H, H): E_t through copy k
per_copy_formula = G.sum(axis=0)  # (T, H, H): everything that goes through copy k
for k in range(T):
    def loss_of_copy_k(W, k=k):
        copies = [params["Wh"]] * T
        return loss_with_copies(copies[:k] + [W] + copies[k + 1:])

    numeric = numerical_gradient(loss_of_copy_k, params["Wh"])
    print(f"copy k = {k + 1}: |dE/dWh^(k)| = {np.linalg.norm(numeric):.4f}, "
          f"relative error of the formula = {rel_error(per_copy_formula[k], numeric):.1e}")

dWh_bptt = rnn_backward(dh_direct, cache).dWh
print(f"sum over copies vs rnn_backward's dWh: relative error {rel_error(per_copy_formula.sum(axis=0), dWh_bptt):.1e}")

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
# per input. In float64 with $\varepsilon = 10^{-6}$ a correct gradient lands around $10^{-9}$ or below; the checker
# fails anything above $10^{-6}$. For a layer, `gradcheck_layer(forward, backward, inputs)` draws a random upstream
# gradient and checks every input; for inputs with a time axis it also says **which steps** are wrong. Our loop passes:

# %%
layer_inputs = {"x": x, "h0": rng.standard_normal((N, H)), "Wx": params["Wx"], "Wh": params["Wh"], "b": params["b"]}
gradcheck_layer(rnn_forward, rnn_backward_loop, layer_inputs)

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

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Reading the report
#
# 1. **Which inputs?** Every one of them is wrong, so the bug is in something they all share: the gradient flowing
#    through the states, not one parameter's formula.
# 2. **Which time steps?** `x` is right at the **last** step (t = 5, the report counts from 0 like the arrays) and
#    wrong at every earlier one. At the last step nothing comes from the future; everywhere else something must. So
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

# %% [markdown] slideshow={"slide_type": "fragment"}
# Only `Wh` is wrong, so the flow of gradient through the states is right (otherwise `x`, `h0` and `b` would be
# wrong too) and the bug is in the one line that computes `dWh`: it uses $h_t$ where the formula has $h_{t-1}$.
#
# **How to use the checker on your own code**: check the one-step backward first (no time axis, fewer places for a
# bug), then the sequence. Use small sizes (it costs two forward passes per entry), float64, and inputs that are not
# all zero or symmetric, so that a swapped index or a missing term cannot hide.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Where the gradient goes
#
# Every loss term $E_t$ sends gradient to every earlier copy $k \le t$ of $W_h$: the table $G[t, k]$ of section 2.4.
# Left, the size of each entry; right, each copy's total (the sum down a column). A longer sequence and a
# recurrent matrix whose singular values are all 0.8 make the pattern visible:

# %% slideshow={"slide_type": "skip"}
def make_problem(T, scale, seed=0, N=4, D=4, H=8, V=5):
    """A tanh RNN over a random sequence, scored at every step; returns the cache and dE_t/dh_t."""
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

# %% [markdown] slideshow={"slide_type": "subslide"}
# Along each row the contributions fade as $k$ moves away from $t$: the gradient of $E_t$ has been through more
# Jacobians. The diagonal ($k = t$, no Jacobian at all) dominates. So the total $\partial E/\partial W_h$ is made
# mostly of **short-range** terms: whatever links an input to a loss 15 steps later is a tiny part of it.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The gradient reaching $h_k$ from $E_T$
#
# Keep only the last loss: set the direct gradient to zero except at $t = T$ and run BPTT; `dh_all` is the
# gradient arriving at every state. Its size, for three scales of $W_h$:

# %%
reach = {}
for scale in (0.5, 1.0, 1.5):
    c_s, dh_s = make_problem(T=30, scale=scale)
    dh_last = np.zeros_like(dh_s)
    dh_last[:, -1] = dh_s[:, -1]  # only E_T
    dh_all = rnn_backward(dh_last, c_s).dh_all  # (N, T, H): the gradient arriving at every state
    reach[f"singular values of $W_h$ = {scale}"] = np.linalg.norm(dh_all, axis=(0, 2))
fig, ax = new_figure(figsize=(7.5, 3.2))
plot_gradient_reaching(reach, ax=ax)

# %% [markdown] slideshow={"slide_type": "subslide"}
# With singular values 0.5 the gradient shrinks by at least half per step (0.5 from $W_h$, times tanh's slope, at
# most 1) and nothing reaches the start. With 1.5 it
# does not explode here: tanh saturates, its slope $1 - h^2$ gets small and pulls the product down. Lesson 03 takes
# this apart.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Explore it
#
# All three views in one demo: drag the scale of $W_h$, then truncate (next section) and see which pairs $(t, k)$
# are dropped and what that does to $\partial E/\partial W_h$.

# %%
bptt_demo()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Truncated BPTT
#
# Full BPTT on a long sequence (a book, a day of sensor data) needs every state of the sequence kept in memory, and
# gives one update per pass over it. **Truncated** BPTT cuts the backward pass short. The package has both common
# forms, `rnn_backward(dh, cache, truncate=k, truncate_mode=...)`:
#
# - **`"chunk"`**: cut the sequence into blocks of $k$ steps; no gradient crosses a block boundary (the state
#   itself still does). This is what training on long text does: Karpathy's min-char-rnn (blocks of 25 characters,
#   `hprev` carried over), and in PyTorch `h = h.detach()` every $k$ steps.
# - **`"window"`**: every loss $E_t$ sends its gradient back at most $k$ steps, to $h_{t-k+1}$. This is
#   Williams and Peng's BPTT($k$); it keeps more of the gradient than chunking with the same $k$.
#
# Which pairs (loss $E_t$, copy $k$) each one keeps:

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


for k in (1, 4, 6):
    mine = rnn_backward_loop_chunked(dh_direct, cache, k)
    theirs = rnn_backward(dh_direct, cache, truncate=k, truncate_mode="chunk")
    print(f"k = {k}: largest relative error vs rnn_backward(truncate={k}, 'chunk'):",
          f"{max(rel_error(a, b_) for a, b_ in zip(mine, theirs, strict=True)):.1e}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### How wrong is the truncated gradient?
#
# A 48-step sequence, singular values of $W_h$ all 0.9; for every $k$, the relative error of the truncated
# $\partial E/\partial W_h$ against full BPTT, next to how many single-step backward operations each variant performs
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

# %% slideshow={"slide_type": "subslide"}
plot_truncation(ks, errors, costs=costs, T=T_long)

# %% [markdown] slideshow={"slide_type": "subslide"}
# - **Window** truncation converges geometrically in $k$: each extra step back adds a term that has been through
#   one more Jacobian.
# - **Chunk** truncation stays far off for every $k < T$: a loss just after a boundary keeps only one or two steps of
#   history, so on average a loss sees $k/2$ steps back. Its gradient is *biased*, not just noisy.
# - Neither is cheaper for **one** gradient of a stored sequence: full BPTT is already $T$ step-backwards. Chunking
#   costs the same $T$; the window form costs about $T k$ (every loss walks back up to $k$ steps on its own). At
#   $k = T$ the window keeps every pair, which *is* full BPTT, and the package runs it as one backward walk: hence
#   the drop to $T$ at the right end of the cost plot.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### So what does truncation save?
#
# Its purpose is training on a **stream**, updating the weights every $k$ steps. Exact gradients would mean
# back-propagating from step $t$ all the way to the start at every update, and keeping every state since the start.
# Counted with the same step counter, then timed on a 1000-step stream (4 sequences, 16 units, an update every 50 steps):

# %% slideshow={"slide_type": "subslide"}
stream_T = 1000
print(f"{'update every k':>14} | {'full-history steps':>18} | {'chunked steps':>13} | {'ratio':>6} | states kept: full vs chunked")
for k in (10, 25, 50, 100):
    full_history = sum(count_backward_steps(j * k) for j in range(1, stream_T // k + 1))
    chunked = sum(count_backward_steps(k) for _ in range(stream_T // k))
    print(f"{k:>14} | {full_history:>18,} | {chunked:>13,} | {full_history / chunked:>6.1f} | {stream_T} vs {k}")

# %% slideshow={"slide_type": "subslide"}
r = np.random.default_rng(3)
Ns, Ds, Hs, k = 4, 8, 16, 50
xs = r.standard_normal((Ns, stream_T, Ds))
Wx_s, Wh_s, b_s = xavier_normal((Ds, Hs), rng=r), orthogonal((Hs, Hs), gain=0.9, rng=r), np.zeros(Hs)
dh_stream = r.standard_normal((Ns, stream_T, Hs))  # stands in for dE_t/dh_t

start = time.perf_counter()
for j in range(1, stream_T // k + 1):  # exact: forward and back over the whole history at each update
    hs, c = rnn_forward(xs[:, : j * k], None, Wx_s, Wh_s, b_s)
    rnn_backward(dh_stream[:, : j * k], c)
seconds_full = time.perf_counter() - start

start = time.perf_counter()
h_carry = np.zeros((Ns, Hs))
for j in range(stream_T // k):  # truncated: forward and back over the current block, carry the state
    block = slice(j * k, (j + 1) * k)
    hs, c = rnn_forward(xs[:, block], h_carry, Wx_s, Wh_s, b_s)
    rnn_backward(dh_stream[:, block], c)
    h_carry = hs[:, -1]
seconds_chunked = time.perf_counter() - start
print(f"measured, k = {k}: full history {seconds_full:.3f} s, chunked {seconds_chunked:.3f} s "
      f"({seconds_full / seconds_chunked:.0f}x)")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What truncation cannot do
#
# With truncation $k$, no gradient links an input to a loss more than $k$ steps later, so the net cannot *learn*
# such a dependency (it can still *use* the state, which flows forward untruncated). Here is the gradient of the last
# loss with respect to the first input, on the 48-step problem:

# %%
dh_last_48 = np.zeros_like(dh_48)
dh_last_48[:, -1] = dh_48[:, -1]
for k in (None, 40, 47):
    dx_first = rnn_backward(dh_last_48, cache_48, truncate=k, truncate_mode="window").dx[:, 0]
    label = "full BPTT" if k is None else f"window k = {k}"
    print(f"{label:>14}: |dE_T/dx_1| = {np.linalg.norm(dx_first):.2e}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# Exactly zero with $k < T$. Full BPTT does not fix this by itself either: the gradient it does deliver has been
# through 47 Jacobians. Lesson 03 is about that number.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - BPTT is backpropagation on the unrolled graph. Walking back from $t = T$:
#   $\delta h_t = \delta z_t W_y^\top + \delta a_{t+1} W_h^\top$ and $\delta a_t = \delta h_t \odot (1 - h_t^2)$.
# - Shared weights get the **sum** of the gradients of their copies: $\partial E/\partial W_h = \sum_t h_{t-1}^\top \delta a_t$,
#   and likewise for $W_x$, $b$, $W_y$, $b_y$ (checked copy by copy against finite differences).
# - Every loss reaches every earlier copy through a product of Jacobians
#   $\operatorname{diag}(1 - h_j^2) W_h^\top$; far-apart pairs contribute little when that product shrinks.
# - The gradient checker says which input and which time steps are wrong: "right at the last step only" means the
#   gradient from the future is missing; "only `Wh` wrong" points at one line.
# - Truncated BPTT (`truncate=k`): `"chunk"` costs $T$ and is badly biased, `"window"` converges fast in $k$ but costs
#   about $Tk$. Its real saving is on streams: $O(T)$ work and $k$ stored states instead of $O(T^2/k)$ and $T$.
#
# **Next**: the exercise [`exercises/02_bptt.ipynb`](../exercises/02_bptt.ipynb) (`rnn_step_backward`, `rnn_backward`,
# the gradient checker, truncation), then
# [lesson 03](03_vanishing_and_exploding_gradients.ipynb): what the product of Jacobians does over many steps.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Check your understanding
#
# 1. Why is $\partial E/\partial W_h = \sum_t h_{t-1}^\top \delta a_t$ and not $\sum_t h_t^\top \delta a_t$?
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
# 2. $\delta a_1 W_h^\top = \partial E/\partial h_0$: the gradient "from the future" of the initial state. The loop
#    returns it as `dh0`.
# 3. Right at the last step only, wrong before: the carried gradient from the future is missing or wrong (not added,
#    reset, or multiplied by the wrong matrix, e.g. `Wh` instead of `Wh.T`).
# 4. The states' gradients are right (otherwise `x` and `h0` would be wrong), so only the `db` line can be. Typical
#    mistakes: `db = da.sum(axis=0)` instead of `+=` (keeps one step instead of the sum over steps), or summing `da`
#    over the wrong axis.
# 5. $k = 1$: only the diagonal terms $G[t, t] = h_{t-1}^\top (\partial E_t/\partial h_t \odot (1 - h_t^2))$, no
#    Jacobian at all. $k \ge T$: everything, i.e. full BPTT.
# 6. About $10^7$ step-backwards (one per character, the same as full BPTT would need for one gradient), and only
#    the 100 states of the current chunk (plus the carried $h$), instead of $10^7$.
# </details>

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
