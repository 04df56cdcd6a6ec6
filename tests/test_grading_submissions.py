"""grading/submissions.py: finding what a class handed in, reading it, and naming its student."""

from __future__ import annotations

import json

from grading_support import ROOT, write_submission

from rnn_course.grading import EXERCISES
from rnn_course.grading.submissions import (
    Submission,
    detect_exercise,
    find_submissions,
    load_submission,
    percent_cells,
    split_percent,
    student_of,
)


def test_loading_never_raises(tmp_path):
    odd = {
        "01_forward_pass_a.ipynb": "[1, 2, 3]",
        "01_forward_pass_b.ipynb": '{"cells": [{"cell_type": "code", "source": 5}, "junk"]}',
        "01_forward_pass_c.py": "def rnn_step_forward(x):\n    return x\n",
    }
    for name, text in odd.items():
        (tmp_path / name).write_text(text)
    loaded = {name: load_submission(tmp_path / name) for name in odd}
    assert "not a Jupyter notebook" in loaded["01_forward_pass_a.ipynb"].problem
    assert loaded["01_forward_pass_b.ipynb"].cells == ["5"]
    assert loaded["01_forward_pass_c.py"].cells == [odd["01_forward_pass_c.py"]]
    assert load_submission(tmp_path / "gone.ipynb").problem.startswith("could not read the file")
    assert detect_exercise(loaded["01_forward_pass_c.py"], EXERCISES) == "01_forward_pass"
    renamed = Submission(tmp_path / "alice.py", text="def lstm_step_forward(\ndef gru_step_forward(")
    assert detect_exercise(renamed, EXERCISES) == "04_gates"


def test_a_byte_order_mark_is_not_code(tmp_path):
    """Files saved with a UTF-8 BOM (some Windows editors) scored 0: the notebook was not JSON, the script began
    with an invalid character."""
    for name in ("01_forward_pass.ipynb", "01_forward_pass.py"):
        path = write_submission(tmp_path, name, bom=True)
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
        sub = load_submission(path)
        assert sub.problem is None and not sub.cells[0].startswith("\ufeff")
        assert any("def rnn_step_forward" in c for c in sub.cells)


def test_upper_case_suffixes_are_found_and_nothing_is_passed_over_silently(tmp_path):
    write_submission(tmp_path / "class", "alice_01_forward_pass.IPYNB")
    write_submission(tmp_path / "class", "bob_01_forward_pass.PY")
    (tmp_path / "class" / "notes.txt").write_text("not a submission")
    (tmp_path / "class" / ".hidden.py").write_text("")
    files, passed = find_submissions([tmp_path / "class"])
    assert sorted(f.name for f in files) == ["alice_01_forward_pass.IPYNB", "bob_01_forward_pass.PY"]
    assert [p.name for p in passed] == ["notes.txt"]
    assert load_submission(files[0]).problem is None and load_submission(files[0]).metadata  # read as a notebook


def test_a_symbolic_link_is_its_own_row_and_says_what_it_points_to(tmp_path):
    """Deduplicating by the resolved path let a link to bob's file replace bob's row with the link's."""
    real = write_submission(tmp_path, "bob_01_forward_pass.py")
    (tmp_path / "alice_01_forward_pass.py").symlink_to(real.name)
    files, _ = find_submissions([tmp_path])
    assert [f.name for f in files] == ["alice_01_forward_pass.py", "bob_01_forward_pass.py"]
    assert load_submission(tmp_path / "alice_01_forward_pass.py").link == real.name
    again, _ = find_submissions([tmp_path, real])  # the same path given twice is one row
    assert len(again) == 2


def test_the_student_comes_from_the_metadata_the_file_name_or_the_folder(tmp_path):
    nb = write_submission(tmp_path, "01_forward_pass.ipynb", metadata={"rnn_course": {"student": "s1234"}})
    assert student_of(load_submission(nb), "01_forward_pass") == "s1234"
    named = write_submission(tmp_path, "alice_01_forward_pass.py")
    assert student_of(load_submission(named), "01_forward_pass") == "alice"
    dashed = write_submission(tmp_path, "forward_pass-Bob.py", exercise="01_forward_pass")
    assert student_of(load_submission(dashed), "01_forward_pass") == "Bob"
    foldered = write_submission(tmp_path / "carol", "01_forward_pass.py")
    assert student_of(load_submission(foldered), "01_forward_pass") == "carol"


def test_one_cell_splitter_for_the_grader_and_the_exercise_generator():
    text = (ROOT / "solutions" / "01_forward_pass.py").read_text(encoding="utf-8")
    cells = split_percent(text.splitlines())
    assert cells[0][0] is None and all(h.startswith("# %%") for h, _ in cells[1:])
    code = percent_cells(text)
    assert len(code) == sum(1 for h, _ in cells[1:] if "[markdown]" not in h)
    assert percent_cells("print(1)\n") == ["print(1)\n"]  # a plain script is one cell
    from rnn_course.tools import exercises

    assert exercises.split_percent is split_percent


def test_a_notebook_written_from_the_template_reads_back_the_same_code(tmp_path):
    py = load_submission(write_submission(tmp_path, "01_forward_pass.py"))
    nb = load_submission(write_submission(tmp_path, "01_forward_pass.ipynb"))
    assert [c.strip() for c in py.cells if c.strip()] == [c.strip() for c in nb.cells if c.strip()]
    assert json.loads((tmp_path / "01_forward_pass.ipynb").read_text())["nbformat"] == 4
