"""The run map: LangChain ``run_id`` -> the event being built for that run.

Callbacks for one run arrive on different hooks (start, tokens, end/error),
possibly from different threads; plain dict operations are atomic under the GIL,
so no lock is needed on this hot path.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from ...model import Event

#: Set by ScaleSafeMiddleware around model/tool calls: the agent run's trace id, used as
#: trace and parent for runs whose parent this handler never saw start.
agent_trace: ContextVar[str | None] = ContextVar("scalesafe_agent_trace", default=None)


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

    def link(self, run_id: UUID, parent_run_id: UUID | None) -> tuple[str, str | None]:
        """``(trace_id, parent_id)``: the trace is the root run's id, inherited from the parent."""
        if parent_run_id is None:
            return str(run_id), None
        parent = self._open.get(parent_run_id)
        if parent is not None and parent.event.trace_id:
            return parent.event.trace_id, str(parent_run_id)
        hint = agent_trace.get()
        if hint is not None:
            return hint, hint
        return str(parent_run_id), str(parent_run_id)
