"""Who is calling: a bearer API key (one model system) or the admin token (any)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Depends, Request

from .._settings import _MODEL_PATTERN
from ..backends import LocalBackend
from ._errors import ApiError, rate_limited
from ._state import ServerState

MODEL_HEADER = "x-scalesafe-model"


@dataclass(frozen=True)
class Principal:
    model_system: str
    key_id: str | None  # None: the admin token
    key_prefix: str | None = None

    @property
    def admin(self) -> bool:
        return self.key_id is None

    @property
    def label(self) -> str:
        return "admin" if self.admin else f"key {self.key_prefix}"


def server_state(request: Request) -> ServerState:
    state: ServerState = request.app.state.scalesafe
    return state


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "missing bearer API key (Authorization: Bearer sk-...)",
                       headers={"WWW-Authenticate": "Bearer"})
    return token.strip()


def requested_model(request: Request) -> str | None:
    """A model system named by the caller (header or ``?model=``), if any."""
    value = request.headers.get(MODEL_HEADER) or request.query_params.get("model")
    if value is None:
        return None
    if not _MODEL_PATTERN.fullmatch(value):
        raise ApiError(422, "invalid model system name", "DataValidationError")
    return value


def principal(request: Request, state: ServerState = Depends(server_state)) -> Principal:
    """Authenticate, check the model system and the rate limit; 401/403/429 otherwise."""
    token = bearer_token(request)
    wanted = requested_model(request)
    if state.is_admin_token(token):
        who = Principal(model_system=wanted or "default", key_id=None)
    else:
        info = state.keys.authenticate(token)
        if info is None:
            raise ApiError(401, "unknown or revoked API key", "UnauthorizedAccessError",
                           headers={"WWW-Authenticate": "Bearer"})
        if wanted is not None and wanted != info.model_system:
            raise ApiError(403, "this key belongs to another model system",
                           "UnauthorizedAccessError")
        who = Principal(model_system=info.model_system, key_id=info.id, key_prefix=info.prefix)
    request.scope.setdefault("state", {})["model_system"] = who.model_system
    wait = state.limiter.acquire(who.key_id or "admin")
    if wait > 0:
        raise rate_limited(wait)
    return who


def admin_only(who: Principal = Depends(principal)) -> Principal:
    if not who.admin:
        raise ApiError(403, "this needs the server's admin token", "UnauthorizedAccessError")
    return who


def backend(who: Principal = Depends(principal),
            state: ServerState = Depends(server_state)) -> LocalBackend:
    return state.backend(who.model_system)
