"""Every lesson follows the notebook conventions of DESIGN.md; lessons 00-02 say what issue 3 asks.

The notebooks themselves are executed by nbval (pytest collects notebooks/*.ipynb,
see ``testpaths`` in pyproject.toml); these tests check their structure for every
lesson (the sections every lesson must have, hidden answers, the slide metadata, an
interactive demo, that each .ipynb is the one generated from its .py twin) and the
set-up and notation content of lesson 00; and, for lesson 04, that no code is hidden and that the
lesson asserts its claims.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rnn_course.tools.notebooks import render

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.py"))


def test_every_lesson_of_the_course_map_is_checked():
    assert LESSONS[:3] == ["00_welcome", "01_sequences_and_unrolling", "02_backpropagation_through_time"]
    assert len(LESSONS) == 9, LESSONS


def _cells(name):
    """The lesson's cells after the Colab header (badge and install cell, tagged "colab": tests/test_colab.py)."""
    cells = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]
    return [c for c in cells if "colab" not in c["metadata"].get("tags", [])]


def _markdown(name) -> str:
    return "\n".join("".join(c["source"]) for c in _cells(name) if c["cell_type"] == "markdown")


def _code(name) -> list[str]:
    return ["".join(c["source"]) for c in _cells(name) if c["cell_type"] == "code"]


@pytest.mark.parametrize("name", LESSONS)
def test_notebook_is_generated_from_its_twin(name):
    py = ROOT / "notebooks" / f"{name}.py"
    ipynb = py.with_suffix(".ipynb")
    assert ipynb.read_text(encoding="utf-8") == render(py), f"run `rnn-course notebooks sync` for {name}"


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_has_the_required_sections(name):
    text = _markdown(name)
    for heading in ("What you will learn", "Prerequisites", "Time", "## Summary", "### Check your understanding",
                    "### References"):
        assert heading in text, f"{name}: missing {heading!r}"
    # answers are hidden until the student asks for them
    assert re.search(r"<details><summary>Answers</summary>.+</details>", text, re.S)
    questions = re.findall(r"^\d\. ", text.split("### Check your understanding")[1].split("<details>")[0], re.M)
    assert len(questions) >= 4


@pytest.mark.parametrize("name", LESSONS)
def test_first_code_cell_sets_up_inline_figures(name):
    assert _code(name)[0].startswith("%matplotlib inline")


@pytest.mark.parametrize("name", LESSONS)
def test_slide_metadata(name):
    cells = _cells(name)
    assert cells[0]["metadata"].get("slideshow", {}).get("slide_type") == "slide"
    for cell in cells:
        source = "".join(cell["source"])
        kind = cell["metadata"].get("slideshow", {}).get("slide_type")
        if cell["cell_type"] == "markdown" and re.match(r"#{1,2} ", source):
            assert kind == "slide", f"{name}: section {source.splitlines()[0]!r} is not a slide"
        if cell["cell_type"] == "code" and source.startswith("%matplotlib inline"):
            assert kind == "skip", f"{name}: the set-up cell should not be on a slide"
    kinds = {c["metadata"].get("slideshow", {}).get("slide_type") for c in cells}
    assert {"subslide", "fragment"} & kinds


@pytest.mark.parametrize("name", LESSONS)
def test_each_lesson_has_an_interactive_demo(name):
    assert any(re.search(r"^\w+_demo\(", src, re.M) for src in _code(name)), f"{name} shows no demo"


def test_welcome_checks_the_setup_and_says_what_to_do_about_widgets():
    code = "\n".join(_code("00_welcome"))
    text = _markdown("00_welcome")
    assert "doctor.report()" in code
    assert "widgets in JupyterLab" in code and "will NOT render" in code
    assert "static fallback" in text and "restart JupyterLab" in text
    assert "rnn-course doctor" in text
    # the feedback a check gives is shown live: not attempted, incorrect with a diagnosis, correct
    assert code.count('check("rnn_step_forward", rnn_step_forward)') == 3


def test_welcome_maps_the_notation_to_other_conventions():
    text = _markdown("00_welcome")
    for convention in ("U x_t", "CS231n", "d2l.ai", "weight_ih_l0", "weight_hh_l0", "batch_first", "min-char-rnn"):
        assert convention in text, convention
    code = "\n".join(_code("00_welcome"))
    assert "weight_ih, weight_hh = Wx.T, Wh.T" in code


def test_glossary_has_the_chinese_terms():
    text = _markdown("00_welcome")
    for term in ("循环神经网络", "隐藏状态", "展开", "随时间反向传播", "梯度消失", "梯度爆炸", "梯度裁剪",
                 "长短期记忆网络", "遗忘门", "输入门", "输出门", "细胞状态", "门控循环单元", "双向", "堆叠",
                 "教师强制"):
        assert term in text, term


def test_lesson_01_covers_the_issue():
    text = _markdown("01_sequences_and_unrolling")
    code = "\n".join(_code("01_sequences_and_unrolling"))
    for needle in ("plot_unrolled(", "plot_io_patterns(", "plot_activations(", "plot_softmax(", "hidden_state_demo(",
                   "parity_demo(", "parity_rnn(", "window_lookup_baseline("):
        assert needle in code, needle
    for pattern in ("one-to-one", "one-to-many", "many-to-one", "synced", "delayed"):
        assert pattern in code
    assert "Strengths and weaknesses" in text


def test_lesson_02_covers_the_issue():
    text = _markdown("02_backpropagation_through_time")
    code = "\n".join(_code("02_backpropagation_through_time"))
    for symbol in (r"\frac{\partial L}{\partial W_h}", r"\frac{\partial L}{\partial W_x}",
                   r"\frac{\partial L}{\partial W_y}", r"\frac{\partial L}{\partial b}", r"\prod_{j=t}^{k+1}"):
        assert symbol in text, symbol
    for needle in ("for t in reversed(range(T))", "gradcheck_layer(rnn_forward, student_rnn_backward",
                   "plot_gradcheck(report)", "dWh_contributions(", "plot_gradient_reaching(", "truncate_mode=\"chunk\"",
                   "plot_truncation(", "count_backward_steps(", "bptt_demo("):
        assert needle in code, needle


def test_the_readme_test_command_runs_the_lessons():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")  # (tomllib needs Python 3.11)
    testpaths = re.search(r"^testpaths\s*=\s*\[([^\]]*)\]", pyproject, re.M).group(1)
    assert '"notebooks"' in testpaths
    assert '"--nbval-lax"' in pyproject.split("[tool.pytest.ini_options]")[1]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = readme.split("<!-- test-command -->")[1].split("```")[1]
    assert "pytest" in command and "--ignore" not in command and "-k" not in command.split()


@pytest.mark.parametrize("lesson", LESSONS)
def test_no_lesson_hides_code_from_its_reader(lesson):
    """Code may be left off the slides (slide_type "skip", or the slides-only tag remove-input, which the
    notebook and the site ignore: tests/test_site.py), never hidden in JupyterLab or on the site."""
    cells = json.loads((ROOT / "notebooks" / f"{lesson}.ipynb").read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        metadata = cell["metadata"]
        assert not metadata.get("jupyter", {}).get("source_hidden"), cell["source"]  # JupyterLab collapses it
        assert not set(metadata.get("tags", ())) & {"hide-input", "hide_input"}, cell["source"]  # Jupyter Book's
        assert "form" not in metadata.get("cellView", ""), cell["source"]  # Colab shows only the form


# -- lesson 04's notebook --------------------------------------------------------------------------------
def _lesson_cells():
    import json

    return json.loads((ROOT / "notebooks" / "04_lstm_and_gru.ipynb").read_text(encoding="utf-8"))["cells"]


def test_no_code_is_hidden_in_the_notebook():
    """Code may be left off the slides (slide_type "skip"), never hidden from the notebook's reader."""
    for cell in _lesson_cells():
        tags = set(cell["metadata"].get("tags", ()))
        assert not tags & {"remove-input", "remove_input", "hide-input", "remove-cell", "remove_cell"}, cell["source"]
        assert not cell["metadata"].get("jupyter", {}).get("source_hidden"), cell["source"]


def test_the_lesson_asserts_its_claims():
    """Claims are executable: the lesson checks what its text says with asserts on computed values."""
    code = "\n".join("".join(c["source"]) for c in _lesson_cells() if c["cell_type"] == "code")
    assert len(re.findall(r"^\s*assert ", code, re.M)) >= 40
    for needle in ("first_success(runs[\"CIFG LSTM\", seed][1]) < first_success(runs[\"LSTM\", seed][1])",
                   "offset_only.solved == 0", "bias_gain"):
        assert needle in code, needle
