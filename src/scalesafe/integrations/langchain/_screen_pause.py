"""Middleware screening where a policy ``review`` finding pauses the graph instead of raising.

Like a tool approval: open a ScaleSafe review (id derived from the thread and the
screened texts, so the node re-running on resume finds it again), then
``interrupt()``. Resume with ``Command(resume={"decisions": [...]})`` or
``resume_from_review`` once the review is decided: approve lets the text through,
edit replaces it, reject raises ``HumanStoppedTheLoopError``.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from ...exceptions import DataValidationError, HumanStoppedTheLoopError, ResourceNotFoundError
from ...model import Action, Direction, ErrorInfo, Event, Review, Status
from . import _review_flow as flow

ACTION_NAME = "scalesafe_screening"
_NAMESPACE = uuid.UUID("0b7e4f61-2c8d-4a5e-b1f3-9d6c2e8a7f40")
Texts = list[tuple[str, str]]


def screen_or_pause(gate: Any, event: Event, direction: Direction, texts: Texts,
                    apply: Callable[[list[str]], None]) -> None:
    """Screen ``texts``: block raises, redact calls ``apply``, review pauses the graph.

    ``event`` is recorded whenever there are findings.
    """
    verdict, _ = gate.scan(texts, direction)
    if not verdict.findings:
        return
    if verdict.action is Action.REVIEW:
        _pause(gate, event, direction, texts, verdict, apply)
        return
    gate.screen(event, direction, texts, apply)  # records and raises on block
    gate.client.record(event.finish())


def _pause(gate: Any, event: Event, direction: Direction, texts: Texts, verdict: Any,
           apply: Callable[[list[str]], None]) -> None:
    from langgraph.config import get_config
    from langgraph.types import interrupt

    config = get_config()
    flow.require_checkpointer(config, "a policy 'review' finding")
    client = gate.client
    review_id = _review_id(config, direction, texts)
    event.findings.extend(verdict.findings)
    event.verdict, event.review_id = Action.REVIEW, review_id
    reason = f"{direction.value} needs review: {_kinds(verdict)}"
    _open_once(client, review_id, event, direction, verdict, reason)
    answer = interrupt(_payload(direction, texts, reason, review_id))
    decision = flow.record_decisions(client, [review_id], answer)[0]
    if decision["type"] == "reject":
        _reject(client, event, review_id, decision)
    if decision["type"] == "edit":
        apply(_edited(decision, len(texts)))
    client.record(event.finish())


def _review_id(config: Mapping[str, Any], direction: Direction, texts: Texts) -> str:
    thread = (config.get("configurable") or {}).get("thread_id", "")
    digest = hashlib.sha256("\x00".join(t for _, t in texts).encode("utf-8", "replace")).hexdigest()
    return str(uuid.uuid5(_NAMESPACE, f"{thread}:{direction.value}:{digest}"))


def _kinds(verdict: Any) -> str:
    return ", ".join(sorted({f.kind for f in verdict.findings if f.action is Action.REVIEW}))


def _open_once(client: Any, review_id: str, event: Event, direction: Direction, verdict: Any,
               reason: str) -> None:
    """Open the review and store the pending attempt, unless this is the re-run on resume."""
    try:
        client.backend.get_review(review_id)
        return
    except ResourceNotFoundError:
        pass
    flagged = [f.model_dump(mode="json") for f in verdict.findings if f.action is Action.REVIEW]
    client.backend.open_review(Review(id=review_id, event_id=event.id, kind="screening", reason=reason,
                                      subject={"direction": direction.value, "findings": flagged}))
    pending = event.model_copy(deep=True, update={"status": Status.PENDING_REVIEW})
    client.record(pending.finish())


def _payload(direction: Direction, texts: Texts, reason: str, review_id: str) -> dict[str, Any]:
    """Shaped like HumanInTheLoopMiddleware's request, plus the ScaleSafe review id."""
    return {
        "action_requests": [{"name": ACTION_NAME, "description": f"{reason} (ScaleSafe review {review_id})",
                             "args": {"direction": direction.value, "texts": [t for _, t in texts]}}],
        "review_configs": [{"action_name": ACTION_NAME, "allowed_decisions": ["approve", "edit", "reject"]}],
        "scalesafe_review_ids": [review_id],
    }


def _edited(decision: Mapping[str, Any], count: int) -> list[str]:
    """The replacement texts: ``{"texts": [...]}`` (one per screened text) or one string."""
    args = (decision.get("edited_action") or {}).get("args")
    texts = args.get("texts") if isinstance(args, Mapping) else [args] if isinstance(args, str) else None
    if not isinstance(texts, list) or len(texts) != count or not all(isinstance(t, str) for t in texts):
        raise DataValidationError(f"an edit of screened text needs edited_action.args = "
                                  f"{{'texts': [...]}} with {count} string(s)")
    return texts


def _reject(client: Any, event: Event, review_id: str, decision: Mapping[str, Any]) -> None:
    message = decision.get("message") or f"rejected (review {review_id})"
    event.status = Status.BLOCKED
    event.error = ErrorInfo(type="HumanStoppedTheLoopError", message=str(message))
    client.record(event.finish())
    raise HumanStoppedTheLoopError(str(message), review_id=review_id, event_id=event.id)
