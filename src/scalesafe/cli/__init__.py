"""The ``scalesafe`` command: a thin shell over the library.

Each command group lives in its own module exposing ``register(subparsers)``;
adding a group is one line in ``_GROUPS``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from ..exceptions import ScaleSafeException

_GROUPS = (
    "scalesafe.cli._events",
    "scalesafe.cli._reviews",
    "scalesafe.cli._audit",
    "scalesafe.cli._keys",
    "scalesafe.cli._server",
    "scalesafe.cli._demo",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scalesafe", description="Log, screen and audit AI interactions."
    )
    parser.add_argument("--version", action="version", version=_version())
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for dotted in _GROUPS:
        try:
            module = importlib.import_module(dotted)
        except ModuleNotFoundError as exc:
            if exc.name == dotted:
                continue  # group not shipped in this build
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ScaleSafeException as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `scalesafe events --json | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _version() -> str:
    from .. import __version__

    return f"scalesafe {__version__}"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
