"""``OpenAIChatMonitor``: log (and screen) chat completions, sync or async."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from .._monitor import BaseMonitor
from ..model import Direction, Event, EventKind, to_jsonable
from ._chunks import fold_chunks
from ._convert import (
    add_metadata,
    chat_messages,
    fill_common,
    new_event,
    plain,
    request_id,
    safe_text,
    tool_calls,
    unreadable,
)
from ._flow import Step, arun, output_step, run
from ._prompt import Prompt

__all__ = ["OpenAIChatMonitor"]


class OpenAIChatMonitor(BaseMonitor):
    """Logs ``client.chat.completions.create`` results: ``monitor(response, messages)``.

    ``response`` may be a ``ChatCompletion``, its dict, a list of streamed
    ``ChatCompletionChunk``s, or a finished stream helper (``get_final_completion()``).
    """

    def monitor(
        self,
        response: Any,
        messages: Any = None,
        screen_inputs: bool = False,
        screen_outputs: bool = False,
        *,
        start_time: dt.datetime | None = None,
        end_time: dt.datetime | None = None,
        user_id: str | None = None,
        session_id: str | None = None,
        tags: Sequence[str] | None = None,
        review_id: str | None = None,
        **metadata: Any,
    ) -> Event:
        """Log one completion; returns the event. Screening may raise; logging never does."""
        event, steps = self._plan(response, messages, screen_inputs, screen_outputs, start_time,
                                  end_time, user_id, session_id, tags, metadata)
        return run(self.gate, event, steps, review_id)

    async def amonitor(
        self,
        response: Any,
        messages: Any = None,
        screen_inputs: bool = False,
        screen_outputs: bool = False,
        *,
        start_time: dt.datetime | None = None,
        end_time: dt.datetime | None = None,
        user_id: str | None = None,
        session_id: str | None = None,
        tags: Sequence[str] | None = None,
        review_id: str | None = None,
        **metadata: Any,
    ) -> Event:
        """``monitor`` for async code: waiting for a human review does not block the loop."""
        event, steps = self._plan(response, messages, screen_inputs, screen_outputs, start_time,
                                  end_time, user_id, session_id, tags, metadata)
        return await arun(self.gate, event, steps, review_id)

    def _plan(self, response: Any, messages: Any, screen_inputs: bool, screen_outputs: bool,
              start_time: dt.datetime | None, end_time: dt.datetime | None, user_id: str | None,
              session_id: str | None, tags: Sequence[str] | None,
              metadata: Mapping[str, Any]) -> tuple[Event, list[Step]]:
        event = new_event(EventKind.CHAT, self.location)
        event.user_id, event.session_id, event.tags = user_id, session_id, list(tags or [])
        if start_time is not None:
            event.start_time = start_time
        prompt = Prompt.for_chat(as_messages(messages))
        event.messages = chat_messages(prompt.root["messages"])
        read_completion(event, response)
        add_metadata(event, metadata)
        if start_time is not None or end_time is not None:
            event.finish(end_time)
        steps = []
        if screen_inputs:
            steps.append(input_step(event, prompt))
        if screen_outputs:
            steps.append(output_step(event))
        return event, steps


def as_messages(messages: Any) -> list[Any]:
    """Chat messages from a list, one message, or a bare user string."""
    if messages is None:
        return []
    if isinstance(messages, str):
        return [{"role": "user", "content": messages}]
    if isinstance(messages, Mapping) or hasattr(messages, "model_dump"):
        return [messages]
    try:
        return list(messages)
    except TypeError:
        return [{"role": "user", "content": str(messages)}]


def input_step(event: Event, prompt: Prompt, forward: Any = None) -> Step:
    """Screen the chat prompt; masked texts replace the event's messages (and the request's)."""

    def apply(masked: list[str]) -> None:
        prompt.apply(masked)
        event.messages = chat_messages(prompt.root["messages"])
        if forward is not None:
            forward(prompt.root["messages"])

    return Step(Direction.INPUT, prompt.texts(), apply)


def completion_data(response: Any) -> dict[str, Any]:
    """The plain dict of a completion given in any accepted form."""
    final = getattr(response, "get_final_completion", None)
    if callable(final):
        response = final()
    if isinstance(response, list | tuple):
        return fold_chunks(response)
    data = plain(response)
    if isinstance(data, Mapping) and data.get("object") == "chat.completion.chunk":
        return fold_chunks([data])
    if not isinstance(data, Mapping):
        raise TypeError("not a chat completion")
    return dict(data)


def read_completion(event: Event, response: Any) -> Event:
    """Fill ``event`` from a completion; an unreadable value is stored raw instead."""
    if response is None:
        return event
    try:
        fill_completion(event, completion_data(response), request_id(response))
    except Exception as exc:
        unreadable(event, response, exc)
    return event


def fill_completion(event: Event, data: Mapping[str, Any], rid: str | None = None) -> None:
    fill_common(event, data, rid, "completion_id")
    choices = [c for c in data.get("choices") or [] if isinstance(c, Mapping)]
    if not choices:
        return
    message = choices[0].get("message") or {}
    event.output_text = safe_text(message.get("content"))
    if message.get("refusal"):
        event.metadata["refusal"] = safe_text(message["refusal"])
    event.tool_calls = tool_calls(message.get("tool_calls"))
    event.finish_reason = choices[0].get("finish_reason")
    if len(choices) > 1:
        others = [(c.get("message") or {}).get("content") for c in choices]
        event.output, _ = to_jsonable({"choices": others}, path="output")
