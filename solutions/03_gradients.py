# %% [markdown] slideshow={"slide_type": "skip"} tags=["colab"]
# **[Open in Colab](https://colab.research.google.com/github/rnn-course/rnn-course/blob/main/solutions/03_gradients.ipynb)**: run this notebook in Google Colab, nothing to install.

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
# # Exercise 03: vanishing and exploding gradients
#
# **Graded, 10 points.** You will measure how much gradient survives the trip back through time, cap it when it
# explodes, and predict from $W_h$ alone which way it will go.
#
# | item | points | what |
# |---|---|---|
# | `jacobian_norms` | 4 | $\lVert \partial h_T / \partial h_{T-k} \rVert_2$ for every lag $k$ |
# | `clip_grad_norm` | 3 | clipping by the global norm, in place |
# | `gradient_fate` | 3 | the analysis question: vanish or explode, and the number that decides it |
#
# **Prerequisites:** lesson 03 (vanishing and exploding gradients), exercise 02.
# **Time:** about an hour.
#
# ### BEGIN HIDDEN
# > **Instructor's copy.** Solutions sit between `### BEGIN SOLUTION` and `### END SOLUTION`;
# > `rnn-course exercises build` turns each block into a stub in `exercises/03_gradients.ipynb`.
# ### END HIDDEN
#
# As before: a `check(...)` cell after each function (correct / incorrect and why / not attempted / error),
# `hint("...")` for numbered hints, fresh random inputs on every check. Use numpy and your own functions; a
# graded function that calls the course package's version of itself scores 0.

# %%
# %matplotlib inline
import numpy as np

from rnn_course import rnn_backward, rnn_forward
from rnn_course.grading import check, check_all, hint, needs  # noqa: F401 (hint is for you to call)
from rnn_course.plots import plot_jacobian_norms

rng = np.random.default_rng(0)  # for the examples; the checks draw their own random numbers

# %% [markdown]
# ## 1. How much gradient survives $k$ steps back (4 points)
#
# For $h_t = \tanh(a_t)$ with $a_t = x_t W_x + h_{t-1} W_h + b$ (row vectors, as everywhere in the course), one
# step back is the Jacobian
#
# $$J_t = \frac{\partial h_t}{\partial h_{t-1}} = \mathrm{diag}(1 - h_t^2)\, W_h^\top, \qquad
# (J_t)_{ij} = \frac{\partial h_{t,i}}{\partial h_{t-1,j}} = (1 - h_{t,i}^2)\, (W_h)_{ji},$$
#
# and $k$ steps back is the product
#
# $$\frac{\partial h_T}{\partial h_{T-k}} = J_T J_{T-1} \cdots J_{T-k+1}
# \qquad (\text{the identity for } k = 0).$$
#
# A gradient arriving at $h_T$ (a row vector, as in lesson 02) is multiplied from the right by this product on its
# way back to $h_{T-k}$, so the product's **largest singular value** (its 2-norm) is the most it can be stretched.
#
# Write `jacobian_norms(Wh, h)`: `Wh` is (H, H), `h` is the (T, H) array of the states $h_1, \dots, h_T$ of one
# sequence (row `h[t-1]` is $h_t$, as in lesson 00); return the (T,) array of
# $\lVert \partial h_T / \partial h_{T-k} \rVert_2$ for $k = 0, \dots, T-1$.

# %%
def jacobian_norms(Wh, h):
    """||dh_T / dh_(T-lag)||_2 for lag = 0 .. T-1 in a tanh RNN.

    Inputs: Wh (H, H), h (T, H) the states h_1 .. h_T of one sequence (row h[t-1] is h_t).
    Returns: norms (T,), norms[0] = 1.
    """
    ### BEGIN SOLUTION
    T, H = h.shape
    product = np.eye(H)
    norms = np.empty(T)
    norms[0] = 1.0
    for lag in range(1, T):
        t = T - lag
        product = product @ ((1.0 - h[t] ** 2)[:, None] * Wh.T)
        norms[lag] = np.linalg.norm(product, 2)
    return norms
    ### END SOLUTION


# %%
check("jacobian_norms", jacobian_norms)

# %% [markdown]
# Now watch it. Three recurrent matrices that differ only in scale (orthogonal, times a gain), each driving an RNN
# with random inputs for 60 steps; the lines are your `jacobian_norms` of the states. At gain 0.8 the gradient
# dies geometrically. At gain 1 it still dies, more slowly: $1 - h^2 < 1$ shrinks it a little at every step. At
# gain 1.5 it grows for a few steps, then the units saturate, $1 - h^2$ becomes small and pulls it back down: it
# neither explodes like $1.5^k$ nor vanishes like the other two.

# %%
H, T = 16, 60
Q, _ = np.linalg.qr(rng.standard_normal((H, H)))
x_demo = rng.standard_normal((1, T, H))
fig = None
with needs("jacobian_norms"):
    curves = {}
    for gain in (0.8, 1.0, 1.5):
        h_demo, _ = rnn_forward(x_demo, np.zeros((1, H)), 0.5 * np.eye(H), gain * Q, np.zeros(H))
        curves[f"orthogonal Wh x {gain}"] = jacobian_norms(gain * Q, h_demo[0])
    fig = plot_jacobian_norms(curves, ylim=(1e-12, 1e4), title="your jacobian_norms: ||dh_T / dh_(T-lag)||")
fig

# %% [markdown]
# ## 2. Clipping by the global norm (3 points)
#
# When the gradient explodes, one update can throw the weights far off (the cliff of lesson 03). Pascanu et al.
# (2013) rescale the whole gradient when it is too long:
#
# $$g \leftarrow \frac{\text{max\_norm}}{\lVert g \rVert}\, g \quad \text{if } \lVert g \rVert > \text{max\_norm},$$
#
# where $\lVert g \rVert$ is the norm of *all* parameters' gradients together (the square root of the sum of the
# squares of every entry of every array). The direction is kept; only the step length is capped.
#
# Write `clip_grad_norm(grads, max_norm)`: `grads` is a dict of arrays (`{"Wx": ..., "Wh": ..., "b": ...}`).
# Rescale the arrays **in place** (the optimiser reads the same dict afterwards) and return the norm from
# *before* clipping (a training loop logs it: spikes are explosions).

# %%
def clip_grad_norm(grads, max_norm):
    """Rescale every array in the dict grads, in place, so their global norm is at most max_norm.

    Returns the global norm before clipping (a float).
    """
    ### BEGIN SOLUTION
    norm = float(np.sqrt(sum(np.sum(g * g) for g in grads.values())))
    if norm > max_norm:
        for g in grads.values():
            g *= max_norm / norm
    return norm
    ### END SOLUTION


# %%
check("clip_grad_norm", clip_grad_norm)

# %% [markdown]
# An exploding gradient from a real backward pass, clipped: the norm drops to `max_norm` and the direction does not
# change (the cosine between the gradient before and after is 1).

# %%
with needs("clip_grad_norm"):
    Wh_big = 1.8 * Q
    x_exp = rng.standard_normal((2, 30, H))
    h_exp, cache_exp = rnn_forward(x_exp, np.zeros((2, H)), 0.5 * np.eye(H), Wh_big, np.zeros(H))
    dx, dh0, dWx, dWh, db = rnn_backward(rng.standard_normal(h_exp.shape), cache_exp)
    grads = {"Wx": dWx, "Wh": dWh, "b": db}
    before = np.concatenate([g.ravel() for g in grads.values()])
    norm = clip_grad_norm(grads, max_norm=5.0)
    after = np.concatenate([g.ravel() for g in grads.values()])
    cosine = before @ after / (np.linalg.norm(before) * np.linalg.norm(after))
    print(f"norm before {norm:.1f}, after {np.linalg.norm(after):.3f}, cosine between them {cosine:.6f}")

# %% [markdown]
# ## 3. The analysis question: vanish or explode, and why? (3 points)
#
# Take a **linear** RNN, $h_t = h_{t-1} W_h + x_t W_x$. The gradient that travels $k$ steps back is multiplied
# by $(W_h^\top)^k$. Here are three recurrent matrices. For each: over many steps, will the gradients vanish
# or explode, and why?

# %%
W_A = np.array([[0.5, 0.3], [0.3, 0.4]])
W_B = np.array([[0.9, 3.0], [0.0, 0.8]])
W_C = np.array([[0.5, -1.0], [1.0, 0.5]])
for name, W in (("W_A", W_A), ("W_B", W_B), ("W_C", W_C)):
    print(f"{name} = {W.tolist()}: largest singular value {np.linalg.norm(W, 2):.2f}")

# %% [markdown]
# Some tempting answers: "the largest singular value is above 1, so it explodes" ($W_B$?), "no entry is larger
# than 1 in size, so it vanishes" ($W_C$?). Think about what $W^k$ does for large $k$, then write
# `gradient_fate(Wh)`. It returns a pair: the verdict, `"vanish"` or `"explode"`, and the **number that decides
# it**, which is your "why". The check tries matrices built so that each tempting answer gives the wrong verdict.

# %%
def gradient_fate(Wh):
    """Will gradients through h_t = h_(t-1) Wh vanish or explode over many steps?

    Returns (verdict, number): verdict "vanish" or "explode", and the number that decides it.
    """
    ### BEGIN SOLUTION
    rho = float(np.max(np.abs(np.linalg.eigvals(Wh))))
    return ("vanish" if rho < 1 else "explode"), rho
    ### END SOLUTION


# %%
check("gradient_fate", gradient_fate)

# %% [markdown]
# Your verdicts next to what actually happens: $\lVert W^k \rVert_2$ for $k$ up to 60. $W_B$ first grows (one
# step can stretch a vector by its largest singular value, printed above) and then dies: its eigenvalues, 0.9 and 0.8, win
# in the long run. $W_C$ has entries no larger than 1 but eigenvalues $0.5 \pm i$ of modulus 1.12.

# %%
fig = None
with needs("gradient_fate"):
    lags = np.arange(61)
    powers = {}
    for name, W in (("W_A", W_A), ("W_B", W_B), ("W_C", W_C)):
        verdict, number = gradient_fate(W)
        print(f"{name}: {verdict} ({number:.3f})")
        powers[f"{name}: {verdict}"] = [np.linalg.norm(np.linalg.matrix_power(W, int(k)), 2) for k in lags]
    fig = plot_jacobian_norms(powers, ylim=(1e-12, 1e4), title="||W^k||_2 for the three matrices (linear RNN)")
    fig.axes[0].set_xlabel("power k (steps back)")
    fig.axes[0].set_ylabel("||W^k||_2  (spectral norm)")
fig

# %% [markdown]
# ## Your score

# %%
score = check_all("03_gradients")
score

# %%
### BEGIN HIDDEN
# The solutions must score full marks (not in the exercise; the grader skips in-notebook checks).
assert score.full_marks or score.skipped, score
### END HIDDEN

# %% [markdown]
# ## Summary
#
# * The gradient $k$ steps back is a product of $k$ Jacobians $\mathrm{diag}(f'(a_t))\, W_h^\top$; its norm can
#   shrink or grow geometrically with $k$.
# * Clipping by the global norm caps the step length and keeps the direction; it treats explosions, not
#   vanishing.
# * For a linear RNN the long-run fate is decided by the spectral radius $\rho(W) = \max |\lambda_i|$
#   ($\lVert W^k \rVert^{1/k} \to \rho$, Gelfand's formula). The largest singular value only bounds a single
#   step: a non-normal matrix can grow for a while and still vanish.
# * With tanh, $f' \le 1$, so a largest singular value $\sigma_{\max}(W_h) < 1$ is sufficient for vanishing
#   (Pascanu et al. call it $\lambda_1$), while $\rho > 1$ does not guarantee explosion: saturated units make
#   $f'$ small.
#
# ## Check your understanding
#
# 1. Why does `jacobian_norms` use the 2-norm (largest singular value) rather than, say, the largest entry?
# 2. After clipping, what is the global norm when the gradient was longer than `max_norm`, and when it was shorter?
# 3. Give a 2x2 matrix whose largest singular value is above 1 while gradients through it still vanish.
#
# <details><summary>Answers</summary>
#
# 1. The 2-norm is the most the product can stretch *any* vector: it bounds the gradient's growth whatever
#    direction it comes from. An entry says nothing about what the matrix does to a vector.
# 2. Exactly `max_norm` when it was longer; unchanged when it was shorter.
# 3. Any upper-triangular matrix with diagonal entries of size below 1 and a large corner, like
#    `[[0.9, 3.0], [0.0, 0.8]]`: its eigenvalues are 0.9 and 0.8, its largest singular value above 3.
#
# </details>
#
# ## References
#
# * Y. Bengio, P. Simard, P. Frasconi (1994), *Learning long-term dependencies with gradient descent is
#   difficult*, IEEE Trans. Neural Networks 5(2).
# * R. Pascanu, T. Mikolov, Y. Bengio (2013), *On the difficulty of training recurrent neural networks*, ICML
#   (the Jacobian bound and clipping by the norm).
# * L. N. Trefethen, M. Embree (2005), *Spectra and Pseudospectra*: transient growth of non-normal matrices.
