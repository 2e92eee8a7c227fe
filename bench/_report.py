"""Shared by the benchmark scripts: one results table and one command line."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

Results = list[dict[str, Any]]


def to_markdown(results: Results) -> str:
    lines = ["| benchmark | value | unit | detail |", "| --- | ---: | --- | --- |"]
    for r in results:
        detail = ", ".join(f"{k}={v}" for k, v in r.items() if k not in ("benchmark", "value", "unit"))
        lines.append(f"| {r['benchmark']} | {r['value']} | {r['unit']} | {detail} |")
    return "\n".join(lines)


def main(run: Callable[[bool], Results], doc: str | None) -> None:
    """``--quick`` for a smoke run, ``--json PATH`` for bench/run.py."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    parser.add_argument("--json", help="write results as JSON to this path")
    args = parser.parse_args()
    results = run(args.quick)
    print(to_markdown(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
