# %% [markdown] slideshow={"slide_type": "skip"} tags=["colab"]
# **[Open in Colab](https://colab.research.google.com/github/rnn-course/rnn-course/blob/main/solutions/01_forward_pass.ipynb)**: run this notebook in Google Colab, nothing to install.

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
# # Exercise 01: the forward pass
#
# **Graded, 10 points.** You will write the forward pass of a vanilla RNN and the loss that trains it:
#
# | item | points | what |
# |---|---|---|
# | `rnn_step_forward` | 2 | one step: $h_t = \tanh(x_t W_x + h_{t-1} W_h + b)$ |
# | `rnn_forward` | 3 | the whole sequence, from $h_0$ |
# | `softmax` | 2 | probabilities from scores, without overflow |
# | `softmax_cross_entropy` | 3 | the loss of a sequence with padding masked out, and its gradient |
#
# **Prerequisites:** lesson 01 (sequences and unrolling); numpy broadcasting and `@`.
# **Time:** about an hour.
#
# ### BEGIN HIDDEN
# > **Instructor's copy.** Solutions sit between `### BEGIN SOLUTION` and `### END SOLUTION`;
# > `rnn-course exercises build` turns each block into a stub in `exercises/01_forward_pass.ipynb`
# > and removes the `HIDDEN` blocks like this one.
# ### END HIDDEN

# %% [markdown]
# ## How the feedback works
#
# After each function there is a cell that calls `check(...)`. It runs your function on fresh random inputs
# (different every time, edge cases such as a batch of one included), compares with the course's reference
# implementation, and says one of four things:
#
# * **correct**, with the points;
# * **incorrect**, with *what* is wrong and *where* (which output, which time steps, which entries) and, when it
#   recognises a common slip, what probably caused it; it never shows the expected numbers;
# * **not attempted**: the function still raises `NotImplementedError`;
# * **error**: your function raised an exception; you get its type, message and the line.
#
# Stuck? `hint("rnn_step_forward")` shows a first hint; call it again for the next one.
#
# Rules: use numpy and your own functions. A graded function that calls the course package's version of itself
# gets 0 for that item. Keep the function names and arguments: your instructor grades this notebook with the same
# checks (`rnn-course grade`), each function on its own.

# %%
# %matplotlib inline
import numpy as np

from rnn_course.grading import check, check_all, hint, needs  # noqa: F401 (hint is for you to call)

rng = np.random.default_rng(0)  # for the examples below; the checks use their own random numbers

# %% [markdown]
# This is what a wrong answer looks like. The function below forgets the bias (run the cell):

# %%
def rnn_step_forward_without_bias(x, h_prev, Wx, Wh, b, activation="tanh"):
    h = np.tanh(x @ Wx + h_prev @ Wh)
    return h, None


check("rnn_step_forward", rnn_step_forward_without_bias)

# %% [markdown]
# And this is a hint (each call shows the next one):

# %%
hint("rnn_step_forward")

# %% [markdown]
# ## 1. One step (2 points)
#
# A vanilla (Elman) RNN reads the input $x_t$ and its previous state $h_{t-1}$ and computes
#
# $$a_t = x_t W_x + h_{t-1} W_h + b, \qquad h_t = f(a_t),$$
#
# with $f = \tanh$ (or ReLU when `activation="relu"`). The course puts the batch first and multiplies weights
# from the right, so every shape lines up without a transpose:
#
# | name | shape | meaning |
# |---|---|---|
# | `x` | (N, D) | the inputs of N sequences at this step |
# | `h_prev` | (N, H) | their previous hidden states |
# | `Wx` | (D, H) | input-to-hidden weights |
# | `Wh` | (H, H) | hidden-to-hidden weights |
# | `b` | (H,) | bias, broadcast over the batch |
# | `h` | (N, H) | the new hidden states |
#
# Return `h` and a **cache**: anything your backward pass (exercise 02) will need. The check only looks at `h`.

# %%
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    """One step of a vanilla RNN.

    Inputs: x (N, D), h_prev (N, H), Wx (D, H), Wh (H, H), b (H,), activation "tanh" or "relu".
    Returns: h (N, H) and a cache for the backward pass.
    """
    ### BEGIN SOLUTION
    a = x @ Wx + h_prev @ Wh + b
    h = np.tanh(a) if activation == "tanh" else np.maximum(a, 0.0)
    cache = (x, h_prev, h, Wx, Wh, activation)
    return h, cache
    ### END SOLUTION


# %%
check("rnn_step_forward", rnn_step_forward)

# %% [markdown]
# Try it on a batch of two sequences with 3 input features and 4 hidden units. With `tanh`, every entry of `h`
# lies in $(-1, 1)$; with ReLU, every entry is $\ge 0$.

# %%
N, D, H = 2, 3, 4
x = rng.standard_normal((N, D))
h_prev = np.zeros((N, H))
Wx = 0.5 * rng.standard_normal((D, H))
Wh = 0.5 * rng.standard_normal((H, H))
b = np.zeros(H)
with needs("rnn_step_forward"):
    h, _ = rnn_step_forward(x, h_prev, Wx, Wh, b)
    print(f"h has shape {h.shape}; its entries lie between {h.min():.3f} and {h.max():.3f}")
    h_relu, _ = rnn_step_forward(x, h_prev, Wx, Wh, b, activation="relu")
    print("with relu, the smallest entry is", h_relu.min())

# %% [markdown]
# ## 2. The whole sequence (3 points)
#
# Unrolled over $T$ steps, the *same* weights are used at every step; only the state changes:
#
# $$h_t = f(x_t W_x + h_{t-1} W_h + b), \qquad t = 1, \dots, T,$$
#
# starting from the given $h_0$ (the argument `h0`). `x` is now (N, T, D) and you return every state, `h` of
# shape (N, T, H). Time runs $1..T$ in the maths and arrays count from 0 (lesson 00): `x[:, t-1]` is $x_t$ and
# `h[:, t-1]` is $h_t$; $h_0$ is not in `h`.
#
# Use your `rnn_step_forward` in a loop over time (the batch needs no loop: each step handles all N
# sequences at once). Keep the step caches in a list for the backward pass.

# %%
def rnn_forward(x, h0, Wx, Wh, b, activation="tanh"):
    """Run a vanilla RNN over a whole sequence.

    Inputs: x (N, T, D), h0 (N, H), Wx (D, H), Wh (H, H), b (H,), activation "tanh" or "relu".
    Returns: h (N, T, H) and a cache for the backward pass.
    """
    ### BEGIN SOLUTION
    N, T, _ = x.shape
    H = h0.shape[1]
    h = np.empty((N, T, H))
    caches = []
    prev = h0
    for t in range(T):
        prev, step_cache = rnn_step_forward(x[:, t], prev, Wx, Wh, b, activation)
        h[:, t] = prev
        caches.append(step_cache)
    cache = (caches, activation)
    return h, cache
    ### END SOLUTION


# %%
check("rnn_forward", rnn_forward)

# %% [markdown]
# Here is one sequence's hidden state, step by step. Each column is a time step; each row one hidden unit.

# %%
from rnn_course.plots import plot_hidden_states

x_seq = rng.standard_normal((1, 20, D))
fig = None
with needs("rnn_forward"):
    h_seq, _ = rnn_forward(x_seq, np.zeros((1, H)), Wx, 1.2 * Wh, b)
    fig = plot_hidden_states(h_seq[0], title="your rnn_forward: hidden states of one sequence")
fig

# %% [markdown]
# ## 3. A softmax that does not overflow (2 points)
#
# The network's output at each step is a vector of scores (*logits*) $z$ over the $V$ symbols of the vocabulary;
# softmax turns them into probabilities:
#
# $$\mathrm{softmax}(z)_v = \frac{e^{z_v}}{\sum_{u} e^{z_u}}.$$
#
# Written like this it breaks: `np.exp(1000.0)` is `inf`, and `inf / inf` is `nan`. Logits of a few hundred are
# not exotic in a network that is confident or diverging. Find a way to compute the same numbers without ever
# taking `exp` of a large number. Your `softmax(x, axis=-1)` works along any `axis` of an array of any shape.

# %%
def softmax(x, axis=-1):
    """Softmax of x along ``axis`` (any shape), stable for any finite x."""
    ### BEGIN SOLUTION
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)
    ### END SOLUTION


# %%
check("softmax", softmax)

# %%
with needs("softmax"):
    print(softmax(np.array([[1000.0, 1001.0, 1002.0], [-1000.0, 0.0, 1000.0]])))

# %% [markdown]
# ## 4. The loss of a sequence, with padding (3 points)
#
# A language model predicts the next symbol at every step. With logits $z_{n,t}$ (N, T, V) and targets $y_{n,t}$
# (N, T), the loss is the average negative log-probability of the targets:
#
# $$L = -\frac{1}{\sum_{n,t} m_{n,t}} \sum_{n,t} m_{n,t} \log \mathrm{softmax}(z_{n,t})_{y_{n,t}}.$$
#
# Sequences in a batch have different lengths, so shorter ones are padded; the **mask** $m_{n,t}$ is True where
# there is a real symbol and False on padding. Padding must not count: not in the sum, not in the count, not in
# the gradient. Without a mask (`mask=None`) every position counts.
#
# Return the loss (a float) and its gradient with respect to the logits, `dlogits` (N, T, V). You met the
# gradient in the lesson: for one position it is $\mathrm{softmax}(z) - \mathrm{onehot}(y)$; here it is also
# masked and divided by the number of positions averaged over.
#
# Careful: $\log(\mathrm{softmax}(z))$ can be $\log 0 = -\infty$ even when `softmax` is stable. Compute the
# log-probabilities directly.

# %%
def softmax_cross_entropy(logits, y, mask=None):
    """Mean cross-entropy over the unmasked positions, and its gradient.

    Inputs: logits (N, T, V), y (N, T) integer targets in [0, V), mask None or (N, T) booleans.
    Returns: loss (float), dlogits (N, T, V).
    """
    ### BEGIN SOLUTION
    N, T, V = logits.shape
    m = np.ones((N, T)) if mask is None else np.asarray(mask, dtype=float)
    shifted = logits - logits.max(axis=-1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    picked = np.take_along_axis(logp, y[..., None], axis=-1)[..., 0]
    count = max(m.sum(), 1.0)
    loss = -float(np.sum(picked * m)) / count
    dlogits = np.exp(logp)
    dlogits[np.arange(N)[:, None], np.arange(T)[None, :], y] -= 1.0
    dlogits *= m[..., None] / count
    return loss, dlogits
    ### END SOLUTION


# %%
check("softmax_cross_entropy", softmax_cross_entropy)

# %% [markdown]
# A sanity check you can always do: with all-zero logits every symbol has probability $1/V$, so the loss must be
# $\log V$ whatever the targets are.

# %%
V = 27
with needs("softmax_cross_entropy"):
    loss, _ = softmax_cross_entropy(np.zeros((2, 5, V)), rng.integers(0, V, (2, 5)))
    print(f"loss {loss:.6f}, log V = {np.log(V):.6f}")

# %% [markdown]
# ## Your score
#
# `check_all` runs every check of this exercise again (with new random inputs) and adds up the points. It is
# what the grader will compute from your saved notebook.

# %%
score = check_all("01_forward_pass")
score

# %%
### BEGIN HIDDEN
# The solutions must score full marks (not in the exercise; the grader skips in-notebook checks).
assert score.full_marks or score.skipped, score
### END HIDDEN

# %% [markdown]
# ## Summary
#
# * One RNN step is an affine map of the input and the previous state followed by a nonlinearity; the sequence
#   version applies the *same* step, with the *same* weights, T times.
# * Batch first, weights on the right: `x @ Wx + h_prev @ Wh + b` is (N, H) without a single transpose.
# * `softmax(z) = softmax(z - max z)`: subtracting the maximum makes every exponent $\le 0$, so nothing overflows.
# * Compute log-probabilities as `z - max - log(sum(exp(z - max)))`, never as `log(softmax(z))`.
# * A mask keeps padding out of the loss, the count and the gradient.
#
# ## Check your understanding
#
# 1. Why does the loss divide by the number of unmasked positions rather than by N or by N·T?
# 2. `softmax(z + c)` equals `softmax(z)` for any constant `c`. Which `c` is the best choice, and why not
#    `c = -min(z)`?
# 3. An RNN with `tanh` has hidden states in $(-1, 1)$. Why can the logits computed from them still be large?
#
# <details><summary>Answers</summary>
#
# 1. So that the loss is a per-symbol average: comparable between batches with different amounts of padding,
#    and $e^L$ is the perplexity. Dividing by N·T would shrink the loss (and the gradient) of batches with much
#    padding; dividing by N makes it grow with the sequence length.
# 2. `c = -max(z)`: the largest exponent becomes 0 and the others negative, so `exp` cannot overflow and the
#    denominator is at least 1. With `c = -min(z)` every exponent is $\ge 0$ and the largest can still overflow.
# 3. The logits are `h @ W_out + b_out`: large output weights, or many units adding up, make them large even
#    when every entry of `h` is small.
#
# </details>
#
# ## References
#
# * J. L. Elman (1990), *Finding structure in time*, Cognitive Science 14.
# * I. Goodfellow, Y. Bengio, A. Courville (2016), *Deep Learning*, sections 10.2 (RNNs) and 4.1 (overflow and
#   underflow, the stable softmax).
# * CS231n, *Recurrent neural networks* assignment: the same step / sequence / temporal softmax loss split.
