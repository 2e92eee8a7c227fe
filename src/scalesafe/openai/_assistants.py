"""``OpenAIAssistantMonitor``: log an Assistants conversation turn and its run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .._monitor import BaseMonitor
from ..model import Direction, ErrorInfo, Event, EventKind, Message, Status, to_jsonable
from ._convert import (
    add_metadata,
    content_text,
    new_event,
    plain,
    request_id,
    safe_text,
    unreadable,
    usage,
)
from ._fetch import afetch_missing, fetch_missing
from ._flow import Step, arun, output_step
from ._flow import run as run_steps

__all__ = ["OpenAIAssistantMonitor"]

_FAILED = {"failed", "cancelled", "expired", "incomplete"}
_ENDS = ("completed_at", "failed_at", "cancelled_at")


class OpenAIAssistantMonitor(BaseMonitor):
    """Logs Assistants usage: ``monitor(message, assistant, thread_id)``.

    Add ``run=`` and ``messages=`` for the run's timing, status, usage and the
    assistant's reply, or ``client=`` (your ``OpenAI`` client) to fetch what is
    missing (network I/O, so only when you ask). ``monitor(run, messages)`` works too.
    """

    def monitor(self, message: Any = None, assistant: Any = None, thread_id: Any = None, *,
                run: Any = None, messages: Any = None, client: Any = None,
                screen_inputs: bool = False, screen_outputs: bool = False,
                review_id: str | None = None, **metadata: Any) -> Event:
        """Log one turn; returns the event. Screening may raise; logging never does."""
        parts = _Parts.of(message, assistant, thread_id, run, messages)
        if client is not None:
            fetch_missing(parts, client)
        event, steps = self._plan(parts, screen_inputs, screen_outputs, metadata)
        return run_steps(self.gate, event, steps, review_id)

    async def amonitor(self, message: Any = None, assistant: Any = None, thread_id: Any = None, *,
                       run: Any = None, messages: Any = None, client: Any = None,
                       screen_inputs: bool = False, screen_outputs: bool = False,
                       review_id: str | None = None, **metadata: Any) -> Event:
        """``monitor`` for async code; ``client=`` may be an ``AsyncOpenAI``."""
        parts = _Parts.of(message, assistant, thread_id, run, messages)
        if client is not None:
            await afetch_missing(parts, client)
        event, steps = self._plan(parts, screen_inputs, screen_outputs, metadata)
        return await arun(self.gate, event, steps, review_id)

    def _plan(self, parts: _Parts, screen_inputs: bool, screen_outputs: bool,
              metadata: Mapping[str, Any]) -> tuple[Event, list[Step]]:
        event = new_event(EventKind.ASSISTANT_RUN, self.location)
        try:
            fill_turn(event, parts)
        except Exception as exc:
            unreadable(event, {"message": parts.message, "run": parts.run}, exc)
        add_metadata(event, metadata)
        steps = []
        if screen_inputs:
            steps.append(_input_step(event))
        if screen_outputs:
            steps.append(output_step(event))
        return event, steps


class _Parts:
    """The pieces of one turn, as plain dicts, plus the SDK objects' request ids."""

    def __init__(self) -> None:
        self.message: dict[str, Any] | None = None
        self.assistant: dict[str, Any] | None = None
        self.assistant_id: str | None = None
        self.thread_id: str | None = None
        self.run: dict[str, Any] | None = None
        self.messages: list[dict[str, Any]] | None = None
        self.request_id: str | None = None

    @classmethod
    def of(cls, message: Any, assistant: Any, thread_id: Any, run: Any, messages: Any) -> _Parts:
        first = plain(message)
        if isinstance(first, Mapping) and first.get("object") == "thread.run":
            message, run, messages, assistant = None, message, assistant, None  # older form
            first = None
        parts = cls()
        parts.request_id = request_id(run) or request_id(message)
        parts.message = dict(first) if isinstance(first, Mapping) else None
        if isinstance(message, str):
            parts.message = {"role": "user", "content": message}
        parts.set_assistant(assistant)
        thread = plain(thread_id)
        parts.thread_id = thread.get("id") if isinstance(thread, Mapping) else thread
        parts.set_run(run)
        parts.set_messages(messages)
        parts.thread_id = parts.thread_id or (parts.run or parts.message or {}).get("thread_id")
        return parts

    def set_assistant(self, assistant: Any) -> None:
        data = plain(assistant)
        if isinstance(data, Mapping):
            self.assistant, self.assistant_id = dict(data), data.get("id")
        elif isinstance(data, str):
            self.assistant_id = data

    def set_run(self, run: Any) -> None:
        data = plain(run)
        if isinstance(data, Mapping):
            self.run = dict(data)
            self.assistant_id = self.assistant_id or data.get("assistant_id")
            self.request_id = self.request_id or request_id(run)

    def set_messages(self, messages: Any) -> None:
        if messages is None:
            return
        data = plain(getattr(messages, "data", messages))
        if isinstance(data, Mapping):
            data = data.get("data", [data])
        items = [dict(m) for m in data or [] if isinstance(m, Mapping)]
        self.messages = sorted(items, key=lambda m: (m.get("created_at") or 0))


def fill_turn(event: Event, parts: _Parts) -> None:
    assistant, run_data = parts.assistant or {}, parts.run or {}
    event.name = assistant.get("name")
    event.model = run_data.get("model") or assistant.get("model")
    event.request_id = parts.request_id
    event.messages = _inputs(parts)
    replies = _replies(parts)
    if replies:
        event.output_text = safe_text("\n\n".join(r.content or "" for r in replies))
    event.parameters, notes = to_jsonable(_parameters(assistant, run_data), path="parameters")
    event.truncated.extend(notes)
    ids = {"thread_id": parts.thread_id, "assistant_id": parts.assistant_id,
           "run_id": run_data.get("id"), "message_id": (parts.message or {}).get("id")}
    event.metadata.update({k: v for k, v in ids.items() if v})
    event.run_id = run_data.get("id")
    event.session_id = parts.thread_id
    _timing(event, parts)


def _parameters(assistant: Mapping[str, Any], run: Mapping[str, Any]) -> dict[str, Any]:
    params = {"instructions": assistant.get("instructions"),
              "tools": [t.get("type") if isinstance(t, Mapping) else t
                        for t in assistant.get("tools") or run.get("tools") or []]}
    if run.get("instructions") and run.get("instructions") != assistant.get("instructions"):
        params["run_instructions"] = run["instructions"]
    for key in ("temperature", "top_p"):
        if run.get(key, assistant.get(key)) is not None:
            params[key] = run.get(key, assistant.get(key))
    return {k: v for k, v in params.items() if v not in (None, [])}


def _inputs(parts: _Parts) -> list[Message]:
    if parts.message is not None:
        return [_message(parts.message)]
    run_id = (parts.run or {}).get("id")
    return [_message(m) for m in parts.messages or []
            if not (m.get("role") == "assistant" and run_id and m.get("run_id") == run_id)]


def _replies(parts: _Parts) -> list[Message]:
    """The assistant's messages of this run (or, without a run, after the user's message)."""
    run_id = (parts.run or {}).get("id")
    since = (parts.message or {}).get("created_at") or 0
    return [_message(m) for m in parts.messages or [] if m.get("role") == "assistant" and (
        m.get("run_id") == run_id if run_id else (m.get("created_at") or 0) >= since)]


def _message(m: Mapping[str, Any]) -> Message:
    return Message(role=str(m.get("role") or "user"), content=content_text(m.get("content")))


def _timing(event: Event, parts: _Parts) -> None:
    run_data = parts.run
    if not run_data:
        created = _time((parts.message or {}).get("created_at"))
        event.start_time = created or event.start_time
        return
    event.usage = usage(run_data.get("usage"))
    event.finish_reason = run_data.get("status")
    event.start_time = _time(run_data.get("started_at") or run_data.get("created_at")) or event.start_time
    end = next((_time(run_data.get(k)) for k in _ENDS if run_data.get(k)), None)
    if end is not None:
        event.finish(max(end, event.start_time))
    if run_data.get("status") in _FAILED:
        error = run_data.get("last_error") or {}
        event.status = Status.ERROR
        event.error = ErrorInfo(type=str(error.get("code") or f"run_{run_data['status']}"),
                                message=safe_text(error.get("message") or "") or "")


def _time(value: Any) -> dt.datetime | None:
    if isinstance(value, int | float) and value > 0:
        return dt.datetime.fromtimestamp(value, dt.UTC)
    return None


def _input_step(event: Event) -> Step:
    users = [m for m in event.messages if m.role == "user" and m.content]

    def apply(masked: list[str]) -> None:
        for message, text in zip(users, masked, strict=False):
            message.content = text

    return Step(Direction.INPUT, [(f"messages[{i}]", m.content or "") for i, m in enumerate(users)],
                apply)
