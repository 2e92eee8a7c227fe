"""Overhead of ScaleSafe per ``query_engine.query`` (LlamaIndex, all offline).

Compares, in interleaved rounds so drift hits every variant alike:
- ``bare``: no handlers;
- ``noop``: a do-nothing instrumentation span + event handler (the floor any
  instrumentation pays on the dispatcher);
- ``scalesafe``: ``instrument()`` (logging), and ``scalesafe+screen``:
  ``instrument(screen_inputs=True, screen_outputs=True)``, both writing to the
  embedded SQLite store through the background recorder;
- ``scalesafe(memory)``: ``instrument()`` with an ``InMemorySink`` client, which
  separates ScaleSafe's in-thread work from the store writer's competition for
  the GIL.

Three figures per variant, each the median over rounds: wall time per query
(what the caller waits), CPU time of the calling thread per query (our in-thread
work, least disturbed by other processes), and CPU time of the whole process
per query including the flush that writes the round's events to the embedded
store (the total cost, background writer included).

Usage: ``python bench/llama_index_overhead.py [--quick] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from llama_index.core import Document, Settings, VectorStoreIndex
from llama_index.core.embeddings import MockEmbedding
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.span_handlers import SimpleSpanHandler
from llama_index.core.llms import MockLLM

import scalesafe
from scalesafe.integrations.llama_index import instrument, uninstrument
from scalesafe.transport import InMemorySink

QUESTION = "How long do cats sleep each day?"


class NoopEvents(BaseEventHandler):
    def handle(self, event: Any, **kwargs: Any) -> None:
        return None


class NoopSpans(SimpleSpanHandler):
    """Keeps no spans: the cheapest span handler that still sees every span."""

    def span_enter(self, *args: Any, **kwargs: Any) -> None:
        return None

    def span_exit(self, *args: Any, **kwargs: Any) -> None:
        return None

    def span_drop(self, *args: Any, **kwargs: Any) -> None:
        return None


def _engine() -> Any:
    Settings.llm = MockLLM(max_tokens=16)
    Settings.embed_model = MockEmbedding(embed_dim=32)
    docs = [Document(text=f"Fact {i}: cats sleep {10 + i} hours a day.") for i in range(20)]
    return VectorStoreIndex.from_documents(docs).as_query_engine(similarity_top_k=2)


def _variants(client: Any, memory: Any) -> dict[str, tuple[Callable[[], None], Callable[[], None]]]:
    root = get_dispatcher()
    saved: dict[str, Any] = {}

    def noop_on() -> None:
        saved["spans"], saved["events"] = list(root.span_handlers), list(root.event_handlers)
        root.add_span_handler(NoopSpans())
        root.add_event_handler(NoopEvents())

    def noop_off() -> None:
        root.span_handlers, root.event_handlers = saved["spans"], saved["events"]

    def nothing() -> None:
        return None

    return {
        "bare": (nothing, nothing),
        "noop": (noop_on, noop_off),
        "scalesafe": (lambda: instrument(client=client) and None, uninstrument),
        "scalesafe+screen": (lambda: instrument(client=client, screen_inputs=True,
                                                screen_outputs=True) and None, uninstrument),
        "scalesafe(memory)": (lambda: instrument(client=memory) and None, uninstrument),
    }


MEASURES = ("wall", "thread_cpu", "process_cpu")


def _time(engine: Any, clients: tuple[Any, ...], n: int) -> tuple[float, float, float]:
    """Per query, in µs: wall, calling-thread CPU, process CPU including the store write."""
    wall, thread, process = time.perf_counter(), time.thread_time(), time.process_time()
    for _ in range(n):
        engine.query(QUESTION)
    wall = time.perf_counter() - wall
    thread = time.thread_time() - thread
    for client in clients:
        client.flush(10)
    process = time.process_time() - process
    return wall / n * 1e6, thread / n * 1e6, process / n * 1e6


def run(quick: bool = False) -> list[dict[str, Any]]:
    """Median microseconds per query for each variant, and the overhead over ``bare``."""
    rounds, per_round = (5, 20) if quick else (15, 60)
    with tempfile.TemporaryDirectory() as home:
        client = scalesafe.Client(home=Path(home))
        memory = scalesafe.Client(home=Path(home) / "memory", sink=InMemorySink())
        engine = _engine()
        variants = _variants(client, memory)
        samples: dict[str, list[tuple[float, float, float]]] = {name: [] for name in variants}
        for on, off in variants.values():  # warm-up
            on()
            _time(engine, (client, memory), 5)
            off()
        for _ in range(rounds):
            for name, (on, off) in variants.items():
                on()
                samples[name].append(_time(engine, (client, memory), per_round))
                off()
        client.close(10)
        memory.close(10)
    medians = {name: [statistics.median(s[i] for s in runs) for i in range(3)]
               for name, runs in samples.items()}
    return [_row(name, m, medians["bare"], rounds, per_round) for name, m in medians.items()]


def _row(name: str, m: list[float], bare: list[float], rounds: int, per_round: int) -> dict[str, Any]:
    row: dict[str, Any] = {"variant": name, "rounds": rounds, "queries_per_round": per_round}
    for i, measure in enumerate(MEASURES):
        row[f"{measure}_us"] = round(m[i], 1)
        row[f"{measure}_overhead_us"] = round(m[i] - bare[i], 1)
    row["wall_overhead_pct"] = round((m[0] - bare[0]) / bare[0] * 100, 1)
    return row


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = ["| variant | wall per query (µs) | wall overhead (µs) | overhead (%) "
             "| thread CPU overhead (µs) | process CPU overhead incl. store write (µs) |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        lines.append(f"| {r['variant']} | {r['wall_us']} | {r['wall_overhead_us']} "
                     f"| {r['wall_overhead_pct']} | {r['thread_cpu_overhead_us']} "
                     f"| {r['process_cpu_overhead_us']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON to this path")
    args = parser.parse_args()
    rows = run(quick=args.quick)
    print(markdown(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
