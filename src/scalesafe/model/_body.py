"""The canonical body of a plain event draft, written without pydantic.

Shared by ``EventDraft`` and the writer process (which imports no pydantic): the
recorder can then hand a draft's fields to the writer process as they are, and the
process writes the body, off the application's CPU. The text is the one ``Event``'s
own serializer writes, byte for byte; ``json_of`` says None for any draft it could
not write that way, and pydantic writes it instead.

A draft's two timestamps are UTC datetimes or integer microseconds since the epoch
(what hot paths record: cheaper to take, and plain data for the pipe).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

try:  # wheels for CPython; elsewhere pydantic writes every draft
    # Dates and times are not orjson's to write: it drops a digit of some times' microseconds
    # (orjson 3.13). The draft's own two UTC timestamps, which it writes as pydantic does, go
    # in as ready fragments; any other date or time sends the draft to pydantic.
    from orjson import OPT_PASSTHROUGH_DATETIME as _OPTIONS
    from orjson import OPT_UTC_Z as _UTC_Z
    from orjson import Fragment as _Fragment
    from orjson import dumps as _dumps
except ImportError:  # pragma: no cover - exercised only without orjson
    _dumps = None  # type: ignore[assignment]

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_UTC = dt.UTC

#: Event's fields in declaration order (the stored key order), each with its default; a
#: default factory's empty value is shared here, as it is only ever written. The tests check
#: this against the model.
TEMPLATE: dict[str, Any] = {
    "id": None, "model_system": "default", "source": "generic", "kind": "llm", "name": None,
    "trace_id": None, "run_id": None, "parent_id": None, "start_time": None, "end_time": None,
    "latency_ms": None, "model": None, "parameters": {}, "messages": [], "input": None,
    "output_text": None, "output": None, "tool_calls": [], "finish_reason": None, "usage": None,
    "status": "ok", "error": None, "tags": [], "metadata": {}, "user_id": None, "session_id": None,
    "location": None, "request_id": None, "findings": [], "verdict": None, "review_id": None,
    "truncated": [],
}
#: Keys of the models nested in an Event (Message, ToolCall, Usage, ErrorInfo, Finding).
MESSAGE_KEYS = frozenset({"role", "content", "name", "tool_calls", "tool_call_id"})
TOOL_CALL_KEYS = frozenset({"id", "name", "arguments"})
USAGE_KEYS = frozenset({"input_tokens", "output_tokens", "total_tokens"})
ERROR_KEYS = frozenset({"type", "message"})
FINDING_KEYS = frozenset({"kind", "rule", "direction", "start", "end", "confidence", "action",
                          "location"})


def as_datetime(value: Any) -> Any:
    """Integer microseconds as a UTC datetime; anything else as it is."""
    return EPOCH + dt.timedelta(microseconds=value) if type(value) is int else value


def complete(fields: dict[str, Any]) -> dict[str, Any]:
    """Every field in declaration order (None where unset), with the latency when it ended."""
    out = {**TEMPLATE, **fields}
    end = out["end_time"]
    if end is not None and out["latency_ms"] is None:
        start = out["start_time"]
        if type(end) is int and type(start) is int:
            # as ``(end - start).total_seconds() * 1000`` computes it, without the datetimes
            out["latency_ms"] = round((end - start) / 10**6 * 1000, 3)
        else:
            out["latency_ms"] = round((as_datetime(end) - as_datetime(start)).total_seconds() * 1000, 3)
    return out


def json_of(out: dict[str, Any]) -> bytes | None:
    """The canonical JSON of a completed draft, or None when pydantic must write it.

    orjson writes JSON values, UUIDs, enums and dataclasses as pydantic does, and raises
    for what it cannot write that way (bytes, sets, non-string keys, huge ints, dates and
    times): pydantic then decides. Left to check here: the timestamps, and what pydantic
    leaves out of nested models (unknown keys, None).
    """
    if _dumps is None or len(out) != len(TEMPLATE):
        return None
    try:  # (a value whose ``==`` raises, met while checking, is pydantic's too)
        if not _plain_models(out):
            return None
        start, end = _stamp(out["start_time"]), _stamp(out["end_time"])
        if start is None or (end is None and out["end_time"] is not None):
            return None
        plain = {k: v for k, v in out.items() if v is not None}
        plain["start_time"] = start
        if end is not None:
            plain["end_time"] = end
        return _dumps(plain, default=_refuse, option=_OPTIONS)
    except Exception:
        return None  # pydantic writes it, or says why it cannot


def _stamp(value: Any) -> Any:
    """A timestamp as a ready JSON fragment, as pydantic writes a UTC datetime; else None."""
    if type(value) is int:
        value = EPOCH + dt.timedelta(microseconds=value)
    elif type(value) is not dt.datetime or value.tzinfo is not _UTC:
        return None
    return _Fragment(_dumps(value, option=_UTC_Z))


def _refuse(value: Any) -> Any:
    raise TypeError  # orjson does not write it as pydantic would: pydantic writes the draft


def _plain(value: Any, keys: frozenset[str]) -> bool:
    """A nested model's dict as orjson writes it the way pydantic would: a plain dict of the
    model's own keys and no None (pydantic leaves both out)."""
    return type(value) is dict and value.keys() <= keys and None not in value.values()


def _plain_list(values: Any, keys: frozenset[str]) -> bool:
    if type(values) is not list and type(values) is not tuple:
        return False
    return all(_plain(value, keys) for value in values)


def _plain_models(out: dict[str, Any]) -> bool:
    usage, error = out["usage"], out["error"]
    if (usage is not None and not _plain(usage, USAGE_KEYS)) or (
            error is not None and not _plain(error, ERROR_KEYS)):
        return False
    messages, calls, findings = out["messages"], out["tool_calls"], out["findings"]
    if (calls and not _plain_list(calls, TOOL_CALL_KEYS)) or (
            findings and not _plain_list(findings, FINDING_KEYS)):
        return False
    if messages:  # (empty values, lists or not, are written alike)
        if type(messages) is not list and type(messages) is not tuple:
            return False
        for message in messages:  # ``_plain`` written out: a prompt has several messages
            if (type(message) is not dict or not message.keys() <= MESSAGE_KEYS
                    or None in message.values()):
                return False
            calls = message.get("tool_calls")
            if calls and not _plain_list(calls, TOOL_CALL_KEYS):
                return False
    return True
