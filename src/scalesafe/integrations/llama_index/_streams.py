"""Streaming query responses: the LLM runs only while the caller reads the stream.

LlamaIndex starts the model lazily, after ``query()``/``aquery()`` returned, so
its span would have no parent. Wrapping ``response_gen`` (a generator on
``StreamingResponse``, an async generator on ``AsyncStreamingResponse``)
re-enters the query's span for each read: the LLM call joins the query's tree,
and its legacy callbacks (which screen) run in the caller's iteration, where a
ScaleSafe error reaches the caller.

Chat-engine streams (``StreamingAgentChatResponse``) need no relinking: their
LLM call starts inside the ``stream_chat`` span; ``response_gen`` there is a
read-only property and is left alone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from llama_index.core.instrumentation.span import active_span_id


def relink(response: Any, span_id: str) -> None:
    """Make ``response.response_gen`` run inside span ``span_id``."""
    gen = vars(response).get("response_gen") if hasattr(response, "__dict__") else None
    if hasattr(gen, "__next__"):
        response.response_gen = _within(gen, span_id)
    elif hasattr(gen, "__anext__"):
        response.response_gen = _awithin(gen, span_id)


def _within(gen: Iterator[Any], span_id: str) -> Iterator[Any]:
    while True:
        token = active_span_id.set(span_id)
        try:
            item = next(gen)
        except StopIteration:
            return
        finally:
            active_span_id.reset(token)
        yield item


async def _awithin(gen: AsyncIterator[Any], span_id: str) -> AsyncIterator[Any]:
    while True:
        token = active_span_id.set(span_id)
        try:
            item = await gen.__anext__()
        except StopAsyncIteration:
            return
        finally:
            active_span_id.reset(token)
        yield item
