"""`rnn-course doctor`: is this machine ready for the course, and if not, what exactly to do.

Each check returns a ``Check`` with a status ("ok", "warn", "fail"), what
was found, and the command that fixes it. The same checks run in the
welcome notebook's set-up cell (``doctor.report()`` shows them as a table).

The checks know where they run (``front_end()``): in JupyterLab or a terminal
they look for the kernel and JupyterLab's widget extension; in VS Code the
Jupyter extension draws the widgets (but not those of ipywidgets 8.1.9,
microsoft/vscode-jupyter#17504) and the kernel is whichever Python is picked
in *Select Kernel*; on Google Colab the notebook's first cell installed the
course and Colab draws the widgets of its own ipywidgets 7, which must not be
upgraded.
"""

from __future__ import annotations

import importlib
import importlib.metadata as md
import json
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from html import escape
from pathlib import Path

from ..grading.isolation.bubblewrap import doctor_check as grading_sandbox_check

__all__ = ["Check", "run_checks", "report", "main", "register"]

PIP = f"{Path(sys.executable).name} -m pip"
#: ipywidgets releases that draw nothing in some front end, and why
BROKEN_IPYWIDGETS = {"8.1.9": "VS Code draws no widget of ipywidgets 8.1.9 (microsoft/vscode-jupyter#17504)"}
#: the environment variables VS Code sets for the programs it starts (its terminal, its Jupyter kernels)
_VSCODE_VARIABLES = ("VSCODE_PID", "VSCODE_CWD", "VSCODE_IPC_HOOK_CLI")


def front_end() -> str:
    """Where the checks run: "colab" (Google Colab's kernel), "vscode" (a kernel or terminal started by VS Code),
    or "jupyter" (anything else: JupyterLab, a terminal)."""
    if "google.colab" in sys.modules:
        return "colab"
    if os.environ.get("TERM_PROGRAM") == "vscode" or any(v in os.environ for v in _VSCODE_VARIABLES):
        return "vscode"
    return "jupyter"


@dataclass
class Check:
    name: str
    status: str  # "ok", "warn" or "fail"
    found: str
    fix: str = ""


def _version(dist: str) -> str | None:
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return None


def _check_python() -> Check:
    v = platform.python_version()
    return Check("python", "ok", f"Python {v} at {sys.executable}")


def _check_import(module: str, dist: str, minimum: tuple, extra: str = "") -> Check:
    try:
        mod = importlib.import_module(module)
    except Exception as err:  # a broken install raises more than ImportError
        return Check(module, "fail", f"cannot import {module}: {err}", f'{PIP} install "rnn-course{extra}"')
    version = getattr(mod, "__version__", None) or _version(dist) or "?"
    parts = []
    for piece in version.split(".")[: len(minimum)]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    if tuple(parts) < minimum:
        want = ".".join(map(str, minimum))
        return Check(module, "fail", f"{module} {version} (need >= {want})", f'{PIP} install -U "{dist}>={want}"')
    return Check(module, "ok", f"{module} {version}")


def _check_ipywidgets(where: str) -> Check:
    """ipywidgets >= 8 (not a release that draws nothing); on Colab, Colab's own 7.x."""
    version = _version("ipywidgets")
    if where == "colab":
        if version is None:
            return Check("ipywidgets", "fail", "ipywidgets is not installed", f"{PIP} install ipywidgets==7.7.1")
        if version.startswith("7."):
            return Check("ipywidgets", "ok", f"ipywidgets {version}, Colab's own: Colab draws its sliders "
                         "(keep it: Colab does not draw ipywidgets 8)")
        return Check("ipywidgets", "warn", f"ipywidgets {version}: Colab draws the sliders of its own ipywidgets 7 "
                     "only; the demos will show still pictures",
                     f"{PIP} install ipywidgets==7.7.1, then Runtime > Restart session")
    check = _check_import("ipywidgets", "ipywidgets", (8, 0))
    if check.status == "ok" and version in BROKEN_IPYWIDGETS:
        status = "fail" if where == "vscode" else "warn"
        return Check("ipywidgets", status, f"ipywidgets {version}: {BROKEN_IPYWIDGETS[version]}",
                     f'{PIP} install "ipywidgets!={version}"')
    return check


def _check_front_end(where: str) -> Check:
    if where == "colab":
        return Check("front end", "ok", "Google Colab: the notebook's first cell installed the course; Colab "
                     "draws the sliders itself (no JupyterLab, no kernel set-up needed)")
    if where == "vscode":
        return Check("front end", "ok", f"VS Code: its Jupyter extension draws the sliders; the notebook's kernel "
                     f"must be this Python ({sys.executable}): Select Kernel > Python Environments")
    return Check("front end", "ok", "JupyterLab or a terminal (`rnn-course lab` opens the course)")


def _check_matplotlib_renders() -> Check:
    try:
        import io

        import matplotlib

        matplotlib.use(matplotlib.get_backend())  # keep the current backend (inline in a notebook)
        from matplotlib.figure import Figure

        fig = Figure(figsize=(1, 1))
        fig.add_subplot().plot([0, 1], [0, 1])
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        return Check("figures", "ok", f"matplotlib renders PNG ({len(buf.getvalue())} bytes)")
    except Exception as err:
        return Check(
            "figures",
            "fail",
            f"matplotlib cannot render a figure: {err}",
            f"{PIP} install --force-reinstall matplotlib",
        )


def _check_kernel() -> Check:
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    except ImportError:
        return Check("kernel", "fail", "jupyter_client/ipykernel not installed", f'{PIP} install "rnn-course[course]"')
    try:
        spec = KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        return Check("kernel", "fail", "no 'python3' Jupyter kernel", f"{PIP} install ipykernel")
    except Exception as err:
        return Check(
            "kernel", "fail", f"cannot read the kernel spec: {err}", f"{PIP} install --force-reinstall ipykernel"
        )
    exe = spec.argv[0]
    if exe in ("python", "python3", "{python}") or os.path.realpath(exe) == os.path.realpath(sys.executable):
        exe = sys.executable
    if shutil.which(exe) is None and not Path(exe).exists():
        return Check(
            "kernel",
            "fail",
            f"the 'python3' kernel runs {exe}, which does not exist",
            f"{sys.executable} -m ipykernel install --user",
        )
    try:
        probe = subprocess.run(
            [exe, "-c", "import rnn_course, numpy, ipykernel"], capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return Check(
            "kernel",
            "fail",
            f"cannot start the kernel's Python {exe}: {err}",
            f"{sys.executable} -m ipykernel install --user",
        )
    if probe.returncode != 0:
        return Check(
            "kernel",
            "fail",
            f"the 'python3' kernel runs {exe}, which cannot import rnn_course, numpy and ipykernel",
            f"{sys.executable} -m ipykernel install --user --name python3 (makes the kernel use this Python)",
        )
    return Check("kernel", "ok", f"'python3' kernel: {exe} (imports rnn_course)")


def _labextension_dirs():
    try:
        from jupyter_core.paths import jupyter_path
    except ImportError:
        return [Path(sys.prefix, "share", "jupyter", "labextensions")]
    return [Path(p) for p in jupyter_path("labextensions")]


def _check_widget_extension() -> Check:
    lab = _version("jupyterlab")
    if lab is None:
        return Check(
            "widgets in JupyterLab", "fail", "JupyterLab is not installed", f'{PIP} install "rnn-course[course]"'
        )
    for base in _labextension_dirs():
        pkg = base / "@jupyter-widgets" / "jupyterlab-manager" / "package.json"
        if pkg.exists():
            try:
                version = json.loads(pkg.read_text()).get("version", "?")
            except (OSError, ValueError):
                version = "?"
            return Check(
                "widgets in JupyterLab", "ok", f"JupyterLab {lab} with the widget extension {version} ({pkg.parent})"
            )
    return Check(
        "widgets in JupyterLab",
        "fail",
        f"JupyterLab {lab} has no @jupyter-widgets/jupyterlab-manager: sliders will show as text",
        f"{PIP} install jupyterlab_widgets, then restart JupyterLab",
    )


def _check_jupytext() -> Check:
    v = _version("jupytext")
    if v is None:
        return Check(
            "jupytext",
            "warn",
            "not installed: the .py twins of the notebooks will open as plain text",
            f"{PIP} install jupytext",
        )
    return Check("jupytext", "ok", f"jupytext {v}")


def _in_vscode(check: Check) -> Check:
    """A JupyterLab check seen from VS Code: what it finds still matters for JupyterLab, not for VS Code."""
    if check.status != "fail":
        return check
    if check.name == "kernel":
        return Check("kernel", "warn", f"{check.found} (VS Code does not use it: it runs the Python picked in "
                     "Select Kernel)", check.fix)
    return Check(check.name, "warn", f"{check.found} (only JupyterLab needs it: VS Code draws the widgets "
                 "itself)", check.fix)


def _lab_checks(where: str) -> list[Check]:
    if where == "colab":
        return [Check("kernel", "ok", f"Colab's kernel: {sys.executable} (imports rnn_course)"),
                Check("widgets in JupyterLab", "ok", "not used on Colab: Colab draws the widgets itself")]
    checks = [_check_kernel(), _check_widget_extension(), _check_jupytext()]
    return [_in_vscode(c) for c in checks] if where == "vscode" else checks


def run_checks(include_lab: bool = True, where: str | None = None) -> list[Check]:
    """Run every check and return them in order; ``where`` is ``front_end()`` unless given."""
    import rnn_course

    where = where or front_end()
    checks = [
        _check_python(),
        _check_front_end(where),
        Check("rnn_course", "ok", f"rnn_course {rnn_course.__version__} at {Path(rnn_course.__file__).parent}"),
        _check_import("numpy", "numpy", (1, 24)),
        _check_import("matplotlib", "matplotlib", (3, 7)),
        _check_matplotlib_renders(),
        _check_ipywidgets(where),
        _check_import("tqdm", "tqdm", (4, 60)),
    ]
    if include_lab:
        checks += _lab_checks(where)
    checks.append(Check("grading sandbox", *grading_sandbox_check()))  # instructors: can a class be graded safely?
    return checks


_MARK = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}


def format_text(checks: list[Check]) -> str:
    width = max(len(c.name) for c in checks)
    lines = []
    for c in checks:
        lines.append(f"[{_MARK[c.status]}] {c.name.ljust(width)}  {c.found}")
        if c.fix:
            lines.append(f"       {' ' * width}  fix: {c.fix}")
    failed = [c.name for c in checks if c.status == "fail"]
    warned = [c.name for c in checks if c.status == "warn"]
    if failed:
        lines.append(
            f"\n{len(failed)} problem(s): {', '.join(failed)}. "
            "Run the 'fix' commands above, then `rnn-course doctor` again."
        )
    elif warned:
        lines.append(f"\nReady, with {len(warned)} warning(s): {', '.join(warned)}.")
    else:
        lines.append("\nAll good: run `rnn-course lab` to open the course.")
    return "\n".join(lines)


class _Report:
    def __init__(self, checks):
        self.checks = checks

    @property
    def ok(self) -> bool:
        return all(c.status != "fail" for c in self.checks)

    def __repr__(self) -> str:
        return format_text(self.checks)

    def _repr_html_(self) -> str:
        colors = {"ok": "#1a7f37", "warn": "#9a6700", "fail": "#cf222e"}
        rows = "".join(
            f'<tr><td style="color:{colors[c.status]};font-weight:bold">{c.status}</td>'
            f"<td>{escape(c.name)}</td><td>{escape(c.found)}</td><td><code>{escape(c.fix)}</code></td></tr>"
            for c in self.checks
        )
        verdict = (
            "Ready for the course."
            if self.ok
            else "Something needs fixing: run the commands in the last column in a terminal."
        )
        return (
            f"<p><b>{verdict}</b></p><table><thead><tr><th></th><th>check</th><th>found</th>"
            f"<th>fix</th></tr></thead><tbody>{rows}</tbody></table>"
        )


def report(include_lab: bool = True, where: str | None = None) -> _Report:
    """The checks as an object that shows as a table in a notebook and as text in a terminal."""
    return _Report(run_checks(include_lab, where))


def main(json_output: bool = False) -> int:
    checks = run_checks()
    if json_output:
        print(json.dumps([asdict(c) for c in checks], indent=2))
    else:
        print(format_text(checks))
    return 1 if any(c.status == "fail" for c in checks) else 0


def register(subparsers) -> None:
    """The ``rnn-course doctor`` subcommand."""
    p = subparsers.add_parser(
        "doctor",
        help="check Python, numpy, matplotlib, ipywidgets, the kernel and the JupyterLab widget extension",
        description="Check that this machine can run the course, and say exactly what to fix. "
        "Recognises VS Code and Google Colab and says what matters there. "
        "Exit status 1 when something must be fixed.",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=lambda args: main(args.json))
