"""Process settings made on import: one BLAS thread by default, freed memory kept for reuse."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

CODE = (
    "import json, rnn_course\n"
    "from rnn_course._threads import blas_info\n"
    "info = blas_info()\n"
    "print(json.dumps(info[0]['num_threads'] if info else None))\n"
)


def threads_with(env_value):
    import os

    env = dict(os.environ)
    env.pop("RNN_COURSE_BLAS_THREADS", None)
    env.pop("OPENBLAS_NUM_THREADS", None)
    if env_value is not None:
        env["RNN_COURSE_BLAS_THREADS"] = env_value
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_importing_the_package_limits_blas_to_one_thread():
    if threads_with("0") is None:
        pytest.skip("threadpoolctl cannot see this numpy's BLAS")
    assert threads_with(None) == 1


def test_the_thread_count_can_be_pinned_or_left_alone():
    if threads_with("0") is None:
        pytest.skip("threadpoolctl cannot see this numpy's BLAS")
    assert threads_with("2") == 2
    import os

    assert threads_with("0") >= 1  # untouched: whatever OpenBLAS chose for this machine
    assert os.cpu_count() >= 1


def test_bad_thread_settings_say_what_is_wrong(monkeypatch):
    from rnn_course._threads import configure_blas_threads

    with pytest.raises(ValueError, match="threads: expected None or an integer >= 0, got -1"):
        configure_blas_threads(-1)
    monkeypatch.setenv("RNN_COURSE_BLAS_THREADS", "many")
    with pytest.raises(ValueError, match="RNN_COURSE_BLAS_THREADS: expected a whole number of threads, got 'many'"):
        configure_blas_threads()
    monkeypatch.delenv("RNN_COURSE_BLAS_THREADS")
    assert configure_blas_threads() in (1, None)


def test_keep_freed_memory_is_applied_on_glibc_and_can_be_turned_off(monkeypatch):
    from rnn_course._memory import keep_freed_memory

    monkeypatch.setenv("RNN_COURSE_KEEP_MEMORY", "0")
    assert keep_freed_memory() is False
    monkeypatch.delenv("RNN_COURSE_KEEP_MEMORY")
    if sys.platform.startswith("linux"):
        import platform

        if platform.libc_ver()[0] == "glibc":
            assert keep_freed_memory() is True
