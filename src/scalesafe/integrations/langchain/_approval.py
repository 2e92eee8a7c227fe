"""Human approval of tool calls from a callback: open a review, then raise or wait.

One tool run is one record: the tool's own event (recorded once, when the run
ends, is refused or is left waiting) carries the review id, and the approval
request is a separate child event of that run, with its own id and run id, that
the review points at (a reviewer reads the arguments there).
"""

from __future__ import annotations

from typing import Any

from ..._guard import settle_review, wait_for_decision
from ...exceptions import HumanStoppedTheLoopError
from ...model import Event, EventKind, Review, ReviewState, Status, new_id


def approval_request(tool_run: Event) -> Event:
    """The pending request for ``tool_run``: a child event of that run."""
    meta = {"scalesafe.approval": "requested", "tool": tool_run.name}
    if "tool_call_id" in tool_run.metadata:
        meta["tool_call_id"] = tool_run.metadata["tool_call_id"]
    return Event(source=tool_run.source, kind=EventKind.OTHER, name=f"approval:{tool_run.name}",
                 run_id=new_id(), trace_id=tool_run.trace_id, parent_id=tool_run.run_id,
                 status=Status.PENDING_REVIEW, input=tool_run.input, metadata=meta,
                 location=tool_run.location, user_id=tool_run.user_id,
                 session_id=tool_run.session_id, tags=list(tool_run.tags))


def request_tool_approval(client: Any, tool_run: Event, wait: float | None) -> Review:
    """Open a ``tool_approval`` review for ``tool_run``; return it once approved.

    Pending after ``wait`` raises HumanReviewNeededException; a rejection raises
    HumanStoppedTheLoopError. ``tool_run.review_id`` is set either way.
    """
    request = approval_request(tool_run)
    review = client.backend.open_review(Review(
        event_id=request.id, kind="tool_approval",
        reason=f"tool '{tool_run.name}' needs a person's approval",
        subject={"tool": tool_run.name, "run_id": tool_run.run_id, "trace_id": tool_run.trace_id},
    ))
    request.review_id = tool_run.review_id = review.id
    client.record(request.finish())
    if wait is not None and review.pending:
        review = wait_for_decision(client.backend, review.id, wait)
    tool_run.metadata["scalesafe.approval"] = review.state.value
    settle_review(review, event_id=tool_run.id)
    if review.state is ReviewState.EDITED:
        raise HumanStoppedTheLoopError(
            f"review {review.id} edited the tool call; a callback cannot change tool arguments "
            "(use ScaleSafeMiddleware to apply edits)", review_id=review.id, event_id=tool_run.id)
    return review
