"""Per-invoke overhead of ``ScaleSafeHandler`` on ``ChatPromptTemplate | FakeListChatModel``.

Configurations run in interleaved rounds (so machine noise hits them alike) and
the report uses medians. Overhead = time with a handler - time with no handler,
measured within the same round. The handler's events go to an in-memory sink
(the caller-thread cost: build + screen + enqueue) and, separately, to the real
embedded store, whose background writer also competes for the GIL.

    python bench/langchain_overhead.py [--quick] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import FakeListChatModel
from langchain_core.prompts import ChatPromptTemplate

from scalesafe import Client
from scalesafe.langchain import ScaleSafeHandler
from scalesafe.transport import InMemorySink

PROMPT = ("Please summarise the quarterly report for the operations team. " * 16)[:1000]
GOAL_OFF_RATIO = 3.0
GOAL_ON_US = 200.0


class NoopHandler(BaseCallbackHandler):
    """The baseline: a handler that does nothing."""


def _chain() -> Any:
    prompt = ChatPromptTemplate.from_messages([("system", "You are terse."), ("human", "{q}")])
    return prompt | FakeListChatModel(responses=["The report shows steady growth."])


def _configs(home: str) -> tuple[dict[str, Callable[[], list[Any]]], tuple[Client, Client]]:
    memory = Client(home=home, sink=InMemorySink())
    store = Client(home=home)
    return {
        "no handler": lambda: [],
        "no-op handler": lambda: [NoopHandler()],
        "ScaleSafeHandler, screening off": lambda: [ScaleSafeHandler(client=memory)],
        "ScaleSafeHandler, screening on": lambda: [
            ScaleSafeHandler(client=memory, screen_inputs=True, screen_outputs=True)],
        "ScaleSafeHandler, screening off, local store": lambda: [ScaleSafeHandler(client=store)],
        "ScaleSafeHandler, screening on, local store": lambda: [
            ScaleSafeHandler(client=store, screen_inputs=True, screen_outputs=True)],
    }, (memory, store)


def _time(chain: Any, callbacks: list[Any], n: int) -> float:
    config = {"callbacks": callbacks}
    inputs = {"q": PROMPT}
    start = time.perf_counter()
    for _ in range(n):
        chain.invoke(inputs, config=config)
    return (time.perf_counter() - start) / n * 1e6


def run(quick: bool = False) -> list[dict[str, Any]]:
    """Measure every configuration; returns one row per configuration (µs per invoke)."""
    rounds, per_round = (5, 100) if quick else (15, 300)
    chain = _chain()
    with tempfile.TemporaryDirectory() as home:
        configs, clients = _configs(home)
        samples: dict[str, list[float]] = {name: [] for name in configs}
        overheads: dict[str, list[float]] = {name: [] for name in configs}
        for make in configs.values():  # warm up imports, policy, workers
            _time(chain, make(), 20)
        for _ in range(rounds):
            times = {name: _time(chain, make(), per_round) for name, make in configs.items()}
            for name, value in times.items():
                samples[name].append(value)
                overheads[name].append(value - times["no handler"])
            for client in clients:
                client.flush(10)
        for client in clients:
            client.close(10)
    return [{"config": name, "median_us": round(statistics.median(samples[name]), 1),
             "overhead_us": round(statistics.median(overheads[name]), 1),
             "rounds": rounds, "invokes_per_round": per_round} for name in configs]


def verdicts(rows: list[dict[str, Any]]) -> dict[str, Any]:
    by = {r["config"]: r["overhead_us"] for r in rows}
    noop = max(by["no-op handler"], 1.0)
    off = by["ScaleSafeHandler, screening off"]
    on = by["ScaleSafeHandler, screening on"]
    return {"off_vs_noop_ratio": round(off / noop, 2), "off_goal_met": off <= GOAL_OFF_RATIO * noop,
            "on_overhead_us": on, "on_goal_met": on <= GOAL_ON_US}


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = ["| configuration | median µs / invoke | overhead µs / invoke |", "| --- | ---: | ---: |"]
    lines += [f"| {r['config']} | {r['median_us']} | {r['overhead_us']} |" for r in rows]
    v = verdicts(rows)
    lines.append("")
    lines.append(f"Screening off: {v['off_vs_noop_ratio']}x the no-op handler's overhead "
                 f"(goal ≤ {GOAL_OFF_RATIO}x: {'met' if v['off_goal_met'] else 'NOT met'}). "
                 f"Screening on: {v['on_overhead_us']} µs (goal ≤ {GOAL_ON_US:.0f} µs: "
                 f"{'met' if v['on_goal_met'] else 'NOT met'}).")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    parser.add_argument("--json", metavar="PATH", help="also write the rows as JSON")
    args = parser.parse_args()
    rows = run(quick=args.quick)
    print(markdown(rows))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"rows": rows, "verdicts": verdicts(rows)}, out, indent=2)


if __name__ == "__main__":
    main()
