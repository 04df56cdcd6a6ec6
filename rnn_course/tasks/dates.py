"""Translating human-written dates into ISO dates: a toy translation task for sequence to sequence.

    sources, targets, formats = dates_data(5000, rng=0)
    sources[0], targets[0]          # ('tuesday, 3 august 1982', '1982-08-03')
    batch = encode_pairs(sources, targets, SOURCE_VOCAB, TARGET_VOCAB)

Source formats (``FORMATS``), for the date 1982-08-03:

    "3 august 1982"     "august 3, 1982"     "3rd of august 1982"     "03.08.1982"
    "tuesday, 3 august 1982"     "3 aug 1982"     "aug 3 1982"

Years run from 1950 to 2049; weekdays are the true ones (Python's calendar)
and carry no information the model needs. Targets are always 10 characters,
``YYYY-MM-DD``. Every date is drawn uniformly from the range, so the model
must learn month names, day suffixes, field order and zero padding.
"""

from __future__ import annotations

import datetime as _dt
from typing import NamedTuple

import numpy as np

from ..init import as_rng
from ..text import CharVocab, pad_sequences

__all__ = ["FORMATS", "MONTHS", "SOURCE_VOCAB", "TARGET_VOCAB", "PAD", "START", "END", "dates_data",
           "format_date", "encode_pairs", "Seq2SeqBatch"]

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
FORMATS = ("d month yyyy", "month d, yyyy", "dth of month yyyy", "dd.mm.yyyy", "weekday, d month yyyy",
           "d mon yyyy", "mon d yyyy")
PAD, START, END = "<pad>", "<s>", "</s>"
SOURCE_VOCAB = CharVocab(" ,.0123456789abcdefghijklmnopqrstuvwxyz", specials=(PAD,))
TARGET_VOCAB = CharVocab("-0123456789", specials=(PAD, START, END))
_FIRST = _dt.date(1950, 1, 1).toordinal()
_LAST = _dt.date(2049, 12, 31).toordinal()


def _ordinal_suffix(day: int) -> str:
    if 11 <= day % 100 <= 13:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def format_date(date: _dt.date, fmt: str) -> str:
    """``date`` written in one of ``FORMATS``."""
    d, m, y = date.day, date.month, date.year
    month, mon = MONTHS[m - 1], MONTHS[m - 1][:3]
    if fmt == "d month yyyy":
        return f"{d} {month} {y}"
    if fmt == "month d, yyyy":
        return f"{month} {d}, {y}"
    if fmt == "dth of month yyyy":
        return f"{d}{_ordinal_suffix(d)} of {month} {y}"
    if fmt == "dd.mm.yyyy":
        return f"{d:02d}.{m:02d}.{y}"
    if fmt == "weekday, d month yyyy":
        return f"{WEEKDAYS[date.weekday()]}, {d} {month} {y}"
    if fmt == "d mon yyyy":
        return f"{d} {mon} {y}"
    if fmt == "mon d yyyy":
        return f"{mon} {d} {y}"
    raise ValueError(f"fmt: expected one of {', '.join(map(repr, FORMATS))}, got {fmt!r}")


def dates_data(n: int, rng=None, formats=FORMATS):
    """``n`` (source, target) pairs and the format index of each, seeded.

    Returns (sources: list of str, targets: list of str "YYYY-MM-DD", formats: (n,) ints into ``FORMATS``).
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n: expected an integer >= 1, got {n!r}")
    formats = tuple(formats)
    if not formats or any(f not in FORMATS for f in formats):
        raise ValueError(f"formats: expected a non-empty subset of {FORMATS}, got {formats}")
    rng = as_rng(rng)
    days = rng.integers(_FIRST, _LAST + 1, size=int(n))
    which = rng.integers(0, len(formats), size=int(n))
    sources, targets = [], []
    for day, f in zip(days, which):
        date = _dt.date.fromordinal(int(day))
        sources.append(format_date(date, formats[f]))
        targets.append(date.isoformat())
    return sources, targets, np.array([FORMATS.index(formats[f]) for f in which])


class Seq2SeqBatch(NamedTuple):
    """What ``models.Seq2Seq.loss`` takes.

    src (N, S) source ids, right-padded; src_lengths (N,);
    tgt_in (N, U) decoder inputs "<s> y_1 .. y_L" (teacher forcing);
    tgt_out (N, U) decoder targets "y_1 .. y_L </s>"; tgt_mask (N, U) True at real targets.
    """

    src: np.ndarray
    src_lengths: np.ndarray
    tgt_in: np.ndarray
    tgt_out: np.ndarray
    tgt_mask: np.ndarray


def encode_pairs(sources, targets, source_vocab: CharVocab = SOURCE_VOCAB,
                 target_vocab: CharVocab = TARGET_VOCAB) -> Seq2SeqBatch:
    """Pad and encode (source, target) strings for teacher forcing (the target vocabulary needs <s> and </s>)."""
    if len(sources) != len(targets) or not sources:
        raise ValueError(f"sources, targets: expected two non-empty lists of the same length, got "
                         f"{len(sources)} and {len(targets)}")
    start, end = target_vocab[START], target_vocab[END]
    src, src_lengths = pad_sequences([source_vocab.encode(s) for s in sources])
    body = [target_vocab.encode(t) for t in targets]
    tgt_in, lengths = pad_sequences([np.concatenate([[start], b]) for b in body])
    tgt_out, _ = pad_sequences([np.concatenate([b, [end]]) for b in body])
    mask = np.arange(tgt_in.shape[1])[None, :] < lengths[:, None]
    return Seq2SeqBatch(src, src_lengths, tgt_in, tgt_out, mask)
