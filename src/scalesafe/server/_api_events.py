"""Event ingest (batch, idempotent by id) and reads with cursor pagination."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from starlette.responses import Response

from ..backends import EventQuery, LocalBackend
from ..model import Event
from ._auth import Principal, backend, principal, server_state
from ._errors import ApiError, describe_validation
from ._schemas import EventBatch, EventPage, IngestResult
from ._state import ServerState

router = APIRouter(prefix="/v1", tags=["events"])

_BATCH_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EventBatch"}}},
    }
}


@router.post("/events", response_model=IngestResult, openapi_extra=_BATCH_BODY,
             summary="Ingest a batch of events")
async def ingest_events(request: Request, who: Principal = Depends(principal),
                        state: ServerState = Depends(server_state)) -> Response:
    """Store a batch in one transaction. Events already stored (same id) are skipped."""
    raw = await request.body()
    result = await run_in_threadpool(_ingest, state, who.model_system, raw)
    return Response(result.model_dump_json(), media_type="application/json")


def _ingest(state: ServerState, model_system: str, raw: bytes) -> IngestResult:
    try:
        batch = EventBatch.model_validate_json(raw)
    except ValidationError as exc:
        details = describe_validation(exc.errors(include_input=False))
        raise ApiError(422, "invalid event batch", "DataValidationError",
                       extra={"details": details}) from None
    if len(batch.events) > state.limits.max_batch:
        raise ApiError(413, f"at most {state.limits.max_batch} events per batch")
    new = state.backend(model_system).write_events(batch.events)
    return IngestResult(received=len(batch.events), new=new)


@router.get("/events", response_model=EventPage, summary="List events, newest first")
def list_events(
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    kind: str | None = Query(default=None, max_length=64),
    source: str | None = Query(default=None, max_length=64),
    trace_id: str | None = Query(default=None, max_length=256),
    verdict: str | None = Query(default=None, max_length=64),
    status: str | None = Query(default=None, max_length=64),
    limit: int = Query(default=100, ge=1, le=1000),
    cursor: str | None = Query(default=None, max_length=18, pattern=r"^[0-9]+$"),
    descending: bool = True,
    backend: LocalBackend = Depends(backend),
) -> Response:
    """One page of this model system's events; pass ``next_cursor`` back as ``cursor``."""
    query = EventQuery(since=since, until=until, kind=kind, source=source, trace_id=trace_id,
                       verdict=verdict, status=status, limit=limit, cursor=cursor,
                       descending=descending)
    events, next_cursor = backend.page_events(query)
    page = EventPage(events=events, next_cursor=next_cursor)
    return Response(page.model_dump_json(), media_type="application/json")


@router.get("/events/{event_id}", response_model=Event, summary="One event")
def get_event(event_id: str, backend: LocalBackend = Depends(backend)) -> Event:
    return backend.get_event(event_id)
