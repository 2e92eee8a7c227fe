"""``ScaleSafeEventHandler``: turns LlamaIndex instrumentation events into event details.

Start events promote their span (query, retrieval, embedding, synthesis, LLM
call); end events add outputs, nodes, token usage. It shares the tracker of a
``ScaleSafeSpanHandler``, which records the events when the spans close.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llama_index.core.instrumentation.event_handlers import BaseEventHandler

from ...model import EventKind, Message
from ._contain import plain_attrs, swallow
from ._extract import (
    call_parameters,
    finish_reason_of,
    messages_of,
    model_of,
    nodes_of,
    response_text,
    result_text,
    tool_calls_of,
    usage_of,
)
from ._spans import ScaleSafeSpanHandler
from ._tracker import Span, Tracker

Handler = Callable[[Tracker, Span, Any], None]


class ScaleSafeEventHandler(BaseEventHandler):
    """Add to the same dispatcher as its ``ScaleSafeSpanHandler``; never raises."""

    def __init__(self, spans: ScaleSafeSpanHandler) -> None:
        super().__init__()
        plain_attrs(self, _tracker=spans.tracker)

    @classmethod
    def class_name(cls) -> str:
        return "ScaleSafeEventHandler"

    def __eq__(self, other: object) -> bool:  # each handler is its own tracker
        return self is other

    __hash__ = object.__hash__

    def handle(self, event: Any, **kwargs: Any) -> None:
        handler = _HANDLERS.get(type(event).__name__)
        if handler is None:
            return
        try:
            span = self._tracker.get(event.span_id)
            if span is not None and not span.nested:
                handler(self._tracker, span, event)
        except Exception:
            swallow("llama_index.event")


def _query_text(query: Any) -> Any:
    return getattr(query, "query_str", query) if query is not None else None


def _query_start(t: Tracker, span: Span, e: Any) -> None:
    t.promote(span, EventKind.QUERY, input=_query_text(e.query))


def _retrieval_start(t: Tracker, span: Span, e: Any) -> None:
    t.promote(span, EventKind.RETRIEVER, input=_query_text(e.str_or_query_bundle))


def _retrieval_end(t: Tracker, span: Span, e: Any) -> None:
    if span.event is not None:
        span.event.output = {"nodes": nodes_of(e.nodes)}
        span.event.metadata["node_count"] = len(e.nodes or [])


def _embedding_start(t: Tracker, span: Span, e: Any) -> None:
    model, params = model_of(e.model_dict)
    t.promote(span, EventKind.EMBEDDING, model=model, parameters=params)


def _embedding_end(t: Tracker, span: Span, e: Any) -> None:
    if span.event is None:
        return
    embeddings = e.embeddings or []
    span.event.output = {"chunks": len(e.chunks or []), "embeddings": len(embeddings),
                         "dimensions": len(embeddings[0]) if embeddings else 0}


def _synthesis_start(t: Tracker, span: Span, e: Any) -> None:
    t.promote(span, EventKind.SYNTHESIS, input=_query_text(e.query))


def _text_end(t: Tracker, span: Span, e: Any) -> None:
    if span.event is not None and span.event.output_text is None:
        span.event.output_text = result_text(e.response)


def _chat_start(t: Tracker, span: Span, e: Any) -> None:
    model, params = model_of(e.model_dict)
    params.update(call_parameters(e.additional_kwargs))
    t.promote(span, EventKind.LLM, model=model, parameters=params, messages=messages_of(e.messages))


def _completion_start(t: Tracker, span: Span, e: Any) -> None:
    model, params = model_of(e.model_dict)
    params.update(call_parameters(e.additional_kwargs))
    t.promote(span, EventKind.LLM, model=model, parameters=params,
              messages=[Message(role="user", content=e.prompt)], metadata={"completion": True})


def _llm_progress(t: Tracker, span: Span, e: Any) -> None:
    if span.event is not None:
        span.event.metadata["stream_chunks"] = span.event.metadata.get("stream_chunks", 0) + 1


def _llm_end(t: Tracker, span: Span, e: Any) -> None:
    event, response = span.event, e.response
    if event is None:
        return
    if event.output_text is None:
        event.output_text = response_text(response)
    message = getattr(response, "message", None)
    if message is not None and not event.tool_calls:
        event.tool_calls = tool_calls_of(message)
    event.usage = event.usage or usage_of(response)
    event.finish_reason = event.finish_reason or finish_reason_of(response)
    if span.id in t.deferred:
        t.finish(span)


def _exception(t: Tracker, span: Span, e: Any) -> None:
    if span.id in t.deferred:
        t.fail(span, e.exception)


def _rerank_start(t: Tracker, span: Span, e: Any) -> None:
    t.promote(span, EventKind.RETRIEVER, name=f"rerank:{span.name}", model=e.model_name,
              input=_query_text(e.query), parameters={"top_n": e.top_n})


_HANDLERS: dict[str, Handler] = {
    "QueryStartEvent": _query_start,
    "QueryEndEvent": _text_end,
    "RetrievalStartEvent": _retrieval_start,
    "RetrievalEndEvent": _retrieval_end,
    "EmbeddingStartEvent": _embedding_start,
    "EmbeddingEndEvent": _embedding_end,
    "SynthesizeStartEvent": _synthesis_start,
    "SynthesizeEndEvent": _text_end,
    "LLMChatStartEvent": _chat_start,
    "LLMCompletionStartEvent": _completion_start,
    "LLMChatInProgressEvent": _llm_progress,
    "LLMCompletionInProgressEvent": _llm_progress,
    "LLMChatEndEvent": _llm_end,
    "LLMCompletionEndEvent": _llm_end,
    "ExceptionEvent": _exception,
    "ReRankStartEvent": _rerank_start,
    "ReRankEndEvent": _retrieval_end,
}
