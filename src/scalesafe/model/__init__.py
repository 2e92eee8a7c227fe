"""Pydantic models for everything ScaleSafe stores or sends.

Names load on first use, so the writer process (which needs only ``_canonical``) never
imports pydantic.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "GENESIS": "_canonical", "canonical_json": "_canonical", "chain_hash": "_canonical",
    "sha256_hex": "_canonical",
    "EventDraft": "_draft",
    "ErrorInfo": "_event", "Event": "_event", "EventKind": "_event", "Message": "_event",
    "Source": "_event", "Status": "_event", "ToolCall": "_event", "Usage": "_event",
    "utcnow": "_event",
    "new_id": "_ids",
    "Decision": "_review", "Review": "_review", "ReviewState": "_review", "StopState": "_review",
    "Limits": "_safejson", "to_jsonable": "_safejson",
    "Action": "_screening", "Direction": "_screening", "Finding": "_screening", "Verdict": "_screening",
    "Check": "_status", "CheckResult": "_status", "ComplianceStatus": "_status",
}

if TYPE_CHECKING:
    from ._canonical import GENESIS, canonical_json, chain_hash, sha256_hex
    from ._draft import EventDraft
    from ._event import ErrorInfo, Event, EventKind, Message, Source, Status, ToolCall, Usage, utcnow
    from ._ids import new_id
    from ._review import Decision, Review, ReviewState, StopState
    from ._safejson import Limits, to_jsonable
    from ._screening import Action, Direction, Finding, Verdict
    from ._status import Check, CheckResult, ComplianceStatus


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


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
