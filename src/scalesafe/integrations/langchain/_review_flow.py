"""Tool approval that pauses a LangGraph run: ScaleSafe reviews + ``interrupt()`` + resume.

Review ids derive from the thread and the tool call id, so when LangGraph re-runs
the node on resume the same reviews are found again instead of opened twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from ...exceptions import ConfigurationError, DataValidationError, HumanReviewNeededException
from ...model import Decision, Event, EventKind, Review, ReviewState, Source, Status, new_id
from . import _convert as cv

_NAMESPACE = uuid.UUID("6f1d2a4e-5b7c-4c1e-9a3f-2d8e7b6c5a41")
_DECISION_OF_STATE = {ReviewState.APPROVED: "approve", ReviewState.EDITED: "edit",
                      ReviewState.REJECTED: "reject"}


def require_checkpointer(config: Mapping[str, Any], why: str = "require_approval=...") -> None:
    configurable = config.get("configurable") or {}
    if configurable.get("__pregel_checkpointer") is None:
        raise ConfigurationError(
            f"ScaleSafeMiddleware pauses the agent for {why} with LangGraph's "
            "interrupt(), which needs a checkpointer: create_agent(..., checkpointer=InMemorySaver()) "
            "and pass config={'configurable': {'thread_id': ...}}")


def review_id_for(config: Mapping[str, Any], call: Mapping[str, Any]) -> str:
    thread = (config.get("configurable") or {}).get("thread_id", "")
    return str(uuid.uuid5(_NAMESPACE, f"{thread}:{call.get('id')}:{call.get('name')}"))


def open_reviews(client: Any, config: Mapping[str, Any], calls: list[dict[str, Any]],
                 trace: str | None) -> list[str]:
    """Find or open one ``tool_approval`` review per gated tool call; returns their ids."""
    ids = []
    for call in calls:
        review_id = review_id_for(config, call)
        try:
            client.backend.get_review(review_id)
        except Exception:
            _open(client, review_id, call, trace)
        ids.append(review_id)
    return ids


def _open(client: Any, review_id: str, call: Mapping[str, Any], trace: str | None) -> None:
    notes: list[str] = []
    event = Event(source=Source.LANGCHAIN, kind=EventKind.OTHER, name=f"approval:{call.get('name')}",
                  run_id=new_id(), trace_id=trace, parent_id=trace, status=Status.PENDING_REVIEW,
                  input=cv.jsonable(call.get("args"), "input", notes), truncated=notes,
                  review_id=review_id, metadata={"tool_call_id": call.get("id"), "tool": call.get("name"),
                                                 "scalesafe.approval": "requested"})
    client.backend.open_review(Review(
        id=review_id, event_id=event.id, kind="tool_approval",
        reason=f"tool '{call.get('name')}' needs a person's approval",
        subject={"tool": call.get("name"), "tool_call_id": call.get("id"), "trace_id": trace},
    ))
    client.record(event.finish())


def interrupt_payload(calls: list[dict[str, Any]], review_ids: list[str]) -> dict[str, Any]:
    """The interrupt value, shaped like HumanInTheLoopMiddleware's request plus review ids."""
    return {
        "action_requests": [{"name": c["name"], "args": c.get("args", {}),
                             "description": f"ScaleSafe review {r}"}
                            for c, r in zip(calls, review_ids, strict=True)],
        "review_configs": [{"action_name": c["name"], "allowed_decisions": ["approve", "edit", "reject"]}
                           for c in calls],
        "scalesafe_review_ids": review_ids,
    }


def record_decisions(client: Any, review_ids: list[str], answer: Any) -> list[dict[str, Any]]:
    """Check the resume value and store each decision on its ScaleSafe review (audit record)."""
    decisions = answer.get("decisions") if isinstance(answer, Mapping) else None
    if not isinstance(decisions, list) or len(decisions) != len(review_ids):
        raise DataValidationError(f"resume with {{'decisions': [...]}}: one per gated tool call "
                                  f"({len(review_ids)} expected)")
    for review_id, decision in zip(review_ids, decisions, strict=True):
        kind = decision.get("type") if isinstance(decision, Mapping) else None
        if kind not in ("approve", "edit", "reject"):
            raise DataValidationError(f"unknown decision {kind!r}: use approve, edit or reject")
        review = client.backend.get_review(review_id)
        if review.pending:
            edited = (decision.get("edited_action") or {}).get("args") if kind == "edit" else None
            reviewer = str(decision.get("reviewer") or "langgraph")
            client.backend.decide(review_id, Decision(kind), reviewer=reviewer,
                                  comment=decision.get("message"), edited_output=edited)
    return decisions


def decisions_from_queue(client: Any, review_ids: list[str]) -> list[dict[str, Any]]:
    """Decisions already taken in ScaleSafe's review queue, in ``Command(resume=...)`` form."""
    out = []
    for review_id in review_ids:
        review = client.backend.get_review(review_id)
        if review.pending:
            raise HumanReviewNeededException(f"review {review_id} is still pending", review_id=review_id)
        decision: dict[str, Any] = {"type": _DECISION_OF_STATE[review.state],
                                    "reviewer": review.reviewer}
        if review.state is ReviewState.EDITED:
            decision["edited_action"] = {"name": review.subject.get("tool"), "args": review.edited_output}
        if review.state is ReviewState.REJECTED:
            decision["message"] = review.comment or f"rejected by {review.reviewer or 'a reviewer'}"
        out.append(decision)
    return out


def apply_decisions(message: Any, calls: list[dict[str, Any]], decisions: list[dict[str, Any]]) -> list[Any]:
    """The AI message with approved/edited tool calls, plus a ToolMessage per rejected call."""
    from langchain_core.messages import ToolMessage

    verdict = {c["id"]: d for c, d in zip(calls, decisions, strict=True)}
    kept, answers = [], []
    for call in message.tool_calls:
        decision = verdict.get(call["id"])
        if decision is None or decision["type"] == "approve":
            kept.append(call)
        elif decision["type"] == "edit":
            args = (decision.get("edited_action") or {}).get("args")
            kept.append({**call, "args": args if isinstance(args, dict) else call["args"]})
        else:  # kept on the message, answered here, so the agent does not run it
            kept.append(call)
            answers.append(ToolMessage(content=decision.get("message") or "rejected by a reviewer",
                                       tool_call_id=call["id"], name=call["name"], status="error"))
    return [message.model_copy(update={"tool_calls": kept}), *answers]
