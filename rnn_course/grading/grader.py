"""Grade many submissions: each in its own limited process, in parallel; a report that loses nothing.

    report = grade(["submissions/"], jobs=2)
    write_json(report, "report.json"); write_csv(report, "report.csv"); print(format_table(report))

For every submission (``.ipynb`` or a py:percent ``.py``) the grader reads
the file once (it never writes to it), finds which exercise set it is,
runs its code cells in a ``sandbox.ProcessRunner`` and scores every item of
the set with the same checks students run in their notebooks, driven from
this process: the reference implementations, the random inputs and the
comparisons never enter the submission's process.

Whatever a submission does (invalid JSON, an exception, an infinite loop,
``os._exit``, megabytes of output, a memory bomb), it still appears in the
report, every item of its set with points, a maximum and a message, and
the report is always written. The report format::

    {"submissions": [{"path": ..., "score": ..., "max_score": ..., "items":
        [{"name": ..., "points": ..., "max_points": ..., "message": ..., "status": ...}, ...]}, ...]}
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .catalog import EXERCISES, max_score, run_item
from .isolation.sandbox import ProcessRunner
from .result import Result

__all__ = ["Submission", "load_submission", "detect_exercise", "find_submissions", "grade_submission", "grade",
           "write_json", "write_csv", "format_table", "DEFAULTS"]

DEFAULTS = {"timeout": 60.0, "item_timeout": 20.0, "memory_mb": 1024, "jobs": 2}

_KEYWORDS = {
    "forward_pass": "01_forward_pass",
    "bptt": "02_bptt",
    "gradients": "03_gradients",
    "gates": "04_gates",
    "language_model": "05_language_model",
}


@dataclass
class Submission:
    path: Path
    cells: list = field(default_factory=list)
    text: str = ""
    problem: str | None = None  # why its code cannot be run (not JSON, not a notebook, unreadable)
    sha256: str = ""


def load_submission(path) -> Submission:
    """Read a submission's code cells; never raises (a problem is recorded instead)."""
    path = Path(path)
    sub = Submission(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        sub.problem = f"could not read the file ({err.strerror or err})"
        return sub
    sub.sha256 = hashlib.sha256(data).hexdigest()
    text = data.decode("utf-8", errors="replace")
    sub.text = text
    if path.suffix == ".ipynb":
        try:
            nb = json.loads(text)
        except (ValueError, RecursionError) as err:
            sub.problem = f"the notebook is not valid JSON ({str(err)[:120]}); was it saved completely?"
            return sub
        cells = nb.get("cells") if isinstance(nb, dict) else None
        if not isinstance(cells, list):
            sub.problem = "the file is JSON but not a Jupyter notebook (no list of cells)"
            return sub
        for cell in cells:
            if isinstance(cell, dict) and cell.get("cell_type") == "code":
                source = cell.get("source", "")
                sub.cells.append("".join(source) if isinstance(source, list) else str(source))
        return sub
    sub.cells = _percent_cells(text)
    return sub


def _percent_cells(text: str) -> list[str]:
    """Code cells of a py:percent file (markdown cells dropped); a plain script is one cell."""
    if not re.search(r"^# %%", text, flags=re.M):
        return [text]
    cells, current, is_code = [], [], True
    for line in text.splitlines():
        if line.startswith("# %%"):
            if is_code and current:
                cells.append("\n".join(current))
            current = []
            is_code = "[markdown]" not in line and "[md]" not in line and "[raw]" not in line
            continue
        current.append(line)
    if is_code and current:
        cells.append("\n".join(current))
    return cells


def detect_exercise(sub: Submission) -> str | None:
    """Which set a submission belongs to: from its file name, else from the functions it defines."""
    name = sub.path.name.lower()
    for exercise in EXERCISES:
        if exercise in name:
            return exercise
    for key, exercise in _KEYWORDS.items():
        if key in name and exercise in EXERCISES:
            return exercise
    defined = set(re.findall(r"def\s+([A-Za-z_]\w*)\s*\(", sub.text))
    scores = {ex: len(defined & {i.function for i in items}) for ex, items in EXERCISES.items()}
    best = max(scores.values(), default=0)
    winners = [ex for ex, s in scores.items() if s == best]
    return winners[0] if best > 0 and len(winners) == 1 else None


def find_submissions(paths) -> list[Path]:
    """Files to grade: the files given, and every .ipynb / .py inside the folders given."""
    found: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.suffix in (".ipynb", ".py") and f.is_file() and not any(
                        part.startswith(".") or part == "__pycache__" for part in f.relative_to(p).parts):
                    found.append(f)
        else:
            found.append(p)
    seen, unique = set(), []
    for f in found:
        key = str(f.resolve()) if f.exists() else str(f)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


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


def grade_submission(path, *, exercise: str | None = None, timeout: float = DEFAULTS["timeout"],
                     item_timeout: float = DEFAULTS["item_timeout"], memory_mb: int = DEFAULTS["memory_mb"],
                     seed: int = 0, python: str | None = None, _active=None) -> dict:
    """Grade one submission; never raises. Returns its entry of the report."""
    started = time.monotonic()
    sub = load_submission(path)
    entry: dict = {"path": str(path), "exercise": None, "score": 0, "max_score": 0, "graded": False, "items": [],
                   "notes": []}
    ex = exercise or detect_exercise(sub)
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
    forbid = sorted({spec for item in items for spec in item.forbid})
    cpu = int(timeout + sum(item.timeout or item_timeout for item in items) + 30)
    runner = ProcessRunner(sub.cells, memory_mb=memory_mb, timeout=timeout, cpu_seconds=cpu, disable=forbid,
                           graded_names=[i.function for i in items], python=python)
    if _active is not None:
        _active.add(runner)
    try:
        if not runner.start():
            entry["items"] = _zero_items(ex, "error", f"not graded: {runner.broken}")
            entry["notes"].append(runner.broken)
        else:
            entry["graded"] = True
            rng_seed = int(seed)
            for item in items:
                runner.begin_item(item.timeout or item_timeout)
                result = run_item(item, runner, np.random.default_rng([rng_seed, _stable(item.name)]))
                _explain_missing(result, runner)
                entry["items"].append(_item_entry(result))
    finally:
        runner.kill()
        if _active is not None:
            _active.discard(runner)
    for index, why in sorted(runner.skip.items()):
        entry["notes"].append(f"code cell {index + 1} was skipped: {why}")
    for index, err in sorted(runner.cell_errors.items())[:5]:
        entry["notes"].append(f"code cell {index + 1} raised {_short_error(err)}")
    if runner.output_bytes > runner.output_limit:
        entry["notes"].append(f"the notebook printed {runner.output_bytes / 1e6:.1f} MB; the grader kept the first "
                              f"{runner.output_limit // 1024} KB")
    after = load_submission(path)
    if after.sha256 != sub.sha256:
        entry["notes"].append("the file changed while it was being graded (the grader never writes to it)")
    entry["score"] = round(sum(i["points"] for i in entry["items"]), 2)
    entry["seconds"] = round(time.monotonic() - started, 2)
    return entry


def _stable(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "little")


def _explain_missing(result: Result, runner: ProcessRunner) -> None:
    """A function is missing because the cell defining it failed: say which cell and why."""
    if "no function named" not in result.message:
        return
    reasons = [f"code cell {i + 1} was skipped ({why})" for i, why in sorted(runner.skip.items())]
    reasons += [f"code cell {i + 1} raised {_short_error(e)}" for i, e in sorted(runner.cell_errors.items())]
    if reasons:
        result.status = "error"
        result.details.append("; ".join(reasons[:3]))


def grade(paths, *, exercise: str | None = None, jobs: int = DEFAULTS["jobs"], timeout: float = DEFAULTS["timeout"],
          item_timeout: float = DEFAULTS["item_timeout"], memory_mb: int = DEFAULTS["memory_mb"],
          seed: int | None = None, progress=None, python: str | None = None) -> dict:
    """Grade every submission under ``paths`` (in parallel); returns the report dict."""
    if exercise is not None and exercise not in EXERCISES:
        raise ValueError(f"exercise: expected one of {', '.join(EXERCISES)}, got {exercise!r}")
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2**63))
    files = find_submissions(paths)
    started = time.monotonic()
    results: list = [None] * len(files)
    active: set = set()
    lock = threading.Lock()

    def one(index: int):
        try:
            entry = grade_submission(files[index], exercise=exercise, timeout=timeout, item_timeout=item_timeout,
                                     memory_mb=memory_mb, seed=seed, python=python, _active=active)
        except Exception as exc:  # noqa: BLE001 - the grader must not lose a submission to its own bug
            entry = {"path": str(files[index]), "exercise": exercise, "score": 0, "max_score": 0, "graded": False,
                     "items": [], "notes": [f"grader error: {type(exc).__name__}: {exc}"]}
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
        for runner in list(active):
            runner.kill()
    finally:
        pool.shutdown(wait=not interrupted)
    for i, entry in enumerate(results):
        if entry is None:
            results[i] = {"path": str(files[i]), "exercise": exercise, "score": 0, "max_score": 0, "graded": False,
                          "items": [], "notes": ["not graded: the grader was interrupted"]}
    return {
        "submissions": results,
        "grader": {
            "seed": seed,
            "timeout": timeout,
            "item_timeout": item_timeout,
            "memory_mb": memory_mb,
            "jobs": jobs,
            "seconds": round(time.monotonic() - started, 2),
            "interrupted": interrupted,
        },
    }


def _atomic_write(path, text: str) -> None:
    path = Path(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_json(report: dict, path) -> None:
    _atomic_write(path, json.dumps(report, indent=2, ensure_ascii=False) + "\n")


def write_csv(report: dict, path) -> None:
    """One row per (submission, item), then a total row per submission."""
    buf = io.StringIO()
    w = csv.writer(buf)
    # "bonus" marks items whose points come on top of max_score (so a TOTAL can exceed it)
    w.writerow(["path", "exercise", "item", "status", "points", "max_points", "message", "bonus"])
    for sub in report["submissions"]:
        for item in sub["items"]:
            w.writerow([sub["path"], sub.get("exercise") or "", item["name"], item.get("status", ""),
                        item["points"], item["max_points"], item["message"], "yes" if item.get("bonus") else ""])
        w.writerow([sub["path"], sub.get("exercise") or "", "TOTAL", "", sub["score"], sub["max_score"],
                    " | ".join(sub.get("notes", [])), ""])
    _atomic_write(path, buf.getvalue())


def _display_paths(paths) -> dict:
    """Short names for the table: each path relative to the folder all submissions share."""
    paths = list(paths)
    try:
        common = os.path.commonpath([os.path.abspath(p) for p in paths]) if len(paths) > 1 else None
    except ValueError:
        common = None
    if common and not os.path.isdir(common):
        common = os.path.dirname(common)
    out = {}
    for p in paths:
        out[p] = os.path.relpath(os.path.abspath(p), common) if common else os.path.basename(p)
    return out


def format_table(report: dict, width: int | None = None) -> str:
    """The report as a plain-text table: submission, item, points, message."""
    width = width or shutil.get_terminal_size((120, 20)).columns
    rows = [("submission", "item", "points", "message")]
    names = _display_paths([s["path"] for s in report["submissions"]])
    for sub in report["submissions"]:
        name = names[sub["path"]]
        for item in sub["items"]:
            label = item["name"] + (" (bonus)" if item.get("bonus") else "")
            rows.append((name, label, f"{item['points']:g}/{item['max_points']:g}", item["message"]))
        rows.append((name, "TOTAL", f"{sub['score']:g}/{sub['max_score']:g}", "; ".join(sub.get("notes", []))))
    w0 = min(max(len(r[0]) for r in rows), 40)
    w1 = min(max(len(r[1]) for r in rows), 28)
    w2 = max(len(r[2]) for r in rows)
    room = max(width - w0 - w1 - w2 - 6, 20)
    lines = []
    for i, (a, b, c, d) in enumerate(rows):
        d = d if len(d) <= room else d[: room - 1] + "…"
        a = a if len(a) <= w0 else "…" + a[-(w0 - 1):]  # a path's end says more than its start
        lines.append(f"{a.ljust(w0)}  {b[:w1].ljust(w1)}  {c.rjust(w2)}  {d}".rstrip())
        if i == 0:
            lines.append("-" * min(width, w0 + w1 + w2 + 6 + room))
    g = report.get("grader", {})
    lines.append("")
    lines.append(f"{len(report['submissions'])} submission(s) graded in {g.get('seconds', 0):g} s "
                 f"(seed {g.get('seed')}, limits: {g.get('timeout', 0):g} s per notebook, "
                 f"{g.get('item_timeout', 0):g} s per item, {g.get('memory_mb', 0)} MB)")
    return "\n".join(lines)
