"""``ScaleSafeHandler``: LangChain callbacks -> ScaleSafe events, screening and approvals.

One handler serves sync and async runs. It is a *sync* ``BaseCallbackHandler``
with ``run_inline = True``: LangChain calls it directly for ``ainvoke``/``astream``
too, in the event loop's thread, so its errors propagate (LangChain swallows the
errors of async handlers driven from sync code, whatever ``raise_error`` says).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import wraps
from typing import Any, TypeVar
from uuid import UUID

from ..._monitor import BaseMonitor
from ..._safety import contained
from ...exceptions import ScaleSafeException
from ...model import (
    Action,
    Direction,
    ErrorInfo,
    Event,
    EventKind,
    Source,
    Status,
    ToolCall,
)
from . import _convert as cv
from ._approval import request_tool_approval
from ._prompt_screen import screen_prompt
from ._quiet import quiet_deliberate_errors
from ._runs import Run, Runs

try:
    from langchain_core.callbacks import BaseCallbackHandler
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "ScaleSafeHandler needs langchain-core: pip install 'scalesafe[langchain]'"
    ) from exc

__all__ = ["ScaleSafeHandler"]

F = TypeVar("F", bound=Callable[..., Any])
_QUIETED: set[type] = set()  # handler classes LangChain's warning filter already knows
_STATUS_BY_ERROR = {
    "UnsafeInputError": Status.BLOCKED, "BannedOutputError": Status.BLOCKED,
    "HumanStoppedTheLoopError": Status.BLOCKED, "BannedLocationError": Status.BLOCKED,
    "HumanReviewNeededException": Status.PENDING_REVIEW, "GraphInterrupt": Status.PENDING_REVIEW,
}


def _hook(func: F) -> F:
    """Run a callback so that only ScaleSafe's deliberate errors reach LangChain.

    The happy path costs one ``try``; failures go through ``contained`` to be
    logged and counted.
    """
    place = f"langchain.{func.__name__}"

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ScaleSafeException:
            raise
        except Exception as exc:
            with contained(place):
                raise exc
        return None

    return wrapper  # type: ignore[return-value]


class ScaleSafeHandler(BaseMonitor, BaseCallbackHandler):
    """Logs every LangChain run as an event tree; optionally screens and asks for approval.

    ``screen_inputs``/``screen_outputs`` raise ``UnsafeInputError``/``BannedOutputError``
    before the model runs / as soon as a banned span is produced. ``require_approval``
    names tools a person must approve; ``approval_wait`` (seconds) waits for the
    decision instead of raising ``HumanReviewNeededException``. Redaction here
    masks what is *stored*: a callback cannot rewrite the prompt the model sees
    (``ScaleSafeMiddleware`` can).
    """

    raise_error = True
    run_inline = True
    source = Source.LANGCHAIN
    #: Set by ScaleSafeMiddleware, whose after_model pauses the graph for ``review`` findings.
    review_in_graph = False

    def __init__(
        self,
        api_key: str | None = None,
        location: str | None = None,
        *,
        screen_inputs: bool = False,
        screen_outputs: bool = False,
        require_approval: Iterable[str] = (),
        approval_wait: float | None = None,
        client: Any = None,
        policy: Any = None,
        tags: Sequence[str] = (),
        user_id: str | None = None,
        session_id: str | None = None,
        **client_options: Any,
    ) -> None:
        super().__init__(api_key, location, client=client, policy=policy,
                         review_wait=approval_wait, **client_options)
        cls = type(self)
        if cls not in _QUIETED:
            quiet_deliberate_errors(cls)
            _QUIETED.add(cls)
        self.screen_inputs = screen_inputs
        self.screen_outputs = screen_outputs
        self.require_approval = frozenset(require_approval)
        self.approval_wait = approval_wait
        self.extra_tags = list(tags)
        self.user_id = user_id
        self.session_id = session_id
        self.runs = Runs()
        # Fields every event gets; only the ones that are set, so pydantic validates less.
        self._common: dict[str, Any] = {"source": Source.LANGCHAIN, **{
            k: v for k, v in (("location", self.location), ("user_id", user_id),
                              ("session_id", session_id)) if v is not None}}

    # building ---------------------------------------------------------------------------
    def _new(self, kind: EventKind, run_id: UUID, parent_run_id: UUID | None, name: str | None,
             tags: list[str] | None, metadata: dict[str, Any] | None, **fields: Any) -> Event:
        """A new event for a run, linked into its tree. Hot path: pass only what is set."""
        trace_id, parent_id = self.runs.link(run_id, parent_run_id)
        run = trace_id if parent_id is None else str(run_id)  # a root's trace id is its run id
        notes: list[str] = fields.get("truncated") or []
        if metadata:
            meta = cv.jsonable(metadata, "metadata", notes)
            fields["metadata"] = meta if isinstance(meta, dict) else {"value": meta}
        if tags or self.extra_tags:
            fields["tags"] = [*tags, *self.extra_tags] if tags else list(self.extra_tags)
        if notes:
            fields["truncated"] = notes
        return Event(kind=kind, name=name, run_id=run, trace_id=trace_id,
                     parent_id=parent_id, **self._common, **fields)

    def _begin(self, run_id: UUID, event: Event, raw_input: Any = None) -> Run:
        self.gate.check_stop(event)
        return self.runs.open(run_id, event, raw_input)

    def _end(self, run_id: UUID, fill: Callable[[Event], None] | None = None) -> Event | None:
        run = self.runs.close(run_id)
        if run is None:
            return None
        event = run.event
        if fill is not None:
            fill(event)
        event.finish()
        self.client.record(event)
        return event

    def _fail(self, run_id: UUID, error: BaseException) -> None:
        def fill(event: Event) -> None:
            kind = type(error).__name__
            event.status = _STATUS_BY_ERROR.get(kind, Status.ERROR)
            event.error = ErrorInfo(type=kind, message=_message(error))
            review_id = getattr(error, "review_id", None)
            if isinstance(review_id, str):
                event.review_id = review_id

        self._end(run_id, fill)

    # chains and agents --------------------------------------------------------------------
    @_hook
    def on_chain_start(self, serialized: Any, inputs: Any, *, run_id: UUID,
                       parent_run_id: UUID | None = None, tags: list[str] | None = None,
                       metadata: dict[str, Any] | None = None, **kwargs: Any) -> None:
        name = cv.run_name(serialized, kwargs.get("name"))
        if kwargs.get("run_type") == "prompt" and self._fold_prompt(run_id, parent_run_id, inputs, name):
            return
        notes: list[str] = []
        event = self._new(EventKind.CHAIN, run_id, parent_run_id, name, tags, metadata,
                          input=cv.jsonable(inputs, "input", notes), truncated=notes)
        self._begin(run_id, event, inputs)

    def _fold_prompt(self, run_id: UUID, parent_run_id: UUID | None, inputs: Any,
                     name: str | None) -> bool:
        """Log no event for a prompt template that formats its parent's own inputs.

        Its input is on the parent's event and its output is the next model's input,
        so an event of its own would repeat both; its name goes on the parent instead.
        """
        parent = self.runs.get(parent_run_id) if parent_run_id is not None else None
        if parent is None or parent.raw_input is not inputs:
            return False
        parent.event.metadata.setdefault("scalesafe.prompt_templates", []).append(name)
        self.runs.fold(run_id, parent_run_id)  # type: ignore[arg-type]
        return True

    @_hook
    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._end(run_id, lambda e: setattr(e, "output", cv.jsonable(outputs, "output", e.truncated)))

    @_hook
    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._fail(run_id, error)

    @_hook
    def on_agent_action(self, action: Any, *, run_id: UUID, **kwargs: Any) -> None:
        run = self.runs.get(run_id)
        if run is not None and isinstance(getattr(action, "tool", None), str):
            args = cv.jsonable(getattr(action, "tool_input", None), "tool_input", run.event.truncated)
            run.event.kind = EventKind.AGENT
            run.event.tool_calls.append(ToolCall(
                id=getattr(action, "tool_call_id", None), name=action.tool, arguments=args))

    @_hook
    def on_agent_finish(self, finish: Any, *, run_id: UUID, **kwargs: Any) -> None:
        run = self.runs.get(run_id)
        if run is not None:
            run.event.kind = EventKind.AGENT
            values = getattr(finish, "return_values", None)
            if isinstance(values, Mapping) and isinstance(values.get("output"), str):
                run.event.output_text = values["output"]

    # models ---------------------------------------------------------------------------------
    @_hook
    def on_chat_model_start(self, serialized: Any, messages: Any, *, run_id: UUID,
                            parent_run_id: UUID | None = None, tags: list[str] | None = None,
                            metadata: dict[str, Any] | None = None, **kwargs: Any) -> None:
        event = self._model_event(EventKind.CHAT, serialized, run_id, parent_run_id, tags,
                                  metadata, kwargs, cv.messages_of(messages))
        self._start_model(run_id, event)

    @_hook
    def on_llm_start(self, serialized: Any, prompts: list[str], *, run_id: UUID,
                     parent_run_id: UUID | None = None, tags: list[str] | None = None,
                     metadata: dict[str, Any] | None = None, **kwargs: Any) -> None:
        event = self._model_event(EventKind.LLM, serialized, run_id, parent_run_id, tags,
                                  metadata, kwargs, cv.prompts_of(prompts))
        self._start_model(run_id, event)

    def _model_event(self, kind: EventKind, serialized: Any, run_id: UUID,
                     parent_run_id: UUID | None, tags: Any, metadata: Any,
                     kwargs: dict[str, Any], messages: list[dict[str, Any]]) -> Event:
        params = kwargs.get("invocation_params")
        params = params if isinstance(params, Mapping) else None
        fields: dict[str, Any] = {"messages": messages, "truncated": []}
        if params:
            converted = cv.jsonable(params, "parameters", fields["truncated"])
            if isinstance(converted, dict):
                fields["parameters"] = converted
        return self._new(kind, run_id, parent_run_id, cv.run_name(serialized, kwargs.get("name")),
                         tags, metadata, model=cv.model_name(params, metadata, serialized), **fields)

    def _start_model(self, run_id: UUID, event: Event) -> None:
        self.gate.check_stop(event)
        if self.screen_inputs:
            screen_prompt(self.gate, event)
        self.runs.open(run_id, event)

    @_hook
    def on_llm_new_token(self, token: Any, *, run_id: UUID, **kwargs: Any) -> None:
        if not self.screen_outputs or not isinstance(token, str) or not token:
            return
        run = self.runs.get(run_id)
        if run is None:
            return
        if run.screener is None:
            from ...screening import StreamScreener

            run.screener = StreamScreener(self.gate.policy, direction="output")
        if run.streamed is None:
            run.streamed = []
        run.streamed.append(token)
        findings = run.screener.feed(token)
        if findings:
            self._stream_findings(run_id, run, findings)

    def _stream_findings(self, run_id: UUID, run: Run, findings: list[Any]) -> None:
        """A banned span completed mid-stream: record the attempt, then cut the stream."""
        if not any(f.action is Action.BLOCK for f in findings):
            return
        self.runs.close(run_id)
        event = run.event
        event.output_text = "".join(run.streamed or ())
        self.gate.screen(event, Direction.OUTPUT, [("output", event.output_text)],
                         lambda masked: setattr(event, "output_text", masked[0]))

    @_hook
    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        run = self.runs.get(run_id)
        if run is None:
            return
        event = run.event
        cv.fill_generation(event, response)
        if self.screen_outputs and event.output_text:
            try:
                self._screen_output(event)
            except ScaleSafeException:
                self.runs.close(run_id)  # the gate recorded the blocked event
                raise
        self._end(run_id)

    def _screen_output(self, event: Event) -> None:
        texts = [("output", event.output_text or "")]
        if self.review_in_graph:  # review findings are left to the middleware's interrupt()
            verdict, _ = self.gate.scan(texts, Direction.OUTPUT)
            if verdict.action is Action.REVIEW:
                event.findings.extend(verdict.findings)
                return
        self.gate.screen(event, Direction.OUTPUT, texts,
                         lambda masked: setattr(event, "output_text", masked[0]))

    @_hook
    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._fail(run_id, error)

    # tools and retrievers -------------------------------------------------------------------
    @_hook
    def on_tool_start(self, serialized: Any, input_str: str, *, run_id: UUID,
                      parent_run_id: UUID | None = None, tags: list[str] | None = None,
                      metadata: dict[str, Any] | None = None, inputs: Any = None,
                      **kwargs: Any) -> None:
        name = cv.run_name(serialized, kwargs.get("name"))
        event = self._new(EventKind.TOOL, run_id, parent_run_id, name, tags, metadata)
        event.input = cv.jsonable(inputs if inputs is not None else input_str, "input",
                                  event.truncated)
        call_id = kwargs.get("tool_call_id")
        if isinstance(call_id, str):
            event.metadata["tool_call_id"] = call_id
        self.gate.check_stop(event)
        if name in self.require_approval:
            self._approve(event)
        self.runs.open(run_id, event)

    def _approve(self, event: Event) -> None:
        """Ask a person; a tool run that does not go ahead is recorded here (pending or blocked)."""
        try:
            request_tool_approval(self.client, event, self.approval_wait)
        except ScaleSafeException as exc:
            event.status = _STATUS_BY_ERROR.get(type(exc).__name__, Status.BLOCKED)
            event.error = ErrorInfo(type=type(exc).__name__, message=str(exc))
            self.client.record(event.finish())
            raise

    @_hook
    def on_tool_end(self, output: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._end(run_id, lambda e: cv.fill_tool_output(e, output))

    @_hook
    def on_tool_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._fail(run_id, error)

    @_hook
    def on_retriever_start(self, serialized: Any, query: str, *, run_id: UUID,
                           parent_run_id: UUID | None = None, tags: list[str] | None = None,
                           metadata: dict[str, Any] | None = None, **kwargs: Any) -> None:
        event = self._new(EventKind.RETRIEVER, run_id, parent_run_id,
                          cv.run_name(serialized, kwargs.get("name")), tags, metadata)
        event.input = cv.jsonable(query, "input", event.truncated)
        self._begin(run_id, event)

    @_hook
    def on_retriever_end(self, documents: Any, *, run_id: UUID, **kwargs: Any) -> None:
        def fill(event: Event) -> None:
            docs = [{"page_content": getattr(d, "page_content", None),
                     "metadata": getattr(d, "metadata", None)} for d in documents or ()]
            event.output = cv.jsonable(docs, "output", event.truncated)

        self._end(run_id, fill)

    @_hook
    def on_retriever_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._fail(run_id, error)


def _message(error: BaseException) -> str:
    try:
        return str(error)[:2000]
    except Exception:
        return f"<{type(error).__name__}>"
