"""Repository-wide pytest hooks: how long each notebook took under nbval.

nbval runs a notebook as one test item per cell in a single kernel; the
summary adds the cells' times (and the kernel start) per notebook so the
budgets in the issues (e.g. < 45 s per lesson) can be read off every run.
Times are reported, never asserted: performance belongs in benchmarks/.
"""

from __future__ import annotations

import time
from collections import defaultdict

_NOTEBOOK_SECONDS: dict[str, float] = defaultdict(float)
_FIRST_SEEN: dict[str, float] = {}
_LAST_SEEN: dict[str, float] = {}


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::", 1)[0]
    if not path.endswith(".ipynb"):
        return
    now = time.monotonic()
    _FIRST_SEEN.setdefault(path, now - report.duration)
    _LAST_SEEN[path] = now
    _NOTEBOOK_SECONDS[path] += report.duration


def pytest_terminal_summary(terminalreporter):
    if not _NOTEBOOK_SECONDS:
        return
    terminalreporter.section("notebook run times under nbval (wall, kernel start included)")
    for path in sorted(_NOTEBOOK_SECONDS):
        wall = _LAST_SEEN[path] - _FIRST_SEEN[path]
        terminalreporter.write_line(f"{wall:7.1f} s  {path}")
