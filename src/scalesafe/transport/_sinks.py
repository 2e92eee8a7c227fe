"""Sinks: where batches of recorded rows end up. Small classes, no threads of their own.

The recorder hands sinks ``Row``s (see ``scalesafe.store.Row``): each event already
serialised, once, to the canonical JSON that is stored, hashed and sent, so a sink
never serialises again.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from ..model import Event
from ..store import LocalStore, Row


@runtime_checkable
class Sink(Protocol):
    """``export`` either stores the whole batch durably or raises; the recorder retries.

    A sink class that sets ``inline = True`` (in its own body) promises that ``export`` does
    no I/O and never blocks: the recorder then calls it in the recording thread.
    """

    def export(self, batch: Sequence[Row]) -> None: ...

    def flush(self, timeout: float) -> bool: ...

    def close(self) -> None: ...


class StoreSink:
    """Writes batches to the embedded store, one transaction per batch."""

    def __init__(self, store: LocalStore) -> None:
        self.store = store

    def export(self, batch: Sequence[Row]) -> None:
        self.store.append(batch)

    def flush(self, timeout: float) -> bool:
        return True

    def close(self) -> None:
        pass


class InMemorySink:
    """Keeps what was recorded in memory: for your own tests of code that uses ScaleSafe.

    ``events`` gives the recorded events back as ``Event`` objects, parsed (once, on
    first access) from the stored form, so they are copies of what was stored, as a
    real store would return them. ``rows`` gives the raw rows.
    """

    inline = True  # no I/O, never blocks: the recorder exports in the recording thread (see Sink)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: list[Row] = []
        self._parsed: list[Event] = []  # events of the first len(_parsed) rows

    def export(self, batch: Sequence[Row]) -> None:
        with self._lock:
            self._rows.extend(batch)

    @property
    def rows(self) -> list[Row]:
        with self._lock:
            return list(self._rows)

    @property
    def events(self) -> list[Event]:
        with self._lock:
            if len(self._parsed) < len(self._rows):
                self._parsed.extend(Event.model_validate_json(row.body)
                                    for row in self._rows[len(self._parsed):])
            return list(self._parsed)

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()
            self._parsed.clear()

    def flush(self, timeout: float) -> bool:
        return True

    def close(self) -> None:
        pass
