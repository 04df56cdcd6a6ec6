"""The instructor's grader: a class graded with every submission in its own limited processes, nothing lost.

* every solution notebook scores full marks, every generated exercise 0 with "not attempted";
* the broken-submission suite (tests/submissions/bad.py, each a solution notebook with a few changes: exceptions,
  infinite loops, sys.exit and os._exit, megabytes of output, NaN/None/wrong shapes/wrong dtypes, in-place
  mutation, calling or re-reading the reference, forging a result, a memory bomb, a syntax error, a notebook that
  is not JSON, ...) gets the expected score and messages, with the other items still counted;
* honest students who used to lose points (slow cells, `is "tanh"`, a byte-order mark, an upper-case suffix)
  get the same result from the grader as from their notebook;
* the CLI says whether it sandboxed, writes every output, and its exit status.

Hostile submissions, in the sandbox: test_grading_hostile.py. The report's formats: test_grading_reports.py.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from grading_support import EXERCISE_SETS, ROOT, build_submissions, load_specs, write_submission

from rnn_course.grading import grader
from rnn_course.tools import grade as grade_cli

SUBMISSIONS = ROOT / "tests" / "submissions"
BAD = load_specs("bad").BAD

# file: (score, graded, {item: (status, points, [fragments of its message])}, [fragments of the notes])
EXPECTED = {
    "01_forward_pass__raises.py": (5, True, {
        "rnn_step_forward": ("error", 0, ["ValueError: shapes do not match, sorry",
                                          '`raise ValueError("shapes do not match, sorry")`', "line 3"]),
        "rnn_forward": ("error", 0, ["fix rnn_step_forward first"]),
        "softmax": ("correct", 2, [])}, []),
    "01_forward_pass__infinite_loop.py": (8, True, {
        "softmax": ("error", 0, ["did not finish in time", "3 s per item", "infinite loop"]),
        "softmax_cross_entropy": ("correct", 3, [])}, []),
    "01_forward_pass__top_level_loop.py": (10, True, {}, ["was stopped when the notebook's time limit ran out"]),
    "01_forward_pass__sys_exit.py": (7, True, {
        "rnn_forward": ("error", 0, ["SystemExit", "`sys.exit(1)`", "not exit the interpreter"])},
        ["raised SystemExit: leaving early"]),
    "01_forward_pass__os_exit.py": (7, True, {
        "softmax_cross_entropy": ("error", 0, ["crashed the Python process", "os._exit"]),
        "softmax": ("correct", 2, [])}, ["was skipped: the interpreter exited with status 3"]),
    "01_forward_pass__output_flood.py": (10, True, {}, ["MB; the grader kept the first 64 KB"]),
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
        "rnn_step_forward": ("incorrect", 0, ["reference implementation"]),
        "rnn_forward": ("error", 0, ["Error", "subprocess.run"]),
        "softmax": ("incorrect", 0, ["reference implementation"])}, []),
    "01_forward_pass__forge.py": (0, True, {
        "rnn_step_forward": ("incorrect", 0, ["returned a float"]),
        "softmax": ("incorrect", 0, [])}, []),
    "01_forward_pass__memory_bomb.py": (7, True, {
        "rnn_forward": ("error", 0, ["MemoryError", "ran out of memory"])}, ["raised MemoryError"]),
    "01_forward_pass__renamed.py": (5, True, {
        "rnn_step_forward": ("not attempted", 0, ["no function named rnn_step_forward"]),
        "rnn_forward": ("error", 0, ["NameError", "rnn_step_forward"])}, []),
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
    """Grade the whole broken-submission suite once (2 jobs), plus a verbatim copy of the reference."""
    import rnn_course.activations

    folder = tmp_path_factory.mktemp("suite")
    built = build_submissions(folder, BAD)
    built["01_forward_pass__copied_reference.py"] = write_submission(
        folder, "01_forward_pass__copied_reference.py", replace={"softmax": inspect.getsource(
            rnn_course.activations.softmax)})
    files = [built.get(name) or SUBMISSIONS / name for name in EXPECTED] + [
        built["01_forward_pass__copied_reference.py"]]
    before = {f: _sha(f) for f in files}
    start = time.perf_counter()
    report = grader.grade(files, jobs=2, timeout=10, item_timeout=3, seed=12345)
    seconds = time.perf_counter() - start
    print(f"\nbroken-submission suite: {len(files)} submissions graded in {seconds:.1f} s with 2 jobs "
          f"({report['grader']['sandbox']['kind']})")
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
    captured = capsys.readouterr()
    printed = captured.out
    assert "sandbox: bubblewrap" in captured.err or "WARNING, no sandbox" in captured.err
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


def test_without_the_sandbox_the_output_and_the_report_say_so(tmp_path, capsys):
    parser = __import__("rnn_course.cli", fromlist=["build_parser"]).build_parser()
    out = tmp_path / "r.json"
    args = parser.parse_args(["grade", str(ROOT / "solutions" / "03_gradients.py"), "--out", str(out), "--sandbox",
                              "none", "--seed", "1"])
    assert grade_cli.run(args) == 0
    captured = capsys.readouterr()
    assert "WARNING, no sandbox" in captured.err and "WARNING, no sandbox" in captured.out
    report = json.loads(out.read_text())
    assert report["grader"]["sandbox"]["kind"] == "none" and report["submissions"][0]["score"] == 10


@pytest.mark.slow
def test_honest_students_get_from_the_grader_what_their_notebook_said(tmp_path):
    """Each of these once lost points in the grader only: a byte-order mark (0 points), an upper-case .IPYNB
    (skipped silently), slow cells (eight restarts, then 0 for everything), a symbolic link (it replaced another
    student's row). And `activation is "tanh"`, which passed in the notebook: now it fails in both, and the
    grader's notes quote Python's warning about it."""
    folder = tmp_path / "class"
    slow = "import time\nfor _ in range(10):\n    time.sleep(0.1)"
    build_submissions(folder, {
        "bom_01_forward_pass.py": dict(bom=True),
        "upper_03_gradients.IPYNB": {},
        "slow_03_gradients.py": dict(before=[slow] * 8),
        "link_03_gradients.py": dict(link_to="upper_03_gradients.IPYNB"),
        "is_01_forward_pass.py": dict(replace={"rnn_step_forward": '''
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    a = x @ Wx + h_prev @ Wh + b
    h = np.tanh(a) if activation is "tanh" else np.maximum(a, 0.0)
    return h, (x, h_prev, h, Wx, Wh, activation)
'''}),
    })
    start = time.perf_counter()
    report = grader.grade([folder], jobs=2, timeout=4, item_timeout=10, seed=5)
    assert time.perf_counter() - start < 120
    entries = {s["path"].rsplit("/", 1)[-1]: s for s in report["submissions"]}
    assert len(entries) == 5
    for name in ("bom_01_forward_pass.py", "upper_03_gradients.IPYNB", "slow_03_gradients.py",
                 "link_03_gradients.py"):
        assert entries[name]["score"] == 10, entries[name]
    assert any("time limit ran out" in n for n in entries["slow_03_gradients.py"]["notes"])
    assert any("symbolic link" in n for n in entries["link_03_gradients.py"]["notes"])
    is_entry = entries["is_01_forward_pass.py"]
    assert is_entry["items"][0]["status"] == "incorrect"
    assert any('"is" with a literal' in n for n in is_entry["notes"]), is_entry["notes"]
    import warnings

    from grading_support import check_source, grading_env

    with grading_env(None), warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)  # Python's warning the notebook shows, under pytest an error
        in_notebook = check_source("rnn_step_forward", '''
def rnn_step_forward(x, h_prev, Wx, Wh, b, activation="tanh"):
    a = x @ Wx + h_prev @ Wh + b
    h = np.tanh(a) if activation is "tanh" else np.maximum(a, 0.0)
    return h, (x, h_prev, h, Wx, Wh, activation)
''')
    assert in_notebook.status == "incorrect" and in_notebook.points == is_entry["items"][0]["points"]


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="VmHWM is Linux's")
def test_the_reported_peak_memory_is_the_graders_own_not_its_parents():
    """The kernel carries ``ru_maxrss`` across exec: a grader started by a 500 MB process would report 500 MB."""
    code = "from rnn_course.grading.grader import _peak_rss_mb; print(_peak_rss_mb())"
    ballast = bytearray(500 * 1024 * 1024)
    ballast[::4096] = b"\x01" * len(ballast[::4096])  # touch every page: it is resident
    reported = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                    check=True).stdout)
    del ballast
    assert 0 < reported < 200, reported
