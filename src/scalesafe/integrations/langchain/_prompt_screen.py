"""Input screening of a model prompt: one scan of the whole prompt on the clean path.

The screening engine has a fixed cost per text, so a chat prompt's messages are
scanned as one text. Only when that finds something (rare) are the messages
screened one by one through the gate, which gives exact per-message locations and
redactions and records/raises as policy says.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...model import Direction, Event, EventDraft

#: Four newlines: longer than any gap the numeric detectors bridge, so a finding
#: never spans two messages in the joined text unless it would in the messages.
SEPARATOR = "\n\n\n\n"


def screen_prompt(gate: Any, draft: EventDraft) -> None:
    """Screen the draft's messages as the model's input; may raise ``UnsafeInputError``."""
    texts = [(f"messages[{i}]", m["content"]) for i, m in enumerate(draft.fields["messages"])
             if m.get("content")]
    if not texts:
        return
    joined = texts if len(texts) == 1 else [("prompt", SEPARATOR.join(t for _, t in texts))]
    verdict, _ = gate.scan(joined, Direction.INPUT)
    if not verdict.findings:
        return
    event = draft.to_event()  # rare: findings are recorded, masked or raised on a real Event
    try:
        gate.screen(event, Direction.INPUT, texts, masker(event))
    finally:
        draft.absorb(event)


def masker(event: Event) -> Callable[[list[str]], None]:
    """Store the masked texts back into the messages they came from."""

    def apply(masked: list[str]) -> None:
        texts = iter(masked)
        for message in event.messages:
            if message.content:
                message.content = next(texts)

    return apply
