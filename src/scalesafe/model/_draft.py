"""An event under construction on a hot path: plain values now, the stored JSON later.

Validating an ``Event`` costs more than everything else a LangChain callback does,
and the event is only read once, when the recorder's worker serialises it. So hot
paths fill an ``EventDraft`` with values already in the shape ``Event`` dumps to
(nested models as dicts, in field order) and the worker turns it straight into the
canonical JSON that ``Event.to_json`` would give: the same text, byte for byte
(tested). Rare paths that need a real ``Event`` (screening findings, the stop
switch, approvals) call ``to_event()`` and, if they change it, ``absorb()`` it back.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from enum import Enum
from typing import Any

import pydantic_core

from ._event import Event, utcnow
from ._ids import new_id

log = logging.getLogger("scalesafe")


def _types(annotation: Any) -> tuple[Any, ...]:
    """The member types of ``X | None`` (or ``(X,)``)."""
    return getattr(annotation, "__args__", None) or (annotation,)


def timestamp(value: dt.datetime) -> str:
    """A datetime as pydantic writes it in JSON (``Z`` for UTC)."""
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


#: Every field's default in declaration order (which is the stored key order), enums as
#: their values; fields with a default factory are filled when the draft is serialised.
_TEMPLATE: dict[str, Any] = {
    name: None if field.default_factory is not None
    else field.default.value if isinstance(field.default, Enum) else field.default
    for name, field in Event.model_fields.items()
}
_EMPTY: dict[str, Any] = {
    name: field.default_factory()  # type: ignore[call-arg]
    for name, field in Event.model_fields.items()
    if field.default_factory is not None and name not in ("id", "start_time")
}
_ENUMS = tuple(name for name, field in Event.model_fields.items()
               if any(isinstance(t, type) and issubclass(t, Enum) for t in _types(field.annotation)))


class EventDraft:
    """Fields of one event as plain data; ``fields`` may be changed until it is recorded.

    ``defer`` moves a conversion off the hot path: it runs when the draft is
    serialised (by the worker) or turned into an ``Event``, whichever comes first.
    """

    __slots__ = ("_later", "fields")

    def __init__(self, fields: dict[str, Any]) -> None:
        if "start_time" not in fields:
            fields["start_time"] = utcnow()
        self.fields = fields
        self._later: list[tuple[Callable[..., None], tuple[Any, ...]]] | None = None

    def defer(self, fill: Callable[..., None], *args: Any) -> None:
        """Call ``fill(fields, *args)`` later; it must not raise (a failure is noted, not lost)."""
        if self._later is None:
            self._later = [(fill, args)]
        else:
            self._later.append((fill, args))

    def _resolve(self) -> None:
        later, self._later = self._later, None
        for fill, args in later or ():
            try:
                fill(self.fields, *args)
            except Exception as exc:  # keep the event; say what is missing from it
                log.warning("scalesafe: could not convert part of an event: %s", type(exc).__name__)
                self.fields.setdefault("truncated", []).append(
                    f"{getattr(fill, '__name__', 'field')}: not converted ({type(exc).__name__})")

    @classmethod
    def from_event(cls, event: Event) -> EventDraft:
        return cls(event.model_dump(exclude_none=True))

    @property
    def model_system(self) -> str:
        return self.fields.get("model_system") or _TEMPLATE["model_system"]

    @model_system.setter
    def model_system(self, value: str) -> None:
        self.fields["model_system"] = value

    @property
    def id(self) -> str:
        """The event id, assigned on first use (the worker assigns it otherwise)."""
        fields = self.fields
        if "id" not in fields:
            fields["id"] = new_id()
        return fields["id"]

    def finish(self) -> EventDraft:
        self.fields["end_time"] = utcnow()
        return self

    def to_event(self) -> Event:
        """A validated ``Event`` with the same id; changes to it are not seen until ``absorb``."""
        return Event.model_validate(self._complete())

    def absorb(self, event: Event) -> None:
        """Take over the fields of ``event`` (built by ``to_event`` and changed since)."""
        self.fields = event.model_dump(exclude_none=True)
        self._later = None

    def _complete(self) -> dict[str, Any]:
        """Every set field, in declaration order, as JSON-ready values (enums as values,
        datetimes as pydantic writes them), with the id and latency filled in."""
        if self._later is not None:
            self._resolve()
        fields = self.fields
        if "id" not in fields:
            fields["id"] = new_id()
        out = {**_TEMPLATE, **_EMPTY, **fields}
        start, end = out["start_time"], out["end_time"]
        if isinstance(start, dt.datetime):
            if isinstance(end, dt.datetime):
                if out["latency_ms"] is None:
                    out["latency_ms"] = round((end - start).total_seconds() * 1000, 3)
                out["end_time"] = timestamp(end)
            out["start_time"] = timestamp(start)
        for name in _ENUMS:
            value = out[name]
            if isinstance(value, Enum):
                out[name] = value.value
        return {k: v for k, v in out.items() if v is not None}

    def to_json(self) -> str:
        """The canonical stored form, exactly as ``Event.to_json`` would write it."""
        return pydantic_core.to_json(self._complete()).decode()
