"""How many threads BLAS may use while the course runs: one, unless you say otherwise.

An RNN's time loop multiplies small matrices (batch x H by H x 4H) hundreds of
times in a row. For products that small a second BLAS thread saves little,
and on a machine doing anything else (a browser, a second notebook) its
busy-waiting makes every product several times slower: lesson 05 ran ten
times slower with two OpenBLAS threads on a loaded two-core machine, and
the LSTM backward pass here took 20 ms with one thread against 50-150 ms
with two under the same load. So ``rnn_course`` asks BLAS for one thread
when it is imported. Only the largest products of lesson-sized models lose
anything by it (about 20 % at H = 256 on an idle machine).

Set the environment variable ``RNN_COURSE_BLAS_THREADS`` to pin BLAS to that
many threads instead; ``0`` leaves BLAS exactly as numpy configured it.
"""

from __future__ import annotations

import os

import numpy  # noqa: F401  (loads BLAS, so that threadpoolctl can find it)

__all__ = ["configure_blas_threads", "blas_info"]


def configure_blas_threads(threads: int | None = None) -> int | None:
    """Limit BLAS to ``threads`` threads; returns the limit applied (None: BLAS left alone).

    ``threads`` None reads ``RNN_COURSE_BLAS_THREADS`` (default 1); 0 leaves BLAS alone.
    """
    if threads is None:
        raw = os.environ.get("RNN_COURSE_BLAS_THREADS", "").strip()
        if raw and not raw.isdigit():
            raise ValueError(f"RNN_COURSE_BLAS_THREADS: expected a whole number of threads, got {raw!r}")
        threads = int(raw) if raw else 1
    elif isinstance(threads, bool) or not isinstance(threads, int) or threads < 0:
        raise ValueError(f"threads: expected None or an integer >= 0, got {threads!r}")
    if threads == 0:
        return None
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # without threadpoolctl BLAS keeps its own setting
        return None
    threadpool_limits(limits=threads, user_api="blas")
    return threads


def blas_info() -> list[dict]:
    """What threadpoolctl sees: the BLAS library, its version and its current number of threads."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    return [info for info in threadpool_info() if info.get("user_api") == "blas"]
