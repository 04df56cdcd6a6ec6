"""What the grader hands back: the report in every form an instructor (or a platform) needs.

    write_json(report, "report.json")        # everything, machine-readable
    write_csv(report, "report.csv")          # one row per (submission, item), a TOTAL row per submission
    write_gradebook(report, "grades.csv")    # one row per student, one column per exercise set
    write_feedback(report, "feedback/")      # one HTML page per student, every item's message
    gradescope_results(entry)                # one submission as Gradescope's results.json
    print(format_table(report))              # the terminal's view

Every file is written atomically: to a fresh temporary file in the same
folder (``O_EXCL``, so nothing planted there can be written through), then
renamed over the target, so a reader never sees half a report.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import tempfile
from html import escape
from pathlib import Path

__all__ = ["write_json", "write_csv", "write_gradebook", "write_feedback", "gradescope_results",
           "write_gradescope_results", "format_table", "atomic_write", "gradebook_rows"]


def atomic_write(path, text: str) -> None:
    """Write ``text`` to ``path`` in one step (a new file renamed over it)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_json(report: dict, path) -> None:
    atomic_write(path, json.dumps(report, indent=2, ensure_ascii=False) + "\n")


def write_csv(report: dict, path) -> None:
    """One row per (submission, item), then a total row per submission."""
    buf = io.StringIO()
    w = csv.writer(buf)
    # "bonus" marks items whose points come on top of max_score (so a TOTAL can exceed it)
    w.writerow(["path", "student", "exercise", "item", "status", "points", "max_points", "message", "bonus"])
    for sub in report["submissions"]:
        for item in sub["items"]:
            w.writerow([sub["path"], sub.get("student") or "", sub.get("exercise") or "", item["name"],
                        item.get("status", ""), item["points"], item["max_points"], item["message"],
                        "yes" if item.get("bonus") else ""])
        w.writerow([sub["path"], sub.get("student") or "", sub.get("exercise") or "", "TOTAL", "", sub["score"],
                    sub["max_score"], " | ".join(sub.get("notes", [])), ""])
    atomic_write(path, buf.getvalue())


def _by_student(report: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for sub in report["submissions"]:
        out.setdefault(str(sub.get("student") or os.path.basename(sub["path"])), []).append(sub)
    return dict(sorted(out.items()))


def gradebook_rows(report: dict) -> tuple[list[str], list[list]]:
    """``(header, rows)``: one row per student, one column per exercise set (its best submission), a total."""
    sets = sorted({s["exercise"] for s in report["submissions"] if s.get("exercise")})
    maxima = {ex: next(s["max_score"] for s in report["submissions"] if s.get("exercise") == ex) for ex in sets}
    header = ["student", *(f"{ex} (/{maxima[ex]:g})" for ex in sets), "total", "max_total", "notes"]
    rows = []
    for student, subs in _by_student(report).items():
        row, notes, total = [student], [], 0.0
        for ex in sets:
            mine = [s for s in subs if s.get("exercise") == ex]
            if not mine:
                row.append("")
                continue
            best = max(mine, key=lambda s: s["score"])
            if len(mine) > 1:
                notes.append(f"{len(mine)} submissions for {ex}; the best counts ({os.path.basename(best['path'])})")
            row.append(f"{best['score']:g}")
            total += best["score"]
        unknown = [s for s in subs if not s.get("exercise")]
        notes += [f"{os.path.basename(s['path'])}: not graded (unknown exercise set)" for s in unknown]
        ungraded = [s for s in subs if s.get("exercise") and not s.get("graded")]
        notes += [f"{os.path.basename(s['path'])}: could not be run" for s in ungraded]
        row += [f"{total:g}", f"{sum(maxima[ex] for ex in sets if any(s.get('exercise') == ex for s in subs)):g}",
                "; ".join(notes)]
        rows.append(row)
    return header, rows


def write_gradebook(report: dict, path) -> None:
    """One row per student (see ``gradebook_rows``), ready for a spreadsheet or an LMS import."""
    header, rows = gradebook_rows(report)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    atomic_write(path, buf.getvalue())


_COLORS = {"correct": "#1a7f37", "incorrect": "#cf222e", "not attempted": "#57606a", "error": "#bc4c00",
           "skipped": "#57606a"}
_STYLE = """
body { font-family: system-ui, -apple-system, Segoe UI, sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; color: #1f2328; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { font-size: 1.25rem; margin-top: 2rem; }
.score { font-size: 1.1rem; color: #57606a; }
table { border-collapse: collapse; width: 100%; margin-top: 0.5rem; table-layout: fixed; }
th, td { text-align: left; vertical-align: top; padding: 0.45rem 0.6rem; border-bottom: 1px solid #d0d7de;
         overflow-wrap: anywhere; }
th { background: #f6f8fa; } td.points, th.points { white-space: nowrap; text-align: right; }
col.item { width: 24%; } col.points { width: 9%; } col.status { width: 13%; }
td.status { white-space: nowrap; font-weight: 600; } code { font-size: 0.95em; }
.notes { background: #fff8c5; border-left: 4px solid #d4a72c; padding: 0.5rem 0.8rem; margin-top: 0.8rem; }
"""


def _safe_name(student: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", student).strip("._") or "student"
    return name[:80]


def feedback_html(student: str, subs: list[dict]) -> str:
    """One student's page: every submission, every item's status, points and message (all escaped)."""
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Feedback for "
             f"{escape(student)}</title><style>{_STYLE}</style></head><body>",
             f"<h1>Feedback for {escape(student)}</h1>"]
    for sub in subs:
        title = sub.get("exercise") or os.path.basename(sub["path"])
        parts.append(f"<h2>{escape(title)}</h2><div class='score'>{sub['score']:g} / {sub['max_score']:g} points"
                     f" &middot; <code>{escape(os.path.basename(sub['path']))}</code></div>")
        rows = []
        for item in sub["items"]:
            color = _COLORS.get(item.get("status", ""), "#1f2328")
            bonus = " (bonus)" if item.get("bonus") else ""
            rows.append(f"<tr><td><code>{escape(item['name'])}</code>{bonus}</td>"
                        f"<td class='points'>{item['points']:g} / {item['max_points']:g}</td>"
                        f"<td class='status' style='color:{color}'>{escape(item.get('status', ''))}</td>"
                        f"<td>{escape(item['message'])}</td></tr>")
        parts.append("<table><colgroup><col class='item'><col class='points'><col class='status'><col></colgroup>"
                     "<thead><tr><th>item</th><th class='points'>points</th><th>status</th><th>feedback</th></tr>"
                     f"</thead><tbody>{''.join(rows)}</tbody></table>")
        if sub.get("notes"):
            notes = "".join(f"<li>{escape(n)}</li>" for n in sub["notes"])
            parts.append(f"<div class='notes'><b>About running your notebook</b><ul>{notes}</ul></div>")
    parts.append("</body></html>\n")
    return "".join(parts)


def write_feedback(report: dict, folder) -> list[Path]:
    """One HTML page per student in ``folder`` (``<student>.html``); returns the files written."""
    folder = Path(folder)
    written, used = [], set()
    for student, subs in _by_student(report).items():
        name = _safe_name(student)
        while name.lower() in used:  # two ids that differ only in characters a file name cannot hold
            name += "_"
        used.add(name.lower())
        path = folder / f"{name}.html"
        atomic_write(path, feedback_html(student, subs))
        written.append(path)
    return written


def gradescope_results(entry: dict, report: dict | None = None) -> dict:
    """One submission's entry as Gradescope's ``results.json`` (its autograder specification).

    One test per graded item, with its points, maximum, passed/failed and the
    message; the top-level output says how the notebook ran and whether it
    was sandboxed.
    """
    grader = (report or {}).get("grader", {})
    lines = [f"{entry.get('exercise') or 'unknown exercise set'}: {entry['score']:g} / {entry['max_score']:g} "
             "points"]
    lines += [f"- {n}" for n in entry.get("notes", [])]
    sandbox = grader.get("sandbox", {}).get("description")
    if sandbox:
        lines.append(f"(grader: {sandbox})")
    tests = []
    for number, item in enumerate(entry["items"], 1):
        tests.append({
            "name": item["name"] + (" (bonus)" if item.get("bonus") else ""),
            "number": str(number),
            "score": float(item["points"]),
            "max_score": float(item["max_points"]),
            "status": "passed" if item.get("status") == "correct" else "failed",
            "output": item["message"],
            "output_format": "text",
            "name_format": "text",
            "tags": [item.get("status", "")] + (["bonus"] if item.get("bonus") else []),
            "visibility": "visible",
        })
    return {
        "score": float(entry["score"]),
        "execution_time": int(round(entry.get("seconds", 0))),
        "output": "\n".join(lines),
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"exercise": entry.get("exercise"), "seed": grader.get("seed"),
                       "sandbox": grader.get("sandbox", {}).get("kind")},
    }


def write_gradescope_results(report: dict, path) -> None:
    """Gradescope's results.json for a report of one submission (what ``run_autograder`` writes)."""
    subs = report["submissions"]
    if len(subs) != 1:
        entry = {"path": "", "exercise": None, "score": 0, "max_score": 0, "items": [],
                 "notes": [f"expected one submission, found {len(subs)}: upload a single .ipynb (or .py) file"]}
    else:
        entry = subs[0]
    atomic_write(path, json.dumps(gradescope_results(entry, report), indent=2, ensure_ascii=False) + "\n")


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
    """The report as a plain-text table: submission, item, points, message; the sandbox said first."""
    width = width or shutil.get_terminal_size((120, 20)).columns
    g = report.get("grader", {})
    lines = []
    sandbox = g.get("sandbox") or {}
    if sandbox:
        mark = "sandbox" if sandbox.get("kind") == "bubblewrap" else "WARNING, no sandbox"
        lines += [f"{mark}: {sandbox.get('description', '')}", ""]
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
    for i, (a, b, c, d) in enumerate(rows):
        d = d if len(d) <= room else d[: room - 1] + "…"
        a = a if len(a) <= w0 else "…" + a[-(w0 - 1):]  # a path's end says more than its start
        lines.append(f"{a.ljust(w0)}  {b[:w1].ljust(w1)}  {c.rjust(w2)}  {d}".rstrip())
        if i == 0:
            lines.append("-" * min(width, w0 + w1 + w2 + 6 + room))
    lines.append("")
    lines.append(f"{len(report['submissions'])} submission(s) graded in {g.get('seconds', 0):g} s "
                 f"(seed {g.get('seed')}, limits: {g.get('timeout', 0):g} s per notebook, "
                 f"{g.get('item_timeout', 0):g} s per item, {g.get('memory_mb', 0)} MB)")
    passed = g.get("passed_over") or []
    if passed:
        shown = ", ".join(os.path.basename(p) for p in passed[:5]) + (", ..." if len(passed) > 5 else "")
        lines.append(f"{len(passed)} file(s) that are not .ipynb or .py were not graded: {shown}")
    return "\n".join(lines)
