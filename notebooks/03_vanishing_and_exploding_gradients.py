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

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: lesson 02 ended on a gradient that had been through 47 Jacobians and was tiny. Today: why a product of
#   Jacobians shrinks or grows exponentially, what that does to learning, and the remedies, each one measured.
# - **Ask**: who has seen a training loss suddenly jump to NaN? What happened?
# - **Answer**: usually an exploding gradient: one huge step, then overflow. Section 5 shows it on a loss surface
#   with two parameters, and section 7 in a real network.

# %% [markdown] slideshow={"slide_type": "subslide"}
# **What you will learn**
# - why the gradient that reaches step $k$ from step $T$ is a **product of $T-k$ Jacobians**, and what the
#   eigenvalues and singular values of $W_h$ say about its size;
# - the bound $\|\partial h_T/\partial h_k\| \le (\gamma\lambda_1)^{T-k}$ and exactly what it proves:
#   $\lambda_1 < 1/\gamma$ is **sufficient** for vanishing, $\lambda_1 > 1/\gamma$ only **necessary** for exploding
#   (Pascanu, Mikolov & Bengio 2013), with a tanh network that vanishes and one that explodes;
# - the one-unit RNN whose loss surface has a **cliff**, and what gradient descent does when it reaches it;
# - gradient **clipping** by norm and by value, seen on that surface;
# - the **latch** task (Bengio, Simard & Frasconi 1994): why learning to remember gets harder with the length;
# - the remedies, each measured: clipping, orthogonal and identity (IRNN) initialisation against a fair
#   Xavier baseline, truncated BPTT, and an **echo state network** that never trains $W_h$ (Jaeger's timer task);
#   where gated cells (lesson 04) and second-order methods fit in.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the plan: the product and its size (sections 1-3), the cliff in parameter space and clipping (4-5),
#   why long memories are hard to learn (6), then the remedies, measured against fair baselines (7).
# - **Ask**: which do you expect to be easier to fix, exploding or vanishing?
# - **Answer**: exploding: capping the step (clipping) is enough. Vanishing needs a different start, a different
#   training or a different cell.

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Prerequisites**: lesson 01 (the recurrence), lesson 02 (BPTT, the Jacobian $\partial h_t/\partial h_{t-1}$,
# truncation); eigenvalues and singular values of a matrix.
#
# **Time**: 60–90 minutes.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: from lesson 02 we need the Jacobian $J_t = \partial h_t/\partial h_{t-1}$ and truncation; from linear
#   algebra, eigenvalues and singular values.
# - **Ask**: what is the difference between the largest eigenvalue magnitude and the largest singular value of a
#   matrix?
# - **Answer**: the eigenvalue says what repeated multiplication does in the long run; the singular value, how much
#   one multiplication can stretch a vector at most. Section 2 shows they can differ a lot.

# %% slideshow={"slide_type": "skip"}
# %matplotlib inline
import time

import numpy as np

from rnn_course import (
    Adam,
    clip_grad_norm,
    descent_path,
    mse_loss,
    one_unit_grad,
    one_unit_loss,
    one_unit_surface,
    rnn_backward,
    rnn_forward,
    temporal_affine_backward,
    temporal_affine_forward,
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
    plot_pulse_lengths,
    plot_singular_values,
    plot_timer_outputs,
)
from rnn_course.reservoir import fit_readout, random_reservoir, readout_forward, reservoir_states
from rnn_course.surfaces import CLIP_METHODS, locate_cliff
from rnn_course.tasks.latch import latch_sweep, train_latch_rnn
from rnn_course.tasks.timer import pulse_lengths, timer_batch

# One BLAS thread for numpy's matrix products: an RNN multiplies small matrices one step at a time,
# and a second thread costs more than it saves (the docstring of rnn_course.blas says why).
use_blas_threads(1)

np.set_printoptions(precision=4, suppress=False)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The gradient through time is a product
#
# Lesson 02 derived BPTT for $h_t = f(a_t)$, $a_t = x_t W_x + h_{t-1} W_h + b$ ($t = 1..T$, $h_0$ given). One
# step back multiplies the gradient by the step's Jacobian, the matrix of $\partial h_{t,i} / \partial h_{t-1,j}$:
#
# $$
# J_t = \frac{\partial h_t}{\partial h_{t-1}} = \operatorname{diag}\!\big(f'(a_t)\big)\, W_h^{\top}
# \qquad (H \times H),
# $$
#
# so the gradient that the loss at step $T$ sends to step $k$ has gone through **$T-k$ of them**, last step first:
#
# $$
# \frac{\partial L_T}{\partial h_k} = \frac{\partial L_T}{\partial h_T}\, J_T J_{T-1} \cdots J_{k+1} .
# $$
#
# Gradients are rows, like $h_t$, so they multiply the Jacobians from the left; one factor is the line
# `dh_prev = (dh * (1 - h_t**2)) @ Wh.T` of lesson 02's loop.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: one step back multiplies the gradient by that step's Jacobian, $\operatorname{diag}(f'(a_t)) W_h^\top$;
#   from step $T$ back to step $k$ that is $T - k$ factors, latest first.
# - **Ask**: the gradient is a row vector. Why does it multiply the Jacobians from the left?
# - **Answer**: $\partial L_T/\partial h_{t-1} = (\partial L_T/\partial h_t)\, J_t$: the chain rule with rows, as in
#   lesson 02's loop, `dh_prev = (dh * (1 - h_t**2)) @ Wh.T`.

# %% [markdown] slideshow={"slide_type": "subslide"}
# A product of many matrices either shrinks or grows exponentially in the number of factors, except on a knife
# edge. That is the whole problem; the rest of the lesson is about *which* and *what to do*.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: one number to remember: a product of $n$ factors each about $c$ behaves like $c^n$. Below 1 it
#   vanishes, above 1 it explodes, and only on the knife edge $c = 1$ does it do neither.
# - **Ask**: $0.9^{100}$ and $1.1^{100}$: roughly how large?
# - **Answer**: about $3 \cdot 10^{-5}$ and $10^{4}$: ten percent per step is four to five orders of magnitude either
#   way over 100 steps.

# %% [markdown] slideshow={"slide_type": "subslide"}
# The product, written out for a small tanh RNN, against what `rnn_backward` sends back (`dh_all`, lesson 02):

# %%
rng = np.random.default_rng(0)
N, T, H = 1, 30, 8
Wh = recurrent_matrix(H, spectral_radius=1.1, rng=1)
x = rng.standard_normal((N, T, H))
h, cache = rnn_forward(x, np.zeros((N, H)), np.eye(H), Wh, np.zeros(H))

product = np.eye(H)  # dh_T / dh_T, then dh_T / dh_{T-1} = J_T, ... one Jacobian more per step back
by_hand = [product]
for t in range(T, 1, -1):  # t = T, T-1, ..., 2 (maths); h[0, t-1] is h_t
    J_t = (1.0 - h[0, t - 1] ** 2)[:, None] * Wh.T  # diag(tanh'(a_t)) Wh^T
    product = product @ J_t
    by_hand.append(product)  # by_hand[lag] = dh_T / dh_{T-lag}

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: a tanh RNN of 8 units over 30 steps; the loop multiplies one Jacobian per step back, exactly the
#   formula: `(1 - h_t**2)[:, None] * Wh.T` is $\operatorname{diag}(1 - h_t^2)\, W_h^\top$.
# - **Ask**: `by_hand[lag]` is $\partial h_T/\partial h_{T-\text{lag}}$. What is `by_hand[0]`?
# - **Answer**: the identity: $h_T$ with respect to itself, no Jacobian yet.

# %% slideshow={"slide_type": "subslide"}
g_T = rng.standard_normal(H)  # some gradient arriving at the last state
dh = np.zeros_like(h)
dh[0, -1] = g_T
dh_all = rnn_backward(dh, cache).dh_all[0]  # the gradient BPTT delivers to every h_k
worst = max(np.abs(dh_all[T - 1 - lag] - g_T @ by_hand[lag]).max() for lag in range(T))
package_products = jacobian_products(Wh, h[0], "tanh")
print(f"largest difference between BPTT and g_T J_T ... J_(k+1) over all {T} lags: {worst:.1e}")
print(f"largest difference from the package's jacobian_products: {np.abs(package_products - np.array(by_hand)).max():.1e}")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: a random gradient at $h_T$ times the product equals what `rnn_backward` delivers to every $h_k$, at
#   rounding level (asserted), and the package's `jacobian_products` gives the same matrices.
# - **Ask**: so what *is* BPTT, seen from $h_T$?
# - **Answer**: the gradient at $h_T$ multiplied by one Jacobian per step back; everything about vanishing and
#   exploding is about that product.

# %% slideshow={"slide_type": "skip"}
assert worst < 1e-12 * np.abs(dh_all).max()  # BPTT is exactly this product
assert np.allclose(package_products, np.array(by_hand), rtol=1e-12, atol=1e-14)
assert 2e-5 < 0.9**100 < 4e-5 and 1e4 < 1.1**100 < 2e4  # the notes' 3e-5 and 1e4: ...
assert np.log10(1.1**100) > 4 and np.log10(0.9**100) < -4  # ... four to five orders of magnitude either way

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The size of $W_h$ decides: vanishing or exploding
#
# Start with a **linear** RNN ($f' = 1$): every $J_t$ is $W_h^\top$ and the product is $(W_h^\top)^{T-k}$, whose
# norm is that of $W_h^{T-k}$. For large lags that norm grows like $\rho^{T-k}$, where the **spectral radius**
# $\rho = \max_i |\mu_i|$ is the largest eigenvalue magnitude. Below we rescale one random $32\times32$ matrix to
# several spectral radii and measure $\|\partial h_T/\partial h_{T-\text{lag}}\|_2$ (the largest singular value of
# the product) for lags up to 99.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: start without a nonlinearity: then every Jacobian is $W_h^\top$ and the product is a matrix power. One
#   random $32 \times 32$ matrix, rescaled to five spectral radii from 0.8 to 1.2.
# - **Ask**: which number of $W_h$ decides how $\|W_h^{n}\|$ grows for large $n$?
# - **Answer**: the spectral radius $\rho$, the largest eigenvalue magnitude: $\|W^n\|^{1/n} \to \rho$.

# %% slideshow={"slide_type": "subslide"}
H, T = 32, 100
radii = (0.8, 0.9, 1.0, 1.1, 1.2)
matrices = {f"rho = {r}": recurrent_matrix(H, r, rng=0) for r in radii}
linear_norms = {label: jacobian_norms(W, activation="linear", T=T) for label, W in matrices.items()}
linear_bounds = {label: norm_bound(W, np.arange(T), "linear") for label, W in matrices.items()}
print(" spectral radius | lambda_1 | norm at lag 10 | lag 50   | lag 99")
for label, W in matrices.items():
    n = linear_norms[label]
    print(f"{label[6:]:>16} | {spectrum(W).largest_singular_value:8.2f} | {n[10]:14.3g} | {n[50]:8.3g} | {n[99]:.3g}")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: at lag 99, $\rho = 0.8$ is below $10^{-6}$ and $\rho = 1.2$ above $10^{6}$ (asserted); $\rho = 1$
#   stays between 0.1 and 10. The second column: $\lambda_1$ is well above $\rho$ for every one of them.
# - **Ask**: $\rho = 1.1$, so about $1.1^{99}$ at lag 99: is the table consistent with that?
# - **Answer**: $1.1^{99} \approx 1.3 \cdot 10^{4}$; the table's $2.2 \cdot 10^{4}$ is the same order: $\rho$ sets
#   the rate, the matrix's other directions the constant in front.

# %% slideshow={"slide_type": "skip"}
assert linear_norms["rho = 0.8"][99] < 1e-6 and linear_norms["rho = 0.9"][99] < 1e-3  # vanishing
assert linear_norms["rho = 1.2"][99] > 1e6 and linear_norms["rho = 1.1"][99] > 1e3  # exploding
assert 0.1 < linear_norms["rho = 1.0"][99] < 10  # neither, on the knife edge
assert 1.2e4 < 1.1**99 < 1.4e4 and 2.1e4 < linear_norms["rho = 1.1"][99] < 2.3e4  # the same order (notes)
assert 6.5 < 1.02**100 < 7.5  # a drift to 1.02: about 7 over 100 steps (notes)
for label, W in matrices.items():
    assert np.all(linear_norms[label] <= linear_bounds[label] * (1 + 1e-9))  # the bound holds ...
    assert spectrum(W).largest_singular_value > 1.3 * spectrum(W).spectral_radius  # ... but lambda_1 >> rho

# %% slideshow={"slide_type": "subslide"}
plot_jacobian_norms(linear_norms, linear_bounds,
                    title="Linear RNN: ||dh_T / dh_(T-lag)|| for five spectral radii")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: five straight lines on a log scale: the slope is $\log \rho$; the dashed lines are the bound
#   $\lambda_1^{\text{lag}}$ for each.
# - **Ask**: every curve is under its dashed line. Why is the bound so loose?
# - **Answer**: $\lambda_1$ is the most one multiplication can stretch; repeated multiplication grows only like
#   $\rho^{\text{lag}}$, and for these random matrices $\lambda_1$ is more than 1.3 times $\rho$ (asserted).

# %% [markdown] slideshow={"slide_type": "subslide"}
# - Below $\rho = 1$ the gradient from 99 steps back has shrunk by orders of magnitude: **vanishing**. Above 1 it
#   has grown by orders of magnitude: **exploding**. At $\rho = 1$ it does neither, but only on that knife edge.
# - The dashed lines are the bound $\lambda_1^{\text{lag}}$ with $\lambda_1 = \|W_h\|_2$, the **largest singular
#   value**. It holds, but it is loose: for these random matrices $\lambda_1$ is well above $\rho$ (the table's
#   second column).

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: vanishing below 1, exploding above 1, and only the knife edge $\rho = 1$ keeps the gradient's size.
# - **Ask**: a net trained for a while drifts from $\rho = 1$ to 1.02. Over 100 steps, how much does that change?
# - **Answer**: $1.02^{100} \approx 7$: a knife edge is not a place a trained matrix stays by itself.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Eigenvalues and singular values
#
# - **Eigenvalues** $\mu_i$ tell what *repeated* multiplication does in the long run: $\|W^k\|^{1/k} \to \rho$.
# - **Singular values** $\lambda_1 \ge \lambda_2 \ge \dots$ tell what *one* multiplication can do at most:
#   $\|v W\| \le \lambda_1 \|v\|$. They bound every step, so they bound the product: $\|W^k\| \le \lambda_1^k$.
# - For an **orthogonal** matrix every eigenvalue has $|\mu| = 1$ and every singular value is 1: the two views agree,
#   and a product of orthogonal matrices has norm exactly 1 for every lag. That is why orthogonal initialisation
#   (section 7) is a remedy.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: eigenvalues for the long run, singular values for a single step; for an orthogonal matrix the two
#   agree, and every power has norm exactly 1.
# - **Ask**: a rotation by 30 degrees in the plane: what are its eigenvalue magnitudes and its singular values?
# - **Answer**: both eigenvalues have magnitude 1 (a complex pair) and both singular values are 1: it stretches
#   nothing, ever.

# %% slideshow={"slide_type": "subslide"}
Q_orth = recurrent_matrix(H, 1.0, kind="orthogonal", rng=0)
fig, (ax_eig, ax_sv) = new_figure((11, 4.4), ncols=2)
plot_eigenvalues(matrices["rho = 1.1"], activation="tanh", ax=ax_eig, title="Eigenvalues of a Gaussian W_h, rho = 1.1")
plot_singular_values({"Gaussian, rho = 1": matrices["rho = 1.0"], "orthogonal": Q_orth}, ax=ax_sv)
fig

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: left, the eigenvalues of the Gaussian matrix with $\rho = 1.1$ in the complex plane, inside a disc of
#   radius 1.1; right, singular values: the Gaussian matrix's spread from near 0 to well above 1, the orthogonal
#   matrix's all exactly 1 (asserted).
# - **Ask**: the Gaussian matrix has $\rho = 1$ but some singular values near 0. What happens to a gradient along
#   those directions, one step back?
# - **Answer**: it is almost erased in that step; other directions are stretched. Only the long-run average is 1.

# %% slideshow={"slide_type": "skip"}
assert np.allclose(np.abs(spectrum(Q_orth).eigenvalues), 1.0) and np.allclose(spectrum(Q_orth).singular_values, 1.0)
assert np.allclose(jacobian_norms(Q_orth, activation="linear", T=T), 1.0)  # norm exactly 1 at every lag

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### $\lambda_1 > 1$ is not enough to explode
#
# The growth rate in the long run is $\rho$, not $\lambda_1$. A matrix can stretch some vectors at every single step
# ($\lambda_1 > 1$) and still have $\rho = 1$: $W = I + \varepsilon N$ with $N$ nilpotent ($N^2 = 0$; here the
# $2 \times 2$ shift matrix, $\varepsilon = 0.1$). Then $W^k = I + k\varepsilon N$: its norm grows **linearly** in $k$, not
# exponentially.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: a counterexample: $\lambda_1 > 1$, so one step can stretch, but $\rho = 1$, so in the long run nothing
#   explodes. $W = I + 0.1 N$ with the shift matrix $N$, $N^2 = 0$.
# - **Ask**: what is $W^k$? (Use $N^2 = 0$.)
# - **Answer**: $(I + \varepsilon N)^k = I + k \varepsilon N$, by the binomial theorem: every higher power of $N$ is 0.

# %%
W_nil = np.eye(2) + 0.1 * np.array([[0.0, 1.0], [0.0, 0.0]])  # I + 0.1 N with N^2 = 0
nil_norms = jacobian_norms(W_nil, activation="linear", T=201)
print(f"W = I + 0.1 N: lambda_1 = {spectrum(W_nil).largest_singular_value:.3f}, rho = {spectrum(W_nil).spectral_radius:.3f}")
print(f"||W^k|| at k = 50, 100, 200: {nil_norms[50]:.2f}, {nil_norms[100]:.2f}, {nil_norms[200]:.2f} "
      f"(lambda_1^k at k = 200 would be {spectrum(W_nil).largest_singular_value ** 200:.3g})")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: $\lambda_1 = 1.05$ and $\rho = 1$; $\|W^k\|$ doubles when $k$ doubles (asserted): linear growth,
#   about 20 at $k = 200$, where $\lambda_1^{200}$ would be over $2 \cdot 10^4$.
# - **Ask**: so which number predicts exploding in the long run, $\lambda_1$ or $\rho$?
# - **Answer**: $\rho$; $\lambda_1$ only bounds it from above. That distinction is section 3's "necessary, not
#   sufficient".

# %% slideshow={"slide_type": "skip"}
assert spectrum(W_nil).largest_singular_value > 1.04 and abs(spectrum(W_nil).spectral_radius - 1.0) < 1e-12
assert 1.8 < nil_norms[200] / nil_norms[100] < 2.1  # doubling k doubles the norm: linear growth
assert nil_norms[200] < 1e-3 * spectrum(W_nil).largest_singular_value ** 200  # far below the exponential bound
assert 19 < nil_norms[200] < 21 and spectrum(W_nil).largest_singular_value ** 200 > 2e4  # about 20, against 2e4

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. The bound with $\gamma$: sufficient versus necessary
#
# With a nonlinearity, each Jacobian is $J_t = \operatorname{diag}(f'(a_t))\, W_h^\top$. If $|f'| \le \gamma$
# everywhere ($\gamma = 1$ for tanh and ReLU, $\gamma = 1/4$ for the sigmoid), then
#
# $$
# \|J_t\| \le \|\operatorname{diag}(f'(a_t))\|\,\|W_h^\top\| \le \gamma \lambda_1
# \qquad\Longrightarrow\qquad
# \Big\|\frac{\partial h_T}{\partial h_k}\Big\| \le (\gamma\lambda_1)^{T-k}.
# $$

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: with a nonlinearity each Jacobian gets a diagonal of slopes; if every slope is at most $\gamma$, each
#   factor stretches by at most $\gamma \lambda_1$, and the product by at most its power.
# - **Ask**: what is $\gamma$ for tanh, for the sigmoid, for ReLU?
# - **Answer**: 1, $\tfrac14$ and 1: the largest slopes (lesson 01's activation figure).

# %% [markdown] slideshow={"slide_type": "subslide"}
# Pascanu, Mikolov & Bengio (2013) read two statements off this bound:
#
# - $\lambda_1 < 1/\gamma$ is **sufficient** for the gradient to **vanish**: the bound itself goes to 0
#   exponentially, whatever the inputs do.
# - $\lambda_1 > 1/\gamma$ is **necessary** for it to **explode** (otherwise it would vanish), but **not
#   sufficient**: the bound is only an upper bound. The same matrix can give either outcome, depending on how
#   saturated the units are along the way.
#
# Four measurements: a sigmoid network under the sufficient condition, and one tanh matrix with
# $\lambda_1 > 1$ driven by strong and by weak inputs (plus a second, milder tanh matrix):

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: an upper bound can only prove that something is small. Below $1/\gamma$ the bound goes to zero, so the
#   gradient must vanish; above it, the bound says nothing either way.
# - **Ask**: a tanh net with $\lambda_1 = 3$. Must its gradients explode?
# - **Answer**: no: exploding is allowed, not forced. The next measurements show the same matrix doing both.

# %% slideshow={"slide_type": "subslide"} tags=["split-output", "fit-output"]
H, T = 16, 80
W_tanh = recurrent_matrix(H, 3.0, rng=0)  # rho = 3
W_mild = recurrent_matrix(H, 1.5, rng=0)  # the same matrix rescaled to rho = 1.5
cases = {
    "sigmoid, lambda_1 = 3.5 < 1/gamma = 4": ("sigmoid", recurrent_matrix(H, 3.5, kind="orthogonal", rng=0), 1.0),
    "tanh, rho = 3, strong inputs (3.0)": ("tanh", W_tanh, 3.0),
    "tanh, rho = 3, weak inputs (0.05)": ("tanh", W_tanh, 0.05),
    "tanh, rho = 1.5, weak inputs (0.05)": ("tanh", W_mild, 0.05),
}
case_norms, case_bounds = {}, {}
print(f"{'case':38} | gamma*lambda_1 | ||dh_T/dh_(T-79)|| | bound")
for label, (activation, W, input_scale) in cases.items():
    states = simulate_states(W, T, activation, input_scale=input_scale, rng=1)
    case_norms[label] = jacobian_norms(W, states, activation)
    case_bounds[label] = norm_bound(W, np.arange(T), activation)
    gl = GAMMA[activation] * spectrum(W).largest_singular_value
    print(f"{label:38} | {gl:14.2f} | {case_norms[label][-1]:18.3g} | {case_bounds[label][-1]:.3g}")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: four cases, 16 units, 80 steps: a sigmoid net with $\lambda_1 = 3.5$, one tanh matrix with $\rho = 3$
#   under strong and under weak inputs, and the same matrix scaled to $\rho = 1.5$.
# - **Show** (the table, on the slide below the code): the sigmoid's product is below $10^{-10}$; the tanh matrix
#   with strong inputs vanishes (below $10^{-6}$), with weak inputs explodes (above $10^{4}$), all asserted.
# - **Ask**: why does the sigmoid vanish although $\lambda_1 = 3.5$ is well above 1?
# - **Answer**: $\gamma \lambda_1 = 3.5/4 < 1$: the sufficient condition holds, whatever the inputs do.

# %% slideshow={"slide_type": "skip"}
sig, strong, weak, mild = (case_norms[label][-1] for label in cases)
assert sig < 1e-10 and np.all(case_norms["sigmoid, lambda_1 = 3.5 < 1/gamma = 4"]
                              <= case_bounds["sigmoid, lambda_1 = 3.5 < 1/gamma = 4"] * (1 + 1e-9))
assert GAMMA["tanh"] * spectrum(W_tanh).largest_singular_value > 1  # exploding is allowed for this matrix ...
assert strong < 1e-6  # ... strong inputs: it vanishes anyway
assert weak > 1e4  # ... weak inputs: it really explodes
assert 1e-2 < mild < 1e2  # the milder matrix: order 1 after 80 steps

# %% slideshow={"slide_type": "subslide"}
plot_jacobian_norms(case_norms, case_bounds, title="Sufficient for vanishing, necessary (not sufficient) for exploding")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the four products against the lag, with their bounds dashed; only the sigmoid's bound goes down.
# - **Ask**: the two curves of the same $\rho = 3$ matrix go in opposite directions. What differs between them?
# - **Answer**: only the inputs, and so the slopes $\tanh'(a_t)$ along the way.

# %% [markdown] slideshow={"slide_type": "subslide"}
# - **Sigmoid**: $\lambda_1 = 3.5$ is well above 1, and a linear net with this matrix would explode, yet
#   $\gamma\lambda_1 < 1$, so the gradient must vanish, and it does, under its bound.
# - **tanh, strong inputs**: $\gamma\lambda_1 > 1$, so exploding is *allowed*; but the inputs drive the units
#   deep into saturation, $\tanh'(a) \approx 0$, and the gradient vanishes anyway. The necessary condition holds,
#   the explosion does not happen.
# - **tanh, weak inputs, same matrix**: the gradient **explodes**. So for one and the same $W_h$, $\lambda_1 > 1$
#   leads to vanishing or to exploding: necessary, not sufficient.
# - **tanh, weak inputs, $\rho = 1.5$**: neither; the product is of order 1 after 80 steps.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: sufficient for vanishing, necessary but not sufficient for exploding: for one and the same $W_h$, the
#   saturation along the way decides.
# - **Ask**: strong inputs made the gradient vanish. Through which factor of the Jacobian?
# - **Answer**: $\operatorname{diag}(\tanh'(a_t))$: strong inputs push the units deep into saturation, where
#   $\tanh' \approx 0$.

# %% [markdown] slideshow={"slide_type": "subslide"}
# Why do weak inputs not simply keep the units in tanh's linear range? Because with $\rho > 1$ the state 0 is
# unstable: the recurrence itself amplifies whatever the input puts in, until tanh's flattening stops it. The
# **recurrence, not the input, sets the size of the state**:

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: a puzzle: weak inputs, so the units should stay near 0 where tanh is linear, and a linear net with
#   $\rho = 3$ would explode. The next table measures how large the state really is.
# - **Ask**: make the input 500 times weaker. What happens to the size of the state?
# - **Answer**: almost nothing (next slide): with $\rho > 1$ the recurrence amplifies whatever the input puts in.

# %% tags=["split-output", "fit-output"]
print("input scale | rho = 1.5: mean |h_t|, ||dh_T/dh_(T-79)|| | rho = 3: mean |h_t|, ||dh_T/dh_(T-79)||")
state_size, weak_norms = {}, {}
for input_scale in (3.0, 0.05, 1e-4):
    row = []
    for W in (W_mild, W_tanh):
        states = simulate_states(W, T, "tanh", input_scale=input_scale, rng=1)
        state_size[input_scale, id(W)] = np.abs(states[20:]).mean()  # after the first 20 steps
        weak_norms[input_scale, id(W)] = jacobian_norms(W, states, "tanh")[-1]
        row.append(f"{state_size[input_scale, id(W)]:5.2f}, {weak_norms[input_scale, id(W)]:9.3g}")
    print(f"{input_scale:11g} |            {row[0]:>27} |          {row[1]:>25}")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: for three input scales and both matrices: the mean $|h_t|$ after the first 20 steps, and the product of
#   Jacobians over 79 steps.
# - **Show** (the table, on the slide below the code): from input 0.05 to $10^{-4}$ the state size changes by less
#   than 25% (asserted), while the gradient grows with every weaker input, for both matrices.
# - **Ask**: why does a weaker push give a larger gradient?
# - **Answer**: fewer units land deep in saturation, so the slopes along the way are larger, and the stretching by
#   $W_h$ wins.

# %% slideshow={"slide_type": "skip"}
for W in (W_mild, W_tanh):
    small, tiny = state_size[0.05, id(W)], state_size[1e-4, id(W)]
    assert 0.8 < small / tiny < 1.25 and tiny > 0.3  # 500x weaker input, about the same state size
    assert weak_norms[3.0, id(W)] < weak_norms[0.05, id(W)] < weak_norms[1e-4, id(W)]  # weaker input, more gradient

# %% [markdown] slideshow={"slide_type": "subslide"}
# A 500 times weaker input leaves the mean $|h_t|$ about where it was (with a linear recurrence it would shrink
# 500 times): the units sit partly saturated wherever the recurrence puts them. What the input still does is
# push them around that state, and the stronger the push, the more often a unit lands deep in saturation with a
# tiny $\tanh'$. Whether the product of Jacobians then grows or shrinks is a balance between the stretching by
# $W_h$ and the slopes along the way: weaker inputs tip it towards growth for both matrices, and $\rho = 3$
# stretches enough to explode.
#
# Try it: drag the spectral radius, switch the activation, and raise the input scale until tanh saturates.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the units sit partly saturated wherever the recurrence puts them; the input only pushes them around that
#   state, and whether the product grows or shrinks is a balance between stretching by $W_h$ and the slopes.
# - **Ask**: what would you change to move the $\rho = 3$ net from exploding to vanishing?
# - **Answer**: stronger inputs (as in the first case): more saturation, smaller slopes.

# %% slideshow={"slide_type": "subslide"}
spectral_radius_demo(rho=0.9)

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: in JupyterLab, start linear at $\rho = 0.9$, drag $\rho$ through 1; then switch to tanh and raise the
#   input scale until the explosion turns into vanishing.
# - **Ask**: with tanh and $\rho$ well above 1, what does raising the input scale do to the curve?
# - **Answer**: it bends down: more saturation, smaller slopes, until the gradient vanishes.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. One unit, two parameters, and a cliff
#
# Pascanu et al. (2013) make the problem visible with the smallest possible RNN: one unit, no input,
#
# $$
# h_t = w\,\sigma(h_{t-1}) + b,\qquad h_0 = 0.5,\qquad t = 1,\dots,50,\qquad
# L(w, b) = \big(\sigma(h_{50}) - 0.7\big)^2 .
# $$
#
# (The paper writes this state $x_t$; in the course a hidden state is always $h_t$.) Two parameters, so the whole
# loss surface fits in one picture. The loss is a loop over time, vectorised over *arrays* of $w$ and $b$ so that a
# whole grid runs at once. Here it is in full, checked against the package's `one_unit_loss`:

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: Pascanu et al.'s smallest RNN: one unit, no input, a weight $w$ and a bias $b$, 50 steps from
#   $h_0 = 0.5$, and a squared error on the last state. Two parameters, so we can draw the whole loss surface.
# - **Ask**: with $w = 0$, what is $h_{50}$, and what is the loss?
# - **Answer**: $h_t = b$ at every step, so $L(0, b) = (\sigma(b) - 0.7)^2$: the next cell checks it.

# %% slideshow={"slide_type": "subslide"}
def loss_by_hand(w, b, T=50, h0=0.5, target=0.7):
    h = np.full(np.broadcast(w, b).shape, h0)
    for _ in range(T):
        h = w * sigmoid(h) + b
    return (sigmoid(h) - target) ** 2


w_grid, b_grid = np.meshgrid(np.linspace(0, 8, 200), np.linspace(-5, 1, 200))
by_hand_error = np.abs(loss_by_hand(w_grid, b_grid) - one_unit_loss(w_grid, b_grid)).max()
print("largest difference from one_unit_loss on the 200 x 200 grid:", by_hand_error)
b_line = np.linspace(-5, 5, 11)
print("L(0, b) = (sigmoid(b) - 0.7)^2 holds:",
      np.allclose(one_unit_loss(0.0, b_line), (sigmoid(b_line) - 0.7) ** 2, rtol=1e-12))
start = time.perf_counter()
one_unit_loss(w_grid, b_grid)
print(f"one 200 x 200 grid: {1e3 * (time.perf_counter() - start):.1f} ms")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the loop over time, applied to whole arrays of $w$ and $b$ at once: the 200 by 200 grid equals the
#   package's `one_unit_loss` (asserted), and $L(0, b)$ is the formula from the previous slide.
# - **Ask**: why does the loop not need a loop over the grid points?
# - **Answer**: every operation is element-wise, so NumPy runs all 40,000 recurrences side by side.

# %% slideshow={"slide_type": "skip"}
assert by_hand_error < 1e-12
assert np.allclose(one_unit_loss(0.0, b_line), (sigmoid(b_line) - 0.7) ** 2, rtol=1e-12)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The surface

# %%
surface = one_unit_surface(w_lim=(0, 8), b_lim=(-5, 1), n=200)
fig, (ax_2d, ax_g) = new_figure((12, 4.6), ncols=2)
plot_loss_surface(surface, ax=ax_2d)
plot_gradient_norm(surface, ax=ax_g)
fig

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: left, the loss over $(w, b)$; right, the gradient's norm on a log colour scale. For $w > 4$ a line
#   across the picture where the loss drops from a plateau to a valley.
# - **Ask**: where is the gradient large, and where is it tiny?
# - **Answer**: large only along that line; tiny on both plateaus, which is the other problem: nothing to follow
#   there.

# %% slideshow={"slide_type": "subslide"}
plot_loss_surface_3d(surface)

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the same surface in 3D: a high plateau, a wall, and a low valley.
# - **Ask**: you stand on the plateau next to the wall and take a gradient step. What can happen?
# - **Answer**: next to the wall the slope is enormous; one step there can throw the parameters far away
#   (section 5).

# %% [markdown] slideshow={"slide_type": "subslide"}
# For $w < 4$ the surface is smooth. For $w > 4$ there is a **wall**: along a line $b \approx -w/2$ the loss drops
# from a high plateau to a low valley in a step. Why there? The map $h \mapsto w\,\sigma(h) + b$ has slope
# $w\,\sigma'(h) \le w/4$. For $w < 4$ it is a contraction with a single fixed point, and $h_{50}$ depends
# smoothly on $(w, b)$. For $w > 4$ and $b$ in a band around $-w/2$ it has **two stable fixed points** (a low and a
# high one) separated by an unstable one, and which one $h_t$ ends in depends on which side of the unstable point
# $h_0 = 0.5$ lies. Cross that boundary and $h_{50}$ jumps from one fixed point to the other:

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the slope of $h \mapsto w\sigma(h) + b$ is at most $w/4$. Below $w = 4$ it is a contraction with one
#   fixed point; above, for $b$ near $-w/2$, there are two stable fixed points, and $h_0$ decides which one
#   $h_{50}$ ends in.
# - **Ask**: why exactly 4?
# - **Answer**: the sigmoid's largest slope is $\tfrac14$, so $w\sigma'(h) < 1$ everywhere when $w < 4$: $\gamma = 1/4$,
#   the bound of section 3 again.

# %% slideshow={"slide_type": "subslide"}
fig, (ax_s, ax_c) = new_figure((12, 4.0), ncols=2)
plot_one_unit_states(4.5, [-2.31, -2.30], ax=ax_s, title="h_t either side of the wall (w = 4.5)")
plot_cliff_slice(4.5, (-3.0, -1.5), ax=ax_c)
fig

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: left, $h_t$ for $b = -2.31$ and $-2.30$, 0.01 apart: they end at different fixed points; right, a cut
#   through the surface at $w = 4.5$: the loss steps down and the gradient spikes at one $b$.
# - **Ask**: how can a change of 0.01 in $b$ change $h_{50}$ so much?
# - **Answer**: near the boundary between the two basins, 50 steps of a map that pulls towards one fixed point or the
#   other amplify the tiny difference until the two runs end apart.

# %% slideshow={"slide_type": "subslide"}
b_fine = np.linspace(-3.0, -1.5, 300_001)
loss_fine, dw_fine, db_fine = one_unit_grad(4.5, b_fine)
g_fine = np.hypot(dw_fine, db_fine)
strip = np.sum(g_fine > 10) * (b_fine[1] - b_fine[0])
print(f"at w = 4.5: largest gradient norm {g_fine.max():.3g} at b = {b_fine[g_fine.argmax()]:.4f}")
print(f"            the norm exceeds 10 on a strip {strip:.4f} wide; "
      f"the 200 x 200 grid's spacing in b is {surface.b[1] - surface.b[0]:.4f}")
print(f"            elsewhere on the cut the median norm is {np.median(g_fine):.3g}")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: at $w = 4.5$, the largest gradient norm is over 1000 times the median along the cut, on a strip thinner
#   than a fifth of the grid's spacing (both asserted).
# - **Ask**: what does that mean for the picture of the gradient norm we just saw?
# - **Answer**: the grid mostly steps over the wall: it shows it as a thin line at best.

# %% slideshow={"slide_type": "skip"}
smooth_side = surface.grad_norm[:, surface.w < 4].max()
print(f"on the grid: largest gradient norm {smooth_side:.3g} for w < 4, {surface.grad_norm[:, surface.w > 4].max():.3g} for w > 4")
assert g_fine.max() > 1000 * np.median(g_fine)  # a spike on a thin strip, small elsewhere
assert strip < (surface.b[1] - surface.b[0]) / 5  # thinner than a fifth of the grid's spacing
assert surface.grad_norm[:, surface.w > 4].max() > 10 * smooth_side  # the wall is only where w > 4

# %% [markdown] slideshow={"slide_type": "fragment"}
# This is what an exploding gradient looks like **in parameter space**: not a gradient that is large everywhere, but
# a thin wall where the curvature and the gradient are enormous next to plateaus where both are small. Further right
# (larger $w$) the wall gets steeper and thinner still. Located by bisection (`locate_cliff`) and zoomed into until
# the strip where $\|g\| > 10$ is resolved:

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: exploding gradients in parameter space: not large everywhere, but a thin wall next to flat plateaus.
# - **Ask**: what do you expect for larger $w$: a higher or lower wall, thicker or thinner?
# - **Answer**: higher and thinner (next slide): the two fixed points are further apart and attract harder.

# %% slideshow={"slide_type": "subslide"}
print("   w | wall at b  | largest ||g|| | strip where ||g|| > 10")
wall = {}
for w in (4.5, 6.0, 7.5):
    b_wall = locate_cliff(w, -w / 2 - 1.0, -w / 2 + 1.0)
    half = 1e-2
    while True:  # zoom in until at least 100 points of the cut lie on the strip
        b_cut = np.linspace(b_wall - half, b_wall + half, 20_001)
        g_cut = np.hypot(*one_unit_grad(w, b_cut)[1:])
        width = np.sum(g_cut > 10) * (b_cut[1] - b_cut[0])
        if width > 100 * (b_cut[1] - b_cut[0]) or half < 1e-9:
            break
        half /= 100
    wall[w] = (g_cut.max(), width)
    print(f"{w:4} | {b_wall:10.6f} | {g_cut.max():13.3g} | {width:.2g}")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: from $w = 4.5$ to 6 to 7.5 the largest gradient grows more than 1000-fold per step of $w$, and the strip
#   gets more than 100 times thinner per step (both asserted).
# - **Ask**: at $w = 6$ the strip is under $10^{-5}$ wide. How likely is a gradient step to land on it?
# - **Answer**: almost never, and when it does the gradient is about $10^{7}$: rare, and catastrophic.

# %% slideshow={"slide_type": "skip"}
assert wall[4.5][0] < wall[6.0][0] / 1e3 < wall[7.5][0] / 1e6  # steeper: 1000x and more per step of w
assert wall[4.5][1] > 100 * wall[6.0][1] > 1e4 * wall[7.5][1]  # thinner: 100x and more
assert wall[6.0][1] < (surface.b[1] - surface.b[0]) / 100  # far below the grid's resolution
assert wall[6.0][1] < 1e-5 and 1e7 < wall[6.0][0] < 1e8  # at w = 6: under 1e-5 wide, a gradient of about 1e7
for w in (4.5, 6.0, 7.5):  # the wall lies along b ~ -w/2 (within 15 %)
    assert abs(locate_cliff(w, -w / 2 - 1.0, -w / 2 + 1.0) / (-w / 2) - 1) < 0.15

# %% [markdown] slideshow={"slide_type": "fragment"}
# Already at $w = 6$ the wall is far thinner than the grid's spacing: the gradient-norm image above can show it
# only as a faint line, or not at all.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The gradient, by BPTT through the scalar recurrence
#
# With $\delta_t = \partial L/\partial h_t$: $\delta_{50} = 2(\sigma(h_{50}) - 0.7)\,\sigma'(h_{50})$,
# then for $t = 50, \dots, 1$
# $\;\partial L/\partial w \mathrel{+}= \delta_t\,\sigma(h_{t-1})$,
# $\;\partial L/\partial b \mathrel{+}= \delta_t$,
# $\;\delta_{t-1} = \delta_t\, w\,\sigma'(h_{t-1})$.
# The factor $J_t = w\,\sigma'(h_{t-1})$ is this network's one-by-one Jacobian; $|w| < 4 = 1/\gamma$ makes every
# one of them smaller than 1. `one_unit_grad` does exactly this, vectorised; the gradient checker agrees at random
# points away from the wall (where finite differences are meaningful):

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: lesson 02's loop for a scalar state: $\delta_t$ walks back from $t = 50$, and each step multiplies it by
#   this network's one-by-one Jacobian, $w\,\sigma'(h_{t-1})$.
# - **Ask**: $w = 3$. At most how large is $\delta_1 / \delta_{50}$?
# - **Answer**: $(3/4)^{49} \approx 10^{-6}$: $\sigma' \le \tfrac14$ at every step.

# %% slideshow={"slide_type": "subslide"}
w_pts = rng.uniform(0.0, 8.0, size=40)
b_pts = rng.uniform(-5.0, 1.0, size=40)
_, dw_pts, db_pts = one_unit_grad(w_pts, b_pts)
one_unit_check = gradcheck(lambda w, b: one_unit_loss(w, b), {"w": w_pts, "b": b_pts}, {"w": dw_pts, "b": db_pts},
                           dout=np.ones(40), eps=1e-7, tol=1e-6)
one_unit_check

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: `one_unit_grad` at 40 random points agrees with finite differences of the loss (the check passes,
#   asserted).
# - **Ask**: why check only away from the wall?
# - **Answer**: on the wall the loss changes by a lot within $\varepsilon$, so a finite difference no longer measures
#   the slope at the point.

# %% slideshow={"slide_type": "skip"}
assert one_unit_check.ok
assert 0.5e-6 < (3 / 4) ** 49 < 2e-6  # the notes: at most about 1e-6 for w = 3

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Gradient descent meets the wall: clipping
#
# Start on the plateau above the wall and run plain gradient descent. The gradient points towards the wall; the step
# that lands *on* it gets a gradient tens or hundreds of times larger than on the plateau (compare the largest and
# the median norm in the table below), and the parameters are thrown far away. Pascanu et al.'s remedy, **clipping
# the gradient's norm**, keeps the direction and caps the length:
#
# $$
# \text{if } \|g\| > \theta:\qquad g \leftarrow \theta\,\frac{g}{\|g\|}.
# $$
#
# Element-wise clipping (clip each entry to $[-\theta, \theta]$) also caps the step, but it turns the direction.
# In code (this is what `rnn_course.optim.clip_grad_norm` does to a whole set of gradients):

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: on the plateau the gradient points at the wall; the step that lands on it gets a gradient tens or
#   hundreds of times larger, and plain descent is thrown away. Norm clipping keeps the direction and caps the
#   length.
# - **Ask**: what else could cap the step, and what would it lose?
# - **Answer**: clipping each entry to $[-\theta, \theta]$: it caps the step too, but turns its direction.

# %% slideshow={"slide_type": "subslide"}
def clip_by_norm(g, threshold):
    norm = np.sqrt(np.sum(g * g))
    return g * (threshold / norm) if norm > threshold else g


g = np.array([300.0, -40.0])
print("norm-clipped:   ", clip_by_norm(g, 1.0), "(same direction)")
print("element-clipped:", np.clip(g, -1.0, 1.0), "(direction changed)")


def cosine(u, v):
    return u @ v / (np.linalg.norm(u) * np.linalg.norm(v))


# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: $g = (300, -40)$: norm clipping gives $(0.99, -0.13)$, the same direction; element-wise clipping gives
#   $(1, -1)$, turned by more than 25 degrees (asserted).
# - **Ask**: what is the angle between $(300, -40)$ and $(1, -1)$, roughly?
# - **Answer**: about 37 degrees: the first points almost along the first axis, the second along the diagonal.


# %% slideshow={"slide_type": "skip"}
assert abs(cosine(clip_by_norm(g, 1.0), g) - 1) < 1e-12 and np.isclose(np.linalg.norm(clip_by_norm(g, 1.0)), 1.0)
assert cosine(np.clip(g, -1.0, 1.0), g) < 0.9  # turned by more than 25 degrees
assert abs(np.degrees(np.arccos(cosine(np.clip(g, -1.0, 1.0), g))) - 37) < 1  # about 37 degrees (notes)

# %% slideshow={"slide_type": "subslide"} tags=["fit-output"]
w0, b0, lr, threshold = 4.5, -3.0, 0.3, 1.0
paths = [descent_path(w0, b0, lr=lr, steps=100, clip=method, threshold=threshold) for method in CLIP_METHODS]
print(f"start (w, b) = ({w0}, {b0}), learning rate {lr}, threshold {threshold}, 100 steps")
print(f"{'clipping':>9} | final loss | largest ||g|| | median ||g|| | longest step | final (w, b)")
longest = {}
for p in paths:
    longest[p.method] = np.hypot(np.diff(p.w), np.diff(p.b)).max()
    print(f"{p.method:>9} | {p.loss[-1]:10.3g} | {p.grad_norm.max():13.3g} | {np.median(p.grad_norm):12.3g} | "
          f"{longest[p.method]:12.3g} | ({p.w[-1]:.3g}, {p.b[-1]:.3g})")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: one start on the plateau, 100 steps each. Unclipped, the largest step is over 10 times the clipped
#   one's and ends outside the window; norm clipping ends in the valley with a loss below $10^{-3}$ (asserted).
# - **Ask**: the clipped run's largest gradient is still far above its median. So what did clipping change?
# - **Answer**: not the gradient, the step: its length is capped at learning rate times threshold, 0.3 here.

# %% slideshow={"slide_type": "skip"}
plain, by_norm = paths[CLIP_METHODS.index("none")], paths[CLIP_METHODS.index("norm")]
assert by_norm.grad_norm.max() > 20 * np.median(by_norm.grad_norm)  # the wall: tens of times the plateau's gradient
assert longest["none"] > 10 * longest["norm"] and not (0 <= plain.w[-1] <= 8 and -5 <= plain.b[-1] <= 1)  # thrown
assert by_norm.loss[-1] < 1e-3 < plain.loss[-1]  # clipped descent goes on down the valley
assert longest["norm"] <= lr * threshold * (1 + 1e-9)  # each step capped at learning rate times threshold, 0.3
by_value = paths[CLIP_METHODS.index("value")]
assert 0 <= by_value.w.min() and by_value.w.max() <= 8 and -5 <= by_value.b.min() and by_value.b.max() <= 1  # stays

# %% slideshow={"slide_type": "subslide"}
plot_descent_paths(surface, paths)

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the three paths on the surface: plain descent reaches the wall and is thrown off the picture; norm
#   clipping turns along the valley; value clipping also stays, on a different route.
# - **Ask**: why might value clipping take a different route from norm clipping?
# - **Answer**: it changes the direction of every large step, towards the diagonal.

# %% [markdown] slideshow={"slide_type": "subslide"}
# One start can be lucky or unlucky. Here are starts on an $11\times13$ grid over the window $w \ge 3$, three
# learning rates, 100 steps each: how many paths are thrown out of the window, and the median final loss.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: one start proves little; next, 143 starts over the window $w \ge 3$, at three learning rates.
# - **Ask**: predict: at the largest learning rate, how many more paths will plain descent lose than norm clipping?
# - **Answer**: the table answers: at every rate at least three times as many (asserted).

# %% slideshow={"slide_type": "subslide"} tags=["split-output", "fit-output"]
starts = [(w, b) for w in np.linspace(3.0, 8.0, 11) for b in np.linspace(-5.0, 1.0, 13)]


def outside(p):
    return bool(((p.w < 0) | (p.w > 8) | (p.b < -5) | (p.b > 1)).any())


print(f"{len(starts)} starts per cell: thrown out of the window / median final loss")
print(f"{'learning rate':>13} | " + " | ".join(f"{m + ' clipping':>22}" for m in CLIP_METHODS))
thrown, median_loss = {}, {}
for lr_sweep in (0.1, 0.3, 1.0):
    cells = []
    for method in CLIP_METHODS:
        runs = [descent_path(w, b, lr=lr_sweep, steps=100, clip=method, threshold=1.0) for w, b in starts]
        thrown[lr_sweep, method] = sum(outside(p) for p in runs)
        median_loss[lr_sweep, method] = np.median([p.loss[-1] for p in runs])
        cells.append(f"{thrown[lr_sweep, method]:4d} / {median_loss[lr_sweep, method]:8.2g}")
    print(f"{lr_sweep:13} | " + " | ".join(f"{c:>22}" for c in cells))

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: 143 starts on the plateau side of the surface, three learning rates, 100 steps each, with no clipping,
#   norm clipping and value clipping.
# - **Show** (the table, on the slide below the code): at every learning rate clipping keeps at least three times as
#   many paths in the window (asserted); at the smallest rate the median final loss is the same with and without.
# - **Ask**: why does clipping not help at the smallest learning rate, in the median?
# - **Answer**: most starts never meet the wall: the median path sits on a plateau whose gradient is already tiny.

# %% slideshow={"slide_type": "skip"}
for lr_sweep in (0.1, 0.3, 1.0):
    assert thrown[lr_sweep, "none"] >= 3 * thrown[lr_sweep, "norm"]  # clipping keeps the paths in the window
    assert median_loss[lr_sweep, "norm"] <= median_loss[lr_sweep, "none"] * 1.05  # and never ends worse
assert abs(median_loss[0.1, "norm"] - median_loss[0.1, "none"]) < 0.01  # a small step gains nothing on the plateaus

# %% [markdown] slideshow={"slide_type": "fragment"}
# Clipping does not make the wall go away, and it does not help on the plateaus, where the gradient is already
# small: at the smallest learning rate the median final loss is the same with and without it. It only stops a
# single step on the wall from undoing everything: at every learning rate it keeps at least three times as many
# paths in the window. Try other starts, learning rates and thresholds (this is also the lecture demo):

# %% slideshow={"slide_type": "subslide"}
cliff_demo()

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: in JupyterLab, the default start with learning rate 0.3; then raise the learning rate and switch the
#   clipping between none, norm and value; then lower the threshold until progress crawls.
# - **Ask**: a threshold of 0.05 and one of 10: which one behaves like plain descent, which one is painfully slow?
# - **Answer**: 10 lets steps on the wall stay large, close to plain descent; 0.05 caps almost every step, so it
#   crawls across the plateau. Pascanu et al. set the threshold from the average gradient norm.

# %% slideshow={"slide_type": "skip"}
# The answer, measured from the demo's default start (learning rate 0.3, 100 steps)
loose = descent_path(w0, b0, lr=lr, steps=100, clip="norm", threshold=10.0)
tight = descent_path(w0, b0, lr=lr, steps=100, clip="norm", threshold=0.05)
tight_steps = np.hypot(np.diff(tight.w), np.diff(tight.b))
print(f"threshold 10: final loss {loose.loss[-1]:.3g} (plain descent {plain.loss[-1]:.3g}); threshold 0.05: "
      f"{100 * np.mean(tight_steps > 0.99 * lr * 0.05):.0f} % of the steps capped at {lr * 0.05:.3f}")
assert abs(loose.loss[-1] - plain.loss[-1]) < 0.05 * plain.loss[-1]  # 10: ends like plain descent
assert np.mean(tight_steps > 0.99 * lr * 0.05) > 0.9  # 0.05: almost every step capped

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

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: Bengio, Simard and Frasconi's argument: to keep a bit against noise, the unit's stable states must
#   attract, so $|w \tanh'| < 1$ there; but that is the very factor BPTT multiplies by at every step. Robust memory
#   and a vanishing gradient come together.
# - **Ask**: why must $w$ be above 1 for the unit to hold a bit at all?
# - **Answer**: with $w \le 1$, $h \mapsto \tanh(w h)$ has only the fixed point 0: every state decays to 0 and the bit is
#   forgotten. Above 1 there are two stable states, $\pm h^*$.

# %% slideshow={"slide_type": "subslide"} tags=["fit-output"]
Ts = [2, 5, 10, 20, 40, 80]
sweep = latch_sweep(Ts, seeds=16, steps=300, lr=0.1, rng=0)


def mean_text(values):
    return f"{values.mean():.2f}" if values.size else "-"


print("  T | success rate | w at start -> end, successes | w at start -> end, failures")
for T_, rate, run in zip(sweep.Ts, sweep.success_rate, sweep.runs):
    ok, bad = run.success, ~run.success
    print(f"{T_:3d} | {rate:12.2f} | {mean_text(run.w[0][ok]):>13} -> {mean_text(run.w[-1][ok]):<13} | "
          f"{mean_text(run.w[0][bad]):>12} -> {mean_text(run.w[-1][bad])}")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: 16 seeds per length: every seed learns at $T$ = 2 and 5, none from $T = 40$ on, and the rate never
#   rises with $T$ (asserted). Successes end with $w$ above 1, failures with $w$ near 0 (on average below 0.2,
#   asserted).
# - **Ask**: at $T = 20$, the successes started at a larger $w$ than the failures. Why does the start matter?
# - **Answer**: with a weak gradient, a seed that starts near 1 has only a short way to cross into bistability.

# %% slideshow={"slide_type": "skip"}
rates = dict(zip(Ts, sweep.success_rate))
assert rates[2] == rates[5] == 1.0 and rates[40] == rates[80] == 0.0  # short: always; long: never
assert np.all(np.diff(sweep.success_rate) <= 0)  # harder with every length
for run in sweep.runs:
    assert np.all(run.w[-1][run.success] > 1.0)  # a learned latch is bistable
    if (~run.success).any():
        assert run.w[-1][~run.success].mean() < 0.2  # a failed one forgets: w shrinks towards 0
run20 = sweep.runs[Ts.index(20)]
assert run20.w[0][run20.success].mean() > run20.w[0][~run20.success].mean() + 0.1  # successes started nearer 1

# %% slideshow={"slide_type": "subslide"}
fig, (ax_rate, ax_w) = new_figure((12, 4.2), ncols=2)
plot_latch_sweep(sweep, ax=ax_rate)
plot_latch_weights(sweep.runs[Ts.index(20)], ax=ax_w)
fig

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: left, the success rate falling with $T$; right, $w$ during training at $T = 20$, one line per seed: the
#   successes climb above 1, the failures sink towards 0.
# - **Ask**: what does a failing seed's $w$ do, and why is that not a bug?
# - **Answer**: it shrinks towards 0: without a usable gradient about the bit, forgetting the noise is the best the
#   unit can do (next slide).

# %% [markdown] slideshow={"slide_type": "subslide"}
# - Short sequences are always learned; the success rate falls with every length, and from $T = 40$ on **no**
#   seed learns the latch.
# - **What happens to $w$ when it fails**: the gradient about the bit is too weak to push $w$ above 1, so what is
#   left is the gradient from the noise, and the best the unit can do about noise it cannot use is to **forget**:
#   $w$ shrinks towards 0 and $h_T$ towards 0 (the loss settles near $0.8^2$). The runs that succeed are the ones
#   that started closest to $w = 1$: with few steps to cross, a weak gradient was enough.
# - A latched unit is indeed contracting: the factor $w\,\tanh'$ at its stable state is below 1, so the gradient
#   from the end back to the bit shrinks geometrically with $T$:

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: a failed run forgets: its loss settles near $0.8^2 = 0.64$, the error of answering 0 (asserted for
#   $T \ge 40$ under the answers). A successful one latches, and a latched unit is contracting.
# - **Ask**: the best constant answer to a target of $\pm 0.8$ with random sign: what is it, and what is its loss?
# - **Answer**: 0, with loss $0.8^2 = 0.64$.

# %% slideshow={"slide_type": "subslide"} tags=["fit-output"]
factors = []
for w_final in run20.w[-1][run20.success][:3]:
    h_star = 0.9
    for _ in range(200):  # the stable fixed point h* = tanh(w h*)
        h_star = np.tanh(w_final * h_star)
    factor = w_final * (1 - h_star**2)
    factors.append(factor)
    print(f"w = {w_final:.3f}: h* = {h_star:.3f}, per-step factor w tanh'(w h*) = {factor:.3f}, "
          f"over 20 steps: {factor**19:.2g}, over 80 steps: {factor**79:.2g}")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: three learned latches: $w$ about 1.5, $h^*$ about 0.87, and a per-step factor below 0.5 (asserted):
#   over 20 steps under $10^{-5}$.
# - **Ask**: so a latch that works has a vanishing gradient. Why does it still work?
# - **Answer**: holding the bit needs no gradient; learning to hold it does. Once $w$ is above 1 the forward pass keeps
#   the bit on its own.

# %% slideshow={"slide_type": "skip"}
assert max(factors) < 0.5 and max(factors) ** 19 < 1e-5  # contracting: the gradient to the bit vanishes
assert np.all(np.abs(run20.w[-1][run20.success][:3] - 1.5) < 0.1)  # w about 1.5 ...
assert all(abs(np.sqrt(1 - f / w) - 0.87) < 0.02  # ... h* about 0.87 (factor = w (1 - h*^2))
           for w, f in zip(run20.w[-1][run20.success][:3], factors))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Remedies, each measured
#
# ### 7.1 Gradient clipping
#
# Section 5 showed clipping on the loss surface. The same thing happens in a real network. An RNN of 16 ReLU units
# with the identity as its recurrent matrix (an **IRNN**, next section) is trained by SGD on the latch task with
# $T = 50$, once without clipping and once with `clip_grad_norm(grads, 1.0)`:

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: from the two-parameter surface to a real network: 16 ReLU units starting from $W_h = I$, trained by SGD
#   on the latch with $T = 50$, without and with norm clipping at 1, three seeds each.
# - **Ask**: predict: how many of the unclipped runs survive 300 updates?
# - **Answer**: none: all three overflow within a few updates (next slide).

# %% slideshow={"slide_type": "subslide"} tags=["fit-output"]
irnn = dict(cell="rnn_relu", recurrent_init="identity", optimizer="sgd", lr=0.05, steps=300)
clip_runs = []
for seed in range(3):
    clip_runs.append(train_latch_rnn(50, rng=seed, label=f"IRNN, no clipping (seed {seed})", **irnn))
    clip_runs.append(train_latch_rnn(50, rng=seed, clip=1.0, label=f"IRNN, clip 1.0 (seed {seed})", **irnn))
for r in clip_runs:
    status = r.stopped or f"trained, test accuracy {100 * r.accuracy:.0f}%"
    print(f"{r.label:30} largest ||g|| {r.grad_norm.max():9.3g}: {status}")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: every unclipped run overflows within a few updates; every clipped run trains to at least 95% (both
#   asserted), although its largest gradient is still hundreds of times the threshold.
# - **Ask**: the clipped runs saw gradients of several hundred. Why did they not blow up?
# - **Answer**: each step is capped at learning rate times threshold; a huge gradient only sets the direction.

# %% slideshow={"slide_type": "subslide"}
plot_latch_runs(clip_runs[:2], title="IRNN on the latch task (T = 50): without and with norm clipping")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: seed 0 without clipping: the gradient norm shoots up and the run stops at the overflow; with clipping
#   the loss comes down steadily.
# - **Ask**: what would you see in a real training log when this happens?
# - **Answer**: a loss that jumps to inf or NaN after a few updates, and weights full of NaN from then on.

# %% [markdown] slideshow={"slide_type": "subslide"}
# Without clipping, the first large gradient makes a step that pushes the spectral radius of $W_h$ above 1; while
# the ReLUs are active, the Jacobian product over 50 steps is then a power of $W_h^\top$, which grows, so the next
# gradient is far larger still, and the loss overflows within a few updates. Measured after the first unclipped
# update of each seed:

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the mechanism: while the ReLUs are active each Jacobian is $W_h^\top$ itself, so the product over 50 steps
#   is a power of $W_h^\top$. One large step pushes $\rho$ above 1, and the power explodes.
# - **Ask**: $\rho = 1.1$ over 50 steps: about how much larger is the next gradient?
# - **Answer**: of the order of $1.1^{49} \approx 10^{2}$, from the power alone; the measured growth is larger still.

# %% slideshow={"slide_type": "subslide"}
first_update = []
for seed in range(3):
    one = train_latch_rnn(50, rng=seed, **{**irnn, "steps": 1})
    rho_after = spectrum(one.params["Wh"]).spectral_radius
    unclipped = clip_runs[2 * seed]
    first_update.append((rho_after, unclipped.grad_norm[1] / unclipped.grad_norm[0]))
    print(f"seed {seed}: rho(W_h) 1 -> {rho_after:.3f} after one update; the next gradient is "
          f"{first_update[-1][1]:.3g} times the first")

# %% slideshow={"slide_type": "skip"}
for seed, (rho_after, growth) in enumerate(first_update):
    assert rho_after > 1.01 and growth > 1e3  # rho above 1, next gradient thousands of times larger
    assert clip_runs[2 * seed].stopped and len(clip_runs[2 * seed].loss) <= 5  # overflow within a few updates
    clipped = clip_runs[2 * seed + 1]
    assert not clipped.stopped and clipped.success  # clipping: trained to >= 95% on every seed
    assert clipped.grad_norm.max() > 100 * 1.0  # large gradients still occur, hundreds of times the threshold
assert 90 < 1.1**49 < 120  # the notes: 1.1^49 is about 10^2, from the power alone

# %% [markdown] slideshow={"slide_type": "fragment"}
# With clipping, large gradients still occur (hundreds of times the threshold of 1), but each step is capped and
# training converges on every seed.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: after one unclipped update $\rho(W_h)$ is above 1 on every seed, and the next gradient is over a
#   thousand times the first (asserted).
# - **Ask**: would a largest singular value above 1 be enough for this?
# - **Answer**: no: section 2's $I + \varepsilon N$ has $\lambda_1 > 1$ and grows only linearly. It is $\rho > 1$ that
#   makes the power explode.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 7.2 Initialisation: orthogonal and IRNN, against a fair baseline
#
# If the trouble is a product of Jacobians, start training where that product has norm close to 1:
#
# - **orthogonal** $W_h$ (Saxe et al. 2014): every singular value is 1, so $\|W_h^{k}\| = 1$ for every $k$;
# - **IRNN** (Le, Jaitly & Hinton 2015): ReLU units and $W_h = I$. While a unit is active its Jacobian is
#   exactly 1: the state, and the gradient, are copied forward unchanged.
#
# Two baselines with the same settings: the classic "small random weights" $\mathcal N(0, 0.01^2)$, and
# **Xavier/Glorot** uniform weights ($\operatorname{Var} = 2/(H + H) = 1/H$, so $W_h$'s spectral radius is near 1,
# but its singular values spread from near 0 to about 2). At initialisation, on the same inputs:

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: if the trouble is a product of Jacobians, start where it has norm near 1: orthogonal $W_h$, or ReLU units
#   with $W_h = I$. And compare against a fair baseline, Xavier, not only against tiny random weights.
# - **Ask**: a $16 \times 16$ $W_h$ with entries of size 0.01. Roughly what is its spectral radius?
# - **Answer**: about $0.01 \sqrt{16} = 0.04$ (the next table prints it): 50 steps multiply the gradient by about
#   $0.04^{50}$.

# %% slideshow={"slide_type": "subslide"} tags=["split-output", "fit-output"]
H, T = 16, 50
init_settings = {
    "tanh, small normal": ("rnn", "normal"),
    "tanh, Xavier": ("rnn", "xavier"),
    "tanh, orthogonal": ("rnn", "orthogonal"),
    "IRNN (ReLU, identity)": ("rnn_relu", "identity"),
}
init_norms, first_grad = {}, {}
for label, (cell, init_name) in init_settings.items():
    Wh0 = init_cell_params(2, H, cell, recurrent_init=init_name, rng=0)["Wh"]  # what train_latch_rnn starts from
    activation = "relu" if cell == "rnn_relu" else "tanh"
    states = simulate_states(Wh0, T, activation, input_scale=0.2, rng=0)  # small random inputs
    init_norms[label] = jacobian_norms(Wh0, states, activation)
    first_grad[label] = train_latch_rnn(T, cell=cell, recurrent_init=init_name, steps=1, rng=0).first_step_grad[0]
    print(f"{label:24} rho(W_h) = {spectrum(Wh0).spectral_radius:4.2f}, ||dh_T/dh_1|| = {init_norms[label][-1]:9.3g};"
          f"  on the latch task ||dL/dh_1|| = {first_grad[label]:.3g}")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: for each initialisation, the spectral radius of $W_h$, the product of 49 Jacobians on small random
#   inputs, and the gradient that reaches the bit at the first update of the latch task.
# - **Show** (the table, on the slide below the code): small normal weights: below $10^{-50}$ (asserted), nothing
#   arrives; Xavier, orthogonal and the IRNN: above $10^{-4}$ (asserted), and exactly 1 for the IRNN.
# - **Ask**: why exactly 1 for the IRNN?
# - **Answer**: each Jacobian is $W_h^\top = I$ with the inactive units' rows zeroed; as long as one unit stays
#   active at every step, the product keeps a 1 on its diagonal and has norm exactly 1.

# %% slideshow={"slide_type": "skip"}
assert init_norms["tanh, small normal"][-1] < 1e-50 and first_grad["tanh, small normal"] < 1e-50  # nothing arrives
for label in ("tanh, Xavier", "tanh, orthogonal", "IRNN (ReLU, identity)"):
    assert init_norms[label][-1] > 1e-4 and first_grad[label] > 1e-4  # a usable gradient reaches the bit
assert abs(init_norms["IRNN (ReLU, identity)"][-1] - 1) < 1e-12
xavier_spectrum = spectrum(init_cell_params(2, H, "rnn", recurrent_init="xavier", rng=0)["Wh"])
assert 0.8 < xavier_spectrum.spectral_radius < 1.3  # Xavier: spectral radius near 1 ...
assert xavier_spectrum.singular_values[-1] < 0.2 and 1.5 < xavier_spectrum.singular_values[0] < 2.5  # ... spread
small_rho = spectrum(init_cell_params(2, H, "rnn", recurrent_init="normal", rng=0)["Wh"]).spectral_radius
assert 0.03 < small_rho < 0.05  # about 0.01 sqrt(16) = 0.04 (notes)

# %% slideshow={"slide_type": "subslide"}
plot_jacobian_norms(init_norms, title="At initialisation: how much gradient survives 50 steps")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the four products against the lag: the IRNN flat at 1, orthogonal and Xavier falling slowly, small
#   normal weights falling off the chart.
# - **Ask**: orthogonal has every singular value 1. Why does its product still fall?
# - **Answer**: tanh's slopes: each Jacobian is $\operatorname{diag}(\tanh'(a_t))\, W_h^\top$, and the slopes are below 1.

# %% [markdown] slideshow={"slide_type": "subslide"}
# Then training on the same task, all with SGD (learning rate 0.05, 300 updates) and the IRNN with norm clipping,
# as Le et al. trained it: first $T = 50$ with three seeds, then the three initialisations that learned it at
# $T = 100$ with six seeds.

# %% slideshow={"slide_type": "skip"}
train_settings = {
    "tanh, small normal": dict(cell="rnn", recurrent_init="normal", optimizer="sgd", lr=0.05),
    "tanh, Xavier": dict(cell="rnn", recurrent_init="xavier", optimizer="sgd", lr=0.05),
    "tanh, orthogonal": dict(cell="rnn", recurrent_init="orthogonal", optimizer="sgd", lr=0.05),
    "IRNN + clipping": dict(cell="rnn_relu", recurrent_init="identity", optimizer="sgd", lr=0.05, clip=1.0),
}

# %% tags=["split-output", "fit-output"]
learned = {}
for T_init, seeds, labels in ((50, 3, list(train_settings)), (100, 6, list(train_settings)[1:])):
    for label in labels:
        runs = [train_latch_rnn(T_init, steps=300, rng=seed, label=label, **train_settings[label])
                for seed in range(seeds)]
        learned[label, T_init] = sum(r.success for r in runs)
        accs = ", ".join(f"{100 * r.accuracy:.0f}%" for r in runs)
        print(f"T = {T_init:3d}, {label:20} learned {learned[label, T_init]} of {seeds} seeds (test accuracy {accs})")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: four initialisations trained on the latch at $T = 50$ with three seeds, then the three that learned it at
#   $T = 100$ with six seeds.
# - **Show** (the table, on the slide below the code): $T = 50$: small normal learns none, Xavier and the IRNN all
#   three, orthogonal two (asserted). $T = 100$: orthogonal learns at least two seeds more than Xavier (asserted).
# - **Ask**: is that a ranking of initialisations?
# - **Answer**: no: six seeds of one task; a difference of one or two seeds is noise. The mechanism is the lesson.

# %% slideshow={"slide_type": "skip"}
assert learned["tanh, small normal", 50] == 0  # no gradient, no learning
assert learned["tanh, Xavier", 50] == 3 and learned["IRNN + clipping", 50] == 3  # the fair baseline is as good
assert learned["tanh, orthogonal", 50] == 2  # misses one
assert learned["tanh, orthogonal", 100] >= learned["tanh, Xavier", 100] + 2  # longer: orthogonal ahead of Xavier
assert learned["tanh, orthogonal", 100] > learned["IRNN + clipping", 100]  # ... and of the IRNN: the most (summary)
assert 1 <= learned["tanh, Xavier", 100] <= 5 and learned["IRNN + clipping", 100] <= 5  # and both others falter

# %% [markdown] slideshow={"slide_type": "subslide"}
# What this shows, and what it does not:
#
# - The small-random initialisation fails because of its **scale**: with weights of size 0.01 the product of 50
#   Jacobians is astronomically small, so SGD never learns that the first input matters. It is a straw man.
# - Against a fair baseline, at $T = 50$ there is nothing to choose: Xavier learns every seed, like the IRNN
#   with clipping (orthogonal misses one). Any initialisation whose Jacobian product starts near norm 1 will do.
# - At $T = 100$ the orthogonal matrix, whose singular values are *all* 1, learns more seeds than Xavier, whose
#   spread singular values let the product fade faster; the IRNN with clipping misses some seeds too.
# - Six seeds of one task: a difference of one or two seeds is noise. The lesson is the mechanism, not a
#   ranking.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: tiny weights fail because of their scale, a straw man; against Xavier, any start whose Jacobian product
#   is near norm 1 does at $T = 50$; at $T = 100$ orthogonal, with *all* singular values 1, is ahead.
# - **Ask**: Xavier has spectral radius near 1 too. Why does its product fade faster than orthogonal's?
# - **Answer**: its singular values spread from near 0 to about 2 (asserted): the directions with small singular
#   values lose gradient at every step.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 7.3 Truncated BPTT
#
# Window truncation (lesson 02) lets each loss $L_t$ send its gradient to the last $k$ steps only: back to
# $h_{t-k+1}$, through at most $k - 1$ Jacobians. That caps the product, so an exploding gradient can grow at most
# like $(\gamma\lambda_1)^{k-1}$ instead of $(\gamma\lambda_1)^{T-1}$, and each loss costs $O(k)$ steps back instead of
# $O(T)$. First the cap, on a ReLU network whose gradient explodes (every Jacobian is $1.1\,I$):

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: lesson 02's window truncation caps the number of Jacobians at $k - 1$, so it caps an explosion too. The
#   test case: ReLU units kept active, $W_h = 1.1\,I$, so every Jacobian is $1.1\,I$.
# - **Ask**: the gradient at $h_T$ has norm 4. With $k = 10$, what is the largest gradient any state receives?
# - **Answer**: $4 \cdot 1.1^{9} \approx 9.4$: exactly $k - 1$ Jacobians (asserted for every $k$).

# %% slideshow={"slide_type": "subslide"} tags=["split-output", "fit-output"]
H, T = 16, 100
W_explode = 1.1 * np.eye(H)  # an IRNN whose recurrent weights have grown 10% too large
x_explode = 0.1 * np.abs(rng.standard_normal((1, T, H)))  # positive inputs: every ReLU unit stays active
h_explode, cache_explode = rnn_forward(x_explode, None, np.eye(H), W_explode, np.zeros(H), activation="relu")
dh_last = np.zeros_like(h_explode)
dh_last[0, -1] = 1.0  # the gradient of L_T at h_T: ||g|| = 4
capped = {}
for k in (5, 10, 20, 50, None):
    grads = rnn_backward(dh_last, cache_explode, truncate=k, truncate_mode="window")
    capped[k] = np.linalg.norm(grads.dh_all[0], axis=1).max()
    print(f"truncate = {k!s:>4}: largest ||dL/dh_t|| = {capped[k]:9.3g} = ||g|| 1.1^{np.log(capped[k] / 4) / np.log(1.1):.0f}, "
          f"||dL/dx|| = {np.linalg.norm(grads.dx):9.3g}, ||dL/dh_1|| = {np.linalg.norm(grads.dh_all[0, 0]):.3g}")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: one loss at $t = T = 100$, its gradient sent back with window truncation $k$ = 5, 10, 20, 50 and without.
# - **Show** (the output, on the slide below the code): the largest gradient is $4 \cdot 1.1^{k-1}$, exactly, for every
#   $k$, and $4 \cdot 1.1^{99}$ without truncation; $\partial L/\partial h_1$ is 0 whenever $k < T$.
# - **Ask**: so truncation fixes exploding gradients?
# - **Answer**: it caps them, at the price of every gradient from further back: it cannot help with vanishing.

# %% slideshow={"slide_type": "skip"}
for k in (5, 10, 20, 50):
    assert np.isclose(capped[k], 4 * 1.1 ** (k - 1), rtol=1e-12)  # exactly k - 1 Jacobians
assert np.isclose(capped[None], 4 * 1.1 ** (T - 1), rtol=1e-12)

# %% [markdown] slideshow={"slide_type": "subslide"}
# And the price, on the latch: the same sweep as in section 6 with the gradient truncated to the last 5 steps.
# For $T > 5$ the bit's gain $u$ gets no gradient at all (nothing reaches $a_1$), and $w$ learns only from the
# last 5 steps. Does that make a dependency longer than 5 steps impossible to learn?

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the latch sweep of section 6 again, with every gradient truncated to the last 5 steps.
# - **Ask**: predict before the output: at $T = 10$, will any seed still learn to keep the bit?
# - **Answer**: yes, most do (next slides); at $T = 20$ none does.

# %%
sweep_truncated = latch_sweep(Ts, seeds=16, steps=300, lr=0.1, truncate=5, rng=0)
for T_, full, cut in zip(Ts, sweep.success_rate, sweep_truncated.success_rate):
    print(f"T = {T_:3d}: success {full:.2f} with full BPTT, {cut:.2f} truncated to 5 steps")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: truncation is never better than full BPTT; at $T = 10$, twice the window, at least half the seeds still
#   learn the latch; at $T = 20$ none does, where full BPTT still learns some (all asserted).
# - **Ask**: for $T > 5$, the bit's input gain $u$ gets no gradient at all. How can the latch be learned at $T = 10$?
# - **Answer**: the bit is written at the initial $u = 1$ anyway; the last 5 steps teach $w$ to grow above 1, and a
#   bistable unit keeps whatever its state holds.

# %% slideshow={"slide_type": "skip"}
cut_rates = dict(zip(Ts, sweep_truncated.success_rate))
assert np.all(sweep_truncated.success_rate <= sweep.success_rate)  # never better than full BPTT
assert cut_rates[10] > 0.5  # twice the window: most seeds still learn the latch
assert cut_rates[20] == 0.0 < rates[20]  # four times the window: none does, while full BPTT still can
assert np.all(sweep_truncated.runs[Ts.index(10)].u == 1.0)  # u never moved: it got no gradient

# %% slideshow={"slide_type": "subslide"}
plot_latch_sweep({"full BPTT": sweep, "truncated to 5 steps": sweep_truncated},
                 title="Truncation cuts the gradient path, not the memory")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the two success curves: together up to $T = 5$, apart from there on.
# - **Say**: the answer to "does truncation make longer dependencies impossible?" is on the next slide: no, not
#   impossible, but harder the further they reach past the window.

# %% [markdown] slideshow={"slide_type": "subslide"}
# No. Truncation cuts the **gradient path** from a loss to the inputs more than $k - 1$ steps back, not the
# **state**, which still flows forward. Here the bit is written into $h_1$ at the initial gain $u = 1$ (which
# never changes), and what the last 5 steps teach $w$ (grow above 1, so whatever the state holds is kept) also
# keeps the bit. At $T = 10$ most seeds learn the latch that way. What is lost is every learning signal that has
# to travel further: nothing can learn to *write* the bit more strongly ($u$), and $w$ learns nothing from the
# early steps, where the bit fades while $w < 1$. The further the dependency reaches beyond the window, the more
# the bit has faded by the time the window sees it: at $T = 20$ no seed learns it, while full BPTT still does on
# some.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: truncation cuts the gradient path, not the state. What is lost is every signal that has to travel
#   further than the window: nothing can learn to write the bit more strongly.
# - **Ask**: at $T = 20$, why does the window no longer help?
# - **Answer**: by the time the last 5 steps see the state, the bit has faded while $w$ was still below 1: there is
#   nothing left for $w$ to learn to keep.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 7.4 Gated cells (lesson 04)
#
# The cure that stuck changes the architecture instead of the training. An LSTM keeps a **cell state**
# $c_t = f_t \odot c_{t-1} + i_t \odot g_t$: along $c$, the Jacobian is $\operatorname{diag}(f_t)$, a forget
# gate, not a weight matrix times a squashing slope. With $f_t \approx 1$ the gradient flows back unchanged
# (Hochreiter & Schmidhuber's "constant error carousel"), and the network *learns* when to let it decay. Lesson 04
# builds it and compares it with the RNNs here on the adding problem.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the cure that stuck changes the cell: along the LSTM's cell state $c_t$ the Jacobian is
#   $\operatorname{diag}(f_t)$, a forget gate, not a weight matrix times a slope. With $f_t \approx 1$ the gradient
#   passes unchanged.
# - **Ask**: what is the LSTM's analogue of "$\rho$ exactly 1"?
# - **Answer**: forget gates near 1: and the net learns when to open and close them, instead of sitting on a knife
#   edge.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 7.5 Echo state networks: do not train $W_h$ at all
#
# Jaeger (2001) sidestepped the problem: if gradients through time are the trouble, do not send any. An **echo
# state network** (ESN) is the ordinary tanh RNN of this course with $W_x$, $W_h$, $b$ drawn at random once and
# **never trained** ("the reservoir"); $W_h$ is scaled to a spectral radius below 1, so the state is a fading echo
# of the recent inputs (after the 50-step washout used below, two reservoirs started from $h_0 = \pm 1$ agree to
# within $10^{-3}$). Only the read-out $\hat y_t = h_t W_y + b_y$ is learned, and that is linear least squares:
# one solve, no BPTT (`rnn_course.reservoir`).
#
# The task is a **timer**, after the example in Jaeger's tutorial (2002): a pulse starts the clock and its height
# says for how long (1 to 20 steps); the output must be 1 for exactly that long, then 0 (`rnn_course.tasks.timer`).
# It needs a memory (the height) and a clock (the steps since the start). Against it: a tanh RNN of 32 units with
# the same read-out, trained by BPTT (Adam, norm clipping at 1, 1000 updates of 16 fresh sequences of 100 steps),
# from eight seeds: how well a trained RNN ends up varies a great deal from one seed to the next.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: Jaeger's way around the problem: never send a gradient through time. Draw $W_x$, $W_h$, $b$ at random,
#   scale $W_h$ to a spectral radius below 1, and fit only the read-out by least squares.
# - **Ask**: why a spectral radius below 1?
# - **Answer**: so the state is an echo that fades: after a washout the state depends on the recent inputs, not on
#   $h_0$ (asserted: two reservoirs from $h_0 = \pm 1$ agree within $10^{-3}$ after 50 steps).

# %% slideshow={"slide_type": "skip"}
x_train, y_train = timer_batch(20, 500, rng=0)
x_test, y_test = timer_batch(20, 500, rng=1)
WASHOUT = 50  # the first 50 steps still remember h_0: left out of the fit and of the scores


def esn_multiply_adds(H, x):
    """The ESN's fit on inputs x (N, T, D), counted: the states (x_t W_x and h_{t-1} W_h at each of the N T
    steps), then the normal equations of the read-out ([h_t, 1]^T [h_t, 1] over the kept steps) and their
    (H+1)-unknown solve."""
    N, T, D = x.shape
    rows = N * (T - WASHOUT)
    return N * T * (D * H + H * H) + rows * (H + 1) ** 2 + (H + 1) ** 3 // 3


esn = {}
for H_res in (200, 32):
    cpu = time.process_time()
    reservoir = random_reservoir(1, H_res, spectral_radius=0.8, rng=0)
    readout = fit_readout(reservoir_states(x_train, reservoir), y_train, washout=WASHOUT)  # one least-squares solve
    seconds = time.process_time() - cpu
    esn[H_res] = (readout_forward(reservoir_states(x_test, reservoir), readout), seconds, esn_multiply_adds(H_res, x_train))


# %% slideshow={"slide_type": "skip"}
TIMER_BATCH = (16, 100)  # each update: 16 fresh sequences of 100 steps


def train_timer_rnn(H, steps, seed):
    """A tanh RNN with a linear read-out at every step, trained by BPTT on fresh timer sequences."""
    r = np.random.default_rng(seed)
    p = init_cell_params(1, H, rng=r)  # Xavier W_x, orthogonal W_h
    p["Wy"], p["by"] = 0.1 * r.standard_normal((H, 1)), np.zeros(1)
    optimizer = Adam(1e-2)
    for _ in range(steps):
        x, y = timer_batch(*TIMER_BATCH, rng=r)
        h, cache = rnn_forward(x, None, p["Wx"], p["Wh"], p["b"])
        y_hat, out_cache = temporal_affine_forward(h, p["Wy"], p["by"])
        _, dy_hat = mse_loss(y_hat, y)
        dh, dWy, dby = temporal_affine_backward(dy_hat, out_cache)
        g = rnn_backward(dh, cache)
        grads = {"Wx": g.dWx, "Wh": g.dWh, "b": g.db, "Wy": dWy, "by": dby}
        clip_grad_norm(grads, 1.0)
        optimizer.step(p, grads)
    return p


# %% slideshow={"slide_type": "skip"}
def rnn_training_multiply_adds(p, steps):
    """Training by BPTT, counted from the weights: each update's forward products (x_t W_x, h_{t-1} W_h, h_t W_y
    at each of the N T steps of its batch) and twice that backward (the input's gradient and the weight's)."""
    N, T = TIMER_BATCH
    return steps * 3 * N * T * sum(p[name].size for name in ("Wx", "Wh", "Wy"))


# %% slideshow={"slide_type": "subslide"} tags=["split-output", "fit-output"]
trained, updates = {}, 1000
for seed in range(8):
    cpu = time.process_time()
    p_timer = train_timer_rnn(32, updates, seed)
    seconds = time.process_time() - cpu
    h_test, _ = rnn_forward(x_test, None, p_timer["Wx"], p_timer["Wh"], p_timer["b"])
    trained[seed] = (h_test @ p_timer["Wy"] + p_timer["by"], seconds, rnn_training_multiply_adds(p_timer, updates))

timer_scores = {}
rows = [("ESN, 200 units", *esn[200]), ("ESN, 32 units", *esn[32])] + \
       [(f"trained RNN, 32 units, seed {seed}", *trained[seed]) for seed in trained]
print("to fit or train: multiply-adds (counted) and CPU time (this machine)")
print(f"{'model':32} | MSE/step | pulses exact | mean error | multiply-adds | CPU")
for label, y_hat, seconds, work in rows:
    lengths = pulse_lengths(y_hat, x_test, skip=WASHOUT)
    mse = np.mean((y_hat[:, WASHOUT:] - y_test[:, WASHOUT:]) ** 2)
    timer_scores[label] = (mse, lengths, work)
    print(f"{label:32} | {mse:8.4f} | {100 * lengths.exact:11.0f}% | {lengths.mean_abs_error:10.2f} | "
          f"{work / 1e9:11.2f} G | {seconds:.2f} s")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: two ESNs (200 and 32 random units, one least-squares solve each) against a trained 32-unit RNN (eight
#   seeds), scored on a few hundred pulses of fresh test sequences.
# - **Show** (the table): the 200-unit ESN times more pulses exactly and with a smaller mean error than the median
#   trained RNN, for under a fifth of one training run's multiply-adds (counted; the CPU time on this machine is
#   printed beside); the trained runs spread widely, the best of them close to the ESN or better; on the
#   per-step squared error there is no consistent winner; with 32 units the ESN is worse than the median trained
#   net (all asserted).
# - **Ask**: what did the ESN trade for not training $W_h$?
# - **Answer**: size: 200 random units contain by chance the features 32 trained units have to learn.

# %% slideshow={"slide_type": "skip"}
esn_mse, esn_lengths, esn_work = timer_scores["ESN, 200 units"]
small_mse, small_lengths, _ = timer_scores["ESN, 32 units"]
rnn_scores = [timer_scores[f"trained RNN, 32 units, seed {seed}"] for seed in trained]
assert esn_lengths.true.size > 300  # a few hundred scored pulses
rnn_exact = np.array([rnn[1].exact for rnn in rnn_scores])
rnn_error = np.array([rnn[1].mean_abs_error for rnn in rnn_scores])
rnn_mse = np.array([rnn[0] for rnn in rnn_scores])
print(f"trained RNNs over {len(rnn_scores)} seeds: pulses exact {rnn_exact.min():.0%} to {rnn_exact.max():.0%} "
      f"(median {np.median(rnn_exact):.0%}); ESN, 200 units: {esn_lengths.exact:.0%}")
assert esn_lengths.exact > np.median(rnn_exact) + 0.15  # the ESN times better than the median trained run ...
assert esn_lengths.mean_abs_error < np.median(rnn_error) / 1.5
assert all(rnn[2] > 5 * esn_work for rnn in rnn_scores)  # ... at a fraction of the cost (counted, not timed)
assert rnn_exact.max() - rnn_exact.min() > 0.4  # training is a lottery: the seeds spread widely ...
assert rnn_exact.max() > esn_lengths.exact - 0.15  # ... and the best trained runs come close to the ESN, or beat it
assert rnn_mse.min() < esn_mse < rnn_mse.max()  # per-step squared error: inside the trained runs' range
assert small_lengths.mean_abs_error > np.median(rnn_error)  # same size: the median trained run wins
assert esn_lengths.measured[esn_lengths.true == 20].mean() < 19  # the longest pulses end early
median_seed = list(trained)[np.argsort(rnn_exact)[len(rnn_exact) // 2]]  # a typical trained run, drawn below
typical, typical_lengths = f"trained RNN (seed {median_seed})", rnn_scores[list(trained).index(median_seed)][1]
reservoir = random_reservoir(1, 200, spectral_radius=0.8, rng=0)
from_plus = reservoir_states(x_test[:1], reservoir, h0=np.ones((1, 200)))
from_minus = reservoir_states(x_test[:1], reservoir, h0=-np.ones((1, 200)))
assert np.abs(from_plus[0, WASHOUT - 1] - from_minus[0, WASHOUT - 1]).max() < 1e-3  # an echo: h_0 is forgotten

# %% slideshow={"slide_type": "subslide"}
fig, (ax_t, ax_l) = new_figure((14, 4.4), ncols=2, gridspec_kw={"width_ratios": [1.8, 1]})
plot_timer_outputs(x_test, y_test, {"ESN, 200 units": esn[200][0], typical: trained[median_seed][0]},
                   n=0, steps=(WASHOUT, WASHOUT + 150), ax=ax_t)
plot_pulse_lengths({"ESN, 200 units": esn_lengths, typical: typical_lengths}, ax=ax_l)
fig

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: left, 150 steps of one test sequence: the target pulses and both models' outputs; right, measured pulse
#   length against the asked one, for every test pulse.
# - **Ask**: where on the right panel does the ESN go wrong?
# - **Answer**: at the longest pulses, 20 steps: they end early (asserted: measured below 19 on average).

# %% [markdown] slideshow={"slide_type": "subslide"}
# - The ESN with 200 random units times the pulses **better** than the median of eight trained 32-unit RNNs (more
#   pulses exactly right, a smaller mean error in the pulse length), and fitting it costs under a fifth of the
#   multiply-adds of one training run.
# - Training is a lottery by comparison: the same network, data and budget, from eight seeds, ends anywhere from
#   poor to about as good as the ESN or better (the printed range). On the squared error per step there is no
#   consistent winner: the ESN's lies inside the trained runs' range.
# - Its weakness is the longest pulses: the echo of the pulse fades, and by 20 steps it no longer tells the
#   read-out precisely when to stop, so the output switches off early.
# - It is not magic: with the same 32 units the random reservoir times the pulses worse than the median trained
#   RNN. The ESN trades training for size: a large random state contains, by chance, the features a trained net
#   would have to learn.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: better timing for a fraction of the cost, weakest on the longest pulses, and not magic: at equal size
#   the trained net wins.
# - **Ask**: why do the longest pulses end early?
# - **Answer**: the echo of the starting pulse fades; after 20 steps it no longer tells the read-out precisely when
#   to stop.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### 7.6 Also in the literature
#
# - **Second-order methods**: Hessian-free optimisation (Martens 2010; Martens & Sutskever 2011) uses curvature,
#   so it can take small steps across the wall and large ones along the plateaus; Martens & Sutskever trained RNNs
#   with it on long-range synthetic problems that plain gradient descent failed on.
# - Pascanu et al. (2013) also propose a **regulariser** that pushes each step's Jacobian to preserve the norm of
#   the gradient flowing back through it, so it fights vanishing directly; unitary RNNs (Arjovsky et al. 2016)
#   keep $W_h$ unitary throughout training.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: two more families: curvature (Hessian-free optimisation takes small steps across the wall and large ones
#   along the plateaus), and constraints that keep the Jacobians norm-preserving (Pascanu's regulariser, unitary
#   RNNs).
# - **Ask**: which of today's pictures explains why curvature helps?
# - **Answer**: the cliff: a thin wall between flat plateaus, where the right step size differs by orders of
#   magnitude between places.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### On your own
#
# - In section 3, find the input scale at which the tanh network with $\lambda_1 > 1$ switches from vanishing to
#   not vanishing (use `simulate_states` and `jacobian_norms`, or the demo's input-scale slider).
# - Change `threshold` in section 5 to 0.05 and to 10. Which one behaves like plain gradient descent, and which one
#   makes progress painfully slow? What does that suggest about choosing the threshold (Pascanu et al. use the
#   average gradient norm over many updates)?
# - Rerun the latch sweep with `noise=0.0`. Does the success rate still fall with $T$? Why, given section 3?
# - Train the tanh network with orthogonal and with Xavier initialisation on the latch task with $T = 200$
#   (`train_latch_rnn`). How many seeds succeed, and what does `first_step_grad` say at the first update?
# - Give the echo state network of 7.5 a spectral radius of 0.95 and of 0.5. Which pulses does each one time
#   worse, and why?

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: five experiments for after the lecture, each a small change of a cell above; the threshold one can be
#   tried live with the cliff demo's slider.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - BPTT multiplies the gradient by one Jacobian $J_t = \operatorname{diag}(f'(a_t))\,W_h^\top$ per step, so the
#   gradient from $T - k$ steps back goes through the product $J_T \cdots J_{k+1}$ of $T - k$ matrices: it shrinks or
#   grows exponentially in the lag.
# - For a linear RNN the rate is the spectral radius $\rho$, not the largest singular value $\lambda_1$
#   ($I + \varepsilon N$ has $\lambda_1 > 1$ and grows only linearly). In general
#   $\|\partial h_T/\partial h_k\| \le (\gamma\lambda_1)^{T-k}$ with $\gamma = \sup|f'|$ (1 for tanh, 1/4 for the
#   sigmoid): $\lambda_1 < 1/\gamma$ is **sufficient** for vanishing, $\lambda_1 > 1/\gamma$ is **necessary but not
#   sufficient** for exploding: one tanh matrix with $\lambda_1 > 1$ vanished under strong inputs and exploded under
#   weak ones, where the recurrence, not the input, sets the size of the state.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: one Jacobian per step, so a product that shrinks or grows exponentially; $\rho$ sets the long-run rate,
#   $\gamma\lambda_1 < 1$ guarantees vanishing, and $\gamma\lambda_1 > 1$ only allows exploding.
# - **Ask**: a tanh RNN with $\lambda_1 = 0.95$: can its gradients explode?
# - **Answer**: no: $\gamma\lambda_1 = 0.95 < 1$, so they must vanish (question 1, checked under the answers).

# %% [markdown] slideshow={"slide_type": "subslide"}
# - On the one-unit RNN's loss surface, exploding gradients are a **cliff**: a thin wall between plateaus, steeper and
#   thinner as $w$ grows. A step on it throws plain gradient descent away; **norm clipping** keeps the direction and
#   caps the step.
# - Vanishing gradients make long memories hard to *learn*: on the latch task success falls to zero as $T$ grows,
#   and failed units let $w$ shrink and forget.
# - Remedies, measured: clipping (against exploding); an initialisation whose Jacobian product starts near norm 1
#   (at $T = 50$ Xavier and the IRNN learn the latch on every seed and orthogonal on two of three, where tiny random
#   weights learn it on none; at $T = 100$ orthogonal learned the most seeds); truncation (caps the cost and the explosion, and cuts the gradient path,
#   not the memory); an echo state network, which trains no recurrent weight and timed pulses better than the
#   median of eight trained RNNs of 32 units (the best seeds come close or beat it); and gated cells (lesson 04).

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: exploding is a cliff in parameter space, and clipping is enough for it; vanishing makes long memories
#   hard to learn, and each remedy helps in its own way: a good start, a capped backward pass, no recurrent training
#   at all, or the gated cells of lesson 04.
# - **Ask**: which remedy would you try first on a new RNN that diverges after a few updates?
# - **Answer**: norm clipping: it costs one line and fixed the IRNN on every seed.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Check your understanding
#
# 1. A tanh RNN has $\lambda_1(W_h) = 0.95$. Can its gradients explode? Can they vanish?
# 2. A sigmoid RNN has $\lambda_1(W_h) = 2$. A friend says "$\lambda_1 > 1$, so its gradients explode". What is
#    wrong with that?
# 3. Why does the one-unit loss surface have no cliff for $w < 4$?
# 4. Norm clipping and element-wise clipping both bound the step length. What does norm clipping preserve that
#    element-wise clipping does not, and why might it matter on the cliff?
# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: seven questions in two slides; three minutes in pairs for the first four.
# - **Ask**: start with question 2: a sigmoid RNN with $\lambda_1 = 2$ and a friend who says it explodes.
# - **Answer**: $\gamma = 1/4$, so the bound is $0.5^{T-k}$: its gradients are guaranteed to vanish (checked under
#   the answers).

# %% [markdown] slideshow={"slide_type": "subslide"}
# 5. In the latch sweep, the runs that fail end with $w$ near 0, not near 1. Why is shrinking $w$ the best the
#    unit can do when it gets no usable gradient about the bit?
# 6. Truncating BPTT to $k$ steps capped the exploding gradient of the ReLU network in 7.3. Why is it not a remedy
#    for *vanishing* gradients, and what can a truncated network still learn about a dependency longer than $k$?
# 7. An IRNN trained without clipping overflowed within a few updates. Which property of $W_h = I$ with ReLU makes
#    it both good for memory and prone to exploding?
#
# <details><summary>Answers</summary>
#
# 1. They cannot explode: $\gamma\lambda_1 = 0.95 < 1$, so the bound $0.95^{T-k}$ goes to 0. For the same reason
#    they must vanish (the sufficient condition holds). (Checked below on random inputs.)
# 2. For the sigmoid $\gamma = 1/4$, so the bound is $(2/4)^{T-k} = 0.5^{T-k}$: the gradients are *guaranteed*
#    to vanish. Exploding needs $\lambda_1 > 4$, and even then it is not guaranteed. (Checked below.)
# 3. The map $h \mapsto w\sigma(h) + b$ has slope at most $w/4 < 1$, a contraction with a single fixed point; $h_{50}$
#    depends smoothly on $(w, b)$. Two stable fixed points, and so a boundary between their basins, need $w > 4$.
#    On the grid of section 4 the largest gradient norm for $w > 4$ is more than 10 times the largest for $w < 4$.
# 4. The direction of the gradient. Next to the wall the gradient points across it; element-wise clipping turns the
#    step towards the diagonal (both components $\pm\theta$), which can send it along a direction the gradient did
#    not ask for (section 5's example turned it by more than 25 degrees).
# 5. Without information about $y$ the best prediction of $0.8y$ is 0. Noise enters at every step and is amplified by
#    $w$; shrinking $w$ (and so forgetting) makes $h_T$ small, which minimises the expected squared error: the
#    failed runs end with a loss near $0.8^2 = 0.64$ (checked below).
# 6. It removes gradient: the terms from more than $k - 1$ Jacobians back become exactly 0 instead of very small, so
#    it can only make vanishing worse. But it cuts the gradient *path*, not the state: the weights used in the last
#    $k$ steps can still learn to keep what the state already carries. In 7.3, with $k = 5$, most seeds still
#    learned the latch at $T = 10$ (without ever changing the input gain $u$), and none at $T = 20$.
# 7. While units are active each Jacobian is $W_h^\top$ itself, exactly $I$ at the start: nothing decays, so
#    gradients (and states) survive many steps. But then the product over $k$ steps is a $k$-th power of $W_h^\top$,
#    which grows like $\rho^k$ as soon as an update pushes the spectral radius $\rho$ above 1: the first unclipped
#    update did exactly that in every seed of 7.1, and the next gradient was over a thousand times larger. (A largest
#    singular value above 1 alone would not be enough: section 2's $I + \varepsilon N$.)
# </details>

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the last three, then click *Answers*: the answers refer back to the measurements.
# - **Ask**: question 7: which property of $W_h = I$ with ReLU is good for memory and bad for stability?
# - **Answer**: while the units are active each Jacobian is $W_h^\top$ itself: nothing decays, but the product is a
#   power of $W_h^\top$, which explodes once an update pushes $\rho$ above 1.

# %% slideshow={"slide_type": "skip"}
# The answers' claims, measured
W_095 = recurrent_matrix(16, 0.95, kind="orthogonal", rng=3)  # lambda_1 = 0.95
norms_095 = jacobian_norms(W_095, simulate_states(W_095, 60, "tanh", input_scale=0.5, rng=3), "tanh")
assert np.all(norms_095 <= 0.95 ** np.arange(60) * (1 + 1e-9)) and norms_095[-1] < 0.95**59  # answer 1
W_sig = recurrent_matrix(16, 2.0, kind="orthogonal", rng=3)  # lambda_1 = 2
norms_sig = jacobian_norms(W_sig, simulate_states(W_sig, 60, "sigmoid", input_scale=1.0, rng=3), "sigmoid")
assert np.all(norms_sig <= 0.5 ** np.arange(60) * (1 + 1e-9)) and norms_sig[-1] < 1e-15  # answer 2
for run in sweep.runs[Ts.index(40):]:  # answer 5: the failed runs' loss over their last 50 updates
    assert abs(run.loss[-50:].mean() - 0.8**2) < 0.1

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

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: Pascanu et al. for the bound, the cliff and clipping; Bengio, Simard and Frasconi for the latch;
#   Hochreiter for the first analysis and the LSTM; Le et al. for the IRNN; Saxe et al. for orthogonal starts.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### References, continued
#
# - H. Jaeger, "The 'echo state' approach to analysing and training recurrent neural networks", GMD Report 148,
#   2001; H. Jaeger, H. Haas, "Harnessing nonlinearity", *Science* 304, 2004.
# - J. Martens, "Deep learning via Hessian-free optimization", *ICML* 2010; J. Martens, I. Sutskever, "Learning
#   recurrent neural networks with Hessian-free optimization", *ICML* 2011.
# - M. Arjovsky, A. Shah, Y. Bengio, "Unitary evolution recurrent neural networks", *ICML* 2016.
# - I. Goodfellow, Y. Bengio, A. Courville, *Deep Learning* (2016), section 10.7 (the challenge of long-term
#   dependencies) and 10.11 (clipping).

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: Jaeger for echo state networks, Martens and Sutskever for Hessian-free training, Arjovsky et al. for
#   unitary RNNs, and Goodfellow et al.'s chapter 10 as the textbook account.
