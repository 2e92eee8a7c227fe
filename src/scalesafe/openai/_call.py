"""One wrapped SDK call: its event, screening before the request, and logging after."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from .._monitor import BaseMonitor
from .._safety import contained
from ..model import Direction, ErrorInfo, Event, Status, to_jsonable
from ._convert import new_event, safe_text
from ._flow import Step, ascreen, output_step, screen

log = logging.getLogger("scalesafe")

# Request options that are transport details or may carry credentials: never logged.
_PRIVATE = {"extra_headers", "extra_query", "extra_body", "timeout"}


@dataclass
class Settings:
    """What ``wrap`` was told: where to log and what to screen."""

    monitor: BaseMonitor
    screen_inputs: bool = True
    screen_outputs: bool = True


class Call:
    """The life of one ``create`` call. Sync and async shells drive the same steps."""

    def __init__(self, api: Any, settings: Settings, kwargs: dict[str, Any]) -> None:
        self.api = api
        self.settings = settings
        self.gate = settings.monitor.gate
        self.kwargs = dict(kwargs)
        self.streaming = bool(kwargs.get("stream"))
        self.event = new_event(api.kind, settings.monitor.location)
        self.recorded = False
        with contained("scalesafe.openai.call"):
            self.prompt = api.prompt(self.kwargs)
            self._describe()

    def _describe(self) -> None:
        event, kwargs = self.event, self.kwargs
        event.model = kwargs.get("model") if isinstance(kwargs.get("model"), str) else None
        event.messages = self.api.messages(self.prompt.root)
        params = {k: v for k, v in kwargs.items()
                  if k not in _PRIVATE and k not in self.api.prompt_keys and k != "model"}
        event.parameters, notes = to_jsonable(params, path="parameters")
        event.truncated.extend(notes)
        user = kwargs.get("user") or kwargs.get("safety_identifier")
        event.user_id = user if isinstance(user, str) else None

    # before the request -----------------------------------------------------------------------
    def input_steps(self) -> list[Step]:
        if not self.settings.screen_inputs or not hasattr(self, "prompt"):
            return []

        def apply(masked: list[str]) -> None:
            self.prompt.apply(masked)
            self.event.messages = self.api.messages(self.prompt.root)
            self.api.forward(self.kwargs, self.prompt.root)

        return [Step(Direction.INPUT, self.prompt.texts(), apply)]

    def before(self) -> dict[str, Any]:
        """Stop switch and input screening; returns the kwargs to send (maybe masked)."""
        self.gate.check_stop(self.event)
        screen(self.gate, self.event, self.input_steps())
        return self.kwargs

    async def abefore(self) -> dict[str, Any]:
        self.gate.check_stop(self.event)
        await ascreen(self.gate, self.event, self.input_steps())
        return self.kwargs

    # after the request ------------------------------------------------------------------------
    def failed(self, exc: BaseException) -> None:
        """Log the SDK's (or transport's) error; the caller re-raises it unchanged."""
        with contained("scalesafe.openai.failed"):
            event = self.event
            event.status = Status.ERROR
            event.error = ErrorInfo(type=type(exc).__name__, message=safe_text(str(exc)) or "")
            rid = getattr(exc, "request_id", None)
            event.request_id = rid if isinstance(rid, str) else event.request_id
            code = getattr(exc, "status_code", None)
            if isinstance(code, int):
                event.metadata["status_code"] = code
            self.record()

    def output_steps(self, result: Any) -> list[Step]:
        """Fill the event from ``result``; the screening step (if on) masks the result too."""
        with contained("scalesafe.openai.read"):
            self.api.fill(self.event, result)
        self.event.finish()
        if not self.settings.screen_outputs:
            return []
        text = self.event.output_text

        def mask_result(masked: list[str]) -> None:
            if text and masked and masked[0] != text:
                with contained("scalesafe.openai.mask"):
                    self.api.mask(result, masked[0])

        return [output_step(self.event, mask_result)]

    def after(self, result: Any) -> Any:
        screen(self.gate, self.event, self.output_steps(result))
        self.record()
        return result

    async def aafter(self, result: Any) -> Any:
        await ascreen(self.gate, self.event, self.output_steps(result))
        self.record()
        return result

    def record(self) -> None:
        if not self.recorded:
            self.recorded = True
            if self.event.end_time is None:
                self.event.finish()
            self.gate.client.record(self.event)

    def blocked(self, event: Event) -> None:
        """The gate recorded ``event`` when it blocked; don't record it twice."""
        self.recorded = True
