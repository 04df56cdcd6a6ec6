"""A student's save in JupyterLab never rewrites the course's .py sources.

JupyterLab saves through its contents manager; with jupytext installed (the
course extra installs it) that is jupytext's, which writes every paired format
of a notebook on save. These tests copy the checkout (its tracked files, as a
clone would have them) to a temporary folder, save notebooks there through
the same contents manager class jupytext's server extension gives JupyterLab,
and ask git what changed. Also: lesson 03's .ipynb is the one generated from its .py twin.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import tomllib

from rnn_course.tools import colab, notebooks

ROOT = Path(__file__).resolve().parents[1]


def _git(folder: Path, *args) -> str:
    return subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, text=True).stdout


def clone_of_checkout(dest: Path) -> Path:
    """The tracked files of this checkout (with their current content), committed in a new repository."""
    tracked = _git(ROOT, "ls-files", "-z").split("\0")
    for rel in filter(None, tracked):
        source = ROOT / rel
        if source.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / rel)
    _git(dest, "init", "-q")
    _git(dest, "add", "-A")
    _git(dest, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "clone")
    return dest


def save_like_jupyterlab(root: Path, paths: list[str]) -> None:
    """Open each notebook, change a code cell as a student would, and save it, through jupytext's contents
    manager (the asynchronous one JupyterLab 4 gets from jupytext's server extension)."""
    from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
    from jupytext.async_contentsmanager import build_async_jupytext_contents_manager_class

    manager = build_async_jupytext_contents_manager_class(AsyncLargeFileManager)(root_dir=str(root))

    async def save_all():
        for path in paths:
            model = await manager.get(path, content=True)
            code = [c for c in model["content"]["cells"] if c["cell_type"] == "code"]
            code[-1]["source"] += "\nmy_answer = 42  # a student's edit"
            await manager.save(model, path)

    asyncio.run(save_all())


def changed_files(root: Path) -> list[str]:
    lines = _git(root, "status", "--porcelain", "--untracked-files=all").splitlines()
    return sorted(line[3:] for line in lines if ".ipynb_checkpoints/" not in line)


def student_notebooks(root: Path) -> list[str]:
    return sorted(ipynb.relative_to(root).as_posix() for _, ipynb in notebooks.twins(root))


@pytest.fixture
def isolated_config(tmp_path, monkeypatch):
    """No jupytext configuration from this machine's home or system folders; returns the folder jupytext
    reads a user's configuration from."""
    user = tmp_path / "user-config"
    user.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(user))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "no-system-config"))
    return user


def test_saving_lessons_and_exercises_in_jupyterlab_leaves_every_py_untouched(tmp_path, isolated_config):
    clone = clone_of_checkout(tmp_path / "clone")
    paths = student_notebooks(clone)
    assert "exercises/01_forward_pass.ipynb" in paths and "notebooks/01_sequences_and_unrolling.ipynb" in paths
    save_like_jupyterlab(clone, paths)
    changed = changed_files(clone)
    assert changed == paths, f"a save changed more than the saved notebooks: {sorted(set(changed) - set(paths))}"
    saved = json.loads((clone / "exercises/01_forward_pass.ipynb").read_text(encoding="utf-8"))
    assert any("my_answer = 42" in "".join(c["source"]) for c in saved["cells"])  # the save itself happened


def test_a_students_own_pairing_configuration_does_not_reach_the_course(tmp_path, isolated_config):
    # A student who pairs every notebook in ~/.config/jupytext (for another course) still saves only the .ipynb:
    # the course's notebooks say in their metadata that they are paired with nothing.
    (isolated_config / "jupytext").mkdir()
    (isolated_config / "jupytext" / "jupytext.toml").write_text('formats = "ipynb,py:percent"\n', encoding="utf-8")
    clone = clone_of_checkout(tmp_path / "clone")
    paths = ["exercises/01_forward_pass.ipynb", "notebooks/00_welcome.ipynb"]
    save_like_jupyterlab(clone, paths)
    assert changed_files(clone) == paths


def test_the_repository_pairs_nothing_through_jupytext_configuration():
    from jupytext.config import JUPYTEXT_CONFIG_FILES

    for name in JUPYTEXT_CONFIG_FILES:
        for folder in (ROOT, ROOT / "notebooks", ROOT / "solutions", ROOT / "exercises"):
            assert not (folder / name).exists(), f"{folder / name}: a pairing config rewrites .py files on save"
    assert "jupytext" not in tomllib.loads((ROOT / "pyproject.toml").read_text()).get("tool", {})
    for _, ipynb in notebooks.twins(ROOT):
        metadata = json.loads(ipynb.read_text(encoding="utf-8"))["metadata"]
        assert metadata.get("jupytext") == notebooks.UNPAIRED, ipynb


def test_check_reports_a_stale_pair_and_sync_fixes_it(tmp_path):
    for folder in ("notebooks", "exercises"):
        (tmp_path / folder).mkdir()
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    py = tmp_path / "notebooks" / "09_new.py"
    py.write_text("# %% [markdown]\n# # Nine\n\n# %%\nx = 1\n", encoding="utf-8")
    problems = notebooks.out_of_sync(tmp_path)
    assert any("09_new.ipynb is missing" in p for p in problems)
    assert any("09_new.py lacks its Colab header" in p for p in problems)
    written = notebooks.sync(tmp_path)
    assert {p.name for p in written} == {"09_new.py", "09_new.ipynb"}
    assert notebooks.out_of_sync(tmp_path) == []
    assert py.read_text(encoding="utf-8").startswith(colab.header("notebooks/09_new.py"))
    py.write_text(py.read_text(encoding="utf-8").replace("x = 1", "x = 2"), encoding="utf-8")
    assert notebooks.out_of_sync(tmp_path) == [
        "notebooks/09_new.ipynb differs from its twin 09_new.py (run `rnn-course notebooks sync`)"]
    assert notebooks.sync(tmp_path) == [tmp_path / "notebooks" / "09_new.ipynb"]
    assert notebooks.sync(tmp_path) == []  # idempotent
