# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "skip"} tags=["colab"]
# **[Open in Colab](https://colab.research.google.com/github/rnn-course/rnn-course/blob/main/notebooks/03_vanishing_and_exploding_gradients.ipynb)**: run this notebook in Google Colab, nothing to install.

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
# # 03 · Vanishing and exploding gradients
#
# **What you will learn**
# - why the gradient that reaches step $k$ from step $T$ is a **product of $T-k$ Jacobians**, and what the
#   eigenvalues and singular values of $W_{hh}$ say about its size;
# - the bound $\|\partial h_T/\partial h_k\| \le (\gamma\lambda_1)^{T-k}$ and exactly what it proves:
#   $\lambda_1 < 1/\gamma$ is **sufficient** for vanishing, $\lambda_1 > 1/\gamma$ only **necessary** for exploding
#   (Pascanu, Mikolov & Bengio 2013);
# - the one-unit RNN whose loss surface has a **cliff**, and what gradient descent does when it reaches it;
# - gradient **clipping** by norm and by value, seen on that surface;
# - the **latch** task (Bengio, Simard & Frasconi 1994): why learning to remember gets harder with the length;
# - the remedies, each measured: clipping, ReLU with identity initialisation (IRNN), orthogonal initialisation,
#   truncated BPTT; and where gated cells (lesson 04), echo state networks and second-order methods fit in.
#
# **Prerequisites**: lesson 01 (the recurrence), lesson 02 (BPTT, the Jacobian $\partial h_t/\partial h_{t-1}$,
# truncation); eigenvalues and singular values of a matrix.
#
# **Time**: 60–90 minutes.

# %% slideshow={"slide_type": "skip"}
# %matplotlib inline
import time

import numpy as np

from rnn_course import (
    descent_path,
    one_unit_grad,
    one_unit_loss,
    one_unit_surface,
    rnn_backward,
    rnn_forward,
    use_blas_threads,
)
from rnn_course.activations import sigmoid
from rnn_course.demos import cliff_demo, spectral_radius_demo
from rnn_course.gradcheck import gradcheck
from rnn_course.init import init_cell_params
from rnn_course.jacobians import (
    GAMMA,
    jacobian_norms,
    jacobian_products,
    norm_bound,
    recurrent_matrix,
    simulate_states,
    spectrum,
)
from rnn_course.plots import (
    new_figure,
    plot_cliff_slice,
    plot_descent_paths,
    plot_eigenvalues,
    plot_gradient_norm,
    plot_jacobian_norms,
    plot_latch_runs,
    plot_latch_sweep,
    plot_latch_weights,
    plot_loss_surface,
    plot_loss_surface_3d,
    plot_one_unit_states,
    plot_singular_values,
)
from rnn_course.surfaces import CLIP_METHODS
from rnn_course.tasks.latch import latch_sweep, train_latch_rnn

# One BLAS thread for numpy's matrix products: an RNN multiplies small matrices one step at a time,
# and a second thread costs more than it saves (the docstring of rnn_course.blas says why).
use_blas_threads(1)

np.set_printoptions(precision=4, suppress=False)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The gradient through time is a product
#
# Lesson 02 derived BPTT for $h_t = f(a_t)$, $a_t = x_t W_x + h_{t-1} W_h + b$. One step back multiplies the
# gradient by the transpose of the step's Jacobian
#
# $$
# J_t = \frac{\partial h_t}{\partial h_{t-1}} = W_h \,\operatorname{diag}\!\big(f'(a_t)\big)
# \qquad\text{(row vectors, as in the code: } dh_t = dh_{t-1} J_t\text{)},
# $$
#
# so the gradient that the loss at step $T$ sends to step $k$ has gone through **$T-k$ of them**:
#
# $$
# \frac{\partial L_T}{\partial h_k} = \frac{\partial L_T}{\partial h_T}
# \Big(J_{k+1} J_{k+2} \cdots J_T\Big)^{\!\top}.
# $$
#
# A product of many matrices either shrinks or grows exponentially in the number of factors, except on a knife
# edge. That is the whole problem; the rest of the lesson is about *which* and *what to do*.

# %% [markdown] slideshow={"slide_type": "subslide"}
# The product, written out for a small tanh RNN, against what `rnn_backward` sends back (`dh_all`, lesson 02):

# %%
rng = np.random.default_rng(0)
N, T, H = 1, 30, 8
Wh = recurrent_matrix(H, spectral_radius=1.1, rng=1)
x = rng.standard_normal((N, T, H))
h, cache = rnn_forward(x, np.zeros((N, H)), np.eye(H), Wh, np.zeros(H))

product = np.eye(H)  # d h_{T-1} / d h_{T-1-lag}, built backwards one Jacobian at a time
by_hand = [product]
for t in range(T - 1, 0, -1):
    J_t = Wh * (1.0 - h[0, t] ** 2)  # Wh @ diag(tanh'(a_t)): scales column j by tanh'(a_t)_j
    product = J_t @ product
    by_hand.append(product)

g_T = rng.standard_normal(H)  # some gradient arriving at the last state
dh = np.zeros_like(h)
dh[0, -1] = g_T
dh_all = rnn_backward(dh, cache).dh_all[0]  # the gradient BPTT delivers to every h_k
worst = max(np.abs(dh_all[T - 1 - lag] - g_T @ by_hand[lag].T).max() for lag in range(T))
print(f"largest difference between BPTT and the explicit product over all {T} lags: {worst:.1e}")
print("the package's jacobian_products gives the same matrices:",
      np.allclose(jacobian_products(Wh, h[0], "tanh"), np.array(by_hand)))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The size of $W_{hh}$ decides: vanishing or exploding
#
# Start with a **linear** RNN ($f' = 1$): the product is just $W_h^{T-k}$. For large lags its norm grows like
# $\rho^{T-k}$, where the **spectral radius** $\rho = \max_i |\mu_i|$ is the largest eigenvalue magnitude.
# Below we rescale one random $32\times32$ matrix to several spectral radii and measure
# $\|\partial h_T/\partial h_{T-\text{lag}}\|_2$ (the largest singular value of the product) for lags up to 100.

# %%
H, T = 32, 100
radii = (0.8, 0.9, 1.0, 1.1, 1.2)
matrices = {f"rho = {r}": recurrent_matrix(H, r, rng=0) for r in radii}
linear_norms = {label: jacobian_norms(W, activation="linear", T=T) for label, W in matrices.items()}
linear_bounds = {label: norm_bound(W, np.arange(T), "linear") for label, W in matrices.items()}
print(" spectral radius | lambda_1 | norm at lag 10 | lag 50   | lag 99")
for label, W in matrices.items():
    n = linear_norms[label]
    print(f"{label[6:]:>16} | {spectrum(W).largest_singular_value:8.2f} | {n[10]:14.3g} | {n[50]:8.3g} | {n[99]:.3g}")

# %% slideshow={"slide_type": "subslide"}
plot_jacobian_norms(linear_norms, linear_bounds,
                    title="Linear RNN: ||dh_T / dh_(T-lag)|| for five spectral radii")

# %% [markdown] slideshow={"slide_type": "fragment"}
# - Below $\rho = 1$ the gradient from 100 steps back has shrunk by orders of magnitude: **vanishing**. Above 1 it
#   has grown by orders of magnitude: **exploding**. At $\rho = 1$ it does neither, but only on that knife edge.
# - The dashed lines are the bound $\lambda_1^{\text{lag}}$ with $\lambda_1 = \|W_h\|_2$, the **largest singular
#   value**. It holds, but it is loose: for a random matrix $\lambda_1$ is much larger than $\rho$ (the table's
#   second column).

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Eigenvalues and singular values
#
# - **Eigenvalues** $\mu_i$ tell what *repeated* multiplication does in the long run: $\|W^k\|^{1/k} \to \rho$.
# - **Singular values** $\lambda_1 \ge \lambda_2 \ge \dots$ tell what *one* multiplication can do at most:
#   $\|v W\| \le \lambda_1 \|v\|$. They bound every step, so they bound the product: $\|W^k\| \le \lambda_1^k$.
# - For an **orthogonal** matrix every eigenvalue has $|\mu| = 1$ and every singular value is 1: the two views agree,
#   and a product of orthogonal matrices has norm exactly 1 for every lag. That is why orthogonal initialisation
#   (section 7) is a remedy.

# %% slideshow={"slide_type": "subslide"}
fig, (ax_eig, ax_sv) = new_figure((11, 4.4), ncols=2)
plot_eigenvalues(matrices["rho = 1.1"], activation="tanh", ax=ax_eig, title="Eigenvalues of a Gaussian W_hh, rho = 1.1")
plot_singular_values({"Gaussian, rho = 1": matrices["rho = 1.0"],
                      "orthogonal": recurrent_matrix(H, 1.0, kind="orthogonal", rng=0)}, ax=ax_sv)
fig

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. The bound with $\gamma$: sufficient versus necessary
#
# With a nonlinearity, each Jacobian is $W_h\,\operatorname{diag}(f'(a_t))$. If $|f'| \le \gamma$ everywhere
# ($\gamma = 1$ for tanh and ReLU, $\gamma = 1/4$ for the sigmoid), then
#
# $$
# \|J_t\| \le \|W_h\|\,\|\operatorname{diag}(f'(a_t))\| \le \lambda_1 \gamma
# \qquad\Longrightarrow\qquad
# \Big\|\frac{\partial h_T}{\partial h_k}\Big\| \le (\gamma\lambda_1)^{T-k}.
# $$
#
# Pascanu, Mikolov & Bengio (2013) read two statements off this bound:
#
# - $\lambda_1 < 1/\gamma$ is **sufficient** for the gradient to **vanish**: the bound itself goes to 0
#   exponentially, whatever the inputs do.
# - $\lambda_1 > 1/\gamma$ is **necessary** for it to **explode** (otherwise it would vanish), but **not
#   sufficient**: the bound is only an upper bound, and when the units saturate, $f'(a_t)$ is far below $\gamma$
#   and the product can vanish anyway.
#
# Three measurements, one per case:

# %% slideshow={"slide_type": "subslide"}
H, T = 16, 80
cases = {
    "sigmoid, lambda_1 = 3.5 < 1/gamma = 4": ("sigmoid", recurrent_matrix(H, 3.5, kind="orthogonal", rng=0), 1.0),
    "tanh, lambda_1 > 1, strong inputs": ("tanh", recurrent_matrix(H, 1.5, rng=0), 3.0),
    "tanh, lambda_1 > 1, weak inputs": ("tanh", recurrent_matrix(H, 1.5, rng=0), 0.05),
}
case_norms, case_bounds = {}, {}
print(f"{'case':40} | gamma*lambda_1 | ||dh_T/dh_(T-79)|| | bound")
for label, (activation, W, input_scale) in cases.items():
    states = simulate_states(W, T, activation, input_scale=input_scale, rng=1)
    case_norms[label] = jacobian_norms(W, states, activation)
    case_bounds[label] = norm_bound(W, np.arange(T), activation)
    gl = GAMMA[activation] * spectrum(W).largest_singular_value
    print(f"{label:40} | {gl:14.2f} | {case_norms[label][-1]:18.3g} | {case_bounds[label][-1]:.3g}")

# %% slideshow={"slide_type": "subslide"}
plot_jacobian_norms(case_norms, case_bounds, title="Sufficient for vanishing, necessary (not sufficient) for exploding")

# %% [markdown] slideshow={"slide_type": "subslide"}
# - **Sigmoid**: $\lambda_1 = 3.5$ is well above 1, and a linear net with this matrix would explode, yet
#   $\gamma\lambda_1 < 1$, so the gradient must vanish, and it does, under its bound.
# - **tanh with strong inputs**: $\gamma\lambda_1 > 1$, so exploding is *allowed*; but the inputs drive the
#   units into saturation, $\tanh'(a) \approx 0$, and the gradient vanishes anyway. The necessary condition
#   holds, the explosion does not happen.
# - **tanh with weak inputs**: the units stay away from saturation and the gradient survives 80 steps at order 1,
#   many orders of magnitude above the strongly driven case with the *same* matrix. Only in this regime can the
#   gradient grow at all.
#
# Try it: drag the spectral radius, switch the activation, and raise the input scale until tanh saturates.

# %% slideshow={"slide_type": "subslide"}
spectral_radius_demo(rho=0.9)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. One unit, two parameters, and a cliff
#
# Pascanu et al. (2013) make the problem visible with the smallest possible RNN: one unit, no input,
#
# $$
# x_t = w\,\sigma(x_{t-1}) + b,\qquad x_0 = 0.5,\qquad t = 1,\dots,50,\qquad
# E(w, b) = \big(\sigma(x_{50}) - 0.7\big)^2 .
# $$
#
# Two parameters, so the whole loss surface fits in one picture. The loss is a loop over time, vectorised over
# *arrays* of $w$ and $b$ so that a whole grid runs at once. Here it is in full, checked against the package's
# `one_unit_loss`:

# %%
def loss_by_hand(w, b, T=50, x0=0.5, target=0.7):
    x = np.full(np.broadcast(w, b).shape, x0)
    for _ in range(T):
        x = w * sigmoid(x) + b
    return (sigmoid(x) - target) ** 2


w_grid, b_grid = np.meshgrid(np.linspace(0, 8, 200), np.linspace(-5, 1, 200))
print("largest difference from one_unit_loss on the 200 x 200 grid:",
      np.abs(loss_by_hand(w_grid, b_grid) - one_unit_loss(w_grid, b_grid)).max())
b_line = np.linspace(-5, 5, 11)
print("E(0, b) = (sigmoid(b) - 0.7)^2 holds:",
      np.allclose(one_unit_loss(0.0, b_line), (sigmoid(b_line) - 0.7) ** 2, rtol=1e-12))
start = time.perf_counter()
one_unit_loss(w_grid, b_grid)
print(f"one 200 x 200 grid: {1e3 * (time.perf_counter() - start):.1f} ms")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The surface

# %%
surface = one_unit_surface(w_lim=(0, 8), b_lim=(-5, 1), n=200)
fig, (ax_2d, ax_g) = new_figure((12, 4.6), ncols=2)
plot_loss_surface(surface, ax=ax_2d)
plot_gradient_norm(surface, ax=ax_g)
fig

# %% slideshow={"slide_type": "subslide"}
plot_loss_surface_3d(surface)

# %% [markdown] slideshow={"slide_type": "subslide"}
# For $w < 4$ the surface is smooth. For $w > 4$ there is a **wall**: along a line $b \approx -w/2$ the loss drops
# from a high plateau to a low valley in a step. Why there? The map $x \mapsto w\,\sigma(x) + b$ has slope
# $w\,\sigma'(x) \le w/4$. For $w < 4$ it is a contraction with a single fixed point, and $x_{50}$ depends
# smoothly on $(w, b)$. For $w > 4$ and $b$ in a band around $-w/2$ it has **two stable fixed points** (a low and a
# high one) separated by an unstable one, and which one $x_t$ ends in depends on which side of the unstable point
# $x_0 = 0.5$ lies. Cross that boundary and $x_{50}$ jumps from one fixed point to the other:

# %%
fig, (ax_s, ax_c) = new_figure((12, 4.0), ncols=2)
plot_one_unit_states(4.5, [-2.31, -2.30], ax=ax_s, title="x_t either side of the wall (w = 4.5)")
plot_cliff_slice(4.5, (-3.0, -1.5), ax=ax_c)
fig

# %% slideshow={"slide_type": "subslide"}
b_fine = np.linspace(-3.0, -1.5, 300_001)
loss_fine, dw_fine, db_fine = one_unit_grad(4.5, b_fine)
g_fine = np.hypot(dw_fine, db_fine)
print(f"at w = 4.5: largest gradient norm {g_fine.max():.3g} at b = {b_fine[g_fine.argmax()]:.4f}")
print(f"            the norm exceeds 10 on a strip {np.sum(g_fine > 10) * (b_fine[1] - b_fine[0]):.4f} wide; "
      f"the 200 x 200 grid's spacing in b is {surface.b[1] - surface.b[0]:.4f}")
print(f"            elsewhere on the cut the median norm is {np.median(g_fine):.3g}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# This is what an exploding gradient looks like **in parameter space**: not a gradient that is large everywhere, but
# a thin wall where the curvature and the gradient are enormous next to plateaus where both are small. Further right
# (larger $w$) the wall gets steeper and thinner still, thinner than any grid can resolve: the gradient-norm image
# above shows it only as a faint line.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The gradient, by BPTT through the scalar recurrence
#
# With $\delta_t = \partial E/\partial x_t$: $\delta_{50} = 2(\sigma(x_{50}) - 0.7)\,\sigma'(x_{50})$,
# then for $t = 50, \dots, 1$
# $\;\partial E/\partial w \mathrel{+}= \delta_t\,\sigma(x_{t-1})$,
# $\;\partial E/\partial b \mathrel{+}= \delta_t$,
# $\;\delta_{t-1} = \delta_t\, w\,\sigma'(x_{t-1})$.
# The factor $w\,\sigma'(x_{t-1})$ is this network's one-by-one Jacobian; $|w| < 4 = 1/\gamma$ makes every one of
# them smaller than 1. `one_unit_grad` does exactly this, vectorised; the gradient checker agrees away from the
# wall (where finite differences are meaningful):

# %%
w_pts = rng.uniform(0.0, 8.0, size=40)
b_pts = rng.uniform(-5.0, 1.0, size=40)
_, dw_pts, db_pts = one_unit_grad(w_pts, b_pts)
gradcheck(lambda w, b: one_unit_loss(w, b), {"w": w_pts, "b": b_pts}, {"w": dw_pts, "b": db_pts},
          dout=np.ones(40), eps=1e-7, tol=1e-6)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Gradient descent meets the wall: clipping
#
# Start on the plateau above the wall and run plain gradient descent. The gradient points towards the wall; the step
# that lands *on* it gets a gradient tens or hundreds of times larger than on the plateau (compare the largest and
# the median norm in the table below), and the parameters are thrown far away. Pascanu et al.'s remedy, **clipping the gradient's norm**, keeps the direction and caps the length:
#
# $$
# \text{if } \|g\| > \theta:\qquad g \leftarrow \theta\,\frac{g}{\|g\|}.
# $$
#
# Element-wise clipping (clip each entry to $[-\theta, \theta]$) also caps the step, but it turns the direction.
# In code (this is what `rnn_course.optim.clip_grad_norm` does to a whole set of gradients):

# %%
def clip_by_norm(g, threshold):
    norm = np.sqrt(np.sum(g * g))
    return g * (threshold / norm) if norm > threshold else g


g = np.array([300.0, -40.0])
print("norm-clipped:   ", clip_by_norm(g, 1.0), "(same direction)")
print("element-clipped:", np.clip(g, -1.0, 1.0), "(direction changed)")

# %% slideshow={"slide_type": "subslide"}
w0, b0, lr, threshold = 4.5, -3.0, 0.3, 1.0
paths = [descent_path(w0, b0, lr=lr, steps=100, clip=method, threshold=threshold) for method in CLIP_METHODS]
print(f"start (w, b) = ({w0}, {b0}), learning rate {lr}, threshold {threshold}, 100 steps")
print(f"{'clipping':>9} | final loss | largest ||g|| | median ||g|| | longest step | final (w, b)")
for p in paths:
    longest = np.hypot(np.diff(p.w), np.diff(p.b)).max()
    print(f"{p.method:>9} | {p.loss[-1]:10.3g} | {p.grad_norm.max():13.3g} | {np.median(p.grad_norm):12.3g} | "
          f"{longest:12.3g} | ({p.w[-1]:.3g}, {p.b[-1]:.3g})")

# %% slideshow={"slide_type": "subslide"}
plot_descent_paths(surface, paths)

# %% [markdown] slideshow={"slide_type": "fragment"}
# One start can be lucky or unlucky. Here are starts on an $11\times13$ grid over the window $w \ge 3$, three
# learning rates, 100 steps each: how many paths are thrown out of the window, and the median final loss.

# %% slideshow={"slide_type": "subslide"}
starts = [(w, b) for w in np.linspace(3.0, 8.0, 11) for b in np.linspace(-5.0, 1.0, 13)]


def outside(p):
    return bool(((p.w < 0) | (p.w > 8) | (p.b < -5) | (p.b > 1)).any())


print(f"{len(starts)} starts per cell: thrown out of the window / median final loss")
print(f"{'learning rate':>13} | " + " | ".join(f"{m + ' clipping':>22}" for m in CLIP_METHODS))
for lr_sweep in (0.1, 0.3, 1.0):
    cells = []
    for method in CLIP_METHODS:
        runs = [descent_path(w, b, lr=lr_sweep, steps=100, clip=method, threshold=1.0) for w, b in starts]
        cells.append(f"{sum(outside(p) for p in runs):4d} / {np.median([p.loss[-1] for p in runs]):8.2g}")
    print(f"{lr_sweep:13} | " + " | ".join(f"{c:>22}" for c in cells))

# %% [markdown] slideshow={"slide_type": "fragment"}
# Clipping does not make the wall go away, and it does not help on the plateaus, where the gradient is already
# small. It only stops a single step on the wall from undoing everything: the parameters stay where the loss was
# going down. Try other starts, learning rates and thresholds (this is also the lecture demo):

# %% slideshow={"slide_type": "subslide"}
cliff_demo()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. The latch: learning to remember gets harder with the length
#
# Bengio, Simard & Frasconi (1994) asked a single tanh unit to **keep one bit** for $T$ steps:
#
# $$
# h_t = \tanh(w\,h_{t-1} + a_t),\quad h_0 = 0,\qquad a_1 = u\,y + e_1,\quad a_t = e_t\ (t \ge 2),\qquad
# e_t \sim \mathcal N(0, 0.2^2),
# $$
#
# with $y = \pm1$ and the loss $(h_T - 0.8\,y)^2$. To hold the bit the unit must be **bistable** ($w > 1$: two
# stable states near $\pm h^\*$); to hold it *robustly* against the noise each state must attract, which means
# $|w \tanh'(a)| < 1$ around it. But $w \tanh'(a)$ is exactly the factor BPTT multiplies by at every step. A unit
# that latches robustly is a unit whose gradient from $h_T$ back to $h_1$ vanishes geometrically in $T$. That is
# their argument, and this is the experiment: 16 seeds per length, each starting from $w \sim U(0.5, 1)$ (not yet
# bistable), $u = 1$, trained by SGD for 300 updates of 32 fresh sequences; success = at least 95% of fresh test
# sequences right.

# %% slideshow={"slide_type": "subslide"}
Ts = [2, 5, 10, 20, 40, 80]
sweep = latch_sweep(Ts, seeds=16, steps=300, lr=0.1, rng=0)


def mean_text(values):
    return f"{values.mean():.2f}" if values.size else "-"


print("  T | success rate | w at start -> end, successes | w at start -> end, failures")
for T_, rate, run in zip(sweep.Ts, sweep.success_rate, sweep.runs):
    ok, bad = run.success, ~run.success
    print(f"{T_:3d} | {rate:12.2f} | {mean_text(run.w[0][ok]):>13} -> {mean_text(run.w[-1][ok]):<13} | "
          f"{mean_text(run.w[0][bad]):>12} -> {mean_text(run.w[-1][bad])}")

# %% slideshow={"slide_type": "subslide"}
fig, (ax_rate, ax_w) = new_figure((12, 4.2), ncols=2)
plot_latch_sweep(sweep, ax=ax_rate)
plot_latch_weights(sweep.runs[Ts.index(20)], ax=ax_w)
fig

# %% [markdown] slideshow={"slide_type": "subslide"}
# - Short sequences are always learned; from some length on, **no** seed learns the latch.
# - **What happens to $w$ when it fails**: the gradient about the bit is too weak to push $w$ above 1, so what is
#   left is the gradient from the noise, and the best the unit can do about noise it cannot use is to **forget**:
#   $w$ shrinks towards 0 and $h_T$ towards 0 (the loss settles near $0.8^2$). The runs that succeed are the ones
#   that started closest to $w = 1$: with few steps to cross, a weak gradient was enough.
# - A latched unit is indeed contracting: the factor $w\,\tanh'$ at its stable state is below 1, so the gradient
#   from the end back to the bit shrinks geometrically with $T$:

# %%
run20 = sweep.runs[Ts.index(20)]
for w_final in run20.w[-1][run20.success][:3]:
    h_star = 0.9
    for _ in range(200):  # the stable fixed point h* = tanh(w h*)
        h_star = np.tanh(w_final * h_star)
    factor = w_final * (1 - h_star**2)
    print(f"w = {w_final:.3f}: h* = {h_star:.3f}, per-step factor w tanh'(w h*) = {factor:.3f}, "
          f"over 20 steps: {factor**19:.2g}, over 80 steps: {factor**79:.2g}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Remedies, each measured
#
# ### 7.1 Gradient clipping
#
# Section 5 showed clipping on the loss surface. The same thing happens in a real network. An RNN of 16 ReLU units
# with the identity as its recurrent matrix (an **IRNN**, next section) is trained by SGD on the latch task with
# $T = 50$, once without clipping and once with `clip_grad_norm(grads, 1.0)`:

# %%
irnn = dict(cell="rnn_relu", recurrent_init="identity", optimizer="sgd", lr=0.05, steps=300)
clip_runs = []
for seed in range(3):
    clip_runs.append(train_latch_rnn(50, rng=seed, label=f"IRNN, no clipping (seed {seed})", **irnn))
    clip_runs.append(train_latch_rnn(50, rng=seed, clip=1.0, label=f"IRNN, clip 1.0 (seed {seed})", **irnn))
for r in clip_runs:
    status = r.stopped or f"trained, test accuracy {100 * r.accuracy:.0f}%"
    print(f"{r.label:30} largest ||g|| {r.grad_norm.max():9.3g}: {status}")

# %% slideshow={"slide_type": "subslide"}
plot_latch_runs(clip_runs[:2], title="IRNN on the latch task (T = 50): without and with norm clipping")

# %% [markdown] slideshow={"slide_type": "fragment"}
# Without clipping, the first large gradient makes a step that increases the recurrent weights, which makes the next
# gradient larger still: the loss overflows within a few updates. With clipping, the same gradients occur (the
# largest norm is large in both rows), but each step is capped and training converges.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 7.2 Initialisation: orthogonal and IRNN
#
# If the trouble is a product of Jacobians, start training where that product has norm close to 1:
#
# - **orthogonal** $W_h$ (Saxe et al. 2014): every singular value is 1, so $\|W_h^{k}\| = 1$ for every $k$;
# - **IRNN** (Le, Jaitly & Hinton 2015): ReLU units and $W_h = I$. While a unit is active its Jacobian is
#   exactly 1: the state, and the gradient, are copied forward unchanged.
#
# Against the classic "small random weights" ($\mathcal N(0, 0.01^2)$), at initialisation:

# %%
H, T = 16, 50
init_settings = {
    "tanh, small normal": ("rnn", "normal"),
    "tanh, orthogonal": ("rnn", "orthogonal"),
    "IRNN (ReLU, identity)": ("rnn_relu", "identity"),
}
init_norms = {}
for label, (cell, init_name) in init_settings.items():
    Wh0 = init_cell_params(2, H, cell, recurrent_init=init_name, rng=0)["Wh"]  # what train_latch_rnn starts from
    activation = "relu" if cell == "rnn_relu" else "tanh"
    states = simulate_states(Wh0, T, activation, input_scale=0.2, rng=0)  # small random inputs
    init_norms[label] = jacobian_norms(Wh0, states, activation)
    first = train_latch_rnn(T, cell=cell, recurrent_init=init_name, steps=1, rng=0).first_step_grad[0]
    print(f"{label:24} ||dh_T/dh_1|| = {init_norms[label][-1]:9.3g};  on the latch task ||dL/dh_1|| = {first:.3g}")

# %% slideshow={"slide_type": "subslide"}
plot_jacobian_norms(init_norms, title="At initialisation: how much gradient survives 50 steps")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Then training on the same task ($T = 50$), three seeds each, all with SGD (learning rate 0.05, 300 updates) and
# the IRNN with norm clipping, as Le et al. trained it:

# %%
train_settings = {
    "tanh, small normal": dict(cell="rnn", recurrent_init="normal", optimizer="sgd", lr=0.05),
    "tanh, orthogonal": dict(cell="rnn", recurrent_init="orthogonal", optimizer="sgd", lr=0.05),
    "IRNN + clipping": dict(cell="rnn_relu", recurrent_init="identity", optimizer="sgd", lr=0.05, clip=1.0),
}
init_runs = {}
for label, settings in train_settings.items():
    init_runs[label] = [train_latch_rnn(50, steps=300, rng=seed, label=label, **settings) for seed in range(3)]
    accs = ", ".join(f"{100 * r.accuracy:.0f}%" for r in init_runs[label])
    print(f"{label:20} learned {sum(r.success for r in init_runs[label])} of 3 seeds (test accuracy {accs})")

# %% [markdown] slideshow={"slide_type": "fragment"}
# The small-random initialisation sends essentially no gradient to the first step, so SGD never learns that the first
# input matters. The two initialisations that keep the Jacobian product far from 0 learn the task in most (orthogonal)
# or all (IRNN with clipping) of the seeds.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 7.3 Truncated BPTT
#
# Truncation (lesson 02) sends each loss's gradient back at most $k$ steps. That caps the product at $k$
# Jacobians, so an exploding gradient can grow at most like $(\gamma\lambda_1)^k$ instead of
# $(\gamma\lambda_1)^T$, and each update costs $O(k)$ instead of $O(T)$. The price is the point of this lesson:
# a dependency longer than $k$ gets **no** gradient at all. First the cap, on a ReLU network whose gradient
# explodes (every Jacobian is $1.1\,I$):

# %%
H, T = 16, 100
W_explode = 1.1 * np.eye(H)  # an IRNN whose recurrent weights have grown 10% too large
x_explode = 0.1 * np.abs(rng.standard_normal((1, T, H)))  # positive inputs: every ReLU unit stays active
h_explode, cache_explode = rnn_forward(x_explode, None, np.eye(H), W_explode, np.zeros(H), activation="relu")
dh_last = np.zeros_like(h_explode)
dh_last[0, -1] = 1.0
for k in (5, 10, 20, 50, None):
    grads = rnn_backward(dh_last, cache_explode, truncate=k, truncate_mode="window")
    largest = np.linalg.norm(grads.dh_all[0], axis=1).max()
    print(f"truncate = {k!s:>4}: largest ||dL/dh_t|| = {largest:9.3g}, ||dL/dx|| = {np.linalg.norm(grads.dx):9.3g}, "
          f"||dL/dh_1|| = {np.linalg.norm(grads.dh_all[0, 0]):.3g}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# And the price, on the latch: the same sweep as in section 6 with the gradient truncated to the last 5 steps.
# For $T > 5$ the bit's gain $u$ gets no gradient, and $w$ only learns from the last 5 steps.

# %%
sweep_truncated = latch_sweep(Ts, seeds=16, steps=300, lr=0.1, truncate=5, rng=0)
for T_, full, cut in zip(Ts, sweep.success_rate, sweep_truncated.success_rate):
    print(f"T = {T_:3d}: success {full:.2f} with full BPTT, {cut:.2f} truncated to 5 steps")

# %% slideshow={"slide_type": "subslide"}
plot_latch_sweep({"full BPTT": sweep, "truncated to 5 steps": sweep_truncated},
                 title="Truncation caps the gradient, and the memory")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 7.4 Gated cells (lesson 04)
#
# The cure that stuck changes the architecture instead of the training. An LSTM keeps a **cell state**
# $c_t = f_t \odot c_{t-1} + i_t \odot g_t$: along $c$, the Jacobian is $\operatorname{diag}(f_t)$, a forget
# gate, not a weight matrix times a squashing slope. With $f_t \approx 1$ the gradient flows back unchanged
# (Hochreiter & Schmidhuber's "constant error carousel"), and the network *learns* when to let it decay. Lesson 04
# builds it and compares it with the RNNs here on the adding problem.
#
# ### 7.5 Also in the literature
#
# - **Echo state networks** (Jaeger 2001; Jaeger & Haas 2004) avoid the problem by not training $W_h$ at all:
#   a large random recurrent matrix scaled to spectral radius just below 1, so states carry an "echo" of the past,
#   and only a linear read-out is fitted (by least squares, no BPTT).
# - **Second-order methods**: Hessian-free optimisation (Martens 2010; Martens & Sutskever 2011) uses curvature,
#   so it takes small steps along the wall and large ones along the plateaus, and trained RNNs on long-range tasks
#   that first-order SGD could not.
# - Pascanu et al. (2013) also propose a **regulariser** that keeps $\|\partial h_{t}/\partial h_{k}\|$ near 1 and
#   so fights vanishing directly; unitary and orthogonal RNNs (Arjovsky et al. 2016) keep $W_h$ orthogonal
#   throughout training.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### On your own
#
# - In section 3, find the input scale at which the tanh network with $\lambda_1 > 1$ switches from vanishing to
#   not vanishing (use `simulate_states` and `jacobian_norms`, or the demo's input-scale slider).
# - Change `threshold` in section 5 to 0.05 and to 10. Which one behaves like plain gradient descent, and which one
#   makes progress painfully slow? What does that suggest about choosing the threshold (Pascanu et al. use the
#   average gradient norm over many updates)?
# - Rerun the latch sweep with `noise=0.0`. Does the success rate still fall with $T$? Why, given section 3?
# - Train the tanh network with orthogonal initialisation on the latch task with $T = 100$ (`train_latch_rnn`).
#   How many seeds succeed, and what does `first_step_grad` say at the first update?

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - BPTT multiplies the gradient by one Jacobian $W_h\operatorname{diag}(f'(a_t))$ per step, so the gradient from
#   $T - k$ steps back is a product of $T - k$ matrices: it shrinks or grows exponentially in the lag.
# - For a linear RNN the rate is the spectral radius $\rho$. In general
#   $\|\partial h_T/\partial h_k\| \le (\gamma\lambda_1)^{T-k}$ with $\lambda_1$ the largest singular value of
#   $W_h$ and $\gamma = \sup|f'|$ (1 for tanh, 1/4 for the sigmoid): $\lambda_1 < 1/\gamma$ is **sufficient**
#   for vanishing, $\lambda_1 > 1/\gamma$ is **necessary but not sufficient** for exploding.
# - On the one-unit RNN's loss surface, exploding gradients are a **cliff**: a thin wall between plateaus. A step on
#   it throws plain gradient descent away; **norm clipping** keeps the direction and caps the step.
# - Vanishing gradients make long memories hard to *learn*: on the latch task success falls to zero as $T$ grows,
#   and failed units let $w$ shrink and forget.
# - Remedies: clipping (against exploding), orthogonal and identity initialisation (start with a Jacobian product
#   near norm 1), truncation (caps cost and explosion, but also memory), and gated cells (lesson 04).

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Check your understanding
#
# 1. A tanh RNN has $\lambda_1(W_h) = 0.95$. Can its gradients explode? Can they vanish?
# 2. A sigmoid RNN has $\lambda_1(W_h) = 2$. A friend says "$\lambda_1 > 1$, so its gradients explode". What is
#    wrong with that?
# 3. Why does the one-unit loss surface have no cliff for $w < 4$?
# 4. Norm clipping and element-wise clipping both bound the step length. What does norm clipping preserve that
#    element-wise clipping does not, and why might it matter on the cliff?
# 5. In the latch sweep, the runs that fail end with $w$ near 0, not near 1. Why is shrinking $w$ the best the
#    unit can do when it gets no usable gradient about the bit?
# 6. Truncating BPTT to $k$ steps fixed the exploding gradient of the ReLU network in 7.3. Why is it not a remedy
#    for *vanishing* gradients?
# 7. An IRNN trained without clipping overflowed within a few updates. Which property of $W_h = I$ with ReLU makes
#    it both good for memory and prone to exploding?
#
# <details><summary>Answers</summary>
#
# 1. They cannot explode: $\gamma\lambda_1 = 0.95 < 1$, so the bound $0.95^{T-k}$ goes to 0. For the same reason
#    they must vanish (the sufficient condition holds).
# 2. For the sigmoid $\gamma = 1/4$, so the bound is $(2/4)^{T-k} = 0.5^{T-k}$: the gradients are *guaranteed*
#    to vanish. Exploding needs $\lambda_1 > 4$, and even then it is not guaranteed.
# 3. The map $x \mapsto w\sigma(x) + b$ has slope at most $w/4 < 1$, a contraction with a single fixed point; $x_{50}$
#    depends smoothly on $(w, b)$. Two stable fixed points, and so a boundary between their basins, need $w > 4$.
# 4. The direction of the gradient. Next to the wall the gradient points across it; element-wise clipping turns the
#    step towards the diagonal (both components $\pm\theta$), which can send it along a direction the gradient did
#    not ask for.
# 5. Without information about $y$ the best prediction of $0.8y$ is 0. Noise enters at every step and is amplified by
#    $w$; shrinking $w$ (and so forgetting) makes $h_T$ small, which minimises the expected squared error.
# 6. It removes gradient: the terms from more than $k$ steps back become exactly 0 instead of very small. A dependency
#    longer than $k$ cannot be learned at all (the truncated latch sweep).
# 7. While units are active each Jacobian is exactly $I$: nothing decays, so gradients (and states) survive many
#    steps. But a small update that makes $W_h$'s largest singular value exceed 1 makes the product grow
#    exponentially, so the next gradient is huge.
# </details>

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### References
#
# - R. Pascanu, T. Mikolov, Y. Bengio, "On the difficulty of training recurrent neural networks", *ICML* 2013:
#   the bound with $\gamma$, the one-unit model and its cliff, norm clipping.
# - Y. Bengio, P. Simard, P. Frasconi, "Learning long-term dependencies with gradient descent is difficult",
#   *IEEE Trans. Neural Networks* 5(2), 1994: the latch and robust latching versus vanishing gradients.
# - S. Hochreiter, "Untersuchungen zu dynamischen neuronalen Netzen", diploma thesis, TU München, 1991; S. Hochreiter,
#   J. Schmidhuber, "Long short-term memory", *Neural Computation* 9(8), 1997.
# - Q. V. Le, N. Jaitly, G. E. Hinton, "A simple way to initialize recurrent networks of rectified linear units",
#   arXiv:1504.00941, 2015 (IRNN).
# - A. M. Saxe, J. L. McClelland, S. Ganguli, "Exact solutions to the nonlinear dynamics of learning in deep linear
#   neural networks", *ICLR* 2014 (orthogonal initialisation).
# - H. Jaeger, "The 'echo state' approach to analysing and training recurrent neural networks", GMD Report 148,
#   2001; H. Jaeger, H. Haas, "Harnessing nonlinearity", *Science* 304, 2004.
# - J. Martens, "Deep learning via Hessian-free optimization", *ICML* 2010; J. Martens, I. Sutskever, "Learning
#   recurrent neural networks with Hessian-free optimization", *ICML* 2011.
# - M. Arjovsky, A. Shah, Y. Bengio, "Unitary evolution recurrent neural networks", *ICML* 2016.
# - I. Goodfellow, Y. Bengio, A. Courville, *Deep Learning* (2016), section 10.7 (the challenge of long-term
#   dependencies) and 10.11 (clipping).
