"""The program a submission runs in when the instructor grades: ``python -m rnn_course.grading.isolation.worker``.

It is started by ``sandbox.ProcessRunner`` (inside bubblewrap where the
machine offers it) with two pipe file descriptors (requests in, replies
out), a memory limit and a CPU-time limit, and:

1. sets its own resource limits before importing anything heavy, every hard
   limit equal to its soft limit so nothing can raise it again: address
   space, CPU seconds, file size, open files, processes, no core dumps;
2. outside a sandbox, adds the fallback guard (``guard.py``: no reading the
   course's files, no other processes, no signals, no ctypes) and the
   no-fork filter (``nofork.py``);
3. receives the notebook's code cells (it never learns the submission's
   path) and runs them top to bottom in one namespace, reporting each cell's
   start and end, so the judge knows which cell hung or crashed. Exceptions
   in a cell (SystemExit included) are recorded and the next cell runs.
   The cells share a time budget: when it runs out, the running cell is
   interrupted and the rest of the notebook runs its definitions only
   (``def``, ``class``, imports, constants), so a notebook with slow
   experiments still has its functions graded. A statement that fails only
   because it calls a reference (a stub here) does not stop the rest of its
   cell either: in the student's own notebook it worked;
4. answers the judge's calls with a ``Harness`` (``harness.py``).

Everything the submission prints goes to stdout/stderr, which the judge
drains and truncates; it never reads it as data, so printing fake results
changes nothing.
"""

from __future__ import annotations

import ast
import os
import resource
import signal
import sys
import time

#: the largest file a submission may write (in its private /tmp)
FILE_BYTES = 64 * 1024 * 1024
#: open files (the interpreter and numpy need a few dozen)
OPEN_FILES = 256
#: threads and processes beyond those running at start (no forks: the seccomp filter; a few threads)
EXTRA_TASKS = 8
#: seconds each cell may take once the notebook's budget is spent (its definitions only)
DEFINITIONS_SECONDS = 2.0


def _limit(which, value) -> None:
    """Soft and hard limit both ``value`` (never above the hard limit already in place)."""
    try:
        _, hard = resource.getrlimit(which)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (value, value))
    except (ValueError, OSError):
        pass


def _tasks() -> int:
    try:
        return sum(len(os.listdir(f"/proc/{p}/task")) for p in os.listdir("/proc") if p.isdigit())
    except OSError:
        return 1


def set_limits(memory_mb: int, cpu_seconds: int, sandboxed: bool) -> None:
    if memory_mb > 0:
        _limit(resource.RLIMIT_AS, memory_mb * 1024 * 1024)
    if cpu_seconds > 0:
        _limit(resource.RLIMIT_CPU, cpu_seconds)
    _limit(resource.RLIMIT_CORE, 0)
    _limit(resource.RLIMIT_FSIZE, FILE_BYTES)
    _limit(resource.RLIMIT_NOFILE, OPEN_FILES)
    if sandboxed:
        # counted per user and, in the sandbox's own user namespace, only its processes (not for root outside a
        # namespace, which the kernel exempts: the seccomp filter is what stops forks there)
        _limit(resource.RLIMIT_NPROC, _tasks() + EXTRA_TASKS)
    # writing past the file-size limit then fails with an OSError instead of killing the process
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def strip_magics(source: str) -> str | None:
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


def is_definition(stmt: ast.stmt) -> bool:
    """A statement that defines rather than computes: def, class, import, a constant (no calls in it)."""
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Import | ast.ImportFrom):
        return True
    if isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None:
        return not any(isinstance(n, ast.Call | ast.Lambda | ast.ListComp | ast.DictComp | ast.SetComp
                                  | ast.GeneratorExp) for n in ast.walk(stmt.value))
    return False


class CellRunner:
    """Runs a notebook's cells in one namespace within a time budget (see the module docstring)."""

    def __init__(self, namespace: dict, send, budget: float, describe_exception, time_limit, time_limit_error,
                 reference_error):
        self.namespace = namespace
        self.send = send
        self.deadline = time.monotonic() + max(float(budget), 0.0)
        self.describe = describe_exception
        self.time_limit = time_limit
        self.TimeUp = time_limit_error
        self.ReferenceCalled = reference_error
        self.sources: dict[int, str] = {}

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def cell_source(self, filename: str, line: int):
        if filename.startswith("<cell ") and filename.endswith(">"):
            try:
                lines = self.sources[int(filename[6:-1])].splitlines()
                return lines[line - 1] if 0 < line <= len(lines) else None
            except (ValueError, KeyError):
                return None
        return None

    def _statement_index(self, tree, exc, filename) -> int:
        """The index of the cell's top-level statement that was running when ``exc`` was raised."""
        line = None
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == filename and tb.tb_frame.f_code.co_name == "<module>":
                line = tb.tb_lineno
            tb = tb.tb_next
        for i, stmt in enumerate(tree.body):
            if line is not None and stmt.lineno <= line <= (stmt.end_lineno or stmt.lineno):
                return i
        return len(tree.body)

    def _exec(self, stmts, filename, definitions_only: bool) -> BaseException | None:
        """Run statements one by one (definitions only if asked); returns the exception that stopped them."""
        for stmt in stmts:
            if definitions_only and not is_definition(stmt):
                continue
            try:
                exec(compile(ast.Module([stmt], type_ignores=[]), filename, "exec"), self.namespace)  # noqa: S102
            except self.ReferenceCalled:
                continue  # the call of a reference (a stub here) worked in the student's notebook: go on
            except BaseException as exc:  # noqa: BLE001 - the student's code, recorded by the caller
                return exc
        return None

    def run(self, index: int, source: str) -> None:
        import warnings

        code_text = strip_magics(source)
        if code_text is None or not code_text.strip():
            return
        self.sources[index] = code_text
        filename = f"<cell {index}>"
        self.send({"event": "cell", "index": index})
        start = time.perf_counter()
        error, stopped, notes = None, None, []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                tree = ast.parse(code_text, filename)
                code = compile(tree, filename, "exec")
            except SyntaxError as exc:
                tree, code = None, None
                error = self.describe(exc, self.cell_source)
                error["message"] = exc.msg
                error["where"] = {"function": "<module>", "line": exc.lineno, "source": (exc.text or "").strip()}
            except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, absurd nesting
                tree, code = None, None
                error = {"type": type(exc).__name__, "message": str(exc)[:300], "where": None}
        notes = sorted({f"{w.category.__name__}: {w.message}"[:300] for w in caught
                        if issubclass(w.category, SyntaxWarning)})[:5]
        if code is not None:
            definitions_only = self.left() <= 0
            seconds = DEFINITIONS_SECONDS if definitions_only else self.left()
            try:
                with self.time_limit(seconds):
                    if definitions_only:
                        failure = self._exec(tree.body, filename, True)
                        if failure is not None:
                            raise failure
                    else:
                        exec(code, self.namespace)  # noqa: S102 - running the submission is the point
            except self.TimeUp as exc:
                stopped = "definitions" if definitions_only else "budget"
                rest = tree.body[self._statement_index(tree, exc, filename) + 1:]
                with self.time_limit(DEFINITIONS_SECONDS):
                    try:
                        self._exec(rest, filename, True)
                    except self.TimeUp:
                        pass
            except self.ReferenceCalled as exc:
                rest = tree.body[self._statement_index(tree, exc, filename) + 1:]
                try:
                    with self.time_limit(max(self.left(), DEFINITIONS_SECONDS)):
                        failure = self._exec(rest, filename, self.left() <= 0)
                    if failure is not None:
                        error = self.describe(failure, self.cell_source)
                except self.TimeUp:
                    stopped = "budget"
            except BaseException as exc:  # noqa: BLE001 - SystemExit, KeyboardInterrupt: record and go on
                error = self.describe(exc, self.cell_source)
            if definitions_only:
                stopped = stopped or "definitions only"
        flush()
        self.send({"event": "cell_done", "index": index, "error": error, "seconds": time.perf_counter() - start,
                   "stopped": stopped, "warnings": notes})


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    req_fd, rep_fd, memory_mb, cpu_seconds = (int(a) for a in argv[:4])
    sandboxed = "--sandboxed" in argv[4:]
    set_limits(memory_mb, cpu_seconds, sandboxed)

    import numpy  # noqa: F401 - imported before any guard, as every submission needs it
    import numpy.random  # noqa: F401 - numpy loads it lazily; the harness reads its state

    from .. import wire
    from . import references
    from .harness import Harness, TimeLimit, describe_exception, time_limit

    def send(header: dict, blobs=()) -> None:
        wire.write_frame(rep_fd, dict(header, blobs=len(blobs)), list(blobs))

    def read(n: int) -> bytes:
        return wire.read_exact(req_fd, n)

    request, _ = wire.read_frame(read)
    cells = [str(c) for c in request.get("cells", [])]
    skip = {int(i) for i in request.get("skip", [])}
    if not sandboxed:
        from . import guard, nofork

        nofork.load()
        guard.install(request.get("protect", []))
    namespace: dict = {"__name__": "__main__", "__builtins__": __builtins__}
    namespace["display"] = lambda *objs, **kw: print(*(repr(o) for o in objs))
    runner = CellRunner(namespace, send, float(request.get("budget", 60.0)), describe_exception, time_limit,
                        TimeLimit, references.ReferenceCalled)
    for index, source in enumerate(cells):
        if index not in skip:
            runner.run(index, source)

    defined = sorted(k for k, v in namespace.items() if callable(v) and not k.startswith("_"))[:500]
    send({"event": "ready", "defined": defined, "cpu": time.process_time()})

    harness = Harness(namespace, cell_source=runner.cell_source, grading=True)
    while True:
        try:
            request, blobs = wire.read_frame(read)
        except EOFError:
            return 0
        try:
            reply, out_blobs = harness.handle(request, blobs)
        except BaseException as exc:  # noqa: BLE001 - a malformed request (or a late alarm) must not kill the worker
            reply, out_blobs = {"status": "error", "error": describe_exception(exc)}, []
        flush()
        send(reply, out_blobs)


def flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001
            pass


if __name__ == "__main__":
    sys.exit(main())
