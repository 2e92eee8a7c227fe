"""Backends answer synchronous questions: locally (embedded store) or over HTTP."""

from ._base import AuditRecord, Backend, EventQuery, VerifyReport
from ._local import LocalBackend

__all__ = ["AuditRecord", "Backend", "EventQuery", "LocalBackend", "VerifyReport"]
