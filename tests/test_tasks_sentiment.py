"""rnn_course.tasks.sentiment: negation sentiment (a bag of words must fail, an RNN must not)."""

from __future__ import annotations

import numpy as np

from rnn_course.models import SequenceClassifier
from rnn_course.optim import Adam
from rnn_course.tasks.sentiment import (
    KINDS,
    NEGATIVE,
    POSITIVE,
    SENTIMENT_VOCAB,
    BagOfWords,
    encode_sentiment,
    sentiment_data,
)
from rnn_course.train import fit, minibatches


def test_sentiment_data_is_balanced_and_seeded():
    sentences, labels, kinds = sentiment_data(600, rng=0)
    assert sentiment_data(600, rng=0)[0] == sentences
    for k in range(len(KINDS)):
        assert np.sum(kinds == k) == 200 and np.mean(labels[kinds == k]) == 0.5
    # every adjective is as common in positive as in negative reviews, give or take sampling noise
    for adjective in POSITIVE + NEGATIVE:
        with_it = np.array([adjective in s.split() for s in sentences])
        assert abs(np.mean(labels[with_it]) - 0.5) < 0.2, adjective
    negated = [s for s, k in zip(sentences, kinds) if KINDS[k] == "negated"]
    assert all(("not" in s.split()) or ("never" in s.split()) for s in negated)
    assert all(" but " in s for s, k in zip(sentences, kinds) if KINDS[k] == "contrast")


def rule_label(sentence: str) -> int:
    """The label by the rules of the task, computed independently of the generator."""
    clause = sentence.split(" but ")[-1].split()
    positive = any(w in POSITIVE for w in clause)
    negated = "not" in clause or "never" in clause
    return int(positive != negated)


def test_labels_follow_negation_and_but():
    sentences, labels, _ = sentiment_data(900, rng=1)
    assert [rule_label(s) for s in sentences] == labels.tolist()
    assert rule_label("the plot was good but the acting was not bad") == 1


def test_bag_of_words_fails_where_an_rnn_succeeds():
    x, y, lengths = encode_sentiment(*sentiment_data(2400, rng=0)[:2])
    test_sentences, test_labels, kinds = sentiment_data(900, rng=1)
    xt, yt, lt = encode_sentiment(test_sentences, test_labels)
    bow = BagOfWords().fit(x, y, lengths)
    assert bow.accuracy(xt, yt, lt) < 0.65
    model = SequenceClassifier(SENTIMENT_VOCAB.size, 2, H=16, E=12, cell="gru", seed=0)
    fit(model, minibatches(x, y, lengths, batch_size=32, rng=0), steps=200, optimizer=Adam(1e-2), clip=5.0,
        progress=False)
    pred = model.predict(xt, lt)
    for k in range(len(KINDS)):
        assert np.mean(pred[kinds == k] == yt[kinds == k]) > 0.9, KINDS[k]


def test_bag_of_words_fits_an_order_free_task():
    """The baseline is a real classifier: it learns a label that depends on words only."""
    sentences, _, _ = sentiment_data(600, rng=2, kinds=("plain",))
    labels = np.array([int("good" in s.split() or "great" in s.split()) for s in sentences])
    x, y, lengths = encode_sentiment(sentences, labels)
    assert BagOfWords().fit(x, y, lengths).accuracy(x, y, lengths) > 0.97
