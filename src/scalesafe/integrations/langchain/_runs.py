"""The run map: LangChain ``run_id`` -> the event being built for that run.

Callbacks for one run arrive on different hooks (start, tokens, end/error),
possibly from different threads; plain dict operations are atomic under the GIL,
so no lock is needed on this hot path. Runs are keyed by the UUID's integer:
``UUID`` hashes and compares in Python code, several times per run.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from ...model import EventDraft

#: Set by ScaleSafeMiddleware around model/tool calls: the agent run's trace id, used as
#: trace and parent for runs whose parent this handler never saw start.
agent_trace: ContextVar[str | None] = ContextVar("scalesafe_agent_trace", default=None)


@dataclass(slots=True)
class Run:
    """One open run: its event draft, the raw inputs it started with and, while streaming
    with screening on, its stream screener."""

    draft: EventDraft
    raw_input: Any = None
    screener: Any = None
    streamed: list[str] | None = None  # created on the first streamed token


def _key(run_id: Any) -> Any:
    return run_id.int if type(run_id) is UUID else run_id


class Runs:
    """Open runs by id. Ended runs are removed, so the map only holds what is in flight.

    A *folded* run (a prompt template whose output is exactly the next model's input)
    gets no event of its own; it maps to its parent so any child still links correctly.
    """

    def __init__(self) -> None:
        self._open: dict[Any, Run] = {}
        self._folded: dict[Any, UUID] = {}  # run key -> its parent

    def __len__(self) -> int:
        return len(self._open) + len(self._folded)

    def open(self, run_id: UUID, draft: EventDraft, raw_input: Any = None) -> Run:
        run = Run(draft, raw_input)
        self._open[_key(run_id)] = run
        return run

    def fold(self, run_id: UUID, parent_run_id: UUID) -> None:
        self._folded[_key(run_id)] = parent_run_id

    def get(self, run_id: UUID) -> Run | None:
        return self._open.get(_key(run_id))

    def close(self, run_id: UUID) -> Run | None:
        key = _key(run_id)
        run = self._open.pop(key, None)
        if run is None:
            self._folded.pop(key, None)
        return run

    def link(self, run_id: UUID, parent_run_id: UUID | None) -> tuple[str, str | None]:
        """``(trace_id, parent_id)``: the trace is the root run's id, inherited from the parent."""
        if parent_run_id is None:
            return str(run_id), None
        parent_run_id = self._folded.get(_key(parent_run_id), parent_run_id)
        parent = self._open.get(_key(parent_run_id))
        if parent is not None:
            fields = parent.draft.fields
            if fields.get("trace_id"):
                return fields["trace_id"], fields.get("run_id") or str(parent_run_id)
        hint = agent_trace.get()
        if hint is not None:
            return hint, hint
        return str(parent_run_id), str(parent_run_id)
