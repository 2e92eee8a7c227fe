"""One core for sync and async monitors: stop switch, screening steps, record."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .._guard import Gate
from ..model import Direction, Event

Texts = list[tuple[str | None, str]]


@dataclass
class Step:
    """One screening pass: which direction, which texts, where masked texts go."""

    direction: Direction
    texts: Texts
    apply: Callable[[list[str]], None]


def screen(gate: Gate, event: Event, steps: Sequence[Step], review_id: str | None = None) -> None:
    """Run each step through the gate (a block records ``event`` and raises)."""
    for step in steps:
        if step.texts:
            gate.screen(event, step.direction, step.texts, step.apply, review_id=review_id)


async def ascreen(gate: Gate, event: Event, steps: Sequence[Step],
                  review_id: str | None = None) -> None:
    for step in steps:
        if step.texts:
            await gate.ascreen(event, step.direction, step.texts, step.apply, review_id=review_id)


def run(gate: Gate, event: Event, steps: Sequence[Step], review_id: str | None = None) -> Event:
    """Stop switch, screening, then record: the whole of a monitor call."""
    gate.check_stop(event)
    screen(gate, event, steps, review_id)
    gate.client.record(event)
    return event


async def arun(gate: Gate, event: Event, steps: Sequence[Step],
               review_id: str | None = None) -> Event:
    gate.check_stop(event)
    await ascreen(gate, event, steps, review_id)
    gate.client.record(event)
    return event


def output_step(event: Event, extra: Callable[[list[str]], None] | None = None) -> Step:
    """Screen the output text and tool-call arguments; masked texts go back into the event."""
    from ._convert import arguments

    texts: Texts = []
    if event.output_text:
        texts.append(("output", event.output_text))
    for i, call in enumerate(event.tool_calls):
        if call.arguments is not None:
            raw = call.arguments if isinstance(call.arguments, str) else _json(call.arguments)
            texts.append((f"tool_calls[{i}].arguments", raw))

    def apply(masked: list[str]) -> None:
        rest = list(masked)
        if event.output_text:
            event.output_text = rest.pop(0)
        for call in event.tool_calls:
            if call.arguments is not None and rest:
                call.arguments = arguments(rest.pop(0))
        if extra is not None:
            extra(masked)

    return Step(Direction.OUTPUT, texts, apply)


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)
