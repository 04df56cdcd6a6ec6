"""Reference implementations rewritten as stubs: the copy of the package a graded submission runs with.

``stub_plan(specs, function_name)`` says which functions and methods one
item's copy replaces (see ``references`` for what the specs mean);
``stub_source(source, module, names)`` rewrites one module: each named
function keeps its name, signature, decorators and docstring, and its body
becomes ``raise ReferenceCalled("module:name")``. Nothing of the original
body is left, so nothing can switch it back on.

A whole module is stubbed except what the package itself runs while it is
imported (a decorator such as ``models.register_model``, the methods an
object built at import time calls): ``import_time_needs`` finds those by
reading the sources, so ``import rnn_course`` still works in every copy.
Everything is read from the sources with ``ast``; nothing is imported.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

__all__ = ["PACKAGE_DIR", "parse_specs", "package_sources", "stub_plan", "stub_source", "import_time_needs", "EXEMPT",
           "LEFT_OUT"]

#: the installed package's folder (the judge's copy, with everything)
PACKAGE_DIR = Path(__file__).resolve().parents[2]

#: the course's tooling: never stubbed unless a spec names it
EXEMPT = ("rnn_course.grading", "rnn_course.tools", "rnn_course.demos", "rnn_course.plots",
          "rnn_course.cli")
#: parts of the package no graded submission's process gets (see ``staging``): the checks, which hold the
#: references the judge compares with and the known-wrong variants, and the instructor's commands
LEFT_OUT = ("rnn_course.grading.checks", "rnn_course.tools")
#: methods a stub never replaces: building, showing and comparing objects
KEEP_METHODS = frozenset({
    "__init__", "__post_init__", "__new__", "__repr__", "__str__", "__eq__", "__hash__", "__len__", "__iter__",
    "__getitem__", "__contains__", "__bool__", "__getattr__", "__setattr__", "__init_subclass__",
    "__class_getitem__", "__enter__", "__exit__", "_repr_html_",
})


def parse_specs(specs) -> tuple[list[str], list[tuple[str, str]]]:
    """``(["rnn_course.cells"], [("rnn_course.activations", "softmax")])``: whole modules, and single functions."""
    modules, singles = [], []
    for spec in specs:
        module, _, name = str(spec).partition(":")
        if name:
            singles.append((module, name))
        else:
            modules.append(module)
    return modules, singles


def _inside(module: str, prefixes) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


class _Module:
    """What one source file defines and imports."""

    def __init__(self, name: str, path: Path, tree: ast.Module, is_package: bool):
        self.name, self.path, self.tree = name, path, tree
        self.package = name if is_package else name.rpartition(".")[0]
        self.functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
        self.classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
        self.aliases: dict[str, tuple[str, str | None]] = {}  # local name -> (module, attribute or None)

    def resolve_imports(self, modules) -> None:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.asname:
                        self.aliases[a.asname] = (a.name, None)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    parts = self.package.split(".")
                    parts = parts[: len(parts) - (node.level - 1)]
                    base = ".".join(parts + ([node.module] if node.module else []))
                else:
                    base = node.module or ""
                for a in node.names:
                    full = f"{base}.{a.name}"
                    self.aliases[a.asname or a.name] = (full, None) if full in modules else (base, a.name)

    def methods(self):
        for cls_name, cls in self.classes.items():
            for item in cls.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    yield cls_name, item


@lru_cache(maxsize=4)
def _modules(package_dir: Path) -> dict[str, _Module]:
    out = {}
    for path in sorted(package_dir.rglob("*.py")):
        rel = path.relative_to(package_dir.parent).with_suffix("")
        parts = list(rel.parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, OSError):
            continue
        out[".".join(parts)] = _Module(".".join(parts), path, tree, is_package)
    for module in out.values():
        module.resolve_imports(out)
    return out


def package_sources(package_dir: Path | None = None) -> dict[str, tuple[Path, frozenset]]:
    """``{module name: (file, names of its top-level functions)}`` for the package."""
    return {name: (m.path, frozenset(m.functions)) for name, m in _modules(Path(package_dir or PACKAGE_DIR)).items()}


def _ref(node):
    """("name", None) for ``name``, ("name", "attr") for ``name.attr``, else None."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id, node.attr
    if isinstance(node, ast.Name):
        return node.id, None
    return None


def _walk(nodes):
    """``ast.walk`` over several nodes, not going into lambdas or nested definitions' bodies (they do not run
    when the enclosing code does; a nested definition's decorators do)."""
    todo = list(nodes)
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            todo += node.decorator_list
            continue
        todo += list(ast.iter_child_nodes(node))


def _called(nodes):
    """What these nodes call: the targets of calls, and decorators (a decorator is called on what it decorates).

    A function that is only *named* (put in a table, passed on) does not run; one that is called does.
    """
    for node in _walk(nodes):
        if isinstance(node, ast.Call):
            target = _ref(node.func)
            if target:
                yield target
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield from filter(None, map(_ref, node.decorator_list))


def _module_level(tree: ast.Module):
    """(code that runs when the module is imported, decorators applied then): everything but function and
    method bodies."""
    code, decorators = [], []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            decorators += node.decorator_list
            code += node.args.defaults + [d for d in node.args.kw_defaults if d is not None]
        elif isinstance(node, ast.ClassDef):
            decorators += node.decorator_list
            code += node.bases + [k.value for k in node.keywords]
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    decorators += item.decorator_list
                    code += item.args.defaults
                else:
                    code.append(item)
        else:
            code.append(node)
    return code, decorators


@lru_cache(maxsize=4)
def import_time_needs(package_dir: Path | None = None) -> frozenset:
    """``{(module, "function") or (module, "Class.method")}``: what the package runs while it is imported.

    Starts from what each module's import-time code calls (module-level
    statements, default values, base classes, decorators) and follows calls: a
    function called there, what that function's body calls, an object's kept methods
    (``KEEP_METHODS``) and the ``self.method`` calls they make, across modules
    through their imports. An over-estimate is harmless (a function kept that
    nothing forbids); an under-estimate would break ``import rnn_course`` in
    a copy, which the tests import.
    """
    modules = _modules(Path(package_dir or PACKAGE_DIR))
    needed: set = set()
    work: list = []

    def resolve(module: _Module, name: str, attr: str | None):
        """(module name, top-level name) a reference in ``module`` points to, or None."""
        if name in module.functions or name in module.classes:
            return module.name, name
        if name in module.aliases:
            target, what = module.aliases[name]
            if what is not None:
                return target, what
            if attr is not None:
                return target, attr
        return None

    def add(module_name: str, name: str) -> None:
        target = modules.get(module_name)
        if target is None:
            return
        if name in target.functions:
            key = (module_name, name)
            if key not in needed:
                needed.add(key)
                node = next(n for n in target.tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
                            and n.name == name)
                work.append((target, node, None))
        elif name in target.classes:
            key = (module_name, name)
            if key not in needed:
                needed.add(key)
                cls = target.classes[name]
                for base in cls.bases:
                    ref = _ref(base)
                    found = resolve(target, *ref) if ref else None
                    if found:
                        add(*found)
                for item in cls.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name in KEEP_METHODS:
                        work.append((target, item, name))

    def add_method(module: _Module, method: str) -> None:
        for cls_name, item in module.methods():
            key = (module.name, f"{cls_name}.{item.name}")
            if item.name == method and key not in needed:
                needed.add(key)
                work.append((module, item, cls_name))

    for module in modules.values():
        if _inside(module.name, LEFT_OUT):
            continue  # never imported in a copy
        code, decorators = _module_level(module.tree)
        refs = list(_called(code)) + [r for r in map(_ref, decorators) if r]
        for n, a in refs:
            found = resolve(module, n, a)
            if found:
                add(*found)
    while work:
        module, node, cls_name = work.pop()
        for n, a in _called(node.body):
            if n in ("self", "cls") and a is not None:
                add_method(module, a)
                continue
            found = resolve(module, n, a)
            if found:
                add(*found)
    return frozenset(needed)


def stub_plan(specs, function_name: str | None = None, package_dir: Path | None = None) -> dict:
    """``{module name: frozenset of "function" and "Class.method" names}``: what one item's copy stubs.

    A whole-module spec stubs every function and every method (but the kept
    ones) that the package does not need while it is imported; a single
    ``"module:function"`` spec stubs that function; a function with the
    graded function's name is stubbed wherever it is, outside the course's
    tooling.
    """
    package_dir = Path(package_dir or PACKAGE_DIR)
    modules = _modules(package_dir)
    keep = import_time_needs(package_dir)
    whole, singles = parse_specs(specs)
    plan: dict = {}
    for name, module in modules.items():
        wanted: set = set()
        if _inside(name, whole):
            wanted |= module.functions
            wanted |= {f"{c}.{m.name}" for c, m in module.methods()
                       if m.name not in KEEP_METHODS and not _is_property(m)}
        wanted |= {fn for mod, fn in singles if mod == name and fn in module.functions}
        if function_name and function_name in module.functions and not _inside(name, EXEMPT):
            wanted.add(function_name)
        wanted = {w for w in wanted if (name, w) not in keep}
        if wanted:
            plan[name] = frozenset(wanted)
    return plan


def _is_property(node) -> bool:
    """A property reads like an attribute (``vocab.size``), so code uses it where no call shows: kept."""
    for d in node.decorator_list:
        ref = _ref(d)
        if ref and (ref[0] in ("property", "cached_property") or ref[1] in ("setter", "getter", "cached_property")):
            return True
    return False


def _stub_body(node, reference: str) -> list:
    body = []
    first = node.body[0] if node.body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        body.append(first)  # keep the docstring: help() still says what the function does
    body += ast.parse(
        "from rnn_course.grading.isolation.references import ReferenceCalled as _ReferenceCalled\n"
        f"raise _ReferenceCalled({reference!r})\n").body
    return body


def stub_source(source: str, module: str, names) -> str:
    """``source`` with the named functions (``"f"``) and methods (``"Class.f"``) turned into stubs."""
    names = set(names)
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in names:
            node.body = _stub_body(node, f"{module}:{node.name}")
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and f"{node.name}.{item.name}" in names:
                    item.body = _stub_body(item, f"{module}:{node.name}.{item.name}")
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"
