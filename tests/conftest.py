"""Shared fixtures.

* ``rng``: a seeded Generator per test (tests never touch numpy's global state).
* ``artifacts``: a folder (``artifacts/`` at the repository root, ignored by git)
  where tests save the figures and screenshots a human should look at.
* Matplotlib runs headless (Agg) and every figure is closed after each test.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    path = Path(os.environ.get("RNN_COURSE_ARTIFACTS", ROOT / "artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
