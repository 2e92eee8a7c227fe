"""Building a small real index and reading back what ScaleSafe stored."""

from __future__ import annotations

from typing import Any

from llama_index.core import Document, VectorStoreIndex

from scalesafe.backends import EventQuery
from scalesafe.model import Event

DOCS = [
    "Cats sleep up to sixteen hours a day.",
    "Dogs were domesticated from wolves.",
    "Parrots can live for decades.",
]


def build_index() -> VectorStoreIndex:
    return VectorStoreIndex.from_documents([Document(text=t, id_=f"doc-{i}")
                                            for i, t in enumerate(DOCS)])


def stored(client: Any, **filters: Any) -> list[Event]:
    client.flush(5)
    return client.backend.list_events(EventQuery(limit=1000, descending=False, **filters))


def by_kind(events: list[Event], kind: str) -> list[Event]:
    return [e for e in events if e.kind == kind]


def one(events: list[Event], kind: str) -> Event:
    found = by_kind(events, kind)
    assert len(found) == 1, [(e.kind, e.name) for e in events]
    return found[0]


def children(events: list[Event], parent: Event) -> list[Event]:
    return [e for e in events if e.parent_id == parent.run_id]
