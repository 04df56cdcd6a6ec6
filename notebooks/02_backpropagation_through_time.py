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

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: lesson 01 computed an RNN forward; today we differentiate it, by hand and in code, check the result,
#   and see where the gradient goes and what truncating it costs.
# - **Ask**: an RNN has one $W_h$, used at every step. How many terms does $\partial L/\partial W_h$ have for a
#   sequence of 6 steps?
# - **Answer**: one per step, 6, each through its own copy of $W_h$: they are added (section 2.5 checks it).

# %% [markdown] slideshow={"slide_type": "subslide"}
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

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the plan: derive every gradient, write it as one loop from $t = T$ down to 1, check it, then look at
#   where the gradient goes and what truncation removes.
# - **Ask**: which of these do you expect to be the hard part?
# - **Answer**: usually the gradient "from the future", $\delta a_{t+1} W_h^\top$: forgetting it is the first
#   student's bug in section 4.

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Prerequisites**: lesson 01; the chain rule for vectors (a Jacobian is the matrix of partial derivatives);
# softmax and cross-entropy.
#
# **Time**: about 90 minutes.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the chain rule for vectors is all the maths: a Jacobian is the matrix of partial derivatives, and a
#   gradient is a row vector shaped like what it differentiates.
# - **Ask**: $h = \tanh(a)$ element-wise, with $H$ units. What is the Jacobian $\partial h / \partial a$?
# - **Answer**: the diagonal matrix $\operatorname{diag}(1 - h^2)$: each unit depends only on its own $a$.

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

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: lesson 01's RNN with an output and a cross-entropy loss at every step; the total loss is the sum over
#   the steps.
# - **Ask**: which losses depend on $h_2$?
# - **Answer**: $L_2$ directly, and every later loss $L_3, \dots, L_T$ through $h_3, h_4, \dots$: that is why the
#   gradient at $h_2$ has two parts.

# %% slideshow={"slide_type": "subslide"}
plot_unrolled(4, loss=True, backward=True, title="BPTT: gradients flow back along every path")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the red arrows: each loss sends gradient down to its state, and the horizontal red arrows carry it back
#   through every earlier step.
# - **Ask**: how many red paths reach $h_1$ in this picture?
# - **Answer**: four, one from each of $L_1, \dots, L_4$; BPTT adds them up on the way back.

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

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: a problem small enough to check every gradient numerically: 3 sequences of 6 steps, 4 inputs, 5 units,
#   3 classes, with random labels.
# - **Ask**: what are the shapes of `x` and `Wh`?
# - **Answer**: `x` is (N, T, D) = (3, 6, 4); `Wh` is (H, H) = (5, 5).

# %% slideshow={"slide_type": "subslide"}
def model_loss(x, Wx, Wh, b, Wy, by, y=y):
    """L = sum over every sequence and step of -log y_hat_t[y_t]."""
    h, _ = rnn_forward(x, None, Wx, Wh, b)
    z, _ = temporal_affine_forward(h, Wy, by)
    return softmax_cross_entropy(z, y, reduction="sum")[0]


L_start, chance = model_loss(x, **params), N * T * np.log(V)
print(f"L = {L_start:.4f}  (chance level: N T log V = {chance:.4f}; "
      f"with W_y = 0, L = {model_loss(x, **{**params, 'Wy': np.zeros((H, V))}):.4f})")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the untrained loss is above chance, $N T \log V$; with $W_y = 0$ it is exactly chance (asserted).
# - **Ask**: before the next slide: how can a net that knows nothing do *worse* than guessing uniformly?
# - **Answer**: its random scores are confident about random classes; cross-entropy punishes confident wrong
#   guesses more than it rewards confident right ones.

# %% [markdown] slideshow={"slide_type": "subslide"}
# "Chance" is the loss of predicting $1/V$ for every class, $\log V$ per step. The untrained net is above it because
# its random scores are not all equal and know nothing about the labels: for labels independent of the
# predictions, cross-entropy is smallest, $\log V$, when the predictions are uniform (set $W_y = 0$ and it is exactly
# chance), so any confident guess costs more.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: chance is $\log V$ per step: predict $1/V$ for every class. For labels unrelated to the predictions that
#   is the best possible, so the untrained net's loss starts above it.
# - **Ask**: with $V = 3$ classes, what is the chance loss per step?
# - **Answer**: $\log 3 \approx 1.10$; times $N T = 18$ steps it is the printed chance level.

# %% slideshow={"slide_type": "skip"}
assert np.isclose(model_loss(x, **{**params, "Wy": np.zeros((H, V))}), chance, rtol=1e-12)
assert chance < L_start < 1.5 * chance  # above chance, but not far
assert N * T == 18 and abs(chance / (N * T) - 1.10) < 0.005  # log 3 = 1.10 per step, 18 steps (notes)

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

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: softmax with cross-entropy has the simplest gradient there is: predicted minus true, $\hat y_t -
#   \operatorname{onehot}(y_t)$. $W_y$ and $b_y$ are shared by every step, so their gradients are sums over $t$.
# - **Ask**: the net predicts $\hat y_t = (0.7, 0.2, 0.1)$ and the label is class 2. What is $\delta z_t$?
# - **Answer**: $(0.7, 0.2 - 1, 0.1) = (0.7, -0.8, 0.1)$: push the right class up, the others down.

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

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: two paths out of $h_t$: into its own loss, and into the next step. The second is what makes it
#   *through time*: it carries everything the later losses have to say.
# - **Ask**: why $\delta a_{T+1} = 0$?
# - **Answer**: there is no step after $T$; nothing later depends on $h_T$ except $L_T$.

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

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: once $\delta a_t$ is known at every step, every parameter gradient is a sum over the steps of an
#   outer product: what came in, times what came back.
# - **Ask**: in $\partial L/\partial W_h$, why $h_{t-1}^\top$ and not $h_t^\top$?
# - **Answer**: $W_h$ multiplies $h_{t-1}$ in $a_t$; using $h_t$ is a real bug (the second student's, in
#   section 4).

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

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: unroll the recursion: the gradient of $L_t$ reaches $h_k$ through $t - k$ Jacobians, multiplied latest
#   first, $J_t J_{t-1} \cdots J_{k+1}$, each $J_j = \operatorname{diag}(1 - h_j^2) W_h^\top$.
# - **Ask**: all singular values of $W_h$ are 0.5 and tanh's slope is at most 1. At most how large is the factor
#   after 10 steps back?
# - **Answer**: $0.5^{10} \approx 10^{-3}$: that geometric shrinking is lesson 03.

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

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: why a sum: pretend each step has its own copy of $W_h$; the chain rule through the copies gives the sum
#   of their gradients. We will check it by actually untying the copies.
# - **Ask**: a weight used twice in a feed-forward net, say tied input and output embeddings. What is its gradient?
# - **Answer**: the same rule: the sum of the gradients of its two uses.

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


# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the same model, except step $k$ multiplies by `copies[k]`; with every copy equal to $W_h$ it is the
#   original net. Its numerical gradient with respect to one copy is exactly "the gradient through copy $k$".
# - **Ask**: why not simply perturb $W_h$ itself?
# - **Answer**: that moves all copies at once and gives only the total; untying lets us measure each term of the sum.


# %% slideshow={"slide_type": "subslide"} tags=["split-output"]
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

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: for each copy $k$, the numerical gradient with respect to that copy alone, against the formula's term
#   $\sum_t G[t, k]$; then the sum over the copies against `rnn_backward`'s `dWh`.
# - **Show** (the output, on the slide below the code): every copy agrees (relative errors below $10^{-7}$,
#   asserted), and the sum equals `dWh` to $10^{-12}$.
# - **Ask**: copy 1's gradient is exactly 0. Why?
# - **Answer**: copy 1 multiplies $h_0 = 0$: its gradient $h_0^\top \delta a_1$ is zero whatever $\delta a_1$ is.

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

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: two gradients per state: `dh`, what the losses send directly, and `dh_next`, what the future sends
#   back. The loop adds them, passes the sum through tanh, and sends the result one step further back.
# - **Ask**: the cache stores `h`. Why does the backward pass not need `a`, the pre-activation?
# - **Answer**: $\tanh'(a) = 1 - \tanh^2(a) = 1 - h^2$: the output is enough.

# %% slideshow={"slide_type": "subslide"} tags=["small-code"]
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


# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: read the loop against 2.2: `dh_t = dh[:, t] + dh_next` is the sum of the two paths, `da_t` goes through
#   tanh, and `dh_next = da_t @ Wh.T` is what step $t$ sends back to $h_{t-1}$. After the loop, the weight
#   gradients are single matrix products over all $N T$ rows.
# - **Ask**: what is `dh_next` when the loop ends?
# - **Answer**: $\delta a_1 W_h^\top = \partial L/\partial h_0$, returned as `dh0` (section 5 learns $h_0$ with it).

# %% slideshow={"slide_type": "subslide"}
ours = rnn_backward_loop(dh_direct, cache)
package = rnn_backward(dh_direct, cache)
for name, a, b_ in zip(package.names, ours, package, strict=True):
    print(f"{name:4s} relative error vs rnn_backward: {rel_error(a, b_):.1e}")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: all five gradients equal the package's `rnn_backward` (asserted below $10^{-12}$): it is the same loop.
# - **Ask**: does agreeing with the package prove the loop right?
# - **Answer**: no, only that it does what the package does; finite differences are the independent check (next).

# %% slideshow={"slide_type": "skip"}
assert all(rel_error(a, b_) < 1e-12 for a, b_ in zip(ours, package, strict=True))

# %% [markdown] slideshow={"slide_type": "subslide"}
# The whole model's gradient is the output layer's backward, then BPTT. The package does each piece; here they
# are chained, and the result is checked against finite differences of $E$ itself:

# %% tags=["split-output"]
def model_gradients(x, Wx, Wh, b, Wy, by):
    h, rnn_cache = rnn_forward(x, None, Wx, Wh, b)
    z, aff_cache = temporal_affine_forward(h, Wy, by)
    _, dz = softmax_cross_entropy(z, y, reduction="sum")  # y_hat - onehot(y), every step
    dh, dWy, dby = temporal_affine_backward(dz, aff_cache)  # sums over the steps inside
    dx, _, dWx, dWh, db = rnn_backward_loop(dh, rnn_cache)
    return {"x": dx, "Wx": dWx, "Wh": dWh, "b": db, "Wy": dWy, "by": dby}


whole_model = gradcheck(model_loss, {"x": x, **params}, model_gradients(x, **params), dout=1.0)
whole_model

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the whole model's gradient: softmax cross-entropy gives $\hat y - \operatorname{onehot}(y)$, the output
#   layer's backward turns it into `dh`, and our loop does the rest. `gradcheck` compares every entry with a
#   centred difference of the loss.
# - **Show** (the report, on the slide below): every input and parameter passes, the worst relative error under
#   $10^{-8}$ (asserted).
# - **Ask**: why can the output layer's backward run once for all steps, before the loop?
# - **Answer**: $\partial L_t/\partial h_t = \delta z_t W_y^\top$ does not depend on any other step: only the
#   recurrence needs the walk back.

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

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: perturb one entry by $\pm\varepsilon$, measure the loss, compare the slope with the analytic gradient;
#   the error of the centred difference is $O(\varepsilon^2)$. In float64 a right gradient lands around $10^{-9}$,
#   and $10^{-6}$ is the pass line.
# - **Ask**: why not use a one-sided difference, $(L(\theta + \varepsilon) - L(\theta))/\varepsilon$?
# - **Answer**: its error shrinks like $\varepsilon$, not $\varepsilon^2$: at $\varepsilon = 10^{-6}$ it is of the
#   order of $10^{-6}$ times the curvature, close to the pass line itself (measured on $W_h$: $3 \cdot 10^{-7}$,
#   against $10^{-9}$ centred).

# %% slideshow={"slide_type": "subslide"}
layer_inputs = {"x": x, "h0": rng.standard_normal((N, H)), "Wx": params["Wx"], "Wh": params["Wh"], "b": params["b"]}
loop_report = gradcheck_layer(rnn_forward, rnn_backward_loop, layer_inputs)
loop_report

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: one row per input of the layer, `x`, `h0`, `Wx`, `Wh`, `b`, all ok, the worst under $10^{-8}$
#   (asserted); the last column, wrong time steps, is empty.
# - **Ask**: `gradcheck_layer` draws a random upstream gradient `dh`. Why random, not all ones?
# - **Answer**: a symmetric or all-ones `dh` can hide a bug, such as a swapped index or a missing transpose, that a
#   random one exposes.

# %% slideshow={"slide_type": "skip"}
assert loop_report.ok and loop_report.max_error < 1e-8 and whole_model.max_error < 1e-8
assert loop_report.tol == whole_model.tol == 1e-6  # the pass line


# %% slideshow={"slide_type": "skip"}
# The notes' one-sided difference, measured on W_h: its error is far above the centred one's, near the pass line
def loss_of_Wh(W):
    return model_loss(x, **{**params, "Wh": W})


analytic_Wh, eps = model_gradients(x, **params)["Wh"], 1e-6
one_sided = np.zeros_like(analytic_Wh)
for idx in np.ndindex(analytic_Wh.shape):
    W_plus = params["Wh"].copy()
    W_plus[idx] += eps
    one_sided[idx] = (loss_of_Wh(W_plus) - L_start) / eps
one_sided_error = rel_error(one_sided, analytic_Wh)
centred_error = rel_error(numerical_gradient(loss_of_Wh, params["Wh"], eps=eps), analytic_Wh)
print(f"one-sided: relative error {one_sided_error:.1e}; centred: {centred_error:.1e}")
assert 1e-7 < one_sided_error < 1e-6 and one_sided_error > 100 * centred_error

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


# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: it runs, the shapes are right, and it looks like the derivation. Give the room thirty seconds to find the
#   bug by reading, then run the checker.
# - **Ask**: what is wrong with this loop?
# - **Answer**: `dh_next` is computed at the end of every iteration and never used: `da` should be
#   `(dh[:, t] + dh_next) * (1 - h[:, t] ** 2)`. Most people do not spot it by reading, which is the point.

# %% slideshow={"slide_type": "subslide"}
report = gradcheck_layer(rnn_forward, student_rnn_backward, layer_inputs)
report

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: every input fails, and the last column lists the wrong time steps: `x` is wrong at steps 0 to 4 and
#   right at step 5 (asserted), where the report counts from 0 like the arrays.
# - **Ask**: what is special about the last step, the only one that is right?
# - **Answer**: nothing comes from the future at $t = T$, so a missing future gradient changes nothing there.

# %% slideshow={"slide_type": "subslide"}
plot_gradcheck(report)

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the same report as a picture: the error per input, and for the inputs with a time axis, per step; the
#   last step sits below the tolerance line, every earlier one far above.
# - **Say**: a pattern over time is the fastest way to a bug in BPTT: "right only at the end" means the gradient
#   from the future is missing.

# %% slideshow={"slide_type": "skip"}
assert set(report.failing) == set(layer_inputs)  # every input is wrong
assert report["x"].bad_steps(report.tol) == list(range(T - 1))  # x: wrong at every step but the last
assert report["x"].time_errors[:-1].min() > 1e4 * report.tol  # every earlier step far above the line

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

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: three questions, in this order: which inputs, which steps, which line. Every input wrong means the
#   shared path, the states; right only at the last step means the future is missing; then one line is left.
# - **Ask**: another report: `x` wrong only at step 0, and `h0`, `Wx`, `Wh`, `b` all wrong. Where would you look?
# - **Answer**: at the loop's range: it never runs `t = 0` (say `range(T - 1, 0, -1)`), so the first step's terms
#   are missing from every sum, and `dh0` never receives $\delta a_1 W_h^\top$.

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


# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: this one does add `dh_next`. Read it against the formulas of 2.3.
# - **Ask**: which row of the report will be red?
# - **Answer**: only `Wh`: `dWh += h[:, t].T @ da` uses $h_t$ where the formula has $h_{t-1}$.

# %% slideshow={"slide_type": "subslide"}
second = gradcheck_layer(rnn_forward, second_student_rnn_backward, layer_inputs)
print(second.summary())
print("inputs that are wrong:", second.failing)

# %% slideshow={"slide_type": "skip"}
assert second.failing == ["Wh"]
assert second["Wh"].rel_error > 0.99  # a relative error of 1 (notes)

# %% [markdown] slideshow={"slide_type": "fragment"}
# Only `Wh` is wrong, so the flow of gradient through the states is right (otherwise `x`, `h0` and `b` would be
# wrong too) and the bug is in the one line that computes `dWh`: it uses $h_t$ where the formula has $h_{t-1}$.
#
# **How to use the checker on your own code**: check the one-step backward first (no time axis, fewer places for a
# bug), then the sequence. Use small sizes (it costs two forward passes per entry), float64, and inputs that are not
# all zero or symmetric, so that a swapped index or a missing term cannot hide.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: only `Wh` fails (asserted), with a relative error of 1: the flow through the states is right, since
#   `x`, `h0` and `b` would be wrong too otherwise.
# - **Say**: check the one-step backward before the sequence, with small float64 sizes and inputs that are not
#   symmetric.
# - **Ask**: why does `x` not fail, when `dWh` is wrong?
# - **Answer**: the wrong line only adds into `dWh`; nothing else reads it, so `da`, `dh_next` and `dx` are right.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. The initial state can be learned too
#
# So far $h_0 = 0$. But $h_0$ is just another input of the first step, $a_1 = x_1 W_x + h_0 W_h + b$, and its
# gradient is the last thing the loop computes: $\partial L/\partial h_0 = \delta a_1 W_h^\top$, returned as `dh0`
# (one row per sequence). To **learn** one initial state for every sequence, keep a single vector $h_0$ of shape
# $(H,)$ and broadcast it to $(N, H)$: like a shared weight, its gradient is the **sum** of the $N$ per-sequence
# gradients. Checked against finite differences:

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: $h_0$ is one more input of the first step, and BPTT already computes its gradient: the `dh0` the loop
#   returns. One $h_0$ shared by the batch is like a shared weight: its gradient is the sum over the sequences.
# - **Ask**: `dh0` has shape (N, H). What shape is the gradient of a single learned $h_0$ of shape (H,), and how do
#   you get it?
# - **Answer**: (H,): `dh0.sum(axis=0)`, the sum over the N sequences that share it.

# %% slideshow={"slide_type": "subslide"} tags=["split-output"]
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

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the loss as a function of one shared $h_0$, broadcast to every sequence, checked by `gradcheck`
#   against the sum of `dh0`'s rows.
# - **Show** (the report, on the slide below the code): they agree to under $10^{-8}$ (asserted).
# - **Ask**: what would the check say if we used `dh0.mean(axis=0)` instead?
# - **Answer**: wrong by a factor of N = 3 in every entry: the loss sums over the sequences, so the gradient does too.

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

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: with a bias at every step, $h_0 = 0$ is often as good as any start. Here the start is special: the
#   battery is full before the first step, and full is the end of the range a tanh unit can hold.
# - **Ask**: predict: where will learning $h_0$ help, full start or half-full start?
# - **Answer**: full start: half full is the middle of the range, which the net can reach from 0 for free.

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


# %% slideshow={"slide_type": "subslide"} tags=["split-output", "fit-output"]
counter_errors = {}
print("start     seed | h_0 fixed at 0: error at t = 1, all steps | h_0 learned: error at t = 1, all steps")
for start, name in ((4, "full"), (2, "half-full")):
    for seed in range(4):
        for learn_h0 in (False, True):
            per_step = counter_errors_per_step(train_counter_rnn(learn_h0, seed, start), start, learn_h0)
            counter_errors[start, seed, learn_h0] = (per_step[0], per_step.mean())
        fixed, learned_h0 = counter_errors[start, seed, False], counter_errors[start, seed, True]
        print(f"{name:9} {seed:4d} | {fixed[0]:26.5f}, {fixed[1]:9.5f} | {learned_h0[0]:23.5f}, {learned_h0[1]:9.5f}")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: for each start and seed, one net with $h_0$ fixed at 0 and one with $h_0$ learned, from the same
#   weights; the table gives each net's squared error at the first step and over all 12 steps, on fresh sequences.
# - **Show** (the table, on the slide below the code): full start, first step: learned $h_0$ is at least 3 times
#   better on every seed (asserted); half-full start: much less difference, and not on every seed.
# - **Ask**: why does the first step show the difference most clearly?
# - **Answer**: it is the only step whose state comes straight from $h_0$; later steps have read inputs and can
#   correct a bad start.

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

# %% [markdown] slideshow={"slide_type": "subslide"}
# Learning $h_0$ helps when the counter starts full: on every seed the error at the first step falls at least
# threefold, and the error over all 12 steps falls too, by more than half in the median. The net with $h_0 = 0$ does
# learn the task, but it has to spend weights on making its first step behave differently from the others, and that
# costs accuracy. When the counter starts half full, in the middle of the range, the gain is much smaller and not
# there on every seed. So: $h_0$ is a parameter like any other, with a gradient BPTT already computes; learn it when
# the start of every sequence is special.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: full start: the error over all 12 steps falls by more than half in the median (asserted: the median
#   ratio is above 2); half full: the median ratio is below 1.5 and one seed is even worse with a learned $h_0$.
# - **Ask**: the net with $h_0 = 0$ still learns the task. What does it pay?
# - **Answer**: weights spent on making the first step behave differently from the others, and that costs accuracy
#   at every step.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Where the gradient goes
#
# Every loss term $L_t$ sends gradient to every earlier copy $k \le t$ of $W_h$: the table $G[t, k]$ of section 2.4.
# Left, the size of each entry; right, each copy's total (the sum down a column). A longer sequence and a
# recurrent matrix whose singular values are all 0.8 make the pattern visible:

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the table $G[t, k]$ of 2.4: what loss $L_t$ sends to the copy of $W_h$ at step $k$. 20 steps, and every
#   singular value of $W_h$ 0.8, so the pattern is easy to see.
# - **Ask**: why is the table triangular, $k \le t$ only?
# - **Answer**: a loss cannot depend on a step that comes after it: $L_t$ is computed before the copies $k > t$ are
#   used.

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


# %% tags=["remove-input"]
cache_20, dh_20 = make_problem(T=20, scale=0.8)
G_20 = dWh_contributions(dh_20, cache_20)
fig, axes = new_figure(figsize=(12, 3.7), ncols=2)
plot_contribution_matrix(G_20, ax=axes[0])
plot_copy_contributions(G_20, ax=axes[1])
fig

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: left, the size of each $G[t, k]$ on a log colour scale: brightest on the diagonal, fading to the lower
#   left; right, each copy's total.
# - **Ask**: the last copies are reached by fewer losses than the early ones. Why do their totals show no trend?
# - **Answer**: each copy's total is dominated by the few losses nearest to it, its diagonal term most; the far
#   losses the early copies also get add little. (Copy 1 gets nothing at all: it multiplies $h_0 = 0$.)

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

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the mean size of $G[t, k]$ falls with every step of lag (asserted for lags 0 to 15), to under a
#   hundredth by lag 15; the diagonal holds almost half of the total; pairs 15 or more steps apart add up to under
#   1% of $\partial L/\partial W_h$ (asserted).
# - **Ask**: what does that mean for learning a dependency 15 steps long?
# - **Answer**: its signal is a tiny part of the gradient, buried under the short-range terms.

# %% slideshow={"slide_type": "skip"}
assert np.all(np.diff(by_lag[:16]) < 0)  # fades with every step between t and k
assert by_lag[15] < 1e-2 * by_lag[0]
assert diagonal_share > 0.4 and by_lag[0] > 1.5 * by_lag[1]  # the diagonal dominates
assert far < 1e-2  # long-range pairs: a tiny part of the gradient
copy_totals = np.linalg.norm(G_20.sum(axis=0), axis=(1, 2))  # each copy's total, the right panel
assert copy_totals[0] == 0  # copy 1 multiplies h_0 = 0
assert abs(np.corrcoef(np.arange(2, 21), copy_totals[1:])[0, 1]) < 0.5  # no trend along the copies

# %% [markdown] slideshow={"slide_type": "subslide"}
# Along each row the contributions fade as $k$ moves away from $t$: the gradient of $L_t$ has been through more
# Jacobians. The diagonal ($k = t$, no Jacobian at all) dominates: its entries are the largest, and together
# almost half of the total. So the total $\partial L/\partial W_h$ is made mostly of **short-range** terms: whatever
# links an input to a loss 15 steps later is a tiny part of it.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: along each row, each step further back adds one more Jacobian, and each Jacobian shrinks the gradient
#   here. The total gradient is made mostly of short-range terms.
# - **Ask**: the diagonal terms $G[t, t]$ go through no Jacobian at all. What do they teach $W_h$?
# - **Answer**: how $h_{t-1}$ should affect $L_t$ one step later: short-range structure only.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The gradient reaching $h_k$ from $L_T$
#
# Keep only the last loss: set the direct gradient to zero except at $t = T$ and run BPTT; `dh_all` is the
# gradient arriving at every state. Its size, for three scales of $W_h$:

# %% tags=["split-output", "fit-output"]
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

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: keep only the last loss, run BPTT, and measure the gradient that arrives at every state, for singular
#   values 0.5, 1.0 and 1.5 of $W_h$.
# - **Show** (the output, on the slide below the code): with 0.5 the gradient reaching $h_1$ is below $10^{-8}$ of
#   what $h_T$ gets (asserted); with 1.5 it does not explode (the largest ratio stays under 10, asserted), and the
#   mean tanh slope falls as the scale grows.
# - **Ask**: singular values 1.5 and no explosion: why?
# - **Answer**: larger recurrent weights push the units into saturation, where tanh's slope $1 - h^2$ is small; the
#   slopes pull the product down (lesson 03 takes this apart).

# %% slideshow={"slide_type": "subslide"} tags=["remove-input"]
fig, ax = new_figure(figsize=(7.5, 3.2))
plot_gradient_reaching({f"singular values of $W_h$ = {scale}": r for scale, r in reach.items()}, ax=ax)

# %% slideshow={"slide_type": "skip"}
assert np.all(reach[0.5][:-1] <= 0.5 * reach[0.5][1:] * (1 + 1e-9))  # at least halved at every step back
assert reach[0.5][0] < 1e-8 * reach[0.5][-1]  # nothing reaches the start
assert reach[1.5].max() < 10 * reach[1.5][-1]  # 1.5 does not explode here ...
assert slopes[1.5] < slopes[1.0] < slopes[0.5]  # ... because the units saturate more
assert (reach[0.5][0] / reach[0.5][-1] < reach[1.0][0] / reach[1.0][-1]
        < reach[1.5][0] / reach[1.5][-1])  # 0.5 falls fastest, then flatter for 1.0 and 1.5

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the gradient's size at every state $h_k$, log scale, from $k = T$ on the right back to 1: a straight
#   line down for 0.5 (geometric decay), flatter for 1.0 and 1.5.
# - **Ask**: what does the slope of a straight line on this log plot measure?
# - **Answer**: the factor per step back: for 0.5 it is at most one half, 0.5 from $W_h$ times a tanh slope of at
#   most 1.

# %% [markdown] slideshow={"slide_type": "subslide"}
# With singular values 0.5 the gradient shrinks by at least half per step (0.5 from $W_h$, times tanh's slope, at
# most 1) and nothing reaches the start. With 1.5 it does not explode here: the larger recurrent weights drive the
# units further into saturation, tanh's mean slope $1 - h^2$ is the smallest of the three, and it pulls the product
# down. Lesson 03 takes this apart.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the factor per step is the singular value times tanh's slope. The scale of $W_h$ alone does not decide:
#   the slopes along the way count too.
# - **Ask**: what would happen with 1.5 and a *linear* RNN?
# - **Answer**: no saturation to pull it down: the gradient would grow like $1.5^{T-k}$, an explosion.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Explore it
#
# All three views in one demo: drag the scale of $W_h$, then truncate (next section) and see which pairs $(t, k)$
# are dropped and what that does to $\partial L/\partial W_h$.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the three views of this section in one figure, with a slider for the scale of $W_h$ and one for the
#   truncation of the next section.
# - **Ask**: before moving the slider: what will a larger scale do to the table $G[t, k]$?
# - **Answer**: the fading along each row slows down: more of the gradient comes from far back.

# %%
bptt_demo()

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: in JupyterLab, drag the scale from 0.5 to 1.5 and watch the table fill in towards the lower left; then
#   set a truncation and watch which pairs $(t, k)$ are dropped and how much $\partial L/\partial W_h$ changes.
# - **Ask**: with a small scale, does truncating to a few steps change the gradient much?
# - **Answer**: hardly: the pairs it drops were tiny anyway. With a scale near 1 it drops much more.

# %% slideshow={"slide_type": "skip"}
# The answer, measured on a problem like the demo's (24 steps): window truncation to 4 steps
truncation_cost = {}
for scale in (0.5, 1.0):
    c_d, dh_d = make_problem(T=24, scale=scale)
    full_d = rnn_backward(dh_d, c_d).dWh
    truncation_cost[scale] = rel_error(rnn_backward(dh_d, c_d, truncate=4, truncate_mode="window").dWh, full_d)
print("relative change of dL/dW_h with window k = 4:", {s: f"{e:.3f}" for s, e in truncation_cost.items()})
assert truncation_cost[0.5] < 0.02 and truncation_cost[1.0] > 5 * truncation_cost[0.5]

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

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: full BPTT keeps every state of a long sequence and gives one update per pass. Truncation cuts the
#   backward pass short, in two common forms: blocks of $k$ steps (chunk), or the last $k$ steps of every loss
#   (window).
# - **Ask**: in PyTorch, `h = h.detach()` every $k$ steps. Which form is that?
# - **Answer**: chunk: no gradient crosses the detach, but the state's value still does.

# %% slideshow={"slide_type": "subslide"}
plot_truncation_masks(12, 4)

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: 12 steps, $k = 4$: chunking keeps triangles inside each block of 4; the window keeps a band of width 4
#   along the diagonal.
# - **Ask**: which form keeps more pairs for the same $k$?
# - **Answer**: the window: every loss gets its last $k$ steps, while a loss at the start of a block gets only one.

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


# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: section 3's loop with one more line: at every block boundary, `dh_next` is reset to zero. The forward
#   states are untouched.
# - **Ask**: with $k = 1$, what is left of BPTT?
# - **Answer**: only each loss's own step: `dh_next` is reset after every step, so no gradient crosses any step.

# %% slideshow={"slide_type": "subslide"}
chunk_errors = []
for k in (1, 4, 6):
    mine = rnn_backward_loop_chunked(dh_direct, cache, k)
    theirs = rnn_backward(dh_direct, cache, truncate=k, truncate_mode="chunk")
    chunk_errors.append(max(rel_error(a, b_) for a, b_ in zip(mine, theirs, strict=True)))
    print(f"k = {k}: largest relative error vs rnn_backward(truncate={k}, 'chunk'): {chunk_errors[-1]:.1e}")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the one-line change equals the package's `truncate=k, truncate_mode="chunk"` for $k$ = 1, 4 and 6
#   (asserted below $10^{-12}$).
# - **Ask**: $k = 6$ with $T = 6$: what is that?
# - **Answer**: one block covering the whole sequence: full BPTT.

# %% slideshow={"slide_type": "skip"}
assert max(chunk_errors) < 1e-12
window_mask = truncation_mask(12, 4, "window")
assert np.all((np.arange(12)[:, None] - np.arange(12)[None, :])[window_mask] <= 3)  # at most k - 1 = 3 steps back
assert window_mask.sum() > truncation_mask(12, 4, "chunk").sum()  # the window keeps more pairs (42 against 30)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### How wrong is the truncated gradient?
#
# A 48-step sequence, singular values of $W_h$ all 0.9; for every $k$, the relative error of the truncated
# $\partial L/\partial W_h$ against full BPTT, next to how many single-step backward operations each variant performs
# (`count_backward_steps`: how many times the loop steps back).

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: two prices to compare for every $k$: how wrong the truncated gradient of $W_h$ is, and how many
#   step-backwards it costs.
# - **Ask**: with $k = T = 48$, what should both errors be?
# - **Answer**: exactly 0: both forms keep every pair at $k = T$ (asserted), which is full BPTT.

# %% slideshow={"slide_type": "subslide"} tags=["split-output", "fit-output"]
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

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: a 48-step sequence, every singular value of $W_h$ 0.9; for every $k$ from 1 to 48, the relative error of
#   each truncated $\partial L/\partial W_h$ and the number of backward steps it costs.
# - **Show** (the output, on the slide below the code): from $k = 10$ to 40 the window's error falls more than
#   10,000-fold, chunking's less than 10-fold (both asserted); the window is never worse at the same $k$.
# - **Ask**: before the numbers: which one should converge faster, and why?
# - **Answer**: the window: each extra step adds a term through one more Jacobian, geometrically smaller; chunking
#   leaves the losses near a block's start with a step or two of history, whatever $k$ is.

# %% slideshow={"slide_type": "skip"}
rerun = rel_error(rnn_backward(dh_48, cache_48, truncate=10, truncate_mode="chunk").dWh, full)
assert rerun == errors["chunk"][9]  # deterministic: the same error every time, for both modes
assert fall["window"] > 1e4 and fall["chunk"] < 10  # geometric against slow
assert np.all(errors["window"][:-1] <= errors["chunk"][:-1] * (1 + 1e-12))  # window never worse at the same k
assert errors["chunk"][T_long - 1] == errors["window"][T_long - 1] == 0.0  # k = T: full BPTT
assert np.all(costs["chunk"] == T_long) and costs["window"][39] > 20 * T_long  # T against about T k
assert np.all(costs["window"][:-1] <= T_long * ks[:-1]) and costs["window"][9] > 0.85 * T_long * 10  # about T k
for k in (4, 10, 20):  # chunking: on average a loss sees only about k/2 steps back
    assert abs(truncation_mask(T_long, k, "chunk").sum() / T_long - k / 2) < 1

# %% slideshow={"slide_type": "subslide"}
plot_truncation(ks, errors, costs=costs, T=T_long)

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: left, the error against $k$ on a log scale: the window's falls in a straight line, chunking's
#   crawls; right, the cost: chunking is always $T = 48$ steps, the window about $T k$, dropping to $T$ at $k = T$.
# - **Ask**: why does the window's cost drop back to 48 at the right end?
# - **Answer**: at $k = T$ the window keeps every pair, which is full BPTT, and the package runs it as one walk back.

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

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: both truncations are deterministic and biased: they leave out a fixed set of terms every time, so the
#   error does not average out over updates. The difference is how fast the bias falls with $k$.
# - **Ask**: for one gradient of a stored sequence, is truncation cheaper than full BPTT?
# - **Answer**: no: full BPTT is already $T$ steps back; chunking costs the same, the window more. The saving is
#   elsewhere (next slide).

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### So what does truncation save?
#
# Its purpose is training on a **stream**, updating the weights every $k$ steps. Exact gradients would mean
# back-propagating from step $t$ all the way to the start at every update, and keeping every state since the start.
# Counted with the same step counter, then timed (CPU time of this process) on a 1000-step stream (4 sequences,
# 16 units, an update every 50 steps):

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: truncation pays off on a stream with an update every $k$ steps: exact gradients would walk back to the
#   very start at every update, and keep every state since then.
# - **Ask**: a stream of 1000 steps, an update every 50. How many updates, and how far back does the last exact one
#   walk?
# - **Answer**: 20 updates; the last one walks all 1000 steps back.

# %% slideshow={"slide_type": "subslide"} tags=["fit-output"]
stream_T = 1000
print(f"{'update every k':>14} | {'full-history steps':>18} | {'chunked steps':>13} | {'ratio':>6} | states kept: full vs chunked")
stream_ratio = {}
for k in (10, 25, 50, 100):
    full_history = sum(count_backward_steps(j * k) for j in range(1, stream_T // k + 1))
    chunked = sum(count_backward_steps(k) for _ in range(stream_T // k))
    stream_ratio[k] = full_history / chunked
    print(f"{k:>14} | {full_history:>18,} | {chunked:>13,} | {stream_ratio[k]:>6.1f} | {stream_T} vs {k}")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: counted, not timed: exact gradients cost $(T/k + 1)/2$ times as many backward steps as chunks
#   (asserted for every $k$), 10.5 times at $k = 50$, and keep all 1000 states instead of $k$.
# - **Ask**: the ratio grows as $k$ shrinks. Why?
# - **Answer**: more updates, each walking back over the whole history so far: the exact cost grows like $T^2/k$,
#   the chunked one stays $T$.

# %% slideshow={"slide_type": "skip"}
for k, ratio in stream_ratio.items():
    assert ratio == (stream_T / k + 1) / 2  # full history: (T/k)(T/k + 1)/2 blocks of k steps; chunked: T/k blocks

# %% slideshow={"slide_type": "subslide"} tags=["split-output", "small-code"]
r = np.random.default_rng(3)
Ns, Ds, Hs, k = 4, 8, 16, 50
xs = r.standard_normal((Ns, stream_T, Ds))
Wx_s, Wh_s, b_s = xavier_normal((Ds, Hs), rng=r), orthogonal((Hs, Hs), gain=0.9, rng=r), np.zeros(Hs)
dh_stream = r.standard_normal((Ns, stream_T, Hs))  # stands in for dL_t/dh_t

steps_run = {"full": 0, "chunked": 0}  # backward steps the two loops really take
start = time.process_time()
for j in range(1, stream_T // k + 1):  # exact: forward and back over the whole history at each update
    hs, c = rnn_forward(xs[:, : j * k], None, Wx_s, Wh_s, b_s)
    rnn_backward(dh_stream[:, : j * k], c)
    steps_run["full"] += hs.shape[1]
seconds_full = time.process_time() - start

start = time.process_time()
h_carry = np.zeros((Ns, Hs))
for j in range(stream_T // k):  # truncated: forward and back over the current block, carry the state
    block = slice(j * k, (j + 1) * k)
    hs, c = rnn_forward(xs[:, block], h_carry, Wx_s, Wh_s, b_s)
    rnn_backward(dh_stream[:, block], c)
    h_carry = hs[:, -1]
    steps_run["chunked"] += hs.shape[1]
seconds_chunked = time.process_time() - start
print(f"measured, k = {k}: full history {seconds_full:.3f} s, chunked {seconds_chunked:.3f} s "
      f"({seconds_full / seconds_chunked:.0f}x; the step count says {stream_ratio[k]:.1f}x)")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the same comparison timed, in CPU time of this process: forward and back over the whole history at
#   every update, against forward and back over the current block with the state carried over.
# - **Show** (the output, on the slide below the code): the measured ratio beside the counted 10.5. The assert checks
#   that the two loops take exactly the counted steps, not the clock: a timing depends on the machine, and a test
#   that reads a clock can fail on a busy one.
# - **Ask**: what does the truncated loop carry from one block to the next?
# - **Answer**: the state `h_carry = hs[:, -1]`: the forward pass is never cut, only the gradient.

# %% slideshow={"slide_type": "skip"}
assert steps_run["full"] / steps_run["chunked"] == stream_ratio[k]  # the timed loops do the counted work

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What truncation removes
#
# With window truncation $k$, no gradient links an input to a loss more than $k - 1$ steps later: the **direct
# gradient path** is cut. Here is the gradient of the last loss with respect to the first input, on the 48-step
# problem:

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: what truncation costs: with window $k$, no gradient links an input to a loss more than $k - 1$ steps
#   later.
# - **Ask**: before the output: $x_1$ is 47 steps before $L_{48}$. With $k = 47$, what is $\partial L_T/\partial x_1$?
# - **Answer**: exactly zero: reaching it takes 47 Jacobians, one more than the window allows.

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

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: full BPTT and $k = 48$ give the same, nonzero gradient; $k = 40$ and 47 give exactly 0 (asserted).
# - **Ask**: the full gradient is nonzero. Is it useful?
# - **Answer**: hardly: it is below $10^{-6}$ of the gradient at $h_T$ (asserted), after 47 Jacobians.

# %% [markdown] slideshow={"slide_type": "subslide"}
# Exactly zero with $k < T$. That does **not** make a dependency longer than $k$ impossible to learn: the state
# still flows forward untruncated, so the weights used in the last $k$ steps can still learn to keep and read what
# the state carries. What is lost is the signal that would teach the net *to put* the information into the state
# in the first place. Lesson 03 measures how much that costs on the latch task. And full BPTT does not fix the
# problem by itself either: the gradient it does deliver has been through 47 Jacobians, and is tiny. Lesson 03 is
# about that number.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: truncation cuts the gradient path, not the state: the weights of the last $k$ steps can still learn to
#   keep and read what the state carries. What is lost is the signal that teaches the net to put it there.
# - **Ask**: so is full BPTT the fix for long dependencies?
# - **Answer**: no: what it delivers from 47 steps back is tiny. Lesson 03 measures why, and on the latch task
#   what truncation costs.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - BPTT is backpropagation on the unrolled graph. Walking back from $t = T$:
#   $\delta h_t = \delta z_t W_y^\top + \delta a_{t+1} W_h^\top$ and $\delta a_t = \delta h_t \odot (1 - h_t^2)$.
# - Shared weights get the **sum** of the gradients of their copies: $\partial L/\partial W_h = \sum_t h_{t-1}^\top \delta a_t$,
#   and likewise for $W_x$, $b$, $W_y$, $b_y$ (checked copy by copy against finite differences). A learned initial
#   state $h_0$ shared by the batch is one more such parameter: its gradient is the sum of the rows of `dh0`; it
#   helped on a counter that starts full, much less on one that starts half full.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: two equations walked back from $t = T$, and sums for every shared parameter, $h_0$ included.
# - **Ask**: which single line of the loop makes it *through time*?
# - **Answer**: `dh_next = da_t @ Wh.T`, added to the next (earlier) step's `dh`: without it, each step would be
#   backpropagated on its own.

# %% [markdown] slideshow={"slide_type": "subslide"}
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

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the product of Jacobians, the checker's three questions, and truncation: deterministic, biased, cheap
#   only on streams, and it cuts the gradient path, not the state.
# - **Ask**: which of today's measurements is the starting point of lesson 03?
# - **Answer**: the gradient from 47 steps back: nonzero with full BPTT, but below $10^{-6}$ of what $h_T$ gets.

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

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: three minutes in pairs, then answers; click *Answers* on the slide to check.
# - **Ask**: start with question 3: `x` wrong at steps 0 to 3 and right at step 4, every parameter wrong.
# - **Answer**: the gradient from the future is missing or wrong (not added, reset, or multiplied by `Wh` instead of
#   `Wh.T`): the first student's pattern. Question 5 is checked below the answers: $k = 1$ leaves only the diagonal
#   $G[t, t]$, $k \ge T$ is full BPTT.

# %% slideshow={"slide_type": "skip"}
# The answers' claims, measured
G_48 = dWh_contributions(dh_48, cache_48)
diagonal_only = np.einsum("tkij->ij", G_48 * np.eye(T_long)[:, :, None, None])
assert rel_error(rnn_backward(dh_48, cache_48, truncate=1, truncate_mode="window").dWh, diagonal_only) < 1e-12  # 5
assert rel_error(rnn_backward(dh_48, cache_48, truncate=T_long, truncate_mode="window").dWh, full) < 1e-12  # 5
assert count_backward_steps(10_000, 100, "chunk") == 10_000 == count_backward_steps(10_000)  # 6
assert abs(0.5**10 - 1e-3) < 0.1e-3  # section 2.4's notes: 0.5^10 is about 10^-3

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### References
#
# - D. E. Rumelhart, G. E. Hinton, R. J. Williams, "Learning representations by back-propagating errors", *Nature* 323 (1986).
# - P. J. Werbos, "Backpropagation through time: what it does and how to do it", *Proc. IEEE* 78(10) (1990).
# - R. J. Williams, J. Peng, "An efficient gradient-based algorithm for on-line training of recurrent network
#   trajectories", *Neural Computation* 2(4) (1990): BPTT($h$) and BPTT($h; h'$).

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: Rumelhart, Hinton and Williams unrolled a recurrent net to train it; Werbos named and explained BPTT;
#   Williams and Peng's BPTT($h$) is today's window truncation.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### References, continued
#
# - R. J. Williams, D. Zipser, "Gradient-based learning algorithms for recurrent networks and their computational
#   complexity", in *Backpropagation: Theory, Architectures and Applications* (1995).
# - I. Sutskever, *Training Recurrent Neural Networks*, PhD thesis, University of Toronto (2013), section 2.8 (truncated BPTT).
# - C. Tallec, Y. Ollivier, "Unbiasing truncated backpropagation through time" (2017): the bias of truncation.
# - R. Pascanu, T. Mikolov, Y. Bengio, "On the difficulty of training recurrent neural networks", ICML 2013: the
#   product of Jacobians (lesson 03).
# - Stanford CS231n, assignment 3 (`rnn_backward`); A. Karpathy, `min-char-rnn.py`; A. Zhang et al., *Dive into Deep
#   Learning*, section 9.7 "Backpropagation through time".

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: Sutskever's thesis for truncated BPTT in practice, Tallec and Ollivier on its bias, Pascanu et al. for
#   lesson 03, and CS231n's `rnn_backward` for the exercise.
