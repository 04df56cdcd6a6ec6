# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "skip"} tags=["colab"]
# **[Open in Colab](https://colab.research.google.com/github/rnn-course/rnn-course/blob/main/notebooks/01_sequences_and_unrolling.ipynb)**: run this notebook in Google Colab, nothing to install.

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
# # 01 · Sequences and unrolling
#
# **What you will learn**
# - why a feed-forward net with a fixed-size input cannot model sequences, shown on a task where it is
#   provably at chance;
# - the recurrence $h_t = \tanh(x_t W_x + h_{t-1} W_h + b)$, the initial state $h_0$, and why $h_t$ is a memory;
# - unrolling: the computation graph for any length, and what *parameter sharing* buys (counted);
# - a forward pass by hand on tiny numbers, then vectorised, and the two agreeing;
# - the input/output patterns (one-to-many, many-to-one, ...) with a runnable example of each;
# - the activations (sigmoid, tanh, ReLU, softmax) and their slopes;
# - what the hidden state does over time, and a two-unit RNN, built by hand, that remembers.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: today, what an RNN computes: the recurrence, the unrolled graph, a forward pass by hand, and a
#   two-unit RNN that keeps one bit for 2000 steps. Nothing is trained today; lesson 02 does that.
# - **Ask**: name a task where the answer at step $t$ depends on something seen 100 steps earlier.
# - **Answer**: closing a bracket opened 100 characters ago, agreement between a subject and a verb far apart,
#   a sensor alarm after a slow drift; today's example is the parity of a bit stream.

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Prerequisites**: lesson 00 (notation); NumPy; matrix products; what a feed-forward layer computes.
#
# **Time**: 60–75 minutes.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: lesson 00's notation is all you need: rows times weights, $x_t W_x + h_{t-1} W_h + b$, batch-first
#   arrays of shape (N, T, D).
# - **Ask**: what shape is the hidden state of a batch of 8 sequences in an RNN of 16 units, at one step?
# - **Answer**: (8, 16), that is (N, H); all steps together are (N, T, H).

# %% slideshow={"slide_type": "skip"}
# %matplotlib inline
import math

import numpy as np

from rnn_course import rnn_forward, rnn_step_forward, sigmoid, softmax, use_blas_threads
from rnn_course.activations import relu_grad, sigmoid_grad_from_output, tanh_grad_from_output
from rnn_course.demos import hidden_state_demo, parity_demo
from rnn_course.handbuilt import parity_rnn
from rnn_course.init import init_cell_params, orthogonal
from rnn_course.layers import affine_forward, temporal_affine_forward
from rnn_course.plots import (
    new_figure,
    plot_activations,
    plot_hidden_states,
    plot_io_patterns,
    plot_memory_task,
    plot_softmax,
    plot_unrolled,
)
from rnn_course.tasks.parity import parity_accuracy, parity_batch, window_lookup_baseline

# One BLAS thread for numpy's matrix products: an RNN multiplies small matrices one step at a time,
# and a second thread costs more than it saves (the docstring of rnn_course.blas says why).
use_blas_threads(1)

np.set_printoptions(precision=4, suppress=True)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Why not a feed-forward net?
#
# A feed-forward net takes an input of a **fixed size** and gives every input position its own weights.
# Sequences break both assumptions:
#
# - **lengths vary**: a review has 12 words, the next one 300;
# - **what matters can be anywhere**: "not" changes the meaning of "good" whether it is word 2 or word 40, and
#   a net with a weight per position has to learn that separately for every position;
# - **the answer can depend on the whole history**, however long.
#
# The usual patch is a sliding **window**: feed the last $w$ inputs. Here is a task where that fails
# completely, whatever net you put on the window.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: a feed-forward net wants a fixed-size input with a weight per position; sequences have neither a fixed
#   length nor a fixed place for what matters. A sliding window is the usual patch.
# - **Ask**: a sentiment model with a window of the last 5 words reads "I did not think, after all the hype and the
#   reviews, that it was good". What does it see?
# - **Answer**: "reviews, that it was good", without the "not": the word that decides is outside the window.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Running parity
#
# Read a stream of bits; after every bit, say whether the number of 1s so far is **odd**.
#
# | bits $x_t$ | 1 | 0 | 1 | 1 | 0 | 1 |
# |---|---|---|---|---|---|---|
# | parity so far $y_t$ | 1 | 1 | 0 | 1 | 1 | 0 |
#
# A model that sees the last $w$ bits computes *some* function of them. The best such function on data is a
# lookup table: for each of the $2^w$ window patterns, the most frequent answer. We fit that table on 2000
# training sequences and test it on fresh ones.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: running parity: after every bit, is the number of 1s so far odd? The best any model of the last $w$ bits
#   can do is a lookup table of the most frequent answer per window pattern, so we fit exactly that.
# - **Ask**: before the numbers: how well will a table on the last 8 bits do at step 30?
# - **Answer**: at chance, 50%: the next slide shows it for every window size.

# %% slideshow={"slide_type": "subslide"}
x_train, y_train = parity_batch(2000, 40, rng=0)
x_test, y_test = parity_batch(1000, 40, rng=1)

print(" window w | accuracy at steps t <= w | at step t = w | at steps t > w")
window_curves = {}
window_inside, window_outside = {}, {}
for w in (1, 4, 8, 12):
    pred = window_lookup_baseline(x_train, y_train, x_test, window=w)
    window_curves[w] = (pred == y_test).mean(axis=0)  # accuracy at each step; index t-1 is step t
    window_inside[w] = parity_accuracy(pred[:, :w], y_test[:, :w])
    window_outside[w] = parity_accuracy(pred[:, w:], y_test[:, w:])
    print(f"{w:9d} | {window_inside[w]:24.3f} | {window_curves[w][w - 1]:13.3f} | {window_outside[w]:14.3f}")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the last column: after the window, every table is at 0.50, up to sampling noise (asserted within
#   0.01), for $w$ = 1, 4, 8 and 12 alike. Inside the window the small tables are perfect.
# - **Ask**: why does the table on 12 bits already slip at $t = 12$ (0.66 in the table), where the whole prefix
#   still fits in its window?
# - **Answer**: the table does not know the step: the same 12-bit pattern also occurs at every later step, where
#   it says nothing about the parity, and those examples outvote the few from step 12.

# %% slideshow={"slide_type": "skip"}
for w in (1, 4, 8, 12):
    assert abs(window_outside[w] - 0.5) < 0.01  # after the window: chance, for every w
    assert np.all(np.abs(window_curves[w][w:] - 0.5) < 0.06)  # ... at every single step (1000 test sequences)
assert window_inside[1] == window_inside[4] == 1.0  # small tables: the whole prefix fits, all right
assert window_curves[8][7] < 0.9 and window_curves[12][11] < 0.75  # large tables slip already at t = w
assert abs(window_curves[12][11] - 0.66) < 0.01  # "0.66 in the table" (notes)

# %% [markdown] slideshow={"slide_type": "subslide"}
# From step $w+1$ on the table is at **chance**, 50% up to sampling noise, for every window size: the bits that fell
# out of the window flip the answer with probability ½, and nothing in the window says how. Before that the window holds the whole
# prefix, so the answer is in it, and the small tables get it right. The larger ones already slip at $t = w$: a
# table sees only the $w$ bits, not the step, and the same pattern occurs at every later step, where it says
# nothing about the parity; with $2^{12}$ patterns the few examples from the first steps no longer outvote the rest.
# A net that keeps **one bit of state** and updates it at every step solves the task for any length. That net is a
# recurrent net; at the end of this lesson we build it by hand.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the bits that left the window flip the answer with probability one half, and nothing inside the window
#   says how: that is why it is exactly chance, not "a bit worse". One bit of state, updated at every step, solves
#   it for any length.
# - **Ask**: what would that one bit of state store?
# - **Answer**: the parity so far; each new 1 flips it, each 0 leaves it. Section 8 builds this as an RNN.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The recurrence
#
# A recurrent net reads the sequence one step at a time and carries a **hidden state** $h_t$ from step to step:
#
# $$
# \begin{aligned}
# a_t &= x_t W_x + h_{t-1} W_h + b, \qquad h_t = \tanh(a_t), \qquad t = 1, \dots, T,\\
# \hat y_t &= \operatorname{softmax}\!\left(h_t W_y + b_y\right),
# \end{aligned}
# $$
#
# starting from a given **initial state** $h_0$, usually $h_0 = 0$ (section 8 shows what another $h_0$ means).
#
# - $h_t$ depends on $x_t$ and on $h_{t-1}$, which depends on $x_{t-1}$ and $h_{t-2}$, and so on: $h_t$ is a
#   (lossy, fixed-size) **summary of everything read so far**. That is the memory.
# - The same function, with the same weights, is applied at every step, so the net handles any length.
# - The output $\hat y_t$ reads the state; whether you use it at every step or only at the end depends on the task
#   (section 5).

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: one line carries the idea: $h_t$ is computed from the new input and the previous state, with the same
#   $W_x, W_h, b$ at every step. Unfold $h_{t-1}$ and you see every earlier input inside $h_t$: the state is a
#   fixed-size summary of the whole past.
# - **Ask**: where in this equation does the net remember anything?
# - **Answer**: only in $h_{t-1} W_h$: remove that term and each $h_t$ depends on $x_t$ alone, a feed-forward net
#   applied step by step.

# %% [markdown] slideshow={"slide_type": "subslide"}
# The whole idea, as code: one step is one line, and a sequence is a loop over the steps. Time runs $1..T$ in the
# maths but arrays count from 0, so `x[:, 0]` is $x_1$ and `h[:, t-1]` is $h_t$; $h_0$ is the separate argument
# `h0` (`None` means zeros).

# %%
def rnn_step(x_t, h_prev, Wx, Wh, b):
    """x_t (N, D), h_prev (N, H) -> h_t (N, H)."""
    return np.tanh(x_t @ Wx + h_prev @ Wh + b)


def rnn_sequence(x, h0, Wx, Wh, b):
    """x (N, T, D), h0 (N, H) -> h (N, T, H): every hidden state."""
    h, states = h0, []
    for t in range(x.shape[1]):
        h = rnn_step(x[:, t], h, Wx, Wh, b)
        states.append(h)
    return np.stack(states, axis=1)


# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the step is one line, `np.tanh(x_t @ Wx + h_prev @ Wh + b)`; the sequence is a loop that feeds each
#   new state into the next step and keeps every state.
# - **Ask**: the maths counts $t = 1..T$, the array from 0. Which array entry holds $h_3$?
# - **Answer**: `h[:, 2]`; in general `h[:, t-1]` is $h_t$, and $h_0$ is the separate argument `h0`.

# %% slideshow={"slide_type": "subslide"}
rng = np.random.default_rng(0)
N, T, D, H = 2, 5, 3, 4
x = rng.standard_normal((N, T, D))
params = init_cell_params(D, H, rng=rng)  # Wx (D, H), Wh (H, H), b (H,)
h_loop = rnn_sequence(x, np.zeros((N, H)), **params)
h_package, _ = rnn_forward(x, None, **params)  # the package's version (it also keeps a cache for lesson 02)
print("h has shape", h_loop.shape, "; largest difference from rnn_forward:", np.abs(h_loop - h_package).max())

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: 2 sequences of 5 steps, 3 inputs, 4 units: `h` is (2, 5, 4), and the loop equals the package's
#   `rnn_forward` (asserted to within $10^{-14}$).
# - **Ask**: with $h_0 = 0$, what is $h_1$?
# - **Answer**: $\tanh(x_1 W_x + b)$: $h_0 W_h = 0$ (the skipped cell asserts it).

# %% slideshow={"slide_type": "skip"}
assert h_loop.shape == (N, T, H) and np.abs(h_loop - h_package).max() < 1e-14
assert np.allclose(h_loop[:, 0], np.tanh(x[:, 0] @ params["Wx"] + params["b"]))  # h[:, 0] is h_1: h_0 W_h = 0

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Unrolling
#
# Draw the loop once per time step and you get an ordinary feed-forward graph, $T$ layers deep, in which every
# layer has the **same** weights. This *unrolled* graph is what the forward pass computes and what the backward
# pass (lesson 02) differentiates.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: unrolling is a drawing, not a new model: the loop, copied once per step. The result is a deep
#   feed-forward graph whose layers all share one set of weights.
# - **Ask**: how deep is the unrolled graph of a sentence of 40 words?
# - **Answer**: 40 layers, one per step, all with the same $W_x, W_h, b$.

# %% slideshow={"slide_type": "subslide"}
plot_unrolled(4)

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: left the loop, right the same cell copied four times; $h_0$ (dashed) comes in from the left, and every
#   copy has the same $W_x$, $W_h$, $W_y$.
# - **Ask**: which arrow is the memory?
# - **Answer**: the horizontal ones, $h_{t-1} \to h_t$ through $W_h$: the only path from an early input to a later
#   output.

# %% [markdown] slideshow={"slide_type": "subslide"}
# The same drawing works for any length; long sequences are drawn with the middle elided.

# %%
plot_unrolled(60, max_steps=8, outputs="last", title="Unrolled over T = 60 steps, one output at the end")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the same drawing for 60 steps and one output at the end; the dots stand for the copies in between.
# - **Ask**: the output reads only $h_{60}$. How does $x_1$ reach it?
# - **Answer**: through all 59 horizontal arrows, $h_1 \to h_2 \to \dots \to h_{60}$; that long path is what
#   lessons 02 and 03 differentiate and find hard.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Parameter sharing, counted
#
# A character-level model (65 characters in and out, 128 hidden units) has one $W_x, W_h, b, W_y, b_y$. A
# feed-forward net with the same unrolled shape but **separate weights at every step** needs a copy per step,
# and cannot read a sequence longer than the one it was built for.

# %% tags=["fit-output"]
D = V = 65
H = 128
shared = {**init_cell_params(D, H, rng=0), "Wy": np.zeros((H, V)), "by": np.zeros(V)}
n_shared = sum(p.size for p in shared.values())
print("shared parameters:", {name: p.shape for name, p in shared.items()})
print(f"{'T':>6} | {'RNN (shared)':>13} | {'separate weights per step':>26}")
for T_len in (10, 100, 1000):
    print(f"{T_len:>6} | {n_shared:>13,} | {T_len * n_shared:>26,}")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: 33,217 parameters whatever the length (asserted: $DH + H^2 + H + HV + V$, no $T$ in it); separate
#   weights per step would need $T$ times that, 33 million for 1000 steps.
# - **Ask**: which of the five arrays is the largest here, and why?
# - **Answer**: $W_h$, 128 by 128 = 16,384 entries: it grows with $H^2$, the others with $H$ times 65.

# %% slideshow={"slide_type": "skip"}
assert n_shared == D * H + H * H + H + H * V + V  # independent of T
assert n_shared == 33_217 and 1000 * n_shared > 33e6  # the notes' numbers
assert max(shared, key=lambda name: shared[name].size) == "Wh" and shared["Wh"].size == 16_384  # the largest array

# %% [markdown] slideshow={"slide_type": "subslide"}
# Sharing also means that whatever the net learns about reading a character at step 3 it knows at step 300: one
# set of weights, trained on every position. (This is the sequence version of what a convolution does for images.)

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: sharing is also what lets a net generalise across positions: what it learns at step 3 applies at step
#   300.
# - **Ask**: what does a convolution share, and across what?
# - **Answer**: one filter, applied at every position of an image; an RNN shares one cell across every step.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. A forward pass by hand
#
# Tiny numbers: $T = 3$ steps, $D = 2$ inputs, $H = 2$ hidden units, $V = 2$ classes, and $h_0 = 0$.
# First with plain Python, one multiplication at a time, so every number can be followed.

# %%
x_hand = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]  # x_1, x_2, x_3
Wx_hand = [[0.5, -0.5], [0.25, 0.75]]  # (D, H)
Wh_hand = [[0.5, 0.0], [-0.25, 0.5]]  # (H, H)
b_hand = [0.0, 0.1]
Wy_hand = [[1.0, -1.0], [0.5, 0.5]]  # (H, V)
by_hand = [0.0, 0.0]

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: numbers small enough to follow with a pencil; every entry of $W_x$, $W_h$, $W_y$ is a multiple of 0.25.
# - **Ask**: before we run it: what is $a_1$, the first pre-activation? ($x_1 = (1, 0)$, $h_0 = 0$.)
# - **Answer**: $x_1 W_x + b$ = the first row of $W_x$ plus $b$ = $(0.5, -0.5) + (0, 0.1) = (0.5, -0.4)$: the next
#   slide prints it.

# %% slideshow={"slide_type": "subslide"} tags=["split-output", "fit-output"]
h_prev = [0.0, 0.0]
hand_h, hand_p = [], []
for t, x_t in enumerate(x_hand, start=1):
    a = [sum(x_t[i] * Wx_hand[i][j] for i in range(2)) + sum(h_prev[i] * Wh_hand[i][j] for i in range(2)) + b_hand[j]
         for j in range(2)]
    h = [math.tanh(v) for v in a]
    z = [sum(h[i] * Wy_hand[i][k] for i in range(2)) + by_hand[k] for k in range(2)]
    p = [math.exp(v - max(z)) / sum(math.exp(u - max(z)) for u in z) for v in z]
    if t == 1:
        print("a_1[0] = x_1[0]*Wx[0][0] + x_1[1]*Wx[1][0] + h_0[0]*Wh[0][0] + h_0[1]*Wh[1][0] + b[0]")
        print(f"       = {x_t[0]}*{Wx_hand[0][0]} + {x_t[1]}*{Wx_hand[1][0]} + 0*{Wh_hand[0][0]} "
              f"+ 0*({Wh_hand[1][0]}) + {b_hand[0]} = {a[0]}")
    print(f"t={t}: a = [{a[0]:+.4f}, {a[1]:+.4f}]  h = tanh(a) = [{h[0]:+.4f}, {h[1]:+.4f}]  "
          f"z = [{z[0]:+.4f}, {z[1]:+.4f}]  y_hat = [{p[0]:.4f}, {p[1]:.4f}]")
    hand_h.append(h)
    hand_p.append(p)
    h_prev = h

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the first line spells out $a_1[0]$ term by term; then each step's $a_t$, $h_t = \tanh(a_t)$, the
#   scores $z_t$ and the probabilities $\hat y_t$.
# - **Ask**: at $t = 2$ the input is $(0, 1)$. Where does $h_1$ come in?
# - **Answer**: in $h_1 W_h$, added to $x_2 W_x + b$: that is why $a_2$ is not just the second row of $W_x$ plus
#   $b$.

# %% [markdown] slideshow={"slide_type": "subslide"}
# Now the same thing vectorised, with the package: a batch of one sequence, all steps at once. Only the
# recurrence $h_{t-1} W_h$ has to be sequential; the input projections $x_t W_x$ of all steps are one matrix
# product, and so are the outputs.

# %%
h_vec, _ = rnn_forward(np.array([x_hand]), None, np.array(Wx_hand), np.array(Wh_hand), np.array(b_hand))
z_vec, _ = temporal_affine_forward(h_vec, np.array(Wy_hand), np.array(by_hand))
p_vec = softmax(z_vec, axis=-1)
print("h, vectorised:\n", h_vec[0])
print("y_hat, vectorised:\n", p_vec[0])
hand_vs_vectorised = max(np.abs(h_vec[0] - np.array(hand_h)).max(), np.abs(p_vec[0] - np.array(hand_p)).max())
print("largest difference from the hand computation:", hand_vs_vectorised)

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the same numbers from three array operations; the difference from the hand loop is at rounding level
#   (asserted below $10^{-14}$).
# - **Ask**: which part cannot be vectorised over time, and why?
# - **Answer**: the recurrence $h_{t-1} W_h$: step $t$ needs the state of step $t-1$. The input projections and the
#   outputs of all steps are each one matrix product.

# %% slideshow={"slide_type": "skip"}
assert hand_vs_vectorised < 1e-14
assert all(np.all(np.array(W) % 0.25 == 0) for W in (Wx_hand, Wh_hand, Wy_hand))  # multiples of 0.25 (notes)
assert np.allclose(np.arctanh(hand_h[0]), [0.5, -0.4])  # a_1 = (0.5, -0.4), as the notes answer

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Input/output patterns
#
# Which states you read out, and where inputs go in, decides what the net can do.

# %%
plot_io_patterns()

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: five shapes, one cell: what differs is where the inputs go in and which states are read out.
# - **Ask**: which pattern is each of these: spam or not for an e-mail; a caption for a photo; part-of-speech tags
#   for every word; translating a sentence?
# - **Answer**: many-to-one; one-to-many; synced many-to-many; delayed many-to-many (encoder-decoder).

# %% [markdown] slideshow={"slide_type": "subslide"}
# A runnable example of each shape, with random weights (what matters here is what goes in and what comes out).

# %%
rng = np.random.default_rng(2)
N, T, D, H, V = 4, 6, 5, 8, 3
p_rnn = init_cell_params(D, H, rng=rng)
Wy, by = 0.5 * rng.standard_normal((H, V)), np.zeros(V)
x = rng.standard_normal((N, T, D))
h, _ = rnn_forward(x, None, **p_rnn)  # (N, T, H): one state per step

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: one RNN for all the examples: 4 sequences of 6 steps, 5 inputs, 8 units, 3 classes; `h` holds every
#   state, (N, T, H) = (4, 6, 8).
# - **Ask**: which slice of `h` is the state after the last step of every sequence?
# - **Answer**: `h[:, -1]`, shape (4, 8), as long as no sequence is padded (the slide after next).

# %% slideshow={"slide_type": "subslide"}
# one-to-one: a single input, a single output; nothing recurs (an ordinary classifier)
one_to_one, _ = affine_forward(x[:, 0], 0.5 * rng.standard_normal((D, V)), by)

# many-to-one (sentiment): read everything, answer once, from the FINAL state
many_to_one, _ = affine_forward(h[:, -1], Wy, by)

# synced many-to-many (tagging, video frames): an answer at EVERY step, from every state
synced, _ = temporal_affine_forward(h, Wy, by)
for name, out in [("one-to-one", one_to_one), ("many-to-one", many_to_one), ("many-to-many, synced", synced)]:
    print(f"{name:22s} scores of shape {out.shape}")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the shapes: one answer per sequence, (4, 3), from one input or from the final state; one answer per
#   step, (4, 6, 3), from every state.
# - **Ask**: many-to-one and one-to-one give the same shape. What is the difference?
# - **Answer**: many-to-one's answer comes from $h_T$, which has read all 6 steps; one-to-one sees only $x_1$.

# %% slideshow={"slide_type": "subslide"}
# one-to-many (captioning, music): one input sets h_0, then each output is fed back as the next input
image_features = rng.standard_normal((N, 16))
h_t = np.tanh(image_features @ (0.3 * rng.standard_normal((16, H))))  # h_0 from the image
W_feedback = 0.5 * rng.standard_normal((V, H))
token, generated = np.zeros((N, V)), []
for _ in range(T):
    h_t, _ = rnn_step_forward(token, h_t, W_feedback, p_rnn["Wh"], p_rnn["b"])
    scores = h_t @ Wy + by
    generated.append(scores)
    token = np.eye(V)[scores.argmax(axis=1)]  # the chosen output becomes the next input
one_to_many = np.stack(generated, axis=1)

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: one-to-many: the image sets $h_0$, and from then on each output, turned into a one-hot token, is the
#   next input. Nothing else comes in.
# - **Ask**: why does the loop call `rnn_step_forward` step by step instead of `rnn_forward` on a whole sequence?
# - **Answer**: the input at step $t+1$ is the output of step $t$; it does not exist before step $t$ has run.

# %% slideshow={"slide_type": "subslide"}
# delayed many-to-many (translation): an encoder reads everything, its final state starts a decoder
p_dec = init_cell_params(V, H, rng=rng)
T_out = 4
decoder_inputs = np.zeros((N, T_out, V))  # while training: the previous target tokens (lesson 07)
h_dec, _ = rnn_forward(decoder_inputs, h[:, -1], **p_dec)
delayed, _ = temporal_affine_forward(h_dec, Wy, by)

for name, out in [("one-to-many", one_to_many), ("many-to-many, delayed", delayed)]:
    print(f"{name:22s} scores of shape {out.shape}")

# %% slideshow={"slide_type": "skip"}
assert h.shape == (4, 6, 8) and one_to_one.shape == many_to_one.shape == (4, 3)  # the shapes the notes give
assert synced.shape == one_to_many.shape == (4, 6, 3) and delayed.shape == (4, 4, 3)

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: delayed many-to-many: the encoder reads all 6 input steps, and its final state is the decoder's $h_0$;
#   the decoder writes 4 outputs. Input and output lengths are independent.
# - **Ask**: everything the decoder knows about the input passes through one vector. Which one, and how big?
# - **Answer**: the encoder's final state `h[:, -1]`, 8 numbers per sequence: the bottleneck of lesson 07.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The final state or every state?
#
# - **Every state** $h_1..h_T$ when there is an answer per step (tagging, language models).
# - **The final state** $h_T$ when there is one answer per sequence: it is the only state that has read
#   everything. With sequences of different lengths padded to one $T$, "final" means each sequence's *own* last
#   step, not index $T-1$ (padding would otherwise be read as input):

# %%
lengths = np.array([6, 3, 5, 1])
final_states = h[np.arange(N), lengths - 1]  # (N, H): h at each sequence's own last step
print("final state of sequence 1 is h at step", lengths[1], "->", final_states[1][:4], "...")
print("mean of the states instead (another common summary):", h[1, : lengths[1]].mean(axis=0)[:4], "...")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: one answer per sequence comes from the final state, and with padding "final" means each sequence's own
#   last step: `h[np.arange(N), lengths - 1]`.
# - **Ask**: sequence 3 has length 1, padded to 6. What has `h[3, -1]` read?
# - **Answer**: its one real input and five steps of padding; its own final state is `h[3, 0]`.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Activations and softmax
#
# The nonlinearity squashes each unit's input $a$. Its **slope** matters as much as its shape: backpropagation
# multiplies by it once per step (lesson 02), so a slope below 1 at every step shrinks the gradient geometrically
# (lesson 03).

# %%
plot_activations()

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: look at the dashed slopes as much as the curves: backpropagation multiplies by the slope once per step.
# - **Ask**: which of the three has the smallest largest slope, and what is it?
# - **Answer**: the sigmoid, $\tfrac14$ at $a = 0$ (asserted); tanh's is 1 at $a = 0$; ReLU's is exactly 1 wherever
#   it is active.

# %% [markdown] slideshow={"slide_type": "subslide"}
# - **tanh** (the RNN default): outputs in $(-1, 1)$, centred at 0, slope at most 1.
# - **sigmoid**: outputs in $(0, 1)$, used for gates in lesson 04; slope at most ¼.
# - **ReLU**: unbounded, slope exactly 1 where active; with $W_h$ near the identity it can carry information far
#   (the IRNN of lesson 03), but nothing stops it from growing.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: tanh is the RNN default, bounded and centred; the sigmoid's $(0, 1)$ range makes it a gate (lesson 04);
#   ReLU never squashes where it is active, which carries information far and also lets it grow without bound.
# - **Ask**: a gradient passes back through 20 tanh units, each at its steepest point. At most how much of it is
#   left from the slopes alone? And through 20 sigmoids?
# - **Answer**: $1^{20} = 1$ for tanh (the weights decide the rest); at most $0.25^{20} \approx 10^{-12}$ for the
#   sigmoid.

# %% slideshow={"slide_type": "skip"}
a_grid = np.linspace(-8, 8, 16_001)  # includes a = 0, where tanh and the sigmoid are steepest
assert np.isclose(tanh_grad_from_output(np.tanh(a_grid)).max(), 1.0) and np.abs(np.tanh(a_grid)).max() < 1
assert np.isclose(sigmoid_grad_from_output(sigmoid(a_grid)).max(), 0.25) and 0 < sigmoid(a_grid).min()
assert np.all(relu_grad(a_grid[a_grid > 0]) == 1.0)
assert 0.5e-12 < sigmoid_grad_from_output(sigmoid(a_grid)).max() ** 20 < 2e-12  # 20 sigmoids: about 1e-12 (notes)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Softmax
#
# $\operatorname{softmax}(z)_i = e^{z_i} / \sum_j e^{z_j}$ turns $V$ scores into probabilities. Subtracting
# $\max_j z_j$ first changes nothing mathematically and keeps $e^{z}$ from overflowing:

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: softmax turns $V$ scores into probabilities: exponentiate, then divide by the sum.
# - **Ask**: why exponentiate, rather than divide the scores by their sum?
# - **Answer**: scores can be negative or sum to zero; $e^{z}$ is always positive, and larger scores get
#   disproportionately more probability.

# %% slideshow={"slide_type": "subslide"} tags=["remove-input"]
plot_softmax([2.0, 1.0, 0.1, -1.0], labels=["the", "cat", "sat", "on"])

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: four scores, four probabilities that sum to 1; the order is kept, the differences are exaggerated.
# - **Ask**: add 100 to every score. What happens to the probabilities?
# - **Answer**: nothing: $e^{z_i + c} / \sum_j e^{z_j + c}$, the $e^c$ cancels. That is why subtracting the maximum
#   is safe.

# %% slideshow={"slide_type": "subslide"}
z_big = np.array([1000.0, 999.0, 0.0])
with np.errstate(over="ignore", invalid="ignore"):
    naive = np.exp(z_big) / np.exp(z_big).sum()
print("naive softmax of", z_big, "->", naive)
print("stable softmax  ", z_big, "->", softmax(z_big))

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the naive formula gives NaN for scores of 1000 ($e^{1000}$ overflows to infinity, and infinity over
#   infinity is NaN); the stable one gives 0.73, 0.27 and 0.
# - **Ask**: why is the answer for scores (1000, 999, 0) the same as for (1, 0, -999)?
# - **Answer**: it is the same softmax with 999 subtracted from every score; only differences between scores count.

# %% slideshow={"slide_type": "skip"}
assert np.isnan(naive).any() and np.isclose(softmax(z_big).sum(), 1.0)
assert np.allclose(softmax(z_big), softmax(z_big - z_big.max()))  # subtracting the max changes nothing
assert np.allclose(softmax(z_big), [0.73, 0.27, 0.0], atol=0.005)  # "0.73, 0.27 and 0"
assert np.allclose(softmax(z_big), softmax(np.array([1.0, 0.0, -999.0])))  # the same as for (1, 0, -999)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Watch the hidden state
#
# A tanh RNN with 16 units reads one number per step. Its recurrent matrix is a random orthogonal matrix times a
# **scale**, so every singular value of $W_h$ equals the scale. Drag the step slider to run the net forward; change
# the scale and watch what happens to the trace of the first input (the *pulse* input is a single 1 at $t = 1$).
#
# Below 1 the state **fades** geometrically: the net forgets. Above 1 it is amplified until tanh **saturates**:
# the state no longer fades, but it is no longer a faithful record of the input either.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: 16 tanh units, one input per step, and $W_h$ an orthogonal matrix times a scale, so the scale is every
#   singular value of $W_h$. The input is a single pulse at $t = 1$; everything after that is the net's memory of it.
# - **Ask**: before the demo: with scale 0.6, what happens to the pulse's trace step by step?
# - **Answer**: it shrinks by a factor of about 0.6 per step: after 40 steps it is gone.

# %% slideshow={"slide_type": "subslide"}
hidden_state_demo()

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: in JupyterLab, drag the step slider to run the net forward, then move the scale below and above 1 and
#   switch the input; the bottom panel shows $\|h_t\|$ on a log axis.
# - **Ask**: at scale 1.6 the trace does not fade. Is that a good memory?
# - **Answer**: no: the state is amplified until tanh saturates, and a saturated state no longer records what the
#   input was, only that there was one.

# %% [markdown] slideshow={"slide_type": "subslide"}
# The same comparison as a still figure (this is also what the demo shows when widgets are not available):

# %% tags=["remove-input"]
fig, axes = new_figure(figsize=(12, 3.4), ncols=3, sharey=True)
pulse = np.zeros((1, 40, 1))
pulse[0, 0, 0] = 1.0
rng = np.random.default_rng(0)
Q, Wx_pulse = orthogonal((16, 16), rng=rng), rng.standard_normal((1, 16))
for ax, scale in zip(axes, (0.6, 1.0, 1.6), strict=True):
    h_pulse, _ = rnn_forward(pulse, None, Wx_pulse, scale * Q, np.zeros(16))
    plot_hidden_states(h_pulse[0], ax=ax, colorbar=False,
                       title=f"scale {scale}: $|h_{{40}}|$ = {np.linalg.norm(h_pulse[0, -1]):.2g}")
fig.colorbar(axes[0].images[0], ax=list(axes), label="$h_t$ (unitless)", fraction=0.03, pad=0.02)
fig.suptitle("The trace of one input pulse at t = 1, for three scales of $W_h$")
fig

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: three scales side by side; each panel's title gives $|h_{40}|$.
# - **Say**: at 0.6 the pulse fades geometrically, to a few times $10^{-9}$ after 40 steps (asserted, against
#   $0.6^{39}$); at 1.6 it grows and saturates: $|h_{40}|$ is larger than $|h_1|$, and the units reach $\pm 0.9$ and
#   beyond.
# - **Ask**: which scale gives a memory that neither fades nor saturates?
# - **Answer**: about 1, the knife edge: lesson 03 shows how narrow it is.

# %% slideshow={"slide_type": "skip"}
pulse_norms = {scale: np.linalg.norm(rnn_forward(pulse, None, Wx_pulse, scale * Q, np.zeros(16))[0][0], axis=1)
               for scale in (0.6, 1.6)}  # |h_t| for t = 1..40, as in the figure
pulse_peak = np.abs(rnn_forward(pulse, None, Wx_pulse, 1.6 * Q, np.zeros(16))[0]).max()
fade = pulse_norms[0.6]
assert fade[-1] <= 0.6**39 * fade[0] and fade[-1] > 0.1 * 0.6**39 * fade[0]  # ~0.6 per step: forgotten
assert 1e-9 < fade[-1] < 1e-8 and 0.5 < fade[0] < 5  # "a few times 1e-9", from |h_1| of order 1
assert pulse_norms[1.6][-1] > pulse_norms[1.6][0] and pulse_peak > 0.9  # above 1: persists and saturates

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. An RNN that remembers, built by hand
#
# Back to running parity. Two tanh units and the ordinary RNN cell are enough. Read a unit as a switch,
# $s = (h+1)/2 \in \{0, 1\}$; let the parity so far be $p_{t-1} = s_1 - s_2 = (h_1 - h_2)/2$ (0 at the start,
# since $h_0 = 0$). With a large gain $g$:
#
# $$
# h_{1,t} = \tanh\big(g\,(p_{t-1} + x_t - 0.5)\big) \;\;(\text{OR}), \qquad
# h_{2,t} = \tanh\big(g\,(p_{t-1} + x_t - 1.5)\big) \;\;(\text{AND}),
# $$
#
# and OR minus AND is XOR, so $p_t = (h_{1,t} - h_{2,t})/2 = p_{t-1} \oplus x_t$. In the course's layout that is
# just a choice of $W_x, W_h, b$:

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: two tanh units used as switches. Unit 1 fires when the parity so far plus the new bit is at least 1
#   (OR), unit 2 when it is 2 (AND); OR minus AND is XOR, the new parity.
# - **Ask**: the parity so far is 1 and the new bit is 1. What do the two units do, and what is the new parity?
# - **Answer**: $p + x - 0.5 = 1.5$ and $p + x - 1.5 = 0.5$ are both positive, so both units are on, $h \approx (1, 1)$,
#   and $p_t = (1 - 1)/2 = 0$: even.

# %% slideshow={"slide_type": "subslide"}
model = parity_rnn(gain=10.0)
print(model)
for name in ("Wx", "Wh", "b", "Wy", "by"):
    print(f"{name} =\n{getattr(model, name)}")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the equations become ordinary RNN weights at gain 10: `Wx` = (10, 10), `Wh` = $\pm 5$, `b` = (-5, -15),
#   and the read-out compares the two units.
# - **Ask**: why are the two rows of `Wh` $+5$ and $-5$?
# - **Answer**: the parity so far is $(h_1 - h_2)/2$, times the gain 10 gives $5 h_1 - 5 h_2$: unit 1's state enters
#   with $+5$, unit 2's with $-5$, for both units.

# %% [markdown] slideshow={"slide_type": "subslide"}
# Designed for one step, used for any number of steps (parameter sharing again): 100 sequences of 2000 bits.

# %%
x_long, y_long = parity_batch(100, 2000, rng=3)
long_accuracy = parity_accuracy(model.predict(x_long), y_long)
print(f"hand-built RNN, 2000-step sequences: {100 * long_accuracy:.2f}% of steps right")

# %% slideshow={"slide_type": "skip"}
assert long_accuracy == 1.0  # every one of the 200,000 steps

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: designed for one step, run for 2000: all 200,000 steps right (asserted), because the same weights
#   apply at every step.
# - **Ask**: the window tables were at chance after $w$ steps. What does this net have that they do not?
# - **Answer**: a state carried from step to step: one bit of parity, updated by every input.

# %% slideshow={"slide_type": "subslide"} tags=["remove-input"]
x_short, y_short = parity_batch(1, 40, rng=4)
h_short, p_short = model.run(x_short)
plot_memory_task(x_short[0, :, 0], h_short[0], p_short[0, :, 1], y_short[0], unit_names=model.unit_names,
                 input_label="bit $x_t$", target_label="parity so far", prob_label="P(odd)")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: top the bits, middle the two units (each a clean $\pm 1$ switch at every step), bottom P(odd) on the
#   true parity.
# - **Ask**: find a 1 in the input. What do the units do at that step?
# - **Answer**: the parity flips, so the pattern of the two units changes: OR on and AND off means odd, both the
#   same means even.

# %% [markdown] slideshow={"slide_type": "subslide"}
# Compare with the window models of section 1, step by step on the same test sequences:

# %% tags=["remove-input"]
rnn_curve = (model.predict(x_test) == y_test).mean(axis=0)
fig, ax = new_figure(figsize=(7.5, 3.4))
steps = np.arange(1, 41)
for w, curve in window_curves.items():
    ax.plot(steps, curve, label=f"best table on the last {w} bit{'s' if w > 1 else ''}")
ax.plot(steps, rnn_curve, "k-", lw=3, label="hand-built RNN (2 units)")
ax.axhline(0.5, color="#999999", ls=":")
ax.set_xlabel("time step t")
ax.set_ylabel("accuracy at step t (fraction)")
ax.set_ylim(0.3, 1.05)
ax.set_title("Running parity: a fixed window falls to chance, a recurrent state does not")
ax.legend(fontsize=8, loc="center right")
fig

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: each window table drops to the dotted chance line right after its window; the two-unit RNN is at 1
#   at every step of every test sequence (asserted).
# - **Ask**: how many parameters does the RNN have, against the table on 12 bits?
# - **Answer**: $W_x$ 2, $W_h$ 4, $b$ 2, $W_y$ 4, $b_y$ 2: 14 numbers, against $2^{12} = 4096$ table entries.

# %% slideshow={"slide_type": "skip"}
assert np.all(rnn_curve == 1.0)  # right at every step of every test sequence
assert np.abs(h_short).min() > 0.99  # the units are clean +-1 switches at every step (the figure's notes)
assert sum(getattr(model, name).size for name in ("Wx", "Wh", "b", "Wy", "by")) == 14 and 2**12 == 4096

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The initial state is the memory before the first input
#
# $h_0 = 0$ means $p_0 = (h_{1,0} - h_{2,0})/2 = 0$: "no 1s seen yet, even". Nothing forces that choice. Start the
# same net from $h_0 = (1, -1)$, which reads as $p_0 = 1$, and it computes the parity of the bits *plus one*: every
# answer flips.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: $h_0 = 0$ reads as "even so far"; nothing forces it. Start from $h_0 = (1, -1)$ and the net believes
#   it has already seen one 1.
# - **Ask**: before the output: what will the net answer on every test sequence?
# - **Answer**: the opposite of the true parity at every step: 100% equal to the flipped parity (asserted).

# %%
h0_odd = np.tile([1.0, -1.0], (len(x_test), 1))  # (N, H): every sequence starts "odd"
flipped = model.predict(x_test, h0=h0_odd)
print(f"from h_0 = 0: {100 * parity_accuracy(model.predict(x_test), y_test):.0f}% right; "
      f"from h_0 = (1, -1): {100 * parity_accuracy(flipped, 1 - y_test):.0f}% equal to the flipped parity")

# %% slideshow={"slide_type": "skip"}
assert np.array_equal(flipped, 1 - y_test)

# %% [markdown] slideshow={"slide_type": "fragment"}
# So $h_0$ is part of the model: the memory it has before reading anything. Here we set it by hand; when the right
# start is not 0, it can be **learned** like the weights (lesson 02 computes its gradient and measures when that
# helps).

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: from $h_0 = 0$ 100% right; from $h_0 = (1, -1)$ every answer is the flipped parity.
# - **Say**: $h_0$ is part of the model, the memory before the first input; lesson 02 learns it by gradient descent.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Why saturation matters
#
# Every step pushes a slightly-off state back to $\pm 1$: errors are *corrected* instead of accumulating. Lower the
# gain and the units stop acting as switches; the stored bit leaks away a little at every step. Try it (the
# "leaking" preset shows where the first mistakes appear):

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: saturation is what makes this memory robust: a state slightly off $\pm 1$ is pushed back at the next
#   step, so small errors never add up.
# - **Ask**: what would happen with linear units instead of tanh?
# - **Answer**: nothing would pull the state back to a clean bit: every small error would be carried, and added to,
#   at every step.

# %% slideshow={"slide_type": "subslide"}
parity_demo()

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: in JupyterLab, start at gain 10 (all right), then the "leaking" preset, then lower the gain until the
#   wrong-answer crosses appear and spread.
# - **Ask**: at which gain does the net start to make mistakes over 1000 steps?
# - **Answer**: the next slide measures it: below 2.3 (from 2.3 on every step is right).

# %% [markdown] slideshow={"slide_type": "subslide"}
# Measured: accuracy over 50 sequences of 1000 steps, as a function of the gain.

# %% slideshow={"slide_type": "skip"}
x_sweep, y_sweep = parity_batch(50, 1000, rng=5)
gains = np.round(np.arange(1.0, 4.01, 0.1), 2)
accuracy = np.array([parity_accuracy(parity_rnn(gain=g).predict(x_sweep), y_sweep) for g in gains])
threshold = gains[np.argmax(accuracy == 1.0)]
print(f"accuracy {accuracy[0]:.3f} at gain {gains[0]}, 100% from gain {threshold} on")
one_bit = np.ones((1, 1, 1))
after_one = {}
for g in (1.0, 10.0):
    h_one, p_one = parity_rnn(gain=g).run(one_bit)
    after_one[g] = (h_one[0, 0], p_one[0, 0, 1])
    print(f"gain {g:4}: after reading a single 1, h = {np.round(h_one[0, 0], 3)}, P(odd) = {p_one[0, 0, 1]:.3f}")

# %% slideshow={"slide_type": "skip"}
assert np.all(accuracy[gains >= threshold] == 1.0)  # perfect at every larger gain too
assert threshold == 2.3 and abs(accuracy[0] - 0.5) < 0.01  # from 2.3 on; chance at gain 1
assert np.isclose(after_one[1.0][0][0], np.tanh(0.5)) and after_one[1.0][1] < 0.5  # the OR unit only reaches 0.46
assert after_one[10.0][1] > 0.99
assert np.any((accuracy > 0.9) & (accuracy < 1.0))  # somewhat below 2.3 the bit is stored but leaks (answer 6)

# %% tags=["remove-input"]
fig, ax = new_figure(figsize=(6.5, 3.2))
ax.plot(gains, accuracy, "o-")
ax.axvline(threshold, color="#e6550d", ls="--", label=f"perfect from gain {threshold}")
ax.set_xlabel("gain g (unitless)")
ax.set_ylabel("accuracy (fraction of steps)")
ax.set_title("The hand-built memory works only when the units saturate")
ax.legend()
fig

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: accuracy over 50 sequences of 1000 steps: at chance (0.50) at gain 1, perfect from gain 2.3 on (both
#   asserted).
# - **Ask**: with gain 1 the weights have exactly the same pattern as with gain 10. Why does it fail?
# - **Answer**: the pre-activations are only about $\pm 0.5$, where tanh is nearly linear: after a single 1 the OR
#   unit reaches only $\tanh(0.5) \approx 0.46$, not 1, and nothing pushes the state back to a clean bit.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 9. Strengths and weaknesses
#
# | strengths | weaknesses |
# |---|---|
# | any length, with a **fixed number of parameters** | **sequential**: step $t$ waits for step $t-1$, so it is slow on long sequences and hard to parallelise |
# | **shared weights**: what is learned at one position applies at all | **long-range dependencies are hard to learn**: gradients vanish or explode over many steps (lesson 03), which is why LSTM and GRU exist (lesson 04) |
# | a **state** that summarises the whole history, of fixed size | that state is a **bottleneck**: everything must fit in H numbers (lesson 07) |
# | natural for streaming: one step per new input | a forward RNN has **no future context** at step $t$ (bidirectional RNNs, lesson 06, fix this when the whole input is available) |

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: each strength has its price: fixed parameters and shared weights, but sequential; a state for the
#   whole history, but a fixed-size one; and learning long dependencies is hard, which is lessons 03 and 04.
# - **Ask**: which weakness did today's parity net not suffer from, and why not?
# - **Answer**: long-range dependencies: we set its weights by hand. Learning them by gradient descent is where the
#   trouble starts (lesson 03).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - A window of fixed size cannot solve a task that needs the whole history: on running parity it is at chance
#   (50%, up to sampling noise) after the window, while a two-unit RNN is perfect on 2000-step sequences.
# - An RNN applies one cell, $h_t = \tanh(x_t W_x + h_{t-1} W_h + b)$ for $t = 1..T$, at every step, from an initial
#   state $h_0$ (0 by default; it is the memory before the first input, and can be learned); $h_t$ is the memory.
#   Unrolled, it is a deep feed-forward graph whose layers share their weights.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: a fixed window is at chance after it ends; one recurrent state solves parity for any length. The
#   recurrence is one cell, applied at every step from $h_0$.
# - **Ask**: in one sentence, what is $h_t$?
# - **Answer**: a fixed-size summary of $x_1, \dots, x_t$ (and $h_0$), computed by the same cell at every step.

# %% [markdown] slideshow={"slide_type": "subslide"}
# - Sharing makes the parameter count independent of $T$ and lets a net trained on one length run on any other.
# - Read every state for per-step answers, the final state (each sequence's own last step) for one answer.
# - The scale of $W_h$ decides whether the trace of an input fades (below 1) or persists and saturates (above 1);
#   the hand-built parity net needs saturated units to keep its bit.
#
# **Next**: write these pieces yourself in the exercise
# [`exercises/01_forward_pass.ipynb`](../exercises/01_forward_pass.ipynb) (`rnn_step_forward`, `rnn_forward`, a stable
# `softmax`, the sequence loss), then lesson 02 differentiates all of it.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: sharing, the read-outs, and the scale of $W_h$; the exercise makes you write the forward pass, and
#   lesson 02 differentiates it.
# - **Ask**: which number decided, in section 7, whether the pulse faded or saturated?
# - **Answer**: the scale of $W_h$ (every singular value): below 1 it fades, above 1 it grows until tanh saturates.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Check your understanding
#
# 1. An RNN has D = 10, H = 32, V = 5. How many parameters does it have (with $b$ and $b_y$)? How many would a
#    net with separate weights for each of 50 steps have?
# 2. In the by-hand pass, why is $h_1 = \tanh(x_1 W_x + b)$?
# 3. For sentiment classification of padded batches, why is `h[:, -1]` wrong, and what do you use instead?
# 4. From step $w + 1$ on, the best window table is right 50% of the time, for every $w$. Why exactly 50%, not
#    "a bit worse"?
# 5. In the hidden-state demo with scale 0.6, about how large is the pulse's trace after 40 steps, roughly?
#    (Assume the units stay in tanh's near-linear range.)
# 6. Why does the parity RNN fail with gain 1, even though its weights have exactly the same pattern as with gain 10?
#
# <details><summary>Answers</summary>
#
# 1. $W_x$: 10·32 = 320, $W_h$: 32·32 = 1024, $b$: 32, $W_y$: 32·5 = 160, $b_y$: 5, in total 1541. With separate
#    weights per step: 50 · 1541 = 77,050 (and it could not read a 51st step).
# 2. $h_0 = 0$, so $h_0 W_h = 0$.
# 3. For a sequence shorter than $T$ the last positions are padding, and `h[:, -1]` has read them. Use each
#    sequence's own last state, `h[np.arange(N), lengths - 1]` (or mask the padding).
# 4. The parity of the bits outside the window is a fair coin independent of the window, and it flips the answer:
#    any function of the window is right with probability exactly ½.
# 5. Each step multiplies the state's norm by about 0.6 (every singular value is 0.6), so about
#    $0.6^{39} \approx 2 \cdot 10^{-9}$ of its size at $t = 1$: forgotten. (The still figure measured
#    $|h_{40}|$ at scale 0.6: a few times $10^{-9}$, starting from $|h_1|$ of order 1.)
# 6. The logic needs switches: OR and AND only work if each unit is at $\pm 1$. With gain 1 the pre-activations
#    are only about $\pm 0.5$, where $\tanh$ is nearly linear, so the units never get near $\pm 1$: after a single
#    1 the OR unit reaches only $\tanh(0.5) \approx 0.46$ and the net already answers P(odd) < ½ (printed under
#    the gain sweep). With no switch-like units nothing pushes the state back to a clean bit, so the net is at
#    chance (accuracy 0.501 at gain 1 in the sweep). Somewhat higher gains store the bit but let it leak (the demo's
#    "leaking" preset); from gain 2.3 on the units saturate and it is kept (every step right over 1000 steps).
# </details>

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: three minutes in pairs, then take answers; click *Answers* on the slide to check.
# - **Ask**: start with question 3: why is `h[:, -1]` wrong for padded batches?
# - **Answer**: a short sequence's last positions are padding, and `h[:, -1]` has read them; take each sequence's
#   own last state, `h[np.arange(N), lengths - 1]`. Question 1's count: 1541 parameters, 77,050 with 50 separate
#   copies (both asserted).

# %% slideshow={"slide_type": "skip"}
# The answers' claims, measured
sizes = {name: p.size for name, p in init_cell_params(10, 32, rng=0).items()}
assert sum(sizes.values()) + 32 * 5 + 5 == 1541 and 50 * 1541 == 77_050  # answer 1
assert abs(0.6**39 - 2e-9) < 0.5e-9  # answer 5 (the measured |h_40| is asserted under the still figure)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### References
#
# - J. L. Elman, "Finding structure in time", *Cognitive Science* 14 (1990): the simple recurrent network.
# - D. E. Rumelhart, G. E. Hinton, R. J. Williams, "Learning representations by back-propagating errors",
#   *Nature* 323 (1986): unrolling a recurrent net in time.
# - I. Goodfellow, Y. Bengio, A. Courville, *Deep Learning* (2016), sections 10.1–10.2 (unfolding, sharing, patterns).
# - A. Karpathy, "The Unreasonable Effectiveness of Recurrent Neural Networks" (2015): the input/output pattern
#   diagrams.
# - M. Minsky, S. Papert, *Perceptrons* (1969): parity as the classic task that local, fixed-size views cannot solve.
# - A. Zhang et al., *Dive into Deep Learning*, chapter 9 (RNNs), d2l.ai.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: Elman's 1990 paper is the simple recurrent network of today; Minsky and Papert used parity to show
#   what local, fixed-size views cannot do; Karpathy's essay has the pattern diagrams of section 5.
