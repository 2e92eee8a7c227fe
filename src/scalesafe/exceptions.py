"""Public error types.

Only these ever escape ScaleSafe into user code, and only on purpose. Every error
pickles (so it survives multiprocessing and task queues) and carries data, never
the sensitive text that caused it.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "APIRateLimitExceededError",
    "BannedLocationError",
    "BannedOutputError",
    "ConfigurationError",
    "DataValidationError",
    "DatabaseOperationError",
    "HumanReviewNeededException",
    "HumanStoppedTheLoopError",
    "OutOfComplianceError",
    "ResourceNotFoundError",
    "ScaleSafeException",
    "ScaleSafeTokenError",
    "UnauthorizedAccessError",
    "UnsafeInputError",
]


class ScaleSafeException(Exception):
    """Base class of every ScaleSafe error."""

    def __init__(self, message: str = "", **attrs: Any) -> None:
        super().__init__(message)
        self.message = message
        for name, value in attrs.items():
            setattr(self, name, value)
        self._attrs = attrs

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.message, self._attrs))

    def __str__(self) -> str:
        return self.message


def _rebuild(cls: type[ScaleSafeException], message: str, attrs: dict[str, Any]) -> Any:
    err = cls.__new__(cls)
    ScaleSafeException.__init__(err, message, **attrs)
    return err


class ScaleSafeTokenError(ScaleSafeException):
    """The API key is missing, malformed or not accepted. Never echoes the key."""


class OutOfComplianceError(ScaleSafeException):
    """The model system is not compliant; ``.checks`` lists the failing checks."""

    def __init__(self, message: str = "", *, checks: list[Any] | None = None, **attrs: Any):
        super().__init__(message, checks=list(checks or []), **attrs)


class _ScreeningError(OutOfComplianceError):
    """Raised by screening; ``.findings`` and ``.event_id`` say what and where, not the text."""

    def __init__(
        self,
        message: str = "",
        *,
        findings: list[Any] | None = None,
        event_id: str | None = None,
        **attrs: Any,
    ) -> None:
        super().__init__(message, findings=list(findings or []), event_id=event_id, **attrs)


class UnsafeInputError(_ScreeningError):
    """An input was blocked before it reached the model."""


class BannedOutputError(_ScreeningError):
    """A model output was blocked before it reached the user."""


class HumanStoppedTheLoopError(OutOfComplianceError):
    """A person rejected the action or engaged the stop switch."""

    def __init__(
        self,
        message: str = "",
        *,
        review_id: str | None = None,
        event_id: str | None = None,
        **attrs: Any,
    ) -> None:
        super().__init__(message, review_id=review_id, event_id=event_id, **attrs)


class BannedLocationError(OutOfComplianceError):
    """The system is used in a location where it may not be deployed."""


class ConfigurationError(OutOfComplianceError):
    """A setting, policy or profile is invalid. Raised at configuration time."""


class HumanReviewNeededException(ScaleSafeException):
    """A person must decide before this goes on; ``.review_id`` identifies the review."""

    def __init__(
        self,
        message: str = "",
        *,
        review_id: str | None = None,
        event_id: str | None = None,
        findings: list[Any] | None = None,
        **attrs: Any,
    ) -> None:
        super().__init__(
            message, review_id=review_id, event_id=event_id, findings=list(findings or []), **attrs
        )


class APIRateLimitExceededError(ScaleSafeException):
    """The server asked us to slow down; ``.retry_after`` is in seconds when known."""

    def __init__(self, message: str = "", *, retry_after: float | None = None, **attrs: Any):
        super().__init__(message, retry_after=retry_after, **attrs)


class DataValidationError(ScaleSafeException):
    """Data sent to ScaleSafe (or the server) did not validate."""


class DatabaseOperationError(ScaleSafeException):
    """The store could not complete a synchronous operation."""


class UnauthorizedAccessError(ScaleSafeException):
    """The key is unknown, revoked, or not allowed to see this model system's data."""


class ResourceNotFoundError(ScaleSafeException):
    """The requested event, review or benchmark does not exist."""
