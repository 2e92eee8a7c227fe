"""Builders for profiles and facts used across the compliance tests (not a conftest)."""

from __future__ import annotations

import datetime as dt

from scalesafe.compliance import AuditFact, ComplianceFacts, SystemProfile

TODAY = dt.date(2026, 11, 26)  # a Thursday, after every effective date in the table

ALL_DIMS = ("sex", "race_ethnicity", "intersectional")


def nyc_profile(**overrides) -> SystemProfile:
    data = {
        "use_case": "employment_screening",
        "jurisdictions": ["NYC"],
        "candidate_notice_date": "2026-01-05",
        "in_use_since": "2026-02-02",
        "bias_audit_summary_url": "https://example.com/careers/aedt-audit",
    }
    data.update(overrides)
    return SystemProfile.load(data)


def audit(days_ago: int, lowest: float = 0.9, **overrides) -> AuditFact:
    fields = {
        "id": f"a{days_ago}",
        "audit_date": TODAY - dt.timedelta(days=days_ago),
        "dimensions": ALL_DIMS,
        "lowest_impact_ratio": lowest,
        "lowest_category": "Female",
    }
    fields.update(overrides)
    return AuditFact(**fields)


def healthy_facts(**overrides) -> ComplianceFacts:
    facts = ComplianceFacts(log_enabled=True, log_verifies=True, log_rows=10)
    for key, value in overrides.items():
        setattr(facts, key, value)
    return facts
