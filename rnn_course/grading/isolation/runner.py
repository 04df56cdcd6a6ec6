"""The judge's side of a call into student code: ``Runner.call`` -> ``Outcome``.

Checks (``framework.py`` and the exercise modules) talk to student code only
through a runner, so the same check runs

* in a notebook (``LocalRunner``: the harness is in this process), and
* in the grader (``ProcessRunner`` in ``sandbox.py``: the harness is in a
  separate process with time and memory limits, see ``worker.py``).

Both send every request and reply as the same bytes (``wire.py``): the
notebook's runner writes each message out and reads it back exactly as the
pipe does, so a check behaves the same in both places (a string argument is
a new object in both, so ``activation is "tanh"`` is False in both), what a
check sees never aliases the student's objects, and anything that is not
plain data comes back as an ``Opaque`` the check can pass back (a cache).

A reply comes from the student's side and is checked field by field; one
that does not follow the format raises ``wire.ProtocolError`` (the student's
process misbehaved, not the course). A graded function that is a verbatim
copy of a reference is recognised here, on the judge's side, from the
signature the student's side sends (``references.copied_from``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from .. import wire
from . import references
from .harness import Harness

__all__ = ["Outcome", "Runner", "LocalRunner"]


@dataclass
class Outcome:
    """What happened when the judge called one student function once."""

    status: str  # ok | not attempted | error | reference | missing | not callable | timeout | crashed | too large
    #              | malformed
    value: object = None
    ref: wire.Ref | None = None  # the kept return value (keep=True)
    error: dict | None = None  # {"type", "message", "where": {"function", "line", "source"}}
    mutated: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    global_rng: bool = False
    args_after: dict = field(default_factory=dict)  # index -> value, for return_args
    calls: list = field(default_factory=list)  # reference functions called
    copied: str | None = None  # the reference function this is a verbatim copy of
    seconds: float = 0.0
    detail: str = ""  # for timeout / crashed: what the sandbox saw

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class Runner:
    """Calls functions in the student's namespace by name."""

    def call(self, function: str, args: dict, kwargs: dict | None = None, *, forbid=(), graded_name=None,
             keep: bool = False, opaque=(), return_args=()) -> Outcome:
        """Call ``function(*args.values(), **kwargs)`` on the student's side.

        ``args`` is ordered: its keys name the positional arguments in
        messages ("modified its input h_prev in place"). ``forbid`` lists
        reference functions the call must not use (``references.py``);
        ``keep`` keeps the return value on the student's side (``Outcome.ref``);
        ``opaque`` lists paths into the return value that should not be sent;
        ``return_args`` lists positional indices whose value *after* the call
        comes back in ``Outcome.args_after`` (for in-place operations).
        """
        request = {
            "op": "call",
            "function": function,
            "arg_names": list(args),
            "forbid": list(forbid),
            "graded_name": graded_name,
            "keep": bool(keep),
            "opaque": [list(p) for p in opaque],
            "return_args": list(return_args),
        }
        blobs: list = []
        request["args"] = wire.encode(tuple(args.values()), blobs)
        request["kwargs"] = wire.encode(dict(kwargs or {}), blobs)
        signed = self.__dict__.setdefault("_signed", set())
        if function not in signed:
            request["signature"] = True  # once per function: is it a verbatim copy of a reference?
            signed.add(function)
        reply, reply_blobs = self._request(request, blobs)
        outcome = self._outcome(reply, reply_blobs)
        if isinstance(reply, dict) and "signature" in reply:
            copied = references.copied_from(reply["signature"], graded_name or function)
            if copied:
                outcome.status, outcome.copied, outcome.value = "reference", copied, None
        return outcome

    def store(self, value) -> wire.Ref:
        """Keep ``value`` on the student's side (a ``wire.Factory`` is built there) and return its Ref.

        Calls can then pass the Ref: the function receives the stored object
        itself, so in-place changes persist (a model's parameters, an
        optimiser's state) until ``fetch``.
        """
        blobs: list = []
        reply, _ = self._request({"op": "store", "value": wire.encode(value, blobs)}, blobs)
        if reply.get("status") != "ok" or "handle" not in reply:
            raise wire.ProtocolError(reply.get("detail") or f"store failed ({reply.get('status')})")
        return wire.Ref(int(reply["handle"]))

    make = store

    def fetch(self, ref: wire.Ref):
        """The plain-data value kept on the student's side under ``ref``."""
        reply, blobs = self._request({"op": "fetch", "handle": ref.handle, "path": list(ref.path)}, [])
        if reply.get("status") != "ok":
            raise wire.ProtocolError(reply.get("detail") or reply.get("status", "fetch failed"))
        return wire.decode(reply["value"], blobs)

    def _request(self, request: dict, blobs: list) -> tuple[dict, list]:
        raise NotImplementedError  # pragma: no cover - subclasses

    @staticmethod
    def _outcome(reply: dict, blobs: list) -> Outcome:
        """The reply as an Outcome; wire.ProtocolError when any field is not what the format says."""
        if not isinstance(reply, dict):
            raise wire.ProtocolError("the reply is not an object")
        status = reply.get("status", "crashed")
        if status not in _STATUSES:
            raise wire.ProtocolError(f"unknown status {str(status)[:40]!r}")
        out = Outcome(status=status)
        out.error = _error(reply.get("error"))
        out.mutated = _strings(reply.get("mutated", []), "mutated", 100)[:20]
        out.warnings = [w[:300] for w in _strings(reply.get("warnings", []), "warnings", 1000)][:10]
        out.global_rng = _check(reply.get("global_rng", False), bool, "global_rng")
        out.calls = _strings(reply.get("calls", []), "calls", 200)[:10]
        seconds = reply.get("seconds", 0.0)
        if not isinstance(seconds, int | float) or isinstance(seconds, bool):
            raise wire.ProtocolError("seconds is not a number")
        out.seconds = float(seconds)
        out.detail = _check(reply.get("detail", ""), str, "detail")[:2000]
        if status == "ok":
            out.value = wire.decode(reply.get("value", {"t": "none"}), blobs)
            if "handle" in reply:
                out.ref = wire.Ref(_check(reply["handle"], int, "handle"))
        after = reply.get("args_after") or {}
        if not isinstance(after, dict):
            raise wire.ProtocolError("args_after is not an object")
        for index, enc in after.items():
            if not str(index).isdigit():
                raise wire.ProtocolError("args_after has a key that is not an argument index")
            out.args_after[int(index)] = wire.decode(enc, blobs)
        return out


_STATUSES = {"ok", "not attempted", "error", "reference", "missing", "not callable", "timeout", "crashed",
             "too large", "malformed"}


def _check(value, kind, name):
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise wire.ProtocolError(f"{name} is not a {kind.__name__}")
    return value


def _strings(value, name, limit):
    if not isinstance(value, list) or len(value) > limit or not all(isinstance(v, str) for v in value):
        raise wire.ProtocolError(f"{name} is not a list of strings")
    return value


def _error(value) -> dict | None:
    """An exception's description, each field checked (a hostile reply cannot smuggle other kinds in)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise wire.ProtocolError("error is not an object")
    where = value.get("where")
    if where is not None:
        if not isinstance(where, dict):
            raise wire.ProtocolError("error.where is not an object")
        line = where.get("line")
        where = {"function": str(where.get("function") or "")[:100] or None,
                 "line": line if isinstance(line, int) and not isinstance(line, bool) else None,
                 "source": str(where["source"])[:200] if where.get("source") is not None else None}
    return {"type": str(value.get("type") or "Exception")[:100], "message": str(value.get("message") or "")[:2000],
            "where": where}


class LocalRunner(Runner):
    """The harness in this process: what ``check()`` uses inside a notebook."""

    def __init__(self, namespace: dict):
        self.harness = Harness(namespace)

    def _request(self, request, blobs):
        # Bytes out and back in, exactly as over the grader's pipe: the check sees copies, the student's
        # function sees what it would see in the grader.
        request, blobs = _round_trip(request, blobs)
        reply, reply_blobs = self.harness.handle(request, blobs)
        return _round_trip(reply, reply_blobs)


def _round_trip(header: dict, blobs: list) -> tuple[dict, list]:
    stream = io.BytesIO(wire.frame_bytes(dict(header, blobs=len(blobs)), list(blobs)))

    def read(n: int) -> bytes:
        data = stream.read(n)
        if len(data) != n:
            raise EOFError
        return data

    return wire.read_frame(read)
