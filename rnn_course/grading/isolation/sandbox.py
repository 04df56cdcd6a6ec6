"""A submission's own process: the grader's ``Runner``, with time and memory limits.

``ProcessRunner(cells, ...)`` starts ``python -m rnn_course.grading.isolation.worker``
in a fresh temporary directory, in its own process group, with:

* a memory limit (``RLIMIT_AS``, set by the worker on itself before it
  imports anything) and a CPU-time limit as a backstop;
* a wall-clock limit for running the notebook's cells, and one per graded
  item, enforced here: the process group is killed when time runs out;
* stdout and stderr drained into a bounded buffer (megabytes of output cost
  nothing and are never parsed);
* the references the exercise set forbids removed from its memory, their
  source files unreadable and no way to start other processes
  (``references.disable`` / ``guard_sources``).

A cell that hangs or kills the interpreter (``os._exit``, a segfault, the
memory limit) is skipped: the process is restarted and runs the notebook
again without it, so every function the rest of the notebook defines can
still be graded. A graded function that hangs or crashes costs its item,
not the others: the next item gets a fresh process.
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
from .runner import Runner

__all__ = ["ProcessRunner"]

_PACKAGE_PARENT = str(Path(__file__).resolve().parents[2])


def _describe_exit(code: int | None, memory_mb: int) -> str:
    if code is None:
        return "the process stopped answering"
    if code < 0:
        sig = -code
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else f"signal {sig}"
        if sig == signal.SIGKILL:
            return f"killed by {name} (out of memory? the limit is {memory_mb} MB)"
        if sig == signal.SIGXCPU:
            return "stopped by the CPU-time limit"
        if sig == signal.SIGSEGV:
            return "a segmentation fault"
        return f"killed by {name}"
    return f"the interpreter exited with status {code} (os._exit, or a crash)"


class ProcessRunner(Runner):
    """Runs a notebook's code cells in a worker process and calls its functions on request."""

    def __init__(self, cells, *, memory_mb: int = 1024, timeout: float = 60.0, cpu_seconds: int = 600,
                 disable=(), graded_names=(), output_limit: int = 64 * 1024, max_starts: int = 8,
                 python: str | None = None):
        self.cells = [str(c) for c in cells]
        self.memory_mb = int(memory_mb)
        self.timeout = float(timeout)
        self.cpu_seconds = int(cpu_seconds)
        self.disable = list(disable)
        self.graded_names = list(graded_names)
        self.output_limit = int(output_limit)
        self.max_starts = int(max_starts)
        self.python = python or sys.executable
        self.skip: dict[int, str] = {}  # cell index -> why it was skipped
        self.cell_errors: dict[int, dict] = {}
        self.defined: list[str] = []
        self.output = bytearray()
        self.output_bytes = 0
        self.starts = 0
        self.broken: str | None = None  # why the notebook could not run at all
        self.deadline: float | None = None
        self.seconds_running_cells = 0.0
        self._proc = None
        self._queue: queue.Queue | None = None
        self._req_fd: int | None = None
        self._tmp: str | None = None
        self._threads: list[threading.Thread] = []

    # -- life cycle ----------------------------------------------------------------------------

    def _spawn(self):
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        out_r, out_w = os.pipe()
        self._tmp = tempfile.mkdtemp(prefix="rnn-course-grade-")
        env = dict(os.environ)
        env.update({
            "RNN_COURSE_GRADING": "1",
            "MPLBACKEND": "Agg",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONPATH": os.pathsep.join(p for p in (_PACKAGE_PARENT, env.get("PYTHONPATH", "")) if p),
        })
        try:
            self._proc = subprocess.Popen(
                [self.python, "-m", "rnn_course.grading.isolation.worker", str(req_r), str(rep_w), str(self.memory_mb),
                 str(self.cpu_seconds)],
                stdin=subprocess.DEVNULL, stdout=out_w, stderr=out_w, pass_fds=(req_r, rep_w), cwd=self._tmp,
                env=env, start_new_session=True, close_fds=True,
            )
        finally:
            os.close(req_r)
            os.close(rep_w)
            os.close(out_w)
        self._req_fd = req_w
        os.set_blocking(req_w, False)
        self._queue = queue.Queue()
        q = self._queue

        def read_exact(n: int) -> bytes:
            chunks, got = [], 0
            while got < n:
                chunk = os.read(rep_r, min(n - got, 1 << 20))
                if not chunk:
                    raise EOFError
                chunks.append(chunk)
                got += len(chunk)
            return b"".join(chunks)

        def reader():
            try:
                while True:
                    header, blobs = wire.read_frame(read_exact)
                    q.put(("frame", header, blobs))
            except EOFError:
                q.put(("eof", None, None))
            except (wire.ProtocolError, OSError, ValueError) as err:
                q.put(("bad", str(err), None))
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

    def _send(self, header: dict, blobs=()) -> bool:
        """Write a request without ever blocking past the deadline (a submission may stop reading)."""
        data = memoryview(wire.frame_bytes(dict(header, blobs=len(blobs)), list(blobs)))
        deadline = self.deadline if self.deadline is not None else time.monotonic() + self.timeout
        deadline = max(deadline, time.monotonic() + 5.0)
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

    def kill(self) -> int | None:
        """Stop the worker's whole process group; returns its exit code."""
        proc, self._proc = self._proc, None
        if proc is None:
            return None
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        code = proc.wait()
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

    close = kill

    def _exit_code(self) -> int | None:
        proc = self._proc
        if proc is None:
            return None
        try:
            return proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return None

    def start(self) -> bool:
        """Run the notebook's cells in a fresh worker; skip (and restart without) a cell that hangs or
        kills the interpreter. Returns False when the notebook cannot be run at all."""
        while self.broken is None:
            if self.starts >= self.max_starts:
                self.broken = f"gave up after {self.starts} attempts to run the notebook"
                return False
            self.starts += 1
            self.kill()
            self._spawn()
            if not self._send({"op": "run", "cells": self.cells, "skip": sorted(self.skip),
                               "disable": self.disable, "names": self.graded_names}):
                code = self.kill()
                self.broken = f"the worker process did not start: {_describe_exit(code, self.memory_mb)}"
                return False
            begun = time.monotonic()
            deadline = begun + self.timeout
            current = None
            errors: dict[int, dict] = {}
            while True:
                kind, header, _ = self._get(deadline)
                if kind == "frame":
                    event = header.get("event")
                    if event == "cell":
                        current = int(header.get("index", -1))
                    elif event == "cell_done":
                        if header.get("error"):
                            errors[int(header.get("index", -1))] = header["error"]
                        current = None
                    elif event == "ready":
                        self.cell_errors = errors
                        self.defined = [str(d) for d in header.get("defined", [])][:500]
                        self.seconds_running_cells += time.monotonic() - begun
                        return True
                    continue
                self.seconds_running_cells += time.monotonic() - begun
                if kind == "timeout":
                    self.kill()
                    why = f"did not finish within the {self.timeout:g} s limit for running the notebook"
                else:
                    code = self._exit_code() if kind == "eof" else None
                    self.kill()
                    why = (_describe_exit(code, self.memory_mb) if kind == "eof"
                           else f"the process sent a malformed message ({header})")
                if current is None or current < 0:
                    self.broken = f"the notebook could not be run: {why}"
                    return False
                self.skip[current] = why
                break
        return False

    # -- calls ---------------------------------------------------------------------------------

    def begin_item(self, seconds: float) -> None:
        """Calls from now on share a budget of ``seconds`` (the item's time limit)."""
        self.item_seconds = float(seconds)
        self.deadline = time.monotonic() + float(seconds)

    def _request(self, request: dict, blobs: list):
        if self._proc is None:
            if self.broken or not self.start():
                return {"status": "crashed", "detail": self.broken or "the notebook could not be run"}, []
        if not self._send(request, blobs):
            alive = self._proc.poll() is None
            code = self.kill()
            if alive:
                limit = getattr(self, "item_seconds", None)
                return {"status": "timeout", "detail": "it stopped reading the grader's requests" + (
                    f" (the limit is {limit:g} s per item)" if limit else "")}, []
            return {"status": "crashed", "detail": _describe_exit(code, self.memory_mb)}, []
        kind, header, reply_blobs = self._get(self.deadline)
        if kind == "frame":
            return header, reply_blobs
        if kind == "timeout":
            self.kill()
            limit = getattr(self, "item_seconds", None)
            return {"status": "timeout", "detail": f"the limit is {limit:g} s per item" if limit else ""}, []
        if kind == "eof":
            code = self._exit_code()
            self.kill()
            return {"status": "crashed", "detail": _describe_exit(code, self.memory_mb)}, []
        self.kill()
        return {"status": "crashed", "detail": f"it sent a malformed reply ({header})"}, []

    def output_text(self) -> str:
        return bytes(self.output).decode("utf-8", errors="replace")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()
        return False
