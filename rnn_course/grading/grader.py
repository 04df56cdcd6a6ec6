"""Grade a class: each submission in its own sandboxed processes, in parallel; a report that loses nothing.

    report = grade(["submissions/"], jobs=2)
    reports.write_json(report, "report.json"); print(reports.format_table(report))

For every submission (``.ipynb`` or a py:percent ``.py``, see ``submissions``)
the grader reads the file once (it never writes to it), finds which exercise
set it is, and scores every item of the set with the same checks students
run in their notebooks, driven from this process: the checks, the
reference implementations and the random inputs never enter the
submission's process.

The submission's code runs in a ``ProcessRunner``: inside bubblewrap where
the machine offers it (``isolation/bubblewrap.py``), else with process
limits and the fallback guard; the report and the printed table say which.
Each item is graded in a process that sees the package with that item's
references stubbed out (``isolation/staging.py``), so ``rnn_step_forward``
may use ``rnn_course.activations.tanh`` while ``softmax`` may not use
``rnn_course.activations``; items that forbid the same things share one
process, and the notebook runs once in each.

Whatever a submission does (invalid JSON, an exception, an infinite loop,
``os._exit``, megabytes of output, a memory bomb, a 250 MB reply, signals,
forks), it still appears in the report, every item of its set with points,
a maximum and a message, and the report is always written. The report
format::

    {"submissions": [{"path": ..., "student": ..., "score": ..., "max_score": ..., "items":
        [{"name": ..., "points": ..., "max_points": ..., "message": ..., "status": ...}, ...]}, ...],
     "grader": {"seed": ..., "sandbox": {"kind": "bubblewrap" or "none", "description": ...}, ...}}
"""

from __future__ import annotations

import hashlib
import os
import re
import resource
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .catalog import EXERCISES, max_score, run_item
from .isolation import bubblewrap
from .isolation.sandbox import NotebookState, ProcessRunner
from .isolation.staging import PackageViews
from .isolation.stubs import PACKAGE_DIR
from .result import Result
from .submissions import detect_exercise, find_submissions, load_submission, student_of

__all__ = ["grade_submission", "grade", "sandbox_status", "DEFAULTS", "SANDBOX_CHOICES"]

DEFAULTS = {"timeout": 60.0, "item_timeout": 20.0, "memory_mb": 1024, "jobs": 2}
SANDBOX_CHOICES = ("auto", "bubblewrap", "none")


def sandbox_status(choice: str = "auto", python: str | None = None) -> bubblewrap.Availability:
    """The sandbox a run would use: bubblewrap when it works here (``auto``), or none (``none``).

    ``bubblewrap`` insists: a ValueError says why it cannot be used.
    """
    if choice not in SANDBOX_CHOICES:
        raise ValueError(f"sandbox: expected one of {', '.join(SANDBOX_CHOICES)}, got {choice!r}")
    if choice == "none":
        return bubblewrap.Availability(False, "no sandbox (--sandbox none): submissions run with process limits "
                                              "only")
    found = bubblewrap.available(python)
    if choice == "bubblewrap" and not found.ok:
        raise ValueError(f"sandbox: bubblewrap was asked for, but {found.description}")
    return found


def _protected(files, also=()) -> list[str]:
    """What a submission's process may not read when there is no sandbox: the course checkout's solutions
    and tests, the original package, every submission's folder, the report's."""
    home = os.path.dirname(str(PACKAGE_DIR))
    out = [str(PACKAGE_DIR)] + [os.path.join(home, d) for d in ("solutions", "tests", ".git")]
    out += sorted({os.path.dirname(os.path.abspath(f)) for f in files})
    out += [os.path.abspath(a) for a in also]
    return [p for p in dict.fromkeys(out) if p not in ("/", "")]


def _item_entry(r: Result) -> dict:
    entry = {"name": r.item, "points": r.points, "max_points": r.max_points, "message": r.text(),
             "status": r.status}
    if r.bonus:
        entry["bonus"] = True
    return entry


def _zero_items(exercise: str, status: str, message: str) -> list[dict]:
    return [{"name": i.name, "points": 0, "max_points": i.points, "message": message, "status": status,
             **({"bonus": True} if i.bonus else {})} for i in EXERCISES[exercise]]


def _short_error(err: dict) -> str:
    where = err.get("where") or {}
    line = f" at line {where.get('line')}: `{where.get('source')}`" if where.get("source") else ""
    msg = (err.get("message") or "").strip().splitlines()
    return f"{err.get('type', 'Exception')}: {msg[0][:160] if msg else ''}{line}"


class _Runners:
    """One process per group of items that see the same package (``PackageViews.key``), started when first
    needed; at most one alive at a time, so a submission never holds more than one process."""

    def __init__(self, cells, views: PackageViews, make):
        self.cells, self.views, self.make = cells, views, make
        self.by_key: dict[str, ProcessRunner] = {}
        self.current: ProcessRunner | None = None
        self.lock = threading.Lock()
        self.closed = False

    def for_item(self, item) -> ProcessRunner:
        key = self.views.key(item.forbid, item.function)
        with self.lock:
            if self.closed:
                raise KeyboardInterrupt
            runner = self.by_key.get(key)
            if runner is None:
                runner = self.by_key[key] = self.make(self.views.view(item.forbid, item.function))
            if self.current is not None and self.current is not runner:
                self.current.close()
            self.current = runner
            return runner

    def kill(self) -> None:
        """Interrupted: stop every process now."""
        with self.lock:
            self.closed = True
            for runner in self.by_key.values():
                runner.kill()

    def close(self) -> None:
        """Done: let every process exit."""
        with self.lock:
            self.closed = True
            for runner in self.by_key.values():
                runner.close()

    def all(self):
        return list(self.by_key.values())


def _notes(runners: list[ProcessRunner]) -> list[str]:
    """What happened while the notebook ran, once per cell however many processes ran it."""
    notes: list[str] = []
    skipped: dict[int, str] = {}
    stopped: dict[int, str] = {}
    errors: dict[int, dict] = {}
    warned: dict[int, list] = {}
    for r in runners:
        skipped.update(r.skip)
        stopped.update(r.stopped)
        warned.update(r.cell_warnings)
        for index, err in r.cell_errors.items():
            if err.get("type") != "ReferenceCalled":  # a stub in this item's process, not the student's bug
                errors.setdefault(index, err)
    for index, why in sorted(skipped.items()):
        notes.append(f"code cell {index + 1} was skipped: {why}")
    budget = [i for i, why in stopped.items() if why == "budget"]
    for index in sorted(budget):
        notes.append(f"code cell {index + 1} was stopped when the notebook's time limit ran out; the cells after "
                     "it ran their definitions only (def, class, import)")
    for index, err in sorted(errors.items())[:5]:
        notes.append(f"code cell {index + 1} raised {_short_error(err)}")
    for index, found in sorted(warned.items())[:3]:
        notes.append(f"code cell {index + 1}: {found[0]}")
    output = max((r.output_bytes for r in runners), default=0)  # each process ran the same notebook
    if any(r.output_bytes > r.output_limit for r in runners):
        notes.append(f"the notebook printed {output / 1e6:.1f} MB; the grader kept the first "
                     f"{runners[0].output_limit // 1024} KB")
    return notes


def _explain_missing(result: Result, runner: ProcessRunner, function: str) -> None:
    """A function is missing because the cell defining it failed: say which cell and why (a cell that only
    *uses* the function, failing because it is missing, explains nothing)."""
    if "no function named" not in result.message:
        return
    defines = re.compile(rf"^\s*def\s+{re.escape(function)}\s*\(", re.M)
    cells = [i for i, source in enumerate(runner.cells) if defines.search(source)]
    reasons = [f"code cell {i + 1} was skipped ({runner.skip[i]})" for i in cells if i in runner.skip]
    reasons += [f"code cell {i + 1} raised {_short_error(runner.cell_errors[i])}" for i in cells
                if i in runner.cell_errors]
    if reasons:
        result.status = "error"
        result.details.append("; ".join(reasons[:3]))


def _stable(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "little")


def grade_submission(path, *, exercise: str | None = None, timeout: float = DEFAULTS["timeout"],
                     item_timeout: float = DEFAULTS["item_timeout"], memory_mb: int = DEFAULTS["memory_mb"],
                     seed: int = 0, python: str | None = None, views: PackageViews | None = None,
                     sandbox: bubblewrap.Availability | None = None, protect=(), _active=None) -> dict:
    """Grade one submission; never raises. Returns its entry of the report."""
    started = time.monotonic()
    sub = load_submission(path)
    entry: dict = {"path": str(path), "student": None, "exercise": None, "score": 0, "max_score": 0,
                   "graded": False, "items": [], "notes": []}
    if sub.link is not None:
        entry["notes"].append(f"this file is a symbolic link to {sub.link}")
    ex = exercise or detect_exercise(sub, EXERCISES)
    entry["student"] = student_of(sub, ex)
    if ex is None:
        entry["notes"].append("could not tell which exercise set this is (name the file after it, e.g. "
                              "01_forward_pass.ipynb, or pass --exercise)")
        entry["items"] = [{"name": "(unknown exercise)", "points": 0, "max_points": 0, "status": "error",
                           "message": sub.problem or "not graded: unknown exercise set"}]
        entry["seconds"] = round(time.monotonic() - started, 2)
        return entry
    entry["exercise"] = ex
    entry["max_score"] = max_score(ex)
    if sub.problem:
        entry["items"] = _zero_items(ex, "error", f"not graded: {sub.problem}")
        entry["notes"].append(sub.problem)
        entry["seconds"] = round(time.monotonic() - started, 2)
        return entry
    items = EXERCISES[ex]
    own_views = views is None
    views = views or PackageViews()
    cpu = int(timeout + sum(item.timeout or item_timeout for item in items) + 30)
    notebook = NotebookState()  # one time budget and one list of cells to skip, whichever process runs them

    def make(package_root):
        return ProcessRunner(sub.cells, memory_mb=memory_mb, timeout=timeout, cpu_seconds=cpu,
                             package_root=package_root, sandbox=sandbox, protect=protect, python=python,
                             notebook=notebook)

    runners = _Runners(sub.cells, views, make)
    if _active is not None:
        _active.add(runners)
    broken = None
    try:
        for item in items:
            runner = runners.for_item(item)
            if runner.broken is None and not runner.running and not runner.start():
                broken = runner.broken
            if runner.broken is not None:
                broken = broken or runner.broken
                entry["items"].append({"name": item.name, "points": 0, "max_points": item.points, "status": "error",
                                       "message": f"not graded: {runner.broken}",
                                       **({"bonus": True} if item.bonus else {})})
                continue
            runner.begin_item(item.timeout or item_timeout, item.reply_bytes)
            result = run_item(item, runner, np.random.default_rng([int(seed), _stable(item.name)]),
                              runner_for=_begun(runners, runner, item.timeout or item_timeout))
            _explain_missing(result, runner, item.function)
            entry["items"].append(_item_entry(result))
    finally:
        runners.close()
        if _active is not None:
            _active.discard(runners)
        if own_views:
            views.close()
    entry["graded"] = any(not i["message"].startswith("not graded:") for i in entry["items"])
    if broken is not None:
        entry["notes"].append(broken)
    entry["notes"] += _notes(runners.all())
    after = load_submission(path)
    if after.sha256 != sub.sha256:
        entry["notes"].append("the file changed while it was being graded (the grader never writes to it)")
    entry["score"] = round(sum(i["points"] for i in entry["items"]), 2)
    entry["seconds"] = round(time.monotonic() - started, 2)
    entry["cpu_seconds"] = round(sum(r.cpu_seconds_used for r in runners.all()), 2)  # its processes, as reported
    return entry


def _begun(runners: _Runners, current: ProcessRunner, seconds: float):
    """The runner of another item (one this item uses): this item's own, or another with a fresh time budget."""

    def runner_for(item):
        runner = runners.for_item(item)
        if runner is not current:
            runner.begin_item(seconds, item.reply_bytes)
        return runner

    return runner_for


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return round(usage.ru_utime + usage.ru_stime, 2)


def _peak_rss_mb() -> float:
    """The grader's own peak resident memory (this process, not the submissions').

    On Linux it is VmHWM, the high-water mark of this program's memory: ``ru_maxrss`` would not do, since
    the kernel carries it across ``exec`` and so reports the peak of whatever process started the grader
    (a test runner that has grown to 400 MB, say) if that was larger.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024, 1)


def grade(paths, *, exercise: str | None = None, jobs: int = DEFAULTS["jobs"], timeout: float = DEFAULTS["timeout"],
          item_timeout: float = DEFAULTS["item_timeout"], memory_mb: int = DEFAULTS["memory_mb"],
          seed: int | None = None, progress=None, python: str | None = None, sandbox: str = "auto",
          protect=()) -> dict:
    """Grade every submission under ``paths`` (in parallel); returns the report dict.

    ``sandbox``: ``auto`` (bubblewrap when it works here), ``bubblewrap``
    (refuse to run without it) or ``none``. ``protect``: more paths a
    submission may not read when there is no sandbox (the report's).
    """
    if exercise is not None and exercise not in EXERCISES:
        raise ValueError(f"exercise: expected one of {', '.join(EXERCISES)}, got {exercise!r}")
    status = sandbox_status(sandbox, python)
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2**63))
    files, passed_over = find_submissions(paths)
    protected = _protected(files, protect)
    started = time.monotonic()
    results: list = [None] * len(files)
    active: set = set()
    lock = threading.Lock()
    views = PackageViews()

    def one(index: int):
        try:
            entry = grade_submission(files[index], exercise=exercise, timeout=timeout, item_timeout=item_timeout,
                                     memory_mb=memory_mb, seed=seed, python=python, views=views,
                                     sandbox=status if status.ok else None, protect=protected, _active=active)
        except KeyboardInterrupt:
            return
        except Exception as exc:  # noqa: BLE001 - the grader must not lose a submission to its own bug
            entry = {"path": str(files[index]), "student": None, "exercise": exercise, "score": 0, "max_score": 0,
                     "graded": False, "items": [], "notes": [f"grader error: {type(exc).__name__}: {exc}"]}
        results[index] = entry
        if progress is not None:
            with lock:
                progress(entry)

    interrupted = False
    pool = ThreadPoolExecutor(max_workers=max(1, int(jobs)))
    try:
        futures = [pool.submit(one, i) for i in range(len(files))]
        for f in futures:
            f.result()
    except KeyboardInterrupt:
        interrupted = True
        pool.shutdown(wait=False, cancel_futures=True)
        for runners in list(active):
            runners.kill()
    finally:
        pool.shutdown(wait=not interrupted)
        views.close()
    for i, entry in enumerate(results):
        if entry is None:
            results[i] = {"path": str(files[i]), "student": None, "exercise": exercise, "score": 0, "max_score": 0,
                          "graded": False, "items": [], "notes": ["not graded: the grader was interrupted"]}
    return {
        "submissions": results,
        "grader": {
            "seed": seed,
            "timeout": timeout,
            "item_timeout": item_timeout,
            "memory_mb": memory_mb,
            "jobs": jobs,
            "sandbox": {"kind": "bubblewrap" if status.ok else "none", "description": status.description},
            "passed_over": [str(p) for p in passed_over],
            "seconds": round(time.monotonic() - started, 2),
            "peak_rss_mb": _peak_rss_mb(),
            "cpu_seconds": _own_cpu_seconds(),  # the grader's own (each submission's processes: in its entry)
            "interrupted": interrupted,
        },
    }
