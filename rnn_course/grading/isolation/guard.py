"""What a submission's process may not do when there is no sandbox (macOS, Windows, no bubblewrap).

``install(protected)`` adds an audit hook (one cannot be removed once added)
that refuses, for the rest of the process's life:

* opening anything under the ``protected`` folders (the course checkout with
  ``solutions/``, the original package) and making links to files there;
* starting processes (``subprocess``, ``os.system``, ``os.exec*``,
  ``os.fork``, ``pty``), and signalling any process but itself (the grader);
* loading or calling C code through ``ctypes`` (``ctypes.dlopen``,
  ``ctypes.dlsym``), which would reach ``open``, ``fork`` and ``kill`` past
  the hooks above.

On Linux ``nofork.load`` also stops new processes at the system-call level.

This is the fallback, and it is weaker than the sandbox: an audit hook is
part of the process it guards, and Python code that corrupts the
interpreter's memory, or a C extension already loaded, gets around it. The
grader says in its output and in the report when a run used it.
"""

from __future__ import annotations

import os
import sys

__all__ = ["install"]

_SPAWN = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
          "pty.spawn", "os.startfile")
_CTYPES = ("ctypes.dlopen", "ctypes.dlsym", "ctypes.call_function", "ctypes.cdata", "ctypes.addressof")
_LINKS = ("os.link", "os.symlink", "os.rename", "os.replace")


def install(protected=()) -> None:
    """Add the hook; ``protected`` folders become unreadable (and cannot be linked to or moved)."""
    folders = tuple(os.path.realpath(p) for p in protected if p)
    me = os.getpid()

    def is_protected(path) -> bool:
        try:
            if isinstance(path, int):
                return False  # a descriptor this process already holds
            real = os.path.realpath(os.fsdecode(path))
        except (TypeError, ValueError):
            return False
        return any(real == f or real.startswith(f + os.sep) for f in folders)

    def hook(event, args):
        if event == "open" and args and is_protected(args[0]):
            raise PermissionError(f"reading {os.fsdecode(args[0])} is not allowed while grading")
        if event.startswith(_LINKS) and any(is_protected(a) for a in args[:2] if isinstance(a, str | bytes)):
            raise PermissionError(f"{event} on the course's files is not allowed while grading")
        if event.startswith(_SPAWN):
            raise PermissionError(f"starting another process ({event}) is not allowed while grading")
        if event in ("os.kill", "os.killpg", "signal.pthread_kill") and args and args[0] not in (me, 0):
            raise PermissionError(f"sending signals to other processes ({event}) is not allowed while grading")
        if event == "os.killpg":
            raise PermissionError("sending signals to process groups is not allowed while grading")
        if event.startswith(_CTYPES):
            raise PermissionError(f"calling C code through ctypes ({event}) is not allowed while grading")

    sys.addaudithook(hook)
