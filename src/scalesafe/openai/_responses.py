"""``OpenAIResponsesMonitor``: log (and screen) Responses API results and streamed events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from .._monitor import BaseMonitor
from ..model import Direction, ErrorInfo, Event, EventKind, Message, Status, ToolCall
from ._convert import (
    add_metadata,
    arguments,
    chat_messages,
    content_text,
    fill_common,
    new_event,
    plain,
    request_id,
    safe_text,
    unreadable,
)
from ._flow import Step, arun, output_step, run
from ._prompt import Prompt

__all__ = ["OpenAIResponsesMonitor"]

_FINAL = ("response.completed", "response.incomplete", "response.failed")


class OpenAIResponsesMonitor(BaseMonitor):
    """Logs ``client.responses.create`` results: ``monitor(response, input)``.

    ``response`` may be a ``Response``, its dict, or the list of streamed events.
    ``input``/``instructions`` default to what the response itself carries.
    """

    def monitor(self, response: Any, input: Any = None, screen_inputs: bool = False,
                screen_outputs: bool = False, *, instructions: Any = None,
                start_time: dt.datetime | None = None, end_time: dt.datetime | None = None,
                user_id: str | None = None, session_id: str | None = None,
                tags: Sequence[str] | None = None, review_id: str | None = None,
                **metadata: Any) -> Event:
        """Log one response; returns the event. Screening may raise; logging never does."""
        event, steps = self._plan(response, input, instructions, screen_inputs, screen_outputs,
                                  (start_time, end_time, user_id, session_id, tags), metadata)
        return run(self.gate, event, steps, review_id)

    async def amonitor(self, response: Any, input: Any = None, screen_inputs: bool = False,
                       screen_outputs: bool = False, *, instructions: Any = None,
                       start_time: dt.datetime | None = None, end_time: dt.datetime | None = None,
                       user_id: str | None = None, session_id: str | None = None,
                       tags: Sequence[str] | None = None, review_id: str | None = None,
                       **metadata: Any) -> Event:
        """``monitor`` for async code."""
        event, steps = self._plan(response, input, instructions, screen_inputs, screen_outputs,
                                  (start_time, end_time, user_id, session_id, tags), metadata)
        return await arun(self.gate, event, steps, review_id)

    def _plan(self, response: Any, input: Any, instructions: Any, screen_inputs: bool,
              screen_outputs: bool, context: tuple[Any, ...],
              metadata: Mapping[str, Any]) -> tuple[Event, list[Step]]:
        start_time, end_time, user_id, session_id, tags = context
        event = new_event(EventKind.LLM, self.location)
        event.user_id, event.session_id, event.tags = user_id, session_id, list(tags or [])
        if start_time is not None:
            event.start_time = start_time
        data = read_response(event, response)
        if instructions is None and data:
            instructions = data.get("instructions")
        prompt = Prompt.for_responses(input, instructions)
        event.messages = response_messages(prompt.root)
        add_metadata(event, metadata)
        if start_time is not None or end_time is not None:
            event.finish(end_time)
        steps = [input_step(event, prompt)] if screen_inputs else []
        if screen_outputs:
            steps.append(output_step(event))
        return event, steps


def input_step(event: Event, prompt: Prompt, forward: Any = None) -> Step:
    """Screen instructions and input; masked texts replace the event's (and request's) copy."""

    def apply(masked: list[str]) -> None:
        prompt.apply(masked)
        event.messages = response_messages(prompt.root)
        if forward is not None:
            forward(prompt.root)

    return Step(Direction.INPUT, prompt.texts(), apply)


def response_messages(root: Mapping[str, Any]) -> list[Message]:
    """Instructions and input items as messages (tool results as ``tool`` messages)."""
    out = []
    if root.get("instructions") is not None:
        out.append(Message(role="system", content=content_text(root["instructions"])))
    value = root.get("input")
    if isinstance(value, str):
        return [*out, Message(role="user", content=safe_text(value))]
    for item in value or []:
        if not isinstance(item, Mapping):
            continue
        if item.get("type") == "function_call_output":
            out.append(Message(role="tool", content=content_text(item.get("output")),
                               tool_call_id=item.get("call_id")))
        elif item.get("type") == "function_call":
            out.append(Message(role="assistant", tool_calls=output_calls([item])))
        else:
            out.extend(chat_messages([item]))
    return out


def response_data(response: Any) -> dict[str, Any]:
    """The plain dict of a Response, also when given as its streamed events."""
    if isinstance(response, list | tuple):
        return fold_events(response)
    data = plain(response)
    if not isinstance(data, Mapping):
        raise TypeError("not a response")
    if isinstance(data.get("type"), str) and isinstance(data.get("response"), Mapping):
        return dict(data["response"])
    return dict(data)


class EventFolder:
    """Follows streamed Responses events: the latest response snapshot and the text so far."""

    def __init__(self) -> None:
        self.snapshot: dict[str, Any] = {}
        self.text = ""
        self.final = False

    def add(self, raw: Any) -> str:
        """Add one event; returns its text delta ("" for other events)."""
        kind = raw.get("type") if isinstance(raw, Mapping) else getattr(raw, "type", None)
        if kind == "response.output_text.delta":
            delta = raw.get("delta") if isinstance(raw, Mapping) else getattr(raw, "delta", "")
            self.text += delta or ""
            return delta or ""
        if kind in _FINAL or kind in ("response.created", "response.in_progress"):
            event = plain(raw)
            if isinstance(event, Mapping) and isinstance(event.get("response"), Mapping):
                self.snapshot = dict(event["response"])
                self.final = self.final or kind in _FINAL
        return ""

    def data(self) -> dict[str, Any]:
        if self.final:
            return self.snapshot
        data = dict(self.snapshot)
        data["output"] = [{"type": "message", "role": "assistant",
                           "content": [{"type": "output_text", "text": self.text}]}] if self.text else []
        data["status"] = "incomplete"
        return data


def fold_events(events: Sequence[Any]) -> dict[str, Any]:
    """The final response in a stream; without one, what the deltas add up to."""
    folder = EventFolder()
    for event in events:
        folder.add(event)
    return folder.data()


def read_response(event: Event, response: Any) -> dict[str, Any] | None:
    if response is None:
        return None
    try:
        data = response_data(response)
        fill_response(event, data, request_id(response))
        return data
    except Exception as exc:
        unreadable(event, response, exc)
        return None


def fill_response(event: Event, data: Mapping[str, Any], rid: str | None = None) -> None:
    fill_common(event, data, rid, "response_id")
    items = [i for i in data.get("output") or [] if isinstance(i, Mapping)]
    texts = [p.get("text") for i in items if i.get("type") == "message"
             for p in i.get("content") or [] if isinstance(p, Mapping)
             and p.get("type") == "output_text" and isinstance(p.get("text"), str)]
    event.output_text = safe_text("".join(texts)) if texts else None
    event.tool_calls = output_calls(items)
    status = data.get("status")
    reason = (data.get("incomplete_details") or {}).get("reason")
    event.finish_reason = reason or status
    if status == "failed":
        error = data.get("error") or {}
        event.status = Status.ERROR
        event.error = ErrorInfo(type=str(error.get("code") or "response_failed"),
                                message=safe_text(error.get("message") or "") or "")


def output_calls(items: Sequence[Mapping[str, Any]]) -> list[ToolCall]:
    """``function_call`` and other ``*_call`` output items as ToolCalls."""
    calls = []
    for item in items:
        kind = str(item.get("type") or "")
        if not kind.endswith("_call"):
            continue
        args = item.get("arguments", item.get("input", item.get("action")))
        calls.append(ToolCall(id=item.get("call_id") or item.get("id"),
                              name=str(item.get("name") or kind), arguments=arguments(args)))
    return calls
