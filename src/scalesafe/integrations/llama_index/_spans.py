"""``ScaleSafeSpanHandler``: follows every LlamaIndex span so events form one tree.

It promotes the spans that have no instrumentation event of their own (chat
engines, agent runs and their steps, tools) and records each promoted span
when it closes. The dispatcher swallows handler errors, so nothing here can
stop a call: screening lives in the callback handler.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from llama_index.core.base.llms.base import BaseLLM
from llama_index.core.chat_engine.types import BaseChatEngine
from llama_index.core.instrumentation.span import SimpleSpan
from llama_index.core.instrumentation.span_handlers import BaseSpanHandler
from llama_index.core.tools.types import BaseTool
from workflows import Workflow

from ..._client import Client, get_client
from ...model import EventKind, Message, Status, ToolCall
from ._contain import plain_attrs, swallow
from ._extract import is_stream, result_text, small
from ._streams import relink
from ._tracker import Span, Tracker

CHAT_METHODS = frozenset({"chat", "achat", "stream_chat", "astream_chat"})
TOOL_METHODS = frozenset({"call", "acall", "__call__"})


class ScaleSafeSpanHandler(BaseSpanHandler[SimpleSpan]):
    """Add to a dispatcher (``root_dispatcher.add_span_handler``) to log LlamaIndex runs as trees."""

    def __init__(self, *, client: Client | None = None, location: str | None = None) -> None:
        super().__init__(open_spans={}, completed_spans=[], dropped_spans=[], current_span_ids={})
        plain_attrs(self, _client=client, _on_llm=None, _tracker=Tracker(self._record, location))

    @classmethod
    def class_name(cls) -> str:
        return "ScaleSafeSpanHandler"

    def __eq__(self, other: object) -> bool:  # each handler is its own tracker
        return self is other

    __hash__ = object.__hash__

    @property
    def tracker(self) -> Tracker:
        return self._tracker

    @property
    def client(self) -> Client:
        return self._client if self._client is not None else get_client()

    def _record(self, event: Any) -> None:
        self.client.record(event)

    def on_llm(self, hook: Callable[[Any], None] | None) -> None:
        """Call ``hook(llm)`` when an LLM span opens (instrument() uses it to reach old LLMs)."""
        plain_attrs(self, _on_llm=hook)

    # dispatcher hooks (overridden whole: no base-class bookkeeping on the hot path) --------
    def span_enter(self, id_: str, bound_args: inspect.BoundArguments, instance: Any = None,
                   parent_id: str | None = None, tags: dict[str, Any] | None = None,
                   **kwargs: Any) -> None:
        try:
            span = self._tracker.enter(id_, parent_id, instance)
            role = _role(type(instance))
            if role is _LLM:
                if self._on_llm is not None:
                    self._on_llm(instance)
                return
            if role is not None or span.step_of is not None:
                self._classify(span, role, bound_args.arguments)
        except Exception:
            swallow("llama_index.span_enter")

    def span_exit(self, id_: str, bound_args: inspect.BoundArguments, instance: Any = None,
                  result: Any = None, **kwargs: Any) -> None:
        try:
            span = self._tracker.spans.get(id_)
            if span is None or span.event is None or span.nested:
                self._tracker.spans.pop(id_, None)
                return
            streaming = is_stream(result)
            if span.event.kind is not EventKind.LLM:
                _fill_output(span, result, streaming)
            self._tracker.exit(id_, defer=streaming and span.event.kind is EventKind.LLM)
        except Exception:
            swallow("llama_index.span_exit")

    def span_drop(self, id_: str, bound_args: inspect.BoundArguments, instance: Any = None,
                  err: BaseException | None = None, **kwargs: Any) -> None:
        try:
            self._tracker.drop(id_, err)
        except Exception:
            swallow("llama_index.span_drop")

    def new_span(self, *args: Any, **kwargs: Any) -> SimpleSpan | None:
        return None

    def prepare_to_exit_span(self, *args: Any, **kwargs: Any) -> SimpleSpan | None:
        return None

    def prepare_to_drop_span(self, *args: Any, **kwargs: Any) -> SimpleSpan | None:
        return None

    # classification ------------------------------------------------------------------------
    def _classify(self, span: Span, role: str | None, args: dict[str, Any]) -> None:
        method = span.name.rsplit(".", 1)[-1]
        instance = span.instance
        if role is _CHAT and method in CHAT_METHODS:
            message = args.get("message")
            self._tracker.promote(span, EventKind.CHAT, messages=_user(message),
                                  input=None if isinstance(message, str) else small(message))
        elif role is _WORKFLOW and method == "run":
            self._tracker.promote(span, EventKind.AGENT, name=type(instance).__name__,
                                  input=small(_run_input(args)))
        elif role is _TOOL and method in TOOL_METHODS:
            self._promote_tool(span, instance, args)
        elif span.step_of is not None:
            self._tracker.promote(span, EventKind.AGENT, metadata={"step": True},
                                  input={"event": type(args.get("ev")).__name__})

    def _promote_tool(self, span: Span, tool: BaseTool, args: dict[str, Any]) -> None:
        arguments = dict(args.get("kwargs") or {})
        if not arguments and args.get("args"):
            arguments = {"args": list(args["args"])}
        name = tool.metadata.name or type(tool).__name__
        self._tracker.promote(span, EventKind.TOOL, name=name, input=small(arguments),
                              tool_calls=[ToolCall(name=name, arguments=small(arguments))])


_LLM, _CHAT, _WORKFLOW, _TOOL = "llm", "chat", "workflow", "tool"
_ROLES: dict[type, str | None] = {}


def _role(cls: type) -> str | None:
    """What a span's instance is, by class (cached: isinstance on ABCs is slow)."""
    try:
        return _ROLES[cls]
    except KeyError:
        pass
    role = None
    for base, name in ((BaseLLM, _LLM), (BaseChatEngine, _CHAT), (Workflow, _WORKFLOW),
                       (BaseTool, _TOOL)):
        if issubclass(cls, base):
            role = name
            break
    if len(_ROLES) < 4_096:
        _ROLES[cls] = role
    return role


def _user(message: Any) -> list[Message]:
    return [Message(role="user", content=message)] if isinstance(message, str) else []


def _run_input(args: dict[str, Any]) -> Any:
    """The user's message to a workflow/agent run (keyword or inside its StartEvent)."""
    sources = [args.get("kwargs") or {}, args.get("start_event")]
    for source in sources:
        for key in ("user_msg", "input", "message", "query"):
            value = source.get(key) if isinstance(source, dict) else getattr(source, key, None)
            if value is not None:
                return value if isinstance(value, str) else result_text(value) or small(value)
    return small(args.get("start_event")) if args.get("start_event") is not None else None


def _fill_output(span: Span, result: Any, streaming: bool) -> None:
    """Output of a non-LLM span from its return value (end events may have set it already)."""
    event = span.event
    assert event is not None
    if streaming:
        event.metadata["streaming"] = True
        relink(result, span.id)
        return
    if event.kind is EventKind.TOOL:
        event.output_text = result_text(result)
        if getattr(result, "is_error", False):
            event.status = Status.ERROR
        return
    inner = getattr(result, "result", None) if type(result).__name__ == "StopEvent" else None
    value = inner if inner is not None else result
    if event.output_text is None:
        event.output_text = result_text(value)
    if event.metadata.get("step"):
        event.output = {"event": type(result).__name__}
        event.tool_calls = _selected_tools(result)


def _selected_tools(result: Any) -> list[ToolCall]:
    calls = getattr(result, "tool_calls", None) or []
    return [ToolCall(id=getattr(c, "tool_id", None), name=str(getattr(c, "tool_name", "?")),
                     arguments=small(getattr(c, "tool_kwargs", None))) for c in calls]
