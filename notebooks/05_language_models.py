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
# - how to **generate** text: greedy decoding, sampling with a **temperature**, **top-k**; and why greedy text
#   repeats itself;
# - a vanilla RNN against an LSTM on the same text and the same budget.
#
# **Prerequisites**: lessons 01–04 (the recurrence, BPTT and its truncation, clipping, LSTM/GRU); softmax and
# cross-entropy.
#
# **Time**: 45–60 minutes. The notebook runs top to bottom in well under a minute: the default training run is
# short on purpose. Set `LONG_RUN = True` below for a run of a few minutes and much better text.

# %% slideshow={"slide_type": "skip"}
# %matplotlib inline
import time

import numpy as np

from rnn_course import use_blas_threads
from rnn_course.demos import temperature_demo
from rnn_course.models import CharLanguageModel, Model
from rnn_course.optim import Adam
from rnn_course.plots import new_figure, plot_lm_curves, plot_temperature
from rnn_course.sampling import entropy, temperature_probs
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

LONG_RUN = False  # True: 8x more training steps (a few minutes), clearly better text

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The task: predict the next character
#
# A language model gives the probability of a text by the chain rule, one character at a time:
#
# $$p(c_1, c_2, \dots, c_L) = \prod_{t=1}^{L} p(c_t \mid c_1, \dots, c_{t-1}).$$
#
# An RNN fits this exactly: its hidden state $h_t$ summarises $c_1 \dots c_t$, and a softmax on top of it gives
# $p(c_{t+1} \mid c_{\le t})$. This is the **many-to-many, synced** pattern of lesson 01 where the target
# sequence is the input shifted by one.
#
# We train it to make the text it reads likely: the loss is the mean **negative log-likelihood**, i.e. the
# cross-entropy between the next character and the prediction,
#
# $$\mathcal{L} = -\frac{1}{L}\sum_{t} \ln p(c_{t+1} \mid c_{\le t}) \quad\text{nats per character},\qquad
# \text{perplexity} = e^{\mathcal{L}}.$$
#
# Perplexity reads as "the model is as unsure as if it chose uniformly among $e^{\mathcal{L}}$ characters".

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The corpus
#
# Four plays by Shakespeare ship with the package (public domain; see `rnn_course/data/README.txt`), so nothing
# is downloaded. We keep the last 10% — the second half of *Hamlet* — for validation. The split is contiguous:
# shuffling characters would leak every context into the validation set.

# %%
text = load_corpus("shakespeare")
vocab = CharVocab.from_text(text)
ids = vocab.encode(text)
train_ids, val_ids = split_ids(ids, val_fraction=0.1)
print(f"{len(text):,} characters, vocabulary of V = {vocab.size}")
print(f"train {len(train_ids):,}, validation {len(val_ids):,}")
print(repr(vocab.chars))
print(text[9500:9900])

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What "good" means: three baselines
#
# - **uniform**: every character equally likely, $\ln V$ nats — a model that learned nothing;
# - **unigram**: $p(c)$ from character counts — knows that `e` is common and `Z` rare;
# - **bigram**: $p(c_t \mid c_{t-1})$ from counts of pairs — knows that `q` is followed by `u`.
#
# The bigram model is two lines of NumPy; `ngram_baselines` adds a little smoothing so that a pair never seen in
# training costs a finite amount.

# %%
pairs = np.full((vocab.size, vocab.size), 0.1)  # add-0.1 smoothing
np.add.at(pairs, (train_ids[:-1], train_ids[1:]), 1.0)  # count every (previous, next) pair
bigram = pairs / pairs.sum(axis=1, keepdims=True)  # row c: p(next | c)
print(f"bigram by hand: {-np.log(bigram[val_ids[:-1], val_ids[1:]]).mean():.3f} nats/char")

baselines = ngram_baselines(train_ids, val_ids, vocab.size)
for name, nats in baselines.items():
    print(f"{name:>8}: {nats:.3f} nats/char   perplexity {np.exp(nats):5.1f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The model
#
# At each step the model reads one character $c_t$ as a vector $x_t$, updates its state, and scores every
# character of the vocabulary:
#
# $$h_t = \mathrm{cell}(x_t, h_{t-1}), \qquad s_t = h_t W_{out} + b_{out} \in \mathbb{R}^V, \qquad
# p(c_{t+1} \mid c_{\le t}) = \mathrm{softmax}(s_t).$$
#
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

# %% [markdown] slideshow={"slide_type": "subslide"}
# `CharLanguageModel` puts the pieces of the earlier lessons together: the input (one-hot, or an embedding with
# `embedding_dim=`), a cell from `rnn_course.cells`, a temporal affine layer and the softmax cross-entropy, each
# with its hand-written backward pass (the tests gradient-check the whole model through its loss). An LSTM with
# 128 units:

# %%
lstm = CharLanguageModel(vocab, H=128, cell="lstm", seed=0)
lstm

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Training on a long text: truncated BPTT across batches
#
# Back-propagating through 480,000 characters at once is impossible, and cutting the text into independent
# snippets would make the model forget everything at each cut. The standard compromise (Williams & Peng 1990;
# Mikolov 2012; Karpathy's char-rnn):
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

# %%
batches = TextBatches(train_ids, batch_size=32, seq_len=32)
print(batches)
first, second = (batch for batch, _ in zip(batches, range(2)))
for name, (x, y, reset) in (("batch 0", first), ("batch 1", second)):
    print(f"{name}, lane 1: x = {vocab.decode(x[1])!r}")
    print(f"{' ' * len(name)}          y = {vocab.decode(y[1])!r}   reset = {reset[1]}")

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
lstm_val = lstm.cross_entropy(val_ids)
print(lstm_history)
print(f"LSTM: {STEPS} steps ({STEPS * 32 * 32:,} characters) in {lstm_history.seconds:.1f} s; "
      f"validation {lstm_val:.3f} nats/char, perplexity {np.exp(lstm_val):.2f}")
print(f"that is {baselines['bigram'] - lstm_val:.2f} nats/char below the bigram baseline "
      f"(perplexity {np.exp(baselines['bigram']):.1f} -> {np.exp(lstm_val):.1f})")
assert lstm_val < baselines["bigram"] - 0.3  # the text below relies on it

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Loss and perplexity against the baselines
#
# The left panel is in nats per character, the right one in perplexity (the same curves through $e^x$, on a log
# axis). Once the validation loss is below the bigram line, the model uses more context than the previous
# character.

# %%
fig, axes = new_figure(figsize=(12, 4.3), ncols=2)
plot_lm_curves({"LSTM": lstm_history}, baselines, ax=axes[0])
plot_lm_curves({"LSTM": lstm_history}, baselines, ax=axes[1], unit="perplexity")
fig

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Generating text
#
# To generate, feed the model a **prime**, then repeatedly pick a next character from its distribution and feed
# that character back in as the next input. *How* you pick is a choice:
#
# - **greedy**: always the most likely character (temperature 0);
# - **sampling** from $\mathrm{softmax}(s_t / T)$ with a **temperature** $T$: $T=1$ is the model's own
#   distribution, $T<1$ sharpens it, $T>1$ flattens it;
# - **top-k**: sample only among the $k$ most likely characters (Fan et al. 2018).
#
# The whole generation loop, as `CharLanguageModel.sample` runs it (one step of the cell per character):
#
# ```python
# logits, state = model.next_logits(prime_ids[None, :])        # read the prime
# for t in range(length):
#     c = sample_next(logits[0], temperature=T, top_k=k, rng=rng)
#     logits, state = model.next_logits(np.array([[c]]), state)  # feed the choice back in
# ```

# %% slideshow={"slide_type": "subslide"}
prime = "MACBETH.\n"
for T in (0.0, 0.5, 1.0):
    sample = lstm.sample(250, prime=prime, temperature=T, rng=1)
    print(f"----- temperature {T} -----\n{prime}{sample}\n")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Greedy text gets stuck in a loop: once a phrase is the most likely continuation of itself, nothing random breaks
# the cycle. At $T=1$ the text is varied but noisier; $T\approx0.5$ is the usual compromise. How many of the
# generated words are real words? Here is the fraction of words of three letters or more that occur somewhere in
# the training text, for samples of 2,000 characters (and for the bigram model's samples, drawn from its counts):

# %%
rng = np.random.default_rng(0)


def bigram_sample(n, rng):
    out = [vocab["\n"]]
    for _ in range(n):
        out.append(rng.choice(vocab.size, p=bigram[out[-1]]))
    return vocab.decode(np.array(out[1:]))


train_text = vocab.decode(train_ids)
word_rates = {f"LSTM, T = {T}": known_word_fraction(lstm.sample(2000, prime=prime, temperature=T, rng=2), train_text)
              for T in (0.5, 1.0)}
word_rates["bigram counts"] = known_word_fraction(bigram_sample(2000, rng), train_text)
word_rates["uniform random characters"] = known_word_fraction(
    vocab.decode(rng.integers(0, vocab.size, 2000)), train_text)
for name, rate in word_rates.items():
    print(f"{name:>26}: {rate:.0%} of the words are real words")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What temperature does to the distribution
#
# Dividing the scores by $T$ before the softmax is the same as raising every probability to the power $1/T$ and
# renormalising: $T\to0$ puts all the mass on the argmax, $T\to\infty$ makes the distribution uniform. The entropy
# (in nats) measures how spread it is; $\ln V$ is the maximum.

# %%
context = "MACBETH.\nI have done the dee"
logits, _ = lstm.next_logits(vocab.encode(context)[None, :])
for T in (0.25, 0.5, 1.0, 2.0):
    print(f"T = {T:4}: entropy {entropy(temperature_probs(logits[0], T)):.2f} nats (max ln V = {np.log(vocab.size):.2f})")

# %% slideshow={"slide_type": "subslide"}
plot_temperature(logits[0], vocab.chars, temperatures=(0.5, 1.0, 2.0), context=context)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Demo: the temperature slider
#
# Move the temperature and watch both the distribution (left) and the text (right) change; `top-k` cuts the tail,
# `seed` draws another sample at the same settings. (Without a widget front end you see the figure at the
# starting values.) Lecturers: `temperature_demo()` with no model starts instantly with a 5-gram count model of
# the same corpus; `presenter=True` makes everything bigger.

# %%
temperature_demo(model=lstm, prime=prime, temperature=0.5)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Vanilla RNN against LSTM
#
# The same text, hidden size, optimiser, learning rate, clipping, number of steps and batches. The vanilla tanh
# RNN has a quarter of the LSTM's recurrent parameters, and each of its steps is cheaper.

# %%
rnn = CharLanguageModel(vocab, H=128, cell="rnn", seed=0)
rnn_history = fit(rnn, TextBatches(train_ids, batch_size=32, seq_len=32), steps=STEPS, optimizer=Adam(2e-2),
                  clip=5.0, evaluate=evaluate, eval_every=100, seed=0, desc="vanilla RNN")
rnn_val = rnn.cross_entropy(val_ids)
print(f"{'':>12} {'parameters':>10} {'seconds':>8} {'ms/step':>8} {'validation':>11} {'perplexity':>10}")
for name, model, history, val in (("vanilla RNN", rnn, rnn_history, rnn_val), ("LSTM", lstm, lstm_history, lstm_val)):
    print(f"{name:>12} {model.num_params:>10,} {history.seconds:>8.1f} {1000 * history.seconds / STEPS:>8.1f} "
          f"{val:>11.3f} {np.exp(val):>10.2f}")
assert lstm_val < rnn_val < baselines["bigram"]  # the text below relies on it

# %% slideshow={"slide_type": "subslide"}
fig, ax = new_figure(figsize=(7.5, 4.3))
plot_lm_curves({"vanilla RNN": rnn_history, "LSTM": lstm_history}, baselines, ax=ax,
               title="Vanilla RNN and LSTM, same steps and batches")
fig

# %% [markdown] slideshow={"slide_type": "subslide"}
# At the same number of steps the LSTM ends lower, but each of its steps costs more (the ms/step column): with
# the same training *time* the vanilla RNN would get more steps. With $T = 32$ most of what a character-level
# model needs (the current word, the line so far) lies within a few characters, where a vanilla RNN's gradient
# has not yet vanished. Karpathy, Johnson & Fei-Fei (2016) compare the cells on character-level text and trace
# the LSTM's advantage to long-range structure, such as a quote or bracket that must be closed many characters
# later.
# A sample of the vanilla RNN at $T = 0.5$:

# %%
print(prime + rnn.sample(250, prime=prime, temperature=0.5, rng=1))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Two things to keep in perspective
#
# **Counting is a strong baseline on small data.** A character 5-gram model (counts of 5-character windows, with
# Witten-Bell interpolation down to shorter contexts) needs no training at all. On this corpus it is hard to beat
# with a few seconds of NumPy training:

# %%
start = time.perf_counter()
five_gram = CharNGramModel(train_ids, vocab.size, order=5, chars=vocab.chars)
print(f"5-gram model built in {time.perf_counter() - start:.2f} s")
print(f"5-gram on the validation probe: {five_gram.cross_entropy(probe):.3f} nats/char; "
      f"LSTM: {lstm.cross_entropy(probe):.3f}")

# %% [markdown] slideshow={"slide_type": "fragment"}
# The n-gram model cannot generalise beyond windows it has seen, its table grows with the data, and its context
# stops at 4 characters; the RNN has a fixed number of parameters and an unbounded context, and with more
# training (try `LONG_RUN = True`) and more data it overtakes count models — which is what happened in language
# modelling after Mikolov et al. (2010).

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
    print("same text from the same seed:", again.sample(80, prime=prime, rng=5) == lstm.sample(80, prime=prime, rng=5))

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
#   the model ($T=1$) against safety ($T<1$); top-k removes the unlikely tail.
# - With the same number of steps the LSTM beats the vanilla RNN; each LSTM step costs more.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Check your understanding
#
# 1. A model has a validation loss of 1.6 nats per character. What is its perplexity, and how many bits per
#    character is that?
# 2. Why is the uniform baseline exactly $\ln V$, and why does an untrained model start close to it?
# 3. In truncated BPTT across batches, the state is carried over but the gradient is not. What can the model still
#    learn about dependencies longer than $T$, and what can it not?
# 4. Why must the validation text be a contiguous block rather than randomly chosen characters or lines?
# 5. You sample with $T = 0.01$ and with top-k $= 1$. What is the difference?
# 6. Greedy decoding maximises the probability of each character. Does it find the most probable *text*?
# 7. Why would sampling at $T = 1$ from a perfect language model produce text that looks like the corpus, while
#    $T = 0.5$ would not?
#
# <details><summary>Answers</summary>
#
# 1. Perplexity $e^{1.6} \approx 4.95$; in bits $1.6 / \ln 2 \approx 2.31$ bits per character.
# 2. Uniform gives every character $1/V$, so $-\ln(1/V) = \ln V$ whatever comes next. An untrained model's output
#    layer is small and random, so its softmax is close to uniform.
# 3. The carried state can hold information from long before the batch, and the model can *use* it; but no
#    gradient tells the weights how to *store* information for more than $T$ steps, so such dependencies are
#    learned only indirectly (through what helps within $T$ steps).
# 4. Neighbouring characters share context: a random character of the validation set would have its neighbours
#    in the training set, and the model would be scored on text it has effectively seen.
# 5. None in the choice of characters: both always take the most likely one (at $T = 0.01$ the distribution is
#    almost one-hot; top-1 is exactly greedy). $T$ small but not 0 could still pick a near-tie.
# 6. No. The most probable text maximises the product of all its conditional probabilities; a locally best
#    character can lead to poor continuations. Beam search looks further ahead; it is common in translation
#    (lesson 07) and also tends to produce repetitive text.
# 7. At $T=1$ samples follow the model's distribution, which for a perfect model is the corpus's. $T=0.5$ favours
#    the likeliest continuations: text that is more predictable, more repetitive and less varied than the corpus.
# </details>

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
# - R. J. Williams, J. Peng, "An efficient gradient-based algorithm for on-line training of recurrent network
#   trajectories", *Neural Computation* 2(4), 1990 (truncated BPTT).
# - A. Fan, M. Lewis, Y. Dauphin, "Hierarchical neural story generation", *ACL* 2018 (top-k sampling);
#   A. Holtzman et al., "The curious case of neural text degeneration", *ICLR* 2020 (why greedy text loops,
#   nucleus sampling).
# - I. H. Witten, T. C. Bell, "The zero-frequency problem", *IEEE Trans. Information Theory* 37(4), 1991.
# - D. Jurafsky, J. H. Martin, *Speech and Language Processing*, 3rd ed. draft, chapters 3 (n-grams, perplexity)
#   and 8–9 (RNN language models).
