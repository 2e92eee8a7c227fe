"""LangChain objects -> ScaleSafe model pieces, cheaply and without raising on odd input.

Imported only by the handler and middleware, after langchain-core is known to exist.

These run on the hot path of every callback, so they read attributes directly
instead of dumping whole pydantic objects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import BaseMessage
from langchain_core.prompt_values import PromptValue

from ...model import Message, to_jsonable
from ...model._safejson import MAX_STRING

_ROLES = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool",
          "function": "function", "developer": "developer"}
# A message's ``type`` -> role; chunks (streamed messages) are typed by class name.
_ROLE_OF_TYPE = {**_ROLES, **{f"{cls}MessageChunk": role for cls, role in (
    ("AI", "assistant"), ("Human", "user"), ("System", "system"), ("Tool", "tool"),
    ("Function", "function"), ("Developer", "developer"))}}

_MODEL_KEYS = ("model", "model_name", "model_id", "deployment_name")


def is_map(value: Any) -> bool:
    """``isinstance(value, Mapping)``, without the ABC check for plain dicts (the usual case)."""
    return type(value) is dict or isinstance(value, Mapping)


def text_of(content: Any) -> str | None:
    """Plain text of message content: a string, or the text parts of a multi-part list."""
    if content is None or isinstance(content, str):
        return content if content is None or len(content) <= MAX_STRING else content[:MAX_STRING]
    if isinstance(content, Sequence) and not isinstance(content, bytes | bytearray):
        parts = []
        for part in content:
            if isinstance(part, str):
                parts.append(part)
            elif is_map(part) and isinstance(part.get("text"), str):
                parts.append(part["text"])
        return "\n".join(parts)
    value, _ = to_jsonable(content)
    return value if isinstance(value, str) else str(value)


def _attr(obj: Any, name: str) -> Any:
    """Attribute or None, without pydantic's slow ``__getattr__`` for missing fields."""
    fields = getattr(obj, "__dict__", None)
    return fields.get(name) if fields is not None else getattr(obj, name, None)


def tool_calls_of(message: Any) -> list[dict[str, Any]]:
    """The message's tool calls, shaped as ``ToolCall`` dumps (set fields only, in order)."""
    out = []
    for call in _attr(message, "tool_calls") or ():
        if is_map(call) and isinstance(call.get("name"), str):
            args, _ = to_jsonable(call.get("args"))
            out.append(tool_call(call.get("id"), call["name"], args))
    return out


def tool_call(call_id: Any, name: str, arguments: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": call_id} if isinstance(call_id, str) else {}
    out["name"] = name
    if arguments is not None:
        out["arguments"] = arguments
    return out


def message_of(message: Any) -> Message:
    """One LangChain ``BaseMessage`` (or role/content dict) as a ScaleSafe ``Message``."""
    if is_map(message):
        return Message.model_validate(_mapping_message(message))
    return Message.model_validate(message_dict(message))


def messages_of(batches: Any) -> list[dict[str, Any]]:
    """``on_chat_model_start`` passes a list of message lists; flatten them.

    Returned as plain dicts shaped as ``Message`` dumps, for an ``EventDraft``.
    """
    out: list[dict[str, Any]] = []
    for batch in batches or ():
        for m in batch if type(batch) is list or isinstance(batch, list | tuple) else (batch,):
            if isinstance(m, BaseMessage):
                out.append(message_dict(m))
            else:
                out.append(_mapping_message(m) if is_map(m) else message_dict(m))
    return out


def _mapping_message(message: Mapping[str, Any]) -> dict[str, Any]:
    return _message(str(message.get("role", "user")), text_of(message.get("content")))


def _message(role: str, content: str | None) -> dict[str, Any]:
    """A message without name or tool calls, as ``Message`` dumps it."""
    if content is None:
        return {"role": role, "tool_calls": ()}
    return {"role": role, "content": content, "tool_calls": ()}


def prompts_of(prompts: Any) -> list[dict[str, Any]]:
    return [_message("user", p if isinstance(p, str) else str(p)) for p in prompts or ()]


def model_name(params: Mapping[str, Any] | None, metadata: Mapping[str, Any] | None,
               serialized: Any) -> str | None:
    """The model's name from LangChain's ``ls_model_name``, invocation params or class."""
    if metadata and isinstance(metadata.get("ls_model_name"), str):
        return metadata["ls_model_name"]
    for key in _MODEL_KEYS:
        if params and isinstance(params.get(key), str):
            return params[key]
    return run_name(serialized, None)


def run_name(serialized: Any, name: Any) -> str | None:
    """A run's display name: the ``name`` kwarg, else the serialized name or class id."""
    if isinstance(name, str):
        return name
    if is_map(serialized):
        value = serialized.get("name")
        if isinstance(value, str):
            return value
        ident = serialized.get("id")
        if isinstance(ident, list) and ident and isinstance(ident[-1], str):
            return ident[-1]
    return None


def usage_of(response: Any, message: Any) -> dict[str, int] | None:
    """Token usage from ``AIMessage.usage_metadata`` or ``llm_output['token_usage']``,
    shaped as ``Usage`` dumps."""
    meta = getattr(message, "usage_metadata", None)
    if meta and is_map(meta):
        return _usage(meta.get("input_tokens"), meta.get("output_tokens"), meta.get("total_tokens"))
    output = getattr(response, "llm_output", None)
    usage = output.get("token_usage") or output.get("usage") if is_map(output) else None
    if usage and is_map(usage):
        return _usage(usage.get("prompt_tokens", usage.get("input_tokens")),
                      usage.get("completion_tokens", usage.get("output_tokens")),
                      usage.get("total_tokens"))
    return None


def _usage(inp: Any, out: Any, total: Any) -> dict[str, int]:
    inp, out, total = _int(inp), _int(out), _int(total)
    if total is None and inp is not None:
        total = inp + (out or 0)  # as Usage computes it
    return {k: v for k, v in (("input_tokens", inp), ("output_tokens", out), ("total_tokens", total))
            if v is not None}


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def first_generation(response: Any) -> Any:
    generations = getattr(response, "generations", None) or ()
    for group in generations:
        for generation in group or ():
            return generation
    return None


def all_text(response: Any) -> str | None:
    """Text of every generation (n>1 completions are joined by blank lines)."""
    texts = [g.text for group in getattr(response, "generations", None) or ()
             for g in group or () if isinstance(getattr(g, "text", None), str)]
    return "\n\n".join(texts) if texts else None


def finish_reason(generation: Any, message: Any) -> str | None:
    info = getattr(generation, "generation_info", None)
    if info and is_map(info) and isinstance(info.get("finish_reason"), str):
        return info["finish_reason"]
    meta = getattr(message, "response_metadata", None)
    if meta and is_map(meta):
        value = meta.get("finish_reason") or meta.get("stop_reason")
        return value if isinstance(value, str) else None
    return None


_SCALARS = (str, int, float, bool, type(None))
_SHORT = 65536


def jsonable(value: Any, path: str, notes: list[str]) -> Any:
    """JSON-safe ``value`` without dumping whole pydantic objects on the hot path.

    Short strings, flat dicts of scalars, messages and prompt values take a fast
    path; anything else goes through ``to_jsonable`` (which never raises).
    """
    fast = _fast(value, 0)
    if fast is not _SLOW:
        return fast
    converted, cut = to_jsonable(value, path=path)
    notes.extend(cut)
    return converted


def convert(fields: dict[str, Any], value: Any, path: str) -> Any:
    """``jsonable`` for a draft: what was cut is noted in its ``truncated``, created only then."""
    fast = _fast(value, 0)
    if fast is not _SLOW:
        return fast
    converted, cut = to_jsonable(value, path=path)
    if cut:
        fields.setdefault("truncated", []).extend(cut)
    return converted


_SLOW = object()


def fill_value(fields: dict[str, Any], key: str, value: Any) -> None:
    """A run's input or output, converted into the draft."""
    fields[key] = convert(fields, value, key)


def _fast(value: Any, depth: int) -> Any:
    kind = type(value)
    if kind is str:
        return value if len(value) < _SHORT else _SLOW
    if value is None or kind is bool or kind is float or (kind is int and abs(value) < 2**63):
        return value
    if depth > 3:
        return _SLOW
    if kind is dict:
        return _fast_dict(value, depth)
    if kind is list and len(value) <= 100:
        items = [_fast(item, depth + 1) for item in value]
        return _SLOW if any(i is _SLOW for i in items) else items
    return _lc_object(value)


def _fast_dict(value: dict[Any, Any], depth: int) -> Any:
    """A copy of a dict with string keys; short strings and None are copied without a call."""
    out = {}
    for key, item in value.items():
        if type(key) is not str:
            return _SLOW
        if item is None or (type(item) is str and len(item) < _SHORT):
            out[key] = item
            continue
        converted = _fast(item, depth + 1)
        if converted is _SLOW:
            return _SLOW
        out[key] = converted
    return out


def _lc_object(value: Any) -> Any:
    """Messages and prompt values (the usual chain inputs/outputs) as small dicts."""
    if isinstance(value, BaseMessage):
        return message_dict(value)
    if isinstance(value, PromptValue):
        return {"messages": [message_dict(m) for m in value.to_messages()]}
    return _SLOW


def message_dict(message: Any) -> dict[str, Any]:
    """A LangChain message shaped as a ScaleSafe ``Message`` dumps (set fields, in order)."""
    fields = getattr(message, "__dict__", None)
    if fields is None:  # not a pydantic message: read attributes one by one
        fields = {name: getattr(message, name, None)
                  for name in ("type", "role", "content", "name", "tool_calls", "tool_call_id")}
    kind = fields.get("type")
    role = _ROLE_OF_TYPE.get(kind) if type(kind) is str else None
    if role is None:
        role = _other_role(kind, fields)
    out: dict[str, Any] = {"role": role}
    content = fields.get("content")
    if type(content) is not str or len(content) > MAX_STRING:
        content = text_of(content)
    if content is not None:
        out["content"] = content
    name = fields.get("name")
    if isinstance(name, str):
        out["name"] = name
    out["tool_calls"] = tool_calls_of(message) if fields.get("tool_calls") else ()  # () is no GC object
    call_id = fields.get("tool_call_id")
    if isinstance(call_id, str):
        out["tool_call_id"] = call_id
    return out


def _other_role(kind: Any, fields: dict[str, Any]) -> str:
    """Role of a chat message (its own ``role``) or of a message type we do not know."""
    if kind is None or kind in ("chat", "ChatMessageChunk"):
        role = fields.get("role")
        return role if isinstance(role, str) else "user"
    base = str(kind).removesuffix("Chunk").removesuffix("_chunk")
    return _ROLES.get(base, base)


def fill_metadata(fields: dict[str, Any], metadata: dict[str, Any]) -> None:
    """Deferred: the run's metadata, before any keys the handler added meanwhile."""
    converted = convert(fields, metadata, "metadata")
    if not isinstance(converted, dict):
        converted = {"value": converted}
    added = fields.get("metadata")
    fields["metadata"] = {**converted, **added} if added else converted


def fill_model(fields: dict[str, Any], chat: bool, messages: Any, params: Any, metadata: Any) -> None:
    """Deferred: a model run's prompt (unless screening converted it), parameters, metadata."""
    if "messages" not in fields:
        fields["messages"] = messages_of(messages) if chat else prompts_of(messages)
    if params and is_map(params):
        converted = convert(fields, params, "parameters")
        if isinstance(converted, dict):
            fields["parameters"] = converted
    if metadata:
        fill_metadata(fields, metadata)


def fill_generation(fields: dict[str, Any], response: Any) -> None:
    """The reply of ``on_llm_end`` into a draft: text, tool calls, model, finish reason, usage."""
    generation = first_generation(response)
    message = getattr(generation, "message", None)
    fields["output_text"] = all_text(response)
    if message is not None:
        if _attr(message, "tool_calls"):
            fields["tool_calls"] = tool_calls_of(message)
        meta = _attr(message, "response_metadata")
        if not fields.get("model") and meta and is_map(meta) and isinstance(meta.get("model_name"), str):
            fields["model"] = meta["model_name"]
    fields["finish_reason"] = finish_reason(generation, message)
    fields["usage"] = usage_of(response, message)


def fill_tool_output(fields: dict[str, Any], output: Any) -> None:
    """A tool's result into a draft: its text when it has one, else the object as JSON."""
    content = getattr(output, "content", output)
    text = text_of(content) if isinstance(content, str | list) else None
    if text is not None:
        fields["output_text"] = text
    else:
        fields["output"] = convert(fields, output, "output")
