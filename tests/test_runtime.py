"""Importing rnn_course changes nothing outside it; BLAS threads change only through a visible call."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

BEFORE_AND_AFTER = (
    "import json, numpy, threadpoolctl\n"
    "def blas():\n"
    "    return [i['num_threads'] for i in threadpoolctl.threadpool_info() if i['user_api'] == 'blas']\n"
    "before = blas()\n"
    "import rnn_course, rnn_course.models, rnn_course.plots, rnn_course.demos, rnn_course.grading\n"
    "print(json.dumps([before, blas()]))\n"
)


def _run(code: str, **env_extra) -> object:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    env.update(env_extra)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.parametrize("threads", [None, "2"])
def test_importing_the_package_leaves_blas_threads_as_they_were(threads):
    env = {} if threads is None else {"OPENBLAS_NUM_THREADS": threads}
    before, after = _run(BEFORE_AND_AFTER, **env)
    if not before:
        pytest.skip("threadpoolctl cannot see this numpy's BLAS")
    assert after == before
    if threads is not None:
        assert before == [2]


def test_use_blas_threads_applies_at_once_and_restores_as_a_context_manager():
    code = (
        "import json\n"
        "from rnn_course import use_blas_threads\n"
        "from rnn_course.blas import blas_info\n"
        "def n(): return [i['num_threads'] for i in blas_info()]\n"
        "start = n()\n"
        "with use_blas_threads(1):\n"
        "    inside = n()\n"
        "after = n()\n"
        "use_blas_threads(1)\n"
        "print(json.dumps([start, inside, after, n()]))\n"
    )
    start, inside, after, pinned = _run(code, OPENBLAS_NUM_THREADS="2")
    if not start:
        pytest.skip("threadpoolctl cannot see this numpy's BLAS")
    assert start == [2] and inside == [1] and after == [2] and pinned == [1]


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_use_blas_threads_names_the_argument(bad):
    from rnn_course import use_blas_threads

    with pytest.raises(ValueError, match=r"threads: expected an integer >= 1, got"):
        use_blas_threads(bad)
