"""Human approval of tool calls from a callback: open a review, then raise or wait."""

from __future__ import annotations

from typing import Any

from ..._guard import settle_review, wait_for_decision
from ...exceptions import HumanStoppedTheLoopError
from ...model import Event, Review, ReviewState, Status, new_id


def request_tool_approval(client: Any, event: Event, wait: float | None) -> Review:
    """Open a ``tool_approval`` review for the tool run in ``event``; return it once approved.

    The request is stored as its own event (status ``pending_review``) so a reviewer
    can read the arguments. Pending after ``wait`` raises HumanReviewNeededException;
    a rejection raises HumanStoppedTheLoopError.
    """
    request = event.model_copy(deep=True, update={"id": new_id(), "status": Status.PENDING_REVIEW})
    request.metadata["scalesafe.approval"] = "requested"
    review = client.backend.open_review(Review(
        event_id=request.id, kind="tool_approval",
        reason=f"tool '{event.name}' needs a person's approval",
        subject={"tool": event.name, "run_id": event.run_id, "trace_id": event.trace_id},
    ))
    request.review_id = event.review_id = review.id
    client.record(request)
    if wait is not None and review.pending:
        review = wait_for_decision(client.backend, review.id, wait)
    settle_review(review, event_id=request.id)
    if review.state is ReviewState.EDITED:
        raise HumanStoppedTheLoopError(
            f"review {review.id} edited the tool call; a callback cannot change tool arguments "
            "(use ScaleSafeMiddleware to apply edits)", review_id=review.id, event_id=request.id)
    return review
