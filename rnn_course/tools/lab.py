"""`rnn-course lab`: open the course in JupyterLab, at the welcome notebook."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

from .paths import course_root


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "lab",
        help="open the course in JupyterLab",
        description="Start JupyterLab in the course folder and open the welcome notebook. "
        "Arguments after -- go to JupyterLab (e.g. rnn-course lab -- --port 8890).",
    )
    p.add_argument("--dir", help="the course folder (default: the checkout you are in, or the one installed)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser (print the URL instead)")
    p.add_argument("--dry-run", action="store_true", help="print the command instead of running it")
    p.add_argument("lab_args", nargs="*", help="extra arguments for jupyter lab")
    p.set_defaults(func=run)


def run(args) -> int:
    root = course_root(args.dir) if args.dir else course_root()
    if root is None:
        print(
            "rnn-course lab: cannot find the course folder (one with notebooks/ and pyproject.toml).\n"
            "  Run it inside your clone of the course, or pass --dir PATH.",
            file=sys.stderr,
        )
        return 2
    if importlib.util.find_spec("jupyterlab") is None:
        print('rnn-course lab: JupyterLab is not installed. Fix: pip install -e ".[course]"', file=sys.stderr)
        return 2
    # saved notebooks keep each demo as its static figure (rnn_course.demos.static says why)
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root}",
           "--ContentsManager.pre_save_hook=rnn_course.demos.static.store_static_figures"]
    welcome = sorted((root / "notebooks").glob("00_*.ipynb"))
    if welcome:
        cmd.append(str(welcome[0].relative_to(root)))
    if args.no_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in args.lab_args:
        # Containers (Docker, some cloud notebooks) run as root; JupyterLab refuses to start there without this.
        cmd.append("--allow-root")
    cmd += args.lab_args
    if args.dry_run:
        print(" ".join(cmd))
        return 0
    try:
        return subprocess.call(cmd, cwd=root)
    except KeyboardInterrupt:
        return 0
