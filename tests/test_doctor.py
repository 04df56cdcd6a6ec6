"""`rnn-course doctor` knows JupyterLab, VS Code and Colab apart, and ipywidgets 8.1.9 is kept out."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import pytest
import tomllib
from packaging.specifiers import SpecifierSet

from rnn_course.tools import doctor

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def plain_terminal(monkeypatch):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    for name in (*doctor._VSCODE_VARIABLES, "TERM_PROGRAM"):
        monkeypatch.delenv(name, raising=False)


def fake_colab(monkeypatch):
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))


def with_ipywidgets(monkeypatch, version: str):
    real = doctor._version
    monkeypatch.setattr(doctor, "_version", lambda dist: version if dist == "ipywidgets" else real(dist))


def by_name(checks):
    return {c.name: c for c in checks}


def test_front_end_is_recognised(plain_terminal, monkeypatch):
    assert doctor.front_end() == "jupyter"
    monkeypatch.setenv("VSCODE_PID", "4242")  # set by VS Code for its terminal and the kernels it starts
    assert doctor.front_end() == "vscode"
    fake_colab(monkeypatch)
    assert doctor.front_end() == "colab"


def test_vscode_with_ipywidgets_8_1_9_is_told_to_change_it(plain_terminal, monkeypatch):
    with_ipywidgets(monkeypatch, "8.1.9")
    check = by_name(doctor.run_checks(include_lab=False, where="vscode"))["ipywidgets"]
    assert check.status == "fail" and "vscode-jupyter#17504" in check.found
    assert check.fix.endswith('-m pip install "ipywidgets!=8.1.9"')
    front = by_name(doctor.run_checks(include_lab=False, where="vscode"))["front end"]
    assert "VS Code" in front.found and sys.executable in front.found and "Select Kernel" in front.found
    # elsewhere 8.1.9 works, but the same notebooks may be opened in VS Code later: a warning
    assert by_name(doctor.run_checks(include_lab=False, where="jupyter"))["ipywidgets"].status == "warn"


def test_vscode_does_not_fail_on_what_only_jupyterlab_needs(plain_terminal, monkeypatch, tmp_path):
    monkeypatch.setattr(doctor, "_labextension_dirs", lambda: [tmp_path])  # no JupyterLab widget extension
    assert by_name(doctor.run_checks(where="jupyter"))["widgets in JupyterLab"].status == "fail"
    check = by_name(doctor.run_checks(where="vscode"))["widgets in JupyterLab"]
    assert check.status == "warn" and "VS Code draws the widgets itself" in check.found
    assert doctor.report(where="vscode").ok


def test_colab_keeps_its_own_ipywidgets_7(plain_terminal, monkeypatch):
    fake_colab(monkeypatch)
    with_ipywidgets(monkeypatch, "7.7.1")
    report = doctor.report()
    checks = by_name(report.checks)
    assert report.ok, doctor.format_text(report.checks)
    assert checks["ipywidgets"].status == "ok" and "Colab's own" in checks["ipywidgets"].found
    assert "Google Colab" in checks["front end"].found
    assert checks["widgets in JupyterLab"].status == "ok"  # the welcome notebook reads this check by name
    with_ipywidgets(monkeypatch, "8.1.8")  # somebody upgraded it: Colab shows no sliders
    check = by_name(doctor.run_checks(include_lab=False))["ipywidgets"]
    assert check.status == "warn" and "ipywidgets==7.7.1" in check.fix and "Restart session" in check.fix


def _ipywidgets_requirement(text: str) -> str:
    return re.search(r"ipywidgets([<>=!~][^\"\s]*)", text).group(1)


def test_pyproject_and_environment_yml_exclude_ipywidgets_8_1_9():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    runtime = next(r for r in pyproject["project"]["dependencies"] if r.startswith("ipywidgets"))
    conda = _ipywidgets_requirement((ROOT / "environment.yml").read_text(encoding="utf-8"))
    for spec in (SpecifierSet(runtime.removeprefix("ipywidgets")), SpecifierSet(conda)):
        assert "8.1.9" not in spec and "8.1.8" in spec and "8.0.0" in spec and "7.7.1" not in spec
    assert set(doctor.BROKEN_IPYWIDGETS) == {"8.1.9"}
