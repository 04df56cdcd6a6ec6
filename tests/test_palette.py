"""The colours that tell cells, gates and methods apart stay apart for colour-blind readers.

Each palette is seen through the three common colour-vision deficiencies,
simulated with the matrices of Machado, Oliveira & Fernandes (2009, severity
1.0, applied in linear RGB; the same numbers as the colorspacious package),
and every pair of its colours must differ by at least MIN_DELTA_E in CIELAB
(CIE76): a difference of about 2 is just noticeable, and lines in a legend
need far more. The palette the course had before (RNN red, GRU green) measured
7.3 for that pair under deuteranopia.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from rnn_course.plots import style
from rnn_course.plots.bptt import MODE_COLORS
from rnn_course.plots.surfaces import PATH_COLORS
from rnn_course.plots.unrolled import WEIGHT_COLORS

MIN_DELTA_E = 15.0
VISION = {
    "normal": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}


def _linear_rgb(color: str) -> np.ndarray:
    from matplotlib.colors import to_rgb

    c = np.array(to_rgb(color))
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear: np.ndarray) -> np.ndarray:
    srgb_to_xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = srgb_to_xyz @ np.clip(linear, 0, 1)
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def closest_pair(colors: dict, vision: str) -> tuple[float, str, str]:
    lab = {name: _lab(VISION[vision] @ _linear_rgb(c)) for name, c in colors.items()}
    return min((float(np.linalg.norm(lab[a] - lab[b])), a, b) for a, b in itertools.combinations(lab, 2))


PALETTES = {
    "cells": {k: v for k, v in style.CELL_COLORS.items() if k != "irnn"},  # irnn is the relu RNN's colour
    "lstm gates over the LSTM's colour": {**{g: style.GATE_COLORS[g] for g in "ifgo"}, "c": style.CELL_COLORS["lstm"]},
    "gru gates over the GRU's colour": {**{g: style.GATE_COLORS[g] for g in "rzn"}, "h": style.CELL_COLORS["gru"]},
    "clipping methods": PATH_COLORS,
    "truncation modes": MODE_COLORS,
    "weights and gradient": WEIGHT_COLORS,
    "right and wrong": {"right": style.RIGHT, "wrong": style.WRONG},
}


@pytest.mark.parametrize("vision", VISION)
@pytest.mark.parametrize("palette", PALETTES)
def test_palette_colours_stay_apart(palette, vision):
    delta, a, b = closest_pair(PALETTES[palette], vision)
    assert delta >= MIN_DELTA_E, f"{palette}, {vision}: {a} and {b} differ by only {delta:.1f}"


def test_the_old_red_and_green_fail_the_same_measure():
    delta, _, _ = closest_pair({"rnn": "#d62728", "gru": "#2ca02c"}, "deuteranopia")
    assert delta < 8  # the check above would have caught it


def test_cells_share_one_palette():
    assert set(style.CELL_COLORS.values()) <= set(style.OKABE_ITO.values())
    assert style.CELL_COLORS["rnn_relu"] == style.CELL_COLORS["irnn"]
