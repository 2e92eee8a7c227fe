"""What every rule receives: the profile, the facts and the moment of judgement."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..model import CheckResult
from ._facts import ComplianceFacts
from ._profile import SystemProfile

Outcome = tuple[CheckResult, str]


@dataclass(frozen=True)
class RuleContext:
    profile: SystemProfile | None
    facts: ComplianceFacts
    today: dt.date
    now: dt.datetime

    def in_scope(self, jurisdiction: str) -> bool:
        return self.profile is not None and self.profile.in_jurisdiction(jurisdiction)


def passed(reason: str) -> Outcome:
    return CheckResult.PASS, reason


def failed(reason: str) -> Outcome:
    return CheckResult.FAIL, reason


def not_applicable(reason: str) -> Outcome:
    return CheckResult.NOT_APPLICABLE, reason


def action_needed(reason: str) -> Outcome:
    return CheckResult.ACTION_NEEDED, reason
