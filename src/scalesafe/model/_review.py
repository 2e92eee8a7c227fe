"""Human reviews and the stop switch."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from ._event import utcnow
from ._ids import new_id


class ReviewState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EDITED = "edited"


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    EDIT = "edit"


class Review(BaseModel):
    """A request for a person's decision. It references the event; it never copies its text."""

    id: str = Field(default_factory=new_id)
    model_system: str = "default"
    event_id: str | None = None
    reason: str
    kind: str = "manual"  # manual | screening | tool_approval | function_approval
    subject: dict[str, Any] = Field(default_factory=dict)
    assignee: str | None = None
    deadline: dt.datetime | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)
    state: ReviewState = ReviewState.PENDING
    decided_at: dt.datetime | None = None
    reviewer: str | None = None
    comment: str | None = None
    edited_output: Any = None

    @property
    def pending(self) -> bool:
        return self.state is ReviewState.PENDING


class StopState(BaseModel):
    stopped: bool = False
    reason: str | None = None
    by: str | None = None
    at: dt.datetime | None = None
