"""rnn_course.demos.classification: the sentiment demo of lesson 06, reading a review word by word.

The lecture contract (signature, presets in range, presenter mode, nothing cut off, no accumulating artists)
is checked for every demo by test_lecture_demos.py; here: that what the demo draws is what the models
compute, and that the stories its presets tell hold.
"""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.collections import QuadMesh

from rnn_course.activations import sigmoid, softmax
from rnn_course.demos import sentiment_demo
from rnn_course.demos.classification import (
    MAX_WORDS,
    MODIFIERS,
    SENTIMENT_PRESETS,
    _default_classifier,
    build_review,
    read_review,
    review_meaning,
)
from rnn_course.models import SequenceClassifier
from rnn_course.models.encoder import encoder_forward
from rnn_course.tasks.sentiment import NEGATIVE, POSITIVE, SENTIMENT_VOCAB, BagOfWords, encode_sentiment


def _line(demo, label_start):
    return next(line for ax in demo.figure.axes for line in ax.get_lines()
                if line.get_label().startswith(label_start))


def _mesh(demo):
    """The demo's heat map (the colour bar draws a QuadMesh too, which is not animated)."""
    (mesh,) = [artist for artist in demo.animated if isinstance(artist, QuadMesh)]
    return mesh


def test_reviews_follow_the_generator_grammar_and_meaning():
    assert build_review("good") == "the plot was good"
    assert build_review("bad", "not really", "clever", "never") == (
        "the plot was not really bad but the ending was never clever")
    assert SENTIMENT_VOCAB.encode(build_review("funny", "really", "weak", "not")).size == 11  # every word known
    longest = build_review(POSITIVE[0], "not really", NEGATIVE[0], "not really")
    assert len(longest.split()) == MAX_WORDS
    assert review_meaning("good") == 1 and review_meaning("good", "not") == 0 and review_meaning("bad", "never") == 1
    assert review_meaning("bad", "really") == 0 and review_meaning("good", "not really") == 0
    assert review_meaning("good", "", "dull") == 0 and review_meaning("dull", "", "good", "not") == 0
    assert review_meaning("dull", "", "bad", "not") == 1  # the clause after "but" decides
    with pytest.raises(ValueError, match="first: expected one of"):
        build_review("ok")
    with pytest.raises(ValueError, match="second_modifier: expected one of"):
        review_meaning("good", "", "bad", "hardly")
    assert set(MODIFIERS) >= {"", "not", "never"}


def test_sentiment_demo_draws_what_the_models_compute(artifacts):
    demo = sentiment_demo(first="good", first_modifier="not", second="", t=MAX_WORDS)
    assert demo.error is None
    review = "the plot was not good"
    ids = SENTIMENT_VOCAB.encode(review)
    model = _default_classifier()
    # the RNN's curve: the classifier on each prefix, as its own forward pass computes it
    expected = [softmax(model.forward(ids[None, :k], np.array([k]))[0], axis=1)[0, 1] for k in range(1, 6)]
    np.testing.assert_allclose(_line(demo, "RNN").get_ydata(), expected, rtol=1e-12)
    # the bag of words' curve: its logistic score on the counts of each prefix
    bow = BagOfWords(SENTIMENT_VOCAB.size)
    x, y, lengths = encode_sentiment(*_training_reviews())
    bow.fit(x, y, lengths)
    prefix_counts = np.array([bow.features(ids[None, :k])[0] for k in range(1, 6)])
    np.testing.assert_allclose(_line(demo, "bag").get_ydata(), sigmoid(prefix_counts @ bow.w + bow.b), rtol=1e-9)
    # the heat map: the encoder's states, one column per word read
    states, _ = encoder_forward(model.params, model.params["embed"][ids][None], np.array([5]), cell="gru",
                                train=False)
    mesh = _mesh(demo)
    shown = np.ma.filled(mesh.get_array(), np.nan).reshape(model.config["H"], MAX_WORDS)
    np.testing.assert_allclose(shown[:, :5], states[0].T, rtol=1e-12)
    assert np.isnan(shown[:, 5:]).all()
    (artifacts / "lesson06_sentiment_demo.png").write_bytes(demo.png())


def test_read_review_returns_the_curves_the_demo_draws():
    demo = sentiment_demo(first="good", first_modifier="not", second="", t=MAX_WORDS)
    words, p_rnn, p_bow = read_review("the plot was not good")
    assert words == ["the", "plot", "was", "not", "good"]
    np.testing.assert_array_equal(p_rnn, _line(demo, "RNN").get_ydata())
    np.testing.assert_array_equal(p_bow, _line(demo, "bag").get_ydata())
    assert p_rnn[-1] < 0.5 < p_rnn[2]  # the verdict flips with "not"


def test_sentiment_demo_every_control(artifacts):
    demo = sentiment_demo()
    before = demo.png()
    for name, value in (("first", "brilliant"), ("first_modifier", "never"), ("second", "awful"),
                        ("second_modifier", "never"), ("t", 3)):
        demo.set(**{name: value})
        assert demo.error is None, f"{name}: {demo.error}"
        assert demo.png() != before, f"moving {name} did not change the figure"
        before = demo.png()
    # t stops the reading: three points on each curve, and the heat map shows three columns
    assert len(_line(demo, "RNN").get_xdata()) == 3 == len(_line(demo, "bag").get_ydata())
    demo.set(t=MAX_WORDS)
    assert len(_line(demo, "RNN").get_xdata()) == len(build_review("brilliant", "never", "awful", "never").split())
    demo.set(second="")  # one clause: the reading stops at its last word, whatever t says
    assert len(_line(demo, "RNN").get_xdata()) == len(build_review("brilliant", "never").split())
    truth = _line(demo, "meaning")
    assert list(truth.get_ydata()) == [review_meaning("brilliant", "never")]
    (artifacts / "lesson06_sentiment_demo_controls.png").write_bytes(demo.png())


def test_sentiment_presets_tell_the_lesson_story():
    """Word order: the RNN gets negations and both orders of a contrast right, while the bag of words gives
    "good but dull" and "dull but good" the same score (the same bag) and cannot tell "not good" from "good"."""
    demo = sentiment_demo()
    final = {}
    for label, values in SENTIMENT_PRESETS.items():
        demo.set(**values)
        meaning = review_meaning(values["first"], values["first_modifier"], values["second"],
                                 values["second_modifier"])
        final[label] = (_line(demo, "RNN").get_ydata()[-1], _line(demo, "bag").get_ydata()[-1], meaning)
    for label, (rnn, _, meaning) in final.items():
        assert (rnn > 0.5) == bool(meaning), f"{label}: the RNN says {rnn:.2f}"
    assert final["good but dull"][1] == pytest.approx(final["dull but good"][1], abs=1e-12)
    bow_plain, bow_negated = final["plain: good"][1], final["negated: not good"][1]
    assert (bow_plain > 0.5) == (bow_negated > 0.5), "the bag of words should not be able to flip 'good' with 'not'"


def test_sentiment_demo_takes_a_trained_classifier_and_refuses_others():
    untrained = SequenceClassifier(SENTIMENT_VOCAB.size, 2, H=6, E=4, cell="rnn", readout="mean", seed=3)
    demo = sentiment_demo(untrained, t=4)
    assert demo.error is None
    assert _mesh(demo).get_array().size == 6 * MAX_WORDS
    ids = SENTIMENT_VOCAB.encode("the plot was not")
    expected = softmax(untrained.forward(ids[None], np.array([4]))[0], axis=1)[0, 1]
    assert _line(demo, "RNN").get_ydata()[-1] == pytest.approx(expected, rel=1e-12)
    bidirectional = SequenceClassifier(SENTIMENT_VOCAB.size, 2, H=5, E=4, bidirectional=True, layers=2, seed=1)
    assert sentiment_demo(bidirectional).error is None
    with pytest.raises(ValueError, match=r"model: expected a classifier of the sentiment task with \(V, C\)"):
        sentiment_demo(SequenceClassifier(10, 2))
    with pytest.raises(ValueError, match="model: expected a SequenceClassifier"):
        sentiment_demo("a model")
    with pytest.raises(ValueError, match="first: expected one of"):
        sentiment_demo(first="fine")


def _training_reviews():
    from rnn_course.tasks.sentiment import sentiment_data

    sentences, labels, _ = sentiment_data(3000, rng=0)
    return sentences, labels
