# %% [markdown] slideshow={"slide_type": "skip"} tags=["colab"]
# **[Open in Colab](https://colab.research.google.com/github/rnn-course/rnn-course/blob/main/exercises/05_language_model.ipynb)**: run this notebook in Google Colab, nothing to install.

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
# # Exercise 05: a character-level language model
#
# **Graded, 10 points.** You will train a small RNN to predict the next character of a poem and make it write.
#
# | item | points | what |
# |---|---|---|
# | `sample_next_token` | 3 | draw the next symbol, with a temperature and top-k |
# | `train_step` | 4 | one training step: loss, BPTT, clipping, update; graded on one exact step *and* on the loss it reaches |
# | `generate` | 3 | read a prime, then write one symbol at a time |
#
# **Prerequisites:** lesson 05 (language models), exercises 01 to 03.
# **Time:** about an hour.
#
#
# This time you build on the course package: its embedding, RNN, affine and loss layers, clipping and optimisers
# are all allowed (you wrote most of them yourself in exercises 01 to 03). Sampling is random, so the checks
# grade behaviour: the frequencies of many draws, greedy decoding that must match exactly, and the loss your
# training step reaches on the poem within a fixed budget of steps.

# %%
# %matplotlib inline
import numpy as np

from rnn_course import (  # noqa: F401 (the layers your train_step is built from)
    Adam,
    clip_grad_norm,
    embedding_backward,
    embedding_forward,
    rnn_backward,
    rnn_forward,
    softmax_cross_entropy,
    temporal_affine_backward,
    temporal_affine_forward,
)
from rnn_course.grading import check, check_all, hint, needs  # noqa: F401 (hint is for you to call)
from rnn_course.grading.corpus import CHARS, CORPUS, V, batch_at, decode, encode, init_params

rng = np.random.default_rng(0)  # for the examples; the checks draw their own random numbers

# %% [markdown]
# ## The corpus
#
# Jane Taylor's *The Star* (1806), lower-cased. The vocabulary is every character that occurs in it.

# %%
print(CORPUS[:120])
print(f"{len(CORPUS)} characters, vocabulary of V = {V}: {CHARS!r}")
print("the first ids:", encode(CORPUS[:12]), "->", repr(decode(encode(CORPUS[:12]))))

# %% [markdown]
# ## 1. Sampling the next symbol (3 points)
#
# The model outputs logits $z$ (one row of V scores per sequence). To *write*, draw the next symbol from
#
# $$p = \mathrm{softmax}(z / \tau).$$
#
# The **temperature** $\tau$ reshapes the distribution without changing the order of the symbols: $\tau < 1$
# sharpens it (more likely, more repetitive text), $\tau > 1$ flattens it (more surprising, more errors).
# **Top-k** sampling keeps only the $k$ most likely symbols of each row and renormalises: it never writes a
# symbol the model finds very unlikely.
#
# Write `sample_next_token(logits, rng, temperature=1.0, top_k=None)`: `logits` is (N, V), return the N sampled
# ids (integers). Draw random numbers **only** from `rng` (a `numpy.random.Generator`), so that a seed reproduces
# the text. Stay stable for logits in the hundreds, and handle every row in one go (no loop over rows needed).

# %%
def sample_next_token(logits, rng, temperature=1.0, top_k=None):
    """One id per row of logits (N, V), drawn from softmax(logits / temperature), among the top_k largest only.

    Returns ids (N,) of integers. Every random number comes from rng.
    """
    # YOUR CODE HERE
    raise NotImplementedError("write your code here")


# %%
check("sample_next_token", sample_next_token)

# %% [markdown]
# What the temperature does to one row of logits: the share of 10,000 draws that fall on each of the four most
# likely symbols.

# %%
with needs("sample_next_token"):
    row = np.array([2.0, 1.0, 0.5, 0.0, -1.0, -2.0])
    for temperature in (0.5, 1.0, 2.0):
        ids = sample_next_token(np.tile(row, (10000, 1)), np.random.default_rng(1), temperature)
        share = np.bincount(ids, minlength=row.size)[:4] / ids.size
        print(f"temperature {temperature}: " + "  ".join(f"{s:.2f}" for s in share))

# %% [markdown]
# ## 2. One training step (4 points)
#
# The model reads one character at a time and predicts the next one:
#
# $$e_t = W_{\text{embed}}[x_t], \qquad h_t = \tanh(e_t W_x + h_{t-1} W_h + b), \qquad
# z_t = h_t W_{\text{out}} + b_{\text{out}},$$
#
# for $t = 1, \dots, T$ with $h_0 = 0$, trained to minimise the mean cross-entropy of the next characters $y_t$
# (the targets are the inputs shifted by one). `params` is a dict with the keys `W_embed` (V, D), `Wx` (D, H), `Wh` (H, H), `b` (H,),
# `W_out` (H, V), `b_out` (V,); `x` and `y` are (N, T) integer arrays.
#
# Write `train_step(params, x, y, optimizer, max_norm=5.0)`:
#
# 1. forward: `embedding_forward`, `rnn_forward`, `temporal_affine_forward`, `softmax_cross_entropy`;
# 2. backward through the same layers in reverse order;
# 3. put the gradients in a dict with the **same keys** as `params` and clip them with `clip_grad_norm`;
# 4. `optimizer.step(params, grads)` (it updates `params` in place);
# 5. return the loss computed in step 1.
#
# The check compares one step exactly with a correct one, then trains from a fixed start for a fixed number of
# steps with Adam and checks the loss your step reaches.

# %%
def train_step(params, x, y, optimizer, max_norm=5.0):
    """One step of training the character model; updates params in place and returns the loss before the step."""
    # YOUR CODE HERE
    raise NotImplementedError("write your code here")


# %%
check("train_step", train_step)

# %% [markdown]
# Train it: 400 steps of Adam on random windows of 24 characters. The loss starts near $\log V$ (a uniform guess)
# and the perplexity $e^{L}$ is the number of characters the model is, in effect, still choosing between.

# %%
params = init_params(V, D=16, H=48, seed=0)
with needs("train_step"):
    optimizer = Adam(lr=0.02)
    print(f"log V = {np.log(V):.2f}")
    for step in range(400):
        x, y = batch_at(step, N=8, T=24, seed=0)
        loss = train_step(params, x, y, optimizer)
        if step % 80 == 0 or step == 399:
            print(f"step {step:3d}: loss {loss:.3f}, perplexity {np.exp(loss):.2f}")

# %% [markdown]
# ## 3. Writing (3 points)
#
# Write `generate(params, start_ids, length, rng, temperature=1.0, top_k=None)`: `start_ids` is (N, P), a *prime*
# for each of N sequences. Start from $h = 0$, run the RNN step over every symbol of the prime, then `length` times:
# compute the logits from the current state, draw the next symbol with your `sample_next_token`, keep it, and feed
# it back in as the next input. Return the `length` new symbols, (N, length), without the prime.

# %%
def generate(params, start_ids, length, rng, temperature=1.0, top_k=None):
    """Read the prime start_ids (N, P), then generate length symbols; returns ids (N, length)."""
    # YOUR CODE HERE
    raise NotImplementedError("write your code here")


# %%
check("generate", generate)

# %% [markdown]
# The trained model writing, from the prime "when the ": greedy (top_k=1), then with two temperatures and top-k.
# Greedy decoding falls into the loop "twinkle, twinkle, ..." and cannot leave it: the most likely continuation of
# a repetitive text is repetition, and the same state always gives the same next symbol. Sampling can leave it (a
# different draw continues differently), at a price: at temperature 1.5 the model starts making up words.

# %%
with needs("generate", "train_step"):
    prime = encode("when the ")[None, :]
    for label, kwargs in (("greedy", {"top_k": 1}), ("temperature 0.8", {"temperature": 0.8}),
                          ("temperature 1.5", {"temperature": 1.5}), ("top_k=3", {"top_k": 3})):
        text = decode(generate(params, prime, 80, np.random.default_rng(3), **kwargs)[0])
        print(f"--- {label}:\n{decode(prime[0])}{text}\n")

# %% [markdown]
# ## Your score

# %%
score = check_all("05_language_model")
score

# %% [markdown]
# ## Summary
#
# * A character language model is an RNN whose output at step t scores the character at step t + 1; it is
#   trained with the mean cross-entropy, and $e^{L}$ (the perplexity) measures how unsure it still is.
# * One training step: forward through every layer, backward in reverse, clip the global norm, update.
# * Generating is a loop: the state after the prime gives the first distribution; each sampled character is fed
#   back in. Temperature and top-k trade faithfulness for variety.
# * Random code is reproducible only if every random number comes from a Generator you pass in.
#
# ## Check your understanding
#
# 1. Why does the loss at step 0 come out close to $\log V$?
# 2. With temperature $\tau \to 0$, what does sampling become? And with $\tau \to \infty$?
# 3. The model reproduces long stretches of the poem with top_k=1. Is that a good language model?
#
# <details><summary>Answers</summary>
#
# 1. Small random weights give nearly equal logits, so every character gets probability about $1/V$ and the
#    loss is $-\log(1/V) = \log V$.
# 2. $\tau \to 0$: all the probability goes to the largest logit, greedy decoding. $\tau \to \infty$: every
#    symbol becomes equally likely, uniform noise.
# 3. It has memorised a 617-character text (the length printed at the top), which is what a model this size does
#    with so little data: its loss on *new* text would be much worse. Judging a language model needs held-out text.
#
# </details>
#
# ## References
#
# * A. Karpathy (2015), *The unreasonable effectiveness of recurrent neural networks* (min-char-rnn).
# * I. Sutskever, J. Martens, G. Hinton (2011), *Generating text with recurrent neural networks*, ICML.
# * A. Fan, M. Lewis, Y. Dauphin (2018), *Hierarchical neural story generation*, ACL (top-k sampling).
