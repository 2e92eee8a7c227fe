"""``ScaleSafeCallbackHandler``: the legacy-callback hook that can stop an LLM call.

LlamaIndex's ``CallbackManager`` calls ``on_event_start`` for ``CBEventType.LLM``
just before the model runs and lets exceptions through, unlike the
instrumentation dispatcher. So screening lives here: inputs at the start,
outputs at the end (for streams: when the stream ends). Paired with a
``ScaleSafeSpanHandler`` it screens the event that handler logs; alone, it logs
LLM calls itself.
"""

from __future__ import annotations

import asyncio
from typing import Any

from llama_index.core.callbacks.base_handler import BaseCallbackHandler
from llama_index.core.callbacks.schema import CBEventType, EventPayload
from llama_index.core.instrumentation.span import active_span_id

from ..._client import Client
from ..._guard import Gate
from ..._monitor import BaseMonitor
from ..._safety import contained
from ...exceptions import ScaleSafeException, UnsafeInputError
from ...model import Action, Direction, ErrorInfo, Event, EventKind, Message, Source, Status
from ._extract import messages_of, model_of, response_text, tool_calls_of, usage_of
from ._spans import ScaleSafeSpanHandler
from ._tracker import Span, Tracker

_OTHERS = frozenset(t for t in CBEventType if t is not CBEventType.LLM)
MAX_CLAIMS = 10_000

# The tracker of the handlers ``instrument()`` installed (set by ``_setup``): an
# explicit handler built while instrumented screens the event those handlers
# log instead of logging a second, standalone one.
installed_tracker: Tracker | None = None

# LLM callback event id -> the ScaleSafe handler that took it. A manager can hold
# two ScaleSafe handlers (the user's own and the installed global one); the first
# to see an event screens and logs it, the other stands aside.
_claims: dict[str, ScaleSafeCallbackHandler] = {}


def _claim(handler: ScaleSafeCallbackHandler, event_id: str) -> bool:
    if len(_claims) >= MAX_CLAIMS:  # ends that never came (a dropped stream): forget the oldest
        _claims.pop(next(iter(_claims)), None)
    return _claims.setdefault(event_id, handler) is handler


class ScaleSafeCallbackHandler(BaseCallbackHandler):
    """Add to ``CallbackManager([...])`` (or let ``instrument()`` install it) to screen LLM calls."""

    def __init__(
        self,
        *,
        screen_inputs: bool = False,
        screen_outputs: bool = False,
        client: Client | None = None,
        policy: Any = None,
        review_wait: float | None = None,
        location: str | None = None,
        spans: ScaleSafeSpanHandler | None = None,
    ) -> None:
        super().__init__(event_starts_to_ignore=[], event_ends_to_ignore=[])
        # frozensets: the CallbackManager tests membership for every event of every query
        self.event_starts_to_ignore = self.event_ends_to_ignore = _OTHERS  # type: ignore[assignment]
        self.screen_inputs = screen_inputs
        self.screen_outputs = screen_outputs
        self.monitor = BaseMonitor(client=client, policy=policy, review_wait=review_wait,
                                   location=location)
        self._tracker = spans.tracker if spans is not None else None
        self._open: dict[str, tuple[Event, Span | None, Tracker | None]] = {}
        self._no_wait: Gate | None = None

    def _gate(self) -> Gate:
        """The gate to screen with: one that never waits for a reviewer inside an event loop.

        LlamaIndex's callbacks are synchronous even for ``achat``/``aquery``, so
        waiting here for a human decision would freeze the whole loop; there a
        ``review`` finding raises ``HumanReviewNeededException`` at once instead.
        """
        gate = self.monitor.gate
        if gate.review_wait is None or not _loop_running():
            return gate
        if self._no_wait is None:
            self._no_wait = Gate(self.monitor.client, gate._policy)
            self._no_wait.review_wait = None
        return self._no_wait

    # BaseCallbackHandler -----------------------------------------------------------------
    def start_trace(self, trace_id: str | None = None) -> None:
        return None

    def end_trace(self, trace_id: str | None = None,
                  trace_map: dict[str, list[str]] | None = None) -> None:
        return None

    def on_event_start(self, event_type: CBEventType, payload: dict[str, Any] | None = None,
                       event_id: str = "", parent_id: str = "", **kwargs: Any) -> str:
        if event_type is CBEventType.LLM and _claim(self, event_id):
            with contained("llama_index.on_event_start"):
                self._start(payload or {}, event_id, parent_id)
        return event_id

    def on_event_end(self, event_type: CBEventType, payload: dict[str, Any] | None = None,
                     event_id: str = "", **kwargs: Any) -> None:
        if event_type is CBEventType.LLM and _claims.get(event_id) is self:
            del _claims[event_id]
            with contained("llama_index.on_event_end"):
                self._end(payload or {}, event_id)

    # inputs ------------------------------------------------------------------------------
    def _start(self, payload: dict[str, Any], event_id: str, parent_id: str) -> None:
        tracker = self._tracker or installed_tracker
        span = tracker.get(active_span_id.get()) if tracker is not None else None
        if span is not None and span.nested:
            return  # the enclosing call of the same LLM was screened already
        event = span.event if span is not None and span.event is not None else None
        if event is None:
            span = None
            event = _standalone(payload, event_id, parent_id, self.monitor.location)
        self._open[event_id] = (event, span, tracker)
        try:
            self.monitor.gate.check_stop(event)
            if self.screen_inputs:
                self._screen_input(event, payload)
        except ScaleSafeException:
            self._open.pop(event_id, None)
            _claims.pop(event_id, None)
            if span is not None:
                span.recorded = True
            raise

    def _screen_input(self, event: Event, payload: dict[str, Any]) -> None:
        chat = payload.get(EventPayload.MESSAGES)
        where = [i for i, m in enumerate(event.messages) if m.content]
        texts = [(f"messages[{i}]", event.messages[i].content or "") for i in where]
        forwarded = True

        def apply(masked: list[str]) -> None:
            nonlocal forwarded
            for i, text in zip(where, masked, strict=True):
                event.messages[i].content = text
                forwarded = _forward(chat, i, text) and forwarded

        verdict = self._gate().screen(event, Direction.INPUT, texts, apply)
        if not forwarded and any(f.action is Action.REDACT for f in verdict.findings):
            self._refuse_unmaskable(event, verdict)

    def _refuse_unmaskable(self, event: Event, verdict: Any) -> None:
        """A completion prompt is an immutable str: redaction can't reach the model, so block."""
        from ...screening import describe_findings

        redacted = [f for f in verdict.findings if f.action is Action.REDACT]
        message = f"input blocked: {describe_findings(redacted)} (redaction cannot be applied " \
                  "to a completion prompt)"
        event.status = Status.BLOCKED
        event.error = ErrorInfo(type="UnsafeInputError", message=message)
        event.finish()
        self.monitor.client.record(event)
        raise UnsafeInputError(message, findings=redacted, event_id=event.id)

    # outputs -----------------------------------------------------------------------------
    def _end(self, payload: dict[str, Any], event_id: str) -> None:
        opened = self._open.pop(event_id, None)
        if opened is None or EventPayload.EXCEPTION in payload:
            return
        event, span, tracker = opened
        if span is not None and not self.screen_outputs:
            return  # the event handler fills in the output of a logged span
        response = payload.get(EventPayload.RESPONSE) or payload.get(EventPayload.COMPLETION)
        event.output_text = response_text(response)
        try:
            if self.screen_outputs and event.output_text:
                self._screen_output(event, response)
        except ScaleSafeException:
            if span is not None and tracker is not None:
                span.recorded = True
                tracker.deferred.pop(span.id, None)
            raise
        if span is None:
            _finish_standalone(event, response)
            self.monitor.client.record(event)

    def _screen_output(self, event: Event, response: Any) -> None:
        def apply(masked: list[str]) -> None:
            event.output_text = masked[0]
            _replace_output(response, masked[0])

        self._gate().screen(event, Direction.OUTPUT, [("output", event.output_text or "")],
                                 apply)


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _forward(chat: Any, index: int, text: str) -> bool:
    """Put masked text into the ChatMessage the model will get; False when impossible."""
    try:
        chat[index].content = text
        return True
    except Exception:
        return False


def _replace_output(response: Any, text: str) -> None:
    message = getattr(response, "message", None)
    if message is not None:
        message.content = text
    elif hasattr(response, "text"):
        response.text = text


def _standalone(payload: dict[str, Any], event_id: str, parent_id: str,
                location: str | None) -> Event:
    model, params = model_of(payload.get(EventPayload.SERIALIZED))
    chat = payload.get(EventPayload.MESSAGES)
    prompt = payload.get(EventPayload.PROMPT)
    messages = messages_of(chat) if chat is not None else [Message(role="user", content=prompt)]
    parent = parent_id if parent_id and parent_id != "root" else None
    return Event(source=Source.LLAMA_INDEX, kind=EventKind.LLM, name="llm", model=model,
                 parameters=params, messages=messages, run_id=event_id, parent_id=parent,
                 location=location)


def _finish_standalone(event: Event, response: Any) -> None:
    message = getattr(response, "message", None)
    if message is not None:
        event.tool_calls = tool_calls_of(message)
    event.usage = usage_of(response)
    event.finish()


class InstalledCallbackHandler(ScaleSafeCallbackHandler):
    """The handler ``instrument()`` installs as LlamaIndex's ``global_handler``.

    A class of its own because ``CallbackManager([...])`` refuses a handler of the
    global handler's exact class: with this one installed, users can still build
    ``CallbackManager([ScaleSafeCallbackHandler(...)])``; their handler then takes
    the manager's LLM events and this one stands aside (no double screening).
    """
