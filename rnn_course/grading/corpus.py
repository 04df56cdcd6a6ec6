"""The fixed small corpus of exercise 05, its character vocabulary, batches and initial parameters.

Jane Taylor's "The Star" (1806, public domain), lower-cased: short, repetitive
enough for a small character-level model to learn in a few hundred steps on a
laptop, and shipped in the package (nothing is downloaded). Everything is
seeded, so a training run is the same on every machine.

Dimensions: N batch, T time, V vocabulary.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_int_array

__all__ = ["CORPUS", "CHARS", "V", "encode", "decode", "batch_at", "batches", "init_params"]

CORPUS = """twinkle, twinkle, little star,
how i wonder what you are!
up above the world so high,
like a diamond in the sky.

when the blazing sun is gone,
when he nothing shines upon,
then you show your little light,
twinkle, twinkle, all the night.

then the traveller in the dark
thanks you for your tiny spark;
he could not see which way to go,
if you did not twinkle so.

in the dark blue sky you keep,
and often through my curtains peep,
for you never shut your eye,
till the sun is in the sky.

as your bright and tiny spark
lights the traveller in the dark,
though i know not what you are,
twinkle, twinkle, little star.
"""

#: the vocabulary: every character of the corpus, sorted
CHARS = "".join(sorted(set(CORPUS)))
V = len(CHARS)
_INDEX = {c: i for i, c in enumerate(CHARS)}


def encode(text: str) -> np.ndarray:
    """Character ids (len(text),) of a text made of the corpus's characters."""
    unknown = sorted(set(text) - set(_INDEX))
    if unknown:
        raise ValueError(f"text: expected only characters of the corpus, got {''.join(unknown)!r}")
    return np.array([_INDEX[c] for c in text], dtype=np.int64)


def decode(ids) -> str:
    """The text of a 1-D array of character ids."""
    ids = check_int_array("ids", np.asarray(ids).reshape(-1), ("L",), {}, high=V)
    return "".join(CHARS[i] for i in ids)


def batch_at(step: int, N: int, T: int, seed: int = 0):
    """The training batch of a given step: N random windows of T + 1 characters.

    Returns x (N, T) and y (N, T), the same windows shifted by one character
    (y[n, t] is the character that follows x[n, t]). Deterministic in
    (seed, step), so the judge and the student train on the same batches.
    """
    ids = encode(CORPUS)
    if T + 1 > len(ids):
        raise ValueError(f"T: expected at most {len(ids) - 1}, got {T}")
    rng = np.random.default_rng([seed, step])
    starts = rng.integers(0, len(ids) - T - 1, size=N)
    windows = np.stack([ids[s:s + T + 1] for s in starts])
    return windows[:, :-1], windows[:, 1:]


def batches(steps: int, N: int, T: int, seed: int = 0):
    """``batch_at(step, N, T, seed)`` for step = 0 .. steps-1."""
    for step in range(steps):
        yield batch_at(step, N, T, seed)


def init_params(V: int = V, D: int = 16, H: int = 64, seed: int = 0) -> dict:
    """Small random parameters of the character model of exercise 05, seeded.

    Returns {"W_embed": (V, D), "Wx": (D, H), "Wh": (H, H) (0.9 times an
    orthogonal matrix), "b": (H,), "W_out": (H, V), "b_out": (V,)}.
    """
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((H, H)))
    return {
        "W_embed": 0.5 * rng.standard_normal((V, D)),
        "Wx": rng.standard_normal((D, H)) / np.sqrt(D),
        "Wh": 0.9 * q,
        "b": np.zeros(H),
        "W_out": rng.standard_normal((H, V)) / np.sqrt(H),
        "b_out": np.zeros(V),
    }
