# %% [markdown] slideshow={"slide_type": "skip"} tags=["colab"]
# **[Open in Colab](https://colab.research.google.com/github/rnn-course/rnn-course/blob/main/exercises/04_gates.ipynb)**: run this notebook in Google Colab, nothing to install.

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

# %% [markdown]
# # Exercise 04: gates (LSTM and GRU)
#
# **Graded, 10 points, plus 2 bonus points.** You will write one step of an LSTM, forward and backward, and one
# step of a GRU.
#
# | item | points | what |
# |---|---|---|
# | `lstm_step_forward` | 3 | gates i, f, g, o from one affine map; the cell state c and the output h |
# | `lstm_step_backward` | 4 | its gradients, from `dh` and `dc` |
# | `gru_step_forward` | 3 | gates r and z, the candidate n (reset before the product) |
# | `gru_step_backward` | 2 (bonus) | its gradients |
#
# **Prerequisites:** lesson 04 (LSTM and GRU), exercise 02.
# **Time:** 75 to 90 minutes (plus 30 for the bonus).
#
#
# As before: a `check(...)` cell after each function, `hint("...")` for numbered hints, fresh random inputs on
# every check, numpy and your own functions only (you may use the course's stable `sigmoid`, imported below).

# %%
# %matplotlib inline
import numpy as np

from rnn_course.activations import sigmoid  # noqa: F401 (for your gates)
from rnn_course.grading import check, check_all, hint, needs  # noqa: F401 (hint is for you to call)

rng = np.random.default_rng(0)  # for the examples; the checks draw their own random numbers

# %% [markdown]
# ## 1. One LSTM step (3 points)
#
# All four gates come out of **one** affine map, $a = x W_x + h_{\text{prev}} W_h + b$ of shape (N, 4H), whose
# column blocks are, in this order (PyTorch's; CS231n uses i, f, o, g, so be careful with code from elsewhere):
#
# | columns | gate | activation | role |
# |---|---|---|---|
# | `0:H` | i, input | sigmoid | how much of the candidate to write |
# | `H:2H` | f, forget | sigmoid | how much of the old cell state to keep |
# | `2H:3H` | g, candidate | tanh | what to write |
# | `3H:4H` | o, output | sigmoid | how much of the cell to show |
#
# $$c = f \odot c_{\text{prev}} + i \odot g, \qquad h = o \odot \tanh(c).$$
#
# Shapes: `x` (N, D), `h_prev` and `c_prev` (N, H), `Wx` (D, 4H), `Wh` (H, 4H), `b` (4H,). Return `h`, `c` and a
# cache for your backward pass.

# %%
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    """One LSTM step. Returns h (N, H), c (N, H) and a cache for lstm_step_backward."""
    # YOUR CODE HERE
    raise NotImplementedError("write your code here")


# %%
check("lstm_step_forward", lstm_step_forward)

# %% [markdown]
# ## 2. One LSTM step backwards (4 points)
#
# The step receives two gradients: `dh` for its output $h$ and `dc` for its cell state $c$ (from the next step).
# The cell state feeds $h$ *and* the next step, so its total gradient is
#
# $$\delta c = \texttt{dc} + \texttt{dh} \odot o \odot (1 - \tanh^2 c).$$
#
# From there, with $\sigma' = \sigma(1 - \sigma)$ and $\tanh' = 1 - \tanh^2$:
#
# $$\delta o = \texttt{dh} \odot \tanh c, \quad \delta i = \delta c \odot g, \quad \delta f = \delta c \odot
# c_{\text{prev}}, \quad \delta g = \delta c \odot i, \quad \delta c_{\text{prev}} = \delta c \odot f.$$
#
# Multiply each by its activation's derivative to get the pre-activation gradient of its block, put the four
# blocks side by side (i, f, g, o: (N, 4H)), and the rest is the vanilla RNN again: `dx`, `dh_prev`, `dWx`,
# `dWh`, `db`. Return `dx, dh_prev, dc_prev, dWx, dWh, db`.
#
# Notice $\delta c_{\text{prev}} = \delta c \odot f$: no weight matrix, no squashing derivative. With $f \approx 1$
# the cell's gradient passes back unchanged: the *constant error carousel*.

# %%
def lstm_step_backward(dh, dc, cache):
    """Backward pass of one LSTM step.

    Inputs: dh (N, H), dc (N, H), the cache of lstm_step_forward.
    Returns: dx (N, D), dh_prev (N, H), dc_prev (N, H), dWx (D, 4H), dWh (H, 4H), db (4H,).
    """
    # YOUR CODE HERE
    raise NotImplementedError("write your code here")


# %%
check("lstm_step_backward", lstm_step_backward)

# %% [markdown]
# The carousel, measured with your two functions: run an LSTM for 60 steps, send a gradient into the last cell
# state only, and carry it back step by step. With the forget gate's bias at 0 ($f \approx 0.5$ on average) it
# halves at every step; with a bias of 3 ($f \approx 0.95$) a useful share survives 60 steps. This is why the
# forget-gate bias is usually initialised to 1 or more.

# %%
with needs("lstm_step_forward", "lstm_step_backward"):
    Hc, Tc = 8, 60
    x_c = rng.standard_normal((1, Tc, 4))
    Wx_c = 0.3 * rng.standard_normal((4, 4 * Hc))
    Wh_c = 0.3 * rng.standard_normal((Hc, 4 * Hc))
    for forget_bias in (0.0, 3.0):
        b_c = np.zeros(4 * Hc)
        b_c[Hc:2 * Hc] = forget_bias
        h_t, c_t, caches = np.zeros((1, Hc)), np.zeros((1, Hc)), []
        for t in range(Tc):
            h_t, c_t, step_cache = lstm_step_forward(x_c[:, t], h_t, c_t, Wx_c, Wh_c, b_c)
            caches.append(step_cache)
        dh_t, dc_t = np.zeros((1, Hc)), np.ones((1, Hc))
        surviving = {}
        for lag, step_cache in enumerate(reversed(caches), start=1):
            _, dh_t, dc_t, *_ = lstm_step_backward(dh_t, dc_t, step_cache)
            surviving[lag] = np.linalg.norm(dc_t) / np.sqrt(Hc)
        print(f"forget bias {forget_bias:g}: gradient reaching the cell state "
              + ", ".join(f"{lag} steps back {surviving[lag]:.1e}" for lag in (1, 10, 30, 60)))

# %% [markdown]
# ## 3. One GRU step (3 points)
#
# A GRU has no separate cell state and two gates. With the column blocks r (reset), z (update), n (candidate) of
# `Wx` (D, 3H), `Wh` (H, 3H) and `b` (3H,):
#
# $$r = \sigma(x W_x^r + h_{\text{prev}} W_h^r + b^r), \qquad z = \sigma(x W_x^z + h_{\text{prev}} W_h^z + b^z),$$
#
# $$n = \tanh\big(x W_x^n + (r \odot h_{\text{prev}})\, W_h^n + b^n\big), \qquad
# h = (1 - z) \odot n + z \odot h_{\text{prev}}.$$
#
# This is Cho et al.'s (2014) GRU: the reset gate scales $h_{\text{prev}}$ **before** the matrix product.
# PyTorch's `nn.GRU` applies it after, $r \odot (h_{\text{prev}} W_h^n + b_h^n)$, which lets it compute all
# three products of $h_{\text{prev}}$ in one matrix multiply; the two are different functions. Here, Cho et al.

# %%
def gru_step_forward(x, h_prev, Wx, Wh, b):
    """One GRU step (reset before the product). Returns h (N, H) and a cache for gru_step_backward."""
    # YOUR CODE HERE
    raise NotImplementedError("write your code here")


# %%
check("gru_step_forward", gru_step_forward)

# %% [markdown]
# ## 4. Bonus: one GRU step backwards (2 points)
#
# From $h = (1 - z) \odot n + z \odot h_{\text{prev}}$: $\delta n = \texttt{dh} \odot (1 - z)$,
# $\delta z = \texttt{dh} \odot (h_{\text{prev}} - n)$, and $h_{\text{prev}}$ gets $\texttt{dh} \odot z$
# directly. It also gets gradient through the candidate (via $r \odot h_{\text{prev}}$) and through both gates.
# Work it out on paper first; the check tells you which of the three paths into `dh_prev` is missing.
# Return `dx, dh_prev, dWx, dWh, db`.

# %%
def gru_step_backward(dh, cache):
    """Backward pass of one GRU step. Returns dx (N, D), dh_prev (N, H), dWx (D, 3H), dWh (H, 3H), db (3H,)."""
    # YOUR CODE HERE
    raise NotImplementedError("write your code here")


# %%
check("gru_step_backward", gru_step_backward)

# %% [markdown]
# ## Your score

# %%
score = check_all("04_gates")
score

# %% [markdown]
# ## Summary
#
# * An LSTM computes all gates with one affine map; the block order is a convention (here i, f, g, o) that code
#   and weights must agree on.
# * The cell state is updated additively, $c = f c_{\text{prev}} + i g$, so its gradient flows back multiplied
#   only by $f$: with the forget gate open the gradient neither vanishes nor explodes.
# * A GRU merges the cell and the hidden state and interpolates with one gate, $h = (1 - z) n + z h_{\text{prev}}$;
#   where the reset gate is applied (before or after $W_h^n$) changes the function.
#
# ## Check your understanding
#
# 1. Why is the forget gate's bias often initialised to 1 (or more)?
# 2. In the LSTM backward pass, which gradient does not involve any weight matrix, and why does that matter?
# 3. What does a GRU with $z = 1$ everywhere compute? And with $z = 0$ and $r = 1$?
#
# <details><summary>Answers</summary>
#
# 1. $\sigma(1) \approx 0.73$ (and $\sigma(3) \approx 0.95$): the cell starts out remembering, so gradients
#    reach far back from the first update on, instead of the network having to learn to remember first.
# 2. `dc_prev = dc_total * f`. No matrix means no repeated multiplication by $W_h$ through time, the cause of
#    vanishing and exploding gradients in a vanilla RNN.
# 3. With $z = 1$: $h = h_{\text{prev}}$, the state is copied and the input ignored. With $z = 0$, $r = 1$:
#    $h = \tanh(x W_x^n + h_{\text{prev}} W_h^n + b^n)$, a vanilla tanh RNN.
#
# </details>
#
# ## References
#
# * S. Hochreiter, J. Schmidhuber (1997), *Long short-term memory*, Neural Computation 9(8).
# * F. A. Gers, J. Schmidhuber, F. Cummins (2000), *Learning to forget: continual prediction with LSTM*.
# * K. Cho et al. (2014), *Learning phrase representations using RNN encoder-decoder for statistical machine
#   translation*, EMNLP (the GRU).
# * R. Jozefowicz, W. Zaremba, I. Sutskever (2015), *An empirical exploration of recurrent network
#   architectures*, ICML (the forget-gate bias).
