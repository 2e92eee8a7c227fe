"""The app factory: one data folder, one store, a backend per request's model system."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from .. import __version__
from . import _errors
from ._api_benchmarks import router as benchmarks_router
from ._api_events import router as events_router
from ._api_misc import health_router
from ._api_misc import router as misc_router
from ._api_reviews import router as reviews_router
from ._limits import Limits
from ._middleware import ServerMiddleware
from ._schemas import ErrorBody, EventBatch
from ._state import ServerState
from ._ui import router as ui_router

DESCRIPTION = (
    "The ScaleSafe API. Every `/v1` call needs `Authorization: Bearer <API key>`; a key "
    "sees only its own model system. Errors are JSON: "
    '`{"error": {"type", "message", "status"}}`; 429 carries `Retry-After`.'
)
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in ((401, "Unknown, revoked or missing key"),
                       (403, "Another model system's data"), (404, "Not found"),
                       (413, "Body too large"), (422, "Did not validate"),
                       (429, "Rate limited (see Retry-After)"))
}


def create_app(
    home: str | os.PathLike[str],
    admin_token: str | None = None,
    *,
    limits: Limits | None = None,
    rate_limit: float | None = None,
    burst: int | None = None,
    max_body_bytes: int | None = None,
) -> FastAPI:
    """Build the ASGI app serving the data folder ``home`` (created when missing)."""
    limits = _limits(limits, rate_limit, burst, max_body_bytes)
    state = ServerState(home=Path(home), admin_token=admin_token or None, limits=limits)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        state.close()

    app = FastAPI(title="ScaleSafe API", version=__version__, description=DESCRIPTION,
                  lifespan=lifespan, separate_input_output_schemas=False)
    app.state.scalesafe = state
    _errors.install(app)
    app.include_router(health_router)
    for router in (events_router, reviews_router, misc_router, benchmarks_router):
        app.include_router(router, responses=_ERRORS)
    app.include_router(ui_router, include_in_schema=False)
    app.add_middleware(ServerMiddleware, max_body_bytes=limits.max_body_bytes)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _limits(limits: Limits | None, rate: float | None, burst: int | None,
            max_body: int | None) -> Limits:
    base = limits or Limits()
    return Limits(
        max_body_bytes=max_body if max_body is not None else base.max_body_bytes,
        max_batch=base.max_batch,
        rate=rate if rate is not None else base.rate,
        burst=burst if burst is not None else base.burst,
    )


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema plus the raw-parsed ingest body and the bearer scheme."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description,
                         routes=app.routes, separate_input_output_schemas=False)
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    batch = EventBatch.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in batch.pop("$defs", {}).items():
        schemas.setdefault(name, definition)
    schemas["EventBatch"] = batch
    components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    for path, operations in schema.get("paths", {}).items():
        if path.startswith("/v1/"):
            for operation in operations.values():
                operation["security"] = [{"bearer": []}]
    app.openapi_schema = schema
    return schema
