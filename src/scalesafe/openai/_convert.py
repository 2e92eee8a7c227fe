"""Turn OpenAI SDK objects (or their dict forms) into plain data and event fields.

Works on dicts too, so none of this needs the ``openai`` package installed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from .._safety import internal_errors
from ..model import Event, EventKind, Message, Source, ToolCall, Usage, to_jsonable, utcnow

log = logging.getLogger("scalesafe")


def plain(value: Any) -> Any:
    """A deep, plain copy: pydantic models (OpenAI's types) become dicts, sequences lists."""
    dump = getattr(value, "model_dump", None)
    if callable(dump) and not isinstance(value, type):
        try:
            value = dump(mode="json", exclude_unset=True, warnings=False)
        except TypeError:
            value = dump()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def request_id(obj: Any) -> str | None:
    """The ``x-request-id`` the SDK attaches to responses as ``_request_id``."""
    try:
        value = getattr(obj, "_request_id", None)
    except Exception:
        return None
    return value if isinstance(value, str) else None


def safe_text(value: Any) -> str | None:
    if value is None:
        return None
    text, _ = to_jsonable(value if isinstance(value, str) else str(value))
    return text


def arguments(raw: Any) -> Any:
    """Tool-call arguments: parsed JSON when they parse, else the raw string."""
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            return safe_text(raw)
    value, _ = to_jsonable(raw)
    return value


def tool_calls(calls: Any) -> list[ToolCall]:
    """Chat-style tool calls (``{id, function: {name, arguments}}``) as ToolCalls."""
    out = []
    for call in calls or []:
        if not isinstance(call, Mapping):
            continue
        function = call.get("function") or call.get("custom") or {}
        name = function.get("name") or call.get("name") or call.get("type") or "tool"
        args = function.get("arguments", function.get("input", call.get("arguments")))
        out.append(ToolCall(id=call.get("id") or call.get("call_id"), name=str(name),
                            arguments=arguments(args)))
    return out


def content_text(content: Any) -> str | None:
    """Text of string or multi-part content; non-text parts appear as ``[type]``."""
    if content is None or isinstance(content, str):
        return safe_text(content)
    if not isinstance(content, list):
        return safe_text(to_jsonable(content)[0])
    parts = []
    for part in content:
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, Mapping):
            text = part.get("text")
            if isinstance(text, Mapping):  # Assistants: {"type": "text", "text": {"value": ...}}
                text = text.get("value")
            parts.append(text if isinstance(text, str) else f"[{part.get('type', 'part')}]")
    return safe_text("\n".join(parts))


def chat_messages(messages: Any) -> list[Message]:
    """Chat messages (plain dicts) as event Messages, keeping tool calls and tool-call ids."""
    out = []
    for m in messages or []:
        if not isinstance(m, Mapping):
            continue
        out.append(Message(
            role=str(m.get("role") or m.get("type") or "user"),
            content=content_text(m.get("content")),
            name=m.get("name") if isinstance(m.get("name"), str) else None,
            tool_calls=tool_calls(m.get("tool_calls")),
            tool_call_id=m.get("tool_call_id") if isinstance(m.get("tool_call_id"), str) else None,
        ))
    return out


def usage(data: Any) -> Usage | None:
    """Chat (``prompt_tokens``) or Responses (``input_tokens``) usage."""
    if not isinstance(data, Mapping):
        return None
    inp = data.get("prompt_tokens", data.get("input_tokens"))
    out = data.get("completion_tokens", data.get("output_tokens"))
    total = data.get("total_tokens")
    if inp is None and out is None and total is None:
        return None
    return Usage(input_tokens=inp, output_tokens=out, total_tokens=total)


def new_event(kind: EventKind, location: str | None) -> Event:
    return Event(source=Source.OPENAI, kind=kind, location=location, start_time=utcnow())


def unreadable(event: Event, value: Any, exc: BaseException) -> Event:
    """Keep what could not be parsed as raw output instead of failing the caller."""
    internal_errors.add("scalesafe.openai.read")
    log.warning("scalesafe: could not read an OpenAI object (%s); logged raw", type(exc).__name__)
    raw, notes = to_jsonable(value, path="output")
    event.output = raw
    event.truncated.extend(notes)
    event.truncated.append(f"output: not understood ({type(value).__name__}), stored raw")
    return event


def add_metadata(event: Event, metadata: Mapping[str, Any]) -> None:
    if not metadata:
        return
    meta, notes = to_jsonable(dict(metadata), path="metadata")
    event.metadata.update(meta)
    event.truncated.extend(notes)


def fill_common(event: Event, data: Mapping[str, Any], rid: str | None, id_key: str) -> None:
    """Fields every OpenAI result shares: model, request id, usage and the result's own id."""
    event.model = data.get("model") or event.model
    event.request_id = rid or event.request_id
    event.usage = usage(data.get("usage")) or event.usage
    if data.get("id"):
        event.metadata[id_key] = str(data["id"])
