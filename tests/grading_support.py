"""Helpers shared by the grading tests: load a notebook's functions, define a buggy variant from source."""

from __future__ import annotations

import contextlib
import io
import linecache
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXERCISE_SETS = ("01_forward_pass", "02_bptt", "03_gradients", "04_gates", "05_language_model", "06_attention")


@contextlib.contextmanager
def grading_env(value: str | None):
    old = os.environ.get("RNN_COURSE_GRADING")
    if value is None:
        os.environ.pop("RNN_COURSE_GRADING", None)
    else:
        os.environ["RNN_COURSE_GRADING"] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("RNN_COURSE_GRADING", None)
        else:
            os.environ["RNN_COURSE_GRADING"] = old


def load_notebook(path: Path) -> dict:
    """Run a py:percent notebook's code cells in a fresh namespace (its checks skipped) and return it."""
    from rnn_course.grading.submissions import percent_cells

    namespace: dict = {"__name__": "__main__", "display": lambda *a, **k: None}
    text = path.read_text(encoding="utf-8")
    with grading_env("1"), contextlib.redirect_stdout(io.StringIO()):
        for index, cell in enumerate(percent_cells(text)):
            exec(compile(cell, f"{path.name}:cell{index}", "exec"), namespace)  # noqa: S102
    return namespace


_counter = [0]


def define(source: str, namespace: dict, name: str):
    """Exec ``source`` in a copy of ``namespace`` (its lines registered so tracebacks show them); return ``name``."""
    _counter[0] += 1
    filename = f"<bug {_counter[0]}>"
    lines = [line + "\n" for line in source.splitlines()]
    linecache.cache[filename] = (len(source), None, lines, filename)
    scope = dict(namespace)
    exec(compile(source, filename, "exec"), scope)  # noqa: S102
    return scope[name]


_namespaces: dict = {}


def namespace(kind: str, exercise: str) -> dict:
    """The functions of ``kind``/``exercise`` (solutions or exercises), loaded once per test session."""
    key = (kind, exercise)
    if key not in _namespaces:
        _namespaces[key] = load_notebook(ROOT / kind / f"{exercise}.py")
    return _namespaces[key]


def bug_namespace(exercise: str) -> dict:
    """The solution notebook's namespace, plus its correct functions under names a wrong variant can build on."""
    ns = dict(namespace("solutions", exercise))
    ns["REF"] = ns.get("softmax_cross_entropy")
    ns["FULL"] = ns.get("rnn_backward")
    return ns


def check_source(name: str, source: str):
    """``check(name, ...)`` on the function ``source`` defines, built on the solution's namespace."""
    from rnn_course.grading import ITEMS, check

    item = ITEMS[name]
    ns = bug_namespace(item.exercise)
    ns["SOLUTION"] = ns.get(item.function)
    return check(name, define(source, ns, item.function))


# ---------------------------------------------------------------------------------------------
# test submissions: one template (the solution notebook), each bad submission a few changes to it


def _graded_defs(tree) -> dict:
    import ast

    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def submission_text(exercise: str, *, replace: dict | None = None, before=(), after=()) -> str:
    """The solution notebook of ``exercise`` (py:percent) with some functions replaced and some cells added.

    ``replace`` maps a function's name to its new source (``None`` deletes it); ``before`` cells go just before
    the first function definition (after the imports), ``after`` cells at the end. What a submission shares
    with the others (every function it does not attack) is the solution itself, written once.
    """
    import ast
    import textwrap

    text = (ROOT / "solutions" / f"{exercise}.py").read_text(encoding="utf-8")
    lines = text.splitlines()
    defs = _graded_defs(ast.parse(text))
    for name, source in sorted((replace or {}).items(), key=lambda kv: -defs[kv[0]].lineno):
        node = defs[name]
        new = [] if source is None else textwrap.dedent(source).strip("\n").splitlines()
        end = node.end_lineno
        while end < len(lines) and lines[end].startswith((" ", "\t")) and lines[end].strip().startswith("#"):
            end += 1  # the function's trailing comments (### END SOLUTION) go with it
        lines[node.lineno - 1:end] = new
    if before:
        first = min(node.lineno for node in defs.values()) - 1
        while first > 0 and not lines[first].startswith("# %%"):
            first -= 1
        cells = []
        for cell in before:
            cells += ["# %%", *textwrap.dedent(cell).strip("\n").splitlines(), ""]
        lines[first:first] = cells
    for cell in after:
        lines += ["", "# %%", *textwrap.dedent(cell).strip("\n").splitlines()]
    return "\n".join(lines) + "\n"


def solution_source(exercise: str, function: str) -> str:
    """The source of one function of a solution notebook, as written there."""
    import ast

    text = (ROOT / "solutions" / f"{exercise}.py").read_text(encoding="utf-8")
    node = _graded_defs(ast.parse(text))[function]
    return "\n".join(text.splitlines()[node.lineno - 1:node.end_lineno]) + "\n"


def as_notebook(text: str, metadata: dict | None = None) -> str:
    """A py:percent text as .ipynb JSON (code and markdown cells, no outputs)."""
    import json

    from rnn_course.grading.submissions import split_percent

    cells = []
    for header, body in split_percent(text.splitlines()):
        if header is None and not any(line.strip() for line in body):
            continue
        if header is not None and "[markdown]" in header:
            source = "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#") for line in body).strip()
            cells.append({"cell_type": "markdown", "metadata": {}, "source": source})
        else:
            cells.append({"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                          "source": "\n".join(body).strip("\n")})
    nb = {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                      "language": "python"}, **(metadata or {})},
          "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(nb, indent=1)


def write_submission(folder, name: str, *, exercise: str | None = None, bom: bool = False,
                     metadata: dict | None = None, values: dict | None = None, **changes) -> Path:
    """Write a submission built by ``submission_text`` as ``folder/name`` (.py, or .ipynb in any case).

    ``exercise`` defaults to the set named at the start of ``name``; ``values`` fills ``@KEY@`` placeholders
    (paths an attack aims at); ``bom`` prefixes a UTF-8 byte-order mark, as some Windows editors save.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    exercise = exercise or next(e for e in EXERCISE_SETS if e in name)
    text = submission_text(exercise, **changes)
    for key, value in (values or {}).items():
        text = text.replace(f"@{key}@", str(value))
    if name.lower().endswith(".ipynb"):
        text = as_notebook(text, metadata)
    path = folder / name
    path.write_bytes(("\ufeff" if bom else "").encode("utf-8") + text.encode("utf-8"))
    return path


def load_specs(name: str):
    """A module of submission specs from tests/submissions/ (``bad``, ``hostile``): data, not tests."""
    import importlib.util

    path = ROOT / "tests" / "submissions" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"submission_specs_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_submissions(folder, specs: dict, values: dict | None = None) -> dict[str, Path]:
    """Write every spec (file name -> changes) into ``folder``; ``link_to`` makes a symbolic link instead."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    meta_keys = ("kind", "what", "attacked")
    for name, spec in specs.items():
        spec = {k: v for k, v in spec.items() if k not in meta_keys}
        if "link_to" in spec:
            (folder / name).symlink_to(spec["link_to"])
            written[name] = folder / name
            continue
        written[name] = write_submission(folder, name, values=values, **spec)
    return written


def tree_state(*roots, contents: bool = True) -> dict:
    """``{path: sha256 (or size and mtime)}`` of every file under ``roots``: to show that nothing changed."""
    import hashlib

    state = {}
    for root in roots:
        root = Path(root)
        if not root.exists():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_symlink():
                state[str(path)] = "link:" + os.readlink(path)
            elif path.is_file():
                if contents:
                    state[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
                else:
                    st = path.stat()
                    state[str(path)] = f"{st.st_size}:{st.st_mtime_ns}"
    return state
