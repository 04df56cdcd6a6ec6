# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "skip"} tags=["colab"]
# **[Open in Colab](https://colab.research.google.com/github/rnn-course/rnn-course/blob/main/notebooks/00_welcome.ipynb)**: run this notebook in Google Colab, nothing to install.

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
# # 00 · Welcome to rnn-course
#
# Recurrent neural networks from first principles, in NumPy: every forward and backward pass written out,
# checked against numerical gradients, and looked at in figures you can move with a slider.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the course builds RNNs from the recurrence up, in NumPy, with every gradient written by hand and
#   checked; the figures move, so look for the sliders.
# - **Ask**: who has trained a feed-forward network, and who has written its backward pass by hand?
# - **Answer**: no right answer: it tells you how much of lesson 02's chain rule to go through slowly.

# %% [markdown] slideshow={"slide_type": "subslide"}
# **What you will learn here**
# - how the course works: lessons, graded exercises, solutions, and the feedback you get;
# - how to run a notebook, and how to check that your machine is ready (including the sliders);
# - the notation used in every lesson, and how it maps to the notation of the books, courses, tutorials and
#   libraries you will meet elsewhere (U/W/V, CS231n, d2l.ai, PyTorch, the WildML tutorials, Olah's blog,
#   deeplearning.ai, Pascanu et al.);
# - the course's vocabulary, with the Chinese terms.
#
# **Prerequisites**: Python and NumPy (arrays, `@`, broadcasting); the chain rule; what a feed-forward
# network and gradient descent are. No deep-learning framework is needed.
#
# **Time**: about 20 minutes.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: twenty minutes on how the course runs and on the notation every later lesson uses, with a map from the
#   books and tutorials you may have read onto it.
# - **Ask**: which notation have you met before: $U, W, V$ (Goodfellow et al., the WildML tutorials), CS231n's
#   `Wx, Wh`, or PyTorch's `weight_ih_l0`?
# - **Answer**: any of them will do: the tables later in this deck translate each one into $W_x, W_h, W_y$.

# %% slideshow={"slide_type": "skip"}
# %matplotlib inline
import numpy as np

import rnn_course
from rnn_course.tools import doctor

print(f"rnn_course {rnn_course.__version__}, numpy {np.__version__}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## How the course works
#
# | # | lesson | what you will be able to do |
# |---|---|---|
# | 00 | welcome (this notebook) | run the course, read the notation, check your set-up |
# | 01 | [sequences and unrolling](01_sequences_and_unrolling.ipynb) | compute an RNN forward pass by hand and vectorised; draw the unrolled graph; build an RNN that remembers |
# | 02 | [backpropagation through time](02_backpropagation_through_time.ipynb) | derive and implement BPTT; find a bug with the gradient checker; truncate BPTT |
# | 03 | [vanishing and exploding gradients](03_vanishing_and_exploding_gradients.ipynb) | see the gradient cliff on a real loss surface; clip; initialise well |
# | 04 | LSTM and GRU | explain the gates and the constant error carousel; solve the adding problem |
# | 05 | language models | train a character-level language model; sample with temperature |
# | 06 | classification and tagging | many-to-one and tagging with bidirectional and stacked RNNs; place dropout |
# | 07 | sequence to sequence | build an encoder-decoder with teacher forcing; see the bottleneck |
# | 08 | attention and decoding | remove the bottleneck with attention; read attention maps; beam search vs greedy |

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: nine lessons in one arc: what an RNN computes (01), how it learns (02), why learning over long spans
#   fails (03), the gated cells that fix it (04), then three uses (05-07) and attention (08). Each row says what
#   you will be able to do afterwards.
# - **Ask**: lessons 01-03 use only the plain RNN. Why spend three lessons on a cell that practice has replaced
#   with LSTM and GRU?
# - **Answer**: the gates of lesson 04 are answers to the problem of lesson 03; without the product of Jacobians
#   they look arbitrary.

# %% [markdown] slideshow={"slide_type": "subslide"}
# Each lesson is a notebook in `notebooks/`. After a lesson, do its **exercise** notebook in
# [`exercises/`](../exercises) (the first one: [`01_forward_pass.ipynb`](../exercises/01_forward_pass.ipynb)):
# you write the functions the lesson explained (`rnn_step_forward`, `rnn_backward`, ...) and a check
# under each one tells you at once whether it is right. `solutions/` holds the same notebooks solved:
# look there only after you have tried.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: one lesson, then its exercise; the check under each function answers at once, and the same
#   checks grade the submission. Solutions are there to compare with after trying, not before.
# - **Ask**: why does the check say *where* a gradient is wrong (which time steps) and not just *wrong*?
# - **Answer**: a message you can act on ("wrong only at t < T-1: is dh_prev accumulated?") teaches; a bare
#   mismatch only says to try again.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Running a notebook
#
# - **Open the course**: in a terminal in the course folder, `rnn-course lab` starts JupyterLab at this notebook.
#   VS Code (with the Jupyter extension) and Google Colab open the `.ipynb` files too.
# - **Run a cell**: `Shift+Enter`. **Run everything**: *Run ▸ Run All Cells*. Cells depend on the cells above
#   them, so run them in order; if things get confused, *Kernel ▸ Restart Kernel and Run All Cells*.
# - **Everything is seeded**: you get the same numbers as your neighbour, and as the text describes.
# - Each `.ipynb` has a twin `.py` file (the same notebook as plain text, used for reviewing changes).
#   With `jupytext` installed, JupyterLab opens the `.py` file as a notebook too.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: `rnn-course lab` opens the course; Shift+Enter runs a cell; cells depend on the ones above, so run in
#   order, and restart and run all when the state is confused. Everything is seeded: the numbers on the slides are
#   the numbers on your screen.
# - **Ask**: you ran a cell in the middle of a lesson and get `NameError: name 'rng' is not defined`. What happened?
# - **Answer**: a cell above it (the one that defines `rng`) has not run in this kernel: run the cells above, or
#   Restart Kernel and Run All Cells.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### How you get feedback
#
# **In an exercise notebook** a check follows each function you write, for example
#
# ```python
# from rnn_course.grading import check, hint
# check("rnn_step_forward", rnn_step_forward)
# hint("rnn_step_forward")          # the next hint, if you are stuck
# ```

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: one line under each function you write: `check` grades it, `hint` gives the next hint when you are
#   stuck. Nothing to copy: the check draws fresh random inputs every time.
# - **Ask**: why random inputs rather than a fixed test case with its expected answer printed?
# - **Answer**: a fixed answer can be copied or hard-coded; fresh inputs compared with the reference can only be
#   passed by computing the right thing.

# %% [markdown] slideshow={"slide_type": "subslide"}
# The check calls your function on fresh random inputs (including awkward sizes such as one sequence of
# one step) and compares it with the course's reference, so there is nothing to copy. You get one of four
# answers:
#
# | outcome | what it looks like |
# |---|---|
# | **correct** | the points for the item |
# | **incorrect** | what is wrong and where, in words you can act on: *"dWh is wrong only at t < T-1: is dh_prev accumulated?"*, or the expected and the received shape |
# | **not attempted** | the function still raises `NotImplementedError` |
# | **error** | your function raised an exception: its type, message and the line in your code |
#
# **Instructors** grade a whole class with one command, `rnn-course grade submissions/ --out report.json`: every
# notebook runs in its own process with a time and a memory limit, so one broken submission cannot stop the others.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: four outcomes, and they are different states: *not attempted* is not a wrong answer, and *error* shows
#   your own traceback. An *incorrect* says what is wrong and where, never the expected numbers.
# - **Ask**: your `rnn_step_forward` is reported *incorrect* with "expected shape (3, 5), received (5, 3)". What is
#   the first thing you check?
# - **Answer**: the order of a matrix product or a missing or extra transpose: rows times weights, `x @ Wx`, gives
#   (N, H).

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The checks, live
#
# Three attempts at the first exercise of lesson 01, one RNN step, `rnn_step_forward`. First the stub as you find
# it in the exercise notebook:

# %%
from rnn_course.grading import check


def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    raise NotImplementedError  # the stub in the exercise notebook


check("rnn_step_forward", rnn_step_forward)

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the stub still raises `NotImplementedError`, and the check reports *not attempted* with 0 of 2
#   points: the notebook runs on, nothing crashes.
# - **Say**: every exercise notebook runs top to bottom even when blank; you can hand in a partial one.

# %% slideshow={"slide_type": "skip"}
result = check("rnn_step_forward", fn=rnn_step_forward)  # the function as it now stands
assert result.status == "not attempted" and (result.points, result.max_points) == (0, 2)

# %% [markdown] slideshow={"slide_type": "subslide"}
# A first attempt, with a mistake many people make (the check names the likely cause, not the expected numbers):

# %%
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    a = x @ Wx + h_prev @ Wh.T + b
    h = np.tanh(a) if activation == "tanh" else np.maximum(a, 0.0)
    return h, (x, h_prev, Wx, Wh, h)


check("rnn_step_forward", rnn_step_forward)

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Ask**: before showing the output: this runs without an error. Where is the bug?
# - **Answer**: `h_prev @ Wh.T`. Weights multiply from the right, so it is `h_prev @ Wh`. The transpose has the same
#   (H, H) shape, so no shape error can catch it: only the values are wrong.
# - **Show**: the check says exactly that ("Likely cause: Wh is transposed"), without printing the expected numbers.

# %% slideshow={"slide_type": "skip"}
result = check("rnn_step_forward", fn=rnn_step_forward)  # the function as it now stands
assert result.status == "incorrect" and "Likely cause: Wh is transposed" in result.text()

# %% [markdown] slideshow={"slide_type": "subslide"}
# Fixed: weights multiply from the right, so it is `h_prev @ Wh`.

# %%
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    a = x @ Wx + h_prev @ Wh + b
    h = np.tanh(a) if activation == "tanh" else np.maximum(a, 0.0)
    return h, (x, h_prev, Wx, Wh, h)


check("rnn_step_forward", rnn_step_forward)

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: one character fixed, full points. The same checks grade the handed-in notebook, so *correct* here means
#   correct there.

# %% slideshow={"slide_type": "skip"}
result = check("rnn_step_forward", fn=rnn_step_forward)  # the function as it now stands
assert result.correct and result.points == result.max_points

# %% [markdown] slideshow={"slide_type": "subslide"}
# The checks also try awkward inputs. A softmax that is right on small numbers fails on large ones:

# %%
def softmax(z, axis=-1):
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


check("softmax", softmax)

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Ask**: this is the textbook formula. Why does it fail?
# - **Answer**: `np.exp(1000)` overflows to infinity and infinity over infinity is NaN. Subtract each row's maximum
#   first: the softmax does not change, and the largest exponent becomes $e^0 = 1$. Lesson 01 shows it.

# %% slideshow={"slide_type": "skip"}
# right on small numbers, NaN on large ones
assert np.allclose(softmax(np.array([1.0, 2.0, 3.0])), np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum())
with np.errstate(over="ignore", invalid="ignore"):
    assert np.isnan(softmax(np.array([1000.0, 0.0]))).any()
assert check("softmax", softmax).status == "incorrect"

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The tool behind the checks: the gradient checker
#
# Every backward pass in the course is compared with a numerical gradient. You will use the checker yourself
# in lesson 02; here is what it says about the package's own RNN step (`rnn_course.rnn_step_forward`, not the one
# written above). It passes when every relative error is below
# the tolerance, $10^{-6}$; a correct gradient usually comes out far below that, around $10^{-9}$ or smaller:

# %%
rng = np.random.default_rng(0)
N, D, H = 2, 3, 4
inputs = dict(x=rng.standard_normal((N, D)), h_prev=rng.standard_normal((N, H)),
              Wx=rng.standard_normal((D, H)), Wh=rng.standard_normal((H, H)), b=rng.standard_normal(H))

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the checker nudges every entry of every input by $\pm\varepsilon$, measures how the output changes, and
#   compares that slope with the backward pass. A correct gradient agrees to about $10^{-9}$; the pass line is
#   $10^{-6}$.
# - **Ask**: why compare with a tolerance at all, if the formula is right?
# - **Answer**: the numerical slope is itself approximate (the centred difference is off by about $\varepsilon^2$,
#   and float64 rounding adds a little), so even a perfect backward pass differs by a tiny amount.

# %% slideshow={"slide_type": "subslide"}
step_check = rnn_course.gradcheck_layer(rnn_course.rnn_step_forward, rnn_course.rnn_step_backward, inputs)
step_check

# %% slideshow={"slide_type": "skip"}
assert step_check.ok and step_check.max_error < 1e-8  # far below the tolerance

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: one row per input of the step, `x`, `h_prev`, `Wx`, `Wh`, `b`: each error far below the tolerance (the
#   largest is under $10^{-8}$), and for each input the entry where it is worst.
# - **Say**: in lesson 02 the same table has a column of wrong time steps, and it is how you will find your own bugs.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Set-up check
#
# The next cell runs the same checks as `rnn-course doctor` in a terminal: Python, the libraries, figures, the
# Jupyter kernel, and the JupyterLab extension that draws sliders. Every row that is not **ok** comes with the
# command that fixes it: run that command in a terminal, then restart JupyterLab.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: one cell, or `rnn-course doctor` in a terminal, checks everything the course needs; a row that is not
#   ok comes with the command that fixes it.
# - **Ask**: why restart JupyterLab after the fix, rather than reload the page?
# - **Answer**: JupyterLab loads its extensions (the one that draws sliders among them) when the server starts; a
#   reload only fetches the same page from the same server.

# %% slideshow={"slide_type": "subslide"} tags=["small-code", "split-output"]
report = doctor.report()
report

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: run the set-up cell on the lecture machine before the room fills; every row should say ok.
# - **Say**: a row that is not ok comes with the command that fixes it; no sliders over a demo means no widget
#   support, and the demo shows its figure as a picture instead.
# - **Ask**: what do you do if you see a picture but no sliders?
# - **Answer**: run the fix the report names (the JupyterLab widget extension), then restart JupyterLab.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Will the sliders work?
#
# The lessons' interactive figures ("demos") need a front end that can draw **widgets**. The check below reads
# the set-up report and says so plainly.

# %%
widget_check = next(c for c in report.checks if c.name == "widgets in JupyterLab")
if widget_check.status == "ok":
    print("Widgets: JupyterLab has the widget extension, so the demos will show sliders there.")
else:
    print("Widgets will NOT render in JupyterLab on this machine: the demos will show a still picture only.")
    print(f"  found: {widget_check.found}")
    print(f"  fix:   {widget_check.fix}")
print("Missing anything else?", "no" if report.ok else "yes: see the table above")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the same report, read for the one thing a lecture needs: will the demos have sliders? The answer is in
#   plain words, with the fix when it is no.
# - **Ask**: hands up if your machine printed "will NOT render".
# - **Answer**: those machines need the `fix` line (usually `pip install jupyterlab_widgets`) and a JupyterLab
#   restart; sort it out now, before lesson 01's demos.

# %% [markdown] slideshow={"slide_type": "subslide"}
# Now look at the demo below (it is the first one of lesson 01).
#
# - **Sliders above the figure, and the figure changes when you drag them**: widgets work.
# - **Only the figure, no sliders** (or a line of text such as `VBox(children=(HTML(value=...`): your front end
#   cannot draw widgets. You are seeing the *static fallback*, a picture of the figure at the default settings.
#   The lessons still make sense (every demo has one), but you cannot move anything. Fix it:
#   - *JupyterLab*: run the `fix` command above (`pip install jupyterlab_widgets`), then **restart JupyterLab**
#     (reloading the browser page is not enough);
#   - *VS Code*: install or update the **Jupyter** extension, and avoid ipywidgets 8.1.9, which VS Code cannot draw
#     (`rnn-course doctor` checks both);
#   - *Colab*: keep Colab's own ipywidgets (the notebook's first cell does; upgrading it leaves Colab without
#     sliders), then re-run the cell;
#   - a notebook viewed on GitHub or nbviewer, or a slide deck, is static by design: open it in JupyterLab.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: sliders and a figure that moves means widgets work; a picture alone is the static fallback, and each
#   front end has its own fix (listed here).
# - **Ask**: this deck shows the next demo as a picture. Is the lecture machine broken?
# - **Answer**: no: a slide deck is static by design (no kernel behind it). Open the notebook in JupyterLab to move
#   the sliders.

# %% slideshow={"slide_type": "subslide"}
from rnn_course.demos import hidden_state_demo

hidden_state_demo(t=12)

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: in JupyterLab, drag the step slider: the colours are the 16 hidden units over time, after one input
#   pulse at $t = 1$.
# - **Say**: what you are watching is lesson 01's subject; today it only tests that the sliders move.
# - **Ask**: what should you see if widgets do not work?
# - **Answer**: this same picture and no sliders above it.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Notation
#
# One notation is used everywhere in the course: in the maths, in the package `rnn_course`, and in the
# code you write in the exercises.
#
# $$
# \begin{aligned}
# a_t &= x_t W_x + h_{t-1} W_h + b, \qquad h_t = \tanh(a_t), \qquad t = 1, \dots, T, \quad h_0 \text{ given},\\
# \hat y_t &= \operatorname{softmax}\!\left(h_t W_y + b_y\right), \qquad L = \sum_{t=1}^{T} L_t .
# \end{aligned}
# $$
#
# - Vectors are **rows**, and weights multiply **from the right**: $x_t W_x$, not $W x_t$. That is how the
#   code looks (`x @ Wx`), and a batch is just more rows.
# - $W_x$ maps input to hidden, $W_h$ hidden to hidden, $W_y$ hidden to output; the package writes `Wx`, `Wh`, `Wy`.
# - The **same** $W_x, W_h, b, W_y, b_y$ are used at every time step.
# - Time runs from $t = 1$ to $T$; $h_0$ is the state before the first input (usually 0).

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: rows times weights, $x_t W_x + h_{t-1} W_h + b$, exactly as the code writes `x @ Wx`; the same
#   weights at every step. Other texts use columns and write the transposes: the table maps them.
# - **Ask**: a text writes $W h_{t-1} + U x_t$ with $U$ of shape (64, 10): what are D and H, and what is `Wx`?
# - **Answer**: D = 10, H = 64, and `Wx` is $U^\top$, shape (10, 64).

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Every symbol of the course
#
# | symbol | meaning | lessons |
# |---|---|---|
# | $x_t$, $h_t$, $t = 1..T$, $h_0$ | input and hidden state at step $t$; the initial state | all |
# | $W_x$, $W_h$, $b$ (`Wx`, `Wh`, `b`) | input and recurrent weights, bias | all |
# | $a_t = x_t W_x + h_{t-1} W_h + b$ | the pre-activation | 01-03 |
# | $\hat y_t$, $W_y$, $b_y$ | output, output weights and bias | 01, 02, 05-07 |
# | $L_t$, $L = \sum_t L_t$ | loss at step $t$, total loss | 02 on |
# | $J_t = \partial h_t / \partial h_{t-1}$ | the Jacobian of one step, $\operatorname{diag}(f'(a_t))\, W_h^\top$; a gradient flows back as $\frac{\partial L_T}{\partial h_T} J_T J_{T-1} \cdots J_{k+1}$ | 02, 03 |
# | $\rho$, $\lambda_1$, $\gamma$ | spectral radius and largest singular value of $W_h$; bound on $\lvert f' \rvert$ | 03 |
# | $i, f, g, o$ and $c_t$ | LSTM input, forget, candidate and output gates, and the cell state ($c_t$ means nothing else) | 04 |
# | $r, z, n$ | GRU reset gate, update gate, candidate: $h_t = (1 - z) \odot n + z \odot h_{t-1}$ | 04 |
# | $\tau$ | sampling temperature ($T$ is always a length) | 05 |

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the whole course in one table. Most rows come back in lessons 01-03; $J_t$ is the one to remember: a
#   step's Jacobian, $\operatorname{diag}(f'(a_t))\, W_h^\top$, always multiplied latest step first,
#   $J_T J_{T-1} \cdots J_{k+1}$.
# - **Ask**: why does the table insist on $\tau$ for the sampling temperature?
# - **Answer**: because $T$ is always a length here; a formula with both a temperature and a sequence length would
#   otherwise have two meanings for one letter.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Shapes
#
# | letter | meaning | | array | shape |
# |---|---|---|---|---|
# | N | batch size (sequences processed together) | | `x` (inputs) | (N, T, D) |
# | T | number of time steps | | `h0` (initial state) | (N, H) |
# | D | input size | | `h` (all hidden states) | (N, T, H) |
# | H | hidden size | | `Wx`, `Wh`, `b` | (D, H), (H, H), (H,) |
# | V | vocabulary / number of classes | | `Wy`, `by`, scores | (H, V), (V,), (N, T, V) |
#
# Arrays are **batch-first**: `x[n, t]` is sequence n at array index t (lesson 01 shows how array indices, which
# count from 0, line up with the steps $t = 1..T$ of the maths).

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: five letters for every shape in the course, N, T, D, H, V; arrays are batch-first, `(N, T, D)`.
# - **Ask**: a batch of 32 sentences of 20 words, each word a 50-dimensional vector, into an RNN of 128 units: what
#   are the shapes of `x`, `Wx` and `h`?
# - **Answer**: `x` is (32, 20, 50), `Wx` is (50, 128), `h` is (32, 20, 128).

# %% [markdown] slideshow={"slide_type": "subslide"}
# <!-- other notations: begin (the notation test skips this mapping) -->
# ### The same RNN in other people's notation
#
# | | this course | many tutorials, Goodfellow et al. | CS231n | d2l.ai | Karpathy's min-char-rnn | PyTorch `nn.RNN` |
# |---|---|---|---|---|---|---|
# | vectors | rows | columns | rows | rows | columns | rows |
# | input → hidden | $x_t W_x$ | $U x_t$ | `x.dot(Wx)` | $X_t W_{xh}$ | `Wxh @ x` | `x @ weight_ih_l0.T` |
# | hidden → hidden | $h_{t-1} W_h$ | $W h_{t-1}$ | `prev_h.dot(Wh)` | $H_{t-1} W_{hh}$ | `Whh @ h` | `h @ weight_hh_l0.T` |
# | bias | $b$ | $b$ | `b` | $b_h$ | `bh` | `bias_ih_l0 + bias_hh_l0` |
# | hidden → output | $h_t W_y + b_y$ | $V h_t + c$ | temporal affine `w, b` | $H_t W_{hq} + b_q$ | `Why @ h + by` | a separate `nn.Linear` |
# | stored shape of $W_x$ | (D, H) | $U$: (H, D) | (D, H) | (D, H) | (H, D) | (H, D) |
# <!-- other notations: end -->

# %% [markdown] slideshow={"slide_type": "notes"}
# <!-- other notations: begin -->
# - **Say**: the same RNN in five other notations. Read the row "vectors" first: columns or rows decides
#   everything else.
# - **Ask**: Karpathy's min-char-rnn writes `Whh @ h`. Which of our matrices is his `Whh`?
# - **Answer**: $W_h^\top$: he uses column vectors, so he stores the transpose of ours.
# <!-- other notations: end -->

# %% [markdown] slideshow={"slide_type": "subslide"}
# <!-- other notations: begin -->
# So **column-vector texts store the transpose**: their $U$ is our $W_x^\top$, their $W$ is our $W_h^\top$,
# their $V$ is our $W_y^\top$. PyTorch keeps rows but also stores the transpose (`weight_ih_l0` has shape
# (H, D)), splits the bias in two, and is **time-first** unless you pass `batch_first=True`.
# <!-- other notations: end -->
#
# The next cell checks these translations with numbers.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: three things to remember: column-vector texts store the transposes of our matrices; PyTorch keeps
#   rows but stores the transpose too and splits the bias in two; PyTorch is time-first unless `batch_first=True`.
# - **Ask**: in PyTorch `rnn.weight_hh_l0` has shape (H, H). Is it `Wh` or `Wh.T`?
# - **Answer**: `Wh.T`: PyTorch computes `h @ weight_hh_l0.T`. For a square matrix the shape cannot tell you, only
#   the formula can.

# %% slideshow={"slide_type": "subslide"}
rng = np.random.default_rng(1)
D, H = 3, 4
x_t, h_prev = rng.standard_normal(D), rng.standard_normal(H)
Wx, Wh, b = 0.5 * rng.standard_normal((D, H)), 0.5 * rng.standard_normal((H, H)), 0.5 * rng.standard_normal(H)

ours = np.tanh(x_t @ Wx + h_prev @ Wh + b)  # the course: rows times weights

U, W = Wx.T, Wh.T  # column-vector texts: h = tanh(U x + W h + b)
columns = np.tanh(U @ x_t[:, None] + W @ h_prev[:, None] + b[:, None])[:, 0]

weight_ih, weight_hh = Wx.T, Wh.T  # PyTorch: (H, D) and (H, H); any split of b into two biases
bias_ih, bias_hh = 0.3 * b, 0.7 * b
pytorch_layout = np.tanh(x_t @ weight_ih.T + bias_ih + h_prev @ weight_hh.T + bias_hh)

print("ours          ", np.round(ours, 6))
print("U, W columns  ", np.round(columns, 6))
print("PyTorch layout", np.round(pytorch_layout, 6))
assert np.allclose(ours, columns) and np.allclose(ours, pytorch_layout)

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: one step computed three ways, rows times our weights, columns with $U = W_x^\top$ and
#   $W = W_h^\top$, and PyTorch's layout with the bias split 30/70: the same four numbers each time.
# - **Ask**: why may PyTorch's two biases be split any way we like?
# - **Answer**: only their sum enters the step, $b = $ `bias_ih_l0 + bias_hh_l0`.

# %% [markdown] slideshow={"slide_type": "subslide"}
# <!-- other notations: begin -->
# ### The sources this course grew from
#
# | source | writes | in this course |
# |---|---|---|
# | the WildML tutorials (D. Britz, 2015) | $s_t = \tanh(U x_t + W s_{t-1})$, $o_t = \operatorname{softmax}(V s_t)$, $t = 0, 1, \dots$ with $s_{-1} = 0$ | $h_t$, $\hat y_t$, $U = W_x^\top$, $W = W_h^\top$, $V = W_y^\top$, $t = 1, 2, \dots$ with $h_0 = 0$: their $s_t$ is our $h_{t+1}$ |
# | | $E_t(y_t, \hat y_t) = -y_t \log \hat y_t$, $E = \sum_t E_t$ | $L_t$ and $L$ |
# | C. Olah, "Understanding LSTM Networks" (2015) | $h_t = \tanh(W \cdot [h_{t-1}, x_t] + b)$: one matrix on the concatenation | $W = [W_h^\top \;\; W_x^\top]$; his LSTM's $C_t$, $\tilde C_t$ are our $c_t$, $g_t$ |
# <!-- other notations: end -->

# %% [markdown] slideshow={"slide_type": "notes"}
# <!-- other notations: begin -->
# - **Say**: the WildML tutorials count time from 0 with $s_{-1} = 0$, so their $s_t$ is our $h_{t+1}$; they call
#   the loss $E_t$. Olah puts one matrix on the concatenation $[h_{t-1}, x_t]$: that matrix is our two, transposed
#   and side by side.
# - **Ask**: a tutorial's $s_3$, with time from 0: which of our states is it?
# - **Answer**: $h_4$ (and their $s_{-1} = 0$ is our $h_0 = 0$).
# <!-- other notations: end -->

# %% [markdown] slideshow={"slide_type": "subslide"}
# <!-- other notations: begin -->
# ### The sources this course grew from, continued
#
# | source | writes | in this course |
# |---|---|---|
# | deeplearning.ai, *Sequence Models* | $a^{\langle t\rangle}$, $W_{aa}$, $W_{ax}$, $W_{ya}$; GRU gates $\Gamma_u$, $\Gamma_r$, candidate $\tilde c^{\langle t\rangle}$ | $h_t$, $W_h^\top$, $W_x^\top$, $W_y^\top$; $\Gamma_r = r$, $\tilde c = n$, and $\Gamma_u = 1 - z$ |
# | | $c^{\langle t\rangle} = \Gamma_u \ast \tilde c^{\langle t\rangle} + (1 - \Gamma_u) \ast c^{\langle t-1\rangle}$ | $h_t = (1 - z) \odot n + z \odot h_{t-1}$ (Cho et al. 2014, PyTorch): **$z$ is the share of the old state kept**, the opposite of $\Gamma_u$ |
# | Pascanu, Mikolov & Bengio (2013) | state $x_t = W_{rec}\,\sigma(x_{t-1}) + W_{in} u_t + b$ (the nonlinearity is applied when the state is read), input $u_t$, loss $\mathcal E_t$ | their $x_t$ is our $a_t$ and $\sigma(x_t)$ our $h_t$ (lesson 03 writes the one-unit state $h_t$); $u_t$ is $x_t$; $W_{rec} = W_h^\top$, $W_{in} = W_x^\top$; loss $L_t$ |
# | | the "immediate" partial derivative $\partial^+ x_k / \partial \theta$: $x_{k-1}$ held constant | the gradient through the weights' copy at step $k$ only (lesson 02's $G[t, k]$) |
# <!-- other notations: end -->
#
# Checked with numbers: the WildML recurrence, Olah's concatenated matrix and deeplearning.ai's GRU update all give
# the course's states.

# %% [markdown] slideshow={"slide_type": "notes"}
# <!-- other notations: begin -->
# - **Say**: deeplearning.ai lets $\Gamma_u$ mean "take the new candidate", which is $1 - z$ here: the same GRU
#   with the gate read the other way round. Pascanu et al. apply the nonlinearity when the state is read, so their
#   state $x_t$ is our pre-activation $a_t$. The next cells check the translations with numbers.
# - **Ask**: Pascanu et al. write a state $x_t$ and an input $u_t$. What are the two in this course?
# - **Answer**: their $x_t$ is our pre-activation $a_t$ (so their $\sigma(x_t)$ is our $h_t$), and their $u_t$ is
#   our input $x_t$: the same letter $x$ means different things in the two texts.
# <!-- other notations: end -->

# %% slideshow={"slide_type": "subslide"}
# <!-- other notations: begin (this cell uses the sources' symbols) -->
T_check = 5
xs = rng.standard_normal((1, T_check, D))
h_course, _ = rnn_course.rnn_forward(xs, None, Wx, Wh, np.zeros(H))  # no bias: the WildML tutorial has none

s_prev = np.zeros(H)  # their s_{-1} = 0
for t in range(T_check):  # their t = 0 .. T-1
    s_t = np.tanh(U @ xs[0, t] + W @ s_prev)
    s_prev = s_t
    assert np.allclose(s_t, h_course[0, t])  # their s_t is our h_{t+1}, the array's h[:, t]

W_concat = np.concatenate([Wh.T, Wx.T], axis=1)  # Olah: W . [h_{t-1}, x_t]
olah = np.tanh(W_concat @ np.concatenate([h_prev, x_t]) + b)
# <!-- other notations: end -->

# %% [markdown] slideshow={"slide_type": "notes"}
# <!-- other notations: begin -->
# - **Show**: the WildML loop runs their recurrence from $s_{-1} = 0$ and asserts at every step that their $s_t$ is
#   the array's `h[:, t]`, our $h_{t+1}$; Olah's concatenated matrix is `[Wh.T, Wx.T]` side by side.
# - **Ask**: why does the comparison call `rnn_forward` with a zero bias?
# - **Answer**: the WildML recurrence has no bias term; with $b = 0$ the two are the same function.
# <!-- other notations: end -->

# %% slideshow={"slide_type": "subslide"}
# <!-- other notations: begin (this cell uses the sources' symbols) -->
Wx_gru, Wh_gru, b_gru = rng.standard_normal((D, 3 * H)), rng.standard_normal((H, 3 * H)), rng.standard_normal(3 * H)
h_gru, gru_cache = rnn_course.gru_step_forward(x_t[None], h_prev[None], Wx_gru, Wh_gru, b_gru)
sig = rnn_course.sigmoid
r = sig(x_t @ Wx_gru[:, :H] + h_prev @ Wh_gru[:, :H] + b_gru[:H])  # blocks r, z, n
z = sig(x_t @ Wx_gru[:, H:2 * H] + h_prev @ Wh_gru[:, H:2 * H] + b_gru[H:2 * H])
n = np.tanh(x_t @ Wx_gru[:, 2 * H:] + (r * h_prev) @ Wh_gru[:, 2 * H:] + b_gru[2 * H:])
gamma_u = 1 - z  # deeplearning.ai's update gate
dlai = gamma_u * n + (1 - gamma_u) * h_prev
print("WildML s_t equals our h_(t+1) at every step; Olah's W . [h, x] equals ours:", np.allclose(olah, ours))
print("deeplearning.ai's GRU with Gamma_u = 1 - z equals ours:", np.allclose(dlai, h_gru[0]))
# <!-- other notations: end -->

# %% [markdown] slideshow={"slide_type": "notes"}
# <!-- other notations: begin -->
# - **Show**: the GRU step computed gate by gate with blocks r, z, n, then deeplearning.ai's update with
#   $\Gamma_u = 1 - z$: both print True. The skipped cell under it also asserts that reading $z$ as $\Gamma_u$ gives a
#   different state.
# - **Ask**: a deeplearning.ai GRU unit has $\Gamma_u \approx 0$. Does it keep its old value? What is its $z$ here?
# - **Answer**: it keeps the old value; $z = 1 - \Gamma_u \approx 1$.
# <!-- other notations: end -->

# %% slideshow={"slide_type": "skip"}
# <!-- other notations: begin -->
assert np.allclose(olah, ours) and np.allclose(dlai, h_gru[0])
assert not np.allclose(z * n + (1 - z) * h_prev, h_gru[0])  # reading z as Gamma_u gives a different state
# <!-- other notations: end -->

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Glossary (术语表)
#
# | term | 中文 | in one line | lesson |
# |---|---|---|---|
# | sequence, time step | 序列, 时间步 | an ordered list of inputs $x_1..x_T$; one position in it | 01 |
# | recurrent neural network (RNN) | 循环神经网络 | a net that reads a sequence one step at a time, carrying a state | 01 |
# | hidden state | 隐藏状态 (隐状态) | $h_t$, the net's memory of everything it has read so far | 01 |
# | unrolling | 展开 | drawing the loop as one copy of the cell per time step | 01 |
# | parameter sharing | 参数共享 | every unrolled copy uses the same weights | 01 |
# | activation function | 激活函数 | the nonlinearity: tanh, sigmoid, ReLU | 01 |
# | softmax, cross-entropy | softmax, 交叉熵 | scores to probabilities; the loss $-\log \hat y_t[y_t]$ | 01, 02 |

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the words the course uses, with the Chinese terms; each row names the lesson that explains it.
#   Skim it now and come back to it when a word is new. This part is lesson 01's vocabulary.
# - **Ask**: in one sentence, what does *parameter sharing* buy an RNN?
# - **Answer**: the same weights at every step, so the number of parameters does not grow with the length, and a
#   net trained on one length runs on any other (lesson 01 counts it).

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Glossary, continued
#
# | term | 中文 | in one line | lesson |
# |---|---|---|---|
# | backpropagation through time (BPTT) | 随时间反向传播 | backpropagation on the unrolled graph | 02 |
# | truncated BPTT | 截断的随时间反向传播 | BPTT that only goes back k steps | 02 |
# | gradient check | 梯度检验 | comparing a gradient with finite differences | 02 |
# | initial state | 初始状态 | $h_0$, the state before the first input; 0, or learned | 01, 02 |
# | Jacobian | 雅可比矩阵 | $J_t = \partial h_t / \partial h_{t-1}$; BPTT multiplies many of them | 02, 03 |
# | vanishing gradient | 梯度消失 | the gradient shrinks exponentially as it flows back | 03 |
# | exploding gradient | 梯度爆炸 | the gradient grows exponentially as it flows back | 03 |
# | gradient clipping | 梯度裁剪 | rescaling a gradient whose norm is too large | 03 |
# | spectral radius, singular value | 谱半径, 奇异值 | how much $W_h$ can stretch a vector | 03 |

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: lessons 02 and 03: how an RNN learns, and why learning over many steps goes wrong. Every word here
#   comes back with a measurement.
# - **Ask**: vanishing and exploding look like opposites. What do they have in common?
# - **Answer**: both come from the same product of one Jacobian per step, $J_T J_{T-1} \cdots J_{k+1}$: it shrinks or
#   grows exponentially with the number of steps.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Glossary, continued
#
# | term | 中文 | in one line | lesson |
# |---|---|---|---|
# | long short-term memory (LSTM) | 长短期记忆网络 | an RNN with a cell state and gates | 04 |
# | cell state | 细胞状态 (记忆元) | the LSTM's additive memory $c_t$ | 04 |
# | forget gate, input gate, output gate | 遗忘门, 输入门, 输出门 | what to erase, what to write, what to show | 04 |
# | gated recurrent unit (GRU) | 门控循环单元 | a lighter gated RNN | 04 |
# | reset gate, update gate | 重置门, 更新门 | the GRU's two gates | 04 |
# | language model | 语言模型 | a model of the next token given the previous ones | 05 |
# | perplexity, temperature | 困惑度, 温度 | how surprised a model is; how random its samples are ($\tau$) | 05 |
# | embedding | 嵌入 (词嵌入) | a learned vector for every token | 05 |

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: lesson 04's gated cells and lesson 05's language models. The cell state $c_t$ and the gates are the
#   cure for the vanishing gradient of lesson 03.
# - **Ask**: the temperature is written $\tau$, not $T$. Why?
# - **Answer**: $T$ is always a sequence length in this course.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Glossary, continued
#
# | term | 中文 | in one line | lesson |
# |---|---|---|---|
# | bidirectional | 双向 | one RNN reads forwards, another backwards | 06 |
# | stacked (deep) RNN | 堆叠 (深度循环神经网络) | RNN layers on top of each other | 06 |
# | dropout | 丢弃法 (暂退法) | randomly zeroing activations while training | 06 |
# | encoder-decoder, sequence to sequence | 编码器-解码器, 序列到序列 | read a sequence into a state, then write another | 07 |
# | teacher forcing | 教师强制 | feeding the decoder the true previous token while training | 07 |

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: lessons 06 and 07: reading in both directions, stacking layers, dropout, and sequence to sequence.
# - **Ask**: a bidirectional RNN reads the sequence backwards too. Can it run on a live stream, one input at a
#   time?
# - **Answer**: no: the backward reader needs the whole input before its first state exists. It fits tagging a
#   finished sentence, not predicting the next step of a stream.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - Lessons explain; exercises make you write the code; a check under every exercise answers *correct*,
#   *incorrect (and why)*, *not attempted* or *error*.
# - `rnn-course doctor` (or the set-up cell above) tells you what is missing and the command that fixes it.
#   No sliders over a demo means no widget support: you see the static picture; follow the fix above.
# - Notation: rows times weights, $h_t = \tanh(x_t W_x + h_{t-1} W_h + b)$ for $t = 1..T$ from a given $h_0$,
#   losses $L_t$ and $L$, batch-first arrays `(N, T, D)`. Column-vector texts and PyTorch store the transposes of our
#   matrices; other sources number time from 0 or write the GRU's update gate the other way round.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: lessons explain, exercises make you write the code, the checks say what is wrong; the doctor says
#   what is missing; one notation everywhere.
# - **Ask**: the questions on the next slide; the answers are under them in the notebook.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Check your understanding
#
# 1. A text writes $h_t = \tanh(W h_{t-1} + U x_t + b)$ with $U$ of shape (64, 10). What are D and H, and what
#    is `Wx` in this course's layout?
# 2. In PyTorch, `rnn.weight_hh_l0` has shape (H, H). Which of `Wh` and `Wh.T` is it?
# 3. A batch of 32 sentences of 20 words, each word a 50-dimensional vector: what shape is `x`?
# 4. You see a picture under a demo cell but no sliders. What is happening, and what do you do?
#
# <!-- other notations: begin -->
# 5. A tutorial writes $s_t = \tanh(U x_t + W s_{t-1})$ for $t = 0, 1, \dots$ with $s_{-1} = 0$. Which of our
#    states is its $s_3$, and what are $U$ and $W$ here?
# 6. A GRU written as $c^{\langle t\rangle} = \Gamma_u \ast \tilde c^{\langle t\rangle} + (1 - \Gamma_u) \ast c^{\langle t-1\rangle}$ has
#    $\Gamma_u \approx 0$ for a unit. Does that unit keep its old value or take the new candidate? What is $z$ for it
#    in this course's GRU?
# <!-- other notations: end -->
#
# <details><summary>Answers</summary>
#
# 1. $U x_t$ maps D inputs to H hidden units, so $U$ is (H, D): H = 64, D = 10. Here `Wx = U.T`, of shape (10, 64).
# 2. PyTorch computes `h @ weight_hh_l0.T`, so `weight_hh_l0 = Wh.T` (and for an (H, H) matrix the shape alone
#    cannot tell you: only the formula can).
# 3. `(N, T, D) = (32, 20, 50)`, batch-first.
# 4. The front end cannot render widgets, so it shows the demo's static PNG fallback. Run `rnn-course doctor`
#    (or the set-up cell) and the command in its "fix" column, e.g. `pip install jupyterlab_widgets`, then
#    restart JupyterLab.
#
# <!-- other notations: begin -->
# 5. Its time starts at 0 and ours at 1, so its $s_3$ is our $h_4$ (and its $s_{-1} = 0$ is our $h_0 = 0$).
#    $U = W_x^\top$ and $W = W_h^\top$: column vectors, so the transposes (checked above).
# 6. $\Gamma_u \approx 0$ keeps the old value. In the course's GRU, $h_t = (1 - z) \odot n + z \odot h_{t-1}$, so the
#    same unit has $z = 1 - \Gamma_u \approx 1$ (checked above: with $\Gamma_u = 1 - z$ the two agree, with
#    $\Gamma_u = z$ they do not).
# <!-- other notations: end -->
#
# </details>

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: three minutes in pairs, then take answers from the room; click *Answers* on the slide to check them.
# - **Ask**: start with question 2; it is the one people get wrong.
# - **Answer**: `Wh.T`. The shape (H, H) cannot tell, the formula `h @ weight_hh_l0.T` does. Questions 1, 5 and 6
#   are the mapping tables again; 4 is the set-up check.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### References
#
# - I. Goodfellow, Y. Bengio, A. Courville, *Deep Learning*, MIT Press 2016, chapter 10 (the U/W/V notation).
# - A. Zhang, Z. Lipton, M. Li, A. Smola, *Dive into Deep Learning* (d2l.ai), chapter 9; Chinese edition 《动手学深度学习》.
# - Stanford CS231n, assignment 3, `rnn_layers.py` (the Wx/Wh convention this course follows).
# - A. Karpathy, `min-char-rnn.py` (2015), and "The Unreasonable Effectiveness of Recurrent Neural Networks".
# - PyTorch documentation, `torch.nn.RNN` and `torch.nn.GRU` (weight layout, `batch_first`, the GRU update).

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the books and code behind the notation: Goodfellow et al. for $U, W, V$, CS231n for `Wx`, `Wh` (the
#   layout this course follows), d2l.ai in English and Chinese, Karpathy's 112-line char-RNN, PyTorch's layout.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### References, continued
#
# - D. Britz, "Recurrent Neural Networks Tutorial", parts 1-4, WildML (2015): the first source in the mapping table.
# - C. Olah, "Understanding LSTM Networks" (2015): $W \cdot [h_{t-1}, x_t]$.
# - A. Ng, *Sequence Models* (deeplearning.ai, Coursera): its GRU writes the update gate the other way round.
# - K. Cho et al., "Learning phrase representations using RNN encoder-decoder for statistical machine translation",
#   EMNLP 2014: the GRU, with $h_t = z \odot h_{t-1} + (1 - z) \odot \tilde h_t$.
# - R. Pascanu, T. Mikolov, Y. Bengio, "On the difficulty of training recurrent neural networks", ICML 2013.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the tutorials and papers of the mapping tables: WildML, Olah, deeplearning.ai, Cho et al.'s GRU and
#   Pascanu et al., whose paper is the backbone of lesson 03.
