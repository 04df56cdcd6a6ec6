"""Negation sentiment: short reviews whose label depends on word order, and a bag-of-words baseline that fails on them.

    sentences, labels, kinds = sentiment_data(2000, rng=0)
    x, y, lengths = encode_sentiment(sentences, labels)
    bow = BagOfWords().fit(x, y, lengths)        # logistic regression on word counts
    bow.accuracy(x_test, y_test, lengths_test)

Three kinds of sentence, in equal numbers, each balanced between labels:

- "plain":    "the plot was really clever"                  -> the adjective's polarity
- "negated":  "the plot was not really clever"              -> flipped by "not" / "never"
- "contrast": "the plot was clever but the acting was dull" -> the clause after "but" decides

Every adjective occurs as often in positive as in negative sentences, and a
"but" sentence contains one positive and one negative clause in either order.
So the words alone say little: a linear model of word counts cannot flip a
polarity when "not" is present (it would need w_good + w_not < 0 < w_bad +
w_not with w_good > 0 > w_bad, which is impossible), and it sees the two
orders of a "but" sentence as the same bag. An RNN reads the order.
Labels: 1 positive, 0 negative.
"""

from __future__ import annotations

import numpy as np

from ..init import as_rng
from ..text import WordVocab, pad_sequences

__all__ = ["POSITIVE", "NEGATIVE", "SUBJECTS", "NEGATORS", "INTENSIFIERS", "KINDS", "SENTIMENT_VOCAB",
           "sentiment_data", "encode_sentiment", "BagOfWords"]

POSITIVE = ("good", "great", "clever", "moving", "funny", "brilliant")
NEGATIVE = ("bad", "dull", "boring", "awful", "silly", "weak")
SUBJECTS = ("the plot", "the acting", "the music", "the ending", "the film", "it")
NEGATORS = ("not", "never")
INTENSIFIERS = ("really", "very", "quite")
KINDS = ("plain", "negated", "contrast")
SENTIMENT_VOCAB = WordVocab(["the", "plot", "acting", "music", "ending", "film", "it", "was", "is", "but",
                             *NEGATORS, *INTENSIFIERS, *POSITIVE, *NEGATIVE])


def _clause(rng, polarity: int, negated: bool) -> str:
    """A clause whose meaning has ``polarity`` (1 or 0), using a negator when ``negated``."""
    adjective_positive = polarity == 1 if not negated else polarity == 0
    adjective = rng.choice(POSITIVE if adjective_positive else NEGATIVE)
    words = [str(rng.choice(SUBJECTS)), str(rng.choice(("was", "is")))]
    if negated:
        words.append(str(rng.choice(NEGATORS)))
    if rng.random() < 0.5:
        words.append(str(rng.choice(INTENSIFIERS)))
    words.append(str(adjective))
    return " ".join(words)


def sentiment_data(n: int, rng=None, kinds=KINDS):
    """``n`` sentences with labels (n,) and kinds (n,) (indices into ``KINDS``), seeded.

    Kinds cycle in equal numbers; labels alternate within each kind so every
    kind is balanced. In a "contrast" sentence each clause is negated with
    probability 1/2, so "not good but never bad" occurs too.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n: expected an integer >= 1, got {n!r}")
    kinds = tuple(kinds)
    unknown = [k for k in kinds if k not in KINDS]
    if not kinds or unknown:
        raise ValueError(f"kinds: expected a non-empty subset of {KINDS}, got {kinds}")
    rng = as_rng(rng)
    sentences, labels, kind_ids = [], [], []
    for i in range(int(n)):
        kind = kinds[i % len(kinds)]
        label = (i // len(kinds)) % 2
        if kind == "plain":
            sentence = _clause(rng, label, negated=False)
        elif kind == "negated":
            sentence = _clause(rng, label, negated=True)
        else:
            first = _clause(rng, 1 - label, negated=bool(rng.random() < 0.5))
            second = _clause(rng, label, negated=bool(rng.random() < 0.5))
            sentence = f"{first} but {second}"
        sentences.append(sentence)
        labels.append(label)
        kind_ids.append(KINDS.index(kind))
    order = rng.permutation(int(n))
    return [sentences[i] for i in order], np.array(labels)[order], np.array(kind_ids)[order]


def encode_sentiment(sentences, labels=None):
    """Token ids x (N, T) right-padded with 0, labels y (N,) and lengths (N,)."""
    x, lengths = pad_sequences([SENTIMENT_VOCAB.encode(s) for s in sentences])
    y = None if labels is None else np.asarray(labels, dtype=np.int64)
    return x, y, lengths


class BagOfWords:
    """Logistic regression on word counts: the baseline that ignores word order.

    ``fit`` runs full-batch gradient descent on the mean cross-entropy plus
    ``l2`` times the squared weights (a convex problem, so the result does not
    depend on luck). Padding (id 0) is not counted.
    """

    def __init__(self, V: int = SENTIMENT_VOCAB.size, l2: float = 1e-3):
        self.V, self.l2 = int(V), float(l2)
        self.w = np.zeros(self.V)
        self.b = 0.0

    def features(self, x, lengths=None) -> np.ndarray:
        """Counts (N, V) of every word in each sequence (padding ignored)."""
        x = np.asarray(x)
        if x.ndim != 2:
            raise ValueError(f"x: expected a 2-D array of shape (N, T), got shape {x.shape}")
        counts = np.zeros((x.shape[0], self.V))
        np.add.at(counts, (np.repeat(np.arange(x.shape[0]), x.shape[1]), x.reshape(-1)), 1.0)
        counts[:, 0] = 0.0
        return counts

    def fit(self, x, y, lengths=None, *, steps: int = 2000, lr: float = 0.5) -> BagOfWords:
        f = self.features(x, lengths)
        y = np.asarray(y, dtype=float)
        for _ in range(int(steps)):
            p = 1.0 / (1.0 + np.exp(-(f @ self.w + self.b)))
            err = p - y
            self.w -= lr * (f.T @ err / len(y) + 2 * self.l2 * self.w)
            self.b -= lr * err.mean()
        return self

    def predict(self, x, lengths=None) -> np.ndarray:
        return (self.features(x, lengths) @ self.w + self.b > 0).astype(int)

    def accuracy(self, x, y, lengths=None) -> float:
        return float(np.mean(self.predict(x, lengths) == np.asarray(y)))
