"""The Event: one monitored AI interaction, in one canonical form."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ._ids import new_id
from ._screening import Action, Finding

_FINISH_FIELDS = ("end_time", "latency_ms")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Source(StrEnum):
    GENERIC = "generic"
    OPENAI = "openai"
    LANGCHAIN = "langchain"
    LLAMA_INDEX = "llama_index"
    SERVER = "server"


class EventKind(StrEnum):
    LLM = "llm"
    CHAT = "chat"
    TOOL = "tool"
    RETRIEVER = "retriever"
    CHAIN = "chain"
    AGENT = "agent"
    EMBEDDING = "embedding"
    ASSISTANT_RUN = "assistant_run"
    QUERY = "query"
    SYNTHESIS = "synthesis"
    OTHER = "other"


class Status(StrEnum):
    OK = "ok"
    ERROR = "error"
    BLOCKED = "blocked"
    PENDING_REVIEW = "pending_review"


class ToolCall(BaseModel):
    id: str | None = None
    name: str
    arguments: Any = None


class Message(BaseModel):
    role: str
    content: str | None = None
    name: str | None = None
    tool_calls: list[ToolCall] = Field(default_factory=list)
    tool_call_id: str | None = None


class Usage(BaseModel):
    """Token counts (names follow OpenTelemetry's gen_ai.usage.* attributes)."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None

    def model_post_init(self, __context: Any) -> None:
        if self.total_tokens is None and self.input_tokens is not None:
            self.total_tokens = self.input_tokens + (self.output_tokens or 0)


class ErrorInfo(BaseModel):
    type: str
    message: str = ""


class Event(BaseModel):
    """One logged interaction. Nested runs form a tree via ``trace_id``/``run_id``/``parent_id``."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(default_factory=new_id)
    model_system: str = "default"
    source: Source = Source.GENERIC
    kind: EventKind = EventKind.LLM
    name: str | None = None
    trace_id: str | None = None
    run_id: str | None = None
    parent_id: str | None = None
    start_time: dt.datetime = Field(default_factory=utcnow)
    end_time: dt.datetime | None = None
    latency_ms: float | None = None
    model: str | None = None
    parameters: dict[str, Any] = Field(default_factory=dict)
    messages: list[Message] = Field(default_factory=list)
    input: Any = None
    output_text: str | None = None
    output: Any = None
    tool_calls: list[ToolCall] = Field(default_factory=list)
    finish_reason: str | None = None
    usage: Usage | None = None
    status: Status = Status.OK
    error: ErrorInfo | None = None
    tags: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    user_id: str | None = None
    session_id: str | None = None
    location: str | None = None
    request_id: str | None = None
    findings: list[Finding] = Field(default_factory=list)
    verdict: Action | None = None
    review_id: str | None = None
    truncated: list[str] = Field(default_factory=list)

    def finish(self, end: dt.datetime | None = None) -> Event:
        end = end or utcnow()
        latency = round((end - self.start_time).total_seconds() * 1000, 3)
        # Plain writes (assignment is not validated anyway): pydantic's __setattr__ would
        # cost more than the rest of this method, which runs for every recorded event.
        fields = self.__dict__
        fields["end_time"] = end
        fields["latency_ms"] = latency
        self.__pydantic_fields_set__.update(_FINISH_FIELDS)
        return self

    def to_json(self) -> str:
        """The stored and hashed form: fields in declaration order, no whitespace, None left out.

        Parsing it back and serialising again gives the same text, which is all the
        hash chain needs; it is several times faster than sorting keys in Python.
        """
        # The compiled serializer directly: model_dump_json's keyword handling costs ~15 %.
        return self.__pydantic_serializer__.to_json(self, exclude_none=True).decode()
