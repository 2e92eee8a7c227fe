"""``ScaleSafeMiddleware``: screening, redaction, logging and pausing approvals for ``create_agent``.

Unlike the callback handler, middleware may change the agent state, so redaction
here rewrites what the model sees. Logging reuses ``ScaleSafeHandler``: the
middleware attaches it to each model and tool call (unless the caller already
passed one), and ties those runs to one agent trace.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Annotated, Any, NotRequired

from ...model import Direction, Event, EventKind, Source, new_id
from . import _convert as cv
from . import _review_flow as flow
from ._handler import ScaleSafeHandler
from ._runs import agent_trace
from ._screen_pause import screen_or_pause

try:
    from langchain.agents.middleware.types import AgentMiddleware, AgentState, PrivateStateAttr
    from langchain_core.callbacks import BaseCallbackManager
    from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
    from langgraph.config import get_config
    from langgraph.types import interrupt
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "ScaleSafeMiddleware needs langchain 1.x and langgraph: "
        "pip install 'scalesafe[langchain-agents]'") from exc

__all__ = ["ScaleSafeMiddleware", "aresume_from_review", "resume_from_review"]


class ScaleSafeState(AgentState[Any]):
    scalesafe_trace: NotRequired[Annotated[str, PrivateStateAttr]]


class ScaleSafeMiddleware(AgentMiddleware[ScaleSafeState, Any, Any]):
    """Screens what goes into and out of the model and tools; pauses for tool approvals.

    ``require_approval`` names tools that wait for a person: the run pauses with
    ``interrupt()`` (a checkpointer is required) and resumes with
    ``Command(resume={"decisions": [...]})`` or ``resume_from_review(agent, config)``.
    """

    state_schema = ScaleSafeState

    def __init__(self, *, screen_inputs: bool = True, screen_outputs: bool = True,
                 screen_tools: bool = True, require_approval: Iterable[str] = (),
                 policy: Any = None, client: Any = None, log: bool = True,
                 api_key: str | None = None, location: str | None = None,
                 **client_options: Any) -> None:
        super().__init__()
        self.handler = ScaleSafeHandler(api_key, location, screen_outputs=screen_outputs,
                                        client=client, policy=policy, **client_options)
        self.handler.review_in_graph = True  # after_model pauses for review findings in replies
        self.screen_inputs = screen_inputs
        self.screen_outputs = screen_outputs
        self.screen_tools = screen_tools
        self.require_approval = frozenset(require_approval)
        self.log = log

    # logging --------------------------------------------------------------------------------
    def _attach(self) -> bool:
        """Add the handler to this node's callbacks; False when the caller passed their own."""
        manager = get_config().get("callbacks")
        if isinstance(manager, BaseCallbackManager):
            if any(isinstance(h, ScaleSafeHandler) for h in manager.handlers):
                return False
            if self.log:
                manager.add_handler(self.handler, inherit=True)
        return self.log

    def before_agent(self, state: ScaleSafeState, runtime: Any) -> dict[str, Any] | None:
        trace = new_id()
        manager = get_config().get("callbacks")
        if self.log and not (isinstance(manager, BaseCallbackManager) and any(
                isinstance(h, ScaleSafeHandler) for h in manager.handlers)):
            self._record_agent(trace, state)
        return {"scalesafe_trace": trace}

    async def abefore_agent(self, state: ScaleSafeState, runtime: Any) -> dict[str, Any] | None:
        return self.before_agent(state, runtime)

    def _record_agent(self, trace: str, state: ScaleSafeState) -> None:
        messages = state.get("messages") or []
        event = Event(source=Source.LANGCHAIN, kind=EventKind.AGENT, name="agent", run_id=trace,
                      trace_id=trace, messages=[cv.message_of(m) for m in messages[-1:]])
        self.handler.client.record(event.finish())

    def _event(self, state: Any, name: str, kind: EventKind = EventKind.CHAT) -> Event:
        trace = parent = _trace_of(state)
        manager = get_config().get("callbacks")
        users = [h for h in getattr(manager, "handlers", ()) if isinstance(h, ScaleSafeHandler)
                 and h is not self.handler]
        if users and manager.parent_run_id is not None:  # the caller's handler owns the tree
            trace, parent = users[0].runs.link(uuid.uuid4(), manager.parent_run_id)
        return Event(source=Source.LANGCHAIN, kind=kind, name=name, trace_id=trace, parent_id=parent)

    # before the model: new human messages -------------------------------------------------------
    def before_model(self, state: ScaleSafeState, runtime: Any) -> dict[str, Any] | None:
        if not self.screen_inputs:
            return None
        messages = state["messages"]
        start = max((i + 1 for i, m in enumerate(messages) if isinstance(m, AIMessage)), default=0)
        fresh = [m for m in messages[start:] if isinstance(m, HumanMessage)]
        parts = [(i, j, text) for i, m in enumerate(fresh) for j, text in _text_parts(m.content)]
        if not parts:
            return None
        event = self._event(state, "scalesafe.input_screening")
        event.messages = [cv.message_of(m) for m in fresh]
        masked: list[str] = []
        screen_or_pause(self.handler.gate, event, Direction.INPUT,
                        [(_where(i, j), text) for i, j, text in parts], masked.extend)
        if not masked:
            return None
        changed = []
        for i, message in enumerate(fresh):
            edits = {j: new for (k, j, old), new in zip(parts, masked, strict=True) if k == i and new != old}
            if edits:
                changed.append(message.model_copy(update={"content": _with_parts(message.content, edits)}))
        return {"messages": changed} if changed else None

    async def abefore_model(self, state: ScaleSafeState, runtime: Any) -> dict[str, Any] | None:
        return self.before_model(state, runtime)

    # after the model: reply and tool-call arguments, then approvals -------------------------------
    def after_model(self, state: ScaleSafeState, runtime: Any) -> dict[str, Any] | None:
        message = state["messages"][-1]
        if not isinstance(message, AIMessage):
            return None
        updated = self._screen_reply(state, message) if self.screen_outputs else None
        current = updated or message
        gated = [c for c in current.tool_calls if c["name"] in self.require_approval]
        if not gated:
            return {"messages": [updated]} if updated is not None else None
        config = get_config()
        flow.require_checkpointer(config)
        ids = flow.open_reviews(self.handler.client, config, gated, state.get("scalesafe_trace"))
        answer = interrupt(flow.interrupt_payload(gated, ids))
        decisions = flow.record_decisions(self.handler.client, ids, answer)
        return {"messages": flow.apply_decisions(current, gated, decisions)}

    async def aafter_model(self, state: ScaleSafeState, runtime: Any) -> dict[str, Any] | None:
        return self.after_model(state, runtime)

    def _screen_reply(self, state: Any, message: AIMessage) -> AIMessage | None:
        content_parts = _text_parts(message.content)
        text = "\n".join(t for _, t in content_parts)
        texts = [("output", text)] + [(f"tool_calls[{i}]", json.dumps(c["args"], ensure_ascii=False))
                                      for i, c in enumerate(message.tool_calls)]
        event = self._event(state, "scalesafe.output_screening")
        event.output_text = text
        masked: list[str] = []
        screen_or_pause(self.handler.gate, event, Direction.OUTPUT, texts, masked.extend)
        if not masked:
            return None
        calls = [{**c, "args": _args(m, c["args"])}
                 for c, m in zip(message.tool_calls, masked[1:], strict=True)]
        return message.model_copy(update={"content": _masked_reply(message.content, content_parts, masked[0]),
                                          "tool_calls": calls})

    # model and tool calls: attach logging, screen tool results ------------------------------------
    def wrap_model_call(self, request: Any, handler: Callable[[Any], Any]) -> Any:
        self._attach()
        token = agent_trace.set(request.state.get("scalesafe_trace"))
        try:
            return handler(request)
        finally:
            agent_trace.reset(token)

    async def awrap_model_call(self, request: Any, handler: Callable[[Any], Awaitable[Any]]) -> Any:
        self._attach()
        token = agent_trace.set(request.state.get("scalesafe_trace"))
        try:
            return await handler(request)
        finally:
            agent_trace.reset(token)

    def wrap_tool_call(self, request: Any, handler: Callable[[Any], Any]) -> Any:
        event = self._tool_event(request)
        result = self._screen_result(request.state, handler(request))
        self._finish_tool(event, result)
        return result

    async def awrap_tool_call(self, request: Any, handler: Callable[[Any], Awaitable[Any]]) -> Any:
        event = self._tool_event(request)
        result = self._screen_result(request.state, await handler(request))
        self._finish_tool(event, result)
        return result

    def _tool_event(self, request: Any) -> Event | None:
        """ToolNode runs tools outside this node's callbacks, so the middleware logs them itself."""
        if not self._attach():
            return None
        call = request.tool_call
        event = self._event(request.state, call.get("name"), EventKind.TOOL)
        event.run_id = new_id()
        event.input = cv.jsonable(call.get("args"), "input", event.truncated)
        event.metadata["tool_call_id"] = call.get("id")
        return event

    def _finish_tool(self, event: Event | None, result: Any) -> None:
        if event is None:
            return
        if isinstance(result, ToolMessage):
            content = result.content
            event.output_text = cv.text_of(content) if isinstance(content, str | list) else None
            if result.status == "error":
                from ...model import ErrorInfo, Status

                event.status = Status.ERROR
                event.error = ErrorInfo(type="ToolError", message=event.output_text or "")
        self.handler.client.record(event.finish())

    def _screen_result(self, state: Any, result: Any) -> Any:
        parts = _text_parts(result.content) if isinstance(result, ToolMessage) else []
        if not (self.screen_tools and parts):
            return result
        event = self._event(state, f"scalesafe.tool_result_screening:{result.name}", EventKind.TOOL)
        event.output_text = "\n".join(text for _, text in parts)
        masked: list[str] = []
        where = ["tool_result" if j is None else f"tool_result[{j}]" for j, _ in parts]
        screen_or_pause(self.handler.gate, event, Direction.INPUT,
                        [(w, text) for w, (_, text) in zip(where, parts, strict=True)], masked.extend)
        if not masked:
            return result
        edits = {j: new for (j, old), new in zip(parts, masked, strict=True) if new != old}
        return result.model_copy(update={"content": _with_parts(result.content, edits)}) if edits else result


def _trace_of(state: Any) -> str | None:
    return state.get("scalesafe_trace") if isinstance(state, dict) else None


def _args(masked: str, original: Any) -> Any:
    try:
        value = json.loads(masked)
    except ValueError:
        return {"redacted": masked}
    return value if isinstance(value, dict) else original


def _gated_review_ids(agent: Any, config: Any) -> list[str]:
    state = agent.get_state(config)
    for item in getattr(state, "interrupts", ()) or ():
        value = getattr(item, "value", None)
        if isinstance(value, dict) and value.get("scalesafe_review_ids"):
            return list(value["scalesafe_review_ids"])
    return []


def _resume_command(agent: Any, config: Any, client: Any) -> Any:
    from langgraph.types import Command

    from ..._client import get_client

    ids = _gated_review_ids(agent, config)
    if not ids:
        from ...exceptions import ResourceNotFoundError

        raise ResourceNotFoundError("this thread is not paused on a ScaleSafe review")
    return Command(resume={"decisions": flow.decisions_from_queue(client or get_client(), ids)})


def resume_from_review(agent: Any, config: Any, *, client: Any = None) -> Any:
    """Resume a thread paused by ScaleSafeMiddleware with the decisions taken in ScaleSafe's queue.

    Raises HumanReviewNeededException while any of its reviews is still pending.
    """
    return agent.invoke(_resume_command(agent, config, client), config)


async def aresume_from_review(agent: Any, config: Any, *, client: Any = None) -> Any:
    """Async ``resume_from_review``."""
    return await agent.ainvoke(_resume_command(agent, config, client), config)


def _text_parts(content: Any) -> list[tuple[int | None, str]]:
    """The text in message content: the string itself, or each text part of a list
    (``{"type": "text", "text": ...}`` or a bare string); images and other parts are skipped."""
    if isinstance(content, str):
        return [(None, content)] if content else []
    out: list[tuple[int | None, str]] = []
    if isinstance(content, list):
        for j, part in enumerate(content):
            if isinstance(part, str):
                out.append((j, part))
            elif isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str):
                out.append((j, part["text"]))
    return out


def _where(i: int, j: int | None) -> str:
    return f"messages[{i}]" if j is None else f"messages[{i}].content[{j}]"


def _with_parts(content: Any, edits: dict[int | None, str]) -> Any:
    """``content`` with the given text parts replaced (``None`` keys the whole string)."""
    if None in edits:
        return edits[None]
    parts = list(content)
    for j, text in edits.items():
        assert j is not None
        part = parts[j]
        parts[j] = text if isinstance(part, str) else {**part, "text": text}
    return parts


def _masked_reply(content: Any, parts: list[tuple[int | None, str]], masked: str) -> Any:
    """Put the screened reply text back: whole for a string, else split back over its text parts."""
    if not parts or "\n".join(t for _, t in parts) == masked:
        return content
    if len(parts) == 1:
        return _with_parts(content, {parts[0][0]: masked})
    # several text parts were joined for screening: keep the masked text in the first part
    return _with_parts(content, {parts[0][0]: masked, **{j: "" for j, _ in parts[1:]}})
