"""Streamed results of a wrapped call: log them, and cut them off at a banned span.

Each chunk is screened before it is handed on, so the chunk that completes a
blocked span (a card number, an SSN...) never reaches the caller: the event is
recorded as blocked and ``BannedOutputError`` is raised instead.
"""

from __future__ import annotations

from typing import Any

from .._safety import contained
from ..exceptions import BannedOutputError, ScaleSafeException
from ..model import Action, Direction, ErrorInfo, Finding, Status
from ._call import Call
from ._flow import Step, ascreen, output_step, screen


class StreamWatch:
    """Follows one stream: folds its items, screens text deltas, logs once at the end."""

    def __init__(self, call: Call) -> None:
        self.call = call
        self.folder = call.api.folder()
        self.done = False
        self.screener = None
        if call.settings.screen_outputs:
            with contained("scalesafe.openai.stream_screener"):
                from ..screening import StreamScreener

                self.screener = StreamScreener(call.gate.policy, direction="output")

    def item(self, item: Any) -> None:
        delta = ""
        with contained("scalesafe.openai.stream"):
            delta = self.folder.add(item)
        if delta and self.screener is not None and not self.done:
            blocking = [f for f in self.screener.feed(delta) if f.action is Action.BLOCK]
            if blocking:
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
        self.done = True
        event = self._fill()
        return [output_step(event)] if self.call.settings.screen_outputs else []

    def end(self) -> None:
        if not self.done:
            self._settle(lambda steps: screen(self.call.gate, self.call.event, steps))

    async def aend(self) -> None:
        if not self.done:
            steps = self.end_steps()
            try:
                await ascreen(self.call.gate, self.call.event, steps)
            except ScaleSafeException:
                self.call.recorded = True  # the gate recorded it
                raise
            self.call.record()

    def _settle(self, run: Any) -> None:
        steps = self.end_steps()
        try:
            run(steps)
        except ScaleSafeException:
            self.call.recorded = True
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
        try:
            item = next(self._iterator)
        except StopIteration:
            self._watch.end()
            raise
        except Exception as exc:
            self._watch.failed(exc)
            raise
        try:
            self._watch.item(item)
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
        try:
            item = await self._iterator.__anext__()
        except StopAsyncIteration:
            await self._watch.aend()
            raise
        except Exception as exc:
            self._watch.failed(exc)
            raise
        try:
            self._watch.item(item)
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
