# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "skip"} tags=["colab"]
# **[Open in Colab](https://colab.research.google.com/github/rnn-course/rnn-course/blob/main/notebooks/05_language_models.ipynb)**: run this notebook in Google Colab, nothing to install.

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
# # 05 · Language models and text generation
#
# **What you will learn**
# - what a **language model** is: a probability for every possible next character, and so for every text;
# - how to measure one: **cross-entropy** in nats per character and **perplexity**, against the baselines a
#   model must beat (uniform, unigram, bigram counts);
# - how a character-level RNN reads text: a **vocabulary**, **one-hot** vectors and why an **embedding** is the
#   same thing done faster;
# - how to train on a long text: **truncated BPTT across batches** with the hidden state carried over, Adam and
#   gradient clipping;
# - how to **generate** text: greedy decoding, sampling with a **temperature** $\tau$, **top-k**; and why greedy
#   text repeats itself;
# - a vanilla RNN against an LSTM on the same text and the same budget.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: today a character-level language model of four Shakespeare plays, trained with the tools of lessons
#   02-04, then used to write text. Two honest results on the way: the LSTM beats the vanilla RNN, and a count
#   model that needs no training beats both on this corpus.
# - **Ask**: your phone suggests the next word as you type. What is it computing?
# - **Answer**: a language model: a probability for every possible next word given the words so far; it shows
#   the likeliest few.

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Prerequisites**: lessons 01–04 (the recurrence, BPTT and its truncation, clipping, LSTM/GRU); softmax and
# cross-entropy.
#
# **Time**: 45–60 minutes. The notebook runs top to bottom in well under a minute: the default training run is
# short on purpose. Set `LONG_RUN = True` below for 8x the training steps (a few minutes), and see section 6 for
# what that buys on this corpus.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the training run is short on purpose, so that the notebook runs in class; `LONG_RUN = True` trains
#   8x longer, and section 6 says what that buys on this corpus (not the lead over the count model).
# - **Ask**: which idea of lesson 02 do we need to train on a whole text of several plays?
# - **Answer**: truncated BPTT: the text is far too long to back-propagate through at once, so section 3 cuts it
#   into chunks and carries the state from one chunk to the next.

# %% slideshow={"slide_type": "skip"}
# %matplotlib inline
import time

import numpy as np

from rnn_course import use_blas_threads
from rnn_course.demos import temperature_demo
from rnn_course.models import CharLanguageModel, Model
from rnn_course.optim import Adam
from rnn_course.plots import new_figure, plot_lm_curves, plot_temperature
from rnn_course.sampling import entropy, sample_next, temperature_probs
from rnn_course.text import (
    CharNGramModel,
    CharVocab,
    TextBatches,
    known_word_fraction,
    load_corpus,
    ngram_baselines,
    split_ids,
)
from rnn_course.train import fit

# One BLAS thread for numpy's matrix products: an RNN multiplies small matrices one step at a time,
# and a second thread costs more than it saves (the docstring of rnn_course.blas says why).
use_blas_threads(1)

LONG_RUN = False  # True: 8x more training steps (a few minutes); section 6 checks what they buy

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The task: predict the next character
#
# A language model gives the probability of a text of $T$ characters $x_1, \dots, x_T$ by the chain rule, one
# character at a time:
#
# $$p(x_1, x_2, \dots, x_T) = \prod_{t=1}^{T} p(x_t \mid x_1, \dots, x_{t-1}).$$
#
# An RNN fits this exactly: its hidden state $h_t$ summarises $x_1 \dots x_t$, and a softmax on top of it gives
# $p(x_{t+1} \mid x_{\le t})$. This is the **many-to-many, synced** pattern of lesson 01 where the target
# sequence is the input shifted by one.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the chain rule of probability turns "the probability of a text" into a product of next-character
#   predictions, and an RNN makes exactly those, one per step, from a state $h_t$ that summarises what it has
#   read.
# - **Ask**: which input/output pattern of lesson 01 is this, and what is the target at step $t$?
# - **Answer**: many-to-many, synced; the target at step $t$ is $x_{t+1}$, the next character of the same text
#   (the input shifted by one).

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The loss: cross-entropy and perplexity
#
# We train it to make the text it reads likely. The per-step loss is the **negative log-likelihood** of the
# character that really comes next, i.e. the cross-entropy between it and the prediction; we report the total
# $L$ divided by the number of characters:
#
# $$L_t = -\ln p(x_{t+1} \mid x_{\le t}), \qquad L = \sum_t L_t, \qquad
# \frac{L}{T}\ \text{in nats per character},\qquad \text{perplexity} = e^{L/T}.$$
#
# Perplexity reads as "the model is as unsure as if it chose uniformly among $e^{L/T}$ characters".

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the loss is the model's surprise at the character that really came next, $-\ln p$, summed into $L$
#   and divided by the number of characters. Perplexity turns it back into "as unsure as a uniform choice among
#   so many characters".
# - **Ask**: a model always gives the right next character probability one half. What are its loss per
#   character and its perplexity?
# - **Answer**: $\ln 2$ nats per character and a perplexity of 2: a coin toss between two characters.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The corpus
#
# Four plays by Shakespeare ship with the package (public domain; see `rnn_course/data/README.txt`), so nothing
# is downloaded. We keep the last 10% — the last third of *Hamlet* — for validation. The split is contiguous:
# shuffling characters would leak every context into the validation set.

# %%
text = load_corpus("shakespeare")
vocab = CharVocab.from_text(text)
ids = vocab.encode(text)
train_ids, val_ids = split_ids(ids, val_fraction=0.1)
print(f"{len(text):,} characters, vocabulary of V = {vocab.size}")
print(f"train {len(train_ids):,}, validation {len(val_ids):,}")
print(repr(vocab.chars))

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: four plays ship with the package, nothing is downloaded. Validation is the last tenth (the last
#   third of *Hamlet*, asserted), kept as one block.
# - **Ask**: what does the printed vocabulary tell you about what the model must predict?
# - **Answer**: one of $V$ characters at every step: lower- and upper-case letters (speakers' names are in
#   capitals), punctuation, a few digits, the space and the newline; a newline is a character to predict like
#   any other.

# %% slideshow={"slide_type": "skip"}
# Hamlet is the last play: the validation text is its last third; the training text is about 480,000 characters
hamlet = len(text) - text.index("HAMLET, PRINCE OF DENMARK")
print(f"validation: the last {len(val_ids) / hamlet:.0%} of Hamlet ({hamlet:,} characters)")
assert abs(len(val_ids) / hamlet - 1 / 3) < 0.05 and abs(len(train_ids) - 480_000) < 10_000

# %% slideshow={"slide_type": "subslide"}
print(text[9500:9900])

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: what the model must learn: a speaker's name in capitals on its own line, stage directions in
#   brackets, verse broken into short lines, Elizabethan spelling.
# - **Ask**: which of these needs more than the last few characters?
# - **Answer**: who speaks next, or closing a bracket opened long before; spelling and line breaks mostly need
#   only a few characters (section 6 shows how far four characters go).

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What "good" means: three baselines
#
# - **uniform**: every character equally likely, $\ln V$ nats — a model that learned nothing;
# - **unigram**: $p(x_t)$ from character counts — knows that `e` is common and `Z` rare;
# - **bigram**: $p(x_t \mid x_{t-1})$ from counts of pairs — knows that `q` is followed by `u`.
#
# The bigram model is two lines of NumPy; `ngram_baselines` adds a little smoothing so that a pair never seen in
# training costs a finite amount.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: a loss means something only next to what a model that knows nothing, or very little, would score.
#   Each baseline knows one more thing than the one before.
# - **Ask**: why smooth the counts? What would a pair never seen in training cost without smoothing?
# - **Answer**: probability 0, so a loss of $-\ln 0$, infinite: one unseen pair in the validation text would make
#   the whole validation loss infinite.

# %% slideshow={"slide_type": "subslide"}
pairs = np.full((vocab.size, vocab.size), 0.1)  # add-0.1 smoothing
np.add.at(pairs, (train_ids[:-1], train_ids[1:]), 1.0)  # count every (previous, next) pair
bigram = pairs / pairs.sum(axis=1, keepdims=True)  # row c: p(next | c)
print(f"bigram by hand: {-np.log(bigram[val_ids[:-1], val_ids[1:]]).mean():.3f} nats/char")

baselines = ngram_baselines(train_ids, val_ids, vocab.size)
for name, nats in baselines.items():
    print(f"{name:>8}: {nats:.3f} nats/char   perplexity {np.exp(nats):5.1f}")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the bigram by hand in two lines (add 0.1 to every pair, count, normalise each row) is the package's
#   bigram (asserted to $10^{-3}$). Each baseline is at least half a nat per character below the one before
#   (asserted); uniform is exactly $\ln V$.
# - **Ask**: why `np.add.at` and not `pairs[prev, next] += 1`?
# - **Answer**: with repeated index pairs, `+=` on a fancy index adds once per distinct pair; `np.add.at` counts
#   every occurrence.
# - **Say**: keep these three lines in mind: every model today is judged against them.

# %% slideshow={"slide_type": "skip"}
# The two lines by hand are the package's bigram; uniform is ln V; each baseline knows more than the one before.
assert abs(-np.log(bigram[val_ids[:-1], val_ids[1:]]).mean() - baselines["bigram"]) < 1e-3
assert baselines["uniform"] == np.log(vocab.size)
assert baselines["uniform"] > baselines["unigram"] + 0.5 > baselines["bigram"] + 1.0

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The model
#
# At each step the model reads one character $x_t$ (as a vector: see below), updates its state, and scores every
# character of the vocabulary:
#
# $$h_t = \mathrm{cell}(x_t, h_{t-1}), \qquad y_t = h_t W_y + b_y \in \mathbb{R}^V, \qquad
# p(x_{t+1} \mid x_{\le t}) = \mathrm{softmax}(y_t).$$
#
# (In the code $W_y, b_y$ are `W_out`, `b_out`, and the scores $y_t$ are called logits.)

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: any cell of lessons 01-04 computes $h_t$; an affine read-out $y_t = h_t W_y + b_y$ gives one score
#   per character, and the softmax turns the scores into the next character's probabilities. In the code $W_y,
#   b_y$ are `W_out`, `b_out`, and $y_t$ are the logits.
# - **Ask**: with $H$ units and a vocabulary of $V$ characters, what is the shape of $W_y$?
# - **Answer**: $(H, V)$: each unit's weight towards each character's score.

# %% [markdown] slideshow={"slide_type": "subslide"}
# **One-hot or embedding?** The one-hot vector of character $k$ has a 1 in position $k$ and zeros elsewhere, so
# multiplying it by $W_x$ just picks row $k$ of $W_x$. An embedding layer does that lookup directly, without
# building the $V$-wide vectors: the same function, cheaper. With a separate embedding matrix $E$ ($V\times D$) the
# input projection becomes $E[k]\,W_x$, a factorisation of $W_x$ through $D$ dimensions.

# %%
W_x = np.random.default_rng(0).standard_normal((vocab.size, 4))
k = vocab["e"]
one_hot = np.eye(vocab.size)[k]
print("one_hot @ W_x  :", one_hot @ W_x)
print("W_x[k] (lookup):", W_x[k])

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: `one_hot @ W_x` and `W_x[k]` print the same row (asserted equal, exactly).
# - **Say**: an embedding is not a new idea, only a faster one: the lookup skips multiplying $V - 1$ zeros.
# - **Ask**: with one-hot inputs, which rows of $W_x$ get a gradient from step $t$?
# - **Answer**: only row $k$, the character read at step $t$: the gradient $x_t^\top \, da_t$ is zero in every
#   other row. Characters absent from a batch give their rows no gradient in that batch.

# %% slideshow={"slide_type": "skip"}
assert np.array_equal(one_hot @ W_x, W_x[k])  # the product picks row k, exactly

# %% [markdown] slideshow={"slide_type": "subslide"}
# `CharLanguageModel` puts the pieces of the earlier lessons together: the input (one-hot, or an embedding with
# `embedding_dim=`), a cell from `rnn_course.cells`, a temporal affine layer and the softmax cross-entropy, each
# with its hand-written backward pass (the tests gradient-check the whole model through its loss). An LSTM with
# 128 units:

# %%
lstm = CharLanguageModel(vocab, H=128, cell="lstm", seed=0)
lstm

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the model's printout lists each array with its shape: the LSTM's `Wx` and `Wh` have $4H$ columns.
# - **Ask**: why $4H$?
# - **Answer**: one block of $H$ columns per gate, $i, f, g, o$ (lesson 04), computed in one product.
# - **Say**: every backward pass in this model is the hand-written one of the earlier lessons, and the tests
#   gradient-check the whole model through its loss.

# %% slideshow={"slide_type": "skip"}
assert lstm.params["Wx"].shape[1] == lstm.params["Wh"].shape[1] == 4 * 128  # one block of H columns per gate

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Training on a long text: truncated BPTT across batches
#
# Back-propagating through 480,000 characters at once is impractical (every state would have to be kept for the
# backward pass), and cutting the text into independent snippets would make the model forget everything at each
# cut. The standard compromise (Williams & Peng 1990; Mikolov 2012; Karpathy's char-rnn):
#
# 1. cut the text into $N$ long **lanes** (row $n$ of every batch comes from lane $n$);
# 2. batch $k$ holds characters $kT \dots kT+T-1$ of every lane, so **row $n$ of batch $k+1$ continues row $n$
#    of batch $k$**;
# 3. the final hidden state of a batch becomes the initial state of the next one — the model *remembers* across
#    batches — but it is treated as a constant: the gradient stops at the batch boundary (BPTT truncated to
#    $T$ steps, the "chunk" mode of lesson 02).
#
# `TextBatches` yields `(x, y, reset)`; `CharLanguageModel.loss` carries its state over between calls and starts
# from zeros where `reset` is true (at the start of every pass over the text).

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: three rules: lanes of text, consecutive chunks in consecutive batches, the state carried over but
#   the gradient cut at each batch boundary. The model can *use* memory from before the chunk; it gets no
#   gradient for *storing* it.
# - **Ask**: why not shuffle the chunks, as we shuffle images in a mini-batch?
# - **Answer**: the carried state would then come from an unrelated piece of text. The lanes make row $n$ of
#   batch $k+1$ the continuation of row $n$ of batch $k$.

# %% slideshow={"slide_type": "subslide"}
batches = TextBatches(train_ids, batch_size=32, seq_len=32)
print(batches)
first, second = (batch for batch, _ in zip(batches, range(2)))
for name, (x, y, reset) in (("batch 0", first), ("batch 1", second)):
    print(f"{name}, lane 1: x = {vocab.decode(x[1])!r}")
    print(f"{' ' * len(name)}          y = {vocab.decode(y[1])!r}   reset = {reset[1]}")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: lane 1 of batch 1 starts exactly where lane 1 of batch 0 stopped, and `y` is `x` shifted by one
#   (both asserted). `reset` is true in the first batch of a pass over the text only.
# - **Ask**: what does `reset = True` do?
# - **Answer**: that row starts from a zero state, as at the start of the text; every other row starts from the
#   previous batch's final state.

# %% slideshow={"slide_type": "skip"}
# y is x shifted by one, and every lane of batch 1 starts where the same lane of batch 0 stopped
assert np.array_equal(first[1][:, :-1], first[0][:, 1:]) and np.array_equal(second[0][:, 0], first[1][:, -1])
assert first[2].all() and not second[2].any()  # reset: the first batch of a pass only

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The training run
#
# Adam (learning rate $2\cdot10^{-2}$) and clipping of the global gradient norm at 5 (lesson 03). Every 100 steps
# we measure the cross-entropy on the first 10,000 validation characters; at the end, on all of them.
# `fit` shows a progress bar in Jupyter and stays silent in a CI log.

# %%
STEPS = 3200 if LONG_RUN else 400
probe = val_ids[:10_000]


def evaluate(model):
    return {"val_loss": model.cross_entropy(probe)}


lstm_history = fit(lstm, TextBatches(train_ids, batch_size=32, seq_len=32), steps=STEPS, optimizer=Adam(2e-2),
                   clip=5.0, evaluate=evaluate, eval_every=100, seed=0, desc="LSTM")
print(lstm_history)

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: Adam and clipping of the global gradient norm (lesson 03); a validation probe every 100 steps.
# - **Ask**: why clip when training a language model?
# - **Answer**: products of recurrent Jacobians (lesson 03) explode now and then; one huge step can undo
#   training. Clipping the global norm bounds the step and keeps its direction.

# %% slideshow={"slide_type": "subslide"}
lstm_val = lstm.cross_entropy(val_ids)
print(f"LSTM: {STEPS} steps ({STEPS * 32 * 32:,} characters) in {lstm_history.seconds:.1f} s; "
      f"validation {lstm_val:.3f} nats/char, perplexity {np.exp(lstm_val):.2f}")
print(f"that is {baselines['bigram'] - lstm_val:.2f} nats/char below the bigram baseline "
      f"(perplexity {np.exp(baselines['bigram']):.1f} -> {np.exp(lstm_val):.1f})")
print(f"the first training batch cost {lstm_history.loss[0]:.3f} nats/char; uniform is ln V = {np.log(vocab.size):.3f}")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the validation loss and its perplexity; the LSTM is more than 0.3 nats per character below the
#   bigram (asserted), and its first training batch cost $\ln V$ to within 0.1 (asserted).
# - **Ask**: the LSTM is well below the bigram. What does that tell you it uses?
# - **Answer**: more than the previous character: its state carries context from further back.

# %% slideshow={"slide_type": "skip"}
assert lstm_val < baselines["bigram"] - 0.3  # the text below relies on it
assert abs(lstm_history.loss[0] - np.log(vocab.size)) < 0.1  # an untrained model is close to uniform (question 2)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Loss and perplexity against the baselines
#
# The left panel is in nats per character, the right one in perplexity (the same curves through $e^x$, on a log
# axis). Once the validation loss is below the bigram line, the model uses more context than the previous
# character.

# %% slideshow={"slide_type": "skip"}
lm_figure, axes = new_figure(figsize=(12, 4.3), ncols=2)
plot_lm_curves({"LSTM": lstm_history}, baselines, ax=axes[0])
plot_lm_curves({"LSTM": lstm_history}, baselines, ax=axes[1], unit="perplexity")

# %%
lm_figure

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: left in nats per character, right the same curves as perplexity on a log axis; the horizontal
#   lines are the three baselines. The curves cross the bigram line early in training.
# - **Ask**: at the end the training curve lies below the validation curve. A problem?
# - **Answer**: a small gap is normal (the model has seen the training text). The warning sign is a validation
#   loss that rises while the training loss falls: overfitting, which lesson 06 provokes and cures with dropout.

# %% slideshow={"slide_type": "skip"}
# The validation curve is below the bigram line from its first measurement (step 100), and at the end the
# training curve (the plot's running mean) lies below the validation curve.
assert lstm_history.metrics["val_loss"][0] < baselines["bigram"]
assert lstm_history.smoothed_loss(25)[-1] < lstm_history.metrics["val_loss"][-1]

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Generating text
#
# To generate, feed the model a **prime**, then repeatedly pick a next character from its distribution and feed
# that character back in as the next input. *How* you pick is a choice:
#
# - **greedy**: always the most likely character (temperature 0);
# - **sampling** from $\mathrm{softmax}(y_t / \tau)$ with a **temperature** $\tau$: $\tau=1$ is the model's own
#   distribution, $\tau<1$ sharpens it, $\tau>1$ flattens it;
# - **top-k**: sample only among the $k$ most likely characters (Fan et al. 2018).
#
# The whole generation loop, as `CharLanguageModel.sample` runs it (one step of the cell per character):
#
# ```python
# logits, state = model.next_logits(prime_ids[None, :])        # read the prime
# for t in range(length):
#     x_next = sample_next(logits[0], temperature=tau, top_k=k, rng=rng)
#     logits, state = model.next_logits(np.array([[x_next]]), state)  # feed the choice back in
# ```

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: generation runs the language model in a loop on its own choices. *How* we pick from the
#   distribution is a choice separate from the model: greedy, sampling at a temperature $\tau$ (the scores $y_t$
#   divided by $\tau$), top-k.
# - **Ask**: what does sampling become as $\tau \to 0$, and as $\tau \to \infty$?
# - **Answer**: greedy decoding (the argmax every time), and uniformly random characters.

# %% slideshow={"slide_type": "subslide"}
prime = "MACBETH.\n"
samples = {tau: lstm.sample(200, prime=prime, temperature=tau, rng=1) for tau in (0.0, 0.5, 1.0)}
for tau in (0.0, 0.5):
    print(f"----- temperature {tau} -----\n{prime}{samples[tau]}\n")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the greedy text falls into a loop; at $\tau = 0.5$ the text varies and keeps Shakespeare's layout
#   (how many of its words are real is measured two slides on).
# - **Ask**: why does greedy decoding loop when sampling does not?
# - **Answer**: once a phrase is the most likely continuation of itself, greedy repeats it for ever: nothing
#   random breaks the cycle. A sample leaves the loop as soon as a less likely character is drawn.

# %% slideshow={"slide_type": "subslide"}
print(f"----- temperature 1.0 -----\n{prime}{samples[1.0]}")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: at $\tau = 1$ the layout is right (names in capitals, short lines) but many words are invented.
#   The skipped cell checks that 1,000 greedy characters on the text is still in a loop, and that this sample
#   has none.
# - **Ask**: is this the model at its worst?
# - **Answer**: it is the model's own distribution, unaltered: everything it is unsure about shows. A lower
#   $\tau$ hides that uncertainty; it does not remove it.


# %% slideshow={"slide_type": "skip"}
def loop_length(text, tail=100):
    """The shortest p such that the last ``tail`` characters repeat with period p (None: no loop)."""
    end = text[-tail:]
    return next((p for p in range(1, tail // 2 + 1) if end[p:] == end[:-p]), None)


greedy_long = lstm.sample(1000, prime=prime, temperature=0.0)  # a better model may take longer to fall into one
print(f"greedy text, 1,000 characters on, repeats a loop of {loop_length(greedy_long, tail=400)} characters: "
      f"{greedy_long[-40:]!r}")
assert loop_length(greedy_long, tail=400) is not None and loop_length(samples[1.0]) is None
assert loop_length(samples[0.5]) is None  # at tau = 0.5 the text varies too

# %% [markdown] slideshow={"slide_type": "subslide"}
# Greedy text gets stuck in a loop: once a phrase is the most likely continuation of itself, nothing random breaks
# the cycle. At $\tau=1$ the text is varied but noisier; $\tau\approx0.5$ is the usual compromise. How many of the
# generated words are real words? Here is the fraction of words of three letters or more that occur somewhere in
# the training text, for samples of 2,000 characters (and for the bigram model's samples, drawn from its counts):

# %% slideshow={"slide_type": "skip"}
def bigram_sample(n, rng):
    """n characters drawn from the bigram counts above, each given the one before."""
    out = [vocab["\n"]]
    for _ in range(n):
        out.append(rng.choice(vocab.size, p=bigram[out[-1]]))
    return vocab.decode(np.array(out[1:]))


rng = np.random.default_rng(0)
train_text = vocab.decode(train_ids)

# %%
long_samples = {tau: lstm.sample(2000, prime=prime, temperature=tau, rng=2) for tau in (0.5, 1.0)}
word_rates = {f"LSTM, tau = {tau}": known_word_fraction(sample, train_text) for tau, sample in long_samples.items()}
word_rates["bigram counts"] = known_word_fraction(bigram_sample(2000, rng), train_text)
word_rates["uniform random characters"] = known_word_fraction(
    vocab.decode(rng.integers(0, vocab.size, 2000)), train_text)
for name, rate in word_rates.items():
    print(f"{name:>26}: {rate:.0%} of the words are real words")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the share of real words: the LSTM at $\tau = 0.5$, the LSTM at $\tau = 1$, the bigram's samples,
#   random characters, each clearly below the one before (more than 5 points apart, asserted).
# - **Ask**: more real words at $\tau = 0.5$: is it a better model?
# - **Answer**: it is the same model; $\tau$ changes how we sample, not what the model knows. A lower $\tau$
#   buys real words with less variety, and at the extreme with loops.

# %% slideshow={"slide_type": "skip"}
rates = list(word_rates.values())  # LSTM at 0.5, LSTM at 1.0, bigram, uniform: each clearly below the one before
assert all(a > b + 0.05 for a, b in zip(rates, rates[1:])), word_rates
# at tau = 1 many words are invented: more than half at this budget, over a fifth even with LONG_RUN
assert word_rates["LSTM, tau = 1.0"] < (0.8 if LONG_RUN else 0.5)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What temperature does to the distribution
#
# Dividing the scores by $\tau$ before the softmax is the same as raising every probability to the power $1/\tau$
# and renormalising: $\tau\to0$ puts all the mass on the argmax, $\tau\to\infty$ makes the distribution uniform.
# The entropy (in nats) measures how spread it is; $\ln V$ is the maximum.

# %%
context = "MACBETH.\nI have done the dee"
logits, _ = lstm.next_logits(vocab.encode(context)[None, :])
entropies = {tau: entropy(temperature_probs(logits[0], tau)) for tau in (0.25, 0.5, 1.0, 2.0)}
for tau, nats in entropies.items():
    print(f"tau = {tau:4}: entropy {nats:.2f} nats (max ln V = {np.log(vocab.size):.2f})")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: dividing the scores by $\tau$ is raising every probability to the power $1/\tau$ and renormalising
#   (the skipped cell checks it for each $\tau$). The entropy grows with $\tau$ and stays below $\ln V$
#   (asserted).
# - **Ask**: at which $\tau$ is the entropy the model's own?
# - **Answer**: $\tau = 1$: the distribution the model was trained to produce.

# %% slideshow={"slide_type": "skip"}
for tau in entropies:  # softmax(y / tau) is p^(1/tau), renormalised
    powered = temperature_probs(logits[0], 1.0) ** (1 / tau)
    assert np.allclose(temperature_probs(logits[0], tau), powered / powered.sum())
assert all(np.diff(list(entropies.values())) > 0) and entropies[2.0] < np.log(vocab.size)

# %% slideshow={"slide_type": "subslide"}
plot_temperature(logits[0], vocab.chars, temperatures=(0.5, 1.0, 2.0), context=context)

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: after "...done the dee": at $\tau = 0.5$ the likeliest characters grow and the tail shrinks; at
#   $\tau = 2$ the bars flatten towards each other.
# - **Ask**: top-k with $k = 3$ at $\tau = 2$: what is left of the distribution?
# - **Answer**: the three likeliest characters, made more alike by the high $\tau$, and nothing else: variety
#   among safe choices only.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Demo: the temperature slider
#
# Move the temperature and watch both the distribution (left) and the text (right) change; `top-k` cuts the tail,
# `seed` draws another sample at the same settings. (Without a widget front end you see the figure at the
# starting values.) Lecturers: `temperature_demo()` with no model starts instantly with a 5-gram count model of
# the same corpus; `presenter=True` makes everything bigger.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: in the notebook the demo is live: the slider samples new text and redraws the distribution. The
#   lecture demo deck has it with presets (greedy, $\tau = 0.5$, 1, 2, and $\tau = 1.5$ with top-5).
# - **Ask**: before moving the slider: what will the text look like at $\tau = 2$?
# - **Answer**: the layout dissolves: the flattened distribution draws many unlikely characters, so invented words
#   and stray punctuation appear.

# %% slideshow={"slide_type": "subslide"}
temperature_demo(model=lstm, prime=prime, temperature=0.5)

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: drag $\tau$ from 0 to 2: the bars flatten and the text goes from a loop to noise. Then a high $\tau$
#   with top-k = 5: the tail is cut and the text recovers. **seed** draws another sample at the same settings.
# - **Ask**: with top-k = 1, does $\tau$ matter?
# - **Answer**: no: one character is left, so it is greedy decoding whatever $\tau$ (question 5 at the end).

# %% slideshow={"slide_type": "skip"}
# A high temperature with and without top-5 (the lecture deck's preset, tau = 1.5): cutting the tail brings back
# real words
hot = {k: known_word_fraction(lstm.sample(2000, prime=prime, temperature=1.5, top_k=k, rng=2), train_text)
       for k in (None, 5)}
print(f"tau = 1.5: {hot[None]:.0%} real words; with top-5: {hot[5]:.0%}")
assert hot[5] > hot[None] + 0.15  # at this budget and with LONG_RUN

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Vanilla RNN against LSTM
#
# The same text, hidden size, optimiser, learning rate, clipping, number of steps and batches. The vanilla tanh
# RNN has a quarter of the LSTM's cell parameters (one block of $W_x, W_h, b$ where the LSTM has four), so its
# cell does a quarter of the matrix work at each step.

# %%
rnn = CharLanguageModel(vocab, H=128, cell="rnn", seed=0)
rnn_history = fit(rnn, TextBatches(train_ids, batch_size=32, seq_len=32), steps=STEPS, optimizer=Adam(2e-2),
                  clip=5.0, evaluate=evaluate, eval_every=100, seed=0, desc="vanilla RNN")
print(rnn_history)

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: everything is the same except the cell. The vanilla cell has one block of $W_x, W_h, b$ where the
#   LSTM has four (the skipped cell checks the quarter).
# - **Ask**: predict: which ends lower after the same number of steps, and which has the cheaper steps?
# - **Answer**: the next slide: the LSTM ends lower, the vanilla RNN's steps are cheaper.


# %% slideshow={"slide_type": "skip"}
def cpu_ms_per_step(model, repeats=7):
    """CPU time of one training step's forward and backward pass (the fastest of a few: the machine may be busy)."""
    x, y, _ = first
    times = []
    for _ in range(repeats):
        start = time.process_time()
        model.loss((x, y))
        times.append(time.process_time() - start)
    return 1000 * min(times)


def multiply_adds_per_step(model):
    """Multiply-adds of one training step's matrix products, counted from the weights: forward x_t W_x, h_{t-1} W_h
    and h_t W_out at each of the N T positions, and backward two products for each (one for the gradient of the
    input, one for the weight's), so three times the forward count."""
    x, _, _ = first
    N, T = x.shape[:2]
    return 3 * N * T * sum(model.params[name].size for name in ("Wx", "Wh", "W_out"))


# %% slideshow={"slide_type": "subslide"}
rnn_val = rnn.cross_entropy(val_ids)
print(f"{'':>12} {'parameters':>10} {'seconds':>8} {'ms/step':>8} {'validation':>11} {'perplexity':>10}")
for name, model, history, val in (("vanilla RNN", rnn, rnn_history, rnn_val), ("LSTM", lstm, lstm_history, lstm_val)):
    print(f"{name:>12} {model.num_params:>10,} {history.seconds:>8.1f} {1000 * history.seconds / STEPS:>8.1f} "
          f"{val:>11.3f} {np.exp(val):>10.2f}")
step_ms = {"vanilla RNN": cpu_ms_per_step(rnn), "LSTM": cpu_ms_per_step(lstm)}
step_work = {"vanilla RNN": multiply_adds_per_step(rnn), "LSTM": multiply_adds_per_step(lstm)}
print("per step (forward and backward):", {k: f"{step_work[k] / 1e6:.1f} M multiply-adds, {v:.1f} ms CPU"
                                           for k, v in step_ms.items()})

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the LSTM's validation loss is below the vanilla RNN's, and both are below the bigram (asserted).
#   The LSTM's step does more than three times the vanilla RNN's multiply-adds (counted and asserted); its CPU
#   time on this machine is printed beside the count.
# - **Ask**: why count multiply-adds rather than read the `seconds` column?
# - **Answer**: the count is the same on every machine; a time depends on the machine and on what else it is
#   running (wall time includes waiting for other processes, which is why the printed CPU time is the fastest of
#   seven repeats, in `process_time`).

# %% slideshow={"slide_type": "skip"}
assert lstm_val < rnn_val < baselines["bigram"]  # the text below relies on it
assert rnn.params["Wh"].size * 4 == lstm.params["Wh"].size and rnn.params["Wx"].size * 4 == lstm.params["Wx"].size
assert step_work["LSTM"] > 3 * step_work["vanilla RNN"]  # four gates' worth of W_x, W_h; the same read-out

# %% slideshow={"slide_type": "skip"}
cells_figure, ax = new_figure(figsize=(7.5, 4.3))
plot_lm_curves({"vanilla RNN": rnn_history, "LSTM": lstm_history}, baselines, ax=ax,
               title="Vanilla RNN and LSTM, same steps and batches")

# %% slideshow={"slide_type": "subslide"}
cells_figure

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the same batches for both (the training curves cross each other at first); the LSTM's validation
#   curve ends below the vanilla RNN's (asserted).
# - **Ask**: is this a fair comparison?
# - **Answer**: fair in steps, not in time or in parameters: the LSTM has more parameters and more work per
#   step. With the same training time the vanilla RNN would get more steps.

# %% slideshow={"slide_type": "skip"}
# The plotted training curves (running means) cross each other in the first 100 steps; in the second half the
# LSTM's is below the vanilla RNN's at every step, and its last validation measurement is lower.
lead = lstm_history.smoothed_loss(25) - rnn_history.smoothed_loss(25)
assert (lead[:100] > 0).any() and (lead[:100] < 0).any() and (lead[STEPS // 2:] < 0).all()
assert lstm_history.metrics["val_loss"][-1] < rnn_history.metrics["val_loss"][-1]

# %% [markdown] slideshow={"slide_type": "subslide"}
# At the same number of steps the LSTM ends lower, but each of its steps costs more (more than three times the
# multiply-adds): with the same training *time* the vanilla RNN would get more steps. With $T = 32$ most of what a
# character-level model needs (the current word, the line so far) lies within a few characters, where a vanilla
# RNN's gradient has not yet vanished (section 6 shows how far four characters of context go). Karpathy, Johnson
# & Fei-Fei (2016) found LSTMs and GRUs ahead of the vanilla RNN on character-level text, and traced the LSTM's
# lead over n-gram models to long-range structure, such as a quote or bracket closed many characters later.
# A sample of the vanilla RNN at $\tau = 0.5$:

# %%
print(prime + rnn.sample(250, prime=prime, temperature=0.5, rng=1))

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: with chunks of 32 characters, most of what a character model needs lies a few characters back,
#   where a vanilla RNN's gradient has not yet vanished. Karpathy, Johnson & Fei-Fei (2016) trace the LSTM's
#   lead over n-gram models to long-range structure.
# - **Ask**: name something in this corpus that needs a long memory.
# - **Answer**: closing a stage direction's bracket, or naming as the next speaker someone who is in the scene.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Two things to keep in perspective
#
# **Counting is a strong baseline on small data.** A character 5-gram model (counts of 5-character windows, with
# Witten-Bell interpolation down to shorter contexts) needs no training at all. Four characters of context take it
# far below the bigram, and on this corpus it beats the LSTM we trained above:

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the honest result of the lesson: a count model, with no training at all, beats the LSTM we trained.
# - **Ask**: how many characters of context does a 5-gram model use to predict the next one?
# - **Answer**: four: the 5-character window is those four plus the one it predicts.

# %% slideshow={"slide_type": "subslide"}
start = time.perf_counter()
five_gram = CharNGramModel(train_ids, vocab.size, order=5, chars=vocab.chars)
print(f"5-gram model built in {time.perf_counter() - start:.2f} s")
ngram_probe = {n: CharNGramModel(train_ids, vocab.size, order=n).cross_entropy(probe) for n in (2, 3, 4, 6)}
ngram_probe[5] = five_gram.cross_entropy(probe)
lstm_probe = lstm.cross_entropy(probe)
for n in sorted(ngram_probe):
    print(f"{n}-gram on the validation probe: {ngram_probe[n]:.3f} nats/char")
print(f"LSTM after {STEPS} steps: {lstm_probe:.3f} nats/char")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: 2- to 6-gram models on the validation probe, and the LSTM. The 5-gram is more than half a nat below
#   the bigram, the 6-gram is worse than the 5-gram, and the LSTM is behind the 5-gram by more than 0.1 nats at
#   this budget (all asserted).
# - **Ask**: why is the 6-gram worse than the 5-gram?
# - **Answer**: most 6-character windows occur too rarely in the training text to estimate what follows them;
#   one more character of context costs more in noisy counts than it brings.

# %% slideshow={"slide_type": "skip"}
assert ngram_probe[5] < ngram_probe[2] - 0.5  # four characters of context go a long way
assert ngram_probe[6] > ngram_probe[5]  # five are too many: most 6-character windows are seen too rarely
assert ngram_probe[5] < lstm_probe  # the count model wins (by more than 0.1 nats/char at the default budget)
assert ngram_probe[5] < rnn.cross_entropy(probe)  # and beats the vanilla RNN too
if not LONG_RUN:
    assert ngram_probe[5] < lstm_probe - 0.1
windows = np.unique(np.lib.stride_tricks.sliding_window_view(train_ids, 6), axis=0, return_counts=True)[1]
print(f"{np.mean(windows == 1):.0%} of the {len(windows):,} distinct 6-character windows of the training text "
      "occur once")
assert np.mean(windows == 1) > 0.5  # most 6-character windows are seen once

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Does more training change that?** Run the notebook with `LONG_RUN = True`: 8x the steps bring the LSTM much
# closer, but on this corpus they do not take it past the 5-gram. Over the second half of that run its validation
# loss has almost stopped falling while its training loss keeps going down: the extra steps fit the four training
# plays better, not the language (the cell below measures both, and checks them when `LONG_RUN` is on).

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: with `LONG_RUN = True` the LSTM gets much closer but stays behind the 5-gram, and over the second
#   half of that run the training loss falls more than twice as much as the validation loss (checked when
#   `LONG_RUN` is on).
# - **Ask**: what does "training loss falling, validation loss flat" mean?
# - **Answer**: the extra steps fit these four plays, not the language. The remedy is more data or
#   regularisation (dropout, lesson 06), not more steps.

# %% [markdown] slideshow={"slide_type": "subslide"}
# The count model has its own limits: it cannot generalise beyond windows it has seen, its table grows with the
# data, and its context is fixed (one more character already makes it worse, above). The RNN has a fixed number
# of parameters and an unbounded context. What made RNN language models overtake count models was more data, larger
# models and regularisation (dropout, lesson 06), not more steps on half a million characters: Mikolov et al.
# (2010) beat 5-gram models on word-level speech-recognition data, and Karpathy, Johnson & Fei-Fei (2016) found
# character-level LSTMs ahead of n-gram models on a novel and on source code of a few million characters each,
# their advantage coming from long-range structure. Goldberg (2015) shows how good a count model's Shakespeare
# already looks.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: what counts cannot do: generalise beyond the windows they have seen; their context is fixed and their
#   table grows with the data. RNN language models overtook them with more data, larger models and
#   regularisation (Mikolov et al. 2010; Karpathy, Johnson & Fei-Fei 2016).
# - **Ask**: which of the two grows with the training data, the count table or the RNN?
# - **Answer**: the count table: one entry per window seen. The RNN keeps a fixed number of parameters however
#   much text it reads.

# %% slideshow={"slide_type": "skip"}
half = STEPS // 2
val_curve = dict(zip(lstm_history.eval_steps, lstm_history.metrics["val_loss"]))
train_curve = lstm_history.smoothed_loss(100)  # running mean of the training loss, one value per step
val_drop = val_curve[half] - val_curve[STEPS]
train_drop = train_curve[half - 1] - train_curve[STEPS - 1]
print(f"second half of training (steps {half} to {STEPS}): validation loss fell by {val_drop:.3f} nats/char, "
      f"training loss (running mean) by {train_drop:.3f}")
print(f"5-gram {ngram_probe[5]:.3f} against LSTM {lstm_probe:.3f} nats/char on the validation probe")
if LONG_RUN:
    assert lstm_probe > ngram_probe[5]  # still behind the count model
    assert lstm_probe < ngram_probe[5] + 0.15  # but much closer (at the default budget about 0.3 behind)
    assert train_drop > 2 * val_drop  # the extra steps mostly fit the training text

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Save what you trained.** Parameters and configuration (including the vocabulary) go into one `.npz` file with
# no pickles:

# %%
import tempfile
from pathlib import Path

with tempfile.TemporaryDirectory() as folder:
    path = lstm.save(Path(folder) / "shakespeare_lstm.npz")
    again = Model.load(path)
    print(f"saved {path.stat().st_size / 1024:.0f} KiB; reloaded a {type(again).__name__}")
    same_text = again.sample(80, prime=prime, rng=5) == lstm.sample(80, prime=prime, rng=5)
    print("same text from the same seed:", same_text)
assert same_text

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: one `.npz` file with the parameters and the configuration, vocabulary included; the reloaded model
#   samples the same text from the same seed (asserted).
# - **Ask**: why not pickle the model?
# - **Answer**: loading a pickle can run arbitrary code; an `.npz` of arrays and a configuration is only data.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - A language model factorises $p(\text{text})$ into next-character predictions; an RNN computes them from a
#   state that summarises the past. It is trained with cross-entropy, reported in nats per character or as
#   perplexity, and judged against uniform ($\ln V$), unigram and bigram baselines.
# - One-hot times $W_x$ is a row lookup: that is all an embedding does.
# - Long texts are trained with truncated BPTT across batches: lanes of text, state carried from batch to batch,
#   gradient cut at the batch boundary.
# - Generation feeds each chosen character back in. Greedy decoding loops; temperature trades faithfulness to
#   the model ($\tau=1$) against safety ($\tau<1$: more real words, less variety); top-k removes the unlikely tail.
# - With the same number of steps the LSTM beats the vanilla RNN; each LSTM step costs more.
# - On half a million characters a 5-gram count model beats the LSTM trained here. RNN language models overtook
#   count models with more data, larger models and regularisation, not with more steps on a small corpus.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: one line per bullet; the thread is "judge a model against baselines, and say honestly what the
#   baselines did".
# - **Ask**: in one sentence each: what does truncated BPTT across batches carry over and what does it cut, and
#   what does the temperature change?
# - **Answer**: it carries the state from chunk to chunk and cuts the gradient at the chunk boundary; the
#   temperature reshapes the distribution we sample from, not the model.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Check your understanding
#
# 1. A model has a validation loss of 1.6 nats per character. What is its perplexity, and how many bits per
#    character is that?
# 2. Why is the uniform baseline exactly $\ln V$, and why does an untrained model start close to it?
# 3. In truncated BPTT across batches, the state is carried over but the gradient is not. What can the model still
#    learn about dependencies longer than $T$, and what can it not?
# 4. Why must the validation text be a contiguous block rather than randomly chosen characters or lines?
# 5. You sample with $\tau = 0.01$ and with top-k $= 1$. What is the difference?
# 6. Greedy decoding maximises the probability of each character. Does it find the most probable *text*?
# 7. Why would sampling at $\tau = 1$ from a perfect language model produce text that looks like the corpus, while
#    $\tau = 0.5$ would not?
#
# <details><summary>Answers</summary>
#
# 1. Perplexity $e^{1.6} \approx 4.95$; in bits $1.6 / \ln 2 \approx 2.31$ bits per character.
# 2. Uniform gives every character $1/V$, so $-\ln(1/V) = \ln V$ whatever comes next. An untrained model's output
#    layer is small and random, so its softmax is close to uniform.
# 3. The carried state can hold information from long before the batch, and the model can *use* it (our LSTM
#    scores lower on the validation text with its state carried from chunk to chunk than when it restarts from
#    zeros every 32 characters: the cell after these answers measures it); but no gradient tells the weights how
#    to *store* information for more than $T$ steps, so such dependencies are learned only indirectly (through
#    what helps within $T$ steps).
# 4. Neighbouring characters share context: a random character of the validation set would have its neighbours
#    in the training set, and the model would be scored on text it has effectively seen.
# 5. Almost none. Top-1 is exactly greedy. $\tau = 0.01$ multiplies every score difference by 100, so it picks
#    another character only when the two best scores are within a few hundredths of each other: a near-tie. On
#    2,000 positions of the validation text that happens, but in fewer than 1% of them.
# 6. No. The most probable text maximises the product of all its conditional probabilities; a locally best
#    character can lead to poor continuations. On our LSTM, starting the continuation of the prime with another
#    character and then going on greedily gives 30-character texts more probable than the greedy one.
#    Beam search looks further ahead; it is common in translation (lesson 07) and also tends to produce
#    repetitive text.
# 7. At $\tau=1$ samples follow the model's distribution, which for a perfect model is the corpus's. $\tau=0.5$
#    favours the likeliest continuations: text that is more predictable, more repetitive and less varied than the
#    corpus. Our LSTM finds its own $\tau=1$ samples about as surprising as real text, its $\tau=0.5$ samples much
#    less.
# </details>

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: three minutes in pairs on questions 1, 5 and 6, then compare with the answers (on the slide, folded).
# - **Answers, with the notebook's numbers**: (1) perplexity $e^{1.6} \approx 4.95$, $1.6 / \ln 2 \approx 2.31$
#   bits per character. (3) the LSTM scores lower with its state carried from chunk to chunk than restarting
#   from zeros every 32 characters (asserted, by more than 0.02 nats). (5) top-1 is exactly greedy; $\tau = 0.01$
#   differs only at near-ties, fewer than 1% of 2,000 validation positions (asserted). (6) at least one
#   30-character continuation that starts with another character is more probable than the greedy one (asserted).
#   (7) the LSTM finds its $\tau = 1$ samples about as surprising as real text (within 0.2 nats) and its
#   $\tau = 0.5$ samples much less (more than 0.3 nats below real text), both asserted.

# %% slideshow={"slide_type": "skip"}
# The numbers behind the answers (read the answers first).
from rnn_course.activations import log_softmax

# 1. perplexity and bits of 1.6 nats per character
assert abs(np.exp(1.6) - 4.95) < 0.01 and abs(1.6 / np.log(2) - 2.31) < 0.01


# 3. the carried state is used: restart from zeros at every chunk of 32 characters and the loss goes up
def cross_entropy_from_zeros(model, ids, seq_len=32):
    total = count = 0
    for x, y, _ in TextBatches(ids, 64, seq_len, epochs=1):
        logits = model.forward(x)[0]  # state None: zeros
        total -= np.take_along_axis(log_softmax(logits), y[..., None], axis=-1).sum()
        count += y.size
    return total / count


carried, from_zeros = lstm.cross_entropy(probe, seq_len=32), cross_entropy_from_zeros(lstm, probe)
print(f"3. state carried: {carried:.3f} nats/char; from zeros every 32 characters: {from_zeros:.3f}")
assert carried < from_zeros - 0.02

# 5. sampling at tau = 0.01 against greedy, at 2,000 positions of the validation text
scores = lstm.forward(probe[None, :2000])[0][0]
draws = np.array([sample_next(y, temperature=0.01, rng=k) for k, y in enumerate(scores)])
differ = int(np.sum(draws != scores.argmax(axis=1)))
print(f"5. tau = 0.01 chose another character than greedy at {differ} of 2,000 positions")
assert 0 < differ < 20
near_tie = scores.max(axis=1) - scores[np.arange(len(draws)), draws]  # how far below the best score the draw was
assert near_tie.max() < 0.05  # a few hundredths at most
top_1 = [sample_next(y, temperature=2.0, top_k=1, rng=k) for k, y in enumerate(scores)]
assert np.array_equal(top_1, scores.argmax(axis=1))  # top-1 is greedy, whatever tau


# 6. greedy is not the most probable continuation
def log_probability(model, prime_ids, continuation):
    ids = np.concatenate([prime_ids, continuation])
    log_p = log_softmax(model.forward(ids[None, :-1])[0][0])
    return log_p[np.arange(len(prime_ids) - 1, len(ids) - 1), continuation].sum()


prime_ids = vocab.encode(prime)
greedy_text = lstm.sample_ids(prime_ids, 30, temperature=0.0)
greedy_log_p = log_probability(lstm, prime_ids, greedy_text)
others = [np.concatenate([[first], lstm.sample_ids(np.append(prime_ids, first), 29, temperature=0.0)])
          for first in range(vocab.size) if first != greedy_text[0]]  # another first character, then greedy
better = [text for text in others if log_probability(lstm, prime_ids, text) > greedy_log_p]
print(f"6. greedy: {vocab.decode(greedy_text)!r}, log-probability {greedy_log_p:.1f}; {len(better)} of the "
      f"{len(others)} texts that start with another character are more probable, e.g. {vocab.decode(better[0])!r}")
assert len(better) >= 1

# 7. how surprising the model finds its own samples, against real text
surprise = {tau: lstm.cross_entropy(vocab.encode(sample), batch_size=1, seq_len=100)
            for tau, sample in long_samples.items()}
real_text = lstm.cross_entropy(val_ids[:2000], batch_size=1, seq_len=100)
print(f"7. the LSTM's loss on its tau = 1 samples {surprise[1.0]:.2f}, on tau = 0.5 samples {surprise[0.5]:.2f}, "
      f"on real text {real_text:.2f} nats/char")
assert abs(surprise[1.0] - real_text) < 0.2 and surprise[0.5] < real_text - 0.3

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### References
#
# - C. E. Shannon, "Prediction and entropy of printed English", *Bell System Technical Journal* 30, 1951.
# - Y. Bengio, R. Ducharme, P. Vincent, C. Jauvin, "A neural probabilistic language model", *JMLR* 3, 2003.
# - T. Mikolov, M. Karafiát, L. Burget, J. Černocký, S. Khudanpur, "Recurrent neural network based language
#   model", *Interspeech* 2010; T. Mikolov, *Statistical language models based on neural networks*, PhD thesis,
#   Brno, 2012 (truncated BPTT across batches, clipping).
# - I. Sutskever, J. Martens, G. Hinton, "Generating text with recurrent neural networks", *ICML* 2011.
# - A. Graves, "Generating sequences with recurrent neural networks", arXiv:1308.0850, 2013.
# - A. Karpathy, "The unreasonable effectiveness of recurrent neural networks", blog post, 2015, and
#   `min-char-rnn.py`; A. Karpathy, J. Johnson, L. Fei-Fei, "Visualizing and understanding recurrent networks",
#   *ICLR Workshop* 2016.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: to go further: Karpathy's blog post and `min-char-rnn.py` are the shortest way from this lesson to
#   a char-rnn of your own; Shannon (1951) measured how predictable English is, long before neural networks.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### References, continued
#
# - R. J. Williams, J. Peng, "An efficient gradient-based algorithm for on-line training of recurrent network
#   trajectories", *Neural Computation* 2(4), 1990 (truncated BPTT).
# - Y. Goldberg, "The unreasonable effectiveness of character-level language models (and why RNNs are still
#   cool)", 2015 (a count model's Shakespeare).
# - A. Fan, M. Lewis, Y. Dauphin, "Hierarchical neural story generation", *ACL* 2018 (top-k sampling);
#   A. Holtzman et al., "The curious case of neural text degeneration", *ICLR* 2020 (why greedy text loops,
#   nucleus sampling).
# - I. H. Witten, T. C. Bell, "The zero-frequency problem", *IEEE Trans. Information Theory* 37(4), 1991.
# - D. Jurafsky, J. H. Martin, *Speech and Language Processing*, 3rd ed. draft, chapters 3 (n-grams, perplexity)
#   and 8–9 (RNN language models).

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: Williams & Peng for truncated BPTT; Witten & Bell for the smoothing our 5-gram uses; Holtzman et al.
#   for why greedy text loops; Jurafsky & Martin's chapters 3 and 8-9 as the textbook treatment.
