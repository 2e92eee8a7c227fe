"""Pydantic models for everything ScaleSafe stores or sends."""

from ._canonical import GENESIS, canonical_json, chain_hash, sha256_hex
from ._draft import EventDraft
from ._event import (
    ErrorInfo,
    Event,
    EventKind,
    Message,
    Source,
    Status,
    ToolCall,
    Usage,
    utcnow,
)
from ._ids import new_id
from ._review import Decision, Review, ReviewState, StopState
from ._safejson import Limits, to_jsonable
from ._screening import Action, Direction, Finding, Verdict
from ._status import Check, CheckResult, ComplianceStatus

__all__ = [
    "GENESIS",
    "Action",
    "Check",
    "CheckResult",
    "ComplianceStatus",
    "Decision",
    "Direction",
    "ErrorInfo",
    "Event",
    "EventDraft",
    "EventKind",
    "Finding",
    "Limits",
    "Message",
    "Review",
    "ReviewState",
    "Source",
    "Status",
    "StopState",
    "ToolCall",
    "Usage",
    "Verdict",
    "canonical_json",
    "chain_hash",
    "new_id",
    "sha256_hex",
    "to_jsonable",
    "utcnow",
]
