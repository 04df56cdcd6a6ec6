"""A recurrent net whose weights are set by hand, so you can see memory working.

``parity_rnn(gain)`` is a two-unit tanh RNN that computes the running
parity of a bit stream (``rnn_course.tasks.parity``) with the course's
ordinary cell, ``h_t = tanh(x_t Wx + h_{t-1} Wh + b)``, starting at h_0 = 0.

How it works. Read a unit as a switch: s = (h + 1) / 2 is ~0 when h ~ -1
and ~1 when h ~ +1. The parity so far is p_{t-1} = s1 - s2 = (h1 - h2) / 2
(0 at the start, since h_0 = 0). With a large ``gain`` g the units compute

    unit 1 (OR):   h1_t = tanh(g (p_{t-1} + x_t - 0.5))  ->  +1 iff p_{t-1} + x_t >= 1
    unit 2 (AND):  h2_t = tanh(g (p_{t-1} + x_t - 1.5))  ->  +1 iff p_{t-1} + x_t = 2

and OR minus AND is XOR, so p_t = (h1_t - h2_t) / 2 = p_{t-1} XOR x_t. In
the course's layout (weights on the right) that is

    Wx = g [[1, 1]]        Wh = g [[0.5, 0.5], [-0.5, -0.5]]        b = g [-0.5, -1.5]

and the output layer reads p_t: logits z_t = h_t Wy + by with class 1 =
"odd", ``Wy = k [[0, 0.5], [0, -0.5]]``, ``by = [0, -0.5 k]``.

The saturation of tanh is what makes the memory last: every step pushes a
state that drifted slightly back to +-1. Below a gain of about 2.3 the
units are not switches any more, the remembered bit leaks away, and by
gain 2 the net is close to chance (lesson 01 measures where).

The initial state is the memory before the first bit: h_0 = 0 reads as
p_0 = 0 ("even so far"); h_0 = (1, -1) reads as p_0 = 1 and flips every
answer.

Dimensions: N batch, T time, D = 1 input, H = 2 hidden, V = 2 classes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import as_array, check_finite
from .activations import softmax
from .cells import rnn_forward

__all__ = ["HandBuiltRNN", "parity_rnn"]


@dataclass(frozen=True)
class HandBuiltRNN:
    """A vanilla tanh RNN with an output layer, weights given.

    Wx (D, H), Wh (H, H), b (H,), Wy (H, V), by (V,). ``unit_names`` and
    ``class_names`` label the figures.
    """

    Wx: np.ndarray
    Wh: np.ndarray
    b: np.ndarray
    Wy: np.ndarray
    by: np.ndarray
    unit_names: tuple[str, ...]
    class_names: tuple[str, ...]
    description: str = ""

    @property
    def params(self) -> dict:
        """``{"Wx", "Wh", "b"}``: the keyword arguments ``rnn_forward`` takes."""
        return {"Wx": self.Wx, "Wh": self.Wh, "b": self.b}

    def run(self, x, h0=None):
        """Hidden states and output probabilities for a batch of sequences.

        Inputs:
            x: (N, T, D) inputs; h0: (N, H) or None for zeros
        Returns:
            h: (N, T, H) hidden states
            probs: (N, T, V) softmax(h_t Wy + by) at every step
        """
        h, _ = rnn_forward(x, h0, self.Wx, self.Wh, self.b)
        return h, softmax(h @ self.Wy + self.by, axis=-1)

    def predict(self, x, h0=None) -> np.ndarray:
        """(N, T) most probable class at every step."""
        _, probs = self.run(x, h0)
        return np.argmax(probs, axis=-1)

    def __repr__(self) -> str:
        D, H = self.Wx.shape
        V = self.Wy.shape[1]
        units = ", ".join(self.unit_names)
        return f"HandBuiltRNN(D={D}, H={H}, V={V}; units: {units}){': ' + self.description if self.description else ''}"


def parity_rnn(gain: float = 10.0, output_gain: float = 10.0) -> HandBuiltRNN:
    """The two-unit tanh RNN that computes running parity (see the module docstring).

    Inputs:
        gain: g, how sharply the hidden units switch (>= ~2.3 keeps the
            memory for thousands of steps; 10 is a comfortable default)
        output_gain: k, how confident the output layer is
    Returns:
        HandBuiltRNN with Wx (1, 2), Wh (2, 2), b (2,), Wy (2, 2), by (2,)
    """
    g = _positive_float("gain", gain)
    k = _positive_float("output_gain", output_gain)
    Wx = g * np.array([[1.0, 1.0]])
    Wh = g * np.array([[0.5, 0.5], [-0.5, -0.5]])
    b = g * np.array([-0.5, -1.5])
    Wy = k * np.array([[0.0, 0.5], [0.0, -0.5]])
    by = np.array([0.0, -0.5 * k])
    return HandBuiltRNN(Wx, Wh, b, Wy, by, unit_names=("OR unit", "AND unit"), class_names=("even", "odd"),
                        description=f"running parity, gain {g:g}")


def _positive_float(name: str, value) -> float:
    arr = as_array(name, value)
    if arr.ndim != 0:
        raise ValueError(f"{name}: expected a number, got an array of shape {arr.shape}")
    check_finite(name, arr)
    if float(arr) <= 0:
        raise ValueError(f"{name}: expected a positive number, got {float(arr)!r}")
    return float(arr)
