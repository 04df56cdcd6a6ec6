"""The program a submission runs in when the instructor grades: ``python -m rnn_course.grading.isolation.worker``.

It is started by ``sandbox.ProcessRunner`` with two pipe file descriptors
(requests in, replies out), a memory limit and a CPU-time limit, and:

1. sets its own resource limits before importing anything heavy (address
   space, CPU seconds, file size, no core dumps);
2. receives the notebook's code cells (it never learns the submission's
   path) and runs them top to bottom in one namespace, reporting each cell's
   start and end, so the judge knows which cell hung or crashed; exceptions
   in a cell (SystemExit included) are recorded and the next cell runs;
3. answers the judge's calls with a ``Harness`` (``harness.py``).

Everything the submission prints goes to stdout/stderr, which the judge
drains and truncates; it never reads it as data, so printing fake results
changes nothing.
"""

from __future__ import annotations

import os
import resource
import signal
import sys
import time


def _limit(which, value):
    try:
        soft, hard = resource.getrlimit(which)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (value, hard))
    except (ValueError, OSError):
        pass


def _set_limits(memory_mb: int, cpu_seconds: int) -> None:
    if memory_mb > 0:
        _limit(resource.RLIMIT_AS, memory_mb * 1024 * 1024)
    if cpu_seconds > 0:
        _limit(resource.RLIMIT_CPU, cpu_seconds)
    _limit(resource.RLIMIT_CORE, 0)
    _limit(resource.RLIMIT_FSIZE, 100 * 1024 * 1024)
    # Writing past the file-size limit then fails with an OSError instead of killing the process.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def _strip_magics(source: str) -> str | None:
    """Jupyter magics are not Python: drop cell magics, comment out line magics and shell escapes."""
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        return None
    out = []
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            out.append(line[: len(line) - len(stripped)] + "pass  # " + stripped)
        else:
            out.append(line)
    return "\n".join(out)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    req_fd, rep_fd, memory_mb, cpu_seconds = (int(a) for a in argv[:4])
    _set_limits(memory_mb, cpu_seconds)

    from .. import wire
    from . import references
    from .harness import Harness, describe_exception

    def read_exact(n: int) -> bytes:
        chunks, got = [], 0
        while got < n:
            chunk = os.read(req_fd, min(n - got, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def send(header: dict, blobs=()) -> None:
        header = dict(header, blobs=len(blobs))
        wire.write_frame(rep_fd, header, list(blobs))

    request, _ = wire.read_frame(read_exact)
    cells = [str(c) for c in request.get("cells", [])]
    skip = {int(i) for i in request.get("skip", [])}
    # The set's reference implementations leave this process before any submitted code runs.
    files = references.disable([str(s) for s in request.get("disable", [])], [str(n) for n in request.get("names", [])])
    references.guard_sources(files)
    namespace: dict = {"__name__": "__main__", "__builtins__": __builtins__}
    namespace["display"] = lambda *objs, **kw: print(*(repr(o) for o in objs))

    def cell_source(filename: str, line: int):
        if filename.startswith("<cell ") and filename.endswith(">"):
            try:
                lines = cells[int(filename[6:-1])].splitlines()
                return lines[line - 1] if 0 < line <= len(lines) else None
            except (ValueError, IndexError):
                return None
        return None

    for index, source in enumerate(cells):
        if index in skip:
            continue
        code_text = _strip_magics(source)
        if code_text is None or not code_text.strip():
            continue
        send({"event": "cell", "index": index})
        start = time.perf_counter()
        error = None
        try:
            code = compile(code_text, f"<cell {index}>", "exec")
            exec(code, namespace)  # noqa: S102 - running the submission is the point
        except BaseException as exc:  # noqa: BLE001 - SystemExit, KeyboardInterrupt: record and go on
            error = describe_exception(exc, cell_source)
            if isinstance(exc, SyntaxError):
                error["message"] = exc.msg
                error["where"] = {"function": "<module>", "line": exc.lineno, "source": (exc.text or "").strip()}
        _flush()
        send({"event": "cell_done", "index": index, "error": error, "seconds": time.perf_counter() - start})

    defined = sorted(k for k, v in namespace.items() if callable(v) and not k.startswith("_"))[:500]
    send({"event": "ready", "defined": defined})

    harness = Harness(namespace, cell_source=cell_source, grading=True)
    while True:
        try:
            request, blobs = wire.read_frame(read_exact)
        except EOFError:
            return 0
        try:
            reply, out_blobs = harness.handle(request, blobs)
        except Exception as exc:  # noqa: BLE001 - a malformed request must not kill the worker silently
            reply, out_blobs = {"status": "error", "error": describe_exception(exc)}, []
        _flush()
        send(reply, out_blobs)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001
            pass


if __name__ == "__main__":
    sys.exit(main())
