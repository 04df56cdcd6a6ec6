"""Packaging, the README's promises, the command line, notebook pairing and lint."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_and_pyproject_list_the_same_packages():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = pyproject["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    for reqs in project["optional-dependencies"].values():
        wanted |= {_name(r) for r in reqs if not r.startswith("rnn-course")}
    conda, pip = set(), set()
    in_pip = False
    text = (ROOT / "environment.yml").read_text()
    for line in text.split("\ndependencies:\n", 1)[1].splitlines():
        stripped = line.strip()
        if stripped.startswith("- pip:"):
            in_pip = True
            continue
        if not stripped.startswith("- "):
            continue
        item = stripped[2:].strip()
        if in_pip and line.startswith("      "):
            pip.add(item)
        else:
            in_pip = False
            conda.add(item)
    listed = {_name(r) for r in conda if _name(r) not in ("python", "pip")}
    listed |= {_name(r) for r in pip if not r.startswith("-e")}
    assert listed == wanted, f"only in pyproject: {wanted - listed}; only in environment.yml: {listed - wanted}"
    assert "-e ." in pip
    # the version floors agree too
    floors = {}
    for r in project["dependencies"] + [r for reqs in project["optional-dependencies"].values() for r in reqs]:
        if ">=" in r:
            floors[_name(r)] = r.split(">=")[1]
    for r in conda | pip:
        if ">=" in r and _name(r) in floors:
            assert r.split(">=")[1] == floors[_name(r)], r


def readme_command(marker: str) -> str:
    text = (ROOT / "README.md").read_text()
    block = text.split(f"<!-- {marker} -->", 1)[1]
    return block.split("```bash\n", 1)[1].split("\n```", 1)[0].strip()


def test_readme_gives_the_two_set_up_commands():
    lab = readme_command("lab-command")
    test = readme_command("test-command")
    assert lab.endswith("rnn-course lab") and 'pip install -e ".[course]"' in lab
    assert test.endswith("pytest") and 'pip install -e ".[dev]"' in test
    for command in (lab, test):
        assert command.startswith("python3 -m venv .venv && . .venv/bin/activate")
        assert "\n" not in command


def test_ci_runs_exactly_the_readme_test_command():
    script = (ROOT / ".ci" / "run").read_text()
    awk = re.search(r"TEST_COMMAND=\$\((awk .*?) README\.md\)", script).group(1)
    out = subprocess.run(["bash", "-c", f"{awk} README.md"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == readme_command("test-command")
    assert "ruff check" in script


def test_notebooks_are_in_sync_with_their_twins():
    from rnn_course.tools.notebooks import out_of_sync

    problems = out_of_sync(ROOT)
    assert not problems, "\n".join(problems)


def cli(*args, timeout=120):
    exe = shutil.which("rnn-course") or ""
    cmd = [exe, *args] if exe else [sys.executable, "-m", "rnn_course", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def subcommands() -> list[str]:
    from rnn_course.cli import build_parser

    parser = build_parser()
    action = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return sorted(action.choices)


def test_every_subcommand_has_help():
    names = subcommands()
    assert {"lab", "doctor", "notebooks"} <= set(names)
    top = cli("--help")
    assert top.returncode == 0
    for name in names:
        assert name in top.stdout
        result = cli(name, "--help")
        assert result.returncode == 0, (name, result.stderr)
        assert result.stdout.startswith("usage: rnn-course " + name), name


def test_doctor_reports_every_check():
    result = cli("doctor")
    for check in ("python", "numpy", "matplotlib", "ipywidgets", "kernel", "widgets in JupyterLab"):
        assert check in result.stdout
    assert result.returncode == 0, result.stdout
    assert "All good" in result.stdout or "Ready" in result.stdout
    as_json = cli("doctor", "--json")
    import json

    checks = json.loads(as_json.stdout)
    assert {c["status"] for c in checks} <= {"ok", "warn", "fail"}


def test_doctor_says_what_to_fix_when_the_widget_extension_is_missing(monkeypatch, tmp_path):
    from rnn_course.tools import doctor

    monkeypatch.setattr(doctor, "_labextension_dirs", lambda: [tmp_path])
    check = doctor._check_widget_extension()
    assert check.status == "fail"
    assert "jupyterlab_widgets" in check.fix and "sliders will show as text" in check.found
    report = doctor.report()
    assert not report.ok and "fix" in report._repr_html_()


def test_lab_dry_run_opens_the_welcome_notebook():
    result = cli("lab", "--dry-run", "--no-browser")
    assert result.returncode == 0
    assert "-m jupyterlab" in result.stdout and f"--ServerApp.root_dir={ROOT}" in result.stdout
    if list((ROOT / "notebooks").glob("00_*.ipynb")):
        assert "notebooks/00_" in result.stdout
    # JupyterLab refuses to run as root (containers, Binder-like images) unless told it may
    import os

    assert ("--allow-root" in result.stdout) == (hasattr(os, "geteuid") and os.geteuid() == 0)


def test_lab_outside_a_course_folder_says_what_to_do(tmp_path):
    from rnn_course.tools import paths

    assert paths.course_root(tmp_path) in (None, ROOT)  # falls back to the editable checkout


def test_version_is_consistent():
    import rnn_course

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert rnn_course.__version__ == pyproject["project"]["version"]


def test_ruff_is_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed (pip install -e '.[dev]')")
    result = subprocess.run([ruff, "check", "."], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_public_functions_have_docstrings_with_shapes():
    import inspect

    import rnn_course

    for name in rnn_course.__all__:
        obj = getattr(rnn_course, name)
        if inspect.isfunction(obj):
            assert obj.__doc__, name
    from rnn_course import cells

    for name in cells.__all__:
        obj = getattr(cells, name)
        if inspect.isfunction(obj) and name.endswith(("forward", "backward")):
            assert "(N, " in obj.__doc__, name
