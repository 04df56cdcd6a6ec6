"""rnn_course.text: the shipped corpus, the character and word vocabularies, padding, stateful text batches, the
n-gram baselines and the character n-gram model."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_course.text import (
    CORPORA,
    CharNGramModel,
    CharVocab,
    TextBatches,
    WordVocab,
    known_word_fraction,
    load_corpus,
    ngram_baselines,
    ngram_cross_entropy,
    pad_sequences,
    split_ids,
)


def test_corpus_is_shipped_small_and_documented():
    text = load_corpus("shakespeare")
    assert 400_000 < len(text) < 1_000_000  # enough to learn from, small enough to ship
    assert text.isascii()
    for speaker in ("\nMACBETH.\n", "\nRomeo.\n", "\nBRUTUS.\n", "\nHam.\n"):  # speaker lines of each play
        assert speaker in text
    assert CORPORA["shakespeare"].licence == "public domain"
    from importlib import resources

    readme = resources.files("rnn_course").joinpath("data", "README.txt").read_text(encoding="utf-8")
    assert "public domain" in readme and "shakespeare.txt" in readme
    assert load_corpus(max_chars=100) == text[:100]
    with pytest.raises(ValueError, match="name: expected one of 'shakespeare'"):
        load_corpus("tolstoy")
    with pytest.raises(ValueError, match="max_chars"):
        load_corpus(max_chars=0)


def test_vocab_round_trip_and_errors():
    vocab = CharVocab.from_text("hello world")
    assert vocab.chars == " dehlorw" and vocab.size == len(vocab) == 8
    ids = vocab.encode("low")
    assert ids.dtype == np.int64 and vocab.decode(ids) == "low"
    assert vocab["h"] == 3 and "h" in vocab and "z" not in vocab
    with pytest.raises(ValueError, match=r"characters not in the vocabulary: .\?z."):
        vocab.encode("zoo?")
    with pytest.raises(ValueError, match=r"ids: expected ids in \[0, 8\)"):
        vocab.decode([0, 8])
    with pytest.raises(ValueError, match="text: expected a non-empty string"):
        CharVocab.from_text("")
    assert "V=8" in repr(vocab)


def test_vocab_specials_come_first_and_are_skipped_when_decoding():
    vocab = CharVocab("0123456789-", specials=("<pad>", "<s>", "</s>"))
    assert vocab["<pad>"] == 0 and vocab["<s>"] == 1 and vocab["0"] == 3 and vocab.size == 14
    ids = np.concatenate([[1], vocab.encode("1999-05-03"), [2, 0, 0]])
    assert vocab.decode(ids) == "1999-05-03"
    assert vocab.decode(ids, skip_specials=False).startswith("<s>1999")
    with pytest.raises(ValueError, match="specials: expected names"):
        CharVocab("ab", specials=("x",))


def test_split_is_contiguous():
    ids = np.arange(100)
    train, val = split_ids(ids, 0.2)
    np.testing.assert_array_equal(np.concatenate([train, val]), ids)
    assert len(val) == 20
    with pytest.raises(ValueError, match="val_fraction"):
        split_ids(ids, 1.5)


def test_text_batches_continue_each_lane():
    ids = np.arange(1, 202)  # 201 ids: lanes of (201 - 1) // 4 = 50
    batches = TextBatches(ids, batch_size=4, seq_len=10, epochs=2)
    assert batches.steps_per_epoch == 5
    seen = list(batches)
    assert len(seen) == 10
    x0, y0, reset0 = seen[0]
    x1, _, reset1 = seen[1]
    assert x0.shape == (4, 10) and reset0.all() and not reset1.any()
    np.testing.assert_array_equal(y0, x0 + 1)  # targets are the next ids
    np.testing.assert_array_equal(x1[:, 0], x0[:, -1] + 1)  # row n of batch k+1 continues row n of batch k
    np.testing.assert_array_equal(x0[:, 0], [1, 51, 101, 151])  # lane n starts at n * 50
    assert seen[5][2].all()  # a new epoch resets the state
    with pytest.raises(ValueError, match="shorter than seq_len"):
        TextBatches(ids, batch_size=50, seq_len=10)
    with pytest.raises(ValueError, match="batch_size: expected an integer >= 1"):
        TextBatches(ids, batch_size=0, seq_len=10)


def test_ngram_baselines_match_hand_counts():
    train = np.array([0, 1, 0, 1, 0, 1, 1])
    test = np.array([0, 1, 1])
    V = 2
    assert ngram_cross_entropy(train, test, V, order=0) == pytest.approx(np.log(2))
    # unigram: counts 3 and 4, + alpha 0.5 each
    p = np.array([3.5, 4.5]) / 8.0
    assert ngram_cross_entropy(train, test, V, order=1, alpha=0.5) == pytest.approx(-np.mean(np.log(p[test])))
    # bigram pairs: 0->1 three times, 1->0 twice, 1->1 once; first test id scored by the unigram
    pair = np.array([[0.5, 3.5], [2.5, 1.5]])
    pair /= pair.sum(axis=1, keepdims=True)
    expected = -(np.log(p[0]) + np.log(pair[0, 1]) + np.log(pair[1, 1])) / 3
    assert ngram_cross_entropy(train, test, V, order=2, alpha=0.5) == pytest.approx(expected)
    with pytest.raises(ValueError, match=r"test_ids: expected ids in \[0, 2\)"):
        ngram_cross_entropy(train, np.array([2]), V)


def test_baselines_on_the_corpus_are_ordered():
    text = load_corpus()
    vocab = CharVocab.from_text(text)
    train, val = split_ids(vocab.encode(text))
    base = ngram_baselines(train, val, vocab.size)
    assert base["uniform"] == pytest.approx(np.log(vocab.size))
    assert base["uniform"] > base["unigram"] + 0.5 > base["bigram"] + 1.0  # each model of context helps


def test_ngram_model_is_normalised_and_beats_the_bigram_on_the_corpus():
    text = load_corpus()
    vocab = CharVocab.from_text(text)
    train, val = split_ids(vocab.encode(text))
    model = CharNGramModel(train, vocab.size, order=4, chars=vocab.chars)
    for context in (np.array([], dtype=np.int64), vocab.encode("the "), vocab.encode("Qzx")):
        assert model.next_probs(context).sum() == pytest.approx(1.0)
    bigram = CharNGramModel(train, vocab.size, order=2)
    assert model.cross_entropy(val[:3000]) < bigram.cross_entropy(val[:3000]) - 0.3
    assert model.sample(50, prime="the ", rng=1) == model.sample(50, prime="the ", rng=1)


def test_known_word_fraction():
    reference = "to be or not to be that is the question"
    assert known_word_fraction("the question is not that", reference) == 1.0
    assert known_word_fraction("xqz the vvv", reference) == pytest.approx(1 / 3)
    assert known_word_fraction("", reference) == 0.0


def test_word_vocab_and_padding():
    vocab = WordVocab(["a", "b"])
    assert vocab["<pad>"] == 0 and vocab.encode("b a").tolist() == [2, 1] and vocab.decode([2, 1, 0]) == "b a"
    with pytest.raises(ValueError, match=r"words not in the vocabulary: \['c'\]"):
        vocab.encode("a c")
    x, lengths = pad_sequences([[1, 2, 3], [4]])
    assert x.tolist() == [[1, 2, 3], [4, 0, 0]] and lengths.tolist() == [3, 1]
    with pytest.raises(ValueError, match="length: 2 is shorter"):
        pad_sequences([[1, 2, 3]], length=2)
