"""Keeping graded functions off the course's reference implementations.

* grading/isolation/stubs.py and staging.py: the copy of the package a graded submission runs with has the
  item's references replaced by stubs (nothing of their code left), no checks, and still imports;
* grading/isolation/references.py: the notebook's traps (feedback on the student's own machine) and the
  recognition of verbatim copies.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from rnn_course.grading import EXERCISES, ITEMS
from rnn_course.grading.isolation import references, stubs
from rnn_course.grading.isolation.staging import PackageViews

# ---------------------------------------------------------------------------------------------- stubs


def test_each_item_forbids_its_own_references_only():
    """The grader used to trap the union of every item's references for the whole notebook, so using
    rnn_course.activations.tanh inside rnn_step_forward was "calling the course's reference"."""
    step = stubs.stub_plan(ITEMS["rnn_step_forward"].forbid, "rnn_step_forward")
    soft = stubs.stub_plan(ITEMS["softmax"].forbid, "softmax")
    assert "rnn_course.activations" not in step and "rnn_step_forward" in step["rnn_course.cells.rnn"]
    assert {"softmax", "tanh", "sigmoid"} <= soft["rnn_course.activations"]
    assert "rnn_course.cells.rnn" not in soft
    clip = stubs.stub_plan(ITEMS["clip_grad_norm"].forbid, "clip_grad_norm")
    assert clip["rnn_course.optim"] == {"clip_grad_norm", "global_norm", "clip_grad_value"}  # SGD, Adam stay


def test_a_stub_keeps_the_signature_and_docstring_and_nothing_of_the_body():
    source = '''
import numpy as np

@staticmethod
def helper(x, axis=-1):
    """Say what it does."""
    secret = np.exp(x - x.max())
    return secret / secret.sum()

class Model:
    def __init__(self, n):
        self.n = n

    def forward(self, x):
        return self.n * x

    @property
    def size(self):
        return self.n
'''
    out = stubs.stub_source(source, "pkg.mod", {"helper", "Model.forward"})
    assert "secret" not in out and "np.exp" not in out and "self.n * x" not in out
    assert "def helper(x, axis=-1):" in out and "Say what it does." in out and "@staticmethod" in out
    assert "ReferenceCalled('pkg.mod:helper')" in out and "ReferenceCalled('pkg.mod:Model.forward')" in out
    assert "self.n = n" in out and "return self.n" in out  # what was not named stays


def test_what_the_package_runs_while_importing_is_never_stubbed():
    needs = stubs.import_time_needs()
    assert ("rnn_course.models.base", "register_model") in needs  # a decorator, called at import
    assert ("rnn_course.cells.rnn", "rnn_forward") not in needs  # only named in a table at import, not called
    assert ("rnn_course.activations", "softmax") not in needs


@pytest.fixture(scope="module")
def views():
    with PackageViews() as v:
        yield v


def test_items_that_forbid_the_same_things_share_a_copy(views):
    keys = {name: views.key(item.forbid, item.function) for name, item in ITEMS.items()}
    assert keys["rnn_step_forward"] == keys["rnn_forward"] and keys["softmax"] == keys["softmax_cross_entropy"]
    assert keys["rnn_step_forward"] != keys["softmax"] and keys["numerical_gradient"] != keys["rnn_backward"]


def test_every_items_copy_imports_has_no_checks_and_no_reference_code(views):
    """The copy each item's process gets: ``import rnn_course`` and every module in it work (but the checks, which
    are not there), ``check``/``hint`` import for the notebook, and the forbidden functions are stubs."""
    folders = {}
    for items in EXERCISES.values():
        for item in items:
            folders.setdefault(views.view(item.forbid, item.function), item)
    code = """
import importlib, pkgutil, sys
import rnn_course
from rnn_course.grading import check, check_all, hint, needs
bad = []
for m in pkgutil.walk_packages(rnn_course.__path__, "rnn_course."):
    try:
        importlib.import_module(m.name)
    except ModuleNotFoundError as err:
        if "grading.checks" not in str(err):
            bad.append(m.name)
    except Exception as err:
        bad.append(f"{m.name}: {err}")
print(bad)
"""
    for folder, item in folders.items():
        assert not (folder / "rnn_course" / "grading" / "checks").exists()
        env = dict(os.environ, PYTHONPATH=str(folder), RNN_COURSE_GRADING="1", MPLBACKEND="Agg")
        result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=folder)
        assert result.returncode == 0 and result.stdout.strip() == "[]", (item.name, result.stdout, result.stderr)
    rnn = (views.view(ITEMS["rnn_forward"].forbid, "rnn_forward") / "rnn_course" / "cells" / "rnn.py").read_text()
    assert "ReferenceCalled('rnn_course.cells.rnn:rnn_forward')" in rnn and "np.tanh(" not in rnn
    act = (views.view(ITEMS["rnn_forward"].forbid, "rnn_forward") / "rnn_course" / "activations.py").read_text()
    assert "ReferenceCalled" not in act  # rnn_forward may use the package's tanh


# ---------------------------------------------------------------------------------------------- the notebook's traps


def test_armed_traps_restore_the_package_and_trust_only_its_core_code():
    import rnn_course
    from rnn_course.cells import rnn as rnn_module

    code = rnn_module.rnn_step_forward.__code__
    x, h, Wx, Wh, b = np.ones((1, 2)), np.zeros((1, 3)), np.ones((2, 3)), np.eye(3), np.zeros(3)
    with references.armed(["rnn_course.cells"]) as calls:
        with pytest.raises(references.ReferenceCalled):
            rnn_course.rnn_step_forward(x, h, Wx, Wh, b)
        assert calls == ["rnn_course.cells.rnn:rnn_step_forward"]
    assert rnn_module.rnn_step_forward.__code__ is code
    with references.armed(["rnn_course.cells:rnn_forward"]) as calls:
        # the jacobians module (not forbidden) runs rnn_forward for the caller: allowed
        states = rnn_course.jacobians.simulate_states(np.eye(3) * 0.5, T=4)
    assert states.shape == (4, 3) and calls == []


def test_forbidden_specs_resolve_to_functions():
    found = references.forbidden_functions(["rnn_course.activations:softmax"], "clip_grad_norm")
    assert set(found) == {"rnn_course.activations:softmax", "rnn_course.optim:clip_grad_norm"}
    whole = references.forbidden_functions(["rnn_course.cells"])
    assert "rnn_course.cells.lstm:lstm_step_backward" in whole
    assert not any(k.startswith("rnn_course.grading") for k in whole)


def test_a_called_reference_is_recorded_even_when_the_exception_is_swallowed():
    before = len(references.CALLS)
    try:
        raise references.ReferenceCalled("rnn_course.cells.rnn:rnn_forward")
    except references.ReferenceCalled:
        pass
    assert references.CALLS[before:] == ["rnn_course.cells.rnn:rnn_forward"]


def test_a_verbatim_copy_needs_length_or_the_docstring():
    import inspect

    from rnn_course import activations, optim

    def signature_of(source, name):
        scope: dict = {"np": np}
        exec(source, scope)  # noqa: S102
        return references.signature(scope[name])

    copy = inspect.getsource(optim.clip_grad_norm)
    assert references.copied_from(signature_of(copy, "clip_grad_norm"), "clip_grad_norm") == \
        "rnn_course.optim.clip_grad_norm"
    short = "def tanh(x):\n    return np.tanh(x)\n"  # what anyone would write: not a copy
    assert references.copied_from(signature_of(short, "tanh"), "tanh") is None
    assert references.copied_from(["junk"], "softmax") is None
    renamed = inspect.getsource(activations.softmax).replace("shifted", "z")
    assert references.copied_from(signature_of(renamed, "softmax"), "softmax") is None
