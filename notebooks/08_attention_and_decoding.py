# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "skip"} tags=["colab"]
# **[Open in Colab](https://colab.research.google.com/github/rnn-course/rnn-course/blob/main/notebooks/08_attention_and_decoding.ipynb)**: run this notebook in Google Colab, nothing to install.

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
# # 08 · Attention and decoding
#
# **What you will learn**
# - **additive attention** (Bahdanau, Cho & Bengio 2014): at every output step the decoder scores every encoder
#   state, turns the scores into weights with a softmax and reads their weighted average, the **context**;
# - its **backward pass**, derived line by line and checked against the numerical gradient;
# - the **bottleneck of lesson 07, measured and removed**: accuracy against input length with and without
#   attention, on dates and on string reversal, each model trained until its curve flattens;
# - how to read **attention weights** as an alignment between source and output characters;
# - **beam search** against greedy decoding: when it helps, and what it costs;
# - where it leads: **self-attention** and Transformers.

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Prerequisites**: lesson 07 (encoder-decoder, teacher forcing, greedy decoding), lesson 02 (backward passes
# and gradient checking), lesson 05 (log-probabilities, greedy decoding of a language model).
#
# **Time**: 60 minutes. The notebook runs top to bottom in under a minute (it trains four small models).

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: lesson 07 ended on the bottleneck; today we measure it, remove it, and look inside the fix. Then
#   a better way to pick the output sequence, beam search, and how much it really helps.
# - **Ask**: in lesson 07, what happened to the small model's accuracy as the strings to reverse got longer?
# - **Answer**: it fell towards zero: its final state could not hold the whole string.

# %% slideshow={"slide_type": "skip"}
# %matplotlib inline
import copy
import time

import numpy as np

from rnn_course import use_blas_threads
from rnn_course.activations import log_softmax
from rnn_course.attention import additive_attention_backward, additive_attention_forward
from rnn_course.decoding import decode
from rnn_course.demos import attention_demo
from rnn_course.gradcheck import gradcheck
from rnn_course.models import AttentionSeq2Seq, Seq2Seq
from rnn_course.optim import Adam
from rnn_course.plots import (
    plot_attention,
    plot_attention_decoder,
    plot_beam_search,
    plot_gradcheck,
    plot_metric_curves,
    plot_position_accuracy,
)
from rnn_course.tasks.dates import END, SOURCE_VOCAB, START, TARGET_VOCAB, WEEKDAYS, dates_data, encode_pairs
from rnn_course.tasks.reversal import REVERSAL_SOURCE_VOCAB, REVERSAL_TARGET_VOCAB, reversal_data
from rnn_course.text import pad_sequences
from rnn_course.train import History, fit

# One BLAS thread for numpy's matrix products: an RNN multiplies small matrices one step at a time,
# and a second thread costs more than it saves (the docstring of rnn_course.blas says why).
use_blas_threads(1)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Look back instead of remembering
#
# In lesson 07 the decoder saw the source only through the encoder's last state $s$: a fixed number of values,
# whatever the length of the input. **Attention** keeps every encoder state $h^{enc}_1, \dots, h^{enc}_S$ and lets
# the decoder read them again at every output step $u$. Its previous state $h^{dec}_{u-1}$ is the **query**; the
# encoder states are the **keys** (and the values averaged):
#
# $$e_{u,t} = v^\top \tanh\!\left(h^{dec}_{u-1} W_q + h^{enc}_t W_k\right), \qquad
# \alpha_{u,t} = \frac{\exp e_{u,t}}{\sum_{t'} \exp e_{u,t'}}, \qquad \mathrm{ctx}_u = \sum_t \alpha_{u,t}\, h^{enc}_t .$$
#
# The weights $\alpha_{u,\cdot}$ are a distribution over the source positions; the **context** $\mathrm{ctx}_u$ is
# fed to the decoder with the previous output, $h^{dec}_u = \mathrm{cell}([\mathrm{embed}(y_{u-1}),
# \mathrm{ctx}_u], h^{dec}_{u-1})$, and to the read-out, $\mathrm{logits}_u = [h^{dec}_u, \mathrm{ctx}_u]
# W_y + b_y$ (`W_out`, `b_out` in the code, as in lesson 07). (Bahdanau et al. write the context $c_i$; in this
# course $c$ is the LSTM's cell state.)

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: three lines: score every encoder state against the decoder's state, softmax the scores, average the
#   states with the weights. The context changes at every output step; the encoder runs once.
# - **Show**: the diagram: step u reads all encoder states; without weights yet, every line is as thick.
# - **Ask**: what is the context when all the scores are equal?
# - **Answer**: the plain average of the encoder states: weights 1/S each.

# %% slideshow={"slide_type": "subslide"}
plot_attention_decoder(list("may 3, 1999"), list("1999-05-03"), step=6)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Additive attention in code
#
# `rnn_course.attention.additive_attention_forward(query, keys, Wq, Wk, v, mask)` is the three equations above for
# a batch: `query` (N, Hq), `keys` (N, T, Hk). Sources in a batch have different lengths, so the keys are padded and
# `mask` (N, T) says which positions are real. A padded position gets the score $-\infty$ *before* the softmax, so
# its weight is exactly 0 and the real weights still sum to 1. (Open it with `additive_attention_forward??`: the
# code is the equations, line by line.)

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: masking happens on the scores, before the softmax: padding gets exactly 0 and the rest still sums to 1.
#   The backward pass is five lines, read bottom-up from the forward pass; the keys get two terms.
# - **Show**: the printed weights (the zeros of the shorter source), then the gradcheck table.
# - **Ask**: why does the query's gradient sum over the source positions?
# - **Answer**: the same query is added to every position's score: its gradient collects from all of them.

# %% slideshow={"slide_type": "subslide"}
rng = np.random.default_rng(0)
N, T, Hq, Hk, A = 2, 5, 3, 4, 6
inputs = dict(query=rng.standard_normal((N, Hq)), keys=rng.standard_normal((N, T, Hk)),
              Wq=rng.standard_normal((Hq, A)), Wk=rng.standard_normal((Hk, A)), v=rng.standard_normal(A))
mask = np.array([[True] * 5, [True, True, True, False, False]])  # the second source has 3 real positions
context, weights, cache = additive_attention_forward(**inputs, mask=mask)
print("weights:\n", weights.round(3))
print("row sums:", weights.sum(axis=1), "  context:", context.shape)

# %% slideshow={"slide_type": "skip"}
assert np.all(weights[1, 3:] == 0.0) and np.allclose(weights.sum(axis=1), 1.0)  # what the text says

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The backward pass
#
# Given $\bar{c} = \partial L / \partial \mathrm{ctx}$ (`dcontext`), go back through the forward pass one line at
# a time (one row; $u_t = \tanh(z_t)$, $z_t = q W_q + k_t W_k$, $e_t = u_t v$):
#
# 1. $\mathrm{ctx} = \sum_t \alpha_t k_t$: $\quad \bar{\alpha}_t = k_t \cdot \bar{c}$, and the keys get a first
#    term $\alpha_t\, \bar{c}$ (they are the values averaged);
# 2. the softmax: $\quad \bar{e}_t = \alpha_t\,(\bar{\alpha}_t - \sum_{t'} \alpha_{t'} \bar{\alpha}_{t'})$,
#    which is 0 wherever $\alpha_t = 0$: padding receives nothing;
# 3. $e_t = u_t v$: $\quad \bar{v} = \sum_t \bar{e}_t\, u_t$, $\quad \bar{u}_t = \bar{e}_t\, v$;
# 4. $u_t = \tanh(z_t)$: $\quad \bar{z}_t = \bar{u}_t \odot (1 - u_t^2)$;
# 5. $z_t = q W_q + k_t W_k$: the query is added at every position, so $\bar{q} = (\sum_t \bar{z}_t) W_q^\top$
#    and $\bar{W}_q = q^\top \sum_t \bar{z}_t$; the keys get their second term $\bar{z}_t W_k^\top$, and
#    $\bar{W}_k = \sum_t k_t^\top \bar{z}_t$ (summed over the batch too).
#
# `additive_attention_backward(dcontext, cache)` returns $(\bar{q}, \bar{k}, \bar{W}_q, \bar{W}_k, \bar{v})$.
# Checked against centred differences in float64, with the mask:

# %% slideshow={"slide_type": "subslide"}
report = gradcheck(lambda **kw: additive_attention_forward(**kw, mask=mask)[0], inputs,
                   lambda dcontext: additive_attention_backward(dcontext, cache))
print(report)

# %% slideshow={"slide_type": "skip"}
assert report.ok and report.max_error < 1e-7, report
dkeys = additive_attention_backward(rng.standard_normal(context.shape), cache)[1]
assert np.all(dkeys[1, 3:] == 0.0)  # padding receives nothing

# %% slideshow={"slide_type": "subslide"}
plot_gradcheck(report)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. The bottleneck, measured
#
# Two tasks, each with two models trained on the **same batches for the same number of steps at most**:
# `Seq2Seq` from lesson 07 and `AttentionSeq2Seq`, the same encoder and decoder plus attention (LSTM cells, Adam,
# clipping, batches of 32).
#
# - **Dates** (lesson 07): a human-written date to ISO. Sources are 10 to 28 characters long. State size $H = 32$.
# - **Reversal**: a string of 2 to 14 random letters, backwards. Nothing in it can be compressed. $H = 16$: a small
#   state, so its limit shows within this notebook's time budget.
#
# Every 100 steps we measure the exact-match accuracy (greedy decoding) on validation examples, and stop a model
# when its curve has **flattened**: the mean of its last 5 measurements is less than 2.5 points above the mean of
# the 5 before. We keep the checkpoint with the best validation accuracy, and report accuracy by length on
# separate test examples.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: same batches, same step budget at most, each model stopped when its validation curve flattens;
#   accuracy by length on test data it never saw.
# - **Show**: the two curves per task, then accuracy by length: reversal falls with length without attention,
#   dates do not.
# - **Ask**: why do dates not need attention, when reversal does?
# - **Answer**: a date compresses to a day, a month and a year; a random string does not compress at all.

# %% slideshow={"slide_type": "skip"}
def exact_match(model, sources, targets, source_vocab, target_vocab):
    """Per-example hits of greedy decoding (the whole output must equal the target)."""
    outputs = model.translate(sources, source_vocab, target_vocab, max_len=20)
    return np.array([o == t for o, t in zip(outputs, targets)])


def train_until_flat(model, batches, validate, *, max_steps, every=100, window=5, min_gain=0.025):
    """Train in chunks of `every` steps until the validation accuracy stops rising; keep the best checkpoint.

    Chunk k draws its batches with seed k, so every model sees the same data. Returns the History of the
    validation accuracy, the checkpoints {step: copy of the model} and whether the curve flattened.
    """
    optimizer, history, checkpoints, flattened = Adam(2e-2), History(), {}, False
    scores = history.metrics["exact match"] = []
    start = time.process_time()
    for chunk in range(max_steps // every):
        fit(model, batches, steps=every, optimizer=optimizer, clip=5.0, seed=chunk, progress=False)
        history.eval_steps.append((chunk + 1) * every)
        scores.append(validate(model))
        checkpoints[history.eval_steps[-1]] = copy.deepcopy(model)
        if len(scores) >= 2 * window and np.mean(scores[-window:]) - np.mean(scores[-2 * window:-window]) < min_gain:
            flattened = True
            break
    history.seconds = time.process_time() - start  # CPU seconds
    best = history.eval_steps[int(np.argmax(scores))]
    model.params = checkpoints[best].params
    return history, checkpoints, flattened


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Reversal

# %% tags=["remove-input"]
rev_val = reversal_data(500, rng=1, min_len=2, max_len=14)
rev_test = reversal_data(1000, rng=2, min_len=2, max_len=14)
rev_vocabs = (REVERSAL_SOURCE_VOCAB, REVERSAL_TARGET_VOCAB)


def reversal_batches(rng):
    sources, targets = reversal_data(32, rng=rng, min_len=2, max_len=14)
    return encode_pairs(sources, targets, *rev_vocabs)


rev_models, rev_runs, rev_checkpoints, rev_flat = {}, {}, {}, {}
for name, cls in (("without attention", Seq2Seq), ("with attention", AttentionSeq2Seq)):
    model = cls(REVERSAL_SOURCE_VOCAB.size, REVERSAL_TARGET_VOCAB.size, H=16, E=16, cell="lstm",
                start_id=REVERSAL_TARGET_VOCAB[START], end_id=REVERSAL_TARGET_VOCAB[END], seed=0)
    history, checkpoints, flat = train_until_flat(
        model, reversal_batches, lambda m: exact_match(m, *rev_val, *rev_vocabs).mean(), max_steps=4000)
    rev_models[name], rev_runs[name], rev_checkpoints[name], rev_flat[name] = model, history, checkpoints, flat
    print(f"{name:>17}: {model.num_params:,} parameters, {history.eval_steps[-1]} steps "
          f"({history.seconds:.1f} s CPU), flattened: {flat}, best validation accuracy "
          f"{max(history.metrics['exact match']):.1%}")

# %% slideshow={"slide_type": "subslide"}
plot_metric_curves(rev_runs, "exact match", title="Reversal: validation accuracy while training")

# %% slideshow={"slide_type": "subslide"} tags=["remove-input"]
rev_lengths = np.array([len(s) for s in rev_test[0]])
lengths = np.arange(2, 15)
rev_by_length = {}
for name, model in rev_models.items():
    hits = exact_match(model, *rev_test, *rev_vocabs)
    rev_by_length[name] = (lengths, np.array([hits[rev_lengths == L].mean() for L in lengths]))
    print(f"{name:>17}: " + "  ".join(f"{L}:{a:.0%}" for L, a in zip(*rev_by_length[name])))

# %% slideshow={"slide_type": "subslide"}
plot_position_accuracy(rev_by_length, xlabel="string length (characters)",
                       title="Reversal: accuracy by length, H = 16")

# %% slideshow={"slide_type": "skip"}
without, with_ = rev_by_length["without attention"][1], rev_by_length["with attention"][1]
assert all(rev_flat.values())  # both curves flattened before the budget of 4000 steps
assert with_.min() >= 0.95  # with attention, every length is reversed
assert without[0] >= 0.9 and without[-3:].max() <= 0.1  # without: short strings right, 12-14 letters almost never
gap = (with_ - without)[-3:].mean()

# %% [markdown] slideshow={"slide_type": "subslide"}
# Without attention the accuracy falls with the length of the string, and the longest strings are almost never
# reversed; with attention every length is right. The model without attention must carry the whole string in its
# final state ($h$ and $c$, 16 values each), and it stopped improving: its curve flattened far below the other's.
# (The model with attention also has more parameters, printed above; lesson 07 showed what a larger state buys.)

# %% slideshow={"slide_type": "skip"}
scores = rev_runs["without attention"].metrics["exact match"]
late_gain = np.mean(scores[-5:]) - np.mean(scores[-10:-5])  # per 500 steps, at the end of training
print(f"without attention: the last 500 steps gained {100 * late_gain:.1f} points on the 500 before; the gap at "
      f"lengths 12-14 is {100 * gap:.0f} points")
assert late_gain < 0.025 and gap > 0.8
assert max(scores) < max(rev_runs["with attention"].metrics["exact match"]) - 0.3  # flattened far below
assert rev_models["with attention"].num_params > rev_models["without attention"].num_params

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Dates

# %% tags=["remove-input"]
date_val = dates_data(500, rng=1)[:2]
date_test = dates_data(1000, rng=2)[:2]
date_vocabs = (SOURCE_VOCAB, TARGET_VOCAB)


def date_batches(rng):
    sources, targets, _ = dates_data(32, rng=rng)
    return encode_pairs(sources, targets)


date_models, date_runs, date_flat = {}, {}, {}
for name, cls in (("without attention", Seq2Seq), ("with attention", AttentionSeq2Seq)):
    model = cls(SOURCE_VOCAB.size, TARGET_VOCAB.size, H=32, E=16, cell="lstm", start_id=TARGET_VOCAB[START],
                end_id=TARGET_VOCAB[END], seed=0)
    history, _, flat = train_until_flat(model, date_batches,
                                        lambda m: exact_match(m, *date_val, *date_vocabs).mean(), max_steps=3000)
    date_models[name], date_runs[name], date_flat[name] = model, history, flat
    print(f"{name:>17}: {model.num_params:,} parameters, {history.eval_steps[-1]} steps "
          f"({history.seconds:.1f} s CPU), flattened: {flat}, best validation accuracy "
          f"{max(history.metrics['exact match']):.1%}")

# %% slideshow={"slide_type": "subslide"}
plot_metric_curves(date_runs, "exact match", title="Dates: validation accuracy while training")

# %% slideshow={"slide_type": "subslide"} tags=["remove-input"]
date_lengths = np.array([len(s) for s in date_test[0]])
buckets = [(10, 13), (14, 17), (18, 21), (22, 25), (26, 28)]
date_by_length = {}
for name, model in date_models.items():
    hits = exact_match(model, *date_test, *date_vocabs)
    acc = [hits[(date_lengths >= lo) & (date_lengths <= hi)].mean() for lo, hi in buckets]
    date_by_length[name] = (np.array([(lo + hi) / 2 for lo, hi in buckets]), np.array(acc))
    print(f"{name:>17}: overall {hits.mean():.1%};  by source length: "
          + "  ".join(f"{lo}-{hi}: {a:.1%}" for (lo, hi), a in zip(buckets, acc)))

# %% slideshow={"slide_type": "subslide"}
plot_position_accuracy(date_by_length, xlabel="source length (characters, buckets of 4)",
                       title="Dates: accuracy by source length, H = 32")

# %% slideshow={"slide_type": "skip"}
reached = {name: next(s for s, a in zip(r.eval_steps, r.metrics["exact match"]) if a >= 0.9)
           for name, r in date_runs.items()}
print("first validation accuracy >= 90% at step:", reached)
assert all(date_flat.values())
assert date_lengths.min() >= 10 and date_lengths.max() <= 28  # sources of 10 to 28 characters
assert min(acc.min() for _, acc in date_by_length.values()) >= 0.95  # both models, every length bucket
assert reached["with attention"] * 3 <= reached["without attention"]  # attention gets there 3 times sooner or more

# %% [markdown] slideshow={"slide_type": "subslide"}
# Dates are different: both models end up right on at least 95% of the test dates at every source length. A date is
# easy to compress (a day, a month, a year), so $H = 32$ values hold it whatever the format; what attention changes
# here is how fast the model learns (above: at least three times fewer steps to reach 90%). The bottleneck bites
# when the output needs more of the input than the state can hold, as in reversal; Bahdanau et al. found the same
# for translation: the encoder-decoder's quality fell with the sentence's length, theirs far less (not at all for
# the model trained on sentences of up to 50 words).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Reading the weights
#
# Each row of the weights is where one output step looked. For a date written "month d, yyyy", the year comes
# first in the output but last in the source, so the bright cells cross; nobody told the model where anything is.
# It learned these alignments from the loss alone.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: each row is one output step, each column a source character; the bright cell is what it read.
# - **Show**: the crossing of year and month in "august 17, 1986", the anti-diagonal of reversal, then the demo:
#   drag the output step.
# - **Ask**: why does the reversal map look at the character being written *or the one after it*?
# - **Answer**: the encoder reads left to right, so the state one position later has also just seen that character.

# %% slideshow={"slide_type": "subslide"} tags=["remove-input"]
dates_attention = date_models["with attention"]


def attention_map(model, source, source_vocab, target_vocab, **kwargs):
    src, lengths = pad_sequences([source_vocab.encode(source)])
    (ids,), (w,) = model.greedy_decode(src, lengths, max_len=20, return_weights=True)
    return plot_attention(w, list(source), list(target_vocab.decode(ids)) + ["</s>"], **kwargs)


attention_map(dates_attention, "august 17, 1986", *date_vocabs, title="Dates: where each output character looks")


# %% slideshow={"slide_type": "skip"}
src, lengths = pad_sequences([SOURCE_VOCAB.encode("august 17, 1986")])
_, (crossing,) = dates_attention.greedy_decode(src, lengths, max_len=20, return_weights=True)
assert crossing[0, -4:].sum() > 0.5  # the first output character (the year's) reads the end of the source
assert crossing[5:7, :6].sum(axis=1).min() > 0.5  # the month's two digits read "august", at the start

# %% slideshow={"slide_type": "subslide"}
attention_map(rev_models["with attention"], "hgfjabcdee", *rev_vocabs, title="Reversal: an anti-diagonal")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Over many test examples, with the model's own outputs:

# %% slideshow={"slide_type": "skip"}
def greedy_weights(model, sources, source_vocab):
    src, lengths = pad_sequences([source_vocab.encode(s) for s in sources])
    return model.greedy_decode(src, lengths, max_len=20, return_weights=True)


# reversal: output step u (1-based) writes character S + 1 - u; which position does it weigh most?
rev_outputs, rev_weights = greedy_weights(rev_models["with attention"], rev_test[0][:300], REVERSAL_SOURCE_VOCAB)
on_diagonal = [w[u].argmax() in (S - 1 - u, S - u) for w, S in zip(rev_weights, map(len, rev_test[0][:300]))
               for u in range(min(S, len(w)))]
# dates that start with a weekday: the weight every output character puts on the weekday's letters
weekday_sources = [s for s in date_test[0] if s.split(",")[0] in WEEKDAYS][:100]
_, weekday_weights = greedy_weights(dates_attention, weekday_sources, SOURCE_VOCAB)
weekday_share = np.mean([w[:10, : s.index(",")].sum(axis=1).mean() for w, s in zip(weekday_weights, weekday_sources)])
weekday_chars = np.mean([s.index(",") / len(s) for s in weekday_sources])

# %%
print(f"reversal: {np.mean(on_diagonal):.1%} of the output steps put their largest weight on the character they "
      "write or the one after it in the source")
print(f"dates with a weekday: the weekday is {weekday_chars:.0%} of the characters but gets {weekday_share:.1%} of "
      "the attention of the output characters")

# %% slideshow={"slide_type": "skip"}
assert np.mean(on_diagonal) > 0.9 and weekday_share < weekday_chars / 2

# %% [markdown] slideshow={"slide_type": "fragment"}
# In reversal practically every step looks at the character it writes, or at the one after it, whose encoder state
# has just read it; in dates the weekday, which carries nothing the output needs, gets a small share of the
# attention.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Demo: scrub through the output steps
#
# `attention_demo(dates_attention)` decodes a menu of dates, one in every format, with this lesson's model. Drag
# **output step u**: the outlined row moves and the bars show what that step reads. The presets go through the
# year, the month and the day of a date written "month d, yyyy", and a date with a weekday.

# %% slideshow={"slide_type": "subslide"}
attention_demo(dates_attention)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Beam search
#
# Greedy decoding takes the likeliest character at every step and never reconsiders. The output we want is the
# one with the highest **total** log-probability, $\sum_u \log p(y_u \mid y_{<u}, x)$ (sums of logs: a product of
# many probabilities underflows). **Beam search** keeps the $k$ best hypotheses found so far, finished or not: at
# each step every unfinished one is extended by every character, and the extensions and the finished hypotheses
# compete for the $k$ places. $k = 1$ is greedy search; a beam as wide as every possible output is exhaustive.
# It is `rnn_course.decoding.beam_search(step, state, ...)`, written for any decoder `step(tokens, state) ->
# (log_probs, state)`; exercise 06 asks you to write it.
#
# We compare on 300 test strings of the reversal task: the two final models, and the model with attention at an
# earlier checkpoint, part-trained (its first checkpoint with a validation accuracy between 60% and 90%). For each
# beam size: the share of outputs exactly right, their mean log-probability, the share that are too short, and
# the cost.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: greedy commits to one character at a time; a beam keeps k alternatives and compares totals of
#   log-probabilities. It costs about k times the decoder steps in about as many decoder calls: the beams go
#   through the decoder as one batch.
# - **Show**: the table and the two panels; then the search-error count below.
# - **Ask**: beam search makes the model without attention better by only a few points. Why not more?
# - **Answer**: most of its errors are model errors: it rates a wrong output above the right one, and a better
#   search finds that wrong output more surely.

# %% slideshow={"slide_type": "subslide"} tags=["remove-input", "fit-output"]
beam_sources, beam_targets = rev_test[0][:300], rev_test[1][:300]
source_ids = [REVERSAL_SOURCE_VOCAB.encode(s) for s in beam_sources]
attention_run = rev_runs["with attention"]
part_step = next(s for s, a in zip(attention_run.eval_steps, attention_run.metrics["exact match"]) if 0.6 <= a <= 0.9)
beam_models = {"without attention": rev_models["without attention"],
               f"with attention, step {part_step}": rev_checkpoints["with attention"][part_step],
               "with attention": rev_models["with attention"]}
beams = (1, 2, 4, 8)
beam_results = {}
for name, model in beam_models.items():
    r = beam_results[name] = {"beam": list(beams), "accuracy": [], "steps": [], "calls": [], "seconds": [],
                              "log_prob": [], "too_short": []}
    for k in beams:
        counts, start = {}, time.process_time()
        found = decode(model, source_ids, beam_size=k, max_len=20, counts=counts)
        r["seconds"].append(time.process_time() - start)
        outputs = [REVERSAL_TARGET_VOCAB.decode(h.tokens) for h in found]
        r["accuracy"].append(np.mean([o == t for o, t in zip(outputs, beam_targets)]))
        r["steps"].append(counts["steps"] / len(source_ids))
        r["calls"].append(counts["calls"] / len(source_ids))
        r["log_prob"].append(np.mean([h.score for h in found]))
        r["too_short"].append(np.mean([len(o) < len(t) for o, t in zip(outputs, beam_targets)]))
print(f"{'model':>26}  k  right  log-prob  too short  steps  calls  ms CPU   (per string)")
for name, r in beam_results.items():
    for i, k in enumerate(beams):
        print(f"{name if i == 0 else '':>26}  {k}  {r['accuracy'][i]:5.1%}  {r['log_prob'][i]:8.3f}  "
              f"{r['too_short'][i]:9.1%}  {r['steps'][i]:5.1f}  {r['calls'][i]:5.1f}  "
              f"{1000 * r['seconds'][i] / len(source_ids):6.2f}")

# %% slideshow={"slide_type": "subslide"}
plot_beam_search({name: r for name, r in beam_results.items()}, title="Beam search on reversal (300 test strings)")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Search errors and model errors
#
# When greedy decoding is wrong, is the right output *more* probable under the model than what greedy found (a
# **search error**, which a wider beam can fix) or less (a **model error**: the model prefers a wrong output, and
# no search will find the right one)? The total log-probability of the right output is one teacher-forced pass.

# %% slideshow={"slide_type": "subslide"} tags=["remove-input"]
def target_log_probs(model, sources, targets):
    """log p(target | source) under the model, "</s>" included, for every pair."""
    batch = encode_pairs(sources, targets, *rev_vocabs)
    logits, _ = model.forward(batch.src, batch.src_lengths, batch.tgt_in)
    picked = np.take_along_axis(log_softmax(logits, axis=2), batch.tgt_out[..., None], axis=2)[..., 0]
    return (picked * batch.tgt_mask).sum(axis=1)


search_errors = {}
for name, model in beam_models.items():
    greedy = decode(model, source_ids, beam_size=1, max_len=20)
    wrong = [i for i, h in enumerate(greedy) if REVERSAL_TARGET_VOCAB.decode(h.tokens) != beam_targets[i]]
    search_errors[name] = 0.0
    if wrong:
        right_lp = target_log_probs(model, [beam_sources[i] for i in wrong], [beam_targets[i] for i in wrong])
        search_errors[name] = np.mean(right_lp > np.array([greedy[i].score for i in wrong]))
    print(f"{name}: {len(wrong)} greedy outputs wrong; in {search_errors[name]:.0%} of them the right output is "
          "more probable (search errors)")

# %% slideshow={"slide_type": "skip"}
gain = {name: max(r["accuracy"][1:]) - r["accuracy"][0] for name, r in beam_results.items()}
print("best gain over greedy, in points:", {name: round(100 * g, 1) for name, g in gain.items()})
part = f"with attention, step {part_step}"
for r in beam_results.values():
    assert np.all(np.diff(r["log_prob"]) >= -1e-9)  # a wider beam never finds outputs rated less probable
    assert 0.6 * 8 <= r["steps"][-1] / r["steps"][0] <= 1.05 * 8  # k = 8 costs about 8 times the decoder steps
    assert r["calls"][-1] <= 1.5 * r["calls"][0]  # but in about as many calls: the k beams are one batch
    assert abs(r["too_short"][-1] - r["too_short"][0]) <= 0.03  # output lengths barely move
for name in ("without attention", part):
    assert 0.01 <= gain[name] <= 0.1  # a few points
    k2 = beam_results[name]["accuracy"][1] - beam_results[name]["accuracy"][0]
    assert k2 >= 0.5 * gain[name]  # k = 2 gives at least half of it
    assert search_errors[name] < 0.5  # most mistakes are model errors
assert beam_results["with attention"]["accuracy"][0] >= 0.99 and gain["with attention"] == 0.0

# %% [markdown] slideshow={"slide_type": "fragment"}
# A wider beam never found outputs the model rates as less probable, at about $k$ times the decoder steps, but
# in about as many calls of the decoder: the $k$ hypotheses go through it as one batch, one matrix product for
# all of them instead of $k$ (compare the CPU column: it is this machine's, so no claim rests on it). It turned a
# few wrong outputs into right ones for the two models that make mistakes, nothing for the final model with
# attention, which has nothing left to fix; the lengths of the outputs barely moved. It cannot do more: most of
# greedy's mistakes are model errors, and a better search only finds the model's wrong favourite more surely.
# Sutskever et al. (2014) found in translation that a beam of 2 already gave most of the benefit of beam search,
# as here.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Where it leads: attention without the recurrence
#
# Attention here lets a recurrent decoder read a recurrent encoder. **Self-attention** lets every position of a
# sequence attend to every other position of the *same* sequence, with queries, keys and values that are linear
# maps of the inputs and a scaled dot product for the score instead of a small network. Stack self-attention with
# position-wise feed-forward layers, add positional encodings for word order, and no recurrence is left: this is the
# **Transformer** (Vaswani et al. 2017), whose layers compute all positions at once. It is what large language
# models are built from; the alignments you read above are the same idea, applied everywhere.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: one paragraph, no more: self-attention is this lesson's attention applied within one sequence, with
#   the recurrence taken out; positions are computed in parallel.
# - **Ask**: what tells a Transformer the order of the words, now that there is no recurrence?
# - **Answer**: positional encodings added to the inputs.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - Attention keeps every encoder state; at each output step the decoder scores them against its own state, turns
#   the scores into weights with a softmax (padding masked before it) and reads their weighted average.
# - Its backward pass follows the forward pass line by line; the keys receive gradient by two paths (as values and
#   through the scores), and the gradient checker agrees.
# - Without attention, accuracy on reversal falls with the length of the string and flattens far below 100%; with
#   attention every length is right. On dates, which compress well, both get there; attention learns faster.
# - The weights are an alignment the model learned by itself: the anti-diagonal of reversal, year-month-day in dates.
# - Beam search finds more probable outputs at about $k$ times the cost; it helps when the errors are search errors,
#   not when the model itself prefers a wrong output.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the five points, then the questions on the next slide; the answers are under them in the notebook.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Check your understanding
#
# 1. Why is the mask applied to the scores before the softmax, and not to the weights after it?
# 2. With a source of length 1, what are the attention weights, and what gradient do $W_q$, $W_k$ and $v$ get?
# 3. Attention costs one score per source position at every output step. How does the cost of decoding grow with
#    the source length $S$ and the output length $U$? And the cost of the model without attention?
# 4. Why can beam search not fix the mistakes of the model without attention on long strings?
# 5. The beam compares finished hypotheses with unfinished ones by their total log-probability. Why does that favour
#    short outputs, and what do translation systems do about it?
# 6. In the reversal heat map the weight is largest on the character being written or the one after it. Why the
#    one after it, and not only the character itself?
#
# <details><summary>Answers</summary>
#
# 1. Zeroing after the softmax leaves the real positions' weights summing to less than 1 (the padding took part of
#    the normalisation). A score of $-\infty$ gives $\exp(-\infty) = 0$: the padding gets nothing and the real
#    weights are normalised among themselves.
# 2. One position gets weight 1 whatever its score, so the scores do not matter: $W_q$, $W_k$, $v$ and the query get
#    gradient 0 (the softmax's backward gives $\alpha(\bar\alpha - \alpha\bar\alpha) = 0$). The key still gets
#    $\bar{c}$ through the direct path.
# 3. $O(S \cdot U)$ scores, one per pair of positions; without attention $O(S + U)$. That quadratic cost is why
#    long documents are expensive for Transformers too.
# 4. Beam search finds outputs the model rates as probable; if the state no longer holds the string, the model
#    rates wrong outputs higher than the right one (model errors), and a better search only finds them more surely.
# 5. Every token adds a negative log-probability, so a longer hypothesis has a lower total. Systems divide the score
#    by a function of the length (length normalisation; Wu et al. 2016) or add a reward per token.
# 6. The encoder reads left to right: its state at position $t$ has seen characters $1..t$, and the model can read
#    character $t$ from the state at $t + 1$ as well as from the state at $t$.
#
# </details>

# %% slideshow={"slide_type": "skip"}
# The numbers behind the answers (read the answers first).
# 1. zeroing the padding after an unmasked softmax: the real weights of the shorter source sum to less than 1
unmasked = additive_attention_forward(**inputs)[1]
assert unmasked[1, :3].sum() < 1 - 1e-3
# 2. a source of length 1: weight 1; no gradient for the query, W_q, W_k and v; the key gets dcontext
one = dict(inputs, keys=inputs["keys"][:, :1])
one_context, one_weights, one_cache = additive_attention_forward(**one, mask=np.ones((N, 1), dtype=bool))
dcontext = rng.standard_normal(one_context.shape)
dq, dk, dWq, dWk, dv = additive_attention_backward(dcontext, one_cache)
assert np.all(one_weights == 1.0) and np.allclose(dk[:, 0], dcontext)
assert max(np.abs(g).max() for g in (dq, dWq, dWk, dv)) < 1e-12

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### References
#
# - D. Bahdanau, K. Cho, Y. Bengio, "Neural machine translation by jointly learning to align and translate",
#   arXiv:1409.0473, 2014 (ICLR 2015). An encoder-decoder that "searches" the source with a soft alignment (the
#   additive attention of this lesson, over a bidirectional encoder). On English-French translation its BLEU score
#   (trained on sentences of up to 50 words) did not fall as sentences grew longer, where the basic
#   encoder-decoder's did; it matched a phrase-based system on sentences without unknown words; its weights gave
#   plausible word alignments.
# - K. Cho, B. van Merriënboer, D. Bahdanau, Y. Bengio, "On the properties of neural machine translation:
#   encoder-decoder approaches", SSST 2014 (quality falls with sentence length without attention).

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### References, continued
#
# - M.-T. Luong, H. Pham, C. D. Manning, "Effective approaches to attention-based neural machine translation",
#   EMNLP 2015 (dot-product and other scores; global and local attention).
# - I. Sutskever, O. Vinyals, Q. V. Le, "Sequence to sequence learning with neural networks", NeurIPS 2014 (beam
#   search; a beam of 2 gave most of its benefit).
# - Y. Wu et al., "Google's neural machine translation system", arXiv:1609.08144, 2016 (beam search with length
#   normalisation).
# - A. Vaswani et al., "Attention is all you need", NeurIPS 2017 (self-attention, the Transformer).
