"""Lesson 06 tasks: negation sentiment (a bag of words must fail, an RNN must not) and the two tagging tasks."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course.models import SequenceClassifier, SequenceTagger
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
from rnn_course.tasks.tagging import (
    ENTITY_TAGS,
    ENTITY_VOCAB,
    NAMES,
    PERSON_CUES,
    PLACE_CUES,
    entity_data,
    per_position_accuracy,
    topic_data,
)
from rnn_course.text import WordVocab, pad_sequences
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


def test_entity_data_tags_follow_the_cue_after_each_name():
    x, tags, lengths, is_name = entity_data(300, rng=0)
    assert entity_data(300, rng=0)[0].tolist() == x.tolist()
    cue_type = {ENTITY_VOCAB[c]: 1 for c in PERSON_CUES} | {ENTITY_VOCAB[c]: 2 for c in PLACE_CUES}
    names = {ENTITY_VOCAB[w] for w in NAMES}
    for row, tag_row, L in zip(x, tags, lengths):
        for t in range(L):
            if row[t] in names:
                nxt = t + 1
                while row[nxt] in names:
                    nxt += 1
                assert tag_row[t] == cue_type[row[nxt]]
            else:
                assert tag_row[t] == 0
    assert (tags[~is_name] == 0).all() and is_name.any()
    person = tags[is_name] == ENTITY_TAGS.index("PER")
    assert 0.4 < person.mean() < 0.6


def test_unidirectional_tagger_is_at_chance_on_names_and_bidirectional_is_not():
    x, tags, lengths, _ = entity_data(1500, rng=0)
    xt, tt, lt, names = entity_data(400, rng=1)
    scores = {}
    for bidirectional in (False, True):
        model = SequenceTagger(ENTITY_VOCAB.size, 3, H=16, E=12, cell="gru", bidirectional=bidirectional, seed=0)
        fit(model, minibatches(x, tags, lengths, batch_size=32, rng=0), steps=200, optimizer=Adam(1e-2), clip=5.0,
            progress=False)
        pred = model.predict(xt, lt)
        scores[bidirectional] = np.mean(pred[names] == tt[names])
    assert scores[False] < 0.65 and scores[True] > 0.95, scores


def test_topic_data_and_per_position_accuracy():
    x, tags = topic_data(50, 7, rng=0)
    assert x.shape == tags.shape == (50, 7)
    np.testing.assert_array_equal(tags[:, 0] + 1, x[:, 0])
    assert (tags == tags[:, :1]).all() and (x[:, 1:] > 4).all()
    pred = tags.copy()
    pred[:, 3] = (tags[:, 3] + 1) % 4
    acc = per_position_accuracy(pred, tags)
    assert acc[3] == 0.0 and acc[0] == 1.0
    acc = per_position_accuracy(pred, tags, lengths=np.full(50, 3))
    assert np.isnan(acc[3]) and acc[2] == 1.0
    with pytest.raises(ValueError, match="T: expected an integer >= 2"):
        topic_data(3, 1)


def test_word_vocab_and_padding():
    vocab = WordVocab(["a", "b"])
    assert vocab["<pad>"] == 0 and vocab.encode("b a").tolist() == [2, 1] and vocab.decode([2, 1, 0]) == "b a"
    with pytest.raises(ValueError, match=r"words not in the vocabulary: \['c'\]"):
        vocab.encode("a c")
    x, lengths = pad_sequences([[1, 2, 3], [4]])
    assert x.tolist() == [[1, 2, 3], [4, 0, 0]] and lengths.tolist() == [3, 1]
    with pytest.raises(ValueError, match="length: 2 is shorter"):
        pad_sequences([[1, 2, 3]], length=2)
