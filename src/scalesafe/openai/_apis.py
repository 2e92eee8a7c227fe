"""What differs between wrapped endpoints: chat completions and the Responses API."""

from __future__ import annotations

from typing import Any, Protocol

from ..model import Event, EventKind, Message
from ._chat import completion_data, fill_completion
from ._chunks import ChunkAccumulator
from ._convert import chat_messages, request_id
from ._prompt import Prompt
from ._responses import EventFolder, fill_response, response_data, response_messages


class Folder(Protocol):
    def add(self, item: Any) -> str: ...


class ChatApi:
    """``chat.completions.create``: ``messages`` in, a ChatCompletion (or chunks) out."""

    kind = EventKind.CHAT
    prompt_keys = ("messages",)

    def prompt(self, kwargs: dict[str, Any]) -> Prompt:
        messages = kwargs.get("messages")
        if messages is not None and not isinstance(messages, list | tuple):
            kwargs["messages"] = messages = list(messages)  # an iterator is read once, here
        return Prompt.for_chat(messages)

    def messages(self, root: dict[str, Any]) -> list[Message]:
        return chat_messages(root.get("messages"))

    def forward(self, kwargs: dict[str, Any], root: dict[str, Any]) -> None:
        kwargs["messages"] = root["messages"]

    def fill(self, event: Event, result: Any) -> None:
        fill_completion(event, completion_data(result), request_id(result))

    def mask(self, result: Any, text: str) -> None:
        """Give the caller the masked reply too (``redact`` policy)."""
        result.choices[0].message.content = text

    def folder(self) -> ChunkAccumulator:
        return ChunkAccumulator()

    def fill_folded(self, event: Event, folder: Any) -> None:
        fill_completion(event, folder.completion())


class ResponsesApi:
    """``responses.create``: ``input``/``instructions`` in, a Response (or events) out."""

    kind = EventKind.LLM
    prompt_keys = ("input", "instructions")

    def prompt(self, kwargs: dict[str, Any]) -> Prompt:
        value = kwargs.get("input")
        if value is not None and not isinstance(value, str | list | tuple):
            kwargs["input"] = value = list(value)
        return Prompt.for_responses(value, kwargs.get("instructions"))

    def messages(self, root: dict[str, Any]) -> list[Message]:
        return response_messages(root)

    def forward(self, kwargs: dict[str, Any], root: dict[str, Any]) -> None:
        for key in self.prompt_keys:
            if key in root:
                kwargs[key] = root[key]

    def fill(self, event: Event, result: Any) -> None:
        fill_response(event, response_data(result), request_id(result))

    def mask(self, result: Any, text: str) -> None:
        parts = [p for item in result.output if item.type == "message"
                 for p in item.content if p.type == "output_text"]
        for i, part in enumerate(parts):
            part.text = text if i == 0 else ""

    def folder(self) -> EventFolder:
        return EventFolder()

    def fill_folded(self, event: Event, folder: Any) -> None:
        fill_response(event, folder.data())
