"""Compliance status as returned by ``status()``."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, Field

from ._event import utcnow


class CheckResult(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    ACTION_NEEDED = "action_needed"


class Check(BaseModel):
    id: str
    title: str
    result: CheckResult
    reason: str = ""
    citation: str | None = None
    fix: str | None = None

    def __str__(self) -> str:
        return f"{self.id}: {self.result.value} - {self.reason}"


class ComplianceStatus(BaseModel):
    model_system: str = "default"
    checked_at: dt.datetime = Field(default_factory=utcnow)
    checks: list[Check] = Field(default_factory=list)
    stopped: bool = False
    pending_reviews: int = 0

    @property
    def compliant(self) -> bool:
        return all(c.result is not CheckResult.FAIL for c in self.checks) and not self.stopped

    @property
    def failing(self) -> list[Check]:
        return [c for c in self.checks if c.result is CheckResult.FAIL]
