"""Lesson 06 lecture demo: read a review word by word, and watch an RNN classifier change its mind.

    from rnn_course.demos import sentiment_demo
    sentiment_demo()                          # trains a small GRU classifier first (well under a second)
    sentiment_demo(classifier)                # your SequenceClassifier, trained on tasks.sentiment
    sentiment_demo(presenter=True, first="bad", first_modifier="not")

The review is built from dropdowns in the grammar of ``tasks.sentiment``:
"the plot was [modifier] <adjective> [but the ending was [modifier] <adjective>]".
Top: P(positive) after each word, for the RNN classifier and for the
bag-of-words baseline (logistic regression on word counts), with the meaning
of the whole review as a star. Bottom: the RNN's hidden state h_t, one row
per unit. The slider ``t`` stops the reading after t words.

The bag of words adds a fixed amount per word, whatever came before: it
cannot flip "good" after "not", and "good but dull" and "dull but good" are
the same bag to it. The RNN's state after "not" is a different state, and
the next adjective moves it the other way.

Everything a sentence needs (the classifier on every prefix, its states,
the bag of words) is computed once per sentence and cached; moving ``t``
only shows more or less of it.
"""

from __future__ import annotations

import functools

import numpy as np

from ..activations import sigmoid, softmax
from ..models.classifier import SequenceClassifier
from ..models.encoder import encoder_forward
from ..plots.style import CELL_COLORS, DIVERGING, new_figure
from ..plots.style import presenter as presenter_style
from ..tasks.sentiment import NEGATIVE, POSITIVE, SENTIMENT_VOCAB, BagOfWords, encode_sentiment, sentiment_data
from ._base import Demo, dropdown, int_slider
from ._sprites import Sprite, TextSprites

__all__ = ["sentiment_demo", "SENTIMENT_PRESETS", "build_review", "review_meaning", "read_review"]

#: what may stand before an adjective (the generator's negators and intensifiers)
MODIFIERS = ("", "really", "not", "never", "not really")
#: the longest review the dropdowns can build, in words
MAX_WORDS = 13
_NEGATORS = ("not", "never")
_BOW_COLOR = "#9467bd"

#: lecture shortcuts: {label: control values}
SENTIMENT_PRESETS = {
    "plain: good": {"first": "good", "first_modifier": "", "second": "", "second_modifier": "", "t": MAX_WORDS},
    "negated: not good": {"first": "good", "first_modifier": "not", "second": "", "second_modifier": "",
                          "t": MAX_WORDS},
    "double: not bad": {"first": "bad", "first_modifier": "not", "second": "", "second_modifier": "",
                        "t": MAX_WORDS},
    "good but dull": {"first": "good", "first_modifier": "", "second": "dull", "second_modifier": "",
                      "t": MAX_WORDS},
    "dull but good": {"first": "dull", "first_modifier": "", "second": "good", "second_modifier": "",
                      "t": MAX_WORDS},
}


def _check_clause(name, adjective, modifier, *, optional=False):
    allowed = (*POSITIVE, *NEGATIVE) + (("",) if optional else ())
    if adjective not in allowed:
        raise ValueError(f"{name}: expected one of {allowed}, got {adjective!r}")
    if modifier not in MODIFIERS:
        raise ValueError(f"{name}_modifier: expected one of {MODIFIERS}, got {modifier!r}")


def build_review(first: str, first_modifier: str = "", second: str = "", second_modifier: str = "") -> str:
    """The review the dropdowns describe: "the plot was [modifier] first [but the ending was [modifier] second]".

    ``first``/``second`` are adjectives of ``tasks.sentiment`` (``second`` "" for a one-clause review);
    modifiers are one of ``MODIFIERS``.
    """
    _check_clause("first", first, first_modifier)
    _check_clause("second", second, second_modifier, optional=True)
    words = ["the", "plot", "was", *first_modifier.split(), first]
    if second:
        words += ["but", "the", "ending", "was", *second_modifier.split(), second]
    return " ".join(words)


def review_meaning(first: str, first_modifier: str = "", second: str = "", second_modifier: str = "") -> int:
    """1 (positive) or 0 (negative), by the generator's rules: a negator flips the adjective, and after
    "but" the second clause decides."""
    _check_clause("first", first, first_modifier)
    _check_clause("second", second, second_modifier, optional=True)
    adjective, modifier = (second, second_modifier) if second else (first, first_modifier)
    positive = adjective in POSITIVE
    negated = bool(modifier) and modifier.split()[0] in _NEGATORS
    return int(positive != negated)


@functools.lru_cache(maxsize=1)
def _default_classifier() -> SequenceClassifier:
    """The lesson's classifier: a GRU with 24 units reading its final state, 200 Adam steps (~0.5 s)."""
    from ..optim import Adam
    from ..train import fit, minibatches

    sentences, labels, _ = sentiment_data(3000, rng=0)
    x, y, lengths = encode_sentiment(sentences, labels)
    model = SequenceClassifier(SENTIMENT_VOCAB.size, 2, H=24, E=16, cell="gru", readout="last", seed=0)
    fit(model, minibatches(x, y, lengths, batch_size=32, rng=0), steps=200, optimizer=Adam(1e-2), clip=5.0,
        seed=0, progress=False)
    return model


@functools.lru_cache(maxsize=1)
def _bag_of_words() -> BagOfWords:
    sentences, labels, _ = sentiment_data(3000, rng=0)
    x, y, lengths = encode_sentiment(sentences, labels)
    return BagOfWords(SENTIMENT_VOCAB.size).fit(x, y, lengths)


def _check_model(model) -> SequenceClassifier:
    if model is None:
        return _default_classifier()
    if not isinstance(model, SequenceClassifier):
        raise ValueError(f"model: expected a SequenceClassifier trained on tasks.sentiment, got "
                         f"{type(model).__name__}")
    expected = (SENTIMENT_VOCAB.size, 2)
    got = (model.config["V"], model.config["C"])
    if got != expected:
        raise ValueError(f"model: expected a classifier of the sentiment task with (V, C) = {expected} "
                         f"(vocabulary, classes), got {got}")
    return model


class _Reader:
    """Everything shown for one review, computed once: P(positive) after each prefix and the states."""

    def __init__(self, model: SequenceClassifier, bow: BagOfWords):
        self.model, self.bow = model, bow
        c = model.config
        self.width = 2 * c["H"] if c["bidirectional"] else c["H"]
        self._encoder = dict(cell=c["cell"], layers=c["layers"], bidirectional=c["bidirectional"])
        self._cache: dict = {}

    def read(self, review: str):
        """(words, P(positive) after each prefix (L,) for the RNN and the bag of words, states (L, H))."""
        if review not in self._cache:
            self._cache[review] = self._read(review)
        return self._cache[review]

    def _read(self, review: str):
        ids = SENTIMENT_VOCAB.encode(review)
        L = ids.size
        prefixes = np.tile(ids, (L, 1))  # row k is the review cut after k + 1 words (the rest is padding)
        logits, _ = self.model.forward(prefixes, np.arange(1, L + 1))
        p_rnn = softmax(logits, axis=1)[:, 1]
        emb = self.model.params["embed"][ids][None]
        states, _ = encoder_forward(self.model.params, emb, np.array([L]), train=False, **self._encoder)
        counts = np.cumsum(np.eye(SENTIMENT_VOCAB.size)[ids], axis=0)  # word counts of every prefix
        counts[:, 0] = 0.0
        p_bow = sigmoid(counts @ self.bow.w + self.bow.b)
        return review.split(), p_rnn, p_bow, states[0]


def _modifier_options():
    return [("none" if m == "" else m, m) for m in MODIFIERS]


def _adjective_options(optional: bool):
    options = [(f"{a} (+)", a) for a in POSITIVE] + [(f"{a} (−)", a) for a in NEGATIVE]
    return options + ([("(no second clause)", "")] if optional else [])


def read_review(review: str, model=None) -> tuple[list[str], np.ndarray, np.ndarray]:
    """What the demo plots for one review: (words, P(positive) after each word for the RNN classifier,
    the same for the demo's bag of words). ``model`` as in ``sentiment_demo`` (None: the lesson's GRU)."""
    words, p_rnn, p_bow, _ = _Reader(_check_model(model), _bag_of_words()).read(review)
    return words, p_rnn, p_bow


def sentiment_demo(model=None, *, presenter: bool = False, first: str = "good", first_modifier: str = "not really",
                   second: str = "bad", second_modifier: str = "not really", t: int = MAX_WORDS) -> Demo:
    """A review built from dropdowns, read word by word by an RNN classifier and by a bag of words.

    Inputs:
        model: a ``SequenceClassifier`` trained on ``tasks.sentiment`` (lesson 06), or None to train
            the lesson's GRU classifier (24 units, 200 steps; well under a second, once per session)
        first, second: adjectives of the two clauses (``second`` "" for one clause)
        first_modifier, second_modifier: one of ``MODIFIERS`` ("", "really", "not", "never", "not really")
        t: words read, 1 .. 13 (a shorter review is read to its end)
    The default review is the longest the menus build (13 words, two negations and a contrast), so every
    position of ``t`` shows something. The curves are the model on each prefix of the review; the heat map
    is the top layer's states on the whole review (for a bidirectional encoder its backward half has read
    the words to the right of t too).
    Returns a Demo.
    """
    model = _check_model(model)
    build_review(first, first_modifier, second, second_modifier)  # names a bad initial value
    reader = _Reader(model, _bag_of_words())
    H = reader.width
    x = np.arange(1, MAX_WORDS + 1)

    with presenter_style(presenter):
        fig, axes = new_figure(figsize=(14, 8.2) if presenter else (10.5, 6.2), nrows=3, ncols=2,
                               gridspec_kw={"height_ratios": [1.0, 0.22, 1.05], "width_ratios": [1, 0.3]})
        ax_p, ax_w, ax_h = axes[:, 0]
        side_top, side_bottom = axes[0, 1], axes[2, 1]
        for ax in axes[:, 1]:
            ax.set_axis_off()
        ax_p.axhline(0.5, color="0.5", ls=":", lw=1.2)
        (line_rnn,) = ax_p.plot([], [], "o-", color=CELL_COLORS[model.config["cell"]], ms=7 if presenter else 5,
                                label=f"RNN ({model.config['cell'].upper()})")
        (line_bow,) = ax_p.plot([], [], "s--", color=_BOW_COLOR, ms=6 if presenter else 4, label="bag of words")
        (truth,) = ax_p.plot([], [], "*", color="black", ms=20 if presenter else 14, label="meaning")
        ax_p.set_xlim(0.5, MAX_WORDS + 0.5)
        ax_p.set_ylim(-0.06, 1.06)
        ax_p.set_yticks([0, 0.5, 1], ["0", "0.5", "1"])
        ax_p.set_xticks(x, [])
        ax_p.set_ylabel("P(positive)")
        ax_p.set_title("P(positive) after each word", loc="left")
        ax_p.grid(True, axis="y", alpha=0.3)
        side_top.legend(*ax_p.get_legend_handles_labels(), loc="upper left", borderaxespad=0, frameon=False)
        verdict = side_top.text(0.0, 0.0, "", transform=side_top.transAxes, ha="left", va="bottom",
                                linespacing=1.5)

        ax_w.set_xlim(0.5, MAX_WORDS + 0.5)
        ax_w.set_ylim(0, 1)
        ax_w.set_axis_off()
        word_row = TextSprites(17 if presenter else 11)  # drawn from cached bitmaps: see demos/_sprites.py
        ax_w.add_artist(word_row)

        # a QuadMesh, not imshow: an image is resampled to the screen on every frame (~8 ms), a mesh of
        # 13 x H cells is drawn directly
        image = ax_h.pcolormesh(np.arange(MAX_WORDS + 1) + 0.5, np.arange(H + 1) + 0.5,
                                np.ma.masked_invalid(np.full((H, MAX_WORDS), np.nan)), cmap=DIVERGING, vmin=-1,
                                vmax=1)
        ax_h.set_ylim(H + 0.5, 0.5)
        ax_h.set_xticks(x)
        ax_h.set_xlabel("words read, t")
        ax_h.set_ylabel("unit")
        ax_h.set_title("The RNN's hidden state $h_t$, one row per unit", loc="left")
        fig.colorbar(image, cax=side_bottom.inset_axes([0.0, 0.0, 0.08, 1.0]), label="$h_t$")
        cursor = ax_h.axvspan(0.5, 1.5, facecolor="none", edgecolor="black", lw=2.5 if presenter else 1.8)

    def update(first, first_modifier, second, second_modifier, t):
        review = build_review(first, first_modifier, second, second_modifier)
        tokens, p_rnn, p_bow, states = reader.read(review)
        L = len(tokens)
        n = min(int(t), L)
        line_rnn.set_data(x[:n], p_rnn[:n])
        line_bow.set_data(x[:n], p_bow[:n])
        meaning = review_meaning(first, first_modifier, second, second_modifier)
        truth.set_data([L], [meaning])
        word_row.set_sprites(Sprite(k + 1, 0.5, word, "black" if k < n else "0.6", "bold" if k == n - 1 else "normal")
                             for k, word in enumerate(tokens))
        shown = np.full((H, MAX_WORDS), np.nan)
        shown[:, :n] = states[:n].T
        image.set_array(np.ma.masked_invalid(shown))
        cursor.set_x(n - 0.5)
        verdict.set_text(f"now: RNN {p_rnn[n - 1]:.0%}\nbag of words {p_bow[n - 1]:.0%}")
        return False

    controls = {
        "first": dropdown("the plot was …", _adjective_options(False), first, presenter=presenter),
        "first_modifier": dropdown("… modified by", _modifier_options(), first_modifier, presenter=presenter),
        "second": dropdown("but the ending was …", _adjective_options(True), second, presenter=presenter),
        "second_modifier": dropdown("… modified by", _modifier_options(), second_modifier, presenter=presenter),
        "t": int_slider("words read t", int(t), 1, MAX_WORDS, presenter=presenter),
    }
    return Demo("Reading a review word by word", fig, update, controls,
                animated=[image, cursor, line_bow, line_rnn, truth, verdict, word_row],
                presets=SENTIMENT_PRESETS, layout="top",
                description="The RNN's state after 'not' is a different state, so the adjective that follows "
                            "pushes it the other way; the bag of words adds the same amount per word whatever "
                            "came before, and 'good but dull' and 'dull but good' are the same bag to it.",
                presenter=presenter)
