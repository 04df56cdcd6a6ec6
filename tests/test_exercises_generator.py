"""`rnn-course exercises build`: exercises/ is generated from solutions/ and never overwrites a student's work."""

from __future__ import annotations

import json
import shutil

import pytest
from grading_support import EXERCISE_SETS, ROOT

from rnn_course.tools import exercises as gen
from rnn_course.tools.notebooks import out_of_sync

SOLUTION = '''# %% [markdown]
# # Title
#
# ### BEGIN HIDDEN
# instructor's note
# ### END HIDDEN
# Text for students.

# %%
import numpy as np


def f(x):
    """Docstring stays."""
    ### BEGIN SOLUTION
    y = x + 1
    return y
    ### END SOLUTION


class A:
    def g(self):
        if True:
            ### BEGIN SOLUTION
            return 2
            ### END SOLUTION

# %%
### BEGIN HIDDEN
assert f(1) == 2
### END HIDDEN

# %% [markdown]
# The end.
'''


def test_solution_blocks_become_stubs_at_their_indentation_and_hidden_blocks_vanish():
    out = gen.generate(SOLUTION)
    assert "### BEGIN" not in out and "### END" not in out
    assert "instructor's note" not in out and "assert f(1) == 2" not in out and "y = x + 1" not in out
    stub = '    # YOUR CODE HERE\n    raise NotImplementedError("write your code here")\n'
    assert '    """Docstring stays."""\n' + stub in out
    assert '            # YOUR CODE HERE\n            raise NotImplementedError("write your code here")\n' in out
    assert "# Text for students." in out and "# The end." in out
    assert out.count("# %%") == 3  # the cell that held only a hidden block is gone
    namespace: dict = {}
    exec(compile(out, "<exercise>", "exec"), namespace)  # the stubbed file still runs  # noqa: S102
    with pytest.raises(NotImplementedError):
        namespace["f"](1)


@pytest.mark.parametrize(("text", "message"), [
    ("# %%\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n", "top level of a cell"),
    ("# %% [markdown]\n# ### BEGIN SOLUTION\n# x\n# ### END SOLUTION\n", "markdown cell"),
    ("# %%\ndef f():\n    ### END SOLUTION\n", "without a matching BEGIN"),
    ("# %%\ndef f():\n    ### BEGIN SOLUTION\n    ### BEGIN HIDDEN\n", "inside an open SOLUTION block"),
    ("# %%\ndef f():\n    ### BEGIN SOLUTION\n    return 1\n", "is never closed"),
])
def test_malformed_solution_files_are_refused_with_the_line(text, message):
    with pytest.raises(gen.ExerciseError, match=message) as info:
        gen.generate(text, "solutions/x.py")
    assert "solutions/x.py:" in str(info.value)


def test_committed_exercises_are_what_the_generator_makes():
    assert gen.check(ROOT) == []
    assert [p for p in out_of_sync(ROOT, ("solutions", "exercises"))] == []


def test_every_exercise_set_has_a_solution_and_an_exercise_without_solutions():
    for name in EXERCISE_SETS:
        solution = (ROOT / "solutions" / f"{name}.py").read_text()
        exercise = (ROOT / "exercises" / f"{name}.py").read_text()
        assert "### BEGIN SOLUTION" in solution
        assert "### BEGIN" not in exercise and "Instructor's copy" not in exercise
        blocks = sum(line.strip() == "### BEGIN SOLUTION" for line in solution.splitlines())
        assert exercise.count('raise NotImplementedError("write your code here")') == blocks > 0


@pytest.fixture
def course(tmp_path):
    """A throwaway course folder with two solutions and nothing generated yet."""
    (tmp_path / "solutions").mkdir()
    for name in EXERCISE_SETS[:2]:
        shutil.copy(ROOT / "solutions" / f"{name}.py", tmp_path / "solutions" / f"{name}.py")
    return tmp_path


def test_build_writes_then_has_nothing_to_do(course):
    written, refused = gen.build(course)
    assert refused == [] and len(written) == 4
    manifest = json.loads((course / "exercises" / gen.MANIFEST).read_text())
    assert set(manifest) == {p.name for p in written}
    assert gen.build(course) == ([], [])
    assert gen.check(course) == []


def test_build_refuses_to_overwrite_an_edited_exercise_unless_forced(course):
    gen.build(course)
    exercise = course / "exercises" / "01_forward_pass.py"
    edited = exercise.read_text().replace('raise NotImplementedError("write your code here")', "return 42", 1)
    exercise.write_text(edited)
    solution = course / "solutions" / "01_forward_pass.py"
    solution.write_text(solution.read_text().replace("about an hour", "about 70 minutes"))
    written, refused = gen.build(course)
    assert refused == [exercise]
    assert exercise.read_text() == edited  # the student's work is still there
    assert course / "exercises" / "01_forward_pass.ipynb" in written  # its untouched twin was regenerated
    assert any("edited by hand" in line for line in gen.check(course))
    written, refused = gen.build(course, force=True)
    assert refused == [] and exercise in written
    assert "return 42" not in exercise.read_text() and "about 70 minutes" in exercise.read_text()


def test_a_changed_solution_regenerates_an_untouched_exercise(course):
    gen.build(course)
    solution = course / "solutions" / "02_bptt.py"
    solution.write_text(solution.read_text().replace("about 75 minutes", "about 80 minutes"))
    assert any("out of date" in line for line in gen.check(course))
    written, refused = gen.build(course)
    assert refused == [] and {p.name for p in written} == {"02_bptt.py", "02_bptt.ipynb"}
    assert "about 80 minutes" in (course / "exercises" / "02_bptt.ipynb").read_text()


def test_cli(course, capsys):
    from rnn_course.cli import main

    (course / "notebooks").mkdir()
    (course / "pyproject.toml").write_text("")
    assert main(["exercises", "check", "--dir", str(course)]) == 1
    assert main(["exercises", "build", "--dir", str(course)]) == 0
    assert "wrote exercises/01_forward_pass.ipynb" in capsys.readouterr().out
    assert main(["exercises", "check", "--dir", str(course)]) == 0
    (course / "exercises" / "02_bptt.py").write_text("# my answers\n")
    assert main(["exercises", "build", "--dir", str(course)]) == 1
    assert "refused to overwrite exercises/02_bptt.py" in capsys.readouterr().err
    assert main(["exercises", "build", "--force", "--dir", str(course)]) == 0
    (course / "solutions" / "03_broken.py").write_text("# %%\n### BEGIN SOLUTION\n")
    assert main(["exercises", "build", "--dir", str(course)]) == 2
    assert "solutions/03_broken.py:2" in capsys.readouterr().err
