"""Keep graded functions from passing by calling (or copying) the course's reference implementation.

While a graded function runs, every forbidden package function has its code
swapped for a trap (``function.__code__`` is replaced, so the trap fires
however the student got hold of the function: ``rnn_course.rnn_forward``,
``from rnn_course.cells.rnn import rnn_forward``, ``CELLS["rnn"].forward``).
The trap records the call and raises ``ReferenceCalled``; the check then
scores the item 0 even if the student's code swallowed the exception.
Outside that window the package is untouched (``help()`` and
``inspect.signature`` work as usual).

``copied_reference(fn)`` spots a verbatim copy of a reference function
(same bytecode, names and variable names) pasted into a notebook.

What an item forbids is a list of specs: ``"rnn_course.cells"`` (every
function defined in that package or module) or
``"rnn_course.activations:softmax"`` (one function). Every item also
forbids any package function with the graded function's own name.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import threading
import types

__all__ = ["ReferenceCalled", "forbidden_functions", "armed", "copied_reference"]

_DISPATCH = "__rnn_course_reference_trap__"
_PACKAGE = "rnn_course"
_EXEMPT = ("rnn_course.grading", "rnn_course.tools", "rnn_course.demos", "rnn_course.plots", "rnn_course.doctor")
_lock = threading.RLock()


class ReferenceCalled(Exception):
    """Raised when a graded function calls a reference implementation it must write itself."""


def _trap_template():
    src = f"def _trap(*args, **kwargs):\n    return {_DISPATCH}('@', args, kwargs)\n"
    namespace: dict = {}
    exec(compile(src, "<reference trap>", "exec"), namespace)  # noqa: S102 - fixed source
    return namespace["_trap"].__code__


_TEMPLATE = _trap_template()


def _package_modules():
    for name, module in list(sys.modules.items()):
        if module is None or not (name == _PACKAGE or name.startswith(_PACKAGE + ".")):
            continue
        if name.startswith(_EXEMPT):
            continue
        yield name, module


def _import_quietly(name: str) -> None:
    if name in sys.modules:
        return
    with contextlib.suppress(Exception):
        importlib.import_module(name)


def forbidden_functions(specs, function_name: str | None = None) -> dict[str, types.FunctionType]:
    """``{"module:name": function}`` for every package function the specs name.

    ``function_name`` adds every package function of that name (a graded
    function must not call the package's function of the same name).
    """
    _import_quietly(_PACKAGE)
    modules_wanted, singles = [], []
    for spec in specs:
        module, _, name = spec.partition(":")
        _import_quietly(module)
        (singles if name else modules_wanted).append((module, name))
    found: dict[str, types.FunctionType] = {}
    for mod_name, module in _package_modules():
        for attr, obj in list(vars(module).items()):
            if not isinstance(obj, types.FunctionType) or obj.__module__ != mod_name:
                continue
            if obj.__code__.co_freevars:
                continue  # closures cannot take the trap's code; module-level functions have none
            key = f"{mod_name}:{attr}"
            wanted = any(mod_name == m or mod_name.startswith(m + ".") for m, _ in modules_wanted)
            wanted = wanted or (mod_name, attr) in singles or (function_name is not None and attr == function_name)
            if wanted:
                found[key] = obj
    return found


@contextlib.contextmanager
def armed(specs, function_name: str | None = None):
    """While the block runs, calling a forbidden function records it and raises ReferenceCalled.

    Yields the list the calls are recorded in (``"rnn_course.cells.rnn:rnn_forward"``).
    """
    functions = forbidden_functions(specs, function_name)
    calls: list[str] = []

    def dispatch(key, args, kwargs):
        calls.append(key)
        module, _, name = key.partition(":")
        raise ReferenceCalled(
            f"{module}.{name} is the course's reference implementation: a graded function must not call it"
        )

    saved = []
    with _lock:
        try:
            for key, fn in functions.items():
                code = fn.__code__
                consts = tuple(key if c == "@" else c for c in _TEMPLATE.co_consts)
                trap = _TEMPLATE.replace(co_consts=consts, co_name=code.co_name, co_qualname=code.co_qualname,
                                         co_filename=code.co_filename, co_firstlineno=code.co_firstlineno)
                fn.__globals__[_DISPATCH] = dispatch
                saved.append((fn, code))
                fn.__code__ = trap
            yield calls
        finally:
            for fn, code in saved:
                fn.__code__ = code
                fn.__globals__.pop(_DISPATCH, None)


def _signature(code: types.CodeType):
    nested = tuple(_signature(c) for c in code.co_consts if isinstance(c, types.CodeType))
    return (code.co_code, code.co_names, code.co_varnames, nested)


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
            if original == mine:
                return f"{mod_name}.{name}"
    return None


#: signatures of the code of disabled functions (the code itself is gone; see ``disable``)
_ORIGINAL_SIGNATURES: dict[str, tuple] = {}


# ------------------------------------------------------------------------------------------------
# the grader's sandbox: remove the references for good, and keep their source out of reach

#: calls into permanently disabled references, in order (the harness compares lengths around a call)
DISABLED_CALLS: list[str] = []


def disable(specs, function_names=()) -> list[str]:
    """Replace every forbidden function's code with a trap for the rest of the process's life.

    The original code objects are not kept anywhere, so code running later
    in this process cannot get them back from the function objects. Used by
    the grader's worker before it runs a submission; returns the module files
    the disabled functions came from (see ``guard_sources``).
    """
    functions: dict[str, types.FunctionType] = {}
    for name in function_names or (None,):
        functions.update(forbidden_functions(specs, name))

    def dispatch(key, args, kwargs):
        DISABLED_CALLS.append(key)
        module, _, name = key.partition(":")
        raise ReferenceCalled(
            f"{module}.{name} is the course's reference implementation: a graded function must not call it"
        )

    for mod_name, module in _package_modules():  # remember what every reference looked like, for copies
        for attr, obj in list(vars(module).items()):
            if isinstance(obj, types.FunctionType) and obj.__module__ == mod_name:
                _ORIGINAL_SIGNATURES.setdefault(f"{mod_name}:{attr}", _signature(obj.__code__))
    files = set()
    for key, fn in functions.items():
        code = fn.__code__
        consts = tuple(key if c == "@" else c for c in _TEMPLATE.co_consts)
        fn.__globals__[_DISPATCH] = dispatch
        fn.__code__ = _TEMPLATE.replace(co_consts=consts, co_name=code.co_name, co_qualname=code.co_qualname,
                                        co_filename=code.co_filename, co_firstlineno=code.co_firstlineno)
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

    protected_dirs = {}
    for f in files:
        path = os.path.realpath(f)
        stem = os.path.splitext(os.path.basename(path))[0]
        protected_dirs.setdefault(os.path.dirname(path), set()).add(stem)

    def is_protected(path) -> bool:
        try:
            real = os.path.realpath(os.fsdecode(path))
        except (TypeError, ValueError):
            return False
        directory, base = os.path.split(real)
        stem = base.split(".")[0]
        if os.path.basename(directory) == "__pycache__":
            directory = os.path.dirname(directory)
        return stem in protected_dirs.get(directory, ())

    def hook(event, args):
        if event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)) and is_protected(args[0]):
            raise PermissionError(f"reading {os.fsdecode(args[0])} is not allowed while grading")
        if event.startswith(_SPAWN_EVENTS):
            raise PermissionError(f"starting another process ({event}) is not allowed while grading")

    sys.addaudithook(hook)
