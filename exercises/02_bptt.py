# %% [markdown] slideshow={"slide_type": "skip"} tags=["colab"]
# **[Open in Colab](https://colab.research.google.com/github/rnn-course/rnn-course/blob/main/exercises/02_bptt.ipynb)**: run this notebook in Google Colab, nothing to install.

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
# # Exercise 02: backpropagation through time
#
# **Graded, 10 points.** You will write the backward pass of a vanilla RNN, check it numerically, and truncate it.
#
# | item | points | what |
# |---|---|---|
# | `rnn_step_backward` | 3 | gradients of one step: `dx, dh_prev, dWx, dWh, db` |
# | `rnn_backward` | 3 | backpropagation through time over a whole sequence |
# | `rnn_backward[truncate]` | 2 | the same with `truncate=k`: no gradient crosses a block boundary |
# | `numerical_gradient` | 2 | the centred differences a gradient checker is built on |
#
# **Prerequisites:** lesson 02 (backpropagation through time) and exercise 01.
# **Time:** about 75 minutes.
#
#
# Every graded function has a `check(...)` cell after it: **correct** (with the points), **incorrect** (what is
# wrong and where: which gradient, which time steps), **not attempted**, or **error** (with your line). The checks
# use fresh random inputs each time and compare with the course's reference implementation. `hint("...")` gives
# numbered hints. Use numpy and your own functions; a graded function that calls the course package's version
# of itself scores 0.

# %%
# %matplotlib inline
import numpy as np

from rnn_course import gradcheck_layer
from rnn_course.grading import check, check_all, hint, needs  # noqa: F401 (hint is for you to call)
from rnn_course.plots import plot_gradcheck

rng = np.random.default_rng(0)  # for the examples; the checks draw their own random numbers

# %% [markdown]
# ## The forward pass you are given
#
# These are the forward functions of exercise 01 (not graded here). Your backward functions receive the
# **cache** they return, so read what is in it:
#
# * `rnn_step_forward` returns `h` and the step cache `(x, h_prev, h, Wx, Wh, activation)`;
# * `rnn_forward` returns `h` (N, T, H) and the cache `(step_caches, activation)`, one step cache per time step.

# %%
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    """One RNN step (given). Returns h (N, H) and the cache (x, h_prev, h, Wx, Wh, activation)."""
    a = x @ Wx + h_prev @ Wh + b
    h = np.tanh(a) if activation == "tanh" else np.maximum(a, 0.0)
    return h, (x, h_prev, h, Wx, Wh, activation)


def rnn_forward(x, h0, Wx, Wh, b, activation="tanh"):
    """The whole sequence (given). Returns h (N, T, H) and the cache (step_caches, activation)."""
    N, T, _ = x.shape
    h = np.empty((N, T, h0.shape[1]))
    step_caches = []
    prev = h0
    for t in range(T):
        prev, step_cache = rnn_step_forward(x[:, t], prev, Wx, Wh, b, activation)
        h[:, t] = prev
        step_caches.append(step_cache)
    return h, (step_caches, activation)


# %% [markdown]
# ## 1. One step backwards (3 points)
#
# The step computed $a = x W_x + h_{\text{prev}} W_h + b$ and $h = f(a)$. Given $\partial L / \partial h$
# (`dh`, shape (N, H)), the chain rule gives, with $\odot$ the entry-wise product,
#
# $$\frac{\partial L}{\partial a} = \frac{\partial L}{\partial h} \odot f'(a), \qquad
# f'(a) = 1 - \tanh^2(a) = 1 - h^2 \text{ for tanh}, \qquad f'(a) = [a > 0] \text{ for ReLU},$$
#
# and then, because $a$ is linear in everything else,
#
# $$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial a} W_x^\top, \quad
# \frac{\partial L}{\partial h_{\text{prev}}} = \frac{\partial L}{\partial a} W_h^\top, \quad
# \frac{\partial L}{\partial W_x} = x^\top \frac{\partial L}{\partial a}, \quad
# \frac{\partial L}{\partial W_h} = h_{\text{prev}}^\top \frac{\partial L}{\partial a}, \quad
# \frac{\partial L}{\partial b} = \sum_{n} \frac{\partial L}{\partial a_n}.$$
#
# Each gradient has the shape of what it is the gradient *of*. Return them in the order of the forward
# inputs: `dx, dh_prev, dWx, dWh, db`.

# %%
def rnn_step_backward(dh, cache):
    """Backward pass of one RNN step.

    Inputs: dh (N, H), the cache of rnn_step_forward.
    Returns: dx (N, D), dh_prev (N, H), dWx (D, H), dWh (H, H), db (H,).
    """
    # YOUR CODE HERE
    raise NotImplementedError("write your code here")


# %%
check("rnn_step_backward", rnn_step_backward)

# %% [markdown]
# ### Check it yourself with a gradient checker
#
# The course's `gradcheck_layer` perturbs every input entry by $\pm\epsilon$, measures how the output changes
# (centred differences; you write them yourself in part 4) and compares with your analytic gradients. It prints
# one row per input: the relative error and, when it is wrong, the worst entry.

# %%
inputs = dict(x=rng.standard_normal((3, 4)), h_prev=rng.standard_normal((3, 5)),
              Wx=0.5 * rng.standard_normal((4, 5)), Wh=0.5 * rng.standard_normal((5, 5)), b=rng.standard_normal(5))
report = None
with needs("rnn_step_backward"):
    report = gradcheck_layer(rnn_step_forward, rnn_step_backward, inputs)
report

# %% [markdown]
# ## 2. Backpropagation through time (3 points)
#
# Unrolled, the state $h_t$ is used twice: by the loss at step $t$ and by step $t+1$. So the gradient arriving
# at $h_t$ is the sum of both:
#
# $$\frac{\partial L}{\partial h_t} = \underbrace{\texttt{dh[:, t]}}_{\text{from the loss at } t} +
# \underbrace{\frac{\partial L}{\partial h_t}\Big|_{\text{via } h_{t+1}}}_{\text{the dh\_prev of step } t+1}.$$
#
# Walk backwards from $t = T-1$ to $0$, call `rnn_step_backward` with that total, and keep what comes out:
# `dx[:, t]` is step $t$'s `dx`; `dWx`, `dWh`, `db` are **sums** over the steps (the same weights are used at
# every step); what flows out of step 0 is `dh0`. Here `dh` is (N, T, H): the gradient the loss sends to each
# state directly.
#
# Give the function a third argument `truncate=None` now; part 3 uses it.

# %%
def rnn_backward(dh, cache, truncate=None):
    """Backpropagation through time.

    Inputs: dh (N, T, H), the cache of rnn_forward, truncate None or an int k >= 1 (part 3).
    Returns: dx (N, T, D), dh0 (N, H), dWx (D, H), dWh (H, H), db (H,).
    """
    # YOUR CODE HERE
    raise NotImplementedError("write your code here")


# %%
check("rnn_backward", rnn_backward)

# %% [markdown]
# A gradient checker also tells you **where** a gradient is wrong. Below is a version of BPTT with the most common
# bug: it forgets to add the gradient coming back from step $t+1$. The checker's table and plot show the error
# per time step: only the last step is right, because nothing comes back to it from a later step.

# %%
def rnn_backward_forgetful(dh, cache):
    """BPTT with a planted bug: the gradient from step t + 1 is dropped."""
    step_caches, _ = cache
    N, T, H = dh.shape
    grads = [rnn_step_backward(dh[:, t], step_caches[t]) for t in range(T)]
    dx = np.stack([g[0] for g in grads], axis=1)
    return dx, grads[0][1], sum(g[2] for g in grads), sum(g[3] for g in grads), sum(g[4] for g in grads)


seq_inputs = dict(x=rng.standard_normal((2, 6, 3)), h0=rng.standard_normal((2, 4)),
                  Wx=0.5 * rng.standard_normal((3, 4)), Wh=0.5 * rng.standard_normal((4, 4)), b=rng.standard_normal(4))
bad = None
with needs("rnn_step_backward"):
    bad = gradcheck_layer(rnn_forward, rnn_backward_forgetful, seq_inputs)
bad

# %%
fig = plot_gradcheck(bad, ["x", "Wh"]) if bad is not None else None
fig

# %% [markdown]
# ## 3. Truncated BPTT (2 points)
#
# On long sequences (a book, a stream) BPTT through every step costs memory and time linear in the length. The
# standard fix, the one `state.detach()` every k steps gives in PyTorch, cuts the sequence into **blocks** of
# `k` steps from the start, $[0, k-1], [k, 2k-1], \dots$, and lets no gradient cross from one block into the
# previous one: the gradient that step $t+1$ sends to $h_t$ is dropped whenever $t+1$ starts a new block.
# Inside a block everything is as before; `dh0` only receives gradient from the first block.
#
# Make `rnn_backward(dh, cache, truncate=k)` do that (with `truncate=None`, nothing changes). `k = 1` leaves each
# step only its own `dh[:, t]`; `k >= T` is full BPTT.

# %%
check("rnn_backward[truncate]", rnn_backward)

# %% [markdown]
# How much of the gradient does truncation keep? Here is the relative difference between the truncated and the
# full `dWh` for one random sequence of 32 steps, as `k` grows, with a recurrent matrix whose largest singular
# value is 0.9 (the gradient from far-away steps shrinks geometrically, lesson 03). Read the numbers: the
# difference shrinks only slowly as `k` grows, and is 0 only when one block holds the whole sequence. A step just
# after a block boundary keeps almost none of its history, whatever `k` is, so block truncation is *biased*, not
# just a little noisy (lesson 02, section 6, compares it with windowed truncation).

# %%
with needs("rnn_backward"):
    H_long = 8
    U, _, Vt = np.linalg.svd(rng.standard_normal((H_long, H_long)))
    Wh_long = 0.9 * U @ Vt  # every singular value 0.9
    x_long = rng.standard_normal((4, 32, 3))
    h_long, cache_long = rnn_forward(x_long, np.zeros((4, H_long)), 0.5 * rng.standard_normal((3, H_long)),
                                     Wh_long, np.zeros(H_long))
    dh_long = rng.standard_normal(h_long.shape)
    full = rnn_backward(dh_long, cache_long)[3]
    for k in (1, 2, 4, 8, 16, 32):
        part = rnn_backward(dh_long, cache_long, truncate=k)[3]
        print(f"k = {k:2d}: relative difference in dWh {np.linalg.norm(part - full) / np.linalg.norm(full):.2e}")

# %% [markdown]
# ## 4. Centred differences (2 points)
#
# A gradient checker needs only the forward pass. For a function $f$ and an upstream gradient `dout` shaped like
# $f(x)$, the scalar being differentiated is $L(x) = \sum f(x) \odot \texttt{dout}$ (just $\sum f(x)$ when
# `dout` is None), and
#
# $$\frac{\partial L}{\partial x_i} \approx \frac{L(x + \epsilon e_i) - L(x - \epsilon e_i)}{2 \epsilon}.$$
#
# The error of this centred difference shrinks like $\epsilon^2$; a one-sided difference only like $\epsilon$.
# Write `numerical_gradient(f, x, dout=None, eps=1e-6)` for `x` of any shape. Never change the caller's `x`.

# %%
def numerical_gradient(f, x, dout=None, eps=1e-6):
    """Centred-difference gradient of sum(f(x) * dout) (or sum(f(x))) with respect to x, any shape."""
    # YOUR CODE HERE
    raise NotImplementedError("write your code here")


# %%
check("numerical_gradient", numerical_gradient)

# %% [markdown]
# Now use it the way a gradient checker does: compare the analytic `dWh` of your BPTT with the numerical one.

# %%
with needs("numerical_gradient", "rnn_backward"):
    x_s, h0_s, Wx_s, Wh_s, b_s = (seq_inputs[k] for k in ("x", "h0", "Wx", "Wh", "b"))
    h_s, cache_s = rnn_forward(x_s, h0_s, Wx_s, Wh_s, b_s)
    dout = rng.standard_normal(h_s.shape)
    analytic = rnn_backward(dout, cache_s)[3]
    numeric = numerical_gradient(lambda W: rnn_forward(x_s, h0_s, Wx_s, W, b_s)[0], Wh_s, dout)
    error = np.max(np.abs(analytic - numeric)) / np.max(np.abs(analytic) + np.abs(numeric))
    print(f"relative error between your analytic and numerical dWh: {error:.1e}")

# %% [markdown]
# ## Your score

# %%
score = check_all("02_bptt")
score

# %% [markdown]
# ## Summary
#
# * One step backwards: multiply by $f'(a)$ first (from the *output*: $1 - h^2$), then every other gradient is a
#   matrix product with the other factor, transposed, and the bias sums over the batch.
# * Through time: $h_t$ feeds the loss *and* the next step, so its gradient is the sum of both; the weights are
#   shared, so their gradients are sums over time.
# * Truncation cuts the flow between blocks. On a stream it bounds the memory and the work per update
#   (lesson 02), but its gradient is biased (far from the full one above unless `k` approaches T), and it
#   cannot learn a dependency longer than a block.
# * Centred differences check any backward pass with nothing but the forward pass; the error is localised by
#   input, entry and time step.
#
# ## Check your understanding
#
# 1. Your `dWh` passes the check but `dh0` does not. Which part of the loop is most likely wrong?
# 2. Why is `tanh'(a)` computed from `h` rather than from `a`, and what goes wrong if the cache keeps `a` but
#    the formula `1 - a**2` is used?
# 3. With `truncate=1`, what does `dWh` still measure?
#
# <details><summary>Answers</summary>
#
# 1. Not the loop, but what you return after it. `dWh` is right, so every step was back-propagated with the
#    right total gradient. `dh0` must be the `dh_prev` that step 0's backward returns (the gradient sent on to
#    $h_0$); a common slip is to return the total gradient that *arrived* at step 0's output,
#    `dh[:, 0] + dh_next`, instead. (A loop that stops at $t = 1$ would break `dh0` and `dWh` together.)
# 2. $\tanh'(a) = 1 - \tanh^2(a) = 1 - h^2$; keeping $h$ saves recomputing tanh. $1 - a^2$ is a different
#    function (it is even negative for $|a| > 1$), so every gradient is wrong, most where units saturate.
# 3. How each step's own loss changes with `Wh` through that step's direct use of $h_{t-1}$, with no effect
#    through earlier states: the gradient of a one-step memory.
#
# </details>
#
# ## References
#
# * P. J. Werbos (1990), *Backpropagation through time: what it does and how to do it*, Proc. IEEE 78(10).
# * R. J. Williams, J. Peng (1990), *An efficient gradient-based algorithm for on-line training of recurrent
#   network trajectories*, Neural Computation 2(4) (truncated BPTT).
# * CS231n, *Gradient checks* notes (centred differences, relative error).
