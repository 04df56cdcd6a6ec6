"""The package's import structure: no circles, and no import that runs up the floors.

Imports are read from the source with ``ast`` (every ``import`` and ``from``
statement, including those inside functions, which are imports all the same).
The floors, lowest first: the teaching core (cells, activations, layers,
losses, gradcheck, optim, init, ...), then models/tasks/train, then plots,
then demos; grading and tools sit on top. Inside grading, ``checks/`` and
``isolation/`` never import the catalog, the feedback or the grader, and
isolation never imports checks.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "rnn_course"


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports() -> dict[str, set[str]]:
    """module -> the rnn_course modules it imports (resolved to modules that exist)."""
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        is_pkg = path.name == "__init__.py"
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                bases = [a.name for a in node.names]
                found = []
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    pkg = name.split(".") if is_pkg else name.split(".")[:-1]
                    pkg = pkg[: len(pkg) - (node.level - 1)]
                    base = ".".join(pkg + ([node.module] if node.module else []))
                else:
                    base = node.module or ""
                bases = [base]
                found = [f"{base}.{a.name}" for a in node.names]
            else:
                continue
            modules = [c for c in found if c in files]
            if modules:  # 'from package import submodule': the submodules are what is used
                targets.update(m for m in modules if m != name)
            for base in bases:
                if not modules and base in files and base != name:
                    targets.add(base)
        graph[name] = targets
    return graph


GRAPH = _imports()


def _cycles(graph):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def _without_package_inits(graph):
    """Drop edges into package __init__ modules that only re-export (a package importing its own
    submodules is not a circle of ideas); keep everything else."""
    return {m: {t for t in ts if not (t in graph and t + "." in "".join(k + "." for k in graph if k != t)
                                      and m.startswith(t + "."))}
            for m, ts in graph.items()}


def test_the_import_reader_sees_the_known_edges():
    assert "rnn_course.cells.rnn" in GRAPH["rnn_course.cells"]
    assert "rnn_course.activations" in GRAPH["rnn_course.cells.rnn"]
    assert "rnn_course.plots.style" in GRAPH["rnn_course.plots.gradcheck"]
    assert "rnn_course.grading.checks.framework" in GRAPH["rnn_course.grading.catalog"]


def test_a_circle_would_be_found():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_circles():
    assert _cycles(_without_package_inits(GRAPH)) == []


FLOORS = {
    # a module on a floor may import modules on its floor or below, never above
    "rnn_course.plots": 3,
    "rnn_course.demos": 4,
    "rnn_course.grading": 5,
    "rnn_course.tools": 6,
    "rnn_course.cli": 6,
    "rnn_course.__main__": 6,
}


def _floor(module: str) -> int:
    for prefix, floor in FLOORS.items():
        if module == prefix or module.startswith(prefix + "."):
            return floor
    return 0  # the teaching core, models, tasks, training: below plotting


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if m != "rnn_course"))
def test_no_import_runs_up_the_floors(module):
    upward = sorted(t for t in GRAPH[module] if t != "rnn_course" and _floor(t) > _floor(module))
    assert not upward, f"{module} (floor {_floor(module)}) imports {upward} from a higher floor"


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if m.startswith("rnn_course.grading.checks")
                                          or m.startswith("rnn_course.grading.isolation")))
def test_checks_and_isolation_stay_below_the_catalog(module):
    above = {"rnn_course.grading", "rnn_course.grading.catalog", "rnn_course.grading.feedback",
             "rnn_course.grading.grader"}
    assert not (GRAPH[module] & above), f"{module} imports {sorted(GRAPH[module] & above)}"
    if module.startswith("rnn_course.grading.isolation"):
        checks = sorted(t for t in GRAPH[module] if t.startswith("rnn_course.grading.checks"))
        assert not checks, f"{module} imports the checks {checks}"


def test_no_private_module_is_imported_from_outside_its_package():
    """``a.b._m`` may be imported by ``a.b`` and what is inside it, by nothing else."""
    offenders = []
    for module, targets in GRAPH.items():
        for t in targets:
            if "." not in t:
                continue
            home, last = t.rsplit(".", 1)
            private = last.startswith("_") and not last.startswith("__")
            if private and module != home and not module.startswith(home + "."):
                offenders.append(f"{module} -> {t}")
    assert not offenders, offenders
