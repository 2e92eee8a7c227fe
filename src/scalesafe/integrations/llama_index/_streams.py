"""Streaming query responses: the LLM runs only while the caller reads ``response_gen``.

LlamaIndex starts the model lazily, after ``query()`` returned, so its span has
no parent. Wrapping ``response_gen`` re-enters the query's span for each read:
the LLM call joins the query's tree, and its legacy callbacks (which screen)
run in the caller's iteration, where a ScaleSafe error reaches the caller.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from llama_index.core.instrumentation.span import active_span_id


def relink(response: Any, span_id: str) -> None:
    """Make ``response.response_gen`` run inside span ``span_id`` (sync streams only)."""
    gen = getattr(response, "response_gen", None)
    if gen is None or not hasattr(gen, "__next__"):
        return
    response.response_gen = _within(gen, span_id)


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
