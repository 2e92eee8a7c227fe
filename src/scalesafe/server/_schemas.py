"""Request and response bodies of the HTTP API (they make the OpenAPI schema)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..backends import AuditRecord, VerifyReport
from ..model import Decision, Event, Review


class EventBatch(BaseModel):
    """A batch of events; ingest is idempotent by event id."""

    events: list[Event]


class IngestResult(BaseModel):
    received: int
    new: int


class EventPage(BaseModel):
    events: list[Event]
    next_cursor: str | None = None


class Whoami(BaseModel):
    model_system: str
    admin: bool
    key_prefix: str | None = None


class PolicyBody(BaseModel):
    """The screening policy clients of this model system use (None: their local default)."""

    policy: dict[str, Any] | None = None


class ReviewCreate(BaseModel):
    """A request for a person's decision (the server stamps the model system)."""

    model_config = ConfigDict(extra="ignore")

    id: str | None = Field(default=None, min_length=1, max_length=64)
    event_id: str | None = Field(default=None, max_length=64)
    reason: str = Field(min_length=1, max_length=4_000)
    kind: str = Field(default="manual", max_length=64)
    subject: dict[str, Any] = Field(default_factory=dict)
    assignee: str | None = Field(default=None, max_length=256)
    deadline: dt.datetime | None = None


class ReviewList(BaseModel):
    reviews: list[Review]


class DecisionBody(BaseModel):
    decision: Decision
    reviewer: str = Field(min_length=1, max_length=256)
    comment: str | None = Field(default=None, max_length=10_000)
    edited_output: Any = None


class StopBody(BaseModel):
    stopped: bool
    reason: str | None = Field(default=None, max_length=2_000)
    by: str | None = Field(default=None, max_length=256)


class AuditBody(BaseModel):
    type: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    body: dict[str, Any] = Field(default_factory=dict)


class AuditReport(BaseModel):
    verify: VerifyReport
    records: list[AuditRecord]


class BenchmarkPage(BaseModel):
    items: list[dict[str, Any]]
    next_cursor: str | None = None


class AnswersBody(BaseModel):
    answers: list[dict[str, Any]] = Field(max_length=100_000)


class Health(BaseModel):
    ok: bool
    version: str


class ErrorDetail(BaseModel):
    type: str
    message: str
    status: int


class ErrorBody(BaseModel):
    error: ErrorDetail
