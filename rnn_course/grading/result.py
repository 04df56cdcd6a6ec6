"""The outcome of checking one graded item, and of a whole exercise set, as a student sees it.

Four outcomes, kept distinct (as Kaggle's learntools does):

* ``correct``: full points;
* ``incorrect``: a diagnosis, possibly with partial points (e.g. 3 of 5
  gradients right);
* ``not attempted``: the stub is still there (it raises NotImplementedError);
* ``error``: the code raised an exception (type, message and the line).

A ``Result`` shows as a coloured box in a notebook and as plain text
elsewhere; the grader writes its fields into the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

__all__ = ["Result", "SetResult", "STATUSES"]

STATUSES = ("correct", "incorrect", "not attempted", "error", "skipped")

_COLORS = {
    "correct": ("#1a7f37", "#e9f7ec"),
    "incorrect": ("#cf222e", "#fdecec"),
    "not attempted": ("#57606a", "#f3f4f6"),
    "error": ("#bc4c00", "#fff4e5"),
    "skipped": ("#57606a", "#f3f4f6"),
}
_ICONS = {"correct": "✔", "incorrect": "✘", "not attempted": "…", "error": "⚠", "skipped": "–"}


def _fmt_points(p: float) -> str:
    return f"{p:g}"


@dataclass
class Result:
    """One graded item, checked once."""

    item: str
    status: str
    points: float
    max_points: float
    message: str
    details: list = field(default_factory=list)
    hints: int = 0
    bonus: bool = False

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    @property
    def attempted(self) -> bool:
        return self.status not in ("not attempted", "skipped")

    def text(self) -> str:
        """The message with its details, on one line (the grader's report uses this)."""
        if not self.details:
            return self.message
        return self.message + " " + " ".join(d if d.endswith(".") else d + "." for d in self.details)

    def headline(self) -> str:
        bonus = " (bonus)" if self.bonus else ""
        return (f"{self.item}{bonus}: {self.status} "
                f"({_fmt_points(self.points)}/{_fmt_points(self.max_points)} points)")

    def __str__(self) -> str:
        lines = [f"{_ICONS.get(self.status, '')} {self.headline()}", f"  {self.message}"]
        lines += [f"  - {d}" for d in self.details]
        if self.hints and self.status in ("incorrect", "error"):
            lines.append(f"  Stuck? hint({self.item!r}) shows hint 1 of {self.hints}.")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        fg, bg = _COLORS.get(self.status, ("#000", "#fff"))
        details = "".join(f"<li>{escape(d)}</li>" for d in self.details)
        hint = ""
        if self.hints and self.status in ("incorrect", "error"):
            hint = (f"<div style='margin-top:4px;color:#57606a'>Stuck? <code>hint({escape(repr(self.item))})</code> "
                    f"shows hint 1 of {self.hints}.</div>")
        return (
            f"<div style='border-left:6px solid {fg};background:{bg};padding:6px 10px;margin:4px 0'>"
            f"<b style='color:{fg}'>{escape(_ICONS.get(self.status, ''))} {escape(self.headline())}</b>"
            f"<div>{escape(self.message)}</div>"
            + (f"<ul style='margin:4px 0'>{details}</ul>" if details else "")
            + hint
            + "</div>"
        )


@dataclass
class SetResult:
    """Every item of one exercise set: what ``check_all`` returns."""

    exercise: str
    results: list

    @property
    def score(self) -> float:
        return round(sum(r.points for r in self.results), 2)

    @property
    def max_score(self) -> float:
        return round(sum(r.max_points for r in self.results if not r.bonus), 2)

    @property
    def bonus_points(self) -> float:
        return round(sum(r.points for r in self.results if r.bonus), 2)

    def _headline(self) -> str:
        """"04_gates: 11.6 / 10 points (including 1.6 bonus)": the bonus is why a score can pass the maximum."""
        bonus = f" (including {_fmt_points(self.bonus_points)} bonus)" if self.bonus_points else ""
        return f"{self.exercise}: {_fmt_points(self.score)} / {_fmt_points(self.max_score)} points{bonus}"

    @property
    def full_marks(self) -> bool:
        return all(r.correct for r in self.results)

    @property
    def skipped(self) -> bool:
        return any(r.status == "skipped" for r in self.results)

    def __getitem__(self, item: str) -> Result:
        for r in self.results:
            if r.item == item:
                return r
        raise KeyError(item)

    def __str__(self) -> str:
        width = max((len(r.item) for r in self.results), default=4)
        lines = [self._headline()]
        for r in self.results:
            pts = f"{_fmt_points(r.points)}/{_fmt_points(r.max_points)}"
            bonus = " (bonus)" if r.bonus else ""
            lines.append(f"  {_ICONS.get(r.status, '')} {r.item.ljust(width)}  {pts:>7}  {r.status}{bonus}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        rows = []
        for r in self.results:
            fg, _ = _COLORS.get(r.status, ("#000", "#fff"))
            bonus = " (bonus)" if r.bonus else ""
            rows.append(
                f"<tr><td><code>{escape(r.item)}</code>{bonus}</td>"
                f"<td style='text-align:right'>{_fmt_points(r.points)} / {_fmt_points(r.max_points)}</td>"
                f"<td style='color:{fg};font-weight:bold'>{escape(_ICONS.get(r.status, ''))} {escape(r.status)}</td>"
                f"<td>{escape(r.message)}</td></tr>"
            )
        return (
            f"<div><b>{escape(self._headline())}</b>"
            "<table><thead><tr><th>item</th><th>points</th><th>status</th><th>feedback</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )
