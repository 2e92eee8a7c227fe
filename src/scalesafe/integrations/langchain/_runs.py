"""The run map: LangChain ``run_id`` -> the event being built for that run.

Callbacks for one run arrive on different hooks (start, tokens, end/error),
possibly from different threads; plain dict operations are atomic under the GIL,
so no lock is needed on this hot path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from ...model import Event


@dataclass(slots=True)
class Run:
    """One open run: its event and, while streaming with screening on, its stream screener."""

    event: Event
    screener: Any = None
    streamed: list[str] = field(default_factory=list)


class Runs:
    """Open runs by id. Ended runs are removed, so the map only holds what is in flight."""

    def __init__(self) -> None:
        self._open: dict[UUID, Run] = {}

    def __len__(self) -> int:
        return len(self._open)

    def open(self, run_id: UUID, event: Event) -> Run:
        run = Run(event)
        self._open[run_id] = run
        return run

    def get(self, run_id: UUID) -> Run | None:
        return self._open.get(run_id)

    def close(self, run_id: UUID) -> Run | None:
        return self._open.pop(run_id, None)

    def trace_of(self, run_id: UUID, parent_run_id: UUID | None) -> str:
        """The trace is the root run's id: inherited from the parent when we saw it start."""
        if parent_run_id is None:
            return str(run_id)
        parent = self._open.get(parent_run_id)
        if parent is not None and parent.event.trace_id:
            return parent.event.trace_id
        return str(parent_run_id)
