"""`rnn-course doctor`: check the set-up (see rnn_course.doctor)."""

from __future__ import annotations


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "doctor",
        help="check Python, numpy, matplotlib, ipywidgets, the kernel and the JupyterLab widget extension",
        description="Check that this machine can run the course, and say exactly what to fix. "
        "Recognises VS Code and Google Colab and says what matters there. "
        "Exit status 1 when something must be fixed.",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=lambda args: __import__("rnn_course.doctor", fromlist=["main"]).main(args.json))
