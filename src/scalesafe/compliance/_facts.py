"""Facts the rules judge, gathered from a Backend in one place so the rules stay pure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..exceptions import ScaleSafeException
from ..model import ReviewState

if TYPE_CHECKING:
    from ..backends._base import AuditRecord, Backend

LL144_AUDIT = "ll144_audit"
BENCHMARK = "benchmark"  # LocalBackend.post_benchmark_answers: {"benchmark", "analysis", ...}
INCIDENT = "incident"
INCIDENT_REPORTED = "incident_reported"
_LIMIT = 1000


@dataclass(frozen=True)
class AuditFact:
    """One recorded LL144 bias audit, reduced to what the rules check."""

    id: str
    audit_date: dt.date
    source: str = "unspecified"
    dimensions: tuple[str, ...] = ()
    exclusions: tuple[str, ...] = ()
    unjustified_exclusions: tuple[str, ...] = ()
    lowest_impact_ratio: float | None = None
    lowest_category: str | None = None
    published_url: str | None = None
    published_date: dt.date | None = None


@dataclass(frozen=True)
class IncidentFact:
    """A serious incident (EU AI Act Art 3(49)); severity picks its Art 73 deadline."""

    id: str
    severity: str  # general | death | widespread_infringement | critical_infrastructure
    aware_on: dt.date
    reported_on: dt.date | None = None


@dataclass(frozen=True)
class ReviewFact:
    id: str
    deadline: dt.datetime | None = None


@dataclass
class ComplianceFacts:
    """Everything ``evaluate`` needs, with no I/O left to do."""

    log_enabled: bool = False
    log_verifies: bool | None = None
    log_problem: str | None = None
    log_rows: int = 0
    oldest_event_at: dt.datetime | None = None
    newest_event_at: dt.datetime | None = None
    pending_reviews: list[ReviewFact] = field(default_factory=list)
    stop_available: bool = True
    stopped: bool = False
    stop_reason: str | None = None
    audits: list[AuditFact] = field(default_factory=list)
    incidents: list[IncidentFact] = field(default_factory=list)

    @property
    def latest_audit(self) -> AuditFact | None:
        return max(self.audits, key=lambda a: a.audit_date, default=None)


def gather_facts(backend: Backend, today: dt.date | None = None) -> ComplianceFacts:
    """Ask the backend (verify, list_events, list_reviews, get_stop, list_audits)."""
    del today  # facts are as of now; kept for symmetry with evaluate()
    facts = ComplianceFacts()
    _gather_log(backend, facts)
    facts.pending_reviews = [
        ReviewFact(r.id, r.deadline)
        for r in backend.list_reviews(state=ReviewState.PENDING, limit=_LIMIT)
        if r.pending
    ]
    try:
        stop = backend.get_stop()
        facts.stopped, facts.stop_reason = stop.stopped, stop.reason
    except (NotImplementedError, ScaleSafeException):
        facts.stop_available = False
    facts.audits = [audit_fact(r) for r in backend.list_audits(type=LL144_AUDIT, limit=_LIMIT)]
    facts.audits += [
        audit_fact(r)
        for r in backend.list_audits(type=BENCHMARK, limit=_LIMIT)
        if isinstance(r.body.get("analysis"), dict)
    ]
    facts.incidents = incident_facts(
        backend.list_audits(type=INCIDENT, limit=_LIMIT),
        backend.list_audits(type=INCIDENT_REPORTED, limit=_LIMIT),
    )
    return facts


def _gather_log(backend: Backend, facts: ComplianceFacts) -> None:
    from ..backends._base import EventQuery

    try:
        report = backend.verify()
        facts.log_verifies, facts.log_rows = report.ok, report.rows
        facts.log_problem = report.problem
    except ScaleSafeException as exc:
        facts.log_verifies, facts.log_problem = False, str(exc)
    newest = backend.list_events(EventQuery(limit=1, descending=True))
    oldest = backend.list_events(EventQuery(limit=1, descending=False))
    facts.newest_event_at = newest[0].start_time if newest else None
    facts.oldest_event_at = oldest[0].start_time if oldest else None
    facts.log_enabled = bool(newest) or facts.log_rows > 0


def audit_fact(record: AuditRecord) -> AuditFact:
    """Reduce an ``ll144_audit`` record (or a ``benchmark`` one) to an AuditFact."""
    body = record.body.get("analysis") if record.type == BENCHMARK else record.body
    assert isinstance(body, dict)
    dims = body.get("dimensions") or {}
    covered = tuple(
        name
        for name, dim in dims.items()
        if any(c.get("impact_ratio") is not None for c in dim.get("categories", []))
    )
    exclusions = [e for e in body.get("exclusions") or [] if e.get("count")]
    lowest = body.get("lowest_impact_ratio") or {}
    return AuditFact(
        id=record.id,
        audit_date=_date(body.get("audit_date")) or record.at.date(),
        source=str(body.get("source") or "unspecified"),
        dimensions=covered,
        exclusions=tuple(f"{e['dimension']}:{e['category']}" for e in exclusions),
        unjustified_exclusions=tuple(
            f"{e['dimension']}:{e['category']}" for e in exclusions if not e.get("justification")
        ),
        lowest_impact_ratio=lowest.get("impact_ratio"),
        lowest_category=lowest.get("category"),
        published_url=body.get("published_url"),
        published_date=_date(body.get("published_date")),
    )


def incident_facts(incidents: list[AuditRecord], reports: list[AuditRecord]) -> list[IncidentFact]:
    """Incidents joined with later ``incident_reported`` records (the log is append-only)."""
    reported = {r.body.get("incident_id"): _date(r.body.get("reported_on")) for r in reports}
    out = []
    for rec in incidents:
        body = rec.body
        incident_id = str(body.get("incident_id") or rec.id)
        out.append(
            IncidentFact(
                id=incident_id,
                severity=str(body.get("severity") or "general"),
                aware_on=_date(body.get("aware_on")) or rec.at.date(),
                reported_on=_date(body.get("reported_on")) or reported.get(incident_id),
            )
        )
    return out


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def latest_analysis(backend: Backend) -> dict[str, Any] | None:
    """The body of the newest recorded LL144 audit (historical or benchmark), if any."""
    found: list[tuple[dt.date, dt.datetime, dict[str, Any]]] = []
    for record in backend.list_audits(type=LL144_AUDIT, limit=_LIMIT):
        found.append((audit_fact(record).audit_date, record.at, record.body))
    for record in backend.list_audits(type=BENCHMARK, limit=_LIMIT):
        body = record.body.get("analysis")
        if isinstance(body, dict):
            found.append((audit_fact(record).audit_date, record.at, body))
    return max(found, key=lambda f: (f[0], f[1]))[2] if found else None
