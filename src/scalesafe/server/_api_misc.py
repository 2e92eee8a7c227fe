"""Policy, compliance status, stop switch, audit log, health and identity."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, Query

from .. import __version__
from ..backends import AuditRecord, LocalBackend
from ..exceptions import ScaleSafeException
from ..model import ComplianceStatus, StopState
from ._auth import Principal, admin_only, backend, principal, server_state
from ._errors import ApiError, status_for
from ._schemas import AuditBody, AuditReport, Health, PolicyBody, StopBody, Whoami
from ._state import ServerState

log = logging.getLogger("scalesafe.server")
router = APIRouter(prefix="/v1", tags=["model system"])
health_router = APIRouter(tags=["health"])


@health_router.get("/healthz", response_model=Health, summary="Liveness (no key needed)")
def healthz() -> Health:
    return Health(ok=True, version=__version__)


@router.get("/whoami", response_model=Whoami, summary="The model system of this key")
def whoami(who: Principal = Depends(principal)) -> Whoami:
    return Whoami(model_system=who.model_system, admin=who.admin, key_prefix=who.key_prefix)


@router.get("/policy", response_model=PolicyBody, summary="The screening policy to use")
def get_policy(who: Principal = Depends(principal),
               state: ServerState = Depends(server_state)) -> PolicyBody:
    """``policy`` is null when clients should use their local (default) policy."""
    return PolicyBody(policy=state.get_policy(who.model_system))


@router.put("/policy", response_model=PolicyBody, summary="Set the policy (admin token)")
def put_policy(body: PolicyBody, who: Principal = Depends(admin_only),
               state: ServerState = Depends(server_state)) -> PolicyBody:
    """Admins pick the model system with ``?model=`` or the ``X-ScaleSafe-Model`` header."""
    state.set_policy(who.model_system, body.policy, who.label)
    return PolicyBody(policy=state.get_policy(who.model_system))


@router.get("/status", response_model=ComplianceStatus, summary="Compliance status")
def get_status(backend: LocalBackend = Depends(backend)) -> ComplianceStatus:
    """Checks of the model system's obligations; a broken profile answers 409, not 500."""
    try:
        return backend.status()
    except ScaleSafeException as exc:
        raise ApiError(status_for(exc), exc.message, type(exc).__name__) from None
    except ImportError:
        raise ApiError(503, "compliance checks are not available on this server",
                       "DatabaseOperationError") from None


@router.get("/stop", response_model=StopState, summary="The stop switch")
def get_stop(backend: LocalBackend = Depends(backend)) -> StopState:
    return backend.get_stop()


@router.put("/stop", response_model=StopState, summary="Engage or release the stop switch")
def put_stop(body: StopBody, who: Principal = Depends(principal),
             backend: LocalBackend = Depends(backend)) -> StopState:
    return backend.set_stop(body.stopped, body.reason, body.by or who.label)


@router.get("/audit", response_model=AuditReport, summary="Chain check and audit records")
def get_audit(type: str | None = Query(default=None, max_length=64),
              limit: int = Query(default=100, ge=0, le=1000),
              backend: LocalBackend = Depends(backend)) -> AuditReport:
    """``verify`` walks this model system's hash chain; ``records`` are non-event entries."""
    records = backend.list_audits(type, limit) if limit else []
    return AuditReport(verify=backend.verify(), records=records)


@router.post("/audit", response_model=AuditRecord, status_code=201, summary="Add an audit record")
def post_audit(body: AuditBody, backend: LocalBackend = Depends(backend)) -> AuditRecord:
    if body.type == "event":
        raise ApiError(422, "'event' is reserved for events", "DataValidationError")
    return backend.record_audit(body.type, body.body)
