"""Reading what the handler stored, from the real embedded store."""

from __future__ import annotations

from typing import Any

from scalesafe.backends import EventQuery
from scalesafe.model import Event


def stored(client: Any) -> list[Event]:
    """The stored events, after checking each body is in the canonical form.

    The handler builds EventDrafts, serialised without an Event: their JSON must be
    exactly what ``Event.to_json`` writes for the same event.
    """
    assert client.flush(10) == 0
    backend = client.backend
    for _, body in backend.store.query(backend.model_system, limit=1000):
        assert Event.model_validate_json(body).to_json() == body
    return backend.list_events(EventQuery(limit=1000, descending=False))


def by_name(events: list[Event], name: str) -> list[Event]:
    return [e for e in events if e.name == name]


def one(events: list[Event], name: str) -> Event:
    found = by_name(events, name)
    assert len(found) == 1, [e.name for e in events]
    return found[0]
