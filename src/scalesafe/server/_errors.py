"""One JSON error shape for every failure, so clients map errors by status and type.

``{"error": {"type": "ResourceNotFoundError", "message": "...", "status": 404}}``;
validation errors list where the problem is but never echo the input (it may be
an event's content).
"""

from __future__ import annotations

import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from .. import exceptions as errors

log = logging.getLogger("scalesafe.server")

_STATUS_BY_ERROR: tuple[tuple[type[errors.ScaleSafeException], int], ...] = (
    (errors.ScaleSafeTokenError, 401),
    (errors.UnauthorizedAccessError, 403),
    (errors.ResourceNotFoundError, 404),
    (errors.APIRateLimitExceededError, 429),
    (errors.DataValidationError, 422),
    (errors.DatabaseOperationError, 503),
    (errors.OutOfComplianceError, 409),
    (errors.HumanReviewNeededException, 409),
)

_TYPE_BY_STATUS = {
    400: "DataValidationError", 401: "ScaleSafeTokenError", 403: "UnauthorizedAccessError",
    404: "ResourceNotFoundError", 405: "MethodNotAllowed", 409: "Conflict",
    413: "PayloadTooLarge", 415: "UnsupportedMediaType", 422: "DataValidationError",
    429: "APIRateLimitExceededError", 503: "DatabaseOperationError",
}


class ApiError(Exception):
    """Raised by routes for an HTTP error with our JSON shape."""

    def __init__(self, status: int, message: str, type: str | None = None,
                 headers: dict[str, str] | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.extra = extra or {}
        self.status = status
        self.message = message
        self.type = type or _TYPE_BY_STATUS.get(status, "Error")
        self.headers = headers or {}


def error_response(status: int, message: str, type: str | None = None,
                   headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body = {"type": type or _TYPE_BY_STATUS.get(status, "Error"), "message": message,
            "status": status, **extra}
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def status_for(exc: errors.ScaleSafeException) -> int:
    for cls, status in _STATUS_BY_ERROR:
        if isinstance(exc, cls):
            return status
    return 400


def rate_limited(retry_after: float) -> ApiError:
    seconds = max(1, math.ceil(retry_after))
    return ApiError(429, f"rate limit exceeded; retry after {seconds} s",
                    headers={"Retry-After": str(seconds)})


def install(app: FastAPI) -> None:
    """Register handlers that turn every error into the JSON shape (never a bare 500)."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(errors.ScaleSafeException, _scalesafe_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.message, exc.type, exc.headers, **exc.extra)


async def _scalesafe_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.ScaleSafeException)
    headers = None
    retry = getattr(exc, "retry_after", None)
    if isinstance(exc, errors.APIRateLimitExceededError) and retry:
        headers = {"Retry-After": str(max(1, math.ceil(retry)))}
    return error_response(status_for(exc), exc.message, type(exc).__name__, headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_response(422, "request did not validate", "DataValidationError",
                          details=describe_validation(exc.errors()))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) else "request failed"
    return error_response(exc.status_code, message, headers=getattr(exc, "headers", None))


def describe_validation(problems: Any) -> list[dict[str, Any]]:
    """Where and what, without the offending input values."""
    out = []
    for problem in list(problems)[:20]:
        loc = [str(p) for p in problem.get("loc", ())]
        out.append({"loc": loc, "msg": str(problem.get("msg", "invalid")), "type": problem.get("type")})
    return out
