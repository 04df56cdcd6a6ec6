"""Adopt it: the licences say which files are which, and the citation file is valid CFF 1.2."""

from __future__ import annotations

import re
from pathlib import Path

import tomllib

import rnn_course

ROOT = Path(__file__).resolve().parents[1]


def test_code_is_mit_and_content_is_cc_by_4():
    code = (ROOT / "LICENSE").read_text(encoding="utf-8")
    content = (ROOT / "LICENSE-content").read_text(encoding="utf-8")
    assert code.startswith("MIT License\n\nCopyright (c) ") and "WITHOUT WARRANTY OF ANY KIND" in code
    assert "Creative Commons Attribution 4.0 International Public License" in content
    assert "Section 3 – License Conditions" in content
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    licence = readme.split("\n## Licence\n", 1)[1]
    assert "**Code: MIT** (`LICENSE`)" in licence
    assert "**Lesson text and figures: CC BY 4.0** (`LICENSE-content`)" in licence


def test_pyproject_licence_matches_what_the_package_ships():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    # the package's code (MIT) and the MathJax it vendors (Apache-2.0); lesson text is not in the package
    assert project["license"] == "MIT AND Apache-2.0"
    files = [p for pattern in project["license-files"] for p in ROOT.glob(pattern)]
    assert {p.name for p in files} == {"LICENSE", "LICENSE.mathjax.txt", "LICENSE.reveal.js.txt"}
    assert not any(c.startswith("License ::") for c in project["classifiers"])  # PEP 639: the expression only


def test_citation_file_is_cff_1_2_and_agrees_with_the_package():
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    fields = dict(re.findall(r"^([a-z-]+):\s*(.*)$", text, re.M))
    assert fields["cff-version"] == "1.2.0"
    assert fields["version"] == rnn_course.__version__
    assert {"message", "title", "authors", "type"} <= set(fields)
    assert re.search(r"^license:\n  - MIT\n  - CC-BY-4.0\n", text, re.M)
    assert re.fullmatch(r'"\d{4}-\d\d-\d\d"', fields["date-released"])
