"""One notation everywhere: the lessons, the lecture demos, the exercises and solutions, and the package.

The convention (DESIGN.md, and lesson 00's table): W_x, W_h, b (Wx, Wh, b in code); h_t with
t = 1..T and h_0 given; losses L_t and L; J_t = dh_t/dh_{t-1} = diag(f'(a_t)) W_h^T; r, z, n
for the GRU with h_t = (1 - z) n + z h_{t-1}; tau for the sampling temperature (T is always a
length). Lesson 00 maps other sources' symbols onto these inside its mapping tables, between
the markers ``<!-- other notations: begin`` and ``<!-- other notations: end -->``; that text is
the only place where the stand-ins may appear.

Each rule below is a pattern for a stand-in that has crept into lessons before, with the symbol
to use instead. ``ALLOWED`` lists the known violations in files other people were fixing when
this test was written; the lead empties it. An entry that no longer matches anything fails the
test too, so the list cannot go stale.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

MAP_BEGIN, MAP_END = "<!-- other notations: begin", "<!-- other notations: end -->"

#: name -> (pattern, what to write instead)
RULES = {
    "weight stand-in": (r"W_\{?(?:hh|xh|hx|hy|yh|hq|rec|in)\}?(?![A-Za-z])|\b(?:Whh|Wxh|Wrec)\b",
                        "W_h, W_x, W_y (Wh, Wx, Wy in code)"),
    "loss E": (r"(?<![A-Za-z\\])E_(?:\{[^}]*\}|[tTk0-9])|\\partial E\b|\bdE[/_]|(?<![A-Za-z])E = \\?sum",
               "L_t for the loss at step t, L for the total"),
    "hidden state s_t": (r"(?<![A-Za-z\\])s_\{?(?:t|-1)", "h_t (and h_0 for the initial state)"),
    "time from 0": (r"h_\{-1\}", "t = 1..T with h_0 given"),
    "temperature T": (r"temperature\s*\$?T\b|temperature\s*=\s*T\b|/\s*T\s*\)|(?<![A-Za-z_])T\s*=\s*\d*\.\d",
                      "tau for the temperature (T is a length)"),
    "one-unit state x": (r"x_\{?t\}?\s*=\s*w\s*\\?,?\s*\\?sigma", "h_t = w sigma(h_{t-1}) + b"),
    "GRU update reversed": (r"\\?Gamma_u|(?<![\w-])z(?:_t)?\s*(?:\\odot|\*)\s*(?:n\b|n_t|\\tilde)"
                            r"|\(1\s*-\s*z(?:_t)?\)\s*(?:\\odot|\*)\s*h_\{?(?:t-1|prev)",
                            "h_t = (1 - z) n + z h_{t-1}: z keeps the old state"),
    "Jacobian transposed": (r"W_h\s*(?:\\,)?\s*\\operatorname\{diag\}|\bWh diag\(",
                            "J_t = diag(f'(a_t)) W_h^T, multiplied as J_T ... J_{k+1}"),
}

#: (path, rule) -> why the pattern is right there, for good.
EXEMPT = {
    ("rnn_course/grading/checks/gates.py", "GRU update reversed"):
        "the check computes the swapped update on purpose, to recognise a student who swapped z and 1 - z",
}

#: (path, rule) -> known violations in files that others were rewriting when this test was written
#: (2026-12-04: lessons 04-07 under issue 12, the lecture demos under issue 16, the grader under
#: issue 17). The lead removes each entry once its file is fixed, until the list is empty.
ALLOWED: dict = {}


def _sources() -> list[Path]:
    files = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py")) + [ROOT / "notebooks" / "lecture_demos.py"]
    files += sorted((ROOT / "solutions").glob("*.py")) + sorted((ROOT / "exercises").glob("*.py"))
    files += sorted(p for p in (ROOT / "rnn_course").rglob("*.py"))
    return files


def _text_without_mapping(path: Path) -> str:
    """The file, with lesson 00's mapping tables blanked out (line numbers kept)."""
    text = path.read_text(encoding="utf-8")
    if path.name != "00_welcome.py":
        return text
    out, inside = [], False
    for line in text.splitlines():
        if MAP_BEGIN in line:
            inside = True
        out.append("" if inside else line)
        if MAP_END in line:
            inside = False
    assert not inside, f"{path.name}: {MAP_BEGIN!r} without {MAP_END!r}"
    return "\n".join(out)


def _violations() -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = {}
    for path in _sources():
        rel = path.relative_to(ROOT).as_posix()
        for number, line in enumerate(_text_without_mapping(path).splitlines(), start=1):
            for rule, (pattern, _) in RULES.items():
                if re.search(pattern, line):
                    found.setdefault((rel, rule), []).append(f"{rel}:{number}: {line.strip()}")
    return found


@pytest.fixture(scope="module")
def violations():
    return _violations()


def test_the_scan_covers_the_lessons_exercises_and_package():
    names = {p.relative_to(ROOT).as_posix() for p in _sources()}
    assert "notebooks/00_welcome.py" in names and "notebooks/03_vanishing_and_exploding_gradients.py" in names
    assert any(n.startswith("solutions/") for n in names) and any(n.startswith("exercises/") for n in names)
    assert "rnn_course/jacobians.py" in names


def test_lessons_exercises_and_package_use_the_course_symbols(violations):
    new = {key: lines for key, lines in violations.items() if key not in ALLOWED and key not in EXEMPT}
    report = [f"{rule} (write {RULES[rule][1]}):\n    " + "\n    ".join(lines) for (_, rule), lines in new.items()]
    assert not new, "stand-ins for the course's symbols:\n" + "\n".join(report)


def test_the_allow_list_only_lists_what_is_still_there(violations):
    stale = [key for key in {**ALLOWED, **EXEMPT} if key not in violations]
    assert not stale, f"fixed, remove from ALLOWED (or EXEMPT): {stale}"


def test_lesson_00_maps_the_sources_it_must_map():
    text = (ROOT / "notebooks" / "00_welcome.py").read_text(encoding="utf-8")
    mapping = "\n".join(part.split(MAP_END)[0] for part in text.split(MAP_BEGIN)[1:])
    for needle in ("s_{-1} = 0", "s_t", "o_t", "E_t", r"W \cdot [h_{t-1}, x_t]", r"\Gamma_u", r"\Gamma_r",
                   r"(1 - \Gamma_u)", "immediate", r"\partial^+", "W_{xh}", "W_{hh}"):
        assert needle in mapping, needle
    outside = _text_without_mapping(ROOT / "notebooks" / "00_welcome.py")
    assert "h_t = (1 - z) \\odot n + z \\odot h_{t-1}" in outside  # the course's own GRU update, stated


@pytest.mark.parametrize("rule, bad, good", [
    ("weight stand-in", r"$h_{t-1} W_{hh}$", r"$h_{t-1} W_h$"),
    ("weight stand-in", "Eigenvalues of W_hh", "Eigenvalues of W_h"),
    ("loss E", r"$\partial E / \partial W_h$", r"$\partial L / \partial W_h$"),
    ("loss E", "the loss E_t at step t", "the loss L_t at step t"),
    ("hidden state s_t", r"$s_t = \tanh(U x_t + W s_{t-1})$", r"$h_t = \tanh(x_t W_x + h_{t-1} W_h + b)$"),
    ("temperature T", r"sampling from $\mathrm{softmax}(s_t / T)$ with a temperature $T$", r"temperature $\tau$"),
    ("temperature T", "T = 0.5", "T = 50"),
    ("one-unit state x", r"$x_t = w\,\sigma(x_{t-1}) + b$", r"$h_t = w\,\sigma(h_{t-1}) + b$"),
    ("GRU update reversed", r"h_t = z_t \odot \tilde h_t + (1 - z_t) \odot h_{t-1}",
     r"h_t = (1 - z) \odot n + z \odot h_{t-1}"),
    ("Jacobian transposed", r"J_t = W_h\,\operatorname{diag}(f'(a_t))",
     r"J_t = \operatorname{diag}(f'(a_t))\, W_h^\top"),
])
def test_each_rule_catches_its_stand_in_and_passes_the_course_symbol(rule, bad, good):
    pattern = RULES[rule][0]
    assert re.search(pattern, bad), bad
    assert not re.search(pattern, good), good
