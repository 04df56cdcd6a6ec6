"""A submission's own process: the grader's ``Runner``, inside bubblewrap where the machine offers it.

``ProcessRunner(cells, package_root=..., sandbox=bubblewrap.available())``
starts ``python -m rnn_course.grading.isolation.worker`` with the item's copy
of the package (``staging.py``) on its path, and:

* in the sandbox (``bubblewrap.py``): its own user, PID, network and IPC
  namespaces, a read-only file system without the course's solutions, the
  report or other submissions, no new processes, dying with the grader;
  without one (macOS, Windows, no bubblewrap): a fresh temporary folder, a
  clean environment, and the fallback guard (``guard.py``);
* resource limits the worker sets on itself, hard equal to soft: memory
  (``RLIMIT_AS``), CPU time as a backstop, file size, open files, processes;
* a time budget for running the notebook's cells (``timeout``, shared by
  restarts and by the other processes running the same notebook,
  ``NotebookState``) and one per graded item, interrupted inside the process first
  (an alarm), enforced here as a last resort: the process is killed;
* every reply read with limits: the JSON header (1 MB) and the whole reply
  (``reply_bytes`` per item, 8 MB by default) are refused from their
  announced size, before they are read, and at most two unread replies are
  buffered, so a submission cannot make the grader grow;
* stdout and stderr drained into a bounded buffer (megabytes of output cost
  nothing and are never parsed).

A cell that hangs or kills the interpreter (``os._exit``, a segfault) is
skipped: the process is restarted and runs the notebook again without it
(with what is left of the time budget), so every function the rest of the
notebook defines can still be graded. A graded function that hangs or
crashes costs its item, not the others.
"""

from __future__ import annotations

import os
import queue
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .. import wire
from . import bubblewrap
from .runner import Runner

__all__ = ["ProcessRunner", "NotebookState", "REPLY_BYTES"]

#: the largest reply a graded call may send (an item can ask for more: ``begin_item(..., reply_bytes=)``)
REPLY_BYTES = 8 * 1024 * 1024
#: seconds the judge waits past a time limit for the worker's own alarm before it kills the process
_GRACE_CALL = 3.0
_GRACE_CELLS = 5.0
_QUEUED_REPLIES = 2


class NotebookState:
    """What running one notebook has taught, shared by every process that runs it (one per group of items):
    the time its cells have used (``timeout`` is for the notebook, not for each process), the cells to skip
    (they hung past the budget or killed the interpreter), and the cells the budget interrupted."""

    def __init__(self):
        self.seconds = 0.0
        self.skip: dict[int, str] = {}
        self.stopped: dict[int, str] = {}


def _describe_exit(code: int | None, memory_mb: int, sandboxed: bool) -> str:
    if code is None:
        return "the process stopped answering"
    if sandboxed and 128 < code < 160:
        code = -(code - 128)  # bubblewrap reports a child killed by signal s as 128 + s
    if code < 0:
        sig = -code
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else f"signal {sig}"
        if sig == signal.SIGKILL:
            return f"killed by {name} (out of memory, or the CPU-time limit? the memory limit is {memory_mb} MB)"
        if sig == signal.SIGXCPU:
            return "stopped by the CPU-time limit"
        if sig == signal.SIGSEGV:
            return "a segmentation fault"
        return f"killed by {name}"
    return f"the interpreter exited with status {code} (os._exit, or a crash)"


class ProcessRunner(Runner):
    """Runs a notebook's code cells in a worker process and calls its functions on request."""

    def __init__(self, cells, *, memory_mb: int = 1024, timeout: float = 60.0, cpu_seconds: int = 600,
                 package_root: str | Path | None = None, sandbox: bubblewrap.Availability | None = None,
                 protect=(), output_limit: int = 64 * 1024, max_starts: int = 8, python: str | None = None,
                 reply_bytes: int = REPLY_BYTES, notebook: NotebookState | None = None):
        self.cells = [str(c) for c in cells]
        self.memory_mb = int(memory_mb)
        self.timeout = float(timeout)
        self.cpu_seconds = int(cpu_seconds)
        self.package_root = str(package_root) if package_root is not None else None
        self.sandbox = sandbox if sandbox is not None and sandbox.ok else None
        self.protect = [str(p) for p in protect]
        self.output_limit = int(output_limit)
        self.max_starts = int(max_starts)
        self.python = python or sys.executable
        self.reply_bytes = int(reply_bytes)
        self.default_reply_bytes = int(reply_bytes)
        self.notebook = notebook or NotebookState()
        self.skip = self.notebook.skip  # cell index -> why it was skipped
        self.stopped = self.notebook.stopped  # cell index -> why it was interrupted (the run went on)
        self.cell_errors: dict[int, dict] = {}
        self.cell_warnings: dict[int, list] = {}
        self.defined: list[str] = []
        self.output = bytearray()
        self.output_bytes = 0
        self.starts = 0
        self.broken: str | None = None  # why the notebook could not run at all
        self.deadline: float | None = None
        self.item_seconds: float | None = None
        self.cpu_seconds_used = 0.0  # CPU time of the worker processes, as they report it
        self._cpu_now = 0.0
        self._proc = None
        self._queue: queue.Queue | None = None
        self._stop = threading.Event()
        self._req_fd: int | None = None
        self._tmp: str | None = None
        self._threads: list[threading.Thread] = []

    # -- life cycle ----------------------------------------------------------------------------

    def _command(self, req_r: int, rep_w: int) -> tuple[list[str], list[int], dict | None, str | None]:
        worker = ["-m", "rnn_course.grading.isolation.worker", str(req_r), str(rep_w), str(self.memory_mb),
                  str(self.cpu_seconds)]
        common = {"RNN_COURSE_GRADING": "1", "MPLBACKEND": "Agg", "MPLCONFIGDIR": "/tmp/matplotlib",
                  "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        if self.sandbox is not None:
            argv, fds = bubblewrap.command(self.sandbox, self.python, package_root=self.package_root,
                                           private_tmp=self._tmp, argv=[*worker, "--sandboxed"], env=common)
            return argv, fds, {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, None
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self._tmp, "TMPDIR": self._tmp,
               "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1"}
        env.update(common, MPLCONFIGDIR=os.path.join(self._tmp, "matplotlib"))
        if self.package_root is not None:
            env["PYTHONPATH"] = self.package_root
        if sys.platform == "win32":
            env["SYSTEMROOT"] = os.environ.get("SYSTEMROOT", "")
        return [self.python, *worker], [], env, self._tmp

    def _spawn(self):
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        out_r, out_w = os.pipe()
        self._tmp = tempfile.mkdtemp(prefix="rnn-course-grade-")
        argv, extra_fds, env, cwd = self._command(req_r, rep_w)
        try:
            self._proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out_w, stderr=out_w,
                                          pass_fds=(req_r, rep_w, *extra_fds), cwd=cwd, env=env,
                                          start_new_session=True, close_fds=True)
        finally:
            for fd in (req_r, rep_w, out_w, *extra_fds):
                os.close(fd)
        self._req_fd = req_w
        os.set_blocking(req_w, False)
        self._queue = q = queue.Queue(maxsize=_QUEUED_REPLIES)
        self._stop = stop = threading.Event()

        def put(item) -> bool:
            while not stop.is_set():
                try:
                    q.put(item, timeout=0.2)
                    return True
                except queue.Full:
                    continue
            return False

        def reader():
            try:
                while True:
                    limit = self.reply_bytes
                    header, blobs = wire.read_frame(lambda n: wire.read_exact(rep_r, n), limit=limit,
                                                    header_limit=wire.MAX_HEADER_BYTES)
                    if not put(("frame", header, blobs)):
                        return
            except EOFError:
                put(("eof", None, None))
            except wire.ProtocolError as err:
                put(("too large" if "more than" in str(err) else "malformed", str(err), None))
            except (OSError, ValueError) as err:
                put(("malformed", str(err), None))
            finally:
                os.close(rep_r)

        def drain():
            try:
                while True:
                    chunk = os.read(out_r, 1 << 16)
                    if not chunk:
                        break
                    self.output_bytes += len(chunk)
                    room = self.output_limit - len(self.output)
                    if room > 0:
                        self.output += chunk[:room]
            finally:
                os.close(out_r)

        self._threads = [threading.Thread(target=reader, daemon=True), threading.Thread(target=drain, daemon=True)]
        for t in self._threads:
            t.start()

    def _send(self, header: dict, blobs=(), deadline: float | None = None) -> bool:
        """Write a request without ever blocking past the deadline (a submission may stop reading)."""
        data = memoryview(wire.frame_bytes(dict(header, blobs=len(blobs)), list(blobs)))
        deadline = max(deadline or time.monotonic() + self.timeout, time.monotonic() + 5.0)
        try:
            while data:
                try:
                    data = data[os.write(self._req_fd, data):]
                except BlockingIOError:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return False
                    select.select([], [self._req_fd], [], remaining)
            return True
        except OSError:
            return False

    def _get(self, deadline: float | None):
        timeout = None if deadline is None else max(deadline - time.monotonic(), 0.0)
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return ("timeout", None, None)

    def _discard_unasked(self) -> None:
        """Frames nobody asked for (a notebook writing to the reply pipe itself) are dropped, not queued."""
        while self._queue is not None:
            try:
                kind, header, blobs = self._queue.get_nowait()
            except queue.Empty:
                return
            if kind != "frame":  # the end of the stream, or a broken one: keep it for the next read
                self._queue.put((kind, header, blobs))
                return

    def kill(self, graceful: bool = False) -> int | None:
        """Stop the worker (and, in the sandbox, everything in its namespaces); returns its exit code.

        ``graceful``: first close its request pipe (the worker exits at the end of its input) and give it a
        second, so it and bubblewrap exit and are waited for; then (or at once) kill the process group.
        """
        proc, self._proc = self._proc, None
        if proc is None:
            return None
        if graceful and proc.poll() is None and self._req_fd is not None:
            try:
                os.close(self._req_fd)
            except OSError:
                pass
            self._req_fd = None
            try:
                proc.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                pass
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        code = proc.wait()
        self.cpu_seconds_used += self._cpu_now
        self._cpu_now = 0.0
        self._stop.set()
        if self._req_fd is not None:
            try:
                os.close(self._req_fd)
            except OSError:
                pass
            self._req_fd = None
        for t in self._threads:
            t.join(timeout=5)
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
        return code

    def close(self) -> int | None:
        """Done with this notebook: let the worker exit (then make sure it has)."""
        return self.kill(graceful=True)

    def _exit_code(self) -> int | None:
        proc = self._proc
        if proc is None:
            return None
        try:
            return proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return None

    def _why_exit(self, code) -> str:
        return _describe_exit(code, self.memory_mb, self.sandbox is not None)

    def start(self) -> bool:
        """Run the notebook's cells in a fresh worker; skip (and restart without) a cell that hangs past the
        budget or kills the interpreter. Returns False when the notebook cannot be run at all."""
        while self.broken is None:
            if self.starts >= self.max_starts:
                self.broken = f"gave up after {self.starts} attempts to run the notebook"
                return False
            self.starts += 1
            self.kill()
            self._spawn()
            budget = max(self.timeout - self.notebook.seconds, 0.0)
            begun = time.monotonic()
            deadline = begun + budget + _GRACE_CELLS + 0.1 * len(self.cells)
            if not self._send({"op": "run", "cells": self.cells, "skip": sorted(self.skip), "budget": budget,
                               "protect": self.protect}, deadline=deadline):
                code = self.kill()
                self.broken = f"the worker process did not start: {self._why_exit(code)}"
                return False
            current = None
            errors: dict[int, dict] = {}
            while True:
                kind, header, _ = self._get(deadline)
                if kind == "frame":
                    event = header.get("event")
                    if event == "cell":
                        current = _index(header)
                    elif event == "cell_done":
                        index = _index(header)
                        if isinstance(header.get("error"), dict):
                            errors[index] = header["error"]
                        if header.get("stopped") and self.stopped.get(index) != "budget":
                            self.stopped[index] = str(header["stopped"])[:100]  # the budget ran out here: kept
                        notes = header.get("warnings")
                        if isinstance(notes, list) and notes:
                            self.cell_warnings[index] = [str(n)[:300] for n in notes[:5]]
                        current = None
                    elif event == "ready":
                        self._note_cpu(header)
                        self.cell_errors = errors
                        defined = header.get("defined")
                        self.defined = [str(d)[:100] for d in defined[:500]] if isinstance(defined, list) else []
                        self.notebook.seconds += time.monotonic() - begun
                        return True
                    continue
                self.notebook.seconds += time.monotonic() - begun
                if kind == "timeout":
                    self.kill()
                    why = (f"it ran past the notebook's time limit ({self.timeout:g} s) and could not be "
                           "interrupted")
                elif kind == "eof":
                    why = self._why_exit(self._exit_code())
                    self.kill()
                else:
                    self.kill()
                    why = f"the process sent a malformed message ({header})"
                if current is None or current < 0:
                    self.broken = f"the notebook could not be run: {why}"
                    return False
                self.skip[current] = why
                break
        return False

    # -- calls ---------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """A worker is up (its notebook ran)."""
        return self._proc is not None

    def begin_item(self, seconds: float, reply_bytes: int | None = None) -> None:
        """Calls from now on share a budget of ``seconds`` (the item's time limit) and may each reply with
        up to ``reply_bytes`` (default ``REPLY_BYTES``)."""
        self.item_seconds = float(seconds)
        self.deadline = time.monotonic() + float(seconds)
        self.reply_bytes = int(reply_bytes or self.default_reply_bytes)

    def _request(self, request: dict, blobs: list):
        if self._proc is None:
            if self.broken or not self.start():
                return {"status": "crashed", "detail": self.broken or "the notebook could not be run"}, []
        self._discard_unasked()
        deadline = self.deadline if self.deadline is not None else time.monotonic() + self.timeout
        if request.get("op") == "call":
            request = dict(request, seconds=max(deadline - time.monotonic(), 0.05))
        if not self._send(request, blobs, deadline=deadline):
            alive = self._proc.poll() is None
            code = self.kill()
            if alive:
                return {"status": "timeout", "detail": "it stopped reading the grader's requests" + (
                    f" (the limit is {self.item_seconds:g} s per item)" if self.item_seconds else "")}, []
            return {"status": "crashed", "detail": self._why_exit(code)}, []
        kind, header, reply_blobs = self._get(deadline + _GRACE_CALL)
        if kind == "frame":
            self._note_cpu(header)
            if isinstance(header, dict) and header.get("status") == "timeout" and self.item_seconds:
                header = dict(header, detail=f"the limit is {self.item_seconds:g} s per item")
            return header, reply_blobs
        if kind == "timeout":
            self.kill()
            limit = self.item_seconds
            return {"status": "timeout", "detail": f"the limit is {limit:g} s per item" if limit else ""}, []
        if kind == "eof":
            code = self._exit_code()
            self.kill()
            return {"status": "crashed", "detail": self._why_exit(code)}, []
        self.kill()
        return {"status": kind, "detail": str(header)[:300]}, []

    def _note_cpu(self, header) -> None:
        cpu = header.get("cpu") if isinstance(header, dict) else None
        if isinstance(cpu, int | float) and not isinstance(cpu, bool) and 0 <= cpu < 1e6:
            self._cpu_now = max(self._cpu_now, float(cpu))

    def output_text(self) -> str:
        return bytes(self.output).decode("utf-8", errors="replace")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def _index(header: dict) -> int:
    value = header.get("index", -1)
    return value if isinstance(value, int) and not isinstance(value, bool) else -1
