"""The embedded backend: answers everything from the local store, in-process."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from ..exceptions import DatabaseOperationError, DataValidationError, ResourceNotFoundError
from ..model import (
    ComplianceStatus,
    Decision,
    Event,
    Review,
    ReviewState,
    StopState,
    new_id,
    utcnow,
)
from ..store import LocalStore, Row, canonical_record
from ._base import AuditRecord, Backend, EventQuery, VerifyReport

_DECIDED = {Decision.APPROVE: ReviewState.APPROVED, Decision.REJECT: ReviewState.REJECTED,
            Decision.EDIT: ReviewState.EDITED}


class LocalBackend(Backend):
    def __init__(self, store: LocalStore, model_system: str = "default", profile: Any = None):
        self.store = store
        self.model_system = model_system
        self.profile = profile

    # events ---------------------------------------------------------------------------
    def write_events(self, events: list[Event]) -> int:
        for event in events:
            event.model_system = self.model_system
        return self.store.append_events(events)

    def page_events(self, query: EventQuery | None = None) -> tuple[list[Event], str | None]:
        q = query or EventQuery()
        rows = self.store.query(
            self.model_system, since=q.since, until=q.until, kind=q.kind, source=q.source,
            trace_id=q.trace_id, verdict=q.verdict, status=q.status, limit=q.limit,
            after_seq=_cursor(q.cursor), descending=q.descending,
        )
        events = [Event.model_validate_json(body) for _, body in rows]
        next_cursor = str(rows[-1][0]) if len(rows) == q.limit else None
        return events, next_cursor

    def get_event(self, event_id: str) -> Event:
        found = self.store.get(event_id)
        if found is None or found[0] != self.model_system or found[1] != "event":
            raise ResourceNotFoundError(f"no event {event_id}")
        return Event.model_validate_json(found[2])

    def verify(self) -> VerifyReport:
        problems = self.store.verify(self.model_system)
        rows = self.store.count(self.model_system, type=None)
        if not problems:
            return VerifyReport(ok=True, rows=rows)
        p = problems[0]
        return VerifyReport(ok=False, rows=rows, first_bad_seq=p.seq, first_bad_id=p.id, problem=p.problem)

    # audit records ---------------------------------------------------------------------
    def record_audit(self, type: str, body: dict[str, Any]) -> AuditRecord:
        if type == "event":
            raise DataValidationError("'event' is reserved for events")
        record = AuditRecord(id=new_id(), model_system=self.model_system, type=type, at=utcnow(), body=body)
        self.store.append([_audit_row(record)])
        return record

    def list_audits(self, type: str | None = None, limit: int = 100) -> list[AuditRecord]:
        rows = self.store.query(self.model_system, type=type, limit=limit)
        out = []
        for _, body in rows:
            data = json.loads(body)
            if data.get("type") != "event" and "body" in data:
                out.append(AuditRecord.model_validate(data))
        return out

    def get_policy(self) -> dict[str, Any] | None:
        return None

    # reviews -----------------------------------------------------------------------------
    def open_review(self, review: Review) -> Review:
        review = review.model_copy(update={"model_system": self.model_system})
        body = review.model_dump_json()
        with self.store.transaction():
            self.store.put_review(review.id, self.model_system, review.state.value,
                                  review.created_at.isoformat(), body)
            self.store.append([_audit_row(self._review_record("review.opened", review))])
        return review

    def list_reviews(self, state: ReviewState | None = None, limit: int = 100) -> list[Review]:
        bodies = self.store.list_reviews(self.model_system, state.value if state else None, limit)
        return [Review.model_validate_json(b) for b in bodies]

    def get_review(self, review_id: str) -> Review:
        found = self.store.get_review(review_id)
        if found is None or found[0] != self.model_system:
            raise ResourceNotFoundError(f"no review {review_id}")
        return Review.model_validate_json(found[1])

    def decide(self, review_id: str, decision: Decision, reviewer: str,
               comment: str | None = None, edited_output: Any = None) -> Review:
        decision = Decision(decision)
        if decision is Decision.EDIT and edited_output is None:
            raise DataValidationError("an 'edit' decision needs edited_output")
        with self.store.transaction():
            review = self.get_review(review_id)
            if not review.pending:
                raise DataValidationError(f"review {review_id} is already {review.state.value}")
            decided = review.model_copy(update={
                "state": _DECIDED[decision], "decided_at": utcnow(), "reviewer": reviewer,
                "comment": comment, "edited_output": edited_output,
            })
            if not self.store.update_review_if(review_id, ReviewState.PENDING.value,
                                               decided.state.value, decided.model_dump_json()):
                raise DatabaseOperationError(f"review {review_id} changed concurrently")
            self.store.append([_audit_row(self._review_record("review.decided", decided))])
        return decided

    def _review_record(self, type: str, review: Review) -> AuditRecord:
        body = review.model_dump(mode="json", exclude={"subject"})
        return AuditRecord(id=new_id(), model_system=self.model_system, type=type, at=utcnow(), body=body)

    # stop switch -------------------------------------------------------------------------
    def get_stop(self) -> StopState:
        raw = self.store.get_flag(self.model_system, "stop")
        return StopState.model_validate_json(raw) if raw else StopState()

    def set_stop(self, stopped: bool, reason: str | None = None, by: str | None = None) -> StopState:
        state = StopState(stopped=stopped, reason=reason, by=by, at=utcnow())
        record = AuditRecord(id=new_id(), model_system=self.model_system,
                             type="stop.engaged" if stopped else "stop.released",
                             at=state.at or utcnow(), body=state.model_dump(mode="json"))
        with self.store.transaction():
            self.store.set_flag(self.model_system, "stop", state.model_dump_json())
            self.store.append([_audit_row(record)])
        return state

    # compliance and benchmarks ---------------------------------------------------------------
    def status(self) -> ComplianceStatus:
        from ..compliance import compute_status

        return compute_status(self, self.profile)

    def benchmark_items(self, name: str) -> Iterable[dict[str, Any]]:
        from ..benchmarking import dataset

        return dataset(name)

    def post_benchmark_answers(self, name: str, answers: list[dict[str, Any]]) -> dict[str, Any]:
        from ..benchmarking import analyze_benchmark, dataset

        analysis = analyze_benchmark(name, dataset(name), answers)
        self.record_audit("benchmark", {"benchmark": name, "answers": len(answers), "analysis": analysis})
        return analysis


def _audit_row(record: AuditRecord) -> Row:
    at = record.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    body = canonical_record(record.id, record.model_system, record.type, at, record.body)
    return Row(id=record.id, model_system=record.model_system, type=record.type, at=at, body=body)


def _cursor(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise DataValidationError("invalid cursor") from exc

