"""The judge's side of a call into student code: ``Runner.call`` -> ``Outcome``.

Checks (``framework.py`` and the exercise modules) talk to student code only
through a runner, so the same check runs

* in a notebook (``LocalRunner``: the harness is in this process), and
* in the grader (``ProcessRunner`` in ``sandbox.py``: the harness is in a
  separate process with time and memory limits, see ``worker.py``).

Both encode and decode every value (``wire.py``), so what a check sees never
aliases the student's objects, and anything that is not plain data comes
back as an ``Opaque`` the check can pass back (a cache).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import wire
from .harness import Harness

__all__ = ["Outcome", "Runner", "LocalRunner"]


@dataclass
class Outcome:
    """What happened when the judge called one student function once."""

    status: str  # ok | not attempted | error | reference | missing | not callable | timeout | crashed
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
        reply, reply_blobs = self._request(request, blobs)
        return self._outcome(reply, reply_blobs)

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
        if not isinstance(reply, dict):
            raise wire.ProtocolError("reply is not an object")
        status = str(reply.get("status", "crashed"))
        out = Outcome(status=status)
        out.error = reply.get("error") if isinstance(reply.get("error"), dict) else None
        out.mutated = [str(m) for m in reply.get("mutated", [])][:20]
        out.warnings = [str(w)[:300] for w in reply.get("warnings", [])][:10]
        out.global_rng = bool(reply.get("global_rng", False))
        out.calls = [str(c) for c in reply.get("calls", [])][:10]
        out.copied = str(reply["copied"]) if reply.get("copied") else None
        out.seconds = float(reply.get("seconds", 0.0) or 0.0)
        out.detail = str(reply.get("detail", ""))[:2000]
        if status == "ok":
            out.value = wire.decode(reply.get("value", {"t": "none"}), blobs)
            if "handle" in reply:
                out.ref = wire.Ref(int(reply["handle"]))
        for index, enc in (reply.get("args_after") or {}).items():
            out.args_after[int(index)] = wire.decode(enc, blobs)
        return out


class LocalRunner(Runner):
    """The harness in this process: what ``check()`` uses inside a notebook."""

    def __init__(self, namespace: dict):
        self.harness = Harness(namespace)

    def _request(self, request, blobs):
        # Encode and decode exactly as over a pipe, so the check sees copies.
        return self.harness.handle(request, [bytes(b) for b in blobs])
