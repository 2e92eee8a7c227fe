"""The screening gate shared by every monitor and integration.

It runs in the caller's thread: checks the stop switch, screens texts against
the policy, records a blocked attempt before raising, and settles ``review``
findings with a person (raise at once, or wait for the decision).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from ._safety import internal_errors
from .exceptions import (
    BannedOutputError,
    HumanReviewNeededException,
    HumanStoppedTheLoopError,
    UnsafeInputError,
)
from .model import (
    Action,
    Direction,
    ErrorInfo,
    Event,
    Review,
    ReviewState,
    Status,
    Verdict,
    new_id,
)

log = logging.getLogger("scalesafe")
Texts = Sequence[tuple[str | None, str]]
_MASKED = (Action.REDACT, Action.BLOCK)


class Gate:
    """Screening and human control for one client and policy."""

    def __init__(self, client: Any, policy: Any = None, review_wait: float | None = None) -> None:
        self.client = client
        self._policy = policy
        self.review_wait = review_wait if review_wait is not None else client.review_wait

    @property
    def policy(self) -> Any:
        return self._policy if self._policy is not None else self.client.policy

    # stop switch ------------------------------------------------------------------------
    def check_stop(self, event: Event | None = None) -> None:
        state = self.client.stop_state()
        if not state.stopped:
            return
        message = "stopped by a person: the stop switch is engaged"
        if state.reason:
            message += f" ({state.reason})"
        if event is not None:
            event.status = Status.BLOCKED
            event.error = ErrorInfo(type="HumanStoppedTheLoopError", message=message)
            self.client.record(event)
        raise HumanStoppedTheLoopError(message, event_id=event.id if event else None)

    # screening --------------------------------------------------------------------------
    def scan(self, texts: Texts, direction: Direction) -> tuple[Verdict, list[str]]:
        """Findings and the texts to store (block/redact spans masked). No side effects."""
        from .screening import redact, screen_texts

        try:
            verdict, _ = screen_texts(list(texts), direction.value, self.policy)
        except Exception:  # a screening bug must not take the app down: fail open, loudly
            internal_errors.add("screening")
            log.error("scalesafe: screening failed; the text was not screened", exc_info=True)
            return Verdict(), [t for _, t in texts]
        if not verdict.findings:
            return verdict, [t for _, t in texts]
        masked = []
        for location, text in texts:
            spans = [f for f in verdict.findings if f.location == location and f.action in _MASKED]
            masked.append(redact(text, spans, self.policy) if spans else text)
        return verdict, masked

    def screen(
        self,
        event: Event,
        direction: Direction,
        texts: Texts,
        apply: Callable[[list[str]], None],
        *,
        review_id: str | None = None,
    ) -> Verdict:
        """Screen ``texts``; on block record ``event`` and raise. ``apply`` stores masked texts.

        Returns the verdict; for ``review`` it returns only once a person approved
        (or edited: the edited output is in ``verdict.redacted``).
        """
        verdict = self._judge(event, direction, texts, apply)
        if verdict.action is Action.REVIEW:
            review = self._open_or_resume(event, direction, verdict, review_id)
            decided = self._wait(review)
            self._settle(event, decided, verdict, len(texts), apply)
        return verdict

    async def ascreen(
        self,
        event: Event,
        direction: Direction,
        texts: Texts,
        apply: Callable[[list[str]], None],
        *,
        review_id: str | None = None,
    ) -> Verdict:
        """Like ``screen`` but waits for a review without blocking the event loop."""
        verdict = self._judge(event, direction, texts, apply)
        if verdict.action is Action.REVIEW:
            review = await asyncio.to_thread(self._open_or_resume, event, direction, verdict, review_id)
            decided = await self._await(review)
            self._settle(event, decided, verdict, len(texts), apply)
        return verdict

    def _judge(self, event: Event, direction: Direction, texts: Texts,
               apply: Callable[[list[str]], None]) -> Verdict:
        """Scan, note findings on the event, store masked texts, and raise for a block."""
        verdict, masked = self.scan(texts, direction)
        if verdict.findings:
            self._note(event, verdict, masked, apply)
            if verdict.action is Action.BLOCK:
                self._block(event, direction, verdict)
        return verdict

    @staticmethod
    def _note(event: Event, verdict: Verdict, masked: list[str], apply: Callable[[list[str]], None]) -> None:
        event.findings.extend(verdict.findings)
        if event.verdict is None or verdict.action.rank > event.verdict.rank:
            event.verdict = verdict.action
        if any(f.action in _MASKED for f in verdict.findings):
            apply(masked)

    def _block(self, event: Event, direction: Direction, verdict: Verdict) -> None:
        from .screening import describe_findings

        blocking = [f for f in verdict.findings if f.action is Action.BLOCK]
        what = "input" if direction is Direction.INPUT else "output"
        message = f"{what} blocked: {describe_findings(blocking)}"
        event.status = Status.BLOCKED
        event.error = ErrorInfo(
            type="UnsafeInputError" if direction is Direction.INPUT else "BannedOutputError",
            message=message,
        )
        if event.end_time is None:
            event.finish()
        self.client.record(event)
        error = UnsafeInputError if direction is Direction.INPUT else BannedOutputError
        raise error(message, findings=blocking, event_id=event.id)

    # human review -------------------------------------------------------------------------
    def _open_or_resume(
        self, event: Event, direction: Direction, verdict: Verdict, review_id: str | None
    ) -> Review:
        backend = self.client.backend
        if review_id is not None:
            return backend.get_review(review_id)
        from .screening import describe_findings

        flagged = [f for f in verdict.findings if f.action is Action.REVIEW]
        review = backend.open_review(
            Review(
                event_id=event.id,
                kind="screening",
                reason=f"{direction.value} needs review: {describe_findings(flagged)}",
                subject={"findings": [f.model_dump(mode="json") for f in flagged]},
            )
        )
        event.review_id = review.id
        event.status = Status.PENDING_REVIEW
        self.client.record(event.model_copy(deep=True))
        return review

    def _wait(self, review: Review) -> Review:
        if self.review_wait is None or not review.pending:
            return review
        return wait_for_decision(self.client.backend, review.id, self.review_wait)

    async def _await(self, review: Review) -> Review:
        if self.review_wait is None or not review.pending:
            return review
        return await await_decision(self.client.backend, review.id, self.review_wait)

    @staticmethod
    def _settle(event: Event, review: Review, verdict: Verdict, n_texts: int,
                apply: Callable[[list[str]], None]) -> None:
        """Raise unless decided for; an edit replaces the screened text(s) where it can."""
        settle_review(review, event_id=event.id)
        if review.event_id == event.id:
            # The pending snapshot keeps this id (the review points at it); what happens
            # after the decision is a new record that points at the review.
            event.id = new_id()
        event.review_id = review.id
        event.status = Status.OK
        if review.state is ReviewState.EDITED:
            edited = review.edited_output
            verdict.redacted = edited
            if isinstance(edited, str):
                edited = [edited]
            texts_ok = isinstance(edited, list) and all(isinstance(t, str) for t in edited)
            if texts_ok and len(edited) == n_texts:
                apply(edited)  # wrapped calls send / return the edited text


def settle_review(review: Review, event_id: str | None = None) -> Review:
    """Raise for a pending or rejected review; return it when approved or edited."""
    if review.state is ReviewState.PENDING:
        raise HumanReviewNeededException(
            f"a person must review this first (review {review.id})",
            review_id=review.id,
            event_id=event_id or review.event_id,
        )
    if review.state is ReviewState.REJECTED:
        who = f" by {review.reviewer}" if review.reviewer else ""
        raise HumanStoppedTheLoopError(
            f"rejected{who} (review {review.id})", review_id=review.id, event_id=event_id or review.event_id
        )
    return review


def _delays() -> Any:
    delay = 0.05
    while True:
        yield delay
        delay = min(delay * 1.5, 1.0)


def wait_for_decision(backend: Any, review_id: str, timeout: float) -> Review:
    deadline = time.monotonic() + timeout
    for delay in _delays():
        review = backend.get_review(review_id)
        left = deadline - time.monotonic()
        if not review.pending or left <= 0:
            return review
        time.sleep(min(delay, left))
    raise AssertionError("unreachable")  # pragma: no cover


async def await_decision(backend: Any, review_id: str, timeout: float) -> Review:
    deadline = time.monotonic() + timeout
    for delay in _delays():
        review = await asyncio.to_thread(backend.get_review, review_id)
        left = deadline - time.monotonic()
        if not review.pending or left <= 0:
            return review
        await asyncio.sleep(min(delay, left))
    raise AssertionError("unreachable")  # pragma: no cover

