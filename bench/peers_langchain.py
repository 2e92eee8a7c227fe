"""LangChain handler overhead: ScaleSafe side by side with Langfuse and OpenInference.

Same chain as bench/langchain_overhead.py (``ChatPromptTemplate | FakeListChatModel``, a
~1 KB prompt). Each peer is pointed at a dead port on 127.0.0.1, so nothing leaves the
machine; their exporters fail in the background, as they would with a server outage.
Configurations run in interleaved rounds (the order rotates every round); an overhead is
the median of each round's difference from the bare chain in that round. ScaleSafe's time
includes writing every event it logged (as in bench/langchain_overhead.py); the peers'
exporters keep running in the background (failing), which can only make their figures look
better. Peers are optional
(``pip install 'scalesafe[bench]'``); a missing one is reported as such.

    python bench/peers_langchain.py [--quick] [--json PATH]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import FakeListChatModel
from langchain_core.prompts import ChatPromptTemplate

from scalesafe import Client
from scalesafe.langchain import ScaleSafeHandler

PROMPT = ("Please summarise the quarterly report for the operations team. " * 16)[:1000]
DEAD = "http://127.0.0.1:9"

Setup = Callable[[], contextlib.AbstractContextManager[list[Any]]]


class NoopHandler(BaseCallbackHandler):
    """The baseline: a handler that does nothing."""


def _chain() -> Any:
    prompt = ChatPromptTemplate.from_messages([("system", "You are terse."), ("human", "{q}")])
    return prompt | FakeListChatModel(responses=["The report shows steady growth."])


@contextlib.contextmanager
def _fixed(handlers: list[Any]) -> Iterator[list[Any]]:
    yield handlers


def _langfuse() -> Setup | None:
    try:
        from langfuse import Langfuse
        from langfuse.langchain import CallbackHandler
    except ImportError:
        return None
    Langfuse(public_key="pk-lf-bench", secret_key="sk-lf-bench", host=DEAD)
    handler = CallbackHandler(public_key="pk-lf-bench")
    return lambda: _fixed([handler])


def _openinference() -> Setup | None:
    try:
        from openinference.instrumentation.langchain import LangChainInstrumentor
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        return None
    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{DEAD}/v1/traces")))
    instrumentor = LangChainInstrumentor()

    @contextlib.contextmanager
    def instrumented() -> Iterator[list[Any]]:
        instrumentor.instrument(tracer_provider=provider)
        try:
            yield []
        finally:
            instrumentor.uninstrument()

    return instrumented


def _configs(client: Client) -> dict[str, Setup | None]:
    return {
        "no handler": lambda: _fixed([]),
        "no-op handler": lambda: _fixed([NoopHandler()]),
        "ScaleSafe (log to local store)": lambda: _fixed([ScaleSafeHandler(client=client)]),
        "ScaleSafe (log + screen both ways)": lambda: _fixed(
            [ScaleSafeHandler(client=client, screen_inputs=True, screen_outputs=True)]),
        "Langfuse CallbackHandler (log only)": _langfuse(),
        "OpenInference LangChainInstrumentor (log only)": _openinference(),
    }


def _time(chain: Any, setup: Setup, n: int, client: Client | None) -> float:
    with setup() as callbacks:
        config = {"callbacks": callbacks}
        inputs = {"q": PROMPT}
        chain.invoke(inputs, config=config)
        if client is not None:
            client.flush(30)
        start = time.perf_counter()
        for _ in range(n):
            chain.invoke(inputs, config=config)
        if client is not None:
            client.flush(60)
        return (time.perf_counter() - start) / n * 1e6


def run(quick: bool = False) -> list[dict[str, Any]]:
    # Peers log every failed export to the dead port, from background threads that outlive
    # this function; keep logging quiet for the rest of the benchmark process.
    logging.disable(logging.CRITICAL)
    rounds, per_round = (5, 100) if quick else (11, 300)
    chain = _chain()
    with tempfile.TemporaryDirectory() as home:
        client = Client(home=home)
        configs = _configs(client)
        live = {k: v for k, v in configs.items() if v is not None}
        times: dict[str, list[float]] = {k: [] for k in live}
        names = list(live)
        for i in range(rounds):
            for name in names[i % len(names):] + names[:i % len(names)]:
                times[name].append(_time(chain, live[name], per_round, client))
        client.close()
    base = times["no handler"]
    rows = []
    for name in configs:
        if name not in times:
            rows.append({"configuration": name, "us_per_invoke": None, "overhead_us": None,
                         "note": "not installed (pip install 'scalesafe[bench]')"})
            continue
        # Overhead within each round (paired with that round's bare chain), then the median:
        # the difference of two medians swung below zero for the no-op handler on a noisy machine.
        overhead = statistics.median(t - b for t, b in zip(times[name], base, strict=True))
        rows.append({"configuration": name, "us_per_invoke": round(statistics.median(times[name]), 1),
                     "overhead_us": round(overhead, 1)})
    noop = next(r["overhead_us"] for r in rows if r["configuration"] == "no-op handler")
    for r in rows:
        if r["overhead_us"] is not None and noop:
            r["x_noop_overhead"] = round(r["overhead_us"] / noop, 2) if noop > 0 else None
    return rows


def to_markdown(rows: list[dict[str, Any]]) -> str:
    lines = ["| configuration | µs / invoke | overhead µs | × no-op overhead |",
             "| --- | ---: | ---: | ---: |"]
    for r in rows:
        if r["us_per_invoke"] is None:
            lines.append(f"| {r['configuration']} | – | – | {r['note']} |")
        else:
            lines.append(f"| {r['configuration']} | {r['us_per_invoke']} | {r['overhead_us']} |"
                         f" {r.get('x_noop_overhead', '')} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json")
    args = parser.parse_args()
    rows = run(args.quick)
    print(to_markdown(rows))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)


if __name__ == "__main__":
    main()
