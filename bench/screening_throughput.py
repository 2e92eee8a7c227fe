"""Screening throughput for the default policy: MB/s on clean and PII-dense text.

Usage: ``python bench/screening_throughput.py [--json out.json] [--quick]``.
Prints a Markdown table; medians over rounds. The texts are generated here
(deterministic pseudo-random prose; PII values computed to pass their checksums).
A second table gives µs per call on the short clean texts of a chat turn (what the
LangChain handler screens per invoke), best of several timeit runs, with goals.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
import timeit
from typing import Any

from scalesafe.screening import Policy, screen, screen_texts

_WORDS = (  # noqa: SIM905 - prose reads better than a word list
    "the model answers questions about shipping orders and returns while the team reviews "
    "quarterly reports on revenue growth customer satisfaction product launches and support "
    "tickets our assistant summarises meeting notes drafts emails for colleagues translates "
    "documents explains policies schedules follow ups and keeps track of open tasks in the "
    "project plan please send the updated forecast by friday so that finance can close the "
    "month on time we shipped version four of the mobile app with faster search better "
    "accessibility and fewer crashes thanks everyone for the careful testing last week"
).split()


def _luhn_complete(prefix: str, rng: random.Random, length: int = 16) -> str:
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    for check in "0123456789":
        digits = body + check
        total = 0
        for i, ch in enumerate(reversed(digits)):
            d = int(ch) * (2 if i % 2 else 1)
            total += d - 9 if d > 9 else d
        if total % 10 == 0:
            return digits
    raise AssertionError("unreachable")


def clean_text(size: int, seed: int = 1) -> str:
    """English-like prose with a few harmless numbers, no PII."""
    rng = random.Random(seed)
    out: list[str] = []
    n = 0
    while n < size:
        sentence = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(8, 18)))
        if rng.random() < 0.2:
            sentence += f" in {rng.randint(2, 40)} days"
        sentence = sentence.capitalize() + ". "
        out.append(sentence)
        n += len(sentence)
    return "".join(out)[:size]


def pii_text(size: int, seed: int = 2) -> str:
    """Prose where about every other sentence carries an identifier."""
    rng = random.Random(seed)
    makers = [
        lambda: f"email me at user{rng.randint(1, 999)}@example.com",
        lambda: f"call ({rng.randint(200, 989)}) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
        lambda: f"card {' '.join(_luhn_complete('4', rng)[i:i + 4] for i in range(0, 16, 4))}",
        lambda: f"server 10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        lambda: f"ssn {rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}",
        lambda: f"ring +44 20 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
    ]
    out: list[str] = []
    n = 0
    while n < size:
        words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(6, 12)))
        sentence = f"{words} {rng.choice(makers)()}. " if rng.random() < 0.5 else f"{words}. "
        out.append(sentence)
        n += len(sentence)
    return "".join(out)[:size]


def _median_seconds(fn: Any, rounds: int, inner: int = 1) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - t0) / inner)
    return statistics.median(times)


def run(quick: bool = False) -> list[dict[str, Any]]:
    """Run every case; one dict per case (corpus, size, MB/s, µs per call)."""
    policy = Policy()
    screen("warm up 4111 1111 1111 1111 a@b.co", policy=policy)
    sizes = [(1_000, "1 KB"), (100_000, "100 KB"), (10_000_000, "10 MB")]
    if quick:
        sizes = [(1_000, "1 KB"), (100_000, "100 KB"), (1_000_000, "1 MB")]
    results = []
    for corpus, make in (("clean", clean_text), ("pii", pii_text)):
        for size, label in sizes:
            text = make(size)
            inner = max(1, 200_000 // size) if size <= 100_000 else 1
            rounds = 3 if size >= 1_000_000 else (5 if quick else 9)
            seconds = _median_seconds(lambda t=text: screen(t, policy=policy), rounds, inner)
            results.append(
                {
                    "corpus": corpus,
                    "size": label,
                    "bytes": len(text.encode()),
                    "mb_per_s": round(len(text.encode()) / seconds / 1e6, 1),
                    "us_per_call": round(seconds * 1e6, 1),
                    "findings": len(screen(text, policy=policy).findings),
                }
            )
    return results


# A chat turn: system message, 1 KB user prompt, short reply (as bench/langchain_overhead.py).
SYSTEM = "You are terse."
PROMPT = ("Please summarise the quarterly report for the operations team. " * 16)[:1000]
REPLY = "The report shows steady growth."


def short_cases(quick: bool = False) -> list[dict[str, Any]]:
    """µs per call on short clean texts: best of ``repeat`` timeit runs, against a goal."""
    policy = Policy()
    cases = [
        ("screen_texts([14-char system, 1 KB prompt], input)", 20.0,
         lambda: screen_texts([("m0", SYSTEM), ("m1", PROMPT)], "input", policy)),
        ("screen(31-char reply, output)", 3.0, lambda: screen(REPLY, "output", policy)),
        ("screen(14-char system, input)", 3.0, lambda: screen(SYSTEM, "input", policy)),
        ("screen(1 KB prompt, input)", 15.0, lambda: screen(PROMPT, "input", policy)),
        ("screen(1 KB clean prose, input)", 20.0,
         lambda t=clean_text(1_000): screen(t, "input", policy)),
    ]
    repeat, number = (5, 1_000) if quick else (9, 5_000)
    out = []
    for name, goal, fn in cases:
        fn()
        best = min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6
        out.append({"corpus": "short clean", "size": name, "us_per_call": round(best, 2),
                    "goal_us": goal, "meets_goal": best <= goal})
    return out


def short_table(results: list[dict[str, Any]]) -> str:
    lines = ["| short clean text | µs per call (best) | goal µs | meets |", "| --- | ---: | ---: | --- |"]
    for r in results:
        lines.append(f"| {r['size']} | {r['us_per_call']} | {r['goal_us']} "
                     f"| {'yes' if r['meets_goal'] else 'NO'} |")
    return "\n".join(lines)


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| corpus | size | MB/s | µs per call | findings |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r['corpus']} | {r['size']} | {r['mb_per_s']} | {r['us_per_call']} "
            f"| {r['findings']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--quick", action="store_true", help="smaller inputs, fewer rounds")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    results = run(quick=args.quick)
    short = short_cases(quick=args.quick)
    print(table(results))
    print()
    print(short_table(short))
    print(f"\n(python {sys.version.split()[0]}, {time.perf_counter() - t0:.1f} s)")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(results + short, fh, indent=2)  # one list of rows, as bench/run.py reads
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
