"""Compliance: system profile, obligation rules, NYC LL144 analysis and reports.

Everything here is pure except ``gather_facts``/``compute_status`` (which only ask a
Backend) and the file readers/writers named as such.
"""

from ._categories import RACE_ETHNICITY, SEX
from ._decisions import (
    data_period,
    decisions_from_events,
    parse_selected,
    read_decisions_csv,
    read_demographics_csv,
)
from ._evaluate import compute_status, evaluate, raise_for_status
from ._facts import (
    INCIDENT,
    INCIDENT_REPORTED,
    LL144_AUDIT,
    AuditFact,
    ComplianceFacts,
    IncidentFact,
    ReviewFact,
    gather_facts,
    latest_analysis,
)
from ._incidents import mark_incident_reported, record_incident
from ._ll144 import ll144_analysis
from ._obligations import OBLIGATIONS, Obligation
from ._profile import PROFILE_FILE, SystemProfile, as_profile, find_profile
from ._report import write_report

__all__ = [
    "INCIDENT",
    "INCIDENT_REPORTED",
    "LL144_AUDIT",
    "OBLIGATIONS",
    "PROFILE_FILE",
    "RACE_ETHNICITY",
    "SEX",
    "AuditFact",
    "ComplianceFacts",
    "IncidentFact",
    "Obligation",
    "ReviewFact",
    "SystemProfile",
    "as_profile",
    "compute_status",
    "data_period",
    "decisions_from_events",
    "evaluate",
    "find_profile",
    "gather_facts",
    "latest_analysis",
    "ll144_analysis",
    "mark_incident_reported",
    "parse_selected",
    "raise_for_status",
    "read_decisions_csv",
    "read_demographics_csv",
    "record_incident",
    "write_report",
]
