"""rnn_course/tools/release.py and tools/gradescope.py: what leaves the instructor's checkout, and without solutions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import jsonschema
import pytest
from grading_support import ROOT

from rnn_course.tools import gradescope, release

SCHEMA = json.loads((ROOT / "tests" / "gradescope_results.schema.json").read_text())


def test_the_solutions_have_blocks_to_look_for():
    blocks = release.solution_blocks(ROOT)
    assert len(blocks) >= 15 and {name for name, _ in blocks} >= {f"{n}.py" for n in (
        "01_forward_pass", "02_bptt", "03_gradients", "04_gates", "05_language_model")}


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "course"
    parser = __import__("rnn_course.cli", fromlist=["build_parser"]).build_parser()
    args = parser.parse_args(["release", "--out", str(out), "--dir", str(ROOT)])
    assert args.func(args) == 0
    return out


def test_the_release_holds_the_course_and_no_solution_code(released):
    names = {p.name for p in released.iterdir()}
    assert {"README.md", "pyproject.toml", "notebooks", "exercises", "rnn_course"} <= names
    assert not names & {"solutions", "tests", "benchmarks", ".ci", ".git", "conftest.py", "artifacts"}
    assert release.find_leaks(released, release.solution_blocks(ROOT)) == []
    assert not list(released.rglob("__pycache__"))
    exercises = sorted(p.name for p in (released / "exercises").glob("*.ipynb"))
    assert exercises == sorted(p.name for p in (ROOT / "exercises").glob("*.ipynb"))


def test_a_solution_that_slipped_into_a_released_folder_stops_the_release(tmp_path):
    course = tmp_path / "course"
    for name in ("README.md", "pyproject.toml"):
        (course / name).parent.mkdir(parents=True, exist_ok=True)
        (course / name).write_text((ROOT / name).read_text())
    (course / "solutions").mkdir()
    solution = (ROOT / "solutions" / "02_bptt.py").read_text()
    (course / "solutions" / "02_bptt.py").write_text(solution)
    (course / "notebooks").mkdir()
    (course / "notebooks" / "oops.py").write_text(solution)  # a copy left in a folder that is released
    with pytest.raises(release.ReleaseError, match="notebooks/oops.py: contains a solution block"):
        release.release(course, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    (course / "notebooks" / "oops.py").unlink()
    (course / "rnn_course").mkdir()
    (course / "rnn_course" / "helpers.py").write_text(solution)  # a solution copied into the package
    with pytest.raises(release.ReleaseError, match="rnn_course/helpers.py: contains a solution block"):
        release.release(course, tmp_path / "out")
    with pytest.raises(release.ReleaseError, match="inside one of its folders"):
        release.release(course, course / "notebooks" / "release")


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    out = tmp_path_factory.mktemp("gradescope")
    zips = gradescope.build(ROOT, out, ["01_forward_pass"], timeout=60, item_timeout=20)
    return out, zips[0]


def test_the_autograder_zip_has_what_gradescope_asks_for_at_its_root(autograder, tmp_path):
    _, archive = autograder
    with zipfile.ZipFile(archive) as z:
        names = z.namelist()
        modes = {i.filename: i.external_attr >> 16 for i in z.infolist()}
        z.extractall(tmp_path / "unzipped")
    assert "setup.sh" in names and "run_autograder" in names and "course/pyproject.toml" in names
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert not any(n.startswith(("course/solutions", "course/tests")) for n in names)
    assert release.find_leaks(tmp_path / "unzipped", release.solution_blocks(ROOT)) == []


@pytest.mark.slow
def test_run_autograder_writes_a_results_json_gradescope_accepts(autograder, tmp_path):
    """run_autograder as Gradescope runs it, on this machine: /autograder becomes a temporary folder and the
    grader is this virtualenv's."""
    out, _ = autograder
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    source = (ROOT / "solutions" / "01_forward_pass.ipynb").read_text()
    (root / "submission" / "my_notebook.ipynb").write_text(source)
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), RNN_COURSE=str(os.path.join(os.path.dirname(sys.executable),
                                                                                  "rnn-course")))
    result = subprocess.run(["bash", str(out / "01_forward_pass" / "run_autograder")], env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    results = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(results, SCHEMA)
    assert results["score"] == 10 and len(results["tests"]) == 4
    assert {t["status"] for t in results["tests"]} == {"passed"}
    assert [t["name"] for t in results["tests"]] == ["rnn_step_forward", "rnn_forward", "softmax",
                                                    "softmax_cross_entropy"]
