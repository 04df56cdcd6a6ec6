# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # Lecture demos: the course's key ideas, one line each
#
# Every lesson has a demo: sliders over a figure that redraws as you drag. This notebook gathers them for a
# lecture, in **presenter mode** (large fonts, thick lines, large figures), each with what to show, what to say
# and a question for the room.
#
# **What you will show**
# - the hidden state as a memory that fades, persists or saturates (lesson 01);
# - a two-unit RNN, built by hand, that remembers a bit for thousands of steps (lesson 01);
# - how far the gradient travels back in BPTT, and what truncation drops (lesson 02);
# - the spectral radius deciding between vanishing and exploding gradients (lesson 03);
# - the cliff on a real loss surface, and gradient clipping walking down it (lesson 03).
#
# **Prerequisites**: the lessons the demos come from (for you; the room needs only the idea of an RNN).
# A JupyterLab with the widget extension: `rnn-course doctor` checks it.
#
# **Time**: 3 to 5 minutes per demo; the whole set takes about 30 minutes.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Before the lecture
#
# 1. On the lecture machine, run `rnn-course doctor`, then **Run > Run All Cells** once before the room fills.
#    Each demo builds in about a second; after that every slider move redraws in a few tens of milliseconds
#    (`python benchmarks/demo_latency.py` measures it on your machine; the target is p95 < 50 ms).
# 2. For the projector: **View > Appearance > Presentation Mode** (larger text in JupyterLab), **Ctrl +** to
#    zoom, **View > Appearance > Simple Interface** to show one notebook, and hide the code with
#    **View > Collapse All Code**.
# 3. The buttons under the sliders are **presets**: a prepared state, one click away. Click them in the order
#    given below and the story tells itself.
# 4. Nothing can break in front of the room: an error in an update shows in red under the figure and the demo
#    keeps working. Without widgets (no extension, a static export, the slides) each demo shows its figure as
#    a picture, and `demo.set(name=value)` in a cell moves it from code (last section).
# 5. Slides: `rnn-course slides` builds an offline reveal.js deck of every lesson and of this notebook
#    (`build/slides/index.html`; no network needed).

# %% slideshow={"slide_type": "skip"}
# %matplotlib inline
from rnn_course import demos

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1 · The hidden state is a memory (lesson 01)
#
# A tanh RNN with 16 units reads one number per step; its $W_h$ is a random orthogonal matrix times a **scale**,
# so every singular value of $W_h$ equals the scale. The *pulse* input is a single 1 at $t = 1$.
#
# - **Show**: click **"fades (0.6)"**, **"edge (1.0)"**, **"saturates (1.6)"** in turn and watch the bottom
#   panel ($\lVert h_t \rVert$, log scale). Then drag **step t** back to 1 and forward again: the net runs.
# - **Say**: $h_t$ is all the network knows about the past. Below 1 the trace of the pulse fades geometrically
#   (a straight line on the log axis); above 1 it grows until tanh saturates, and a saturated state no longer
#   records *which* input it saw.
# - **Ask**: which scale would you pick to remember the pulse for 40 steps, and what is the catch?

# %% slideshow={"slide_type": "subslide"}
demos.hidden_state_demo(presenter=True)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2 · An RNN that remembers, built by hand (lesson 01)
#
# Running parity (is the number of 1s so far odd?) defeats any fixed window of inputs. Two tanh units do it
# exactly: one computes OR, the other AND, and OR minus AND is XOR with the stored bit.
#
# - **Show**: **"sharp (gain 10)"**: every step right. **"leaking (gain 2.0)"**: the probability drifts
#   off 0 and 1 until the first mistake. **"no memory (gain 1)"**. Drag **sequence** to try other inputs.
# - **Say**: saturation is what makes the memory robust: each step snaps a slightly-off state back to $\pm 1$,
#   so errors are corrected instead of accumulating. The same weights run for any length (parameter sharing).
# - **Ask**: why does a *larger* gain make the memory *better* here, when saturation hurt in demo 1?

# %% slideshow={"slide_type": "subslide"}
demos.parity_demo(presenter=True)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3 · Gradient flow in backpropagation through time (lesson 02)
#
# Every loss term $E_t$ sends gradient back through every earlier copy of $W_h$. Left: how much each loss sends
# to each copy. Middle: the gradient of the last loss reaching each state. Right: each copy's share of
# $\partial E / \partial W_h$, full against truncated.
#
# - **Show**: **"vanishing (0.5)"** then **"edge (1.0)"**: the middle curve goes from a steep line to a flat
#   one. Then **"window k=6"** and **"chunk k=6"**: grey pairs are dropped; compare the error printed on the
#   right. Drag **truncate** from 1 to 24.
# - **Say**: with small singular values the far past gets almost no gradient, so truncating it costs almost
#   nothing; near 1 it gets a lot, and truncation throws real signal away. A window of $k$ keeps more than
#   chunks of $k$.
# - **Ask**: with chunks of 25 characters (as in min-char-rnn), can the model learn that a quote opened
#   40 characters ago must close?

# %% slideshow={"slide_type": "subslide"}
demos.bptt_demo(presenter=True)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4 · Spectral radius: vanishing or exploding (lesson 03)
#
# The gradient that survives $T - k$ steps back is a product of Jacobians
# $\prod \operatorname{diag}(f'(a_t))\, W_h^\top$. Left: its size against the lag, with the bound
# $(\gamma \lambda_1)^{\text{lag}}$; right: the eigenvalues of $W_h$ and the circle of the spectral radius.
#
# - **Show**: **"vanishing (0.8)"**, **"edge (1.0)"**, **"exploding (1.2)"** for a linear RNN: a straight
#   line down, flat, up. Then **"tanh saturates (1.5)"** against **"tanh, weak input (1.5)"**: the same
#   $W_h$, and the input alone decides.
# - **Say**: for a linear RNN the spectral radius decides everything. With tanh, a radius above 1 is only
#   *necessary* for exploding: strong inputs saturate the units, $f'$ becomes small, and the gradient
#   vanishes anyway.
# - **Ask**: why can't we just initialise $W_h$ with spectral radius exactly 1 and be done?

# %% slideshow={"slide_type": "subslide"}
demos.spectral_radius_demo(presenter=True)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5 · The cliff, and gradient clipping (lesson 03)
#
# One recurrent unit, two parameters $(w, b)$, a real loss surface with a wall. Three runs of gradient descent
# from the same start: no clipping, clipping the gradient's norm, clipping each entry.
#
# - **Show**: **"thrown off the cliff"**: one step on the wall throws the unclipped run out of the window,
#   while norm clipping walks down. **"big steps"** and **"tiny threshold"** (clipping too hard is just a
#   small learning rate). **"far from the wall"**: all three agree. Drag **w0** and **b0** to move the start.
# - **Say**: the gradient on the wall is huge but points the right way; clipping keeps the direction and
#   caps the length. Element-wise clipping changes the direction too.
# - **Ask**: norm clipping or value clipping: which one can make a step point somewhere the gradient does not?

# %% slideshow={"slide_type": "subslide"}
demos.cliff_demo(presenter=True)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Driving a demo from code
#
# Every demo is an object: keep it in a variable, and move it from a cell with `set`, which redraws once for
# several controls. This is how to script a demo in a talk, or to show one where widgets are not available
# (a static export shows the figure at the values set last). `demo.values` holds the current values and
# `demo.latencies` the time each redraw took.

# %% slideshow={"slide_type": "subslide"}
cliff = demos.cliff_demo(presenter=True)
cliff.set(threshold=0.05, lr=1.0)
print(cliff)  # the values it shows now
cliff

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - One line per idea: `demos.<name>_demo(presenter=True)`, with presets for the moments that matter.
# - The memory of an RNN is its hidden state; the singular values of $W_h$ decide whether it fades, persists
#   or saturates (demo 1), and saturation, used on purpose, makes a memory robust (demo 2).
# - The same numbers decide how far gradient travels back, and so what truncating BPTT costs (demo 3) and
#   whether gradients vanish or explode (demo 4).
# - Exploding gradients are a cliff in the loss surface; clipping the norm walks down it (demo 5).
#
# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Questions for the room
#
# 1. In demo 1, the scale is exactly 1 and the net is linear instead of tanh. What happens to the pulse?
# 2. In demo 3, why does the *last* loss $E_T$ send almost nothing to $h_1$ at scale 0.5, while $E_2$
#    sends plenty to $h_1$?
# 3. In demo 4 (linear, radius 1.2), by roughly what factor has the gradient grown after 50 steps?
# 4. In demo 5, the unclipped run and the norm-clipped run take the same first steps. Why?
#
# <details>
# <summary>Answers</summary>
#
# 1. $W_h$ is orthogonal times 1, so it preserves length: the pulse's trace keeps its norm forever (it rotates
#    among the units). A linear RNN at the edge neither forgets nor saturates, but it cannot compute
#    non-linear functions of its history either.
# 2. The gradient from $E_T$ to $h_1$ crosses $T - 1$ Jacobians, each shrinking it by about 0.5 (times
#    $\tanh'$); from $E_2$ it crosses only one.
# 3. About $1.2^{50} \approx 9 \times 10^3$: for a linear RNN the spectral radius is the per-step growth
#    factor in the long run.
# 4. Clipping only acts when the gradient's norm exceeds the threshold; on the plateau it is small, so both
#    runs take the same steps until one of them reaches the wall.
#
# </details>

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## References
#
# - R. Pascanu, T. Mikolov, Y. Bengio, *On the difficulty of training recurrent neural networks*, ICML 2013
#   (the cliff, norm clipping, the spectral-radius conditions).
# - Y. Bengio, P. Simard, P. Frasconi, *Learning long-term dependencies with gradient descent is difficult*,
#   IEEE Trans. Neural Networks 1994.
# - R. J. Williams, J. Peng, *An efficient gradient-based algorithm for on-line training of recurrent network
#   trajectories*, Neural Computation 1990 (truncated BPTT).
# - A. Karpathy, *min-char-rnn.py* (2015): truncated BPTT in chunks of 25 characters.
# - The lessons of this course: `notebooks/01_*` to `notebooks/03_*`.
