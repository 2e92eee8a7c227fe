"""Reading what the handler stored, from the real embedded store."""

from __future__ import annotations

from typing import Any

from scalesafe.backends import EventQuery
from scalesafe.model import Event


def stored(client: Any) -> list[Event]:
    assert client.flush(10) == 0
    return client.backend.list_events(EventQuery(limit=1000, descending=False))


def by_name(events: list[Event], name: str) -> list[Event]:
    return [e for e in events if e.name == name]


def one(events: list[Event], name: str) -> Event:
    found = by_name(events, name)
    assert len(found) == 1, [e.name for e in events]
    return found[0]
