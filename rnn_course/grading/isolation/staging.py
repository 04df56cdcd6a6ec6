"""The course package as a graded submission's process sees it: no checks, and the item's references stubbed.

    views = PackageViews()
    folder = views.view(["rnn_course.cells"], "rnn_forward")   # folder/rnn_course is the copy
    ...
    views.close()

A view is a copy of the installed package with

* ``grading/checks/`` left out: the checks hold the reference implementations
  the judge compares with and the known-wrong variants, and a submission's
  process never needs them (the judge runs the checks);
* ``tools/`` left out (the instructor's commands; nothing a notebook imports);
* every module the item forbids rewritten by ``stubs.stub_source``: its
  functions keep their names and signatures but only raise ``ReferenceCalled``.

Everything else (numpy helpers an exercise legitimately uses, such as
``rnn_course.activations.tanh`` in ``rnn_step_forward``, the feedback API a
notebook imports, the worker itself) is there unchanged. Items that forbid
the same things share one view; a view is built once per grading run.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from pathlib import Path

from . import stubs

__all__ = ["PackageViews"]


class PackageViews:
    """Copies of the package, one per distinct set of stubs, in a private temporary folder."""

    def __init__(self, package_dir: str | Path | None = None):
        self.package_dir = Path(package_dir or stubs.PACKAGE_DIR)
        self.root = Path(tempfile.mkdtemp(prefix="rnn-course-views-"))
        os.chmod(self.root, 0o755)  # a sandbox's user must be able to read it
        self._views: dict[str, Path] = {}
        self._lock = threading.Lock()  # the grader's threads share one set of views

    def key(self, specs, function_name: str | None = None) -> str:
        """Items with the same key see the same package (and can share one process)."""
        plan = stubs.stub_plan(specs, function_name, self.package_dir)
        text = repr(sorted((m, sorted(n)) for m, n in plan.items()))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def view(self, specs, function_name: str | None = None) -> Path:
        """The folder holding this item's ``rnn_course`` (built on first use)."""
        plan = stubs.stub_plan(specs, function_name, self.package_dir)
        key = self.key(specs, function_name)
        with self._lock:
            if key not in self._views:
                self._views[key] = self._build(key, plan)
            return self._views[key]

    def _build(self, key: str, plan: dict) -> Path:
        folder = self.root / key
        target = folder / self.package_dir.name
        left_out = {self.package_dir.joinpath(*m.split(".")[1:]) for m in stubs.LEFT_OUT}

        def ignore(directory, names):
            here = Path(directory)
            return {n for n in names if n == "__pycache__" or n.endswith((".pyc", ".pyo"))
                    or here / n in left_out}

        shutil.copytree(self.package_dir, target, ignore=ignore)
        sources = {m: p for m, (p, _) in stubs.package_sources(self.package_dir).items()}
        for module, names in plan.items():
            path = sources.get(module)
            if path is None:
                continue
            dest = target / path.relative_to(self.package_dir)
            if not dest.exists():
                continue  # a left-out part
            dest.write_text(stubs.stub_source(path.read_text(encoding="utf-8"), module, names),
                            encoding="utf-8")
        for directory, _dirs, files in os.walk(folder):
            os.chmod(directory, 0o755)
            for f in files:
                os.chmod(os.path.join(directory, f), 0o644)
        return folder

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        self._views.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
