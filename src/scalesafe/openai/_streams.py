"""Streamed results of a wrapped call: log them, and cut them off at a banned span.

Each chunk is screened before it is handed on, so the chunk that completes a
blocked span (a card number, an SSN...) never reaches the caller: the event is
recorded as blocked and ``BannedOutputError`` is raised instead.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from .._safety import contained
from ..exceptions import BannedOutputError, ScaleSafeException
from ..model import Action, Direction, ErrorInfo, Finding, Status
from ._call import Call
from ._flow import Step, ascreen, output_step, screen

_EMPTY = object()
# StreamScreener reports a span once a couple of characters follow it; chunks are handed
# on only when this many characters have arrived after them, so no chunk that completes
# a blocked span is ever handed on.
HOLD_BACK = 16


class StreamWatch:
    """Follows one stream: folds its items, screens text deltas, logs once at the end."""

    def __init__(self, call: Call) -> None:
        self.call = call
        self.folder = call.api.folder()
        self.done = False
        self.ended = False
        self.screener: Any = None
        self.pending: deque[tuple[int, Any]] = deque()
        self.seen = 0
        if call.settings.screen_outputs:
            with contained("scalesafe.openai.stream_screener"):
                from ..screening import StreamScreener

                self.screener = StreamScreener(call.gate.policy, direction="output")
        self.hold = max(HOLD_BACK, getattr(self.screener, "lookahead", 0) or 0)

    def push(self, item: Any) -> None:
        """Take one item from the SDK: fold it, screen its text, queue it for the caller."""
        delta = ""
        with contained("scalesafe.openai.stream"):
            delta = self.folder.add(item)
        self.seen += len(delta)
        self.pending.append((self.seen, item))
        if delta and self.screener is not None and not self.done:
            blocking = [f for f in self.screener.feed(delta) if f.action is Action.BLOCK]
            if blocking:
                self.pending.clear()
                self.block(blocking)

    def pop(self) -> Any:
        """The next item that is safe to hand on, or ``_EMPTY``."""
        if not self.pending:
            return _EMPTY
        end, item = self.pending[0]
        if self.ended or self.screener is None or end <= self.seen - self.hold:
            self.pending.popleft()
            return item
        return _EMPTY

    def _final_findings(self) -> None:
        if self.screener is not None and not self.done:
            blocking = [f for f in self.screener.finish() if f.action is Action.BLOCK]
            if blocking:
                self.pending.clear()
                self.block(blocking)

    def block(self, blocking: list[Finding]) -> None:
        """Record the event as blocked (output masked), then raise BannedOutputError."""
        from ..screening import describe_findings

        self.done = True
        event = self._fill()
        event.findings.extend(blocking)
        event.verdict = Action.BLOCK
        if event.output_text:
            _, masked = self.call.gate.scan([("output", event.output_text)], Direction.OUTPUT)
            event.output_text = masked[0]
        message = f"output blocked: {describe_findings(blocking)}"
        event.status = Status.BLOCKED
        event.error = ErrorInfo(type="BannedOutputError", message=message)
        event.truncated.append("output: the stream was cut off by screening")
        self.call.record()
        raise BannedOutputError(message, findings=blocking, event_id=event.id)

    def end_steps(self) -> list[Step]:
        """The stream ended: fill the event; screen the whole output (tool calls included)."""
        self._final_findings()
        self.done = True
        event = self._fill()
        return [output_step(event)] if self.call.settings.screen_outputs else []

    def end(self) -> None:
        if not self.done:
            steps = self.end_steps()
            self._screened(lambda: screen(self.call.gate, self.call.event, steps))
        self.ended = True

    async def aend(self) -> None:
        if not self.done:
            steps = self.end_steps()
            try:
                await ascreen(self.call.gate, self.call.event, steps)
            except ScaleSafeException:
                self.pending.clear()
                self.call.recorded = True  # the gate recorded it
                raise
            self.call.record()
        self.ended = True

    def _screened(self, run: Any) -> None:
        try:
            run()
        except ScaleSafeException:
            self.pending.clear()
            self.call.recorded = True  # the gate recorded it
            raise
        self.call.record()

    def closed_early(self) -> None:
        """The caller stopped reading: log what arrived."""
        if self.done:
            return
        self.done = True
        with contained("scalesafe.openai.stream_close"):
            self._fill().truncated.append("output: the stream was closed before its end")
            self.call.record()

    def failed(self, exc: BaseException) -> None:
        if not self.done:
            self.done = True
            self._fill()
            self.call.failed(exc)

    def _fill(self) -> Any:
        event = self.call.event
        with contained("scalesafe.openai.stream_fill"):
            self.call.api.fill_folded(event, self.folder)
        event.finish()
        return event


class WrappedStream:
    """A ``Stream`` that logs and screens what it yields; everything else passes through."""

    def __init__(self, stream: Any, call: Call) -> None:
        self._stream = stream
        self._iterator = stream if hasattr(stream, "__next__") else iter(stream)
        self._watch = StreamWatch(call)

    def __iter__(self) -> WrappedStream:
        return self

    def __next__(self) -> Any:
        watch = self._watch
        while (item := watch.pop()) is _EMPTY:
            if watch.ended:
                raise StopIteration
            try:
                item = next(self._iterator)
            except StopIteration:
                watch.end()
                continue
            except Exception as exc:
                watch.failed(exc)
                raise
            try:
                watch.push(item)
            except ScaleSafeException:
                self._close_stream()
                raise
        return item

    def _close_stream(self) -> None:
        with contained("scalesafe.openai.stream_close"):
            close = getattr(self._stream, "close", None)
            if callable(close):
                close()

    def close(self) -> None:
        self._close_stream()
        self._watch.closed_early()

    def __enter__(self) -> WrappedStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getattr__(self, name: str) -> Any:
        return _passthrough(self, name)

    def __del__(self) -> None:
        _log_abandoned(self)


class AsyncWrappedStream:
    """An ``AsyncStream`` that logs and screens what it yields."""

    def __init__(self, stream: Any, call: Call) -> None:
        self._stream = stream
        self._iterator = stream if hasattr(stream, "__anext__") else stream.__aiter__()
        self._watch = StreamWatch(call)

    def __aiter__(self) -> AsyncWrappedStream:
        return self

    async def __anext__(self) -> Any:
        watch = self._watch
        while (item := watch.pop()) is _EMPTY:
            if watch.ended:
                raise StopAsyncIteration
            try:
                item = await self._iterator.__anext__()
            except StopAsyncIteration:
                await watch.aend()
                continue
            except Exception as exc:
                watch.failed(exc)
                raise
            try:
                watch.push(item)
            except ScaleSafeException:
                await self._close_stream()
                raise
        return item

    async def _close_stream(self) -> None:
        with contained("scalesafe.openai.stream_close"):
            close = getattr(self._stream, "close", None)
            if callable(close):
                result = close()
                if hasattr(result, "__await__"):
                    await result

    async def close(self) -> None:
        await self._close_stream()
        self._watch.closed_early()

    async def __aenter__(self) -> AsyncWrappedStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __getattr__(self, name: str) -> Any:
        return _passthrough(self, name)

    def __del__(self) -> None:
        _log_abandoned(self)


def _passthrough(wrapper: Any, name: str) -> Any:
    if name.startswith("_"):
        raise AttributeError(name)
    return getattr(wrapper._stream, name)


def _log_abandoned(wrapper: Any) -> None:
    """A stream dropped half-read (no close): log what arrived when it is collected."""
    watch = wrapper.__dict__.get("_watch")
    if watch is not None:
        with contained("scalesafe.openai.stream_del"):
            watch.closed_early()
