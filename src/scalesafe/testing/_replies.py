"""Scripted replies and the OpenAI wire shapes the fake server builds from them."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

DEFAULT_TEXT = "This is a reply from the fake OpenAI server."


@dataclass
class Reply:
    """What the fake model answers next: text, tool calls, or an HTTP error.

    ``chunk_size`` is how many characters each streamed delta carries.
    """

    text: str = DEFAULT_TEXT
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    error: str = ""
    chunk_size: int = 6

    @classmethod
    def http_error(cls, status: int = 500, message: str = "fake server error") -> Reply:
        """An error response (e.g. 500 or 429) instead of a completion."""
        return cls(text="", status=status, error=message)

    @classmethod
    def tool_call(cls, name: str, arguments: Any, text: str = "") -> Reply:
        """A reply that asks to call one function tool."""
        return cls(text=text, tool_calls=[{"name": name, "arguments": arguments}])

    def pieces(self) -> list[str]:
        size = max(1, self.chunk_size)
        return [self.text[i:i + size] for i in range(0, len(self.text), size)]

    def calls(self) -> list[dict[str, str]]:
        """Tool calls with ids and JSON-encoded arguments."""
        out = []
        for i, call in enumerate(self.tool_calls):
            args = call.get("arguments", {})
            out.append({
                "id": call.get("id") or f"call_{i}_{uuid.uuid4().hex[:8]}",
                "name": call["name"],
                "arguments": args if isinstance(args, str) else json.dumps(args),
            })
        return out

    def error_body(self) -> dict[str, Any]:
        kind = "rate_limit_exceeded" if self.status == 429 else "server_error"
        return {"error": {"message": self.error, "type": kind, "param": None, "code": kind}}


def as_reply(value: Reply | str) -> Reply:
    return value if isinstance(value, Reply) else Reply(text=str(value))


def count_tokens(value: Any) -> int:
    """A rough, deterministic token count: words in all strings inside ``value``."""
    if isinstance(value, str):
        return len(value.split())
    if isinstance(value, dict):
        return sum(count_tokens(v) for v in value.values())
    if isinstance(value, list):
        return sum(count_tokens(v) for v in value)
    return 0


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:24]}"


# chat completions --------------------------------------------------------------------------
def chat_completion(reply: Reply, body: dict[str, Any]) -> dict[str, Any]:
    calls = reply.calls()
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None, "refusal": None}
    if calls:
        message["tool_calls"] = [_chat_call(c) for c in calls]
    return {
        "id": new_id("chatcmpl"), "object": "chat.completion", "created": int(time.time()),
        "model": body.get("model", "fake-model"), "system_fingerprint": "fp_fake",
        "choices": [{"index": 0, "message": message, "logprobs": None,
                     "finish_reason": "tool_calls" if calls else "stop"}],
        "usage": _chat_usage(reply, body),
    }


def chat_chunks(reply: Reply, body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The chunks of a streamed chat completion, ending with usage when asked for."""
    base = {"id": new_id("chatcmpl"), "object": "chat.completion.chunk",
            "created": int(time.time()), "model": body.get("model", "fake-model"),
            "system_fingerprint": "fp_fake"}

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {**base, "choices": [{"index": 0, "delta": delta, "logprobs": None,
                                     "finish_reason": finish}]}

    yield chunk({"role": "assistant", "content": ""})
    for piece in reply.pieces():
        yield chunk({"content": piece})
    for i, call in enumerate(reply.calls()):
        yield chunk({"tool_calls": [{"index": i, **_chat_call(call)}]})
    yield chunk({}, "tool_calls" if reply.tool_calls else "stop")
    if (body.get("stream_options") or {}).get("include_usage"):
        yield {**base, "choices": [], "usage": _chat_usage(reply, body)}


def _chat_call(call: dict[str, str]) -> dict[str, Any]:
    return {"id": call["id"], "type": "function",
            "function": {"name": call["name"], "arguments": call["arguments"]}}


def _chat_usage(reply: Reply, body: dict[str, Any]) -> dict[str, int]:
    prompt = count_tokens(body.get("messages") or body.get("input") or "")
    completion = count_tokens(reply.text) + len(reply.tool_calls)
    return {"prompt_tokens": prompt, "completion_tokens": completion,
            "total_tokens": prompt + completion}


# responses ---------------------------------------------------------------------------------
def response_object(reply: Reply, body: dict[str, Any], status: str = "completed",
                    response_id: str | None = None) -> dict[str, Any]:
    output: list[dict[str, Any]] = []
    if reply.text and status == "completed":
        output.append(_message_item(reply.text))
    if status == "completed":
        output.extend(_function_item(c) for c in reply.calls())
    usage = _chat_usage(reply, body)
    return {
        "id": response_id or new_id("resp"), "object": "response", "created_at": int(time.time()),
        "status": status, "model": body.get("model", "fake-model"), "output": output,
        "instructions": body.get("instructions"), "parallel_tool_calls": True,
        "tool_choice": "auto", "tools": body.get("tools", []), "error": None,
        "incomplete_details": None, "metadata": {}, "temperature": body.get("temperature"),
        "top_p": None, "text": {"format": {"type": "text"}},
        "usage": None if status != "completed" else {
            "input_tokens": usage["prompt_tokens"], "output_tokens": usage["completion_tokens"],
            "total_tokens": usage["total_tokens"],
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens_details": {"reasoning_tokens": 0}},
    }


def response_events(reply: Reply, body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The typed events of a streamed Responses call."""
    rid = new_id("resp")
    pending = response_object(reply, body, "in_progress", rid)
    yield {"type": "response.created", "response": pending}
    item = _message_item(reply.text)
    started = {**item, "status": "in_progress", "content": []}
    yield {"type": "response.output_item.added", "output_index": 0, "item": started}
    for piece in reply.pieces():
        yield {"type": "response.output_text.delta", "item_id": item["id"], "output_index": 0,
               "content_index": 0, "delta": piece, "logprobs": []}
    yield {"type": "response.output_text.done", "item_id": item["id"], "output_index": 0,
           "content_index": 0, "text": reply.text, "logprobs": []}
    yield {"type": "response.output_item.done", "output_index": 0, "item": item}
    yield {"type": "response.completed", "response": response_object(reply, body, "completed", rid)}


def _message_item(text: str) -> dict[str, Any]:
    return {"id": new_id("msg"), "type": "message", "role": "assistant", "status": "completed",
            "content": [{"type": "output_text", "text": text, "annotations": []}]}


def _function_item(call: dict[str, str]) -> dict[str, Any]:
    return {"id": new_id("fc"), "type": "function_call", "call_id": call["id"],
            "name": call["name"], "arguments": call["arguments"], "status": "completed"}
