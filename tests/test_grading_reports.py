"""grading/reports.py: the report as JSON, CSV, a gradebook, HTML feedback pages, Gradescope's results.json, a table."""

from __future__ import annotations

import csv
import json
import os

import jsonschema
import pytest
from grading_support import ROOT, write_submission

from rnn_course.grading import grader, reports

SCHEMA = json.loads((ROOT / "tests" / "gradescope_results.schema.json").read_text())


def _item(name, points, max_points, status="correct", message="correct", **extra):
    return {"name": name, "points": points, "max_points": max_points, "status": status, "message": message, **extra}


def _report():
    """A small class: alice has two sets (and two tries at one), bob one; one file was of no set."""
    subs = [
        {"path": "class/alice_01_forward_pass.ipynb", "student": "alice", "exercise": "01_forward_pass", "score": 7.0,
         "max_score": 10.0, "graded": True, "seconds": 3.2, "notes": ["code cell 4 raised ValueError: x"],
         "items": [_item("rnn_step_forward", 2, 2), _item("rnn_forward", 0, 3, "error", "raised <script>alert(1)"
                                                                                           "</script>"),
                   _item("softmax", 2, 2), _item("softmax_cross_entropy", 3, 3)]},
        {"path": "class/alice_01_forward_pass_v2.ipynb", "student": "alice", "exercise": "01_forward_pass",
         "score": 10.0, "max_score": 10.0, "graded": True, "seconds": 2.0, "notes": [],
         "items": [_item("rnn_step_forward", 2, 2), _item("rnn_forward", 3, 3), _item("softmax", 2, 2),
                   _item("softmax_cross_entropy", 3, 3)]},
        {"path": "class/alice_04_gates.ipynb", "student": "alice", "exercise": "04_gates", "score": 5.0,
         "max_score": 3.0, "graded": True, "seconds": 1.0, "notes": [],
         "items": [_item("gru_step_forward", 3, 3), _item("gru_step_backward", 2, 2, bonus=True)]},
        {"path": "class/bob_01_forward_pass.py", "student": "bob", "exercise": "01_forward_pass", "score": 2.0,
         "max_score": 10.0, "graded": True, "seconds": 1.0, "notes": [],
         "items": [_item("rnn_step_forward", 2, 2), _item("rnn_forward", 0, 3, "not attempted", "not attempted")]},
        {"path": "class/homework.py", "student": "homework", "exercise": None, "score": 0, "max_score": 0,
         "graded": False, "seconds": 0.1, "notes": ["could not tell which exercise set this is"],
         "items": [_item("(unknown exercise)", 0, 0, "error", "not graded: unknown exercise set")]},
    ]
    return {"submissions": subs, "grader": {"seed": 3, "timeout": 60, "item_timeout": 20, "memory_mb": 1024,
                                            "seconds": 9.0, "sandbox": {"kind": "none", "description": "no sandbox"},
                                            "passed_over": ["class/notes.txt"]}}


def test_json_is_written_atomically_and_never_through_a_planted_link(tmp_path):
    target = tmp_path / "elsewhere.txt"
    target.write_text("precious")
    report_path = tmp_path / "report.json"
    os.symlink(target, report_path)
    reports.write_json(_report(), report_path)
    assert target.read_text() == "precious"  # the link was replaced, not written through
    assert not report_path.is_symlink() and json.loads(report_path.read_text())["grader"]["seed"] == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere.txt", "report.json"]  # no temporary left


def test_csv_has_a_row_per_item_and_a_total_per_submission_with_the_bonus_marked(tmp_path):
    reports.write_csv(_report(), tmp_path / "r.csv")
    with (tmp_path / "r.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert sum(r["item"] == "TOTAL" for r in rows) == 5
    bonus = next(r for r in rows if r["item"] == "gru_step_backward")
    assert bonus["bonus"] == "yes" and bonus["student"] == "alice"
    assert all(r["bonus"] == "" for r in rows if r["item"] != "gru_step_backward")


def test_the_gradebook_has_one_row_per_student_and_one_column_per_set(tmp_path):
    header, rows = reports.gradebook_rows(_report())
    assert header == ["student", "01_forward_pass (/10)", "04_gates (/3)", "total", "max_total", "notes"]
    by_student = {r[0]: r for r in rows}
    assert by_student["alice"][1:5] == ["10", "5", "15", "13"]  # the better of two tries at set 01
    assert "2 submissions for 01_forward_pass" in by_student["alice"][5]
    assert by_student["bob"][1:5] == ["2", "", "2", "10"]
    assert "not graded" in by_student["homework"][5]
    reports.write_gradebook(_report(), tmp_path / "grades.csv")
    with (tmp_path / "grades.csv").open(newline="") as f:
        assert len(list(csv.reader(f))) == 4


def test_each_student_gets_one_feedback_page_with_every_message_escaped(tmp_path):
    written = reports.write_feedback(_report(), tmp_path / "feedback")
    assert sorted(p.name for p in written) == ["alice.html", "bob.html", "homework.html"]
    page = (tmp_path / "feedback" / "alice.html").read_text()
    assert page.count("<h2>") == 3 and "01_forward_pass" in page and "gru_step_backward</code> (bonus)" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "code cell 4 raised ValueError" in page
    for name in ("rnn_step_forward", "softmax_cross_entropy"):
        assert name in page


def test_the_table_says_first_whether_the_class_was_sandboxed():
    table = reports.format_table(_report(), width=140)
    assert table.splitlines()[0] == "WARNING, no sandbox: no sandbox"
    assert "gru_step_backward (bonus)" in table and "TOTAL" in table
    assert "1 file(s) that are not .ipynb or .py were not graded: notes.txt" in table


def test_gradescope_results_follow_gradescopes_documented_format():
    report = _report()
    for entry in report["submissions"]:
        results = reports.gradescope_results(entry, report)
        jsonschema.validate(results, SCHEMA)
        assert [t["max_score"] for t in results["tests"]] == [float(i["max_points"]) for i in entry["items"]]
        assert results["score"] == entry["score"]
    first = reports.gradescope_results(report["submissions"][0], report)
    assert [t["status"] for t in first["tests"]] == ["passed", "failed", "passed", "passed"]
    assert "<script>" in first["tests"][1]["output"] and first["tests"][1]["output_format"] == "text"
    assert "code cell 4 raised ValueError" in first["output"]


def test_the_schema_is_strict_enough_to_catch_a_wrong_result():
    for wrong in ({"tests": [{"name": "x"}]},  # no score anywhere
                  {"score": 1, "tests": [{"score": 1, "status": "ok"}]},
                  {"score": 1, "visibility": "sometimes"},
                  {"score": "ten"},
                  {"score": 1, "tests": [{"score": 1, "points": 1}]}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(wrong, SCHEMA)


@pytest.mark.slow
def test_a_real_submission_graded_for_gradescope_validates(tmp_path):
    path = write_submission(tmp_path, "01_forward_pass.ipynb", replace={"softmax": "def softmax(x, axis=-1):\n"
                                                                                  "    return x\n"})
    report = grader.grade([path], exercise="01_forward_pass", jobs=1, seed=2)
    reports.write_gradescope_results(report, tmp_path / "results.json")
    results = json.loads((tmp_path / "results.json").read_text())
    jsonschema.validate(results, SCHEMA)
    assert results["score"] == 8 and [t["status"] for t in results["tests"]].count("failed") == 1
    two = {"submissions": report["submissions"] * 2, "grader": report["grader"]}
    reports.write_gradescope_results(two, tmp_path / "results.json")
    results = json.loads((tmp_path / "results.json").read_text())
    jsonschema.validate(results, SCHEMA)
    assert results["score"] == 0 and "expected one submission, found 2" in results["output"]
