"""Run every benchmark, each in its own process, and write one report.

    python bench/run.py [--quick] [--only NAME ...]

Writes bench/results/latest.md (the table the README shows) and latest.json.
Every figure is measured in this run, side by side with its baseline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BENCHMARKS = {
    "screening_throughput": "Screening throughput (default policy)",
    "langchain_overhead": "LangChain handler overhead per invoke",
    "peers_langchain": "LangChain: ScaleSafe vs Langfuse and OpenInference",
    "llama_index_overhead": "LlamaIndex overhead per query",
    "core_throughput": "Core: monitor(), storage, import, memory",
    "server_ingest": "API server ingest over HTTP",
}


def run_one(name: str, quick: bool) -> tuple[Any, float, str]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        cmd = [sys.executable, str(HERE / f"{name}.py"), "--json", str(out)] + (["--quick"] if quick else [])
        start = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
        took = time.monotonic() - start
        if proc.returncode != 0 or not out.exists():
            return None, took, (proc.stderr or proc.stdout)[-1500:]
        return json.loads(out.read_text()), took, ""


def table(rows: list[dict[str, Any]]) -> str:
    keys: list[str] = []
    for row in rows:
        keys.extend(k for k in row if k not in keys)
    lines = ["| " + " | ".join(keys) + " |", "|" + " --- |" * len(keys)]
    for row in rows:
        lines.append("| " + " | ".join(_cell(row.get(k)) for k in keys) + " |")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.3g}"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_cell(v)}" for k, v in value.items())
    return str(value)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    parser.add_argument("--only", nargs="*", choices=sorted(BENCHMARKS), help="run just these")
    parser.add_argument("--out", default=str(HERE / "results"), help="folder for latest.md/json")
    args = parser.parse_args()
    names = args.only or list(BENCHMARKS)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores"
    report = [f"Measured {stamp} on {platform.machine()} ({machine}) with `python bench/run.py"
              f"{' --quick' if args.quick else ''}`.", ""]
    results: dict[str, Any] = {"measured": stamp, "machine": machine, "quick": args.quick}
    failed = False
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        rows, took, error = run_one(name, args.quick)
        report.append(f"### {BENCHMARKS[name]}\n")
        if rows is None:
            failed = True
            report.append(f"Failed after {took:.0f} s:\n\n```\n{error}\n```\n")
            results[name] = {"error": error}
            continue
        extra: dict[str, Any] = {}
        if isinstance(rows, dict):  # {"rows": [...], other summary keys}
            extra = {k: v for k, v in rows.items() if k != "rows"}
            rows = rows.get("rows", [])
        report.append(table(rows))
        for key, value in extra.items():
            report.append(f"\n- {key}: {_cell(value)}")
        report.append(f"\n_{took:.0f} s_\n")
        results[name] = {"rows": rows, **extra} if extra else rows
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.md").write_text("\n".join(report))
    (out / "latest.json").write_text(json.dumps(results, indent=2))
    print("\n".join(report))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
