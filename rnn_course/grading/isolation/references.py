"""Keep graded functions from passing by calling (or copying) the course's reference implementation.

What an item forbids is a list of specs: ``"rnn_course.cells"`` (every
function and method defined in that package or module) or
``"rnn_course.activations:softmax"`` (one function); every item also forbids
any package function with the graded function's own name. Each item forbids
its own references only: ``rnn_step_forward`` may use
``rnn_course.activations.tanh``, ``softmax`` may not use
``rnn_course.activations``.

Three mechanisms, one for each place student code runs:

* **The grader** (``stubs.py``, ``staging.py``): the copy of the package a
  submission's process sees (``staging.py``) has the item's references
  rewritten as stubs that raise ``ReferenceCalled``. The original code is not
  in that process, nor readable from it (in the sandbox, the package is a
  read-only copy; the original is not mounted), so there is nothing to
  switch back on: no dispatcher to reach through a closure, no source file
  to re-read through a hard link, no module name to impersonate.
* **A notebook** (``armed``): while one graded call runs, the item's
  references are swapped for traps, so ``check()`` can say "it calls the
  course's reference". This is feedback on the student's own machine, where
  the whole package is installed; it is not a defence (a student can get
  around it in their own notebook, and only fool themselves).
* **Copies** (``signature``, ``copied_from``): a reference pasted into a
  notebook verbatim is recognised by its bytecode. The student's side sends
  the function's signature; the judge compares it with the package it has.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import threading
import types

from .stubs import EXEMPT, PACKAGE_DIR, package_sources, parse_specs

__all__ = ["ReferenceCalled", "parse_specs", "forbidden_functions", "armed", "signature", "copied_from",
           "PACKAGE_DIR"]

_PACKAGE = "rnn_course"
#: the course's tooling: never stubbed or trapped unless named
_EXEMPT = EXEMPT
#: never trusted as callers of a trapped reference in a notebook (a demo or plot would otherwise be a way round)
_UNTRUSTED_CALLERS = _EXEMPT
_ARMED = "__rnn_course_armed_trap__"
_lock = threading.RLock()


#: every reference called in this process, in order (a student who swallows the exception is still told)
CALLS: list[str] = []


class ReferenceCalled(Exception):
    """Raised when a graded function calls a reference implementation it must write itself."""

    def __init__(self, reference: str, message: str | None = None):
        module, _, name = str(reference).partition(":")
        self.reference = str(reference)
        if len(CALLS) < 1000:
            CALLS.append(self.reference)
        super().__init__(message or f"{module}.{name} is the course's reference implementation: a graded function "
                                    "must not call it")


def _inside(module: str, prefixes) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


# ---------------------------------------------------------------------------------------------
# the notebook's traps


def _import_quietly(name: str) -> None:
    if name in sys.modules:
        return
    with contextlib.suppress(Exception):
        importlib.import_module(name)


def _package_modules(include=()):
    """The package's loaded modules, without the course's own tooling unless ``include`` names it."""
    for name, module in list(sys.modules.items()):
        if module is None or not (name == _PACKAGE or name.startswith(_PACKAGE + ".")):
            continue
        if _inside(name, _EXEMPT) and not any(name == m or name.startswith(m + ".") for m in include):
            continue
        yield name, module


def forbidden_functions(specs, function_name: str | None = None) -> dict[str, types.FunctionType]:
    """``{"module:name": function}`` for every loaded package function the specs (and ``function_name``) name."""
    _import_quietly(_PACKAGE)
    modules, singles = parse_specs(specs)
    for module in modules + [m for m, _ in singles]:
        _import_quietly(module)
    found: dict[str, types.FunctionType] = {}
    for mod_name, module in _package_modules(include=modules + [m for m, _ in singles]):
        for attr, obj in list(vars(module).items()):
            if not isinstance(obj, types.FunctionType) or obj.__module__ != mod_name:
                continue
            if obj.__code__.co_freevars:
                continue  # closures cannot take the trap's code; module-level functions have none
            if _inside(mod_name, modules) or (mod_name, attr) in singles or (
                    function_name is not None and attr == function_name):
                found[f"{mod_name}:{attr}"] = obj
    return found


def _trap_code(key: str, code: types.CodeType) -> types.CodeType:
    src = f"def _trap(*args, **kwargs):\n    return {_ARMED}({key!r}, args, kwargs)\n"
    namespace: dict = {}
    exec(compile(src, "<reference trap>", "exec"), namespace)  # noqa: S102 - fixed source
    names = {"co_name": code.co_name, "co_filename": code.co_filename, "co_firstlineno": code.co_firstlineno}
    if hasattr(code, "co_qualname"):  # Python 3.11+
        names["co_qualname"] = code.co_qualname
    return namespace["_trap"].__code__.replace(**names)


def _clone(fn: types.FunctionType) -> types.FunctionType:
    twin = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__)
    twin.__kwdefaults__ = fn.__kwdefaults__
    return twin


@contextlib.contextmanager
def armed(specs, function_name: str | None = None):
    """While the block runs, calls of forbidden functions from outside the package are recorded and raise.

    Package code that is not itself forbidden may still call them for the
    student (``gradcheck`` uses ``numerical_gradient``); demos and plots may
    not (they would otherwise be a way round). Yields the list the calls are
    recorded in (``"rnn_course.cells.rnn:rnn_forward"``): a student who
    swallows the exception still gets "it calls the reference".
    """
    functions = forbidden_functions(specs, function_name)
    calls: list[str] = []
    whole = parse_specs(specs)[0]
    originals = {key: _clone(fn) for key, fn in functions.items()}

    def trusted(module_name: str) -> bool:
        return module_name.startswith(_PACKAGE + ".") and not _inside(module_name, _UNTRUSTED_CALLERS) \
            and not _inside(module_name, whole)

    def dispatch(key, args, kwargs):
        caller = sys._getframe(2)  # 0: dispatch, 1: the trap, 2: whoever called the reference
        if trusted(str(caller.f_globals.get("__name__", ""))):
            return originals[key](*args, **kwargs)
        calls.append(key)
        raise ReferenceCalled(key)

    saved = []
    with _lock:
        try:
            for key, fn in functions.items():
                code = fn.__code__
                fn.__globals__[_ARMED] = dispatch
                saved.append((fn, code))
                fn.__code__ = _trap_code(key, code)
            yield calls
        finally:
            for fn, code in saved:
                fn.__code__ = code
                fn.__globals__.pop(_ARMED, None)


# ---------------------------------------------------------------------------------------------
# verbatim copies

_SKIP_OPS = {"CACHE", "NOP", "RESUME", "PRECALL", "EXTENDED_ARG", "KW_NAMES"}
_SAME_OPS = {"LOAD_METHOD": "LOAD_ATTR", "CALL_METHOD": "CALL"}
#: instructions from which two identical functions are not a coincidence
_LONG = 60
#: the longest signature sent (a function longer than this is compared on its first instructions)
_MAX_OPS = 20_000


def signature(code) -> list:
    """What a verbatim copy shares with its original: ``[operations, local names, nested, docstring]``.

    Compared as instructions rather than raw bytes, so the same source
    compiled by another 3.x patch release (LOAD_METHOD or LOAD_ATTR for a
    method call, different jump offsets) still matches. Plain lists and
    strings, so it crosses the wire as JSON.
    """
    import dis

    if isinstance(code, types.FunctionType):
        code = code.__code__
    ops = [
        [_SAME_OPS.get(ins.opname, ins.opname),
         None if ins.opcode in dis.hasjrel or ins.opcode in dis.hasjabs or isinstance(ins.argval, types.CodeType)
         else repr(ins.argval)[:200]]
        for ins in dis.get_instructions(code) if ins.opname not in _SKIP_OPS
    ][:_MAX_OPS]
    nested = [signature(c) for c in code.co_consts if isinstance(c, types.CodeType)][:50]
    doc = code.co_consts[0] if code.co_consts and isinstance(code.co_consts[0], str) else None
    return [ops, list(code.co_varnames), nested, doc[:2000] if doc else None]


def copied_from(student_signature, function_name: str) -> str | None:
    """``"module.name"`` of the package function a student's function is a verbatim copy of, else None.

    Runs on the judge's side, against the package the judge has (the
    student's process may not have the original at all).
    """
    if not isinstance(student_signature, list) or len(student_signature) != 4 or not function_name:
        return None
    mine = student_signature
    for mod_name, (_, functions) in package_sources(PACKAGE_DIR).items():
        if function_name not in functions or _inside(mod_name, ("rnn_course.tools",)):
            continue
        try:
            module = importlib.import_module(mod_name)
        except Exception:  # noqa: BLE001 - a module that cannot be imported here has nothing to compare
            continue
        ref = vars(module).get(function_name)
        if not isinstance(ref, types.FunctionType):
            continue
        original = signature(ref)  # the traps are off again by the time the judge compares
        # A short function written independently can coincide with the reference: call it a copy only when it
        # is long, or when it also carries the reference's own docstring.
        if original[:3] == mine[:3] and (len(mine[0]) >= _LONG or (mine[3] and mine[3] == original[3])):
            return f"{mod_name}.{function_name}"
    return None

