"""``@requires_approval``: a function (e.g. an agent tool) runs only after a person signs off.

Calling the function opens a review. Without ``wait`` it raises
HumanReviewNeededException at once; calling it again with the same arguments
finds the same review, so an app can simply retry once the review is decided.
An approval runs the function; an edit runs it with the edited keyword
arguments merged in; a rejection raises HumanStoppedTheLoopError.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import inspect
import threading
from collections.abc import Callable
from typing import Any, TypeVar, overload

from ._client import Client, get_client
from ._guard import await_decision, settle_review, wait_for_decision
from .model import Review, ReviewState, canonical_json, to_jsonable

F = TypeVar("F", bound=Callable[..., Any])

_known: dict[str, str] = {}
_known_lock = threading.Lock()


@overload
def requires_approval(func: F) -> F: ...


@overload
def requires_approval(
    *, reason: str | None = None, wait: float | None = None, client: Client | None = None,
    assignee: str | None = None,
) -> Callable[[F], F]: ...


def requires_approval(
    func: Any = None,
    *,
    reason: str | None = None,
    wait: float | None = None,
    client: Client | None = None,
    assignee: str | None = None,
) -> Any:
    """Decorate a sync or async function so each call needs a person's approval."""

    def decorate(fn: F) -> F:
        spec = _Spec(fn, reason, wait, client, assignee)
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                review = await asyncio.to_thread(spec.review_for, args, kwargs)
                if review.pending and spec.wait is not None:
                    review = await await_decision(spec.client.backend, review.id, spec.wait)
                kwargs = spec.kwargs_after(review, kwargs)
                settle_review(review)
                return await fn(*args, **kwargs)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            review = spec.review_for(args, kwargs)
            if review.pending and spec.wait is not None:
                review = wait_for_decision(spec.client.backend, review.id, spec.wait)
            kwargs = spec.kwargs_after(review, kwargs)
            settle_review(review)
            return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate(func) if callable(func) else decorate


class _Spec:
    def __init__(self, fn: Callable[..., Any], reason: str | None, wait: float | None,
                 client: Client | None, assignee: str | None) -> None:
        self.name = f"{fn.__module__}.{fn.__qualname__}"
        self.reason = reason or f"approve call to {fn.__qualname__}"
        self.wait = wait
        self._client = client
        self.assignee = assignee

    @property
    def client(self) -> Client:
        return self._client or get_client()

    def review_for(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Review:
        """The review for this exact call: reused while pending or decided-but-unused."""
        from ._guard import Gate

        Gate(self.client).check_stop()
        arguments, _ = to_jsonable({"args": list(args), "kwargs": kwargs})
        fingerprint = hashlib.sha256(canonical_json([self.name, arguments]).encode()).hexdigest()
        backend = self.client.backend
        with _known_lock:
            known = _known.get(fingerprint)
        if known is not None:
            return backend.get_review(known)
        review = backend.open_review(Review(
            reason=self.reason, kind="function_approval", assignee=self.assignee,
            subject={"function": self.name, "arguments": arguments, "fingerprint": fingerprint},
        ))
        with _known_lock:
            _known[fingerprint] = review.id
        return review

    @staticmethod
    def kwargs_after(review: Review, kwargs: dict[str, Any]) -> dict[str, Any]:
        """Consume a decision (the next call asks again) and apply an edit."""
        fingerprint = review.subject.get("fingerprint")
        with _known_lock:
            if not review.pending and fingerprint and _known.get(fingerprint) == review.id:
                del _known[fingerprint]
        if review.state is ReviewState.EDITED and isinstance(review.edited_output, dict):
            return {**kwargs, **review.edited_output}
        return kwargs
