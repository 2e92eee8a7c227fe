"""Fold streamed chat chunks into the dict form of one ChatCompletion."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._convert import plain


class ChunkAccumulator:
    """Collects ``ChatCompletionChunk``s (objects or dicts) as they stream by."""

    def __init__(self) -> None:
        self.head: dict[str, Any] = {}
        self.choices: dict[int, dict[str, Any]] = {}
        self.usage: Any = None
        self.count = 0

    def add(self, chunk: Any) -> str:
        """Add one chunk; returns the text it adds to the first choice."""
        data = plain(chunk)
        if not isinstance(data, Mapping):
            return ""
        self.count += 1
        for key in ("id", "model", "created", "system_fingerprint", "service_tier"):
            if data.get(key) is not None:
                self.head.setdefault(key, data[key])
        if data.get("usage"):
            self.usage = data["usage"]
        delta = ""
        for choice in data.get("choices") or []:
            if isinstance(choice, Mapping):
                added = self._add_choice(choice)
                delta += added if not choice.get("index") else ""
        return delta

    def _add_choice(self, choice: Mapping[str, Any]) -> str:
        state = self.choices.setdefault(int(choice.get("index") or 0),
                                        {"content": "", "refusal": "", "calls": {}, "finish": None})
        delta = choice.get("delta") or {}
        state["content"] += delta.get("content") or ""
        state["refusal"] += delta.get("refusal") or ""
        for call in delta.get("tool_calls") or []:
            slot = state["calls"].setdefault(int(call.get("index") or 0),
                                             {"id": None, "type": "function",
                                              "function": {"name": "", "arguments": ""}})
            slot["id"] = slot["id"] or call.get("id")
            function = call.get("function") or {}
            slot["function"]["name"] += function.get("name") or ""
            slot["function"]["arguments"] += function.get("arguments") or ""
        if choice.get("finish_reason"):
            state["finish"] = choice["finish_reason"]
        return delta.get("content") or ""

    def text(self, index: int = 0) -> str:
        state = self.choices.get(index)
        return state["content"] if state else ""

    def completion(self) -> dict[str, Any]:
        """The ChatCompletion dict these chunks add up to."""
        choices = []
        for index in sorted(self.choices):
            state = self.choices[index]
            message: dict[str, Any] = {"role": "assistant", "content": state["content"] or None}
            if state["refusal"]:
                message["refusal"] = state["refusal"]
            if state["calls"]:
                message["tool_calls"] = [state["calls"][i] for i in sorted(state["calls"])]
            choices.append({"index": index, "message": message, "finish_reason": state["finish"]})
        return {**self.head, "object": "chat.completion", "choices": choices, "usage": self.usage}


def fold_chunks(chunks: Any) -> dict[str, Any]:
    acc = ChunkAccumulator()
    for chunk in chunks:
        acc.add(chunk)
    return acc.completion()
