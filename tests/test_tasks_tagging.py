"""rnn_course.tasks.tagging: the entity and topic tagging tasks and per-position accuracy."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course.models import SequenceTagger
from rnn_course.optim import Adam
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
from rnn_course.train import fit, minibatches


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
