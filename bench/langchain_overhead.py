"""Per-invoke overhead of ``ScaleSafeHandler`` on ``ChatPromptTemplate | FakeListChatModel``.

Configurations run in interleaved rounds (so machine noise hits them alike; the
order rotates every round) and the report uses medians. Overhead = time with a
handler - time with no handler, measured within the same round.

Each round is long (1,000 invokes) and its time includes writing every event it
logged (``flush``): the steady-state cost, with the background writer's work
charged to the configuration that caused it. Short rounds that leave the last
batches unwritten, or let them be written during another configuration's turn,
understate the overhead: under a CPU-bound loop like this one the writer runs
behind, so those batches are much of its work. Two clocks: wall time, and the
process's CPU time (all threads). The handler's events go to an in-memory sink
(emptied every round) and, separately, to the real embedded store. One more pair
runs a 4 KB prompt against its own baseline: rows past 2 KB are where the writer
once had to win the GIL back from the application for every row it hashed.

    python bench/langchain_overhead.py [--quick] [--json PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
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
LONG_PROMPT = ("Please summarise the quarterly report for the operations team. " * 64)[:4000]
LONG_BASELINE = "no handler, 4 KB prompt"
GOAL_OFF_RATIO = 3.0
GOAL_ON_US = 200.0


class NoopHandler(BaseCallbackHandler):
    """The baseline: a handler that does nothing."""


class PassHandler(BaseCallbackHandler):
    """For reference: implements the callbacks this chain fires, each doing nothing. The no-op
    handler pays a little more: LangChain falls back from its ``on_chat_model_start`` (which
    raises NotImplementedError) to ``on_llm_start``."""

    run_inline = True

    def on_chain_start(self, *args: Any, **kwargs: Any) -> None:
        pass

    def on_chain_end(self, *args: Any, **kwargs: Any) -> None:
        pass

    def on_chat_model_start(self, *args: Any, **kwargs: Any) -> None:
        pass

    def on_llm_end(self, *args: Any, **kwargs: Any) -> None:
        pass


class JsonLinesHandler(PassHandler):
    """For reference, the least any logging handler does: remember each run, and when it ends
    write one JSON line (kept in memory) with its ids, times, input and output. No event
    schema, run tree, metadata, hash chain or storage."""

    def __init__(self) -> None:
        self.open: dict[Any, tuple[str, str, str, Any]] = {}
        self.lines: list[str] = []

    def _start(self, run_id: Any, parent_run_id: Any, value: Any) -> None:
        self.open[run_id] = (str(run_id), str(parent_run_id), _now(), value)

    def _end(self, run_id: Any, output: Any) -> None:
        run, parent, start, value = self.open.pop(run_id)
        self.lines.append(_dumps({"run_id": run, "parent_id": parent, "start": start,
                                  "end": _now(), "input": value, "output": output}))
        if len(self.lines) >= 64:
            self.lines.clear()

    def on_chain_start(self, serialized: Any, inputs: Any, *, run_id: Any,
                       parent_run_id: Any = None, **kwargs: Any) -> None:
        self._start(run_id, parent_run_id, inputs)

    def on_chat_model_start(self, serialized: Any, messages: Any, *, run_id: Any,
                            parent_run_id: Any = None, **kwargs: Any) -> None:
        self._start(run_id, parent_run_id, [[m.type, m.content] for m in messages[0]])

    def on_chain_end(self, outputs: Any, *, run_id: Any, **kwargs: Any) -> None:
        self._end(run_id, getattr(outputs, "content", None))

    def on_llm_end(self, response: Any, *, run_id: Any, **kwargs: Any) -> None:
        self._end(run_id, response.generations[0][0].text)


_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def _chain() -> Any:
    prompt = ChatPromptTemplate.from_messages([("system", "You are terse."), ("human", "{q}")])
    return prompt | FakeListChatModel(responses=["The report shows steady growth."])


Config = tuple[Callable[[], list[Any]], Client | None, str]


def _configs(home: str) -> tuple[dict[str, Config], tuple[Client, Client], InMemorySink]:
    """Each configuration: its callbacks, the client whose writer it waits for, its prompt."""
    sink = InMemorySink()
    memory = Client(home=home, sink=sink)
    store = Client(home=home)
    return {
        "no handler": (lambda: [], None, PROMPT),
        "no-op handler": (lambda: [NoopHandler()], None, PROMPT),
        "pass handler (reference)": (lambda: [PassHandler()], None, PROMPT),
        "minimal JSON-lines logger (reference)": (lambda: [JsonLinesHandler()], None, PROMPT),
        "ScaleSafeHandler, screening off": (lambda: [ScaleSafeHandler(client=memory)], memory, PROMPT),
        "ScaleSafeHandler, screening on": (lambda: [
            ScaleSafeHandler(client=memory, screen_inputs=True, screen_outputs=True)], memory, PROMPT),
        "ScaleSafeHandler, screening off, local store": (
            lambda: [ScaleSafeHandler(client=store)], store, PROMPT),
        "ScaleSafeHandler, screening on, local store": (lambda: [
            ScaleSafeHandler(client=store, screen_inputs=True, screen_outputs=True)], store, PROMPT),
        LONG_BASELINE: (lambda: [], None, LONG_PROMPT),
        "ScaleSafeHandler, screening off, local store, 4 KB prompt": (
            lambda: [ScaleSafeHandler(client=store)], store, LONG_PROMPT),
    }, (memory, store), sink


def _time(chain: Any, config: Config, n: int) -> tuple[float, float]:
    """(wall µs, process CPU µs) per invoke, including writing what the invokes logged."""
    make, client, prompt = config
    run_config = {"callbacks": make()}
    inputs = {"q": prompt}
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        chain.invoke(inputs, config=run_config)
    if client is not None:
        client.flush(60)
    return (time.perf_counter() - wall) / n * 1e6, (time.process_time() - cpu) / n * 1e6


def run(quick: bool = False) -> list[dict[str, Any]]:
    """Measure every configuration; returns one row per configuration (µs per invoke)."""
    rounds, per_round = (4, 300) if quick else (12, 1000)
    chain = _chain()
    with tempfile.TemporaryDirectory() as home:
        configs, clients, sink = _configs(home)
        names = list(configs)
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
        for config in configs.values():  # warm up imports, policy, workers
            _time(chain, config, 200)
        for i in range(rounds):
            order = names[i % len(names):] + names[:i % len(names)]
            times = {name: _time(chain, configs[name], per_round) for name in order}
            for name in names:
                base = times[LONG_BASELINE if configs[name][2] is LONG_PROMPT else "no handler"]
                samples[name].append((*times[name], times[name][0] - base[0],
                                      times[name][1] - base[1]))
            sink.clear()
        for client in clients:
            client.close(10)
    return [_row(name, samples[name], rounds, per_round) for name in names]


def _row(name: str, samples: list[tuple[float, ...]], rounds: int, per_round: int) -> dict[str, Any]:
    def median(i: int) -> float:
        return round(statistics.median(s[i] for s in samples), 1)

    return {"config": name, "median_us": median(0), "cpu_us": median(1),
            "overhead_us": median(2), "cpu_overhead_us": median(3),
            "rounds": rounds, "invokes_per_round": per_round}


def verdicts(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The goals, judged on wall-clock overhead, for the in-memory sink and the local store."""
    by = {r["config"]: r["overhead_us"] for r in rows}
    noop = max(by["no-op handler"], 1.0)
    floor = max(by["minimal JSON-lines logger (reference)"], 1.0)
    out: dict[str, Any] = {"noop_overhead_us": by["no-op handler"],
                           "json_lines_vs_noop_ratio": round(floor / noop, 2)}
    for label, suffix in (("memory", ""), ("store", ", local store")):
        off = by[f"ScaleSafeHandler, screening off{suffix}"]
        on = by[f"ScaleSafeHandler, screening on{suffix}"]
        out[label] = {"off_vs_noop_ratio": round(off / noop, 2),
                      "off_goal_met": off <= GOAL_OFF_RATIO * noop,
                      "off_vs_json_lines_ratio": round(off / floor, 2),
                      "on_overhead_us": on, "on_goal_met": on <= GOAL_ON_US}
    return out


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = ["| configuration | wall µs / invoke | overhead (wall) | CPU µs / invoke | overhead (CPU) |",
             "| --- | ---: | ---: | ---: | ---: |"]
    lines += [f"| {r['config']} | {r['median_us']} | {r['overhead_us']} | {r['cpu_us']} "
              f"| {r['cpu_overhead_us']} |" for r in rows]
    v = verdicts(rows)
    lines.append("")
    lines.append(f"The minimal JSON-lines logger costs {v['json_lines_vs_noop_ratio']}x the no-op "
                 "handler's overhead.")
    for label, what in (("memory", "in-memory sink"), ("store", "local store")):
        g = v[label]
        lines.append(
            f"{what}: screening off {g['off_vs_noop_ratio']}x the no-op handler's overhead "
            f"(goal ≤ {GOAL_OFF_RATIO}x: {'met' if g['off_goal_met'] else 'NOT met'}); "
            f"screening on {g['on_overhead_us']} µs (goal ≤ {GOAL_ON_US:.0f} µs: "
            f"{'met' if g['on_goal_met'] else 'NOT met'}); screening off is "
            f"{g['off_vs_json_lines_ratio']}x the minimal JSON-lines logger.")
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
