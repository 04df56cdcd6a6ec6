"""The instructor's grader: each submission in its own limited process, nothing lost, nothing modified.

* every solutions notebook scores full marks, every generated exercise 0 with "not attempted";
* the bad-submission suite in tests/submissions (exceptions, infinite loops, sys.exit and os._exit,
  megabytes of output, NaN/None/wrong shapes/wrong dtypes, in-place mutation, calling or re-reading the
  reference, forging a result, a memory bomb, a syntax error, a notebook that is not JSON, ...) gets the
  expected score and messages, with the other items still counted;
* the report (JSON, CSV, table) has the issue's format and is always written; the CLI's exit status.
"""

from __future__ import annotations

import csv
import hashlib
import inspect
import json
import time

import pytest
from grading_support import EXERCISE_SETS, ROOT

from rnn_course.grading import grader, reports, submissions
from rnn_course.grading import EXERCISES
from rnn_course.tools import grade as grade_cli

SUBMISSIONS = ROOT / "tests" / "submissions"

# file: (score, graded, {item: (status, points, [fragments of its message])}, [fragments of the notes])
EXPECTED = {
    "01_forward_pass__raises.py": (8, True, {
        "rnn_step_forward": ("error", 0, ["ValueError: shapes do not match, sorry",
                                          '`raise ValueError("shapes do not match, sorry")`', "line 3"]),
        "rnn_forward": ("correct", 3, [])}, []),
    "01_forward_pass__infinite_loop.py": (8, True, {
        "softmax": ("error", 0, ["did not finish in time", "3 s per item", "infinite loop"]),
        "softmax_cross_entropy": ("correct", 3, [])}, []),
    "01_forward_pass__top_level_loop.py": (10, True, {}, ["code cell 4 was skipped", "did not finish within"]),
    "01_forward_pass__sys_exit.py": (7, True, {
        "rnn_forward": ("error", 0, ["SystemExit", "`sys.exit(1)`", "not exit the interpreter"])},
        ["raised SystemExit: leaving early"]),
    "01_forward_pass__os_exit.py": (7, True, {
        "softmax_cross_entropy": ("error", 0, ["crashed the Python process", "os._exit"]),
        "softmax": ("correct", 2, [])}, ["was skipped: the interpreter exited with status 3"]),
    "01_forward_pass__output_flood.py": (10, True, {}, ["printed 20.", "kept the first 64 KB"]),
    "01_forward_pass__bad_values.py": (1.5, True, {
        "rnn_step_forward": ("incorrect", 0, ["h contains NaN"]),
        "rnn_forward": ("incorrect", 0, ["returned None"]),
        "softmax": ("incorrect", 0, ["probs has shape (7, 4)", "transposed"]),
        "softmax_cross_entropy": ("incorrect", 1.5, ["loss right", "dlogits has dtype float32"])}, []),
    "01_forward_pass__wrong_shapes.py": (5.5, True, {
        "rnn_forward": ("incorrect", 0, ["time and batch axes are swapped"]),
        "softmax_cross_entropy": ("incorrect", 1.5, ["dlogits has shape (12, 5)"])}, []),
    "01_forward_pass__mutation.py": (9, True, {
        "softmax": ("incorrect", 1, ["modified its input x in place", "half points"])}, []),
    "01_forward_pass__calls_reference.py": (0, True, {
        "rnn_step_forward": ("incorrect", 0, ["rnn_course.cells.rnn.rnn_step_forward", "reference implementation"]),
        "rnn_forward": ("incorrect", 0, ["rnn_course.cells.rnn.rnn_forward"]),
        "softmax": ("incorrect", 0, ["rnn_course.activations.softmax"]),
        "softmax_cross_entropy": ("incorrect", 0, ["rnn_course.losses.softmax_cross_entropy"])}, []),
    "01_forward_pass__reload_reference.py": (3, True, {
        "rnn_step_forward": ("error", 0, ["PermissionError", "not allowed while grading", "importlib.reload"]),
        "rnn_forward": ("error", 0, ["starting another process"]),
        "softmax": ("error", 0, ["PermissionError: reading"])}, []),
    "01_forward_pass__forge.py": (0, True, {
        "rnn_step_forward": ("incorrect", 0, ["returned a float"]),
        "softmax": ("incorrect", 0, [])}, []),
    "01_forward_pass__memory_bomb.py": (7, True, {
        "rnn_forward": ("error", 0, ["MemoryError", "ran out of memory"])}, ["raised MemoryError"]),
    "01_forward_pass__renamed.py": (8, True, {
        "rnn_step_forward": ("not attempted", 0, ["no function named rnn_step_forward"])}, []),
    "01_forward_pass__empty.py": (0, True, {
        "softmax": ("not attempted", 0, ["no function named softmax"])}, []),
    "01_forward_pass__syntax_error.ipynb": (8, True, {
        "softmax": ("error", 0, ["no function named softmax", "SyntaxError: expected ':'",
                                 "`def softmax(x, axis=-1)`"])}, ["code cell 4 raised SyntaxError"]),
    "01_forward_pass__not_json.ipynb": (0, False, {
        "rnn_step_forward": ("error", 0, ["not graded: the notebook is not valid JSON"]),
        "softmax_cross_entropy": ("error", 0, ["not valid JSON"])}, ["not valid JSON"]),
    "homework.py": (0, False, {}, ["could not tell which exercise set this is"]),
    "02_bptt__bugs.py": (3, True, {
        "rnn_step_backward": ("incorrect", 0, ["from the pre-activation"]),
        "rnn_backward": ("correct", 3, []),
        "rnn_backward[truncate]": ("incorrect", 0, ["truncate is ignored"]),
        "numerical_gradient": ("incorrect", 0, ["one-sided difference"])}, []),
    "03_gradients__bugs.py": (1.5, True, {
        "jacobian_norms": ("incorrect", 0, ["Frobenius norm"]),
        "clip_grad_norm": ("incorrect", 1.5, ["norm right", "clipped by its own norm"]),
        "gradient_fate": ("incorrect", 0, ["largest singular value"])}, []),
    "04_gates__bugs.ipynb": (3, True, {
        "lstm_step_forward": ("correct", 3, []),
        "lstm_step_backward": ("incorrect", 0, ["the incoming dc is ignored"]),
        "gru_step_forward": ("incorrect", 0, ["PyTorch's GRU"]),
        "gru_step_backward": ("incorrect", 0, ["gru_step_forward is not right yet"])}, []),
    "05_language_model__bugs.py": (2.33, True, {
        "sample_next_token": ("incorrect", 1, ["multiplied by the temperature"]),
        "train_step": ("incorrect", 1.33, ["loss right", "not clipped"]),
        "generate": ("incorrect", 0, ["not fed back"])}, []),
}


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def suite_report(tmp_path_factory):
    """Grade the whole bad-submission suite once (2 jobs), plus a verbatim copy of the reference."""
    import rnn_course.activations

    extra = tmp_path_factory.mktemp("copied") / "01_forward_pass__copied_reference.py"
    solution = (ROOT / "solutions" / "01_forward_pass.py").read_text(encoding="utf-8")
    extra.write_text(solution + "\n\n# %%\n" + inspect.getsource(rnn_course.activations.softmax), encoding="utf-8")
    files = [SUBMISSIONS / name for name in EXPECTED] + [extra]
    before = {f: _sha(f) for f in files}
    start = time.perf_counter()
    report = grader.grade(files, jobs=2, timeout=10, item_timeout=3, seed=12345)
    seconds = time.perf_counter() - start
    print(f"\nbad-submission suite: {len(files)} submissions graded in {seconds:.1f} s with 2 jobs")
    after = {f: _sha(f) for f in files}
    return report, before, after


def _entry(report, name):
    matches = [s for s in report["submissions"] if s["path"].endswith(name)]
    assert len(matches) == 1, name
    return matches[0]


@pytest.mark.parametrize("name", list(EXPECTED))
def test_bad_submission_gets_the_expected_score_and_messages(suite_report, name):
    report, _, _ = suite_report
    score, graded, items, notes = EXPECTED[name]
    entry = _entry(report, name)
    assert entry["score"] == pytest.approx(score, abs=0.01), entry
    assert entry["graded"] is graded
    by_name = {i["name"]: i for i in entry["items"]}
    for item, (status, points, fragments) in items.items():
        got = by_name[item]
        assert got["status"] == status, got
        assert got["points"] == pytest.approx(points, abs=0.01), got
        for fragment in fragments:
            assert fragment in got["message"], (fragment, got["message"])
    for fragment in notes:
        assert any(fragment in n for n in entry["notes"]), (fragment, entry["notes"])
    if entry["exercise"]:
        from rnn_course.grading import EXERCISES

        assert [i["name"] for i in entry["items"]] == [i.name for i in EXERCISES[entry["exercise"]]]
        assert entry["max_score"] == 10


def test_a_verbatim_copy_of_the_reference_scores_zero_in_the_grader(suite_report):
    report, _, _ = suite_report
    entry = _entry(report, "01_forward_pass__copied_reference.py")
    softmax = next(i for i in entry["items"] if i["name"] == "softmax")
    assert softmax["points"] == 0 and "verbatim copy" in softmax["message"], softmax
    assert entry["score"] == 8


def test_the_grader_never_modifies_a_submission(suite_report):
    _, before, after = suite_report
    assert before == after


def test_every_submission_is_in_the_report(suite_report):
    report, before, _ = suite_report
    assert len(report["submissions"]) == len(before)
    assert {s["path"] for s in report["submissions"]} == {str(f) for f in before}
    assert report["grader"]["seed"] == 12345 and not report["grader"]["interrupted"]


def test_report_format_json_csv_and_table(suite_report, tmp_path):
    report, _, _ = suite_report
    reports.write_json(report, tmp_path / "report.json")
    data = json.loads((tmp_path / "report.json").read_text())
    for sub in data["submissions"]:
        assert {"path", "score", "max_score", "items"} <= set(sub)
        for item in sub["items"]:
            assert {"name", "points", "max_points", "message"} <= set(item)
            assert isinstance(item["message"], str) and item["message"]
    reports.write_csv(report, tmp_path / "report.csv")
    with (tmp_path / "report.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["item"] for r in rows} >= {"rnn_step_forward", "TOTAL"}
    assert sum(r["item"] == "TOTAL" for r in rows) == len(report["submissions"])
    table = reports.format_table(report, width=140)
    assert "01_forward_pass__raises.py" in table and "TOTAL" in table and "submission(s) graded" in table


def test_bonus_items_are_marked_in_the_csv_and_the_table(tmp_path):
    """A set with a bonus item can total 12/10; the CSV and the table say which points are the bonus."""
    items = [{"name": "gru_step_forward", "points": 3.0, "max_points": 3, "message": "correct", "status": "correct"},
             {"name": "gru_step_backward", "points": 2.0, "max_points": 2, "message": "correct", "status": "correct",
              "bonus": True}]
    report = {"submissions": [{"path": "a_04_gates.ipynb", "exercise": "04_gates", "score": 5.0, "max_score": 3.0,
                               "items": items, "notes": []}], "grader": {}}
    reports.write_csv(report, tmp_path / "r.csv")
    with (tmp_path / "r.csv").open(newline="") as f:
        rows = {r["item"]: r for r in csv.DictReader(f)}
    assert rows["gru_step_backward"]["bonus"] == "yes"
    assert rows["gru_step_forward"]["bonus"] == "" and rows["TOTAL"]["bonus"] == ""
    table = reports.format_table(report, width=140)
    assert "gru_step_backward (bonus)" in table and "gru_step_forward (bonus)" not in table


@pytest.mark.slow
def test_solutions_score_full_marks_and_exercises_zero():
    files = [ROOT / kind / f"{name}.ipynb" for kind in ("solutions", "exercises") for name in EXERCISE_SETS]
    report = grader.grade(files, jobs=2, seed=7)
    for entry in report["submissions"]:
        assert entry["graded"], entry
        if "/solutions/" in entry["path"]:
            assert entry["score"] >= entry["max_score"] == 10, entry
            assert {i["status"] for i in entry["items"]} == {"correct"}, entry
        else:
            assert entry["score"] == 0, entry
            assert {i["status"] for i in entry["items"]} == {"not attempted"}, entry


def test_cli_writes_the_report_and_says_when_something_could_not_be_graded(tmp_path, capsys):
    out, table = tmp_path / "r.json", tmp_path / "r.csv"
    files = [str(ROOT / "solutions" / "01_forward_pass.py"), str(SUBMISSIONS / "01_forward_pass__not_json.ipynb")]
    parser = __import__("rnn_course.cli", fromlist=["build_parser"]).build_parser()
    args = parser.parse_args(["grade", *files, "--out", str(out), "--csv", str(table), "--jobs", "2", "--seed", "3"])
    status = grade_cli.run(args)
    printed = capsys.readouterr().out
    assert status == 1  # one submission could not be graded, and it is still in the report
    data = json.loads(out.read_text())
    scores = {s["path"]: s["score"] for s in data["submissions"]}
    assert scores == {files[0]: 10, files[1]: 0}
    assert table.exists() and "not valid JSON" in table.read_text()
    assert "TOTAL" in printed and "report:" in printed
    args = parser.parse_args(["grade", files[0], "--out", str(out), "--quiet"])
    assert grade_cli.run(args) == 0
    args = parser.parse_args(["grade", str(tmp_path / "gone.ipynb"), "--out", str(out)])
    assert grade_cli.run(args) == 1  # a path that does not exist is reported, with 0 points
    assert json.loads(out.read_text())["submissions"][0]["score"] == 0
    (tmp_path / "empty").mkdir()
    args = parser.parse_args(["grade", str(tmp_path / "empty"), "--out", str(out)])
    assert grade_cli.run(args) == 2  # nothing to grade at all


def test_submission_loading_never_raises(tmp_path):
    odd = {
        "01_forward_pass_a.ipynb": "[1, 2, 3]",
        "01_forward_pass_b.ipynb": '{"cells": [{"cell_type": "code", "source": 5}, "junk"]}',
        "01_forward_pass_c.py": "def rnn_step_forward(x):\n    return x\n",
    }
    for name, text in odd.items():
        (tmp_path / name).write_text(text)
    loaded = {name: submissions.load_submission(tmp_path / name) for name in odd}
    assert "not a Jupyter notebook" in loaded["01_forward_pass_a.ipynb"].problem
    assert loaded["01_forward_pass_b.ipynb"].cells == ["5"]
    assert loaded["01_forward_pass_c.py"].cells == [odd["01_forward_pass_c.py"]]
    missing = submissions.load_submission(tmp_path / "gone.ipynb")
    assert missing.problem.startswith("could not read the file")
    assert submissions.detect_exercise(loaded["01_forward_pass_c.py"], EXERCISES) == "01_forward_pass"
    renamed = submissions.Submission(tmp_path / "alice.py", text="def lstm_step_forward(\ndef gru_step_forward(")
    assert submissions.detect_exercise(renamed, EXERCISES) == "04_gates"
