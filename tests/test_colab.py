"""Run it anywhere: the Colab badge and install cell on every student notebook, simulated Colab, Binder.

Colab itself cannot be reached from the test machines, so the install cell is
run here with a stand-in ``google.colab`` module and a recording
``subprocess.run``; the demos are shown through an ipywidgets without
``Widget._repr_mimebundle_`` (the ipywidgets 7 API, which Colab ships).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest
import tomllib

from rnn_course.tools import colab, notebooks

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
STUDENT_NOTEBOOKS = [ipynb for _, ipynb in notebooks.twins(ROOT)
                     if colab.wants_header(ipynb.relative_to(ROOT).as_posix())]


def _header_cells(ipynb: Path):
    cells = json.loads(ipynb.read_text(encoding="utf-8"))["cells"]
    return cells[0], cells[1]


def test_every_lesson_solution_and_exercise_has_the_header():
    names = {p.relative_to(ROOT).as_posix() for p in STUDENT_NOTEBOOKS}
    assert {"notebooks/00_welcome.ipynb", "exercises/01_forward_pass.ipynb", "solutions/01_forward_pass.ipynb"} <= names
    lessons = list((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
    assert len([n for n in names if n.startswith("notebooks/")]) == len(lessons)
    assert len([n for n in names if n.startswith("exercises/")]) == len(list((ROOT / "solutions").glob("*.py")))
    for ipynb in STUDENT_NOTEBOOKS:
        badge, install = _header_cells(ipynb)
        rel = ipynb.relative_to(ROOT).as_posix()
        assert badge["cell_type"] == "markdown" and install["cell_type"] == "code", rel
        # the badge opens this very notebook (an exercise's badge opens the exercise, not its solution)
        assert f"]({colab.colab_url(rel)})" in "".join(badge["source"]), rel
        assert colab.colab_url(rel).endswith(f"/blob/{colab.BRANCH}/{rel}")
        for cell in (badge, install):
            assert cell["metadata"]["tags"] == [colab.TAG] and cell["metadata"]["slideshow"]["slide_type"] == "skip"


def test_header_is_a_small_hunk_that_reapplies_cleanly():
    text = (ROOT / "notebooks" / "00_welcome.py").read_text(encoding="utf-8")
    assert colab.with_header(text, "notebooks/00_welcome.py") == text  # applying it again changes nothing
    bare = colab.strip_header(text)
    assert 'tags=["colab"]' not in bare and "sys.modules" not in bare and bare.startswith("# ---\n# jupyter:")
    assert colab.with_header(bare, "notebooks/00_welcome.py") == text
    moved = colab.with_header(text, "notebooks/00_renamed.py")  # a renamed lesson gets its own address
    assert "00_renamed.ipynb" in moved and "00_welcome.ipynb" not in moved.split("# %% [markdown] slideshow")[1]
    assert len(header_lines := colab.header("exercises/01_forward_pass.py").splitlines()) < 20, header_lines
    assert colab.wants_header("notebooks/03_x.py") and not colab.wants_header("notebooks/lecture_demos.py")


def _install_cell_source(ipynb: Path) -> str:
    return "".join(_header_cells(ipynb)[1]["source"])


def _run_install_cell(monkeypatch, on_colab: bool) -> list[list[str]]:
    calls = []

    def fake_run(args, check=False, **kwargs):
        calls.append(list(args))
        assert check, "a failed install must stop the notebook"
        return subprocess.CompletedProcess(args, 0)

    monkeypatch.setattr(subprocess, "run", fake_run)
    if on_colab:
        google = types.ModuleType("google")
        google.colab = types.ModuleType("google.colab")
        monkeypatch.setitem(sys.modules, "google", google)
        monkeypatch.setitem(sys.modules, "google.colab", google.colab)
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    exec(compile(_install_cell_source(ROOT / "exercises" / "01_forward_pass.ipynb"), "<colab cell>", "exec"), {})
    return calls


def test_install_cell_installs_the_course_on_colab_only(monkeypatch):
    assert _run_install_cell(monkeypatch, on_colab=False) == []
    course, runtime = _run_install_cell(monkeypatch, on_colab=True)
    assert course[:5] == [sys.executable, "-m", "pip", "install", "--quiet"]
    # the course without its dependencies: Colab's own ipywidgets stays (Colab renders 7.x widgets, not 8.x)
    assert course[5:] == ["--no-deps", f"rnn-course @ git+{colab.REPOSITORY}@{colab.BRANCH}"]
    assert runtime[5:] == list(colab.RUNTIME_REQUIREMENTS)
    assert not any(arg.startswith("ipywidgets") for arg in runtime)


def test_install_cell_installs_what_pyproject_needs_except_ipywidgets():
    wanted = [r for r in PYPROJECT["project"]["dependencies"] if not r.startswith("ipywidgets")]
    assert list(colab.RUNTIME_REQUIREMENTS) == wanted


def test_repository_address_is_the_same_everywhere():
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", colab.REPOSITORY)
    urls = PYPROJECT["project"]["urls"]
    assert urls["Repository"] == colab.REPOSITORY
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    slug = colab.REPOSITORY.removeprefix("https://github.com/")
    assert f"https://mybinder.org/v2/gh/{slug}/{colab.BRANCH}" in readme
    assert f"https://colab.research.google.com/github/{slug}/blob/{colab.BRANCH}/notebooks/00_welcome.ipynb" in readme
    citation = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert f'repository-code: "{colab.REPOSITORY}"' in citation


def test_binder_installs_the_runtime_and_the_course_extra_only():
    binder = ROOT / "binder"
    assert sorted(p.name for p in binder.iterdir()) == ["requirements.txt", "runtime.txt"]
    runtime = (binder / "runtime.txt").read_text(encoding="utf-8").strip()
    # repo2docker reads "python-X.Y" (a minor version; it picks the patch release)
    match = re.fullmatch(r"python-3\.(\d+)", runtime)
    assert match, runtime
    floor = int(PYPROJECT["project"]["requires-python"].removeprefix(">=3."))
    assert int(match.group(1)) >= floor
    lines = [line for line in (binder / "requirements.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines == [".[course]"]  # the package (its runtime dependencies) and the course extra


def test_demo_shows_with_the_ipywidgets_7_api_colab_ships(monkeypatch):
    import ipywidgets
    from IPython.core.formatters import DisplayFormatter

    from rnn_course.demos import Demo, float_slider
    from rnn_course.plots.style import new_figure

    fig, ax = new_figure()
    (line,) = ax.plot([0, 1], [0, 1])
    ax.set(title="a line", xlabel="x", ylabel="y")
    demo = Demo("slope", fig, lambda slope: line.set_ydata([0, slope]), {"slope": float_slider("slope", 1, 0, 2, 0.1)},
                animated=[line])
    monkeypatch.delattr(ipywidgets.Widget, "_repr_mimebundle_")  # ipywidgets 7 has no such method
    data, _ = DisplayFormatter().format(demo)
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == demo.widget.model_id
    assert data["application/vnd.jupyter.widget-view+json"]["version_major"] == 2
    assert data["image/png"] and data["text/plain"].startswith("<Demo 'slope'")


@pytest.mark.parametrize("path", ["notebooks/00_welcome.py", "exercises/01_forward_pass.py"])
def test_header_text_is_valid_python_and_markdown(path):
    import jupytext

    nb = jupytext.reads(colab.header(path) + "# %%\nx = 1\n", fmt="py:percent")
    assert [c.cell_type for c in nb.cells] == ["markdown", "code", "code"]
    compile(nb.cells[1].source, path, "exec")
