"""Pure conversions from LlamaIndex objects to event fields (never raise on odd input)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ...model import Limits, Message, ToolCall, Usage, to_jsonable

NODE_TEXT_CAP = 500
SMALL = Limits(max_string=4_000, max_items=100, max_depth=8)
_SECRET_HINTS = ("api_key", "apikey", "secret", "password", "authorization", "access_token",
                 "auth_token", "bearer", "credential", "headers")
_PARAMETERS = ("temperature", "max_tokens", "top_p", "top_k", "num_output", "context_window",
               "is_chat_model", "is_function_calling_model", "seed", "stop")


TEXT_CAP = 256 * 1024  # as to_jsonable's default


def clean(text: str) -> str:
    """Storable text: short plain ASCII as is (the common case), anything else through
    ``to_jsonable`` (caps length, replaces lone surrogates)."""
    if len(text) <= TEXT_CAP and text.isascii():
        return text
    return to_jsonable(text)[0]


def small(value: Any) -> Any:
    """Capped JSON for secondary data (tool results, agent step outputs)."""
    return to_jsonable(value, limits=SMALL)[0]


_SCALARS = (str, int, float, bool, type(None))
_secret_keys: dict[str, bool] = {}


def _is_secret(key: str) -> bool:
    """Whether a parameter name looks like a credential (cached: the same few names recur)."""
    found = _secret_keys.get(key)
    if found is None:
        found = any(hint in key.lower() for hint in _SECRET_HINTS)
        if len(_secret_keys) < 4_096:
            _secret_keys[key] = found
    return found


def _safe_params(values: Mapping[str, Any]) -> dict[str, Any]:
    """Drop anything that looks like a credential; keys are never logged."""
    out = {}
    plain = True
    for key, value in values.items():
        name = key if isinstance(key, str) else str(key)
        if _is_secret(name):
            continue
        out[name] = value
        plain = plain and type(value) in _SCALARS and (
            type(value) is not str or (len(value) <= 4_000 and value.isascii()))
    return out if plain else small(out)


def model_of(model_dict: Mapping[str, Any] | None) -> tuple[str | None, dict[str, Any]]:
    """Model name and generation parameters from an LLM's ``to_payload()``."""
    if not model_dict:
        return None, {}
    name = model_dict.get("model_name") or model_dict.get("model")
    params = {k: model_dict[k] for k in _PARAMETERS if model_dict.get(k) is not None}
    params["class_name"] = model_dict.get("class_name")
    return (str(name) if name is not None else None), _safe_params(params)


def call_parameters(kwargs: Mapping[str, Any] | None) -> dict[str, Any]:
    """Per-call keyword arguments (tools are summarised by name)."""
    if not kwargs:
        return {}
    values = dict(kwargs)
    if "tools" in values:
        values["tools"] = [tool_name(t) for t in values["tools"] or []]
    return _safe_params(values)


def tool_name(tool: Any) -> str:
    if isinstance(tool, str):
        return tool
    meta = getattr(tool, "metadata", None)
    name = getattr(meta, "name", None) or (tool.get("name") if isinstance(tool, Mapping) else None)
    return str(name or type(tool).__name__)


def messages_of(chat_messages: Iterable[Any] | None) -> list[Message]:
    return [message_of(m) for m in chat_messages or []]


def message_of(m: Any) -> Message:
    role = getattr(m, "role", "user")
    kwargs = getattr(m, "additional_kwargs", None) or {}
    return Message(
        role=str(getattr(role, "value", role)),
        content=text_of(m),
        name=kwargs.get("name") if isinstance(kwargs.get("name"), str) else None,
        tool_calls=tool_calls_of(m),
        tool_call_id=kwargs.get("tool_call_id") if isinstance(kwargs.get("tool_call_id"), str) else None,
    )


def text_of(message: Any) -> str | None:
    """The text of a ChatMessage (its text blocks), capped."""
    try:
        content = message.content
    except Exception:
        content = None
    if content is None:
        return None
    return clean(content if isinstance(content, str) else str(content))


def tool_calls_of(message: Any) -> list[ToolCall]:
    """Tool calls in a ChatMessage: ``additional_kwargs['tool_calls']`` or ToolCallBlocks."""
    calls: list[ToolCall] = []
    raw = (getattr(message, "additional_kwargs", None) or {}).get("tool_calls") or []
    for call in raw if isinstance(raw, list) else []:
        calls.append(_tool_call(call))
    for block in getattr(message, "blocks", None) or []:
        if getattr(block, "block_type", None) == "tool_call":
            calls.append(ToolCall(id=block.tool_call_id, name=str(block.tool_name),
                                  arguments=small(block.tool_kwargs)))
    return calls


def _tool_call(call: Any) -> ToolCall:
    data = call if isinstance(call, Mapping) else small(call)
    if not isinstance(data, Mapping):
        return ToolCall(name=str(data))
    function = data.get("function") if isinstance(data.get("function"), Mapping) else {}
    name = data.get("name") or data.get("tool_name") or function.get("name") or "unknown"
    args = data.get("args", data.get("arguments", data.get("tool_kwargs", function.get("arguments"))))
    return ToolCall(id=data.get("id") or data.get("tool_id"), name=str(name), arguments=small(args))


def response_text(response: Any) -> str | None:
    """Text of a ChatResponse / CompletionResponse."""
    if response is None:
        return None
    message = getattr(response, "message", None)
    if message is not None:
        return text_of(message)
    text = getattr(response, "text", None)
    return clean(text) if isinstance(text, str) else None


def usage_of(response: Any) -> Usage | None:
    """Token usage when the LLM reported it (in ``additional_kwargs`` or ``raw.usage``)."""
    for source in (getattr(response, "additional_kwargs", None), _raw_usage(response)):
        usage = _usage_from(source)
        if usage is not None:
            return usage
    return None


def _raw_usage(response: Any) -> Any:
    raw = getattr(response, "raw", None)
    if raw is None:
        return None
    return raw.get("usage") if isinstance(raw, Mapping) else getattr(raw, "usage", None)


def _usage_from(source: Any) -> Usage | None:
    if source is None:
        return None
    get = source.get if isinstance(source, Mapping) else lambda k: getattr(source, k, None)
    inp = get("prompt_tokens") if get("prompt_tokens") is not None else get("input_tokens")
    out = get("completion_tokens") if get("completion_tokens") is not None else get("output_tokens")
    total = get("total_tokens")
    if not any(isinstance(v, int) for v in (inp, out, total)):
        return None
    return Usage(input_tokens=_int(inp), output_tokens=_int(out), total_tokens=_int(total))


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def finish_reason_of(response: Any) -> str | None:
    raw = getattr(response, "raw", None)
    choices = raw.get("choices") if isinstance(raw, Mapping) else getattr(raw, "choices", None)
    if choices:
        first = choices[0]
        reason = first.get("finish_reason") if isinstance(first, Mapping) else getattr(
            first, "finish_reason", None)
        return str(reason) if reason is not None else None
    return None


def nodes_of(nodes: Iterable[Any] | None) -> list[dict[str, Any]]:
    """Retrieved nodes: id, score and the first NODE_TEXT_CAP characters of text."""
    out = []
    for item in nodes or []:
        node = getattr(item, "node", item)
        out.append({"id": getattr(node, "node_id", None), "score": getattr(item, "score", None),
                    "text": clean(_node_text(node)[:NODE_TEXT_CAP])})
    return out


def _node_text(node: Any) -> str:
    """A node's own text (cut before any copy); ``get_content()`` for other node types."""
    text = getattr(node, "text", None)
    if isinstance(text, str):
        return text
    try:
        content = node.get_content()
    except Exception:
        return ""
    return content if isinstance(content, str) else ""


def result_text(result: Any) -> str | None:
    """Text of an engine/agent result: Response, AgentChatResponse, AgentOutput, ToolOutput."""
    for attr in ("response", "content"):
        value = getattr(result, attr, None)
        if isinstance(value, str):
            return clean(value)
        if value is not None and hasattr(value, "role"):
            return text_of(value)
    return clean(result) if isinstance(result, str) else None


def is_stream(result: Any) -> bool:
    """Streaming results whose text arrives after the call returns."""
    name = type(result).__name__
    return name.startswith(("Streaming", "AsyncStreaming")) or name in ("generator", "async_generator")
