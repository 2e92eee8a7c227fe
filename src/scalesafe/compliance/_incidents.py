"""Record serious incidents and their reports in the append-only audit log (AI Act Art 73)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from ..exceptions import DataValidationError
from ._facts import INCIDENT, INCIDENT_REPORTED
from ._rules_eu import INCIDENT_DEADLINE_DAYS

if TYPE_CHECKING:
    from ..backends._base import AuditRecord, Backend


def record_incident(
    backend: Backend,
    severity: str,
    aware_on: dt.date,
    description: str = "",
    reported_on: dt.date | None = None,
) -> AuditRecord:
    """Log a serious incident; ``eu.art73.incidents`` then tracks its reporting deadline."""
    if severity not in INCIDENT_DEADLINE_DAYS:
        known = ", ".join(INCIDENT_DEADLINE_DAYS)
        raise DataValidationError(f"unknown incident severity {severity!r}; known: {known}")
    body: dict[str, Any] = {"severity": severity, "aware_on": aware_on.isoformat()}
    if description:
        body["description"] = description
    if reported_on:
        body["reported_on"] = reported_on.isoformat()
    return backend.record_audit(INCIDENT, body)


def mark_incident_reported(backend: Backend, incident_id: str, reported_on: dt.date) -> AuditRecord:
    """Note that the authority was told (a new record: the log is never edited)."""
    body = {"incident_id": incident_id, "reported_on": reported_on.isoformat()}
    return backend.record_audit(INCIDENT_REPORTED, body)
