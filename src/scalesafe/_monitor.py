"""What every monitor shares: a client, a gate, status, reviews and flush."""

from __future__ import annotations

import logging
from typing import Any

from ._client import Client, get_client
from ._guard import Gate, settle_review, wait_for_decision
from .model import ComplianceStatus, Review

log = logging.getLogger("scalesafe")


class BaseMonitor:
    """Base of the monitor classes. Pass ``client=`` or settings; default: the shared client."""

    def __init__(
        self,
        api_key: str | None = None,
        location: str | None = None,
        *,
        client: Client | None = None,
        policy: Any = None,
        review_wait: float | None = None,
        **client_options: Any,
    ) -> None:
        if client is None and (api_key is not None or client_options):
            client = Client(api_key=api_key, **client_options)
        self._client = client
        self.location = location
        self._policy = policy
        self._review_wait = review_wait
        self._gate: Gate | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(location={self.location!r})"

    @property
    def client(self) -> Client:
        return self._client if self._client is not None else get_client()

    @property
    def gate(self) -> Gate:
        client = self.client
        if self._gate is None or self._gate.client is not client:
            self._gate = Gate(client, self._policy, self._review_wait)
        return self._gate

    def status(self) -> ComplianceStatus:
        """Compliance status; raises OutOfComplianceError / HumanReviewNeededException."""
        from .compliance import raise_for_status

        return raise_for_status(self.client.backend.status())

    def request_review(
        self,
        reason: str,
        *,
        event_id: str | None = None,
        subject: dict[str, Any] | None = None,
        assignee: str | None = None,
        deadline: Any = None,
        wait: float | None = None,
    ) -> Review:
        """Ask a person to decide. Raises HumanReviewNeededException unless decided within ``wait``.

        Returns the approved (or edited) review; a rejection raises HumanStoppedTheLoopError.
        """
        backend = self.client.backend
        review = backend.open_review(
            Review(event_id=event_id, reason=reason, kind="manual", subject=subject or {},
                   assignee=assignee, deadline=deadline)
        )
        if wait is not None:
            review = wait_for_decision(backend, review.id, wait)
        return settle_review(review)

    def flush(self, timeout: float = 5.0) -> int:
        """Wait for logged events to be stored; returns how many are still pending."""
        return self.client.flush(timeout)
