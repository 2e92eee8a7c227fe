"""The remote backend: the same questions as LocalBackend, asked of a ScaleSafe server.

HTTP failures become ScaleSafe's public errors; the key never appears in a
message, a repr or a log line.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

import httpx

from .. import exceptions as errors
from .._settings import Settings
from ..model import ComplianceStatus, Decision, Event, Review, ReviewState, StopState
from ..transport._http import auth_headers, retry_after
from ._base import AuditRecord, Backend, EventQuery, VerifyReport

log = logging.getLogger("scalesafe")

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=3.0)
_WHOAMI_RETRY_SECONDS = 30.0
_BY_STATUS: dict[int, type[errors.ScaleSafeException]] = {
    401: errors.UnauthorizedAccessError,
    403: errors.UnauthorizedAccessError,
    404: errors.ResourceNotFoundError,
    409: errors.DataValidationError,
    413: errors.DataValidationError,
    422: errors.DataValidationError,
}
# error types the server may name that keep their own class on this side
_PASSTHROUGH = {name: getattr(errors, name) for name in (
    "ConfigurationError", "OutOfComplianceError", "HumanReviewNeededException",
    "HumanStoppedTheLoopError", "BannedLocationError",
)}


def error_for(response: httpx.Response) -> errors.ScaleSafeException:
    """The public error for a failed response (server message kept, key never included)."""
    status = response.status_code
    try:
        detail = response.json().get("error", {})
    except (ValueError, AttributeError):
        detail = {}
    if not isinstance(detail, dict):
        detail = {}
    message = str(detail.get("message") or f"ScaleSafe server answered HTTP {status}")
    if status == 429:
        return errors.APIRateLimitExceededError(message, retry_after=retry_after(response))
    named = _PASSTHROUGH.get(str(detail.get("type")))
    if named is not None:
        return named(message)
    cls = _BY_STATUS.get(status)
    if cls is None:
        cls = errors.DatabaseOperationError if status >= 500 else errors.DataValidationError
    return cls(message)


class RemoteBackend(Backend):
    """Talks to ``settings.base_url`` with the model system's key (thread-safe)."""

    def __init__(self, settings: Settings, *, transport: httpx.BaseTransport | None = None,
                 timeout: httpx.Timeout | float = DEFAULT_TIMEOUT) -> None:
        if settings.base_url is None or settings.api_key is None:
            raise errors.ConfigurationError("RemoteBackend needs a server URL and an API key")
        self.settings = settings
        self._http = httpx.Client(base_url=settings.base_url, headers=auth_headers(settings),
                                  timeout=timeout, transport=transport)
        self._model_system: str | None = None
        self._whoami_after = 0.0

    def __repr__(self) -> str:
        return f"RemoteBackend(base_url={self.settings.base_url!r})"

    # plumbing ---------------------------------------------------------------------------
    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise errors.DatabaseOperationError(
                f"ScaleSafe server unreachable at {self.settings.base_url} ({type(exc).__name__})"
            ) from None
        if response.status_code >= 400:
            raise error_for(response)
        try:
            return response.json() if response.content else None
        except ValueError:
            raise errors.DatabaseOperationError("ScaleSafe server sent a reply that is not JSON") from None

    @property
    def model_system(self) -> str:  # type: ignore[override]
        """Implied by the key: asked of the server once; the configured name until then.

        Never raises (the recorder reads it on the hot path); a failed look-up is retried
        at most every 30 seconds.
        """
        if self._model_system is None and time.monotonic() >= self._whoami_after:
            self._whoami_after = time.monotonic() + _WHOAMI_RETRY_SECONDS
            try:
                data = self._call("GET", "/v1/whoami", timeout=2.0)
                self._model_system = str(data["model_system"])
            except (errors.ScaleSafeException, KeyError, TypeError, ValueError):
                log.debug("scalesafe: could not ask the server for the key's model system")
        return self._model_system or self.settings.model

    # events -------------------------------------------------------------------------------
    def write_events(self, events: list[Event]) -> int:
        body = '{"events":[' + ",".join(e.to_json() for e in events) + "]}"
        result = self._call("POST", "/v1/events", content=body.encode("utf-8"),
                            headers={"Content-Type": "application/json"})
        return int(result["new"])

    def page_events(self, query: EventQuery | None = None) -> tuple[list[Event], str | None]:
        q = query or EventQuery()
        params = q.model_dump(mode="json", exclude_none=True)
        params["descending"] = "true" if q.descending else "false"
        params["limit"] = min(q.limit, 1000)
        data = self._call("GET", "/v1/events", params=params)
        return [Event.model_validate(e) for e in data["events"]], data.get("next_cursor")

    def iter_events(self, query: EventQuery | None = None) -> Iterator[Event]:
        """Every matching event, following the cursor page by page."""
        q = (query or EventQuery()).model_copy()
        while True:
            events, cursor = self.page_events(q)
            yield from events
            if cursor is None:
                return
            q = q.model_copy(update={"cursor": cursor})

    def get_event(self, event_id: str) -> Event:
        return Event.model_validate(self._call("GET", f"/v1/events/{_seg(event_id)}"))

    def verify(self) -> VerifyReport:
        data = self._call("GET", "/v1/audit", params={"limit": 0})
        return VerifyReport.model_validate(data["verify"])

    # audit records ---------------------------------------------------------------------------
    def record_audit(self, type: str, body: dict[str, Any]) -> AuditRecord:
        data = self._call("POST", "/v1/audit", json={"type": type, "body": body})
        return AuditRecord.model_validate(data)

    def list_audits(self, type: str | None = None, limit: int = 100) -> list[AuditRecord]:
        params: dict[str, Any] = {"limit": min(limit, 1000)}
        if type is not None:
            params["type"] = type
        data = self._call("GET", "/v1/audit", params=params)
        return [AuditRecord.model_validate(r) for r in data["records"]]

    def get_policy(self) -> dict[str, Any] | None:
        policy = self._call("GET", "/v1/policy").get("policy")
        return policy if isinstance(policy, dict) and policy else None

    # reviews ---------------------------------------------------------------------------------
    def open_review(self, review: Review) -> Review:
        body = review.model_dump(mode="json", exclude={"model_system", "state", "decided_at",
                                                       "reviewer", "comment", "edited_output"})
        return Review.model_validate(self._call("POST", "/v1/reviews", json=body))

    def list_reviews(self, state: ReviewState | None = None, limit: int = 100) -> list[Review]:
        params: dict[str, Any] = {"limit": min(limit, 1000)}
        if state is not None:
            params["state"] = ReviewState(state).value
        data = self._call("GET", "/v1/reviews", params=params)
        return [Review.model_validate(r) for r in data["reviews"]]

    def get_review(self, review_id: str) -> Review:
        return Review.model_validate(self._call("GET", f"/v1/reviews/{_seg(review_id)}"))

    def decide(self, review_id: str, decision: Decision, reviewer: str,
               comment: str | None = None, edited_output: Any = None) -> Review:
        body = {"decision": Decision(decision).value, "reviewer": reviewer, "comment": comment,
                "edited_output": edited_output}
        data = self._call("POST", f"/v1/reviews/{_seg(review_id)}/decision", json=body)
        return Review.model_validate(data)

    # stop switch -----------------------------------------------------------------------------
    def get_stop(self) -> StopState:
        return StopState.model_validate(self._call("GET", "/v1/stop"))

    def set_stop(self, stopped: bool, reason: str | None = None, by: str | None = None) -> StopState:
        body = {"stopped": stopped, "reason": reason, "by": by}
        return StopState.model_validate(self._call("PUT", "/v1/stop", json=body))

    # compliance and benchmarks ------------------------------------------------------------------
    def status(self) -> ComplianceStatus:
        return ComplianceStatus.model_validate(self._call("GET", "/v1/status"))

    def benchmark_items(self, name: str) -> Iterator[dict[str, Any]]:
        cursor: str | None = None
        while True:
            params = {"cursor": cursor} if cursor else {}
            data = self._call("GET", f"/v1/benchmarks/{_seg(name)}/items", params=params)
            yield from data["items"]
            cursor = data.get("next_cursor")
            if cursor is None:
                return

    def post_benchmark_answers(self, name: str, answers: list[dict[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", f"/v1/benchmarks/{_seg(name)}/answers",
                                            json={"answers": answers})
        return result

    def close(self) -> None:
        self._http.close()


def _seg(value: str) -> str:
    """One URL path segment, so an id can never change the path."""
    from urllib.parse import quote

    return quote(value, safe="")
