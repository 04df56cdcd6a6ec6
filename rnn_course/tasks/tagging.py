"""Tagging tasks (one label per token) for lesson 06.

``entity_data``: is a name a person or a place? Only a later word says.

    "yesterday jordan kent smiled near the old bridge"
     O         PER    PER  O      O    O   O   O
    "we walked to jordan kent station and then home"
     O  O      O  LOC    LOC  O       O   O    O

Every name word is drawn from one pool, used as often for people as for
places; the cue that decides (a verb such as "smiled" after a person, a
noun such as "station" after a place) comes *after* the name, one or two
words later. A unidirectional tagger labelling "jordan" has not read the
cue yet, so on name words it can do no better than a guess; a bidirectional
tagger has.

``topic_data``: every token is tagged with the topic announced by the
first token, T steps of noise later. It needs memory and nothing else,
which makes it the test bed for where dropout may go (recurrent dropout
erodes what the state carries).

Tags are integers; ``ENTITY_TAGS`` names them. Padding uses id 0 and tag 0.
"""

from __future__ import annotations

import numpy as np

from ..init import as_rng
from ..text import WordVocab, pad_sequences

__all__ = ["ENTITY_TAGS", "NAMES", "PERSON_CUES", "PLACE_CUES", "FILLERS", "ENTITY_VOCAB", "entity_data",
           "TOPICS", "topic_data", "TOPIC_VOCAB", "per_position_accuracy"]

ENTITY_TAGS = ("O", "PER", "LOC")
NAMES = ("jordan", "kent", "florence", "austin", "chester", "victoria", "lincoln", "regent", "york", "darwin")
PERSON_CUES = ("said", "smiled", "laughed", "wrote", "sang")
PLACE_CUES = ("street", "station", "bridge", "river", "park")
FILLERS = ("yesterday", "we", "walked", "to", "near", "the", "old", "and", "then", "home", "saw", "a", "dog",
           "quietly", "again", "today")
ENTITY_VOCAB = WordVocab([*NAMES, *PERSON_CUES, *PLACE_CUES, *FILLERS])


def entity_data(n: int, rng=None, *, min_len: int = 6, max_len: int = 14):
    """``n`` tagged sentences: x (n, T) ids (right-padded), tags (n, T), lengths (n,), and is_name (n, T).

    Each sentence has one or two mentions: 1-2 name words and a cue right
    after them, at random places among filler words; person and place
    mentions are equally likely. ``is_name`` marks the tokens whose tag
    depends on a later word.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n: expected an integer >= 1, got {n!r}")
    if not 4 <= min_len <= max_len:
        raise ValueError(f"min_len, max_len: expected 4 <= min_len <= max_len, got {min_len}, {max_len}")
    rng = as_rng(rng)
    words_all, tags_all = [], []
    for _ in range(int(n)):
        length = int(rng.integers(min_len, max_len + 1))
        words, tags = [], []
        mentions = 1 + int(rng.random() < 0.5 and length >= 8)
        pieces = []
        for _ in range(mentions):
            person = bool(rng.random() < 0.5)
            size = 1 + int(rng.random() < 0.5)
            names = [str(w) for w in rng.choice(NAMES, size=size, replace=False)]
            cue = str(rng.choice(PERSON_CUES if person else PLACE_CUES))
            pieces.append((names + [cue], [1 if person else 2] * size + [0]))
        budget = max(length - sum(len(p[0]) for p in pieces), 1)  # filler words around the mentions
        fill = [str(w) for w in rng.choice(FILLERS, size=budget)]
        cuts = sorted(rng.integers(0, budget + 1, size=len(pieces)))  # where each mention goes
        start = 0
        for cut, (piece_words, piece_tags) in zip(cuts, pieces):
            words += fill[start:cut] + piece_words
            tags += [0] * (cut - start) + piece_tags
            start = cut
        words += fill[start:]
        tags += [0] * (budget - start)
        words_all.append(ENTITY_VOCAB.encode(words))
        tags_all.append(np.array(tags))
    x, lengths = pad_sequences(words_all)
    tags = np.zeros_like(x)
    for row, t in zip(tags, tags_all):
        row[: len(t)] = t
    is_name = (tags > 0) & (np.arange(x.shape[1])[None, :] < lengths[:, None])
    return x, tags, lengths, is_name


TOPICS = ("sport", "music", "food", "travel")
TOPIC_VOCAB = WordVocab([*TOPICS, *(f"w{i}" for i in range(12))])


def topic_data(n: int, T: int, rng=None):
    """``n`` sequences of length T: a topic word, then T - 1 random filler words; every token is tagged with the topic.

    Returns x (n, T) ids and tags (n, T) in [0, 4). The tag at position t
    needs the first token, t steps back: accuracy by position measures
    how well the state keeps it.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n: expected an integer >= 1, got {n!r}")
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or T < 2:
        raise ValueError(f"T: expected an integer >= 2, got {T!r}")
    rng = as_rng(rng)
    topic = rng.integers(0, len(TOPICS), size=int(n))
    x = rng.integers(1 + len(TOPICS), TOPIC_VOCAB.size, size=(int(n), int(T)))
    x[:, 0] = 1 + topic
    return x, np.repeat(topic[:, None], int(T), axis=1)


def per_position_accuracy(pred, tags, lengths=None) -> np.ndarray:
    """Accuracy at each position t (T,), over the sequences long enough to have one (NaN where none is)."""
    pred, tags = np.asarray(pred), np.asarray(tags)
    if pred.shape != tags.shape or pred.ndim != 2:
        raise ValueError(f"pred: expected the shape of tags {tags.shape}, got {pred.shape}")
    T = tags.shape[1]
    valid = np.ones(tags.shape, bool) if lengths is None else np.arange(T)[None, :] < np.asarray(lengths)[:, None]
    counts = valid.sum(axis=0)
    hits = ((pred == tags) & valid).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, hits / np.maximum(counts, 1), np.nan)
