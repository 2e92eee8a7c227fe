"""Options and output helpers shared by every command."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any


def add_common(parser: argparse.ArgumentParser, *, json_flag: bool = False) -> None:
    parser.add_argument("--home", help="data folder (like SCALESAFE_HOME)")
    parser.add_argument("--model", help="model system (like SCALESAFE_MODEL)")
    if json_flag:
        parser.add_argument("--json", action="store_true", help="machine-readable output")


def client_from(args: argparse.Namespace) -> Any:
    from .._client import Client

    kwargs: dict[str, Any] = {}
    if getattr(args, "home", None):
        kwargs["home"] = args.home
    if getattr(args, "model", None):
        kwargs["model"] = args.model
    return Client(**kwargs)


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, default=str, ensure_ascii=False)
    sys.stdout.write("\n")


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None) -> None:
    """A table with rich when installed (``scalesafe[cli]``), plain aligned text otherwise."""
    cells = [[_cell(v) for v in row] for row in rows]
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        _plain_table(headers, cells, title)
        return
    table = Table(title=title)
    for h in headers:
        table.add_column(h)
    for row in cells:
        table.add_row(*row)
    Console().print(table)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if hasattr(value, "isoformat"):
        return value.isoformat(timespec="seconds")
    return str(value)


def _plain_table(headers: Sequence[str], rows: list[list[str]], title: str | None) -> None:
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    if title:
        print(title)
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
