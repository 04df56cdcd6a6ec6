"""Bubblewrap (``bwrap``, Debian's ``bubblewrap``): the operating system's walls around a submission's process.

``available()`` says whether this machine can sandbox (and why not); ``command(...)``
is the ``bwrap`` command line that runs the worker inside:

* new user, PID, network, IPC and UTS namespaces (``--unshare-*``): the worker
  is user 65534 ("nobody") in a world of its own, sees only its own processes
  in ``/proc``, has no network, and cannot signal anything outside (the
  grader included); ``--disable-userns`` stops it making namespaces of its own;
* a read-only file system holding only what the worker needs: the Python
  runtime (``/usr``, the interpreter's prefix, the virtualenv) and the
  item's copy of the course package (``staging.py``) at ``/opt/rnn-course``.
  The course checkout (``solutions/``, ``tests/``, the other submissions),
  the report, the grader's working folder and the original package are not
  mounted at all; where the runtime's folders contain them (a virtualenv
  inside the checkout, the package installed in site-packages), they are
  covered by the copy or by an empty folder;
* a private writable ``/tmp`` of 64 MB (a ``tmpfs`` when ``bwrap`` can size
  one, else a fresh folder the grader deletes), a read-only ``/dev`` with
  ``null``, ``zero``, ``random`` and friends, and a clean environment;
* no new processes (``nofork``'s seccomp filter), a new session (no terminal
  to inject keystrokes into), all capabilities dropped, and
  ``--die-with-parent``: if the grader dies, so does everything in the sandbox.

Resource limits (memory, CPU, file size, open files, processes) are set by
the worker itself before any submitted code runs, hard limits equal to the
soft ones (``worker.py``).
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import nofork
from .stubs import PACKAGE_DIR

__all__ = ["Availability", "available", "command", "doctor_check", "SANDBOX_PACKAGE_ROOT", "TMP_BYTES"]

#: where the item's copy of the package is mounted inside the sandbox (it is on PYTHONPATH)
SANDBOX_PACKAGE_ROOT = "/opt/rnn-course"
#: the size of the sandbox's private /tmp
TMP_BYTES = 64 * 1024 * 1024
_NOBODY = 65534
_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime")


@dataclass(frozen=True)
class Availability:
    """Whether submissions can run in a bubblewrap sandbox here; ``description`` says how, or why not."""

    ok: bool
    description: str
    bwrap: str | None = None
    can_size_tmpfs: bool = False
    can_disable_userns: bool = False


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0][:200] if lines else ""


@lru_cache(maxsize=4)
def available(python: str | None = None) -> Availability:
    """Can this machine run ``python`` in a bubblewrap sandbox? Tried once (a ``bwrap ... python -c pass``)."""
    python = python or sys.executable
    if not sys.platform.startswith("linux"):
        return Availability(False, f"no sandbox on {sys.platform} (bubblewrap needs Linux): submissions run with "
                                   "process limits only")
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return Availability(False, "bubblewrap is not installed (Debian/Ubuntu: sudo apt-get install bubblewrap; "
                                   "Fedora: sudo dnf install bubblewrap): submissions run with process limits only")
    try:
        help_text = subprocess.run([bwrap, "--help"], capture_output=True, text=True, timeout=10).stdout
        version = subprocess.run([bwrap, "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired) as err:
        return Availability(False, f"bubblewrap ({bwrap}) does not run ({err}): submissions run with process "
                                   "limits only")
    probe = Availability(True, "", bwrap, can_size_tmpfs="--size" in help_text,
                         can_disable_userns="--disable-userns" in help_text)
    with tempfile.TemporaryDirectory(prefix="rnn-course-probe-") as tmp:
        os.chmod(tmp, 0o755)
        argv, fds = command(probe, python, package_root=None, private_tmp=tmp,
                            argv=["-c", "import os; assert os.getuid() == 65534; print('sandboxed')"])
        try:
            result = subprocess.run(argv, pass_fds=fds, capture_output=True, text=True, timeout=60,
                                    stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as err:
            result = None
            why = str(err)
        finally:
            for fd in fds:
                os.close(fd)
        if result is not None and result.returncode == 0 and "sandboxed" in result.stdout:
            return Availability(True, f"{version or 'bubblewrap'}: user, PID, network and IPC namespaces, a "
                                      "read-only file system without the course's solutions, no new processes",
                                bwrap, probe.can_size_tmpfs, probe.can_disable_userns)
        if result is not None:
            why = _first_line(result.stderr) or f"exit status {result.returncode}"
    return Availability(False, f"{version or 'bubblewrap'} cannot make a sandbox here ({why}); are user namespaces "
                               "disabled (sysctl kernel.unprivileged_userns_clone, or a container without them)? "
                               "Submissions run with process limits only", bwrap)


def _is_inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _checkout(home: str) -> str | None:
    """The course checkout the package was installed from (``pip install -e``), else None (site-packages)."""
    marks = ("solutions", "pyproject.toml", ".git")
    return home if any(os.path.exists(os.path.join(home, m)) for m in marks) else None


def _runtime_trees(checkout: str | None) -> list[str]:
    """Folders holding the Python runtime: the prefixes and site-packages, never the course checkout itself."""
    candidates = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    candidates += [os.path.dirname(os.path.dirname(os.path.realpath(sys.executable)))]
    try:
        candidates += site.getsitepackages()
        if site.ENABLE_USER_SITE and site.getusersitepackages():
            candidates.append(site.getusersitepackages())
    except AttributeError:  # some embedded interpreters have no site module functions
        pass
    candidates += [p for p in sys.path if p and ("site-packages" in p or "dist-packages" in p)]
    trees: list[str] = []
    for c in candidates:
        for path in {os.path.abspath(c), os.path.realpath(c)}:
            if not os.path.isdir(path) or any(_is_inside(path, d) for d in _SYSTEM_DIRS if os.path.isdir(d)):
                continue
            if checkout is not None and _is_inside(checkout, path):
                continue  # a folder that holds the course checkout (solutions/ and all): never mounted whole
            trees.append(path)
    trees.sort(key=len)
    out: list[str] = []
    for t in trees:
        if not any(_is_inside(t, o) for o in out):
            out.append(t)
    return out


def command(availability: Availability, python: str, *, package_root: str | Path | None, private_tmp: str,
            argv, env: dict | None = None, extra_fds=()) -> tuple[list[str], list[int]]:
    """``(bwrap command line, file descriptors to pass)`` that runs ``python *argv`` in the sandbox.

    ``package_root`` is the folder holding the item's copy of ``rnn_course``
    (mounted at ``/opt/rnn-course``); ``private_tmp`` a fresh folder used as
    ``/tmp`` when bwrap cannot size a tmpfs. The returned descriptors (the
    seccomp filter) belong to the caller, who closes them once the process
    has started.
    """
    real_package = str(PACKAGE_DIR)
    home = os.path.dirname(real_package)
    args = [availability.bwrap or "bwrap",
            "--unshare-user", "--uid", str(_NOBODY), "--gid", str(_NOBODY),
            "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--hostname", "sandbox", "--die-with-parent", "--new-session", "--cap-drop", "ALL"]
    if availability.can_disable_userns:
        args.append("--disable-userns")
    for d in _SYSTEM_DIRS:
        if os.path.islink(d):
            args += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            args += ["--ro-bind", d, d]
    for f in _ETC_FILES:
        if os.path.exists(f):
            args += ["--ro-bind", f, f]
    # the private /tmp before the runtime's folders: a checkout or virtualenv that lives under /tmp is
    # mounted on top of it, instead of being hidden by it
    if availability.can_size_tmpfs:
        args += ["--size", str(TMP_BYTES), "--tmpfs", "/tmp"]
    else:
        args += ["--bind", private_tmp, "/tmp"]
    trees = _runtime_trees(_checkout(home))
    for tree in trees:
        args += ["--ro-bind", tree, tree]
    if package_root is not None:
        view = os.path.join(str(package_root), "rnn_course")
        args += ["--ro-bind", view, f"{SANDBOX_PACKAGE_ROOT}/rnn_course"]
        # any other copy of the package the runtime's folders hold (installed in site-packages, or the
        # checkout's own folder when a virtualenv lives inside it) shows the item's copy instead
        for tree in trees:
            for entry in (os.path.join(tree, "rnn_course"), real_package):
                if _is_inside(entry, tree) and os.path.isdir(entry):
                    args += ["--ro-bind", view, entry]
    for tree in trees:
        for secret in ("solutions", "tests", ".git"):
            path = os.path.join(home, secret)
            if _is_inside(path, tree) and os.path.exists(path):
                args += ["--tmpfs", path, "--remount-ro", path]
    args += ["--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev"]
    args += ["--chdir", "/tmp", "--clearenv"]
    environment = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "TMPDIR": "/tmp", "LANG": "C.UTF-8",
                   "PYTHONPATH": SANDBOX_PACKAGE_ROOT if package_root is not None else "",
                   "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    environment.update(env or {})
    for key, value in environment.items():
        args += ["--setenv", key, value]
    fds = []
    program = nofork.program()
    if program is not None:
        read_end, write_end = os.pipe()
        os.write(write_end, program)
        os.close(write_end)
        fds.append(read_end)
        args += ["--seccomp", str(read_end)]
    args += ["--", python, *argv]
    return args, fds


def doctor_check() -> tuple[str, str, str]:
    """``(status, found, fix)`` for ``rnn-course doctor``: can this machine grade submissions in a sandbox?

    A warning, never a failure: only instructors grading a class need it.
    """
    found = available()
    if found.ok:
        return "ok", f"submissions are graded in a sandbox ({found.description.split(':')[0]})", ""
    if not sys.platform.startswith("linux"):
        return "warn", found.description, "grade a class on Linux (or in a Linux VM or container) to sandbox it"
    if found.bwrap is None:
        return "warn", found.description, "sudo apt-get install bubblewrap (only needed to grade a class)"
    return "warn", found.description, ("enable user namespaces (sudo sysctl kernel.unprivileged_userns_clone=1), "
                                       "or grade in a VM (only needed to grade a class)")
