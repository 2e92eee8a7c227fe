"""Sinks: where batches of events end up. Small classes, no threads of their own."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from ..model import Event
from ..store import LocalStore


@runtime_checkable
class Sink(Protocol):
    """``export`` either stores the whole batch durably or raises; the recorder retries."""

    def export(self, batch: Sequence[Event]) -> None: ...

    def flush(self, timeout: float) -> bool: ...

    def close(self) -> None: ...


class StoreSink:
    """Writes batches to the embedded store, one transaction per batch."""

    def __init__(self, store: LocalStore) -> None:
        self.store = store

    def export(self, batch: Sequence[Event]) -> None:
        self.store.append_events(batch)

    def flush(self, timeout: float) -> bool:
        return True

    def close(self) -> None:
        pass


class InMemorySink:
    """Keeps events in a list: for your own tests of code that uses ScaleSafe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: list[Event] = []

    def export(self, batch: Sequence[Event]) -> None:
        with self._lock:
            self._events.extend(batch)

    @property
    def events(self) -> list[Event]:
        with self._lock:
            return list(self._events)

    def clear(self) -> None:
        with self._lock:
            self._events.clear()

    def flush(self, timeout: float) -> bool:
        return True

    def close(self) -> None:
        pass
