"""The ``formcheck`` command: a thin shell over the library.

Each sub-command lives in ``formcheck/commands/<name>.py`` and provides
``register(subparsers)`` (adds its parser and sets ``func``). Errors the user can act on
(:class:`formcheck.errors.FormcheckError`) are printed as one line and exit with code 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from formcheck import __version__
from formcheck.errors import FormcheckError

#: Sub-command modules under ``formcheck.commands``, in the order ``--help`` lists them.
COMMANDS = ("pose", "analyze", "models", "plan", "library", "render", "app")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="formcheck",
        description="Check running-drill form from video.",
    )
    parser.add_argument("--version", action="version", version=f"formcheck {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"formcheck.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"formcheck.commands.{name}":
                continue  # not part of this build
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except FormcheckError as exc:
        print(f"formcheck: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("formcheck: interrupted; nothing was written.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
