"""The `rnn-course` command. Each subcommand lives in its own module with a ``register`` function."""

from __future__ import annotations

import argparse
import importlib
import sys

from . import __version__

# module path -> registers one subcommand
SUBCOMMANDS = (
    "rnn_course.tools.lab",
    "rnn_course.tools.doctor",
    "rnn_course.tools.notebooks",
    "rnn_course.tools.slides",
    "rnn_course.tools.site",
    "rnn_course.tools.exercises",
    "rnn_course.tools.grade",
    "rnn_course.tools.gradescope",
    "rnn_course.tools.release",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rnn-course",
        description="Recurrent neural networks from first principles: open the course, check your "
        "set-up, build exercises and grade them.",
    )
    parser.add_argument("--version", action="version", version=f"rnn-course {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in SUBCOMMANDS:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 0
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
