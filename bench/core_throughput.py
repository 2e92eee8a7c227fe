"""Core figures: monitor() calls/s, store throughput vs raw sqlite3, import time, memory.

Run: python bench/core_throughput.py [--quick] [--json PATH]
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import _report as report  # bench/ helper; these scripts run as `python bench/NAME.py`

from scalesafe import Client, GenericMonitor
from scalesafe.model import Event, Message
from scalesafe.store import LocalStore, Row

PROMPT = "Summarise the attached meeting notes for the weekly report, in three bullet points. " * 4


def monitor_calls_per_second(threads: int, per_thread: int) -> float:
    with tempfile.TemporaryDirectory() as home:
        client = Client(home=home, max_queue=200_000)
        monitor = GenericMonitor(client=client)
        monitor.monitor("warm up", "ok")
        client.flush()

        def work() -> None:
            for _ in range(per_thread):
                monitor.monitor(PROMPT, "A short answer.", model="demo")

        workers = [threading.Thread(target=work) for _ in range(threads)]
        start = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        elapsed = time.perf_counter() - start
        client.close(60)
        return threads * per_thread / elapsed


def _events(n: int) -> list[Event]:
    return [Event(messages=[Message(role="user", content=PROMPT)], output_text="A short answer.",
                  model="demo").finish() for _ in range(n)]


def store_vs_raw(n: int, rounds: int) -> tuple[float, float, float]:
    """Events/s: enqueue + flush into the embedded store, vs executemany of the same rows.

    The raw side inserts the already-serialised rows, hashes included, into a table
    with the same columns and indexes (without the trigger that keeps chain heads):
    what SQLite itself costs. The ratio is what ScaleSafe's queue, serialisation and
    hash chain cost on top. Interleaved rounds (the order alternates); returns the
    median of each side and the median of the rounds' ratios.
    """
    ours, raw = [], []
    for i in range(rounds):
        if i % 2:
            raw.append(_raw(n))
            ours.append(_ours(n))
        else:
            ours.append(_ours(n))
            raw.append(_raw(n))
    ratios = [o / r for o, r in zip(ours, raw, strict=True)]
    return statistics.median(ours), statistics.median(raw), statistics.median(ratios)


def _ours(n: int) -> float:
    events = _events(n)
    with tempfile.TemporaryDirectory() as home:
        client = Client(home=home, max_queue=n + 100)
        for _ in range(100):  # warm up: sustained recording starts the writer process (once, ~0.2 s)
            client.record(Event())
        client.flush(30)
        start = time.perf_counter()
        for e in events:
            client.record(e)
        client.flush(120)
        elapsed = time.perf_counter() - start
        client.close()
    return n / elapsed


def _raw(n: int) -> float:
    rows = [Row.from_event(e) for e in _events(n)]
    with tempfile.TemporaryDirectory() as home:
        LocalStore(Path(home) / "raw.db").open().close()  # same table and indexes
        conn = sqlite3.connect(Path(home) / "raw.db", isolation_level=None)
        conn.execute("DROP TRIGGER ledger_chain_head")  # raw SQLite: no chain head kept
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        values = [(r.model_system, i + 1, r.id, r.type, r.at, r.kind, r.source, r.trace_id, r.verdict,
                   r.status, r.body, "0" * 64, "f" * 64) for i, r in enumerate(rows)]
        start = time.perf_counter()
        for i in range(0, n, 500):
            conn.execute("BEGIN")
            conn.executemany(
                "INSERT INTO ledger (model_system, n, id, type, at, kind, source, trace_id, verdict,"
                " status, body, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", values[i:i + 500])
            conn.execute("COMMIT")
        elapsed = time.perf_counter() - start
        conn.close()
    return n / elapsed


def import_time(rounds: int, code: str) -> float:
    """Milliseconds ``code`` adds to a bare interpreter start (median)."""
    def run(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - start

    diffs = []
    for _ in range(rounds):
        bare = run("pass")
        diffs.append(run(code) - bare)
    return statistics.median(diffs) * 1000


RSS_SCRIPT = """
import sys, tempfile, json
from scalesafe import Client, GenericMonitor
def rss(pid='self'):
    if pid is None:
        return 0.0
    with open('/proc/%s/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024
n = int(sys.argv[1]); marks = {}
with tempfile.TemporaryDirectory() as home:
    client = Client(home=home)
    monitor = GenericMonitor(client=client)
    for i in range(1, n + 1):
        monitor.monitor("question %d about the quarterly numbers" % i, "answer")
        if i in (n // 10, n // 2, n):
            client.flush(60); marks[i] = [rss(), rss(client.recorder.writer_pid)]
    client.close(60)
print(json.dumps(marks))
"""


def memory_profile(n: int) -> dict[str, list[float]]:
    """RSS in MB of the application and of its writer process (0 if none) at each mark."""
    out = subprocess.run([sys.executable, "-c", RSS_SCRIPT, str(n)], capture_output=True, text=True,
                         check=True)
    return {k: [round(v, 1) for v in pair] for k, pair in json.loads(out.stdout).items()}


def run(quick: bool = False) -> list[dict[str, Any]]:
    per = 2_000 if quick else 10_000
    results: list[dict[str, Any]] = []
    one = monitor_calls_per_second(1, per)
    eight = monitor_calls_per_second(8, per // 4)
    results.append({"benchmark": "monitor() calls/s, 1 thread", "value": round(one), "unit": "calls/s",
                    "per_call_us": round(1e6 / one, 1)})
    results.append({"benchmark": "monitor() calls/s, 8 threads", "value": round(eight), "unit": "calls/s"})
    ours, raw, ratio = store_vs_raw(5_000, 3) if quick else store_vs_raw(50_000, 5)
    results.append({"benchmark": "events/s into the embedded store (hash-chained)", "value": round(ours),
                    "unit": "events/s", "raw_sqlite_executemany": round(raw),
                    "ratio_vs_raw": round(ratio, 3), "goal": ">= 0.5 of raw"})
    rounds = 3 if quick else 7
    results.append({"benchmark": "import scalesafe", "unit": "ms",
                    "value": round(import_time(rounds, "import scalesafe"), 1)})
    results.append({"benchmark": "import scalesafe, then first use of GenericMonitor", "unit": "ms",
                    "value": round(import_time(rounds, "import scalesafe; scalesafe.GenericMonitor"), 1)})
    if sys.platform.startswith("linux"):
        n = 100_000 if quick else 1_000_000
        marks = memory_profile(n)
        results.append({"benchmark": f"RSS after {n:,} events through the recorder (app + writer process)",
                        "unit": "MB", "value": round(sum(marks[str(n)]), 1),
                        "rss_mb_app_and_writer_by_events": marks, "goal": "flat (bounded queue, no leak)"})
    return results


if __name__ == "__main__":
    report.main(run, __doc__)
