# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "skip"} tags=["colab"]
# **[Open in Colab](https://colab.research.google.com/github/rnn-course/rnn-course/blob/main/notebooks/07_sequence_to_sequence.ipynb)**: run this notebook in Google Colab, nothing to install.

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
# # 07 · Sequence to sequence
#
# **What you will learn**
# - the **encoder-decoder** (Sutskever, Vinyals & Le 2014; Cho et al. 2014): one RNN reads the input, another
#   writes the output, and a single state joins them;
# - **teacher forcing** for training and **greedy decoding** for use — and why a model can get most characters
#   right and still most whole outputs wrong;
# - the **fixed-size bottleneck**, measured: accuracy by output length on a task that cannot be compressed;
# - a short look ahead at **attention** and **transformers**, which remove the bottleneck;
# - a tour of what recurrent networks are used for — speech, captions, translation, music — in the input/output
#   patterns of lesson 01.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: inputs and outputs of different lengths: one RNN reads, another writes, and a single state joins them.
#   Then the limit of that state, measured, a look at attention, and a tour of what RNNs are used for.
# - **Ask**: name a task whose output is shorter than its input, and one whose output is longer.
# - **Answer**: speech to text or summarisation (many audio frames or words in, fewer out); image captioning, or
#   text to speech.

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Prerequisites**: lessons 01–06 (especially the LSTM of lesson 04 and generation in lesson 05).
#
# **Time**: 45–60 minutes. The notebook runs top to bottom in under a minute.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the decoder is lesson 05's language model with another starting state, and both halves are lesson 04's
#   LSTM.
# - **Ask**: where did lesson 05's language model get its initial state?
# - **Answer**: zeros at the start of the text, or the previous chunk's final state; here it gets the encoder's.

# %% slideshow={"slide_type": "skip"}
# %matplotlib inline
import copy

import numpy as np

from rnn_course import use_blas_threads
from rnn_course.demos import teacher_forcing_demo
from rnn_course.models import Seq2Seq
from rnn_course.optim import Adam
from rnn_course.plots import (
    new_figure,
    plot_encoder_decoder,
    plot_io_patterns,
    plot_metric_curves,
    plot_position_accuracy,
    plot_sequence_accuracy_gap,
)
from rnn_course.tasks.dates import END, FORMATS, SOURCE_VOCAB, START, TARGET_VOCAB, dates_data, encode_pairs
from rnn_course.tasks.reversal import REVERSAL_SOURCE_VOCAB, REVERSAL_TARGET_VOCAB, reversal_data
from rnn_course.train import fit

# One BLAS thread for numpy's matrix products: an RNN multiplies small matrices one step at a time,
# and a second thread costs more than it saves (the docstring of rnn_course.blas says why).
use_blas_threads(1)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. When input and output have different lengths
#
# Translation, summarisation, speech to text: the output is a sequence whose length is not the input's, and
# whose $k$-th element need not line up with the $k$-th input. The **many-to-many, delayed** pattern of lesson 01
# handles it in two phases:
#
# - the **encoder** reads $x_1 \dots x_S$ and ends in a state $s = h^{enc}_S$ — a summary of the whole input;
# - the **decoder** is a language model (lesson 05) that starts from $s$ instead of zeros and generates
#   $y_1, y_2, \dots$ until it emits an end token `</s>`:
#
# $$h^{dec}_0 = s, \qquad h^{dec}_u = \mathrm{cell}(\mathrm{embed}(y_{u-1}), h^{dec}_{u-1}), \qquad
# p(y_u \mid y_{<u}, x) = \mathrm{softmax}(h^{dec}_u W_y + b_y), \quad y_0 = \texttt{<s>}.$$
#
# ($W_y, b_y$ are `W_out`, `b_out` in the code.) With LSTMs, $s$ is both $h$ and the cell state $c$.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the encoder reads, the decoder writes, and $s$ is all that passes between them. With LSTMs $s$ is both
#   $h$ and the cell state $c$.
# - **Ask**: what does the decoder read at its first step?
# - **Answer**: the start token `<s>` as its input, with $s$ as its initial state.

# %% slideshow={"slide_type": "subslide"}
plot_encoder_decoder(list("3 may 1999"), list("1999-05-03"))

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the encoder's outputs are ignored, everything about the source passes through the red state $s$,
#   and each character the decoder writes is its input at the next step (the dashed arrows).
# - **Ask**: how many numbers cross from the encoder to the decoder for a 10-character input, and for a
#   100-character one?
# - **Answer**: the same: $H$ for $h$ and $H$ for $c$, whatever the length. That is the bottleneck of section 3.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. A toy translation task: dates
#
# `dates_data` writes random dates between 1950 and 2049 the way people do — seven formats, month names in full or
# abbreviated, ordinal suffixes, weekdays — and asks for the ISO form `YYYY-MM-DD`. The model must learn month
# names, find the day wherever it is, pad it to two digits, and ignore the weekday.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: a translation task small enough to train in class: seven ways of writing a date, one ISO form.
# - **Ask**: what must the model learn besides copying digits?
# - **Answer**: month names as numbers, where the day is in each format, padding the day to two digits, and
#   ignoring the weekday.

# %% slideshow={"slide_type": "subslide"}
sources, targets, formats = dates_data(12, rng=3)
for source, target in zip(sources[:8], targets[:8]):
    print(f"{source:>28}  ->  {target}")
print(f"\nsource characters: {SOURCE_VOCAB.size} tokens; target: {TARGET_VOCAB.tokens}")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: sources in several formats and their ISO targets; the target vocabulary is the digits, the dash
#   and three special tokens.
# - **Ask**: "3 may 1999" and "may 3, 1999" have the same target. What must the encoder's final state hold?
# - **Answer**: the day, the month and the year, in some form the decoder can read: little information, which is
#   why dates compress well (section 3 takes a task that does not).

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Teacher forcing
#
# During training the decoder does not read its own guesses: it reads the **true** previous token. The target
# "1999-05-03" becomes the input `<s> 1 9 9 9 - 0 5 - 0` and the output `1 9 9 9 - 0 5 - 0 3 </s>` — the same
# shift by one as the language model of lesson 05, so the loss is the usual masked cross-entropy and one forward
# and backward pass covers the whole target. (`encode_pairs` pads and builds both; the mask hides the padding.)

# %%
batch = encode_pairs(["3 may 1999"], ["1999-05-03"])
print("decoder input :", TARGET_VOCAB.decode(batch.tgt_in[0], skip_specials=False))
print("decoder target:", TARGET_VOCAB.decode(batch.tgt_out[0], skip_specials=False))

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the decoder input starts with `<s>`, the target ends with `</s>`: the same shift by one as lesson
#   05's language model.
# - **Ask**: why train on the true previous token rather than the model's own guess?
# - **Answer**: every step then has the right context, so one forward and backward pass covers the whole target
#   and early bad guesses do not derail training. The price is paid at test time (next slides).

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Training
#
# An LSTM encoder and an LSTM decoder with 64 units each, embeddings of size 16, Adam, clipping. Every batch is
# 64 fresh dates. Every 100 steps we measure two things on 1,000 test dates:
#
# - **token accuracy** with teacher forcing: each output character, given the true characters before it;
# - **exact match** with greedy decoding: the model's whole output, fed its own previous characters, equals the
#   ISO date.
#
# We also keep a copy of the model every 50 steps (`fit`'s `callback` runs after every step), to replay the
# training run in a demo below.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: two measures: token accuracy under teacher forcing, exact match of whole dates with greedy decoding.
#   A copy of the model every 50 steps feeds the demo below.
# - **Ask**: predict: which of the two will be higher early in training?
# - **Answer**: token accuracy: a date counts only if every character is right.

# %% slideshow={"slide_type": "skip"}
test_sources, test_targets, test_formats = dates_data(1000, rng=1)
test_batch = encode_pairs(test_sources, test_targets)


def exact_match(model, sources, targets, source_vocab=SOURCE_VOCAB, target_vocab=TARGET_VOCAB):
    """Share of outputs (greedy decoding) equal to the target, and the per-example hits."""
    hits = np.array([p == t for p, t in zip(model.translate(sources, source_vocab, target_vocab, max_len=20),
                                            targets)])
    return hits.mean(), hits


def evaluate(model):
    return {"token accuracy (teacher forcing)": model.token_accuracy(test_batch),
            "exact match (greedy decoding)": exact_match(model, test_sources, test_targets)[0]}


def date_batches(rng):
    sources, targets, _ = dates_data(64, rng=rng)
    return encode_pairs(sources, targets)


# %% slideshow={"slide_type": "subslide"}
dates_model = Seq2Seq(SOURCE_VOCAB.size, TARGET_VOCAB.size, H=64, E=16, cell="lstm",
                      start_id=TARGET_VOCAB[START], end_id=TARGET_VOCAB[END], seed=0)
checkpoints = {0: copy.deepcopy(dates_model)}  # {training step: the model at that step}


def keep_checkpoint(step, loss, history):
    if step % 50 == 0:
        checkpoints[step] = copy.deepcopy(dates_model)


dates_history = fit(dates_model, date_batches, steps=600, optimizer=Adam(2e-2), clip=5.0, evaluate=evaluate,
                    eval_every=100, seed=0, desc="dates", callback=keep_checkpoint)
print(dates_history)

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the run's summary line: 600 steps, and where both measures ended; the next slides look at how they
#   got there.
# - **Ask**: why evaluate on the same 1,000 test dates every time rather than fresh ones?
# - **Answer**: so that the curves compare like with like: a change from one evaluation to the next comes from
#   the model, not from another sample of dates.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Greedy decoding, and a gap
#
# Greedy decoding feeds each predicted character back in (`Seq2Seq.greedy_decode`; beam search would keep the $k$
# best partial outputs instead). Compare the two curves: early in training the model gets most *characters* right
# while most *dates* are still wrong. An output is right only if all 10 characters and the `</s>` are, so with a
# per-token accuracy $a$ and independent errors the exact match would be about $a^{11}$ (dotted); and in
# free-running decoding one wrong character is fed back in as input, a situation teacher forcing never showed the
# model (*exposure bias*, Bengio et al. 2015).

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: with independent errors, exact match would be about $a^{11}$; in free-running decoding a wrong
#   character is also fed back as input, a situation teacher forcing never showed the model (exposure bias).
# - **Ask**: why the power 11, when a date has 10 characters?
# - **Answer**: the end token `</s>` must be right too: a date is right only if the model also stops.

# %% slideshow={"slide_type": "skip"}
token_acc = np.array(dates_history.metrics["token accuracy (teacher forcing)"])
exact_acc = np.array(dates_history.metrics["exact match (greedy decoding)"])
assert token_acc[0] > 0.5 > exact_acc[0]  # the text above relies on it
assert (token_acc >= exact_acc).all()  # a right output needs every token right
gap_figure = plot_sequence_accuracy_gap(dates_history, token="token accuracy (teacher forcing)",
                                        sequence="exact match (greedy decoding)", length=11)

# %% slideshow={"slide_type": "subslide"}
gap_figure

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: at step 100 most characters are right (token accuracy above 50%) while most dates are wrong (exact
#   match below 50%); token accuracy is never below exact match. At the first two evaluations exact match is more
#   than 5 points below the dotted $a^{11}$; at the end the two agree within 2 points (all asserted).
# - **Ask**: exact match below the independent-errors curve: what does that say about the errors?
# - **Answer**: they compound: a wrong character fed back in makes the next one more likely wrong. Errors that
#   clustered in a few dates would have put exact match above the curve.

# %% slideshow={"slide_type": "subslide"}
final, hits = exact_match(dates_model, test_sources, test_targets)
print(f"exact match after {dates_history.steps[-1]} steps: {final:.1%}")
for k, fmt in enumerate(FORMATS):
    print(f"  {fmt:>24}: {hits[test_formats == k].mean():.1%}")
tricky = ["1st of january 2000", "31.12.1999", "sunday, 29 february 2004", "dec 25 1950", "june 7, 2049"]
for source, output in zip(tricky, dates_model.translate(tricky, SOURCE_VOCAB, TARGET_VOCAB)):
    print(f"{source:>28}  ->  {output}")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: exact match above 95% overall and above 90% in every one of the seven formats (asserted), and the
#   tricky dates: an ordinal, a leap day with its weekday, the ends of the range.
# - **Ask**: could this model tell you that "29 february 2005" is not a date?
# - **Answer**: no: the generator writes only real dates, so the model never saw an impossible one and was never
#   trained to reject one; it maps text to digits.

# %% slideshow={"slide_type": "skip"}
assert final > 0.95 and min(hits[test_formats == k].mean() for k in range(len(FORMATS))) > 0.9  # every format learned
# an impossible date is not rejected: it is mapped to digits like any other
assert dates_model.translate(["29 february 2005"], SOURCE_VOCAB, TARGET_VOCAB) == ["2005-02-29"]

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Demo: what the decoder reads
#
# `teacher_forcing_demo(checkpoints)` replays the training run above. For one date it shows the decoder's
# distribution over the next character at each output step, what it **reads** and what it **writes**. Under
# teacher forcing it reads the true previous character; running free it reads its own. Try
# **"part-trained, teacher forcing"**, then **"part-trained, free running"** (the same model on the same date: a
# red character in the *reads* row is a mistake fed back in), then **"trained, free running"**, and drag the
# **training step**. Right: the two curves of the figure above, measured on other test dates. The presets are
# picked from this run: among the checkpoints that get 80% of the characters right under teacher forcing, the
# checkpoint and date of the menu where running free costs the most characters.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the demo replays this training run from its checkpoints; its presets are picked from the run.
# - **Ask**: in "part-trained, free running", what happens after the first red character in the *reads* row?
# - **Answer**: the decoder reads its own mistake, a prefix it never saw in training, and the characters after it
#   tend to go wrong too: exposure bias.

# %% slideshow={"slide_type": "subslide"}
teacher_forcing_demo(checkpoints)

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: **"part-trained, teacher forcing"**, then **"part-trained, free running"** (the same model and date:
#   count the red characters in *reads*), then **"trained, free running"**; drag **training step**. Right: the
#   two curves on other test dates.
# - **Ask**: under teacher forcing, can a wrong output make the next output wrong?
# - **Answer**: not through the input: the next step reads the true character whatever was written. Only free
#   running feeds mistakes back.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. The bottleneck
#
# Whatever the length of the input, the decoder sees it only through $s$: $H$ numbers (here 64, plus 64 for the
# LSTM's cell state). Dates are easy to compress — a day, a month and a year. A task that cannot be compressed shows
# the limit: **reverse a string of random letters**. Each output character depends on one specific input
# character, so the state must hold all of them. We train two encoder-decoders, with 4 and 32 units, on strings
# of 2 to 7 letters, and measure the exact match every 250 steps on 1,000 test strings.
#
# One rule before reading a plot like this: **train until the curves stop moving.** A small model learns more
# slowly, and stopping early makes slow look like impossible. Here each model trains until its curve is flat:
# the mean exact match over its last 1,000 steps is within 3 points of the mean over the 1,000 steps before.
# (Single evaluations still wobble by a few points around the plateau: the learning rate keeps the weights moving.)

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: reversing random letters cannot be compressed: every letter must be in the state. Two models, 4 and
#   32 units, each trained until its exact match is flat (the last 1,000 steps' mean within 3 points of the 1,000
#   before, asserted).
# - **Ask**: how many numbers does the 4-unit LSTM hand to its decoder?
# - **Answer**: 8: four in $h$ and four in the cell state $c$.

# %% slideshow={"slide_type": "skip"}
MIN_LEN, MAX_LEN = 2, 7
rev_sources, rev_targets = reversal_data(1000, rng=1, min_len=MIN_LEN, max_len=MAX_LEN)
rev_lengths = np.array([len(s) for s in rev_sources])
lengths = np.arange(MIN_LEN, MAX_LEN + 1)


def reversal_batches(rng):
    sources, targets = reversal_data(64, rng=rng, min_len=MIN_LEN, max_len=MAX_LEN)
    return encode_pairs(sources, targets, REVERSAL_SOURCE_VOCAB, REVERSAL_TARGET_VOCAB)


def reversal_exact_match(model):
    return {"exact match": exact_match(model, rev_sources, rev_targets, REVERSAL_SOURCE_VOCAB,
                                       REVERSAL_TARGET_VOCAB)[0]}


EVALS_PER_1000 = 4  # evaluations every 250 steps


def converged_at(history, tolerance=0.05):
    """The first evaluation from which the exact match stays within ``tolerance`` of its plateau (the mean over
    the last 1,000 steps)."""
    curve = np.array(history.metrics["exact match"])
    plateau = curve[-EVALS_PER_1000:].mean()
    return next(step for step, i in zip(history.eval_steps, range(len(curve)))
                if np.all(np.abs(curve[i:] - plateau) < tolerance))


def last_change(history):
    """Mean exact match over the last 1,000 steps minus the mean over the 1,000 steps before."""
    curve = np.array(history.metrics["exact match"])
    return curve[-EVALS_PER_1000:].mean() - curve[-2 * EVALS_PER_1000:-EVALS_PER_1000].mean()


reversal_runs, by_length = {}, {}
runs_table = [f"{'':>7} {'steps':>6} {'seconds':>8} {'exact match':>12} {'flat from step':>15} {'change':>7}"]
length_table = [f"{'length':>7} " + "".join(f"{L:>6}" for L in lengths)]
for H, steps in ((4, 3500), (32, 3000)):
    model = Seq2Seq(REVERSAL_SOURCE_VOCAB.size, REVERSAL_TARGET_VOCAB.size, H=H, E=16, cell="lstm",
                    start_id=REVERSAL_TARGET_VOCAB[START], end_id=REVERSAL_TARGET_VOCAB[END], seed=0)
    history = fit(model, reversal_batches, steps=steps, optimizer=Adam(2e-2), clip=5.0, seed=0, progress=False,
                  evaluate=reversal_exact_match, eval_every=250)
    _, hits = exact_match(model, rev_sources, rev_targets, REVERSAL_SOURCE_VOCAB, REVERSAL_TARGET_VOCAB)
    label = f"H = {H} ({model.num_params:,} parameters)"
    reversal_runs[label] = history
    by_length[label] = (lengths, np.array([hits[rev_lengths == L].mean() for L in lengths]))
    curve = np.array(history.metrics["exact match"])
    runs_table.append(f"{f'H = {H}':>7} {steps:>6} {history.seconds:>8.1f} {hits.mean():>12.1%} "
                      f"{converged_at(history):>15} {100 * last_change(history):>+7.1f}")
    length_table.append(f"{f'H = {H}':>7} " + "".join(f"{acc:>6.0%}" for acc in by_length[label][1]))

# %% slideshow={"slide_type": "subslide"}
print("\n".join(runs_table))
print("(flat from step: within 5 points of the last 1,000 steps' mean from then on; change: that mean minus the\n"
      " mean over the 1,000 steps before, in points)\n")
print("exact match by string length")
print("\n".join(length_table))

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: by length, 4 units reverse most two-letter strings (above 75%) and almost no six- or seven-letter
#   ones (below 15%), falling with the length; 32 units are above 85% at every length and above 95% overall at the
#   last evaluation (all asserted).
# - **Ask**: why check "flat from step" before comparing the two?
# - **Answer**: a small model learns more slowly; stopped early, slow would look like impossible.

# %% slideshow={"slide_type": "skip"}
(small_label, small), (large_label, large) = ((k, v[1]) for k, v in by_length.items())
curves = {k: np.array(h.metrics["exact match"]) for k, h in reversal_runs.items()}
for k, history in reversal_runs.items():
    assert abs(last_change(history)) < 0.03, k  # converged: flat over the last 2,000 steps
assert large.min() > 0.85 and curves[large_label][-1] > 0.95  # 32 units reverse every length
assert small[0] > 0.75 and small[-2:].max() < 0.15  # 4 units: two letters yes, six or seven no
assert small[0] > small[2] + 0.2 > small[4] + 0.3  # falling with the length
bottleneck_figure, axes = new_figure(figsize=(12.5, 4.2), ncols=2)
plot_metric_curves(reversal_runs, "exact match", ax=axes[0], title="Exact match while training: both curves flatten")
plot_position_accuracy(by_length, xlabel="string length (letters)", ax=axes[1],
                       title="After training: exact match by length")

# %% slideshow={"slide_type": "subslide"}
bottleneck_figure

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: left, both curves flatten, at different heights; right, exact match by length: the 4-unit curve
#   falls with the length, the 32-unit curve stays high.
# - **Ask**: what would you expect from the 32-unit model on strings of many more letters?
# - **Answer**: the same fall, further out: a larger state moves the limit, it does not remove it. Attention
#   (lesson 08) removes it.

# %% [markdown] slideshow={"slide_type": "subslide"}
# Both curves are flat long before the end of training, and the plateaus differ: the 32-unit model reverses strings
# of every length here, the 4-unit model reverses most two-letter strings and almost no string of six or seven.
# With the training converged, it is the size of the state (8 numbers with the cell state, against 64) that sets
# where accuracy falls. This is the bottleneck Cho et al. (2014) and Bahdanau et al. (2015) saw in translation:
# the quality of an encoder-decoder without attention drops for long sentences.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: with the training converged, the size of the state sets where accuracy falls; Cho et al. (2014) and
#   Bahdanau et al. (2015) saw the same in translation, where quality fell with sentence length.
# - **Ask**: how would you lift the limit without making $H$ huge?
# - **Answer**: let the decoder read every encoder state instead of only the last: attention, next section.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Looking ahead: attention and transformers
#
# **Attention** (Bahdanau, Cho & Bengio 2015) keeps *all* encoder states $h^{enc}_1 \dots h^{enc}_S$ and lets the
# decoder look back at them at every step. At step $u$ it scores each source position against its own state,
# turns the scores into weights with a softmax and reads a weighted average, the **context**:
#
# $$e_{u,t} = \mathrm{score}(h^{dec}_{u-1}, h^{enc}_t), \qquad \alpha_{u,t} = \frac{e^{e_{u,t}}}{\sum_{t'}
# e^{e_{u,t'}}}, \qquad \mathrm{ctx}_u = \sum_t \alpha_{u,t}\, h^{enc}_t,$$
#
# and feeds $\mathrm{ctx}_u$ into the decoder step (Bahdanau et al. write the context $c_i$; in this course $c$ is
# the LSTM's cell state). The decoder no longer needs to carry the whole input in one vector:
# reversing a string becomes "look at position $S+1-u$", whatever $S$. The weights $\alpha$ also show *what* the
# model looks at — alignments between words in translation.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: score each source position, softmax the scores into weights, read the weighted average
#   $\mathrm{ctx}_u$; reversing becomes "look at position $S+1-u$", whatever $S$. (Bahdanau et al. call the
#   context $c_i$; here $c$ is the LSTM's cell state.)
# - **Ask**: what do the weights $\alpha_{u,t}$ give a human reader?
# - **Answer**: an alignment: which source positions output $u$ was read from; in translation it lines up the
#   words that correspond.

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Transformers** (Vaswani et al. 2017) drop the recurrence altogether: every position attends to every other
# position (*self-attention*), word order enters through positional encodings, and all positions of a layer are
# computed in parallel — on a GPU much faster to train than a loop over time. They now dominate language
# modelling and translation. Recurrence is not gone: it runs in constant memory per step, which suits streaming
# (on-device speech recognition), and recent state-space models (S4, Mamba) and linear-attention RNNs bring
# recurrent computation back at scale.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: no recurrence: self-attention between all positions, positions encoded, a whole layer computed in
#   parallel. Recurrence lives on where constant memory per step matters (streaming), and in state-space models.
# - **Ask**: why is an RNN slower to train on a GPU than a transformer?
# - **Answer**: step $t$ needs $h_{t-1}$, so the loop over time runs one step after another; a transformer layer
#   computes all positions at once.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. A tour of applications
#
# The patterns of lesson 01, and what fills them in practice:

# %%
plot_io_patterns()

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: lesson 01's patterns, now with the tasks that fill them.
# - **Ask**: which pattern is image captioning?
# - **Answer**: one-to-many: one image in, a sentence out.

# %% [markdown] slideshow={"slide_type": "subslide"}
# | application | what goes in | what comes out | pattern | architecture | key references |
# |---|---|---|---|---|---|
# | **speech recognition** | audio frames (e.g. 100 per second of log-mel features) | characters or words, far fewer than frames | many-to-many, unaligned | bidirectional LSTMs with CTC (a loss that sums over all alignments), or an encoder-decoder with attention ("listen, attend and spell"); streaming systems: the RNN transducer | Graves et al. 2006 (CTC); Graves, Mohamed & Hinton 2013; Chan et al. 2016; Graves 2012 (transducer); He et al. 2019 (on-device) |
# | **image captioning** | one image | a sentence | one-to-many | a CNN encodes the image; its feature vector starts (or conditions) an LSTM language model; attention over image regions | Vinyals et al. 2015 (Show and Tell); Karpathy & Fei-Fei 2015; Xu et al. 2015 (Show, Attend and Tell) |

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: speech: far more frames than characters, and no given alignment: CTC sums over all alignments, the
#   RNN transducer streams. Captioning: a CNN's features start an LSTM language model, later with attention over
#   image regions.
# - **Ask**: why can speech recognition not use the synced many-to-many pattern as it is?
# - **Answer**: there is no label per frame: the characters are far fewer than the frames, and where each one
#   falls is unknown.

# %% [markdown] slideshow={"slide_type": "subslide"}
# | application | what goes in | what comes out | pattern | architecture | key references |
# |---|---|---|---|---|---|
# | **machine translation** | a sentence in one language | a sentence in another | many-to-many, delayed | encoder-decoder LSTMs (this lesson), then with attention, then transformers | Sutskever, Vinyals & Le 2014; Cho et al. 2014; Bahdanau, Cho & Bengio 2015; Wu et al. 2016 (GNMT); Vaswani et al. 2017 |
# | **music generation** | the notes or events so far (and optionally a style or a melody) | the next note or event | many-to-many, synced (a language model over notes), sampled one-to-many | LSTM language models over note events, sampled with a temperature (lesson 05) | Eck & Schmidhuber 2002 (blues with LSTM); Boulanger-Lewandowski, Bengio & Vincent 2012; Oore et al. 2018 (Performance RNN) |
#
# In every row the building blocks are the ones of this course: cells with gates (04), trained with BPTT (02)
# and clipping (03), read out as a language model (05), a classifier or tagger (06), or an encoder-decoder (07).

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: translation went from this lesson's encoder-decoder to attention to transformers; music is lesson
#   05's language model over note events, sampled with a temperature.
# - **Ask**: what does the temperature do to generated music?
# - **Answer**: what it does to text: a low $\tau$ plays it safe and repeats itself, a high $\tau$ wanders into
#   noise.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - An encoder-decoder reads the input into a state $s$ and generates the output from it with a conditional
#   language model; input and output lengths are independent.
# - Teacher forcing trains the decoder on the true previous tokens: one pass per target, the usual masked
#   cross-entropy. At test time the decoder feeds back its own outputs (greedy decoding here; beam search in
#   practice).
# - Token accuracy overstates sequence accuracy: all tokens must be right, and errors feed back.
# - The state $s$ has a fixed size: on a task that cannot be compressed, accuracy falls with the length, later for
#   a larger state. Attention removes the bottleneck by letting the decoder read every encoder state; transformers
#   replace recurrence with attention entirely.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Ask**: one sentence each: teacher forcing, exposure bias, the bottleneck.
# - **Answer**: the decoder trains on the true previous tokens; at test time it reads its own, mistakes included,
#   which training never showed it; one fixed-size state carries the whole input.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Check your understanding
#
# 1. Why does the decoder need a `<s>` token and an `</s>` token? What would go wrong without each?
# 2. During training with teacher forcing, the decoder input at step $u$ is the true $y_{u-1}$. What is it during
#    greedy decoding, and why can one early mistake ruin the rest of the output?
# 3. A model has a teacher-forced token accuracy of 95% on 10-character outputs. Roughly what exact-match accuracy
#    would you expect? Why is that only an estimate?
# 4. Sutskever et al. (2014) fed the source sentence to the encoder *reversed* and found it helped. Using the
#    picture of the encoder-decoder, explain why it might.
# 5. In the reversal experiment, would training for ten times longer make the 4-unit model reverse 7-letter
#    strings? What tells you, and what does not?
# 6. Why can a bidirectional RNN be used as the encoder but not as the decoder?
#
# <details><summary>Answers</summary>
#
# 1. `<s>` gives the first decoder step an input (the decoder always reads the previous token); `</s>` lets the
#    model decide when to stop, so outputs can have any length. Without `</s>` we would have to fix the output
#    length in advance.
# 2. Its own previous prediction. If that is wrong, the next step reads an input that the true data never
#    contained after this prefix, and the error tends to propagate (exposure bias): early in our training run the
#    same checkpoints get fewer characters right running free than under teacher forcing (measured below).
# 3. About $0.95^{11} \approx 57\%$ (10 characters and `</s>`). It assumes independent errors, and the same
#    accuracy when the decoder reads its own outputs as when it reads the true ones. Neither holds exactly: errors
#    that cluster in a few outputs would make the exact match higher, errors fed back and compounding make it
#    lower. In our run the second wins early in training: after 100 and 200 steps the exact match is well below
#    $a^{11}$ (the dotted curve in the figure of section 2); later, with few errors left, the two agree.
# 4. With the source reversed, the first source words are read last, right before the decoder starts producing
#    the first target words: short paths between words that correspond, easier gradients early in training.
# 5. Very likely not: its exact-match curve has been flat for the last 2,000 of its 3,500 steps, so more of the
#    same training is not moving it; the 32-unit model, trained the same way, gets there. What the plot cannot
#    tell you is that nothing would ever change: the small model's loss is still creeping down (it grows more
#    confident about letters it already gets right), and a small network can keep improving slowly for a long time.
#    That is why the curves had to flatten before we blamed the state. Attention (lesson 08), or a larger $H$,
#    moves the limit.
# 6. The encoder sees the whole input before anything is produced, so it can read it in both directions. The
#    decoder generates left to right: its future outputs do not exist yet.
# </details>

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: three minutes in pairs on questions 2, 3 and 5, then compare with the answers (on the slide, folded).
# - **Answers, with the notebook's numbers**: (2) at steps 100, 200 and 300 the same checkpoints get fewer
#   characters right running free than under teacher forcing (asserted). (3) $0.95^{11} \approx 57\%$ (asserted);
#   in our run the exact match starts well below $a^{11}$ (errors compound) and ends within 2 points of it
#   (asserted). (5) the 4-unit model's exact match is flat over its last 2,000 steps while its loss still creeps
#   down (asserted).

# %% slideshow={"slide_type": "skip"}
# The numbers behind the answers (read the answers first).
# 2. the same checkpoints, under teacher forcing and running free (characters in the right place, out of 10)
for step in (100, 200, 300):
    free_running = checkpoints[step].translate(test_sources, SOURCE_VOCAB, TARGET_VOCAB, max_len=20)
    free = np.mean([sum(a == b for a, b in zip(out, target)) / 10 for out, target in zip(free_running, test_targets)])
    forced = checkpoints[step].token_accuracy(test_batch)
    print(f"step {step}: characters right under teacher forcing {forced:.1%}, running free {free:.1%}")
    assert free < forced - 0.01
# 3. the arithmetic, and the exact match below a^11 while errors remain
assert abs(0.95**11 - 0.57) < 0.01
assert (exact_acc[:2] < token_acc[:2] ** 11 - 0.05).all() and abs(exact_acc[-1] - token_acc[-1] ** 11) < 0.02
# 5. the 4-unit model's loss still creeps down while its exact match stays flat
small_history = reversal_runs[small_label]
smooth = small_history.smoothed_loss(250)
small_curve = curves[small_label]
print(f"4-unit model: loss {smooth[1499]:.3f} at step 1,500 and {smooth[-1]:.3f} at step {small_history.steps[-1]:,}; "
      f"mean exact match {small_curve[-2 * EVALS_PER_1000:-EVALS_PER_1000].mean():.1%} over the 1,000 steps after "
      f"step 1,500 and {small_curve[-EVALS_PER_1000:].mean():.1%} over the last 1,000")
assert small_history.steps[-1] == 3500 and smooth[-1] < smooth[1499] and abs(last_change(small_history)) < 0.03

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### References
#
# - I. Sutskever, O. Vinyals, Q. V. Le, "Sequence to sequence learning with neural networks", *NeurIPS* 2014.
# - K. Cho et al., "Learning phrase representations using RNN encoder-decoder for statistical machine
#   translation", *EMNLP* 2014; K. Cho et al., "On the properties of neural machine translation: encoder-decoder
#   approaches", *SSST* 2014 (quality falls with sentence length).
# - D. Bahdanau, K. Cho, Y. Bengio, "Neural machine translation by jointly learning to align and translate",
#   *ICLR* 2015.
# - A. Vaswani et al., "Attention is all you need", *NeurIPS* 2017.
# - S. Bengio, O. Vinyals, N. Jaitly, N. Shazeer, "Scheduled sampling for sequence prediction with recurrent neural
#   networks", *NeurIPS* 2015 (exposure bias).

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: Sutskever et al. and Cho et al. for the encoder-decoder, Bahdanau et al. for attention, Bengio et al.
#   for exposure bias and scheduled sampling, a cure for it.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### References, continued
#
# - A. Graves, S. Fernández, F. Gomez, J. Schmidhuber, "Connectionist temporal classification", *ICML* 2006;
#   A. Graves, A. Mohamed, G. Hinton, "Speech recognition with deep recurrent neural networks", *ICASSP* 2013;
#   W. Chan, N. Jaitly, Q. Le, O. Vinyals, "Listen, attend and spell", *ICASSP* 2016; A. Graves, "Sequence
#   transduction with recurrent neural networks", *ICML workshop* 2012; Y. He et al., "Streaming end-to-end speech
#   recognition for mobile devices", *ICASSP* 2019.
# - O. Vinyals, A. Toshev, S. Bengio, D. Erhan, "Show and tell: a neural image caption generator", *CVPR* 2015;
#   A. Karpathy, L. Fei-Fei, "Deep visual-semantic alignments for generating image descriptions", *CVPR* 2015;
#   K. Xu et al., "Show, attend and tell", *ICML* 2015.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the speech and captioning papers of the applications table: CTC, listen-attend-spell, the transducer,
#   on-device recognition; Show and Tell, and Show, Attend and Tell.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### References, continued
#
# - Y. Wu et al., "Google's neural machine translation system", arXiv:1609.08144, 2016.
# - D. Eck, J. Schmidhuber, "Finding temporal structure in music: blues improvisation with LSTM recurrent
#   networks", *NNSP* 2002; N. Boulanger-Lewandowski, Y. Bengio, P. Vincent, "Modeling temporal dependencies in
#   high-dimensional sequences: application to polyphonic music generation and transcription", *ICML* 2012;
#   S. Oore et al., "This time with feeling: learning expressive musical performance", *Neural Computing and
#   Applications*, 2018.
# - A. Gu, K. Goel, C. Ré, "Efficiently modeling long sequences with structured state spaces", *ICLR* 2022;
#   A. Gu, T. Dao, "Mamba: linear-time sequence modeling with selective state spaces", arXiv:2312.00752, 2023.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: translation at scale (GNMT), the music papers of the table, and the state-space models (S4, Mamba)
#   that bring recurrent computation back at scale.
