"""The student's side of a check: call a function from the student's namespace and report what happened.

A ``Harness`` answers requests from the judge (``runner.py``): "call
``rnn_step_forward`` with these arrays", "give me the value you kept under
handle 3". It runs in the notebook's own process for ``check()``, and in a
separate, resource-limited process when the instructor grades (``worker.py``).
Either way the judge gets back only encoded data (see ``wire.py``) and a
report of the call:

* ``status``: ``ok``, ``not attempted`` (NotImplementedError, the stub),
  ``error`` (any other exception: type, message, and the student's line),
  ``reference`` (called or copied the package's reference implementation),
  ``missing`` (no such function in the notebook)
* ``mutated``: which arguments the function changed in place
* ``warnings``: what numpy (or anything else) warned about during the call
* ``global_rng``: whether numpy's global random state was used
* ``signature``: when asked, the bytecode signature of the function, for the
  judge to compare with the package's references (``references.copied_from``)

In a notebook the item's references are trapped while the call runs
(``references.armed``); in the grader's process they are stubs already
(``staging.py``), so nothing is armed there. In the grader a call that runs
past the seconds it was given is interrupted by an alarm (status
``timeout``), so an endless loop does not cost a new process; the judge
kills the process if the alarm does not work.

The harness never touches numpy's global random state itself.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
import traceback
import warnings

import numpy as np

from .. import wire
from . import references

__all__ = ["Harness", "describe_exception", "TimeLimit", "time_limit"]

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_LIBRARY_DIRS = tuple(
    d for d in {os.path.dirname(os.__file__), os.path.dirname(os.path.dirname(np.__file__)), _PACKAGE_DIR} if d
)


def _is_student_frame(filename: str) -> bool:
    if not filename or filename.startswith("<frozen") or filename == "<reference trap>":
        return False
    if filename.startswith("<"):
        return True  # "<cell 3>" in the grader, "<ipython-input-...>" in old kernels
    path = os.path.abspath(filename)
    return not any(path.startswith(d + os.sep) for d in _LIBRARY_DIRS)


def describe_exception(exc: BaseException, cell_source=None) -> dict:
    """Type, message and the innermost line of the student's own code that was running."""
    message = _safe_str(exc)
    where = None
    tb = exc.__traceback__
    for frame, lineno in traceback.walk_tb(tb):
        filename = frame.f_code.co_filename
        if _is_student_frame(filename):
            where = {"function": frame.f_code.co_name, "line": lineno, "file": filename}
    if where is not None:
        text = None
        if cell_source is not None:
            text = cell_source(where["file"], where["line"])
        if text is None:
            import linecache

            text = linecache.getline(where["file"], where["line"]) or None
        where["source"] = text.strip()[:200] if text else None
    return {"type": type(exc).__name__, "message": message[:2000], "where": where}


def _safe_str(exc) -> str:
    try:
        return str(exc)
    except Exception:  # noqa: BLE001 - a hostile __str__
        return "<unprintable exception>"


class TimeLimit(BaseException):
    """Raised in the student's code by the alarm when its time is up (a BaseException: ``except Exception``
    in the student's code does not swallow it)."""


@contextlib.contextmanager
def time_limit(seconds: float | None):
    """Interrupt the block with ``TimeLimit`` after ``seconds`` (Unix main thread only; else no limit here)."""
    usable = seconds is not None and seconds > 0 and hasattr(signal, "setitimer") \
        and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return
    live = [True]

    def alarm(signum, frame):
        if live[0]:
            raise TimeLimit(f"stopped after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, float(seconds))
    try:
        yield
    finally:
        live[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _snapshot(value):
    """A deep copy of the plain-data parts of an argument (to detect in-place changes)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _snapshot(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_snapshot(v) for v in value) if isinstance(value, list) else tuple(
            _snapshot(v) for v in value)
    if isinstance(value, (int, float, str, bool, type(None), np.generic)):
        return value
    return _UNCHECKED


_UNCHECKED = object()


def _changed(before, after) -> bool:
    if before is _UNCHECKED:
        return False
    if isinstance(before, np.ndarray):
        return not (isinstance(after, np.ndarray) and before.shape == after.shape
                    and np.array_equal(before, after, equal_nan=True))
    if isinstance(before, dict):
        if not isinstance(after, dict) or before.keys() != after.keys():
            return True
        return any(_changed(before[k], after[k]) for k in before)
    if isinstance(before, (list, tuple)):
        if not isinstance(after, (list, tuple)) or len(before) != len(after):
            return True
        return any(_changed(b, a) for b, a in zip(before, after))
    return False


def _rng_fingerprint():
    state = np.random.get_state(legacy=False)  # noqa: NPY002 - only read, to see if the student used it
    return (state["state"]["key"].tobytes(), int(state["state"]["pos"]), state["has_gauss"])


class Harness:
    """Answers the judge's requests against a namespace of student functions."""

    def __init__(self, namespace: dict, *, cell_source=None, grading: bool = False):
        self.namespace = namespace
        self.store: dict[int, object] = {}
        self._next = 1
        self.cell_source = cell_source
        self.grading = grading

    # -- helpers -----------------------------------------------------------------------------

    def _resolve(self, obj, blobs):
        t = obj["t"]
        if t == "ref":
            value = self.store[int(obj["handle"])]
            for p in obj.get("path", []):
                value = value[p]
            return value
        if t == "rng":
            return np.random.default_rng(int(obj["seed"]))
        if t == "factory":
            from ..factories import build

            kwargs = wire.decode(obj["kwargs"], blobs, resolve=self._resolve)
            return build(obj["name"], kwargs)
        raise wire.ProtocolError(t)

    def _keep(self, value) -> int:
        handle = self._next
        self._next += 1
        self.store[handle] = value
        return handle

    # -- requests ----------------------------------------------------------------------------

    def handle(self, request: dict, blobs: list) -> tuple[dict, list]:
        """One request (header dict + buffers) -> one reply (header dict + buffers); every reply also says the CPU
        seconds this process has used (what grading the submission cost, for the report)."""
        reply, out_blobs = self._handle(request, blobs)
        reply["cpu"] = time.process_time()
        return reply, out_blobs

    def _handle(self, request: dict, blobs: list) -> tuple[dict, list]:
        op = request.get("op")
        if op == "call":
            return self._call(request, blobs)
        if op == "fetch":
            out_blobs: list = []
            value = self._resolve({"t": "ref", "handle": request["handle"], "path": request.get("path", [])}, blobs)
            return {"status": "ok", "value": wire.encode(value, out_blobs)}, out_blobs
        if op == "store":
            value = wire.decode(request["value"], blobs, resolve=self._resolve)
            return {"status": "ok", "handle": self._keep(value)}, []
        if op == "drop":
            self.store.pop(int(request["handle"]), None)
            return {"status": "ok"}, []
        return {"status": "error", "error": {"type": "ProtocolError", "message": f"unknown op {op!r}"}}, []

    def _call(self, request: dict, blobs: list) -> tuple[dict, list]:
        name = request["function"]
        fn = self.namespace.get(name)
        if fn is None:
            return {"status": "missing"}, []
        if not callable(fn):
            return {"status": "not callable", "type": type(fn).__name__}, []
        arg_names = request.get("arg_names", [])
        args = wire.decode(request["args"], blobs, resolve=self._resolve)
        kwargs = wire.decode(request["kwargs"], blobs, resolve=self._resolve)
        before = {n: _snapshot(a) for n, a in zip(arg_names, args)}
        before.update({k: _snapshot(v) for k, v in kwargs.items()})

        reply: dict = {"status": "ok"}
        if request.get("signature"):
            with contextlib.suppress(Exception):
                if isinstance(getattr(fn, "__code__", None), type(_snapshot.__code__)) \
                        and not str(getattr(fn, "__module__", "")).startswith("rnn_course"):
                    reply["signature"] = references.signature(fn)
        rng_before = _rng_fingerprint()
        calls_before = len(references.CALLS)
        start = time.perf_counter()
        value = None
        calls: list = []
        forbid = [] if self.grading else request.get("forbid", [])
        trap = references.armed(forbid, request.get("graded_name")) if forbid else contextlib.nullcontext([])
        seconds = request.get("seconds") if self.grading else None
        with warnings.catch_warnings(record=True) as caught, np.errstate(over="warn", invalid="warn",
                                                                          divide="warn", under="ignore"):
            warnings.simplefilter("always")
            try:
                with trap as calls, time_limit(seconds if isinstance(seconds, int | float) else None):
                    value = fn(*args, **kwargs)
            except NotImplementedError as exc:
                reply = {"status": "not attempted", "error": describe_exception(exc, self.cell_source)}
            except references.ReferenceCalled as exc:
                reply = {"status": "reference", "error": describe_exception(exc, self.cell_source),
                         "calls": [exc.reference]}
            except TimeLimit:
                reply = {"status": "timeout", "detail": f"the limit is {seconds:g} s per item"}
            except KeyboardInterrupt:
                if not self.grading:
                    raise
                reply = {"status": "error", "error": {"type": "KeyboardInterrupt", "message": "", "where": None}}
            except BaseException as exc:  # noqa: BLE001 - SystemExit and friends are the student's bugs too
                reply = {"status": "error", "error": describe_exception(exc, self.cell_source)}
        reply["seconds"] = time.perf_counter() - start
        calls = sorted(set(list(calls) + reply.get("calls", []) + references.CALLS[calls_before:]))[:10]
        if calls:
            reply["status"] = "reference"
            reply["calls"] = calls
        reply["warnings"] = sorted({f"{w.category.__name__}: {_safe_str(w.message)}"[:300] for w in caught})[:10]
        reply["global_rng"] = _rng_fingerprint() != rng_before
        reply["mutated"] = [n for n, a in zip(arg_names, args) if _changed(before[n], a)]
        reply["mutated"] += [k for k, v in kwargs.items() if _changed(before[k], v)]
        out_blobs: list = []
        if reply["status"] == "ok":
            handle = self._keep(value) if request.get("keep") else None
            try:
                reply["value"] = wire.encode(value, out_blobs, handle=handle,
                                             opaque_paths=[tuple(p) for p in request.get("opaque", [])])
            except Exception as exc:  # noqa: BLE001 - a returned object whose methods misbehave
                out_blobs = []
                reply = {"status": "error", "error": {
                    "type": type(exc).__name__, "where": None,
                    "message": f"the returned value could not be read ({_safe_str(exc)[:200]})"}}
            if handle is not None and reply["status"] == "ok":
                reply["handle"] = handle
        returned_args = {}
        for index in request.get("return_args", []):
            if index < len(args):
                returned_args[str(index)] = wire.encode(args[index], out_blobs)
        if returned_args:
            reply["args_after"] = returned_args
        return reply, out_blobs

