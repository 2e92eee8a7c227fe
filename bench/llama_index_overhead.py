"""Overhead of ScaleSafe per ``query_engine.query`` (LlamaIndex, all offline).

Compares, in interleaved rounds so drift hits every variant alike:
- ``bare``: no handlers;
- ``noop``: a do-nothing instrumentation span + event handler (the floor any
  instrumentation pays on the dispatcher);
- ``scalesafe``: ``instrument()`` (logging), and ``scalesafe+screen``:
  ``instrument(screen_inputs=True, screen_outputs=True)``.

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


def _variants(client: Any) -> dict[str, tuple[Callable[[], None], Callable[[], None]]]:
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
    }


def _time(engine: Any, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        engine.query(QUESTION)
    return (time.perf_counter() - start) / n * 1e6


def run(quick: bool = False) -> list[dict[str, Any]]:
    """Median microseconds per query for each variant, and the overhead over ``bare``."""
    rounds, per_round = (5, 20) if quick else (15, 60)
    with tempfile.TemporaryDirectory() as home:
        client = scalesafe.Client(home=Path(home))
        engine = _engine()
        variants = _variants(client)
        samples: dict[str, list[float]] = {name: [] for name in variants}
        for on, off in variants.values():  # warm-up
            on()
            _time(engine, 5)
            off()
        for _ in range(rounds):
            for name, (on, off) in variants.items():
                on()
                samples[name].append(_time(engine, per_round))
                off()
                client.flush(10)
        client.close(10)
    bare = statistics.median(samples["bare"])
    return [{"variant": name, "median_us": round(statistics.median(s), 1),
             "overhead_us": round(statistics.median(s) - bare, 1),
             "overhead_pct": round((statistics.median(s) - bare) / bare * 100, 1),
             "rounds": rounds, "queries_per_round": per_round} for name, s in samples.items()]


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = ["| variant | median per query (µs) | overhead vs bare (µs) | overhead (%) |",
             "| --- | ---: | ---: | ---: |"]
    for r in rows:
        lines.append(f"| {r['variant']} | {r['median_us']} | {r['overhead_us']} | {r['overhead_pct']} |")
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
