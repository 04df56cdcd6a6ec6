"""grading/isolation/sandbox.py, bubblewrap.py, worker.py, guard.py, nofork.py: a submission's own process.

Each behaviour runs in the bubblewrap sandbox when this machine has one, and in the fallback (process limits
and the guard) always: the fallback is what macOS, Windows and machines without user namespaces get.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest

from rnn_course.grading.isolation import bubblewrap, nofork, worker
from rnn_course.grading.isolation.sandbox import ProcessRunner
from rnn_course.grading.isolation.staging import PackageViews
from rnn_course.grading.isolation.stubs import PACKAGE_DIR

SANDBOX = bubblewrap.available()
MODES = [pytest.param(SANDBOX, id="bubblewrap", marks=pytest.mark.skipif(
    not SANDBOX.ok, reason=f"no sandbox here: {SANDBOX.description}")), pytest.param(None, id="fallback")]
CHECKOUT = os.path.dirname(str(PACKAGE_DIR))


@pytest.fixture(scope="module")
def view():
    with PackageViews() as views:
        yield views.view(["rnn_course.cells"], "rnn_step_forward")


def _runner(cells, view, sandbox, **kw):
    protect = [str(PACKAGE_DIR), os.path.join(CHECKOUT, "solutions"), os.path.join(CHECKOUT, "tests")]
    return ProcessRunner(cells, package_root=view, sandbox=sandbox, protect=protect, **kw)


@pytest.mark.slow
@pytest.mark.parametrize("sandbox", MODES)
def test_a_cell_that_hangs_or_kills_is_skipped_and_memory_is_limited(sandbox, view):
    cells = ["import numpy as np\nimport os\nimport rnn_course", "def f(n):\n    return np.ones(n).sum()",
             "os._exit(2)", "def g():\n    os._exit(4)",
             "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass",
             "def h():\n    while True:\n        pass"]
    with _runner(cells, view, sandbox, memory_mb=600, timeout=4) as runner:
        assert runner.start()
        assert set(runner.skip) == {2, 4} and "status 2" in runner.skip[2]
        assert "could not be interrupted" in runner.skip[4]
        runner.begin_item(5)
        assert runner.call("f", {"n": 10}).value == 10.0
        big = runner.call("f", {"n": 10**9})  # 8 GB
        assert big.status == "error" and big.error["type"] == "MemoryError"
        assert runner.call("g", {}).status == "crashed"
        runner.begin_item(1)
        start = time.perf_counter()
        hung = runner.call("h", {})
        assert hung.status == "timeout" and "1 s per item" in hung.detail and time.perf_counter() - start < 3
        runner.begin_item(5)
        assert runner.call("f", {"n": 3}).value == 3.0


@pytest.mark.slow
@pytest.mark.parametrize("sandbox", MODES)
def test_slow_cells_cost_their_time_not_the_functions_after_them(sandbox, view):
    """Eight slow cells used to mean eight restarts and "gave up after 8 attempts": 0 points for everything. The
    notebook's cells share one budget; when it runs out the running cell is stopped and the rest of the
    notebook runs its definitions only, in the same process."""
    slow = "import time\nresult = 0\nfor _ in range(30):\n    time.sleep(0.1)\n    result += 1"
    cells = ["import numpy as np\nH = 4"] + [slow] * 8 + ["def f(x):\n    return x * H\n\nf(2)\ntime.sleep(100)"]
    with _runner(cells, view, sandbox, timeout=4) as runner:
        assert runner.start() and runner.starts == 1 and not runner.skip
        assert "budget" in runner.stopped.values() and "definitions only" in runner.stopped.values()
        runner.begin_item(5)
        assert runner.call("f", {"x": 3}).value == 12  # a constant and a def after the budget ran out
        assert runner.notebook.seconds < 10


@pytest.mark.slow
@pytest.mark.parametrize("sandbox", MODES)
def test_a_submission_that_stops_reading_or_floods_the_pipe_cannot_block_or_grow_the_grader(sandbox, view):
    cells = ["import os, sys, time, json, struct, threading\nimport numpy as np\ndef f(x):\n    return x.sum()",
             "def flood():\n    frame = json.dumps({'status': 'ok', 'value': {'t': 'float', 'v': '1.0'}, "
             "'blobs': 0}).encode()\n    while True:\n        os.write(int(sys.argv[2]), struct.pack('>Q', "
             "len(frame)) + frame)",
             "def big():\n    return np.ones(2_000_000)",
             "def stop_reading():\n    os.read = lambda fd, n: time.sleep(3600)"]
    with _runner(cells, view, sandbox, timeout=10) as runner:
        assert runner.start()
        runner.begin_item(2)
        assert runner.call("stop_reading", {}).ok
        start = time.perf_counter()
        out = runner.call("f", {"x": np.ones((1000, 1000))})  # 8 MB: far more than a pipe holds
        assert out.status == "timeout" and time.perf_counter() - start < 10
        runner.begin_item(5, reply_bytes=1_000_000)
        out = runner.call("big", {})
        assert out.status == "too large" and "more than 1000000 bytes" in out.detail
        runner.begin_item(3)
        flooded = runner.call("flood", {})  # frames nobody asked for: at most two are held, then dropped
        assert flooded.status in ("ok", "timeout") and runner._queue.maxsize == 2


@pytest.mark.slow
@pytest.mark.parametrize("sandbox", MODES)
def test_limits_are_hard_and_processes_cannot_start(sandbox, view):
    cells = ["import os, resource, subprocess\nimport numpy as np",
             "def limits():\n    return [list(resource.getrlimit(r)) for r in (resource.RLIMIT_AS, "
             "resource.RLIMIT_CPU, resource.RLIMIT_FSIZE, resource.RLIMIT_NOFILE)]",
             "def raise_them():\n    resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY,) * 2)",
             "def fork():\n    return os.fork()",
             "def spawn():\n    return subprocess.run(['true']).returncode"]
    with _runner(cells, view, sandbox, memory_mb=700, timeout=10) as runner:
        assert runner.start()
        runner.begin_item(5)
        limits = runner.call("limits", {}).value
        assert all(soft == hard for soft, hard in limits) and limits[0][0] == 700 * 1024 * 1024
        assert runner.call("raise_them", {}).error["type"] == "ValueError"
        for name in ("fork", "spawn"):
            out = runner.call(name, {})
            assert out.status == "error" and out.error["type"] in ("PermissionError", "OSError"), out


@pytest.mark.slow
@pytest.mark.parametrize("sandbox", MODES)
def test_the_checkout_and_the_original_package_are_out_of_reach(sandbox, view):
    cells = ["import os, glob\nimport rnn_course",
             "def read(path):\n    return open(path).read()[:20]",
             "def where():\n    return rnn_course.__file__",
             "def signal_grader():\n    import signal\n    os.kill(os.getppid(), signal.SIGINT)\n"
             "    return os.getppid()"]
    with _runner(cells, view, sandbox, timeout=10) as runner:
        assert runner.start()
        runner.begin_item(5)
        for path in (os.path.join(CHECKOUT, "solutions", "01_forward_pass.py"), str(PACKAGE_DIR / "cells" / "rnn.py")):
            out = runner.call("read", {"path": path})
            assert out.status == "error" and out.error["type"] in ("PermissionError", "FileNotFoundError"), out
        assert not runner.call("where", {}).value.startswith(str(PACKAGE_DIR))
        out = runner.call("signal_grader", {})
        if sandbox is None:
            assert out.status == "error" and "signals" in out.error["message"]
        else:
            assert out.status == "ok" and out.value in (0, 1)  # the sandbox's own init: the grader is not visible


@pytest.mark.skipif(not SANDBOX.ok, reason=f"no sandbox here: {SANDBOX.description}")
def test_the_sandbox_mounts_the_runtime_and_the_items_copy_and_nothing_of_the_checkout(view):
    argv, fds = bubblewrap.command(SANDBOX, sys.executable, package_root=view, private_tmp="/tmp", argv=["-c", "1"])
    for fd in fds:
        os.close(fd)
    sources = [argv[i + 1] for i, a in enumerate(argv) if a in ("--ro-bind", "--bind")]
    assert f"{view}/rnn_course" in sources and not any(s in (CHECKOUT, str(PACKAGE_DIR)) for s in sources)
    for flag in ("--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--die-with-parent",
                 "--new-session", "--clearenv", "--seccomp"):
        assert flag in argv
    assert argv[argv.index("--cap-drop") + 1] == "ALL"


def test_without_the_sandbox_the_grader_says_so():
    from rnn_course.grading import grader

    status = grader.sandbox_status("none")
    assert not status.ok and "process limits only" in status.description
    if not SANDBOX.ok:
        with pytest.raises(ValueError, match="bubblewrap was asked for"):
            grader.sandbox_status("bubblewrap")


def test_the_doctor_says_whether_a_class_can_be_graded_in_a_sandbox():
    status, found, fix = bubblewrap.doctor_check()
    assert status == ("ok" if SANDBOX.ok else "warn") and found and (fix == "") == SANDBOX.ok


@pytest.mark.skipif(not nofork.supported(), reason="no seccomp filter for this machine's architecture")
def test_the_no_fork_filter_stops_processes_and_lets_threads_run():
    code = ("import os, threading\nfrom rnn_course.grading.isolation import nofork\nassert nofork.load()\n"
            "t = threading.Thread(target=lambda: None); t.start(); t.join()\n"
            "try:\n    os.fork()\n    print('forked')\nexcept OSError as e:\n    print('refused', e.errno)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "refused 1", result.stderr


def test_definitions_are_what_runs_after_the_budget():
    import ast

    kept = [worker.is_definition(s) for s in ast.parse(
        "import numpy as np\nfrom x import y\nH = 4\nNAMES = ('a', 'b')\ndef f(): pass\nclass C: pass\n"
        "W = np.ones(3)\nprint(1)\nfor i in range(3): pass\nL = [i for i in range(3)]").body]
    assert kept == [True, True, True, True, True, True, False, False, False, False]
