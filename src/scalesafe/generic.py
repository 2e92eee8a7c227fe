"""``GenericMonitor``: log and screen one interaction with any model."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from ._monitor import BaseMonitor
from ._safety import internal_errors
from .model import (
    Direction,
    Event,
    EventKind,
    Message,
    Source,
    Usage,
    to_jsonable,
    utcnow,
)

__all__ = ["GenericMonitor"]


class GenericMonitor(BaseMonitor):
    """Monitor for any model: ``monitor(input, output)`` logs, and optionally screens, one call."""

    source = Source.GENERIC

    def monitor(
        self,
        input: Any,
        output: Any = None,
        *,
        model: str | None = None,
        screen_inputs: bool = False,
        screen_outputs: bool = False,
        metadata: Mapping[str, Any] | None = None,
        tags: Sequence[str] | None = None,
        usage: Mapping[str, int] | None = None,
        user_id: str | None = None,
        session_id: str | None = None,
        start_time: dt.datetime | None = None,
        end_time: dt.datetime | None = None,
        kind: str | EventKind = EventKind.LLM,
        review_id: str | None = None,
    ) -> Event:
        """Log one interaction; returns the event. Screening may raise; logging never does."""
        try:
            event = self._build(input, output, model, metadata, tags, usage, user_id, session_id,
                                start_time, end_time, kind)
        except Exception as exc:  # a malformed argument must not break the app: log what we can
            internal_errors.add("GenericMonitor.build")
            event = _fallback_event(self.source, input, output, exc)
        gate = self.gate
        gate.check_stop(event)
        if screen_inputs:
            gate.screen(event, Direction.INPUT, _input_texts(event), _input_setter(event),
                        review_id=review_id)
        if screen_outputs and event.output_text is not None:
            gate.screen(event, Direction.OUTPUT, [("output", event.output_text)],
                        _output_setter(event), review_id=review_id)
        self.client.record(event)
        return event

    def _build(self, input: Any, output: Any, model: str | None, metadata: Any, tags: Any,
               usage: Any, user_id: str | None, session_id: str | None,
               start_time: dt.datetime | None, end_time: dt.datetime | None, kind: Any) -> Event:
        cuts: list[str] = []
        messages, other = messages_from(input, cuts)
        text, structured = output_from(output, cuts)
        meta, notes = to_jsonable(dict(metadata or {}), path="metadata")
        other_json, notes_in = to_jsonable(other, path="input") if other is not None else (None, [])
        out_json, notes_out = to_jsonable(structured, path="output") if structured is not None else (None, [])
        event = Event(
            source=self.source, kind=EventKind(kind), model=model, messages=messages, input=other_json,
            output_text=text, output=out_json, metadata=meta, tags=list(tags or []),
            usage=Usage(**usage) if usage else None, user_id=user_id, session_id=session_id,
            location=self.location, start_time=start_time or utcnow(),
            truncated=[*cuts, *notes, *notes_in, *notes_out],
        )
        if end_time is not None or start_time is not None:
            event.finish(end_time)
        return event


def _fallback_event(source: Source, input: Any, output: Any, exc: Exception) -> Event:
    value, notes = to_jsonable({"input": input, "output": output})
    return Event(source=source, input=value, truncated=[
        *notes, f"arguments could not be read as given ({type(exc).__name__}); stored as raw JSON"])


def messages_from(value: Any, cuts: list[str] | None = None) -> tuple[list[Message], Any]:
    """Chat messages when ``value`` looks like them (a string, or role/content dicts).

    Notes about text that had to be cut are appended to ``cuts``.
    """
    cuts = cuts if cuts is not None else []
    if isinstance(value, str):
        return [Message(role="user", content=_safe_text(value, cuts, "messages[0]"))], None
    if isinstance(value, Mapping) and "role" in value:
        value = [value]
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray) and value and all(
        isinstance(m, Mapping) and "role" in m for m in value
    ):
        try:
            return [_message(m, cuts, f"messages[{i}]") for i, m in enumerate(value)], None
        except Exception:
            return [], value
    return [], value


def _message(m: Mapping[str, Any], cuts: list[str], where: str) -> Message:
    content = m.get("content")
    if not isinstance(content, str) and content is not None:
        content = _parts_text(content)
    text = _safe_text(content, cuts, where) if content is not None else None
    name = m.get("name") if isinstance(m.get("name"), str) else None
    return Message(role=str(m["role"]), content=text, name=name)


def _parts_text(content: Any) -> str:
    """Text of multi-part content (OpenAI/Anthropic style ``[{type: text, text: ...}]``)."""
    if isinstance(content, Sequence) and not isinstance(content, str | bytes):
        parts = []
        for part in content:
            if isinstance(part, Mapping) and isinstance(part.get("text"), str):
                parts.append(part["text"])
            elif isinstance(part, str):
                parts.append(part)
        return "\n".join(parts)
    value, _ = to_jsonable(content)
    return value if isinstance(value, str) else str(value)


def _safe_text(text: str, cuts: list[str], where: str) -> str:
    value, notes = to_jsonable(text, path=where)
    cuts.extend(notes)
    return value


def output_from(value: Any, cuts: list[str] | None = None) -> tuple[str | None, Any]:
    cuts = cuts if cuts is not None else []
    if value is None:
        return None, None
    if isinstance(value, str):
        return _safe_text(value, cuts, "output"), None
    if isinstance(value, bytes | bytearray):
        converted, notes = to_jsonable(value, path="output")
        cuts.extend(notes)
        return (converted, None) if not converted.startswith("base64:") else (None, converted)
    if isinstance(value, Mapping) and isinstance(value.get("content"), str):
        return _safe_text(value["content"], cuts, "output"), None
    return None, value


def _input_texts(event: Event) -> list[tuple[str | None, str]]:
    texts = [(f"messages[{i}]", m.content) for i, m in enumerate(event.messages) if m.content]
    if event.input is not None:
        texts.append(("input", event.input if isinstance(event.input, str) else _flatten(event.input)))
    return texts


def _input_setter(event: Event) -> Any:
    def apply(masked: list[str]) -> None:
        i = 0
        for m in event.messages:
            if m.content:
                m.content = masked[i]
                i += 1
        if event.input is not None and i < len(masked):
            if not isinstance(event.input, str):
                event.truncated.append("input: replaced by its screened, masked text")
            event.input = masked[i]

    return apply


def _output_setter(event: Event) -> Any:
    def apply(masked: list[str]) -> None:
        event.output_text = masked[0]

    return apply


def _flatten(value: Any) -> str:
    """All strings inside a JSON value, one per line, for screening structured input."""
    out: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return "\n".join(out)
