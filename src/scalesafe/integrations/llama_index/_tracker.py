"""Open LlamaIndex spans and the events they became: one tree per query.

The span handler tells the tracker when spans open and close; the event handler
"promotes" the spans worth logging (queries, retrievals, LLM calls...) to
ScaleSafe events. A promoted span's parent is its nearest promoted ancestor and
its trace id is the root of that chain, so a query is one tree. Streaming LLM
calls close their span before the stream is read; their event waits in
``deferred`` until the stream ends.

Finished events of a tree wait in ``pending`` until its root closes and are
then handed to the recorder together: one wake-up of the background writer
per query instead of one per event (each wake-up costs the caller's thread a
GIL hand-off). A big tree (an agent loop) is handed over every
``MAX_PENDING`` events, so nothing waits long.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from ...model import ErrorInfo, Event, EventKind, Source, Status, utcnow

MAX_OPEN = 10_000
MAX_CLOSED = 1_024
MAX_PENDING = 64


@dataclass(slots=True, eq=False)
class Span:
    """One open LlamaIndex span; ``event`` is set once the span is promoted."""

    id: str
    name: str
    instance: Any
    owner: Span | None  # nearest promoted ancestor
    event: Event | None = None
    nested: bool = False  # an LLM/tool call made inside the same object's own call
    recorded: bool = False
    step_of: Span | None = None  # the agent run this span is a step of


def span_name(span_id: str) -> str:
    """``Class.method`` from a dispatcher span id ``Class.method-<uuid4>``."""
    return span_id[:-37] if len(span_id) > 37 and span_id[-37] == "-" else span_id


class Tracker:
    """Span id -> Span for one set of handlers; records events through ``record``."""

    def __init__(self, record: Any, location: str | None = None) -> None:
        self.record = record
        self.location = location
        self.spans: dict[str, Span] = {}
        self.deferred: OrderedDict[str, Span] = OrderedDict()
        self.closed: OrderedDict[str, Span] = OrderedDict()  # promoted spans that late work joins
        self.pending: dict[str, list[Event]] = {}  # open root span id -> its finished events

    # span lifecycle ------------------------------------------------------------------
    def enter(self, span_id: str, parent_id: str | None, instance: Any) -> Span:
        parent = (self.spans.get(parent_id) or self.closed.get(parent_id)) if parent_id else None
        owner = None if parent is None else (parent if parent.event is not None else parent.owner)
        span = Span(span_id, span_name(span_id), instance, owner)
        if parent is not None and parent.event is not None and parent.event.kind is EventKind.AGENT \
                and instance is None:
            span.step_of = parent
        if len(self.spans) >= MAX_OPEN:
            self.spans.pop(next(iter(self.spans)))
        self.spans[span_id] = span
        return span

    def get(self, span_id: str | None) -> Span | None:
        if span_id is None:
            return None
        return self.spans.get(span_id) or self.deferred.get(span_id)

    def promote(self, span: Span, kind: EventKind, **fields: Any) -> Event | None:
        """Make ``span`` a logged event, unless it repeats its owner's call."""
        owner = span.owner
        if span.instance is not None and (_repeats(owner, span, kind) or self._inside_stream(span)):
            span.nested = True
            return None
        if span.event is not None:
            return span.event
        root = owner.event.trace_id if owner is not None and owner.event is not None else span.id
        span.event = Event(
            source=Source.LLAMA_INDEX, kind=kind, name=fields.pop("name", span.name),
            run_id=span.id, parent_id=owner.id if owner is not None else None, trace_id=root,
            start_time=utcnow(), location=self.location, **fields,
        )
        if owner is None:
            self._open_root(span.id)
        return span.event

    def _inside_stream(self, span: Span) -> bool:
        """A call the same object makes while reading its own open stream (e.g. a
        ``CustomLLM.astream_complete`` generator calling ``stream_complete``)."""
        if not self.deferred:
            return False
        return any(d.instance is span.instance and d.owner is span.owner
                   for d in self.deferred.values())

    def exit(self, span_id: str, defer: bool = False) -> Span | None:
        """Close a span; a promoted one is recorded unless ``defer`` (stream still running)."""
        span = self.spans.pop(span_id, None)
        if span is None or span.event is None or span.nested:
            return span
        self.closed[span_id] = span
        if len(self.closed) > MAX_CLOSED:
            self.closed.popitem(last=False)
        if defer:
            self._defer(span)
        else:
            self.finish(span)
        return span

    def drop(self, span_id: str, err: BaseException | None) -> None:
        span = self.spans.pop(span_id, None) or self.deferred.pop(span_id, None)
        if span is None or span.event is None or span.nested:
            return
        self.fail(span, err)

    # recording -----------------------------------------------------------------------
    def finish(self, span: Span) -> None:
        self.deferred.pop(span.id, None)
        if span.event is None:
            return
        if span.recorded:  # the gate recorded it (blocked); a root still releases its tree
            self._hand_over(self.pending.pop(span.id, None), None)
            return
        span.recorded = True
        event = span.event
        event.finish()
        if event.trace_id == span.id:  # a root: its tree is complete
            self._hand_over(self.pending.pop(span.id, None), event)
            return
        waiting = self.pending.get(event.trace_id or "")
        if waiting is None:
            self.record(event)
            return
        waiting.append(event)
        if len(waiting) >= MAX_PENDING:
            self._hand_over(waiting, None)
            waiting.clear()

    def _open_root(self, span_id: str) -> None:
        if len(self.pending) >= MAX_OPEN:  # roots that never closed: give their events up now
            self._hand_over(self.pending.pop(next(iter(self.pending))), None)
        self.pending[span_id] = []

    def _hand_over(self, events: list[Event] | None, last: Event | None) -> None:
        for event in events or ():
            self.record(event)
        if last is not None:
            self.record(last)

    def fail(self, span: Span, err: BaseException | None) -> None:
        event = span.event
        if event is None:
            return
        from ...exceptions import ScaleSafeException

        event.status = Status.BLOCKED if isinstance(err, ScaleSafeException) else Status.ERROR
        if err is not None:
            event.error = ErrorInfo(type=type(err).__name__, message=_message(err))
        self.finish(span)

    def _defer(self, span: Span) -> None:
        if len(self.deferred) >= MAX_OPEN:
            _, oldest = self.deferred.popitem(last=False)
            oldest.event.truncated.append("stream: never finished; recorded when evicted")  # type: ignore[union-attr]
            self.finish(oldest)
        self.deferred[span.id] = span


def _repeats(owner: Span | None, span: Span, kind: EventKind) -> bool:
    """``span`` is its owner's object calling itself (``CustomLLM.chat`` -> ``complete``)."""
    return owner is not None and owner.instance is span.instance and owner.event is not None \
        and owner.event.kind is kind


def _message(err: BaseException) -> str:
    try:
        return str(err)[:2_000]
    except Exception:
        return ""
