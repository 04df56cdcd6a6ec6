# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "skip"} tags=["colab"]
# **[Open in Colab](https://colab.research.google.com/github/rnn-course/rnn-course/blob/main/notebooks/04_lstm_and_gru.ipynb)**: run this notebook in Google Colab, nothing to install.

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
# # 04 · LSTM and GRU
#
# **What you will learn**
# - how an **LSTM** cell computes: the forget, input and output gates, the candidate, the cell state; and what the
#   gates cost in parameters;
# - the **constant error carousel**: why a cell state updated by $c_t = f_t \odot c_{t-1} + i_t \odot g_t$ can hold
#   a value *and its gradient* unchanged for as long as $f_t = 1$, and why a tanh RNN cannot;
# - the **GRU**: update and reset gates, Cho et al.'s equations, and how PyTorch's variant differs;
# - the **adding problem** (Hochreiter & Schmidhuber 1997): its exact construction, baselines and success
#   criterion; a tanh RNN, an IRNN, an LSTM and a GRU trained on it with the same budget;
# - what the gates of a trained LSTM do, read off heatmaps;
# - why the **forget gate** (and a forget bias of 1) matters: a small ablation.
#
# **Prerequisites**: lesson 01 (the recurrence), lesson 02 (BPTT), lesson 03 (Jacobian products, vanishing
# gradients, IRNN and orthogonal initialisation).
#
# **Time**: 60–90 minutes. The notebook runs in well under a minute; set `LONG_RUN = True` below for the longer
# experiment (sequences twice as long, three times the training, five seeds in the ablation: about ten minutes).

# %% slideshow={"slide_type": "skip"}
# %matplotlib inline
import time

import numpy as np

from rnn_course import use_blas_threads
from rnn_course.activations import sigmoid
from rnn_course.carousel import (
    CAROUSEL_SCALE,
    carousel_params,
    run_carousel,
    state_jacobian_norms,
    tanh_hold_slope,
)
from rnn_course.cells import gru_step_forward, lstm_forward, lstm_step_forward
from rnn_course.demos import carousel_demo
from rnn_course.init import init_cell_params
from rnn_course.models import NoForgetLSTMRegressor, SequenceRegressor
from rnn_course.optim import Adam
from rnn_course.plots import (
    new_figure,
    plot_adding_curves,
    plot_adding_example,
    plot_adding_scores,
    plot_carousel,
    plot_cell_trace,
    plot_gate_activations,
    plot_gru_cell,
    plot_lstm_cell,
    plot_state_gradients,
)
from rnn_course.tasks.adding import (
    CONSTANT_BASELINE_MSE,
    ONE_VALUE_BASELINE_MSE,
    SOLVED_TOLERANCE,
    SUCCESS_FACTOR,
    adding_batch,
    adding_data,
    baseline_predictions,
    evaluate_adding,
    score_adding,
    solved_by_chance,
)
from rnn_course.train import fit

# One BLAS thread for numpy's matrix products: an RNN multiplies small matrices one step at a time,
# and a second thread costs more than it saves (the docstring of rnn_course.blas says why).
use_blas_threads(1)

LONG_RUN = False  # True: T = 100, three times the training steps, five seeds in the ablation (about ten minutes)
notebook_start = time.perf_counter()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Why gates?
#
# Lesson 03 ended with a diagnosis. The gradient that reaches step $k$ from step $T$ has gone through
# $T - k$ Jacobians $\partial h_t/\partial h_{t-1}$, and for a tanh RNN each of them is the recurrent matrix
# $W_h$ scaled by the slopes $1 - h_t^2$ of the units. A product of many such matrices shrinks or grows
# geometrically.
#
# Worse, *remembering* and *learning to remember* pull against each other. To keep a value through many steps
# without inputs, a tanh unit $h_t = \tanh(w\,h_{t-1})$ must sit at a **stable** fixed point
# $h^\ast = \tanh(w h^\ast)$, and stable means the slope there, $w\,(1 - h^{\ast 2})$, is below 1. Then the gradient
# through $k$ steps of holding shrinks like $\text{slope}^k$: the better the unit holds, the less the past can be
# learned from. (That is the latch of Bengio et al. 1994 from lesson 03.)

# %%
for stored in (0.1, 0.3, 0.5, 0.7, 0.9):
    slope = tanh_hold_slope(stored)
    print(f"hold h* = {stored}: w = {np.arctanh(stored) / stored:.3f}, slope = {slope:.3f}, "
          f"gradient after 50 steps = {slope ** 50:.2e}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# Hochreiter & Schmidhuber's way out (1997): keep the memory in a **cell state** that is not squashed and not
# multiplied by a weight matrix from step to step. It is only ever *scaled* by a gate and *added to*. Gates,
# sigmoid units with their own weights, decide when to write, when to keep and when to read.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The LSTM cell
#
# One step reads $x_t$ (N, D) and the previous state $(h_{t-1}, c_{t-1})$, each (N, H). One matrix product gives
# the pre-activations of four blocks of H units, in the order **i, f, g, o** (as PyTorch orders them):
#
# $$
# \begin{aligned}
# a_t &= x_t W_x + h_{t-1} W_h + b, &\quad W_x &: (D, 4H),\; W_h: (H, 4H),\; b: (4H,)\\
# i_t &= \sigma(a_t^{(i)}) &&\text{input gate: how much of the candidate to write}\\
# f_t &= \sigma(a_t^{(f)}) &&\text{forget gate: how much of the old cell state to keep}\\
# g_t &= \tanh(a_t^{(g)}) &&\text{candidate: what to write}\\
# o_t &= \sigma(a_t^{(o)}) &&\text{output gate: how much of the memory to show}\\
# c_t &= f_t \odot c_{t-1} + i_t \odot g_t &&\text{cell state}\\
# h_t &= o_t \odot \tanh(c_t) &&\text{hidden state (the output)}
# \end{aligned}
# $$
#
# $\odot$ is the element-wise product. The gates are in $(0, 1)$; $c_t$ is not squashed, so it can grow beyond
# $\pm 1$; $h_t$ is in $(-1, 1)$.

# %% slideshow={"slide_type": "subslide"}
plot_lstm_cell()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The step in NumPy
#
# The whole cell fits in a few lines. Here it is written out, and checked against the package's
# `lstm_step_forward` (which computes the same thing with fewer temporary arrays):

# %%
def lstm_step(x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b  # (N, 4H): the four blocks in one product
    i = sigmoid(a[:, :H])
    f = sigmoid(a[:, H : 2 * H])
    g = np.tanh(a[:, 2 * H : 3 * H])
    o = sigmoid(a[:, 3 * H :])
    c = f * c_prev + i * g  # scaled and added to: never squashed, never multiplied by a matrix
    h = o * np.tanh(c)
    return h, c


rng = np.random.default_rng(0)
N, D, H = 3, 5, 4
x, h_prev, c_prev = rng.standard_normal((N, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
Wx, Wh, b = rng.standard_normal((D, 4 * H)), rng.standard_normal((H, 4 * H)), rng.standard_normal(4 * H)
h_mine, c_mine = lstm_step(x, h_prev, c_prev, Wx, Wh, b)
h_pkg, c_pkg, _ = lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b)
print("max |difference| in h:", np.abs(h_mine - h_pkg).max(), " in c:", np.abs(c_mine - c_pkg).max())

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What the gates cost
#
# Each of the four blocks has the weights of a whole vanilla RNN layer, so an LSTM has **4×** the parameters of a
# tanh RNN of the same width H (a GRU, with three blocks, 3×): $G\,(DH + H^2 + H)$ with $G$ = 1, 4, 3.

# %%
print(f"{'D':>4} {'H':>4} {'tanh RNN':>10} {'LSTM':>10} {'GRU':>10}")
for D_, H_ in ((2, 16), (64, 128), (256, 512)):
    count = {cell: sum(p.size for p in init_cell_params(D_, H_, cell, rng=0).values()) for cell in ("rnn", "lstm", "gru")}
    print(f"{D_:>4} {H_:>4} {count['rnn']:>10,} {count['lstm']:>10,} {count['gru']:>10,}")

lstm_params = sum(p.size for p in init_cell_params(2, 16, "lstm", rng=0).values())
H_same = next(h for h in range(1, 200) if h * (2 + h + 1) >= lstm_params)
print(f"\nA tanh RNN needs H = {H_same} to have as many recurrent-layer parameters as an LSTM with H = 16 "
      f"({H_same * (2 + H_same + 1):,} vs {lstm_params:,}).")

# %% [markdown] slideshow={"slide_type": "fragment"}
# So a fair comparison needs care: below, the tanh RNN is trained both at the same width and at the same number of
# parameters as the LSTM.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. The constant error carousel
#
# Take the cell state's update, $c_t = f_t \odot c_{t-1} + i_t \odot g_t$. Holding the gates' inputs fixed, its
# Jacobian is
#
# $$\frac{\partial c_t}{\partial c_{t-1}} = \operatorname{diag}(f_t),$$
#
# no weight matrix and no squashing slope. (The gates and the candidate also depend on $h_{t-1}$, which depends on
# $c_{t-1}$; those paths go through $W_h$ and are the "other" terms.) So along the cell state, the gradient from
# step $T$ back to step $k$ is multiplied by $f_{k+1} \odot \dots \odot f_T$. With $f = 1$ that is exactly 1:
# the error circulates unchanged, Hochreiter & Schmidhuber's **constant error carousel**. In the package's backward
# pass (`rnn_course/cells/lstm.py`) it is the product `dc * f` handed to the previous step.
#
# To see it work, set the weights of a one-unit LSTM by hand. Its input has three channels per step: a value
# $v_t$, a *write* flag and a *read* flag.

# %% slideshow={"slide_type": "subslide"}
params = carousel_params(forget=1.0)
for name, value in params.items():
    print(f"{name} =\n{value}\n")

# %% [markdown] slideshow={"slide_type": "fragment"}
# Reading the columns (gate blocks i, f, g, o):
# - **i** $= \sigma(40\,\text{write} - 20)$: $1 - 2\cdot 10^{-9}$ when the write flag is 1, $2\cdot 10^{-9}$ otherwise;
# - **f** $= \sigma(40) = 1$ exactly in float64, whatever the input: keep everything;
# - **g** $= \tanh(0.2\,v_t)$: the value, squashed (invertible: $v = \operatorname{atanh}(g)/0.2$);
# - **o** $= \sigma(40\,\text{read} - 20)$: open only when the read flag is 1.
#
# Store 4.2 at step 10 among random distractor values in $[-5, 5]$, read it at step 50:

# %% slideshow={"slide_type": "subslide"}
run = run_carousel(T=60, value=4.2, t_write=10, t_read=50)
print(f"written at t = 10: c = tanh({CAROUSEL_SCALE} x 4.2) = {run.stored:.10f}")
print(f"at the read, t = 50: c = {run.c[49]:.10f}, h = {run.h[49]:.6f}, recalled value = {run.recalled:.8f}")
print(f"h elsewhere: at most {np.abs(np.delete(run.h, 49)).max():.1e} (the output gate is shut)")
print(f"gradient from the read step back to the write step: dc_50/dc_10 = {run.carousel_gradient[9]}")

# %% slideshow={"slide_type": "subslide"}
plot_carousel(run)

# %% [markdown] slideshow={"slide_type": "subslide"}
# Forty steps of distractors as large as the stored value, and it comes back with an error below $10^{-7}$. Now make
# the memory leaky: with $f = 0.99$ the value decays by $0.99^{40}$ between write and read, and so does the
# gradient.

# %%
for f in (1.0, 0.999, 0.99, 0.9):
    leaky = run_carousel(T=60, value=4.2, t_write=10, t_read=50, forget=f)
    print(f"f = {f:5}: c at the read = {leaky.c[49]:.4f} (stored {leaky.stored:.4f}), "
          f"dc_50/dc_10 = {leaky.carousel_gradient[9]:.3g}  (f^40 = {f ** 40:.3g})")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Demo: the carousel
#
# Move the write and read steps, change the value, and lower the forget gate. Bottom right: the gradient that
# reaches each step $k$ from the read step, for the LSTM cell ($f^{\,\text{read}-k}$) and for a tanh unit that holds
# the same value as a stable fixed point ($\text{slope}^{\,\text{read}-k}$, section 1). Try the presets: what happens
# if the read comes before the write?

# %% slideshow={"slide_type": "subslide"}
carousel_demo()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Gradient flow, in lesson 03's picture
#
# The same comparison as a plot of $\|\partial s_T/\partial s_k\|$ against the lag, with $s = c$ for the LSTM and
# $s = h$ otherwise. First the hand-set cells, then randomly initialised networks (H = 16, D = 2) on a random input
# sequence, computed with `state_jacobian_norms`: it sends the identity matrix back through the package's step
# backward functions, so each row of the result is one row of the Jacobian product.

# %%
lags = np.arange(100)
x_random = rng.random((100, 2))
flow = {f"hand-set LSTM, f = {f}": f**lags for f in (1.0, 0.99, 0.9)}
holding = f"tanh unit holding {run.stored:.3f}"  # the value the hand-set cell stored above
flow[holding] = tanh_hold_slope(run.stored) ** lags
for label, cell in (("LSTM at init. (forget bias 1)", "lstm"), ("GRU at init.", "gru"), ("tanh RNN at init.", "rnn")):
    p0 = SequenceRegressor(2, 16, cell=cell, seed=0).params
    flow[label] = state_jacobian_norms(cell, x_random, p0["Wx"], p0["Wh"], p0["b"])
    print(f"{label:30} ||ds_T/ds_(T-99)|| = {flow[label][-1]:.2e}")

# %% slideshow={"slide_type": "subslide"}
plot_state_gradients(flow, colors={"hand-set LSTM, f = 1.0": "#3f007d", "hand-set LSTM, f = 0.99": "#6a51a3",
                                   "hand-set LSTM, f = 0.9": "#9e9ac8", holding: "#fd8d3c"},
                     title="Gradient surviving the trip back: hand-set and freshly initialised cells")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Read this carefully: **at initialisation the LSTM's carousel leaks too**. A forget bias of 1 gives
# $f \approx \sigma(1) = 0.73$ on average, and the measured product vanishes about as fast as the tanh RNN's. What the
# LSTM changes is not where training starts but what it can *reach*: the factor along $c$ is $f_t$ itself, a gate the
# network can drive to 1 for the units that need to remember, without a weight matrix or a slope in the way. For a
# tanh RNN no setting of $W_h$ makes both the memory and its gradient last. Section 6 measures the same curves after
# training.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. The GRU
#
# Cho et al. (2014) proposed a lighter gated cell: no separate cell state, two gates instead of three, blocks in the
# order **r, z, n**:
#
# $$
# \begin{aligned}
# r_t &= \sigma(x_t W_{xr} + h_{t-1} W_{hr} + b_r) &&\text{reset gate: how much of the past the candidate sees}\\
# z_t &= \sigma(x_t W_{xz} + h_{t-1} W_{hz} + b_z) &&\text{update gate: how much of the old state to keep}\\
# n_t &= \tanh\!\big(x_t W_{xn} + (r_t \odot h_{t-1})\, W_{hn} + b_n\big) &&\text{candidate}\\
# h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1}
# \end{aligned}
# $$
#
# The new state is a **convex combination** of the old state and the candidate, so $\partial h_t/\partial h_{t-1}$
# contains $\operatorname{diag}(z_t)$: the update gate plays the forget gate's role, and $1 - z_t$ the input gate's.
# Keeping and writing are *coupled*: the GRU cannot keep everything and add something at the same time.

# %% slideshow={"slide_type": "subslide"}
plot_gru_cell()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### PyTorch's GRU is a different cell
#
# `torch.nn.GRU` (and cuDNN) apply the reset gate **after** the matrix product, and keep a second bias for it:
#
# $$n_t = \tanh\!\big(x_t W_{xn} + b_{in} + r_t \odot (h_{t-1} W_{hn} + b_{hn})\big).$$
#
# That lets all three blocks of $h_{t-1}$ share one matrix product (the product no longer depends on $r_t$),
# which is faster; it is not the same function. With the same weights the two disagree unless every
# $r_t = 1$:

# %%
def gru_step_pytorch_style(x, h_prev, Wx, Wh, b_x, b_h):
    H = h_prev.shape[1]
    gx = x @ Wx + b_x  # (N, 3H)
    gh = h_prev @ Wh + b_h  # (N, 3H): one product for all three blocks
    r = sigmoid(gx[:, :H] + gh[:, :H])
    z = sigmoid(gx[:, H : 2 * H] + gh[:, H : 2 * H])
    n = np.tanh(gx[:, 2 * H :] + r * gh[:, 2 * H :])  # reset applied after the product
    return (1 - z) * n + z * h_prev


Wx_gru, Wh_gru = rng.standard_normal((D, 3 * H)), rng.standard_normal((H, 3 * H))
b_gru = rng.standard_normal(3 * H)
h_cho, _ = gru_step_forward(x, h_prev, Wx_gru, Wh_gru, b_gru)
h_torch = gru_step_pytorch_style(x, h_prev, Wx_gru, Wh_gru, b_gru, np.zeros(3 * H))
print("same weights, reset before vs after the product: max |difference| =", np.abs(h_cho - h_torch).max())
b_open = b_gru.copy()
b_open[:H] = 40.0  # r = sigmoid(40) = 1: the reset gate is fully open
h_cho, _ = gru_step_forward(x, h_prev, Wx_gru, Wh_gru, b_open)
h_torch = gru_step_pytorch_style(x, h_prev, Wx_gru, Wh_gru, b_open, np.zeros(3 * H))
print("with r = 1 everywhere:                           max |difference| =", np.abs(h_cho - h_torch).max())

# %% [markdown] slideshow={"slide_type": "subslide"}
# If PyTorch is installed, the next cell checks `gru_step_pytorch_style` against `torch.nn.GRUCell` (PyTorch stores
# the transposes: `weight_ih` is (3H, D), in the same r, z, n order). The course does not need PyTorch; without it
# the cell says so and moves on.

# %%
try:
    import torch
except ImportError:
    print("PyTorch is not installed: skipped the comparison with torch.nn.GRUCell.")
else:
    b_h = rng.standard_normal(3 * H)
    torch_cell = torch.nn.GRUCell(D, H).double()
    with torch.no_grad():
        torch_cell.weight_ih.copy_(torch.from_numpy(Wx_gru.T))
        torch_cell.weight_hh.copy_(torch.from_numpy(Wh_gru.T))
        torch_cell.bias_ih.copy_(torch.from_numpy(b_gru))
        torch_cell.bias_hh.copy_(torch.from_numpy(b_h))
        h_ref = torch_cell(torch.from_numpy(x), torch.from_numpy(h_prev)).numpy()
    difference = np.abs(gru_step_pytorch_style(x, h_prev, Wx_gru, Wh_gru, b_gru, b_h) - h_ref).max()
    print(f"torch.nn.GRUCell vs gru_step_pytorch_style: max |difference| = {difference:.1e}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### LSTM or GRU?
#
# | | LSTM | GRU |
# |---|---|---|
# | parameters (this course) | $4(DH + H^2 + H)$ | $3(DH + H^2 + H)$ |
# | parameters (PyTorch: two bias vectors) | $4(DH + H^2 + 2H)$ | $3(DH + H^2 + 2H)$ |
# | gates | input $i$, forget $f$, output $o$ (+ candidate $g$) | reset $r$, update $z$ (+ candidate $n$) |
# | state | $(h, c)$: $c$ unbounded, $h = o \odot \tanh(c) \in (-1, 1)$ | $h$ only, a convex combination: stays in $(-1, 1)$ |
# | keep vs write | independent ($f$ and $i$): can keep all *and* add | coupled ($z$ and $1 - z$) |
# | memory shown to the next layer | filtered by $o$ | all of it |
# | path that carries the gradient | $\partial c_t/\partial c_{t-1} \ni \operatorname{diag}(f_t)$ | $\partial h_t/\partial h_{t-1} \ni \operatorname{diag}(z_t)$ |
# | typical behaviour | the default; forget bias 1 matters; can count (its $c$ is unbounded) | comparable accuracy, fewer parameters, often learns faster; cannot count beyond its bounded state |
#
# The evidence behind the last row: Chung et al. (2014) found the two comparable on polyphonic music and speech
# signal modelling, and both better than a tanh RNN (clearly so on speech). Jozefowicz et al. (2015) evaluated over
# ten thousand architectures: the GRU beat the LSTM on all their tasks but language modelling, and adding a bias of 1
# to the LSTM's forget gate closed the gap. Greff et al. (2017)
# compared eight LSTM variants on three tasks: none clearly beat the standard LSTM, and removing the forget gate or
# the output activation hurt most. Weiss et al. (2018) showed that an LSTM can implement counting with its unbounded
# cell state, which a GRU cannot.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. The adding problem
#
# Hochreiter & Schmidhuber's test of long memory (1997, experiment 4), in the form used by Le et al. (2015) and
# Arjovsky et al. (2016). Each sequence has $T$ steps and two input channels:
#
# - channel 0: values $x_t \sim U(0, 1)$, independent;
# - channel 1: a **marker**, 1 at exactly two steps and 0 elsewhere: step $a$ drawn uniformly from the first half
#   ($0 \le a < T/2$) and step $b$ from the second half ($T/2 \le b < T$);
# - target: $y = x_a + x_b \in [0, 2]$, to be predicted after the last step (many-to-one, squared error).
#
# The first marked value must be carried between $T/2$ and $T - 1$ steps, past $T - 2$ distractors.

# %% slideshow={"slide_type": "subslide"}
T = 100 if LONG_RUN else 50
test = adding_batch(1000, T, rng=2024)  # a fixed test set, never trained on: the final scores
validation = adding_batch(300, T, rng=2025)  # smaller, for the learning curves (evaluated every 25 steps)
plot_adding_example(test, n=0)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Baselines and the success criterion
#
# - **Constant**: predicting $E[y] = 1$ for every sequence gives MSE $= \operatorname{Var}(y) = 2 \cdot \tfrac{1}{12}
#   = \tfrac16$. A model that has learned nothing about the markers sits here.
# - **One value**: adding the *second* marked value to the mean of the first, $x_b + 0.5$, gives MSE
#   $= \tfrac{1}{12}$. It needs no long memory (the second marker is recent), so models often plateau here first.
# - **Success**: a model *solves* the task when its test MSE is at most the constant baseline divided by
#   10, i.e. $\le 1/60$ (five times below the one-value plateau). Per sequence, a prediction counts as *solved*
#   when $|\hat y - y| < 0.08$: Hochreiter & Schmidhuber's criterion, an error below 0.04 on their target
#   $0.5 + (X_1 + X_2)/4$ with values in $[-1, 1]$, rescaled to this form of the task.
#
# Checked on the test set:

# %%
for kind, exact in (("constant", CONSTANT_BASELINE_MSE), ("one value", ONE_VALUE_BASELINE_MSE)):
    s = score_adding(baseline_predictions(test.x, kind), test.y)
    print(f"{kind:>9} baseline: test MSE {s.mse:.4f} (exact {exact:.4f}), {100 * s.solved:.1f} % of sequences "
          f"within {SOLVED_TOLERANCE}")
print(f"by chance, the constant prediction is within {SOLVED_TOLERANCE} of the target {100 * solved_by_chance():.1f} % "
      f"of the time; success needs MSE <= {CONSTANT_BASELINE_MSE / SUCCESS_FACTOR:.4f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Five models, one budget
#
# All models have H = 16 units (the second tanh RNN has the LSTM's parameter count instead), a linear read-out of the
# last hidden state, and the same training: Adam with learning rate 0.02, gradient norm clipped at 1, batches of 32
# fresh sequences, the **same** batches in the same order for every model (`seed=1`), and the same number of updates.
# The tanh RNNs start from an orthogonal $W_h$, the best start lesson 03 found for them; the IRNN is ReLU units with
# $W_h = I$ (Le et al. 2015); the LSTM's forget bias starts at 1.

# %% slideshow={"slide_type": "subslide"}
H = 16
STEPS = 1800 if LONG_RUN else 600
EVAL_EVERY = 25


def train(model, label):
    """Train on fresh adding-problem batches; evaluate on the validation set every EVAL_EVERY steps."""
    return fit(model, adding_data(T, batch_size=32), steps=STEPS, optimizer=Adam(lr=0.02), clip=1.0,
               evaluate=evaluate_adding(validation), eval_every=EVAL_EVERY, seed=1, desc=label)


models = {
    "tanh RNN": SequenceRegressor(2, H, cell="rnn", recurrent_init="orthogonal", seed=0),
    f"tanh RNN, H = {H_same}": SequenceRegressor(2, H_same, cell="rnn", recurrent_init="orthogonal", seed=0),
    "IRNN": SequenceRegressor(2, H, cell="rnn_relu", recurrent_init="identity", seed=0),
    "LSTM": SequenceRegressor(2, H, cell="lstm", forget_bias=1.0, seed=0),
    "GRU": SequenceRegressor(2, H, cell="gru", seed=0),
}
histories = {label: train(model, label) for label, model in models.items()}

# %% slideshow={"slide_type": "subslide"}
scores = {label: score_adding(model.predict(test.x), test.y) for label, model in models.items()}


def first_success(history):
    """The first evaluation step at which the validation MSE reached the success level, or None."""
    level = CONSTANT_BASELINE_MSE / SUCCESS_FACTOR
    return next((step for step, mse in zip(history.eval_steps, history.metrics["mse"]) if mse <= level), None)


print(f"T = {T}, {STEPS} updates of 32 sequences\n")
print(f"{'model':<17} {'params':>6} {'test MSE':>9} {'below const.':>13} {'solved':>7} {'first <= 1/60':>14} "
      f"{'time':>6}")
for label, model in models.items():
    s, h_ = scores[label], histories[label]
    reached = first_success(h_)
    print(f"{label:<17} {model.num_params:>6} {s.mse:>9.4f} {s.improvement:>12.1f}x {100 * s.solved:>6.1f}% "
          f"{'never' if reached is None else f'step {reached}':>14} {h_.seconds:>5.1f}s")

# %% slideshow={"slide_type": "subslide"}
colors = {f"tanh RNN, H = {H_same}": "#7f0000"}  # a darker red for the second tanh RNN
fig, (ax_curves, ax_scores) = new_figure(figsize=(13, 4.6), ncols=2, gridspec_kw={"width_ratios": [1.5, 1]})
plot_adding_curves(histories, colors=colors, ax=ax_curves, title=f"Adding problem, T = {T}: validation MSE")
plot_adding_scores(scores, colors=colors, ax=ax_scores)
fig

# %% [markdown] slideshow={"slide_type": "subslide"}
# With the same budget, the LSTM and the GRU go from the constant baseline to an error far below the success line;
# the tanh RNN stays at the constant baseline, and giving it the LSTM's parameter count does not change that. The
# GRU breaks through first, the LSTM after a longer plateau. The IRNN learns too, but its curve is ragged, so its
# final score depends on where in an oscillation training stops: with $W_h = I$ and ReLU, an update that pushes
# $W_h$'s largest singular value above 1 makes the next gradients large (lesson 03), and clipping caps the step
# without removing the cause. (Le et al. trained it with plain SGD and a much smaller learning rate; the budget here
# is the same for everyone.)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Inside the trained LSTM
#
# First, over the whole test set: for each unit, how much more its input gate opens at a marker than elsewhere, how
# much it keeps per step (mean $f$), how open its output gate is at the last step, its read-out weight, and how well
# its last cell state alone predicts the target (the correlation of $c_T$ with $y$). Units are numbered 1..H, as the
# rows of the heatmaps below; the five with the most selective input gates:

# %%
lstm = models["LSTM"].params
h_test, cache = lstm_forward(test.x, None, lstm["Wx"], lstm["Wh"], lstm["b"])
gates = cache.gates  # (N, T, 4H): blocks i, f, g, o side by side
i_gate, f_gate, g_gate, o_gate = cache.i, cache.f, cache.g, cache.o  # each (N, T, H)
marked = test.x[:, :, 1] > 0  # (N, T): True at the two marked steps of each sequence
i_marked, i_other = i_gate[marked].mean(axis=0), i_gate[~marked].mean(axis=0)
selectivity = i_marked - i_other
corr_y = [np.corrcoef(cache.c[:, -1, u], test.y)[0, 1] for u in range(H)]
print(f"{'unit':>4} {'i at markers':>13} {'i elsewhere':>12} {'mean f':>7} {'o at T':>7} {'W_out':>6} {'corr(c_T, y)':>13}")
for u in np.argsort(-selectivity)[:5]:
    print(f"{u + 1:>4} {i_marked[u]:>13.2f} {i_other[u]:>12.2f} {f_gate[..., u].mean():>7.3f} "
          f"{o_gate[:, -1, u].mean():>7.2f} {lstm['W_out'][u, 0]:>6.2f} {corr_y[u]:>13.2f}")
memory_unit = int(np.argmax(selectivity))  # an array index: unit number memory_unit + 1

# %% [markdown] slideshow={"slide_type": "subslide"}
# The unit at the top has an input gate that is nearly shut except at the markers, a forget gate close to 1, an open
# output gate at the end, a large read-out weight, and a last cell state that correlates almost perfectly with the
# sum. What does it write at a marker? Fit its candidate $g$ at the marked steps against the marked value $v$, and
# its final cell state against the target:

# %%
u = memory_unit
v_marked = test.x[:, :, 0][marked]  # (2N,) the marked values
g_fit = np.polyfit(v_marked, g_gate[..., u][marked], 1)
c_fit = np.polyfit(test.y, cache.c[:, -1, u], 1)
c_resid = cache.c[:, -1, u] - np.polyval(c_fit, test.y)
print(f"unit {u + 1} at the markers: i = {i_gate[..., u][marked].mean():.3f}, f = {f_gate[..., u][marked].mean():.3f}, "
      f"g = {g_fit[0]:.3f} v {g_fit[1]:+.3f}")
print(f"unit {u + 1} between markers: i = {i_gate[..., u][~marked].mean():.4f}, f = {f_gate[..., u][~marked].mean():.4f}")
print(f"c_T = {c_fit[0]:.3f} y {c_fit[1]:+.3f}, residual standard deviation {c_resid.std():.4f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# That is an **accumulator**, the hand-set carousel of section 3 found by gradient descent. At a marker the input
# gate opens and the candidate is nearly a linear function of the value (the fit above), so the cell state steps up
# for a large value and down for a small one; the forget gate stays near 1, so the first step is kept while the
# second is added. Between markers the input gate is almost shut and the forget gate almost 1,
# so the total is held, apart from a slow drift that the read-out can absorb. Its cell state on five test
# sequences:

# %%
plot_cell_trace(cache.c[:5, :, memory_unit], markers=test.markers[:5], unit=memory_unit + 1,
                title=f"Unit {memory_unit + 1} of the trained LSTM: a step at each marker, held in between")

# %% [markdown] slideshow={"slide_type": "subslide"}
# And every gate of every unit on one test sequence, units down, time across, with the accumulator outlined. The
# white dashed lines are the two marked steps. Gates use a sequential colour map from 0 (dark) to 1 (yellow); the
# candidate $g$ and the cell state $c$ a diverging one centred at 0.

# %% slideshow={"slide_type": "subslide"} tags=["remove-input"]
n = 0
plot_gate_activations(gates[n], cell="lstm", x=test.x[n], c=cache.c[n], markers=test.markers[n] + 1,
                      highlight=memory_unit + 1, title=f"Trained LSTM on test sequence {n} (target {test.y[n]:.2f})")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The other units share the work (the read-out combines all of them), which is typical: trained networks rarely put
# one quantity in one unit. Several input gates open at the markers, several forget gates dip there (those units
# *replace* their content instead of adding to it), and the output gates are nearly constant: on this task the
# prediction is only read at the last step, so there is nothing to hide.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Gradient flow after training
#
# Section 3's curves again, for the trained networks on test sequence 0:

# %%
trained_flow = {}
for label, cell in (("LSTM", "lstm"), ("GRU", "gru"), ("tanh RNN", "rnn"), ("IRNN", "rnn_relu")):
    p_ = models[label].params
    trained_flow[f"{label} (trained)"] = state_jacobian_norms(cell, test.x[0], p_["Wx"], p_["Wh"], p_["b"])
    norms_ = trained_flow[f"{label} (trained)"]
    print(f"{label:9} ||ds_T/ds_k|| at lag 10: {norms_[10]:.2e}, at lag {T - 1}: {norms_[-1]:.2e}")

# %% slideshow={"slide_type": "subslide"}
plot_state_gradients(trained_flow, title="After training: gradient surviving the trip back")

# %% [markdown] slideshow={"slide_type": "fragment"}
# After training, the LSTM's $\|\partial c_T/\partial c_k\|$ and the GRU's $\|\partial h_T/\partial h_k\|$ no
# longer vanish: they stay within a decade or so of 1 across the whole sequence, because some units learned
# $f \approx 1$ (or $z \approx 1$), like the accumulator above. The IRNN's gradient is carried by $W_h \approx I$ while
# its ReLUs are active, and cut to exactly 0 at a step where they are all off. The tanh RNN's still collapses by many
# orders of magnitude, which is why it never found the first marker.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Why the forget gate matters
#
# The LSTM of 1997 had no forget gate: $c_t = c_{t-1} + i_t \odot g_t$, a pure integrator (a perfect carousel, and
# no way to empty it). Gers, Schmidhuber & Cummins (2000) added $f_t$ so that a cell can *reset* itself, which it
# needs when the input is a continual stream rather than separate sequences. Jozefowicz et al. (2015) found that
# starting $f$ near 1 (forget bias 1) matters: with bias 0, $f$ starts at 0.5 and the gradient along $c$ halves at
# every step until training raises it.
#
# The ablation below trains three LSTMs with the budget of section 5:
# - **no forget gate**: `NoForgetLSTMRegressor`, the package's LSTM with the forget block pinned (its weights 0,
#   its bias 40 so that $f = 1$ exactly, its gradients masked). Same cell code, so the runs differ only in $f$;
# - **forget bias 0**;
# - **forget bias 1** (the LSTM of section 5).

# %% slideshow={"slide_type": "subslide"}
ablation_seeds = (0, 1, 2, 3, 4) if LONG_RUN else (0,)
variants = {
    "no forget gate": lambda seed: NoForgetLSTMRegressor(2, H, seed=seed),
    "forget bias 0": lambda seed: SequenceRegressor(2, H, cell="lstm", forget_bias=0.0, seed=seed),
    "forget bias 1": lambda seed: SequenceRegressor(2, H, cell="lstm", forget_bias=1.0, seed=seed),
}
ablation = {}
for label, make in variants.items():
    for seed in ablation_seeds:
        if label == "forget bias 1" and seed == 0:
            ablation[(label, seed)] = (models["LSTM"], histories["LSTM"])  # already trained in section 5
            continue
        model = make(seed)
        ablation[(label, seed)] = (model, train(model, f"{label}, seed {seed}"))

print(f"{'variant':<15} {'seed':>4} {'test MSE':>9} {'below const.':>13} {'first <= 1/60':>14}")
for (label, seed), (model, history) in ablation.items():
    s = score_adding(model.predict(test.x), test.y)
    reached = first_success(history)
    reached = "never" if reached is None else f"step {reached}"
    print(f"{label:<15} {seed:>4} {s.mse:>9.4f} {s.improvement:>12.1f}x {reached:>14}")

# %% slideshow={"slide_type": "subslide"}
variant_colors = {"no forget gate": "#d62728", "forget bias 0": "#9467bd", "forget bias 1": "#1f77b4"}
plot_adding_curves({f"{label}, seed {seed}": history for (label, seed), (_, history) in ablation.items()},
                   colors={f"{label}, seed {seed}": variant_colors[label] for label, seed in ablation},
                   title="Forget-gate ablation: validation MSE during training")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Compare the step at which each variant first reaches the success level. Starting the forget gate at
# $\sigma(1) = 0.73$ instead of $\sigma(0) = 0.5$ gives the gradient along $c$ a head start (over 10 steps,
# $0.73^{10} \approx 0.04$ against $0.5^{10} \approx 0.001$), and the bias-1 LSTM gets there sooner. The cell without a
# forget gate is a special case: an integrator is exactly what adding two numbers needs, so when it finds the markers
# it can be fast; but nothing ever lets it empty its cell. One seed is an anecdote: `LONG_RUN = True` repeats the
# ablation over five seeds.
#
# The adding problem is the *friendliest* task for a cell without a forget gate: every sequence starts from
# $c_0 = 0$ and needs only two additions. Its real weakness, which Gers et al. demonstrated, is a long stream with no
# resets. Run the trained models on one sequence twenty times as long as the ones they were trained on:

# %%
stream = adding_batch(1, 20 * T, rng=7)
for label in ("no forget gate", "forget bias 1"):
    p_ = ablation[(label, 0)][0].params
    _, stream_cache = lstm_forward(stream.x, None, p_["Wx"], p_["Wh"], p_["b"])
    growth = np.abs(stream_cache.c[0]).max(axis=1)  # largest |c| over the units, per step
    print(f"{label:15} largest |c_t| at t = {T}: {growth[T - 1]:6.2f}, at t = {5 * T}: {growth[5 * T - 1]:6.2f}, "
          f"at t = {20 * T}: {growth[-1]:6.2f}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# Without a forget gate, whatever leaks through the input gates accumulates step after step, and nothing can take it
# out again. With a forget gate, every step multiplies the old content by $f < 1$, so the cell state stays of the
# size it had on the training sequences.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - An LSTM keeps its memory in a cell state that is only **scaled** (by the forget gate) and **added to** (input
#   gate times candidate); the output gate decides what the rest of the network sees. It costs 4× the parameters of a
#   tanh RNN of the same width.
# - Along the cell state the Jacobian is $\operatorname{diag}(f_t)$: with $f = 1$ a value and its gradient pass
#   through any number of steps unchanged (the **constant error carousel**). A tanh unit that holds a value on its own
#   sits at a stable fixed point, where its gradient decays geometrically.
# - The **GRU** merges cell and hidden state and couples keeping and writing ($z$, $1 - z$); Cho et al. reset
#   before the product, PyTorch after. Comparable to the LSTM in practice, with 3/4 of the parameters.
# - On the **adding problem** with the same budget, the LSTM and the GRU get at least 10× below the constant baseline;
#   the tanh RNN stays at it, even with 4× the parameters; the IRNN learns, but unstably.
# - A trained LSTM builds accumulator units: input gates that open at the markers, forget gates near 1.
# - The **forget gate** lets a cell reset (essential on continual streams), and a forget bias of 1 lets training start
#   with a carousel that leaks less.
#
# Time for this notebook on this machine:

# %% slideshow={"slide_type": "skip"}
print(f"{time.perf_counter() - notebook_start:.1f} s (LONG_RUN = {LONG_RUN})")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Check your understanding
#
# 1. In the hand-set cell, which weights would you change so that the cell *replaces* its memory at every write
#    instead of adding to it?
# 2. An LSTM unit has $f_t = 0.95$ at every step. What fraction of the gradient at $c_T$ reaches $c_{T-50}$ along the
#    cell state? What forget-gate value keeps half of it over 50 steps?
# 3. Why does the carousel argument say nothing about the gradient flowing through $h$? Can the LSTM still have
#    vanishing gradients?
# 4. A GRU's update gate is $z_t = 1$ for one unit at every step. What does that unit compute, and what is
#    $\partial h_t/\partial h_{t-1}$ for it?
# 5. You load PyTorch GRU weights into the course's `gru_forward` (transposing them and adding `bias_ih + bias_hh`).
#    Why do the outputs differ, and which one bias term cannot be folded in?
# 6. The constant prediction "solves" about 15 % of test sequences. Why is per-sequence accuracy alone a poor success
#    criterion for the adding problem?
# 7. Why is the adding problem easy for an LSTM without a forget gate, while a continual stream is not?
#
# <details><summary>Answers</summary>
#
# 1. Make the forget gate shut when the write flag is 1: give the $f$ column a weight of $-40$ on the write channel
#    and keep its bias at 20 ($f = \sigma(20 - 40\,\text{write})$), so $c_t = g_t$ at a write and $c_t = c_{t-1}$
#    otherwise.
# 2. $0.95^{50} \approx 0.077$, about 8 %. Half over 50 steps needs $f = 0.5^{1/50} \approx 0.986$.
# 3. It is about the path along $c$, where the Jacobian is $\operatorname{diag}(f_t)$. Paths through $h_{t-1}$ go
#    through $W_h$ and the gates' slopes and can vanish (or explode) as in a tanh RNN; and if the network sets
#    $f < 1$ the carousel leaks. The LSTM does not abolish vanishing gradients, it provides one path where they can be
#    avoided by learning.
# 4. $h_t = h_{t-1}$: the unit keeps its value forever and ignores the input; $\partial h_t/\partial h_{t-1} = 1$ for
#    it (its $(1 - z_t)$ terms are 0), a GRU's carousel.
# 5. PyTorch computes $r \odot (h W_{hn} + b_{hn})$, the course $(r \odot h) W_{hn}$: the products differ whenever the
#    reset gates are not all 1. $b_{hn}$ sits inside the reset gate's product, so it cannot be added to $b_n$.
# 6. Because the target has most of its mass near 1, a constant prediction of 1 is within 0.08 of it by chance 15 % of
#    the time; a per-sequence criterion needs the baseline's rate next to it. The MSE ratio against the constant
#    baseline says directly how much the model learned about the markers.
# 7. Each sequence starts from $c_0 = 0$ and needs only two additions, so an integrator is exactly the right cell. On a
#    stream, the small inputs that pass a nearly shut input gate accumulate without limit, and $\tanh(c)$ saturates.
# </details>

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### References
#
# - S. Hochreiter, J. Schmidhuber, "Long short-term memory", *Neural Computation* 9(8):1735–1780, 1997: the LSTM,
#   the constant error carousel, the adding problem (experiment 4).
# - F. A. Gers, J. Schmidhuber, F. Cummins, "Learning to forget: continual prediction with LSTM", *Neural
#   Computation* 12(10):2451–2471, 2000: the forget gate.
# - K. Cho, B. van Merriënboer, C. Gulcehre, D. Bahdanau, F. Bougares, H. Schwenk, Y. Bengio, "Learning phrase
#   representations using RNN encoder-decoder for statistical machine translation", *EMNLP* 2014: the GRU.
# - J. Chung, C. Gulcehre, K. Cho, Y. Bengio, "Empirical evaluation of gated recurrent neural networks on sequence
#   modeling", arXiv:1412.3555, 2014.
# - R. Jozefowicz, W. Zaremba, I. Sutskever, "An empirical exploration of recurrent network architectures",
#   *ICML* 2015: architecture search, forget bias 1.
# - K. Greff, R. K. Srivastava, J. Koutník, B. R. Steunebrink, J. Schmidhuber, "LSTM: a search space odyssey",
#   *IEEE Trans. Neural Networks and Learning Systems* 28(10):2222–2232, 2017.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### References, continued
#
# - Q. V. Le, N. Jaitly, G. E. Hinton, "A simple way to initialize recurrent networks of rectified linear units",
#   arXiv:1504.00941, 2015 (IRNN; the adding problem in the form used here).
# - M. Arjovsky, A. Shah, Y. Bengio, "Unitary evolution recurrent neural networks", *ICML* 2016 (adding problem,
#   same construction).
# - G. Weiss, Y. Goldberg, E. Yahav, "On the practical computational power of finite precision RNNs for language
#   recognition", *ACL* 2018 (LSTMs can count, GRUs cannot).
# - Y. Bengio, P. Simard, P. Frasconi, "Learning long-term dependencies with gradient descent is difficult",
#   *IEEE Trans. Neural Networks* 5(2), 1994.
# - C. Olah, "Understanding LSTM networks", colah.github.io, 2015 (the diagram style used here).
# - PyTorch documentation, `torch.nn.GRU` and `torch.nn.LSTM` (the gate equations PyTorch implements).
