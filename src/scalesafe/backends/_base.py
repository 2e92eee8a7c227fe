"""One interface for the synchronous questions, answered locally or over HTTP."""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, Field

from ..model import ComplianceStatus, Decision, Event, Review, ReviewState, StopState


class EventQuery(BaseModel):
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    kind: str | None = None
    source: str | None = None
    trace_id: str | None = None
    verdict: str | None = None
    status: str | None = None
    limit: int = Field(default=100, ge=1, le=10_000)
    cursor: str | None = None  # event id to continue after (ascending) / before (descending)
    descending: bool = True


class AuditRecord(BaseModel):
    """A non-event entry of the hash-chained log (review changes, stop switch, audits)."""

    id: str
    model_system: str
    type: str
    at: dt.datetime
    body: dict[str, Any]


class VerifyReport(BaseModel):
    ok: bool
    rows: int
    first_bad_seq: int | None = None
    first_bad_id: str | None = None
    problem: str | None = None


class Backend(abc.ABC):
    """Everything a monitor, the CLI or the server asks synchronously, for one model system."""

    model_system: str

    # events
    @abc.abstractmethod
    def write_events(self, events: list[Event]) -> int:
        """Store events (idempotent by id); returns how many were new."""

    def list_events(self, query: EventQuery | None = None) -> list[Event]:
        return self.page_events(query)[0]

    @abc.abstractmethod
    def page_events(self, query: EventQuery | None = None) -> tuple[list[Event], str | None]:
        """One page of events and the cursor of the next page (None at the end)."""

    @abc.abstractmethod
    def get_event(self, event_id: str) -> Event: ...

    @abc.abstractmethod
    def verify(self) -> VerifyReport: ...

    # audit records (hash-chained with events)
    @abc.abstractmethod
    def record_audit(self, type: str, body: dict[str, Any]) -> AuditRecord: ...

    @abc.abstractmethod
    def list_audits(self, type: str | None = None, limit: int = 100) -> list[AuditRecord]: ...

    # policy
    @abc.abstractmethod
    def get_policy(self) -> dict[str, Any] | None:
        """The policy the server imposes, as a dict, or None to use the local one."""

    # reviews
    @abc.abstractmethod
    def open_review(self, review: Review) -> Review: ...

    @abc.abstractmethod
    def list_reviews(self, state: ReviewState | None = None, limit: int = 100) -> list[Review]: ...

    @abc.abstractmethod
    def get_review(self, review_id: str) -> Review: ...

    @abc.abstractmethod
    def decide(
        self,
        review_id: str,
        decision: Decision,
        reviewer: str,
        comment: str | None = None,
        edited_output: Any = None,
    ) -> Review: ...

    # stop switch
    @abc.abstractmethod
    def get_stop(self) -> StopState: ...

    @abc.abstractmethod
    def set_stop(self, stopped: bool, reason: str | None = None, by: str | None = None) -> StopState: ...

    # compliance and benchmarks
    @abc.abstractmethod
    def status(self) -> ComplianceStatus: ...

    @abc.abstractmethod
    def benchmark_items(self, name: str) -> Iterable[dict[str, Any]]: ...

    @abc.abstractmethod
    def post_benchmark_answers(self, name: str, answers: list[dict[str, Any]]) -> dict[str, Any]: ...

    def close(self) -> None:  # noqa: B027 - optional hook
        pass
