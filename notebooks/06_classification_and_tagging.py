# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "skip"} tags=["colab"]
# **[Open in Colab](https://colab.research.google.com/github/rnn-course/rnn-course/blob/main/notebooks/06_classification_and_tagging.ipynb)**: run this notebook in Google Colab, nothing to install.

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
# # 06 · Classification and tagging
#
# **What you will learn**
# - **many-to-one**: read a whole sentence, output one label — and why word order matters, shown on a
#   sentiment task where a bag-of-words model is hardly better than a coin;
# - what to classify from: the **final state** or **pooled** states (mean, max);
# - **synced many-to-many** (tagging): one label per token, and why a tag that depends on *later* words needs a
#   **bidirectional** RNN;
# - **stacked** (deep) RNNs — and what depth cannot do;
# - where **dropout** goes in an RNN: what the non-recurrent, naive recurrent and variational placements do to
#   what a network remembers, and which of them help a model that overfits, measured.
#
# **Prerequisites**: lessons 01–04; lesson 05 for embeddings and the training loop.
#
# **Time**: 45 minutes. The notebook runs top to bottom in under a minute.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: two shapes of problem: one label for a whole sequence, and one label per token; both on generated
#   data, built so that the point cannot be missed. Then dropout: where it goes in an RNN, measured twice.
# - **Ask**: name a many-to-one task and a task with one label per token, from your phone or your work.
# - **Answer**: spam filtering, a review's rating, who is speaking; autocorrect flagging each word, or finding the
#   names in a message, one label per word.

# %% slideshow={"slide_type": "skip"}
# %matplotlib inline
import numpy as np

from rnn_course import use_blas_threads
from rnn_course.demos import sentiment_demo
from rnn_course.demos.classification import SENTIMENT_PRESETS, build_review, read_review
from rnn_course.losses import softmax_cross_entropy
from rnn_course.models import SequenceClassifier, SequenceTagger
from rnn_course.optim import Adam
from rnn_course.plots import (
    new_figure,
    plot_accuracy_by_group,
    plot_io_patterns,
    plot_metric_curves,
    plot_position_accuracy,
    plot_tagged_sentence,
)
from rnn_course.tasks.sentiment import KINDS, SENTIMENT_VOCAB, BagOfWords, encode_sentiment, sentiment_data
from rnn_course.tasks.tagging import (
    ENTITY_TAGS,
    ENTITY_VOCAB,
    TOPIC_VOCAB,
    TOPICS,
    entity_data,
    per_position_accuracy,
    topic_data,
)
from rnn_course.text import CharVocab, load_corpus
from rnn_course.train import fit, minibatches

# One BLAS thread for numpy's matrix products: an RNN multiplies small matrices one step at a time,
# and a second thread costs more than it saves (the docstring of rnn_course.blas says why).
use_blas_threads(1)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Two patterns from lesson 01
#
# - **many-to-one**: the whole input sequence, one output at the end (sentiment of a review, the topic of a
#   document, the speaker of a recording);
# - **many-to-many, synced**: one output per input step (part-of-speech tags, named entities, a label for every
#   frame of a video).

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the same recurrent encoder as before; today's models differ only in what they read out of its states.
# - **Ask**: in a many-to-one model, which states does the loss see directly?
# - **Answer**: only the summary (the final state, or a pooling of all of them); every other state gets its
#   gradient through BPTT.

# %% slideshow={"slide_type": "subslide"}
plot_io_patterns(["many-to-one", "many-to-many-synced"])

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: left, one output after the last step; right, one output at every step.
# - **Ask**: where does the loss enter in the synced pattern?
# - **Answer**: at every step: $L = \sum_t L_t$, one term per token's label.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Many-to-one: sentiment where word order matters
#
# `sentiment_data` generates short reviews of three kinds, in equal numbers:
#
# | kind | example | label |
# |---|---|---|
# | plain | *the plot was really clever* | the adjective's |
# | negated | *the plot was **not** really clever* | flipped |
# | contrast | *the plot was clever **but** the acting was dull* | the clause after *but* |
#
# The generator is built so that the words alone carry almost nothing: each adjective occurs as often in positive
# as in negative reviews, and a *but* sentence holds one positive and one negative clause, in either order.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: three kinds of review in equal numbers, and a generator that balances every word between positive and
#   negative reviews: the words alone say almost nothing.
# - **Ask**: "the plot was really clever" and "the plot was not really clever": what must a model know to label
#   both?
# - **Answer**: that *not* flips what follows it: an interaction between words, which a sum over words cannot
#   express.

# %% slideshow={"slide_type": "subslide"}
train_sentences, train_labels, train_kinds = sentiment_data(3000, rng=0)
test_sentences, test_labels, test_kinds = sentiment_data(1500, rng=1)
for sentence, label in zip(train_sentences[:6], train_labels[:6]):
    print(f"{'positive' if label else 'negative':>8}: {sentence}")
x_train, y_train, len_train = encode_sentiment(train_sentences, train_labels)
x_test, y_test, len_test = encode_sentiment(test_sentences, test_labels)
print(f"\n{len(train_sentences)} training and {len(test_sentences)} test reviews, vocabulary {SENTIMENT_VOCAB.size} "
      f"words, padded to T = {x_train.shape[1]} (lengths {len_train.min()} to {len_train.max()})")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: a few reviews with their labels; reviews are right-padded to the longest. The skipped cell checks the
#   balance: every word's share of positive reviews is within 6 points of one half.
# - **Ask**: if every word is balanced, where is the label?
# - **Answer**: in the order: which adjective is negated, and which clause comes after *but*.

# %% slideshow={"slide_type": "skip"}
# Each word is in positive and negative reviews about equally often: words alone carry almost nothing.
positive_share = {SENTIMENT_VOCAB.tokens[w]: y_train[(x_train == w).any(axis=1)].mean()
                  for w in range(1, SENTIMENT_VOCAB.size) if (x_train == w).any()}
print("share of positive reviews among those containing each word: "
      f"{min(positive_share.values()):.1%} to {max(positive_share.values()):.1%}")
assert all(abs(share - 0.5) < 0.06 for share in positive_share.values())

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The bag-of-words baseline
#
# Logistic regression on word counts sees *which* words occur, not in what order. It cannot represent
# negation: it would need $w_{good} + w_{not} < 0$ (so "not good" is negative) and $w_{bad} + w_{not} > 0$
# (so "not bad" is positive) while $w_{good} > 0 > w_{bad}$ — impossible. And both orders of a *but* sentence
# are the same bag.

# %% slideshow={"slide_type": "skip"}
def accuracy_by_kind(predict):
    """Test accuracy of ``predict(x, lengths)`` on each kind of review."""
    pred = predict(x_test, len_test)
    return {kind: float(np.mean(pred[test_kinds == i] == y_test[test_kinds == i])) for i, kind in enumerate(KINDS)}


# %%
bow = BagOfWords(SENTIMENT_VOCAB.size).fit(x_train, y_train, len_train)
bow_acc = accuracy_by_kind(bow.predict)
print(f"bag of words: train {bow.accuracy(x_train, y_train, len_train):.1%}, "
      f"test {bow.accuracy(x_test, y_test, len_test):.1%}")
print({kind: f"{acc:.1%}" for kind, acc in bow_acc.items()})

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the bag of words is below 60% on negated and on contrast reviews, and below 60% overall
#   (asserted): hardly better than a coin.
# - **Ask**: why can logistic regression not get both "not good" and "not bad" right?
# - **Answer**: it would need $w_{good} < -w_{not} < w_{bad}$, so $w_{good} < w_{bad}$, against
#   $w_{good} > 0 > w_{bad}$: a weight per word cannot change with the words around it.

# %% slideshow={"slide_type": "skip"}
assert bow_acc["negated"] < 0.6 and bow_acc["contrast"] < 0.6  # the text below relies on it
assert bow.accuracy(x_test, y_test, len_test) < 0.6  # overall, hardly better than a coin

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### An RNN classifier
#
# `SequenceClassifier` embeds the words, runs a recurrent encoder (here a GRU with 24 units) over them and
# classifies a summary of its states. Reviews have different lengths, so batches are right-padded and the model
# gets the true `lengths`: the summary only ever looks at real words (the tests check that padding changes
# nothing). Three summaries (**readouts**):
#
# - `"last"`: the state after the last real word, $h_{T_n}$ for a review of $T_n$ words — the network must carry
#   everything there;
# - `"mean"`: $\frac{1}{T_n}\sum_{t=1}^{T_n} h_t$ — every step contributes;
# - `"max"`: the maximum of each unit over time — "was this feature seen anywhere?".

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: embed the words, run a GRU with 24 units, classify a summary of its states. The model gets the real
#   lengths, so the summary never reads padding.
# - **Ask**: a review of 5 words in a batch padded to 12 positions: which state does the readout `"last"` take?
# - **Answer**: $h_5$, the state after the fifth word, not the state at position 12 (question 2 at the end
#   measures what reading the padded end costs).

# %% slideshow={"slide_type": "subslide"}
def train_classifier(readout, steps=200, seed=0):
    model = SequenceClassifier(SENTIMENT_VOCAB.size, 2, H=24, E=16, cell="gru", readout=readout, seed=seed)
    history = fit(model, minibatches(x_train, y_train, len_train, batch_size=32, rng=seed), steps=steps,
                  optimizer=Adam(1e-2), clip=5.0, eval_every=25, seed=seed, progress=False,
                  evaluate=lambda m: {"accuracy": m.accuracy(x_test, y_test, len_test)})
    return model, history


classifiers, histories = {}, {}
for readout in ("last", "mean", "max"):
    classifiers[readout], histories[readout] = train_classifier(readout)
    print(f"readout {readout:>4}: test accuracy {histories[readout].final('accuracy'):.1%} after 200 steps "
          f"({histories[readout].seconds:.1f} s)")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Ask** (before running): on this task the deciding words come last. Which readout will learn slowest?
# - **Answer**: the mean: it averages the states before the deciding words in with the ones after them.
# - **Show**: the printed test accuracy of each readout after 200 steps; the next slide compares them by kind of
#   review and while training.

# %% slideshow={"slide_type": "skip"}
gru_acc = accuracy_by_kind(classifiers["last"].predict)
fig, axes = new_figure(figsize=(12.5, 4.2), ncols=2)
plot_accuracy_by_group({"bag of words": bow_acc, "GRU (final state)": gru_acc}, chance=0.5, ax=axes[0],
                       title="Bag of words against an RNN, by kind of review")
plot_metric_curves({f"readout = {k}": h for k, h in histories.items()}, "accuracy", ax=axes[1],
                   title="Test accuracy while training, by readout")
# How fast each readout learns: the mean test accuracy over the evaluations (the area under its curve)
learning_speed = {k: float(np.mean(h.metrics["accuracy"])) for k, h in histories.items()}
print("GRU (final state) by kind:", {kind: f"{acc:.1%}" for kind, acc in gru_acc.items()})
print("mean test accuracy while training:", {k: f"{v:.1%}" for k, v in learning_speed.items()})
assert min(gru_acc.values()) > 0.95
assert min(learning_speed["last"], learning_speed["max"]) > learning_speed["mean"] + 0.05
assert min(h.final("accuracy") for h in histories.values()) > 0.95  # all three readouts get there

# %% slideshow={"slide_type": "subslide"}
fig

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: left, the bag of words near chance on negated and contrast reviews and the GRU's final state above
#   95% on all three kinds (asserted); right, the test accuracy while training: `"last"` and `"max"` rise first,
#   the mean more than 5 points behind on average over the run (asserted).
# - **Ask**: the bag of words does better on plain reviews. How, if every word is balanced?
# - **Answer**: balanced over all reviews, not within the plain ones: there the adjective decides. What the bag
#   learns from plain reviews it then gets wrong on the negated ones (plain is more than 10 points above the
#   other two kinds, asserted).

# %% [markdown] slideshow={"slide_type": "subslide"}
# The bag of words stays near chance on negated and contrast reviews, whatever it learns about plain ones; the RNN
# reads the order and gets them right. All three readouts get there; in this run, on a task where the deciding
# words come last, the final state and the max learn fast and the mean of all states clearly slower (it averages
# the states before the deciding words in). Pooling pays off when the evidence can sit anywhere in a long input —
# the final state of a vanilla RNN forgets the start (lesson 03) — and a bidirectional encoder's "final state" is
# the forward state at the end joined with the backward state at the start.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: pooling pays off when the evidence can sit anywhere in a long input; a bidirectional encoder's "final
#   state" joins the forward state at the end with the backward state at the start.
# - **Ask**: a 500-word review whose verdict is in its first sentence, read by a vanilla RNN. Which readout?
# - **Answer**: max or mean pooling: the final state of a vanilla RNN has forgotten the start (lesson 03), while a
#   pooled summary takes the first sentence's states in directly.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Demo: read a review word by word
#
# Build a review from the menus and watch the GRU classifier above (readout `"last"`) read it. Top: P(positive)
# if the review ended after each word, for the RNN and for the bag of words; the star is the meaning of the whole
# review. Bottom: the RNN's state $h_t$, one row per unit. It opens on the longest review the menus build, two
# negations and a *but*. Try **"negated: not good"** and **"double: not bad"**,
# then **"good but dull"** against **"dull but good"**, and drag **words read t** to replay the reading. Before the
# adjective the verdict means little: the classifier was trained on whole reviews only.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: the curve is what each classifier would answer if the review stopped after that word; the star is
#   the meaning of the whole review.
# - **Ask**: before clicking: what will the bag of words say for "good but dull" and for "dull but good"?
# - **Answer**: exactly the same thing: the same words make the same bag.

# %% slideshow={"slide_type": "subslide"}
sentiment_demo(classifiers["last"])

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the presets **"negated: not good"**, **"double: not bad"**, then **"good but dull"** against
#   **"dull but good"**; drag **words read t** to replay. Top: the RNN's P(positive) swings at *not* and at each
#   adjective, the bag of words stays near one half. Bottom: the state $h_t$ changes pattern after *not*.
# - **Ask**: why does the RNN's verdict jump about before the adjective?
# - **Answer**: it was trained on whole reviews only: a verdict in mid-review answers a question it was never
#   asked. Only the value after the last word means anything.

# %% [markdown] slideshow={"slide_type": "subslide"}
# After *the plot was not* the RNN is in a different state than after *the plot was*, and the same adjective then
# pushes its verdict to the opposite end. The bag of words adds a fixed amount per word, whatever came before: it
# stays close to 50% on all of these reviews, and it gives "good but dull" and "dull but good" exactly the same
# score — they are the same bag.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: after *the plot was not* the RNN is in another state, so the same adjective drives its verdict the
#   other way; the bag of words adds a fixed amount per word.
# - **Ask**: how would you give the bag of words a chance on negation?
# - **Answer**: add word pairs as features ("not good" as one feature): that captures local order. A *but* clause
#   that decides only because it comes last still escapes it.

# %% slideshow={"slide_type": "skip"}
# The demo's reviews, read as the demo reads them: the RNN's verdict flips with "not"; the bag of words stays near
# 50% and gives both orders of a "but" review the same score.
p_rnn, p_bow = {}, {}
for name, preset in SENTIMENT_PRESETS.items():
    clauses = {k: preset[k] for k in ("first", "first_modifier", "second", "second_modifier")}
    _, rnn_curve, bow_curve = read_review(build_review(**clauses), classifiers["last"])
    p_rnn[name], p_bow[name] = rnn_curve[-1], bow_curve[-1]  # after the last word
print("P(positive), RNN:", {k: f"{v:.2f}" for k, v in p_rnn.items()})
print("P(positive), bag of words:", {k: f"{v:.2f}" for k, v in p_bow.items()})
assert p_rnn["plain: good"] > 0.9 and p_rnn["negated: not good"] < 0.1
assert all(abs(p - 0.5) < 0.1 for p in p_bow.values()) and p_bow["good but dull"] == p_bow["dull but good"]

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Tagging: when the label depends on later words
#
# `entity_data` makes sentences with names of people and places. The *same* name words are used for both; only
# the word **after** the name decides: *jordan kent **smiled*** is a person, *jordan kent **station*** a place.

# %%
x_tr, tags_tr, len_tr, _ = entity_data(3000, rng=0)
x_te, tags_te, len_te, name_te = entity_data(1000, rng=1)
for n in range(3):
    words = ENTITY_VOCAB.decode(x_tr[n]).split()
    print("  ".join(f"{w}/{ENTITY_TAGS[t]}" for w, t in zip(words, tags_tr[n])))

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the same name words are tagged PER or LOC; only the word after the name decides.
# - **Ask**: when must a left-to-right tagger commit to the tag of *kent* in *jordan kent station*?
# - **Answer**: at *kent*, one step before *station* arrives.

# %% [markdown] slideshow={"slide_type": "subslide"}
# A **unidirectional** RNN tags token $t$ from $h_t$, which has read tokens $1..t$ only. A **bidirectional** RNN
# (Schuster & Paliwal 1997) runs a second RNN from the end of the sentence backwards and concatenates the two
# states, $[\overrightarrow{h}_t; \overleftarrow{h}_t]$: token $t$ is tagged knowing the whole sentence. A
# **stacked** RNN feeds the states of one layer as the inputs of the next. We train four taggers with the same
# budget and look at accuracy on all tokens and on the name tokens alone.

# %% slideshow={"slide_type": "skip"}
def train_tagger(seed=0, steps=300, **kwargs):
    model = SequenceTagger(ENTITY_VOCAB.size, len(ENTITY_TAGS), H=24, E=16, cell="gru", seed=seed, **kwargs)
    history = fit(model, minibatches(x_tr, tags_tr, len_tr, batch_size=32, rng=seed), steps=steps,
                  optimizer=Adam(1e-2), clip=5.0, seed=seed, progress=False)
    return model, history


real = np.arange(x_te.shape[1])[None, :] < len_te[:, None]
taggers, token_accuracy, name_accuracy = {}, {}, {}
tagger_table = [f"{'':>28} {'params':>7} {'seconds':>8} {'all tokens':>11} {'name tokens':>12}"]
for label, kwargs in (("unidirectional", {}), ("unidirectional, 2 layers", {"layers": 2}),
                      ("bidirectional", {"bidirectional": True}),
                      ("bidirectional, 2 layers", {"bidirectional": True, "layers": 2})):
    model, history = train_tagger(**kwargs)
    pred = model.predict(x_te, len_te)
    taggers[label] = model
    token_accuracy[label] = np.mean(pred[real] == tags_te[real])
    name_accuracy[label] = np.mean(pred[name_te] == tags_te[name_te])
    tagger_table.append(f"{label:>28} {model.num_params:>7,} {history.seconds:>8.1f} {token_accuracy[label]:>11.1%} "
                        f"{name_accuracy[label]:>12.1%}")

# %%
print("\n".join(tagger_table))

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: the table. On name tokens the unidirectional tagger is at chance (within 10 points of 50%), a second
#   layer adds less than 5 points, and both bidirectional taggers are above 95% (all asserted).
# - **Ask**: the unidirectional tagger is right on most tokens overall. Why is that number misleading?
# - **Answer**: most tokens are not names (tagged O) and are easy; the name tokens are the task, and on them it
#   tosses a coin between PER and LOC.

# %% slideshow={"slide_type": "skip"}
# Name tokens: the unidirectional taggers are at chance (PER or LOC, 50%), a second layer does not help,
# the bidirectional ones are right.
assert abs(name_accuracy["unidirectional"] - 0.5) < 0.1
assert name_accuracy["unidirectional, 2 layers"] < name_accuracy["unidirectional"] + 0.05
assert min(name_accuracy["bidirectional"], name_accuracy["bidirectional, 2 layers"]) > 0.95
# All tokens: the unidirectional tagger is right on most of them, because most tokens are not names.
assert token_accuracy["unidirectional"] > 0.8 and name_te.sum() < 0.5 * real.sum()

# %% slideshow={"slide_type": "subslide"}
n = int(np.argmax((name_te.sum(axis=1) >= 3) & (len_te <= 11)))  # a short test sentence with several name words
words = ENTITY_VOCAB.decode(x_te[n]).split()
plot_tagged_sentence(words, tags_te[n], {k: taggers[k].predict(x_te[n:n + 1], len_te[n:n + 1])[0]
                                         for k in ("unidirectional", "bidirectional")}, ENTITY_TAGS)

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: one test sentence: true tags, then each tagger's; a red outline is a wrong tag.
# - **Ask**: which word decides each name's tag?
# - **Answer**: the word right after the name: the unidirectional tagger has not read it when it tags the name.

# %% [markdown] slideshow={"slide_type": "subslide"}
# On name tokens the unidirectional taggers are at chance: when they must decide, the deciding word has not
# arrived. A second layer does not help — depth adds computation, not lookahead. The bidirectional taggers get
# them right. The price: a bidirectional model needs the whole sequence before it can output anything, so it
# cannot tag a stream as it arrives (speech recognition in real time, typing suggestions).

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: depth adds computation, not lookahead. The price of a bidirectional model: it needs the whole
#   sequence before it can output anything.
# - **Ask**: live captions must tag words as they are spoken. What can you do?
# - **Answer**: wait a few words before committing to a tag (a short lookahead at the cost of a delay), or
#   accept the unidirectional errors; a bidirectional model waits for the end of the sentence.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Where dropout goes
#
# Dropout zeroes each unit with probability $p$ during training (and scales the rest by $1/(1-p)$). In an RNN
# there are two kinds of connections:
#
# - **non-recurrent**: input → layer, layer → layer, layer → output. Zaremba, Sutskever & Vinyals (2014) put
#   dropout only here, with a fresh mask at every step, and it let them train large LSTM language models that
#   would otherwise overfit;
# - **recurrent**: $h_{t-1} \to h_t$. With a fresh mask at every step ("naive" recurrent dropout) a value that one
#   unit of a GRU or vanilla RNN carries survives $t$ steps only if that unit is kept $t$ times in a row:
#   probability $(1-p)^t$, which is $0.5^{10} \approx 0.001$ for $p = 0.5$.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: two kinds of connections. A value that one unit copies forward survives naive recurrent dropout only
#   if the unit is kept at every step: $(1-p)^t$.
# - **Ask**: with $p = 0.5$, how likely is a unit to be kept 10 steps in a row?
# - **Answer**: $0.5^{10} = 1/1024$, about one in a thousand.

# %% [markdown] slideshow={"slide_type": "subslide"}
# Two questions: what does each placement do to what the network **remembers**, and which ones **regularise** a
# model that overfits?

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: memory and regularisation are separate questions, so there are two experiments: the first has fresh
#   data at every step (nothing to overfit), the second far too little data.
# - **Ask**: why might the two give different advice?
# - **Answer**: a placement can damage memory and not matter where little memory is needed; and regularising
#   only pays when a model overfits.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Dropout and memory
#
# `topic_data` tags every word with the topic named by the *first* word, so position $t$ needs a memory of $t$
# steps. GRU taggers with $T = 50$, $p = 0.5$: no dropout, dropout on the non-recurrent connections, naive dropout
# on the recurrent state; and an LSTM with the same naive recurrent dropout, where the mask on $h_{t-1}$ reaches
# only the gates and the cell state $c_t$ passes untouched.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: every word is tagged with the topic of the *first* word, so position $t$ needs $t$ steps of memory.
#   Four taggers, $p = 0.5$.
# - **Ask**: predict which of the four will forget.
# - **Answer**: the GRU with naive recurrent dropout: its state itself is masked at every step. The LSTM's mask
#   reaches only the gates; its cell state $c_t$ passes untouched.

# %% slideshow={"slide_type": "skip"}
T_TOPIC, P = 50, 0.5
x_topic, tags_topic = topic_data(500, T_TOPIC, rng=1)
print(TOPIC_VOCAB.decode(x_topic[0][:12]), "...  tags:", [TOPICS[t] for t in tags_topic[0][:3]], "...")
placements = {"GRU, no dropout": ("gru", {}), "GRU, non-recurrent": ("gru", {"dropout": P}),
              "GRU, naive recurrent": ("gru", {"recurrent_dropout": P}),
              "LSTM, naive recurrent": ("lstm", {"recurrent_dropout": P})}
topic_models, eval_curves, train_curves = {}, {}, {}
POSITIONS = (1, 10, 49)
topic_table = [f"{'accuracy':>22}   {'with dropout on':^24}   {'at test time':^24}",
               f"{'':>22}   " + ("".join(f"{f't = {t}':>8}" for t in POSITIONS) + "   ") * 2]
for label, (cell, kwargs) in placements.items():
    model = SequenceTagger(TOPIC_VOCAB.size, len(TOPICS), H=32, E=8, cell=cell, seed=0, **kwargs)
    history = fit(model, lambda rng: topic_data(32, T_TOPIC, rng=rng), steps=300, optimizer=Adam(1e-2), clip=5.0,
                  seed=0, progress=False)
    topic_models[label] = model
    eval_curves[label] = per_position_accuracy(model.predict(x_topic), tags_topic)
    train_curves[label] = per_position_accuracy(model.predict(x_topic, train=True, rng=0), tags_topic)
    topic_table.append(f"{label:>22}   " + "".join(f"{train_curves[label][t]:>8.0%}" for t in POSITIONS) + "   "
                       + "".join(f"{eval_curves[label][t]:>8.0%}" for t in POSITIONS))

# %% slideshow={"slide_type": "subslide"}
print("\n".join(topic_table))

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: left half with dropout active (what training sees), right half at test time. Non-recurrent dropout:
#   above 95% at test time at every position; the LSTM with naive recurrent dropout: above 95% in both halves
#   (asserted). The naive GRU erodes with $t$.
# - **Ask**: the non-recurrent GRU is not perfect with dropout on, but perfect at test time. Why?
# - **Answer**: the masks on inputs and outputs perturb each prediction while training; they never touch the
#   state, so nothing is forgotten, and at test time there are no masks.

# %% slideshow={"slide_type": "skip"}
styles = {"GRU, no dropout": {"ls": "--", "lw": 3.5, "color": "0.55"}}  # under the other lines where all are 100%
topic_figure, axes = new_figure(figsize=(12.5, 4.2), ncols=2)
plot_position_accuracy(train_curves, chance=1 / len(TOPICS), ax=axes[0], styles=styles,
                       title="With dropout active (what training sees)")
plot_position_accuracy(eval_curves, chance=1 / len(TOPICS), ax=axes[1], styles=styles,
                       title="At test time (dropout off)")
naive_gru = "GRU, naive recurrent"
assert eval_curves["GRU, non-recurrent"].min() > 0.95 and train_curves["GRU, non-recurrent"].min() > 0.9
assert train_curves["GRU, non-recurrent"].max() < 1 <= eval_curves["GRU, non-recurrent"].min()  # perfect at test time
assert min(eval_curves["LSTM, naive recurrent"].min(), train_curves["LSTM, naive recurrent"].min()) > 0.95
assert train_curves[naive_gru][1] > train_curves[naive_gru][49] + 0.3  # eroded while training...
assert train_curves[naive_gru][49] > 1 / len(TOPICS) + 0.15  # ...but far more slowly than (1-p)^t
assert eval_curves[naive_gru][1] > 0.95 and eval_curves[naive_gru][49] < 0.9  # and worse at test time too,
assert min(eval_curves[label].min() for label in placements if label != naive_gru) > 0.95  # unlike the other three

# %% slideshow={"slide_type": "subslide"}
topic_figure

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: left, the naive GRU's accuracy falls with $t$ while training but levels off well above chance (the
#   dashed line); right, at test time it is right at $t = 1$ but ends below 90% at $t = 49$, where the other three
#   stay above 95% (asserted).
# - **Ask**: $(1-p)^{49}$ is about $10^{-15}$ (asserted). Why is the GRU still right on about half the topics at
#   $t = 49$?
# - **Answer**: the next slide: the memory is a pattern spread over 32 units and written back at every step.

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Reconciling $(1-p)^t$ with the curves.** With dropout on, the naive GRU still gets about half of the topics
# right at $t = 49$, where $(1-p)^{49} \approx 10^{-15}$ would leave nothing but chance. The survival argument
# holds for one unit that copies its own value forward. A GRU with 32 units does not have to keep the topic that
# way: at every step the units that were kept can write it back into the ones that were dropped (through $W_h$),
# so the memory is a pattern spread over many units, and a pattern survives as long as enough of it does. What
# the noise does destroy is detail. At test time, with no dropout at all, the naive GRU is right at first but ends
# below 90% at $t = 49$: it learned a code coarse enough to survive the masks, which tells some topics apart and
# merges others:

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: $(1-p)^t$ is for one unit copying itself. A pattern over many units, rewritten at every step through
#   $W_h$, survives as long as enough of it does. The masks destroy detail instead.
# - **Ask**: what would "losing detail" look like in the predictions?
# - **Answer**: some topics still told apart, others merged into one guess: the confusion table on the next
#   slide.

# %% slideshow={"slide_type": "subslide"}
confusion = np.zeros((len(TOPICS), len(TOPICS)), dtype=int)  # rows: true topic, columns: predicted at t = 49
np.add.at(confusion, (tags_topic[:, 49], topic_models[naive_gru].predict(x_topic)[:, 49]), 1)
recall = confusion.diagonal() / confusion.sum(axis=1)
print(f"{naive_gru}, test time, t = 49 (rows: true topic, columns: predicted)")
print(f"{'':>8}" + "".join(f"{t:>8}" for t in TOPICS))
for topic, row, r in zip(TOPICS, confusion, recall):
    print(f"{topic:>8}" + "".join(f"{n:>8}" for n in row) + f"   {r:.0%} right")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: rows are true topics, columns predicted ones, at $t = 49$, test time: at least one topic is kept
#   perfectly (always right, and never the guess for another topic), another is below 60% right (both asserted).
#   The mistakes stay among the merged topics.
# - **Ask**: is this forgetting in the sense of $(1-p)^t$?
# - **Answer**: no: it is selective. The code that survives the masks keeps some distinctions and merges others.

# %% slideshow={"slide_type": "skip"}
kept = (confusion.diagonal() == confusion.sum(axis=1)) & (confusion.diagonal() == confusion.sum(axis=0))
assert kept.any() and recall.min() < 0.6  # a topic kept perfectly (never missed, never guessed wrongly), one merged
assert abs(0.5**10 - 0.001) < 0.0001  # one unit kept 10 steps in a row at p = 0.5
assert 0.35 < train_curves[naive_gru][49] < 0.6 and 1e-15 < (1 - P) ** 49 < 1e-14  # "about half", "10^-15"

# %% [markdown] slideshow={"slide_type": "subslide"}
# With dropout on the non-recurrent connections the topic is remembered at every position: the path
# $h_0 \to h_1 \to \dots$ is intact, and dropout only perturbs what enters and leaves it. The LSTM with naive
# recurrent dropout remembers too: its mask on $h_{t-1}$ only changes what the gates see, while $c_t$, the carousel
# of lesson 04, carries the topic untouched. (Masking the $h_{t-1}$ that enters the gates, with one mask per
# sequence, is the variational dropout of Gal & Ghahramani (2016); Semeniuta, Severyn & Barth (2016) instead drop
# the candidate $g_t$, so that what is dropped is a step's update, never the memory.)

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: non-recurrent dropout leaves the path $h_0 \to h_1 \to \dots$ intact. In the LSTM the masked
#   $h_{t-1}$ only feeds the gates, and $c_t$ carries the topic. Gal & Ghahramani keep one mask per sequence;
#   Semeniuta et al. drop the candidate $g_t$.
# - **Ask**: why is dropping $g_t$ safe for the memory?
# - **Answer**: $g_t$ is what this step proposes to write into $c_t$ (through $i_t$): dropping it loses one step's
#   write, never what $c_t$ already holds.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Dropout as a regulariser
#
# The topic task has fresh data at every step, so nothing overfits and dropout has nothing to fix. Now a model that
# does overfit: a language model (lesson 05) with far too little text, 5,000 characters of *Macbeth*, validated on
# the next 5,000. A language model is a tagger — tag every character with the one that follows it — so
# `SequenceTagger` serves.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: now a model that does overfit: a language model on far too little text. A language model is a
#   tagger: tag every character with the one that follows it.
# - **Ask**: how do you see overfitting in the training curves?
# - **Answer**: the training loss keeps falling while the validation loss turns up.

# %% [markdown] slideshow={"slide_type": "subslide"}
# An LSTM with 64 units, 400 steps, $p = 0.25$, four placements:
#
# - **none**;
# - **naive**: fresh masks at every step on the inputs, the outputs *and* the recurrent connection $h_{t-1}$;
# - **non-recurrent** only (Zaremba et al. 2014; the rule in the seed tutorials);
# - **variational** (Gal & Ghahramani 2016): the same places as naive, but *one* mask per sequence, used at every
#   step.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: four placements, the same model, steps and $p$; naive and variational mask the same places, fresh at
#   every step or once per sequence.
# - **Ask**: predict: which placement ends with the lowest validation loss?
# - **Answer**: the next slide: all three beat no dropout and end within 0.05 nats of each other, no clear winner.

# %% slideshow={"slide_type": "skip"}
text = load_corpus()
chars = CharVocab.from_text(text)
stream = chars.encode(text[:10_001])
train_chars, val_chars = stream[:5_001], stream[5_000:]
SEQ = 32


def text_windows(ids):
    """Consecutive windows: inputs (N, SEQ) and, as tags, the characters that follow them."""
    n = (len(ids) - 1) // SEQ
    return ids[: n * SEQ].reshape(n, SEQ), ids[1 : n * SEQ + 1].reshape(n, SEQ)


def random_windows(rng, batch_size=32):
    starts = rng.integers(0, len(train_chars) - SEQ - 1, size=batch_size)
    idx = starts[:, None] + np.arange(SEQ)
    return train_chars[idx], train_chars[idx + 1]


(x_train_text, y_train_text), (x_val_text, y_val_text) = text_windows(train_chars), text_windows(val_chars)


def text_losses(model):
    """Cross-entropy in nats per character, dropout off, on the training text and on the validation text."""
    return {"training text": softmax_cross_entropy(model.forward(x_train_text)[0], y_train_text)[0],
            "validation text": softmax_cross_entropy(model.forward(x_val_text)[0], y_val_text)[0]}


# %% slideshow={"slide_type": "skip"}
P_LM = 0.25
lm_placements = {"none": {}, "naive": {"dropout": P_LM, "recurrent_dropout": P_LM},
                 "non-recurrent": {"dropout": P_LM},
                 "variational": {"dropout": P_LM, "recurrent_dropout": P_LM, "recurrent_dropout_mode": "variational"}}
lm_histories = {}
for label, kwargs in lm_placements.items():
    model = SequenceTagger(chars.size, chars.size, H=64, E=16, cell="lstm", seed=0, **kwargs)
    lm_histories[label] = fit(model, random_windows, steps=400, optimizer=Adam(1e-2), clip=5.0, seed=0,
                              progress=False, evaluate=text_losses, eval_every=50)
final = {label: {k: v[-1] for k, v in h.metrics.items()} for label, h in lm_histories.items()}
best_none = min(lm_histories["none"].metrics["validation text"])

# %% slideshow={"slide_type": "subslide"}
print(f"{'dropout':>14} {'training text':>14} {'validation text':>16}   (nats per character after 400 steps)")
for label, losses in final.items():
    print(f"{label:>14} {losses['training text']:>14.3f} {losses['validation text']:>16.3f}")
print(f"{'none, best':>14} {'':>14} {best_none:>16.3f}   (stopped at its best evaluation)")

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: without dropout the training loss ends more than 0.8 nats below the validation loss; its validation
#   loss was lowest by step 250 and then rose by more than 0.1. Every placement of dropout ends below even that
#   best, and the three are within 0.05 nats of each other (all asserted).
# - **Ask**: would stopping early, at the best step, do as well as dropout here?
# - **Answer**: no: each placement of dropout ends lower than no dropout at its best moment.

# %% slideshow={"slide_type": "skip"}
val = {label: losses["validation text"] for label, losses in final.items()}
with_dropout = [val[k] for k in ("naive", "non-recurrent", "variational")]
none_history = lm_histories["none"]
best_step = none_history.eval_steps[int(np.argmin(none_history.metrics["validation text"]))]
assert final["none"]["training text"] < val["none"] - 0.8  # no dropout: it learns the training text by heart
assert val["none"] > best_none + 0.1 and best_step <= 250  # and gets worse on new text after a few hundred steps
assert max(with_dropout) < best_none - 0.03  # every placement beats even the best moment of no dropout
assert max(with_dropout) - min(with_dropout) < 0.05  # and they are within 0.05 nats of each other
assert final["none"]["training text"] < min(final[k]["training text"] for k in lm_placements if k != "none") - 0.3
for k in ("naive", "non-recurrent", "variational"):  # the dropout curves end at or near their lowest
    assert val[k] < min(lm_histories[k].metrics["validation text"]) + 0.01
lm_figure, axes = new_figure(figsize=(12.5, 4.2), ncols=2)
for ax, metric in zip(axes, ("training text", "validation text")):
    plot_metric_curves(lm_histories, metric, ax=ax, percent=False, ylabel="cross-entropy (nats per character)",
                       title=f"On the {metric} (dropout off)")

# %% slideshow={"slide_type": "subslide"}
lm_figure

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Show**: left, on the training text no dropout falls fastest; right, on the validation text it turns up after
#   its minimum while the three dropout curves end together, at or near their lowest (asserted).
# - **Ask**: dropout makes the training loss worse. Why is that the point?
# - **Answer**: it makes learning the training text by heart harder, which pushes the model towards what
#   generalises; the loss on new text is the one that matters.

# %% [markdown] slideshow={"slide_type": "subslide"}
# Without dropout the model learns the 5,000 training characters by heart: its training loss keeps falling while
# its validation loss turns up after a few hundred steps. Every placement of dropout stops that and ends below the
# best validation loss no dropout ever reached, and here the three placements end within a few hundredths of a nat
# of each other. Naive recurrent dropout does no harm here, where a few characters of memory go a long way
# (lesson 05); on the topic task, where memory is the whole job, it is the placement that hurt the GRU.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: naive recurrent dropout does no harm on this language model, where a few characters of memory go a
#   long way; on the topic task, where memory is the whole job, it is the placement that hurt the GRU.
# - **Ask**: so which placement would you use on a new problem?
# - **Answer**: measure on a validation set, as here; and be wary of fresh masks on a GRU's or vanilla RNN's state
#   when the task needs a long memory.

# %% [markdown] slideshow={"slide_type": "subslide"}
# Gal & Ghahramani's case for one mask per sequence is that the mask then acts like one sample of the weights,
# which do not change along a sequence; on the Penn Treebank their variational LSTMs reached a lower perplexity
# than Zaremba et al.'s. Which placement wins on a given problem depends on the model, the data and $p$: measure
# it, as here.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: one mask per sequence acts like one sample of the weights, which do not change along a sequence; on
#   the Penn Treebank their variational LSTMs reached a lower perplexity than Zaremba et al.'s.
# - **Ask**: why is a fresh mask at every step less like a sample of the weights?
# - **Answer**: it is a different thinned network at every step; a mask kept for the sequence is one thinned
#   network applied throughout, as the weights are.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - Many-to-one models summarise a sequence: the final state, or a mean/max over all states (use the real
#   lengths, never the padding). Where the evidence is at the end, the final state (and the max) learn faster than
#   the mean.
# - Word order carries meaning: a bag of words cannot represent negation or "but"; an RNN can.
# - Tagging labels every token from its state. A label that depends on later tokens needs a bidirectional RNN;
#   stacking layers adds capacity, not lookahead.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Ask**: you tag every word of a sentence with its part of speech, offline. Which direction, and why?
# - **Answer**: bidirectional: a word's part of speech often depends on the words after it, and offline the whole
#   sentence is there.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Summary: dropout
#
# - Dropout on the non-recurrent connections regularises without touching the memory. Fresh masks on a GRU's
#   state erode what it remembers, far more slowly than $(1-p)^t$ (the memory is spread over its units) but into
#   a coarser code; an LSTM's cell state is out of their reach.
# - In a model that overfits, dropout helps: here naive, non-recurrent and variational (one mask per sequence)
#   dropout all beat no dropout, even stopped at its best, and ended within a few hundredths of a nat of each
#   other.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Ask**: in one sentence: why does the LSTM keep its memory under naive recurrent dropout?
# - **Answer**: the mask reaches $h_{t-1}$, which only feeds the gates; the cell state $c_t$ carries the memory
#   past the masks.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Check your understanding
#
# 1. A bag-of-words model reaches high accuracy on real movie reviews. Why does that not contradict section 2?
# 2. Why must the readout `"last"` take $h_{T_n}$ for each sequence rather than $h_T$ of the padded batch? And for
#    the backward direction of a bidirectional encoder, why must each sequence be reversed within its own length?
# 3. Give a tagging task that a unidirectional RNN can solve perfectly and one it cannot.
# 4. A friend makes the unidirectional tagger deeper (4 layers) and wider (256 units). Will it learn the entity
#    task? Why?
# 5. With $p = 0.3$ and naive recurrent dropout, what fraction of units survives 20 consecutive steps? What about
#    dropout on the inputs only?
# 6. Why can you not use a bidirectional RNN for a language model like the one in lesson 05?
#
# <details><summary>Answers</summary>
#
# 1. In real reviews many sentences are plain: "great", "awful" and their counts are strong evidence. Our generator
#    removed that evidence on purpose (balanced adjectives, negations, contrasts) to isolate the effect of order.
# 2. Padding positions come after the real tokens; $h_T$ of a short sequence has read padding after its end (our
#    classifier, given no lengths, reads $h_T$ and loses accuracy: the cell below measures it). A plain reversal of
#    the padded array would make the backward RNN read the padding *first*, so all its states would be polluted.
# 3. Solvable: tag each word with whether any earlier word was a name (left context only). Not solvable: our
#    entity task, or "tag each word with the sentence's last word".
# 4. No: at the name tokens the cue is still in the future for every layer; no amount of capacity turns
#    $p(\text{tag} \mid \text{words}_{\le t})$ into a function of later words.
# 5. $(1-0.3)^{20} = 0.7^{20} \approx 0.0008$ of the units, so a value that one unit only copies forward is
#    almost surely lost; a network that spreads its memory over many units and re-writes it at every step loses
#    it far more slowly (section 4). With dropout on the inputs only, the recurrent path is untouched: all units
#    carry their values forward (only the new inputs are perturbed).
# 6. The backward direction reads the future: it would see the very character it is supposed to predict.
# </details>

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: three minutes in pairs on questions 2, 4 and 5, then compare with the answers (on the slide, folded).
# - **Answers, with the notebook's numbers**: (1) the bag of words is more than 10 points better on plain reviews
#   than on the other two kinds (asserted): real reviews have many plain sentences. (2) reading the padded end
#   instead of each review's own last state costs the classifier more than 5 points (asserted). (5)
#   $0.7^{20} \approx 0.0008$ (asserted); with dropout on the inputs only, the recurrent path is untouched.

# %% slideshow={"slide_type": "skip"}
# The numbers behind the answers (read the answers first).
# 1. the bag of words does best on the plain reviews, where the adjective decides
assert bow_acc["plain"] > max(bow_acc["negated"], bow_acc["contrast"]) + 0.1
# 2. reading h_T of the padded batch instead of each review's own last state
with_lengths = classifiers["last"].accuracy(x_test, y_test, len_test)
reading_padding = classifiers["last"].accuracy(x_test, y_test)  # no lengths: every review "ends" at T
print(f"2. readout 'last' with the real lengths: {with_lengths:.1%}; at the padded end: {reading_padding:.1%}")
assert reading_padding < with_lengths - 0.05
# 5. survival of one unit under p = 0.3 for 20 steps
assert abs(0.7**20 - 0.0008) < 0.0001

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### References
#
# - M. Schuster, K. K. Paliwal, "Bidirectional recurrent neural networks", *IEEE Trans. Signal Processing*
#   45(11), 1997.
# - A. Graves, J. Schmidhuber, "Framewise phoneme classification with bidirectional LSTM", *Neural Networks*
#   18, 2005.
# - W. Zaremba, I. Sutskever, O. Vinyals, "Recurrent neural network regularization", arXiv:1409.2329, 2014.
# - Y. Gal, Z. Ghahramani, "A theoretically grounded application of dropout in recurrent neural networks",
#   *NeurIPS* 2016.
# - S. Semeniuta, A. Severyn, E. Barth, "Recurrent dropout without memory loss", *COLING* 2016.
# - R. Socher et al., "Recursive deep models for semantic compositionality over a sentiment treebank", *EMNLP* 2013
#   (negation and contrast in real sentiment data).
# - G. Lample et al., "Neural architectures for named entity recognition", *NAACL* 2016 (BiLSTM taggers).
# - R. Pascanu, C. Gulcehre, K. Cho, Y. Bengio, "How to construct deep recurrent neural networks", *ICLR* 2014.

# %% [markdown] slideshow={"slide_type": "notes"}
# - **Say**: Schuster & Paliwal for bidirectional RNNs; Zaremba et al. and Gal & Ghahramani for dropout; Socher
#   et al. for negation and contrast in real sentiment data.
