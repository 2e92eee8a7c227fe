"""Fetch the parts of an Assistants turn the caller did not pass (network I/O: opt-in)."""

from __future__ import annotations

import logging
from typing import Any

from .._safety import internal_errors

log = logging.getLogger("scalesafe")


def _missing(parts: Any, client: Any) -> list[tuple[str, Any, dict[str, Any]]]:
    """(what, SDK method, kwargs) for each missing piece; the assistant comes after the run."""
    threads = client.beta.threads
    if parts.thread_id is None:
        todo = []
    else:
        todo = [(what, call, kwargs) for what, call, kwargs, absent in (
            ("run", threads.runs.list, {"thread_id": parts.thread_id, "limit": 1},
             parts.run is None),
            ("messages", threads.messages.list, {"thread_id": parts.thread_id, "limit": 100},
             parts.messages is None),
        ) if absent]
    return todo


def _assistant_call(parts: Any, client: Any) -> tuple[str, Any, dict[str, Any]] | None:
    if parts.assistant is None and parts.assistant_id:
        return ("assistant", client.beta.assistants.retrieve, {"assistant_id": parts.assistant_id})
    return None


def _store(parts: Any, what: str, value: Any) -> None:
    if what == "assistant":
        parts.set_assistant(value)
    elif what == "run":
        runs = getattr(value, "data", None) or []
        if runs:
            parts.set_run(runs[0])
    else:
        parts.set_messages(value)


def _failed(what: str, exc: BaseException) -> None:
    internal_errors.add("scalesafe.openai.fetch")
    log.warning("scalesafe: could not fetch the %s of an Assistants turn (%s)", what,
                type(exc).__name__)


def fetch_missing(parts: Any, client: Any) -> None:
    """Fill in the run, the thread's messages and the assistant with a sync ``OpenAI`` client."""
    for what, call, kwargs in _missing(parts, client):
        _fetch_one(parts, what, call, kwargs)
    last = _assistant_call(parts, client)
    if last is not None:
        _fetch_one(parts, *last)


def _fetch_one(parts: Any, what: str, call: Any, kwargs: dict[str, Any]) -> None:
    try:
        _store(parts, what, call(**kwargs))
    except Exception as exc:
        _failed(what, exc)


async def afetch_missing(parts: Any, client: Any) -> None:
    """Like ``fetch_missing``, for an ``AsyncOpenAI`` (or a sync) client."""
    for what, call, kwargs in _missing(parts, client):
        await _afetch_one(parts, what, call, kwargs)
    last = _assistant_call(parts, client)
    if last is not None:
        await _afetch_one(parts, *last)


async def _afetch_one(parts: Any, what: str, call: Any, kwargs: dict[str, Any]) -> None:
    try:
        value = call(**kwargs)
        if hasattr(value, "__await__"):
            value = await value
        _store(parts, what, value)
    except Exception as exc:
        _failed(what, exc)
