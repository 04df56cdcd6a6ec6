"""How many threads BLAS (the library behind numpy's matrix products) may use: your choice, made visibly.

Importing ``rnn_course`` changes nothing outside the package: numpy keeps the
BLAS threads it started with. A lesson that trains an RNN asks for one thread
in its first cell, with this call, and says why:

    from rnn_course import use_blas_threads
    use_blas_threads(1)

Why one: an RNN's time loop multiplies small matrices (batch x H by H x 4H)
hundreds of times in a row, one step waiting for the last. For products that
small a second thread saves little, and on a machine doing anything else (a
browser, a second notebook) the idle thread spinning for work makes every
product several times slower. Large matrix products (H in the hundreds and
big batches) are where more threads pay.

``use_blas_threads(n)`` applies the limit at once and returns an object that
can also be used as a context manager, which puts the old limits back at the
end of the ``with`` block:

    with use_blas_threads(2):
        ...   # two threads here, the previous setting afterwards
"""

from __future__ import annotations

__all__ = ["use_blas_threads", "blas_info"]


def use_blas_threads(threads: int):
    """Limit BLAS to ``threads`` threads (an integer >= 1); returns threadpoolctl's limiter.

    Called alone, the limit stays until changed. Used as ``with use_blas_threads(n):``,
    the previous limits come back when the block ends.
    """
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads: expected an integer >= 1, got {threads!r}")
    import numpy  # noqa: F401  (loads BLAS, so that threadpoolctl can find it)
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=threads, user_api="blas")


def blas_info() -> list[dict]:
    """What threadpoolctl sees: the BLAS library, its version and its current number of threads."""
    import numpy  # noqa: F401
    from threadpoolctl import threadpool_info

    return [info for info in threadpool_info() if info.get("user_api") == "blas"]
