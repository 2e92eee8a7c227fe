"""Findings and verdicts: what screening saw, never the text it saw."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Direction(StrEnum):
    INPUT = "input"
    OUTPUT = "output"


class Action(StrEnum):
    """What a policy does with a finding, in rising order of severity."""

    ALLOW = "allow"
    RECORD = "record"
    REDACT = "redact"
    REVIEW = "review"
    BLOCK = "block"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Action.ALLOW: 0, Action.RECORD: 1, Action.REDACT: 2, Action.REVIEW: 3, Action.BLOCK: 4}


class Finding(BaseModel):
    """One match. ``start``/``end`` index the screened text; ``location`` names which text."""

    model_config = ConfigDict(frozen=True)

    kind: str
    rule: str
    start: int
    end: int
    confidence: float = 1.0
    direction: Direction = Direction.INPUT
    action: Action = Action.RECORD
    location: str | None = None

    def describe(self) -> str:
        where = f" in {self.location}" if self.location else ""
        return f"{self.kind} (rule {self.rule}) at {self.start}\u2013{self.end}{where}"


class Verdict(BaseModel):
    """The outcome of screening one direction. ``redacted`` is set only for ``redact``."""

    action: Action = Action.ALLOW
    findings: list[Finding] = Field(default_factory=list)
    redacted: str | None = Field(default=None, exclude=True, repr=False)

    @property
    def blocked(self) -> bool:
        return self.action is Action.BLOCK

    @property
    def blocking_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.action is self.action]
