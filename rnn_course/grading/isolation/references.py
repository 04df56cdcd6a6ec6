"""Keep graded functions from passing by calling (or copying) the course's reference implementation.

A forbidden package function gets its code swapped for a trap
(``function.__code__`` is replaced, so the trap fires however the student got
hold of the function: ``rnn_course.rnn_forward``, ``from rnn_course.cells.rnn
import rnn_forward``, ``CELLS["rnn"].forward``). When the trap is called:

* from the package's own core code (say ``gradcheck`` calling
  ``numerical_gradient`` for a student who checks their gradients), and that
  code is not itself forbidden, the original runs;
* from anywhere else (the student's code, or a demo or plot function, which
  would otherwise be a way around), the call is recorded and
  ``ReferenceCalled`` is raised. The check scores the item 0 even if the
  student's code swallowed the exception.

Two ways to set the traps:

* ``armed(specs)``: only while one graded call runs (a notebook's ``check``);
  outside that window the package is untouched, so ``help()`` and
  ``inspect.signature`` work as usual.
* ``disable(specs)``: for the rest of the process, before a submission's code
  runs (the grader's worker), plus ``guard_sources``: an audit hook that keeps
  the reference source files unreadable and other processes from starting.

``copied_reference(fn)`` spots a verbatim copy of a reference function
(same bytecode, names and variable names) pasted into a notebook.

What an item forbids is a list of specs: ``"rnn_course.cells"`` (every
function defined in that package or module) or
``"rnn_course.activations:softmax"`` (one function). Every item also
forbids any package function with the graded function's own name.

This raises the bar; it is not a security boundary. Code in the same
process can, with enough effort (digging objects out of the garbage
collector), get around anything done in that process; run the grader in a
container or a VM when that matters.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import threading
import types

__all__ = ["ReferenceCalled", "forbidden_functions", "armed", "disable", "guard_sources", "copied_reference",
           "DISABLED_CALLS"]

_PACKAGE = "rnn_course"
#: the course's tooling: never trapped unless named, and never trusted as a caller
_EXEMPT = ("rnn_course.grading", "rnn_course.tools", "rnn_course.demos", "rnn_course.plots", "rnn_course.doctor")
_ARMED = "__rnn_course_armed_trap__"
_DISABLED = "__rnn_course_disabled_trap__"
_lock = threading.RLock()

#: calls into permanently disabled references, in order (the harness compares lengths around a call)
DISABLED_CALLS: list[str] = []
_disabled_ids: set[int] = set()


class ReferenceCalled(Exception):
    """Raised when a graded function calls a reference implementation it must write itself."""


def _template(dispatch_name: str) -> types.CodeType:
    src = f"def _trap(*args, **kwargs):\n    return {dispatch_name}('@', args, kwargs)\n"
    namespace: dict = {}
    exec(compile(src, "<reference trap>", "exec"), namespace)  # noqa: S102 - fixed source
    return namespace["_trap"].__code__


_TEMPLATES = {_ARMED: _template(_ARMED), _DISABLED: _template(_DISABLED)}


def _trap_code(key: str, code: types.CodeType, dispatch_name: str) -> types.CodeType:
    template = _TEMPLATES[dispatch_name]
    consts = tuple(key if c == "@" else c for c in template.co_consts)
    return template.replace(co_consts=consts, co_name=code.co_name, co_qualname=code.co_qualname,
                            co_filename=code.co_filename, co_firstlineno=code.co_firstlineno)


def _package_modules(include=()):
    """The package's loaded modules, without the course's own tooling unless ``include`` names it."""
    for name, module in list(sys.modules.items()):
        if module is None or not (name == _PACKAGE or name.startswith(_PACKAGE + ".")):
            continue
        if name.startswith(_EXEMPT) and not any(name == m or name.startswith(m + ".") for m in include):
            continue
        yield name, module


def _import_quietly(name: str) -> None:
    if name in sys.modules:
        return
    with contextlib.suppress(Exception):
        importlib.import_module(name)


def _parse(specs):
    modules, singles = [], []
    for spec in specs:
        module, _, name = spec.partition(":")
        _import_quietly(module)
        (singles if name else modules).append((module, name))
    return modules, singles


def forbidden_functions(specs, function_name: str | None = None) -> dict[str, types.FunctionType]:
    """``{"module:name": function}`` for every package function the specs name.

    ``function_name`` adds every package function of that name (a graded
    function must not call the package's function of the same name).
    """
    _import_quietly(_PACKAGE)
    modules, singles = _parse(specs)
    found: dict[str, types.FunctionType] = {}
    for mod_name, module in _package_modules(include=[m for m, _ in modules + singles]):
        for attr, obj in list(vars(module).items()):
            if not isinstance(obj, types.FunctionType) or obj.__module__ != mod_name:
                continue
            if obj.__code__.co_freevars:
                continue  # closures cannot take the trap's code; module-level functions have none
            wanted = any(mod_name == m or mod_name.startswith(m + ".") for m, _ in modules)
            wanted = wanted or (mod_name, attr) in singles or (function_name is not None and attr == function_name)
            if wanted:
                found[f"{mod_name}:{attr}"] = obj
    return found


def _clone(fn: types.FunctionType) -> types.FunctionType:
    twin = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__)
    twin.__kwdefaults__ = fn.__kwdefaults__
    return twin


def _make_dispatch(originals: dict, whole_modules: list, record: list):
    """The function every trap calls: run the original for trusted package callers, else record and raise."""

    def trusted(module_name: str) -> bool:
        if not module_name.startswith(_PACKAGE + ".") or module_name.startswith(_EXEMPT):
            return False
        return not any(module_name == m or module_name.startswith(m + ".") for m in whole_modules)

    def dispatch(key, args, kwargs):
        caller = sys._getframe(2)  # 0: dispatch, 1: the trap, 2: whoever called the reference
        if trusted(str(caller.f_globals.get("__name__", ""))):
            return originals[key](*args, **kwargs)
        record.append(key)
        module, _, name = key.partition(":")
        raise ReferenceCalled(
            f"{module}.{name} is the course's reference implementation: a graded function must not call it"
        )

    return dispatch


@contextlib.contextmanager
def armed(specs, function_name: str | None = None):
    """While the block runs, calls of forbidden functions from outside the package are recorded and raise.

    Yields the list the calls are recorded in (``"rnn_course.cells.rnn:rnn_forward"``).
    """
    functions = {k: f for k, f in forbidden_functions(specs, function_name).items() if id(f) not in _disabled_ids}
    calls: list[str] = []
    whole = [m for m, _ in _parse(specs)[0]]
    originals = {key: _clone(fn) for key, fn in functions.items()}
    dispatch = _make_dispatch(originals, whole, calls)
    saved = []
    with _lock:
        try:
            for key, fn in functions.items():
                code = fn.__code__
                fn.__globals__[_ARMED] = dispatch
                saved.append((fn, code))
                fn.__code__ = _trap_code(key, code, _ARMED)
            yield calls
        finally:
            for fn, code in saved:
                fn.__code__ = code
                fn.__globals__.pop(_ARMED, None)


#: signatures of the code of disabled functions (their code objects are swapped out; see ``disable``)
_ORIGINAL_SIGNATURES: dict[str, tuple] = {}


def disable(specs, function_names=()) -> list[str]:
    """Trap every forbidden function for the rest of the process's life; returns their source files.

    Used by the grader's worker before it runs a submission. Package code
    that is not itself forbidden can still call them (``gradcheck`` uses
    ``numerical_gradient``); nothing else can.
    """
    functions: dict[str, types.FunctionType] = {}
    for name in tuple(function_names) or (None,):
        functions.update(forbidden_functions(specs, name))
    for mod_name, module in _package_modules():  # remember what every reference looked like, for copies
        for attr, obj in list(vars(module).items()):
            if isinstance(obj, types.FunctionType) and obj.__module__ == mod_name:
                _ORIGINAL_SIGNATURES.setdefault(f"{mod_name}:{attr}", _signature(obj.__code__))
    whole = [m for m, _ in _parse(specs)[0]]
    originals = {key: _clone(fn) for key, fn in functions.items()}
    dispatch = _make_dispatch(originals, whole, DISABLED_CALLS)
    files = set()
    for key, fn in functions.items():
        if id(fn) in _disabled_ids:
            continue
        code = fn.__code__
        fn.__globals__[_DISABLED] = dispatch
        fn.__code__ = _trap_code(key, code, _DISABLED)
        _disabled_ids.add(id(fn))
        files.add(code.co_filename)
    return sorted(files)


_SPAWN_EVENTS = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                 "os.forkpty", "pty.spawn")


def guard_sources(files) -> None:
    """An audit hook (it cannot be removed) that refuses to open the given source files (and their
    cached bytecode) and to start other processes.

    Without it a submission could re-read the reference source and run it
    under another name, or shell out to do the same.
    """
    import os

    protected: dict[str, set] = {}
    for f in files:
        path = os.path.realpath(f)
        protected.setdefault(os.path.dirname(path), set()).add(os.path.splitext(os.path.basename(path))[0])

    def is_protected(path) -> bool:
        try:
            real = os.path.realpath(os.fsdecode(path))
        except (TypeError, ValueError):
            return False
        directory, base = os.path.split(real)
        if os.path.basename(directory) == "__pycache__":
            directory = os.path.dirname(directory)
        return base.split(".")[0] in protected.get(directory, ())

    def hook(event, args):
        if event == "open" and args and isinstance(args[0], str | bytes | os.PathLike) and is_protected(args[0]):
            raise PermissionError(f"reading {os.fsdecode(args[0])} is not allowed while grading")
        if event.startswith(_SPAWN_EVENTS):
            raise PermissionError(f"starting another process ({event}) is not allowed while grading")

    sys.addaudithook(hook)


_SKIP_OPS = {"CACHE", "NOP", "RESUME", "PRECALL", "EXTENDED_ARG", "KW_NAMES"}
_SAME_OPS = {"LOAD_METHOD": "LOAD_ATTR", "CALL_METHOD": "CALL"}


def _signature(code: types.CodeType):
    """What a verbatim copy shares with its original: the operations, the names used and the local names.

    Compared as instructions rather than raw bytes, so the same source compiled by another 3.x patch release
    (LOAD_METHOD or LOAD_ATTR for a method call, different jump offsets) still matches.
    """
    import dis

    ops = tuple(
        (_SAME_OPS.get(ins.opname, ins.opname), None if ins.opcode in dis.hasjrel or ins.opcode in dis.hasjabs
         or isinstance(ins.argval, types.CodeType) else repr(ins.argval))
        for ins in dis.get_instructions(code) if ins.opname not in _SKIP_OPS
    )
    nested = tuple(_signature(c) for c in code.co_consts if isinstance(c, types.CodeType))
    doc = code.co_consts[0] if code.co_consts and isinstance(code.co_consts[0], str) else None
    return (ops, code.co_varnames, nested, doc)


def copied_reference(fn) -> str | None:
    """``"module.name"`` of the package function ``fn`` is a verbatim copy of, else None.

    A function defined *in* the package is not a copy (calling it is caught
    by the traps instead).
    """
    code = getattr(fn, "__code__", None)
    if not isinstance(code, types.CodeType) or str(getattr(fn, "__module__", "")).startswith(_PACKAGE):
        return None
    name = getattr(fn, "__name__", None)
    mine = _signature(code)
    for mod_name, module in _package_modules():
        ref = vars(module).get(name)
        if isinstance(ref, types.FunctionType) and ref.__module__ == mod_name:
            original = _ORIGINAL_SIGNATURES.get(f"{mod_name}:{name}") or _signature(ref.__code__)
            # A short function written independently can coincide with the reference: call it a copy only
            # when it is long, or when it also carries the reference's own docstring.
            if original[:3] == mine[:3] and (len(mine[0]) >= _LONG or (mine[3] and mine[3] == original[3])):
                return f"{mod_name}.{name}"
    return None


#: instructions from which two identical functions are not a coincidence
_LONG = 60
