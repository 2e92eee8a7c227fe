"""``ScaleSafeHandler``: LangChain callbacks -> ScaleSafe events, screening and approvals.

One handler serves sync and async runs. It is a *sync* ``BaseCallbackHandler``
with ``run_inline = True``: LangChain calls it directly for ``ainvoke``/``astream``
too, in the event loop's thread, so its errors propagate (LangChain swallows the
errors of async handlers driven from sync code, whatever ``raise_error`` says).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from uuid import UUID

from ..._client import get_client
from ..._monitor import BaseMonitor
from ..._safety import contained
from ...exceptions import ScaleSafeException
from ...model import (
    Action,
    Direction,
    ErrorInfo,
    Event,
    EventDraft,
    EventKind,
    Source,
    Status,
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

#: Drafts hold enum members as plain strings: the writer process gets them as they are (see
#: ``Recorder._send``), and only plain data crosses the pipe.
_PLAIN = {kind: kind.value for kind in EventKind}
_QUIETED: set[type] = set()  # handler classes LangChain's warning filter already knows
_STATUS_BY_ERROR = {
    "UnsafeInputError": Status.BLOCKED, "BannedOutputError": Status.BLOCKED,
    "HumanStoppedTheLoopError": Status.BLOCKED, "BannedLocationError": Status.BLOCKED,
    "HumanReviewNeededException": Status.PENDING_REVIEW, "GraphInterrupt": Status.PENDING_REVIEW,
}


def _contain(exc: Exception, place: str) -> None:
    """A callback failed: ScaleSafe's deliberate errors go on to LangChain (and the caller);
    anything else is logged and counted, never raised.

    Each callback inlines ``try``/``except`` around its body instead of a decorator: a
    wrapper would repack LangChain's keyword arguments on every call.
    """
    if isinstance(exc, ScaleSafeException):
        raise exc
    with contained(place):
        raise exc


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
    # LangChain reads one of these before every callback; plain attributes, not the base
    # class's properties, save a Python call each time.
    ignore_llm = ignore_chat_model = ignore_chain = ignore_agent = ignore_retriever = False
    ignore_retry = ignore_custom_event = False
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
        self.extra_tags = tuple(tags)
        self.user_id = user_id
        self.session_id = session_id
        self.runs = Runs()
        # Fields every event gets; only the ones that are set, so pydantic validates less.
        self._common: dict[str, Any] = {"source": Source.LANGCHAIN.value, **{
            k: v for k, v in (("location", self.location), ("user_id", user_id),
                              ("session_id", session_id)) if v is not None}}

    # building ---------------------------------------------------------------------------
    # Runs are built as EventDrafts (plain data, serialised later by the recorder):
    # validating an Event costs more than the rest of a callback. Paths that need a
    # real Event (the stop switch, screening findings, approvals) build one then.
    def _new(self, kind: EventKind, run_id: UUID, parent_run_id: UUID | None, name: str | None,
             tags: list[str] | None, metadata: dict[str, Any] | None,
             fields: dict[str, Any]) -> EventDraft:
        """A new draft for a run, linked into its tree."""
        trace_id, parent_id = self.runs.link(run_id, parent_run_id)
        fields.update(self._common)
        fields["kind"] = _PLAIN[kind]
        fields["name"] = name
        fields["trace_id"] = trace_id
        if parent_id is None:
            fields["run_id"] = trace_id  # a root's trace id is its run id
        else:
            fields["run_id"] = str(run_id)
            fields["parent_id"] = parent_id
        if tags or self.extra_tags:
            fields["tags"] = (*tags, *self.extra_tags) if tags else self.extra_tags
        draft = EventDraft(fields)
        if metadata:
            draft.defer(cv.fill_metadata, dict(metadata))  # a snapshot, converted when serialised
        return draft

    def _check_stop(self, draft: EventDraft) -> None:
        client = self._client if self._client is not None else get_client()  # not the property: hot path
        if client.stop_state().stopped:
            self.gate.check_stop(draft.to_event())  # records the refused run and raises

    def _begin(self, run_id: UUID, draft: EventDraft, raw_input: Any = None) -> Run:
        self._check_stop(draft)
        return self.runs.open(run_id, draft, raw_input)

    def _end(self, run_id: UUID, fill: Callable[..., None] | None = None, *args: Any) -> None:
        """Close the run, complete it with ``fill(fields, *args)`` and record it.

        What a run returned is converted now, not when the draft is serialised: the caller
        gets it back and may change it (a model's prompt and parameters are LangChain's own
        objects, made for the call, so those are converted later).
        """
        run = self.runs.close(run_id)
        if run is None:
            return
        draft = run.draft
        if fill is not None:
            fill(draft.fields, *args)
        client = self._client if self._client is not None else get_client()
        client.record(draft.finish())

    def _fail(self, run_id: UUID, error: BaseException) -> None:
        self._end(run_id, _fill_error, error)

    # chains and agents --------------------------------------------------------------------
    def on_chain_start(self, serialized: Any, inputs: Any, *, run_id: UUID,
                       parent_run_id: UUID | None = None, tags: list[str] | None = None,
                       metadata: dict[str, Any] | None = None, **kwargs: Any) -> None:
        try:
            name = cv.run_name(serialized, kwargs.get("name"))
            if kwargs.get("run_type") == "prompt" and self._fold_prompt(run_id, parent_run_id, inputs, name):
                return
            draft = self._new(EventKind.CHAIN, run_id, parent_run_id, name, tags, metadata, {})
            cv.fill_value(draft.fields, "input", inputs)  # now: the caller owns the inputs
            self._begin(run_id, draft, inputs)
        except Exception as exc:
            _contain(exc, "langchain.on_chain_start")

    def _fold_prompt(self, run_id: UUID, parent_run_id: UUID | None, inputs: Any,
                     name: str | None) -> bool:
        """Log no event for a prompt template that formats its parent's own inputs.

        Its input is on the parent's event and its output is the next model's input,
        so an event of its own would repeat both; its name goes on the parent instead.
        """
        parent = self.runs.get(parent_run_id) if parent_run_id is not None else None
        if parent is None or parent.raw_input is not inputs:
            return False
        meta = parent.draft.fields.setdefault("metadata", {})
        meta.setdefault("scalesafe.prompt_templates", []).append(name)
        self.runs.fold(run_id, parent_run_id)  # type: ignore[arg-type]
        return True

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        try:
            self._end(run_id, cv.fill_value, "output", outputs)
        except Exception as exc:
            _contain(exc, "langchain.on_chain_end")

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        try:
            self._fail(run_id, error)
        except Exception as exc:
            _contain(exc, "langchain.on_chain_error")

    def on_agent_action(self, action: Any, *, run_id: UUID, **kwargs: Any) -> None:
        try:
            run = self.runs.get(run_id)
            if run is not None and isinstance(getattr(action, "tool", None), str):
                fields = run.draft.fields
                args = cv.convert(fields, getattr(action, "tool_input", None), "tool_input")
                fields["kind"] = EventKind.AGENT.value
                fields.setdefault("tool_calls", []).append(
                    cv.tool_call(getattr(action, "tool_call_id", None), action.tool, args))
        except Exception as exc:
            _contain(exc, "langchain.on_agent_action")

    def on_agent_finish(self, finish: Any, *, run_id: UUID, **kwargs: Any) -> None:
        try:
            run = self.runs.get(run_id)
            if run is not None:
                fields = run.draft.fields
                fields["kind"] = EventKind.AGENT.value
                values = getattr(finish, "return_values", None)
                if isinstance(values, Mapping) and isinstance(values.get("output"), str):
                    fields["output_text"] = values["output"]
        except Exception as exc:
            _contain(exc, "langchain.on_agent_finish")

    # models ---------------------------------------------------------------------------------
    def on_chat_model_start(self, serialized: Any, messages: Any, *, run_id: UUID,
                            parent_run_id: UUID | None = None, tags: list[str] | None = None,
                            metadata: dict[str, Any] | None = None, **kwargs: Any) -> None:
        try:
            draft = self._model_draft(EventKind.CHAT, serialized, run_id, parent_run_id, tags,
                                      metadata, kwargs, messages)
            self._start_model(run_id, draft)
        except Exception as exc:
            _contain(exc, "langchain.on_chat_model_start")

    def on_llm_start(self, serialized: Any, prompts: list[str], *, run_id: UUID,
                     parent_run_id: UUID | None = None, tags: list[str] | None = None,
                     metadata: dict[str, Any] | None = None, **kwargs: Any) -> None:
        try:
            draft = self._model_draft(EventKind.LLM, serialized, run_id, parent_run_id, tags,
                                      metadata, kwargs, prompts)
            self._start_model(run_id, draft)
        except Exception as exc:
            _contain(exc, "langchain.on_llm_start")

    def _model_draft(self, kind: EventKind, serialized: Any, run_id: UUID,
                     parent_run_id: UUID | None, tags: Any, metadata: Any,
                     kwargs: dict[str, Any], messages: Any) -> EventDraft:
        """The model run's draft. Its prompt is converted now only when it is screened;
        otherwise it is converted when the draft is serialised, with the parameters and the
        metadata (a snapshot)."""
        params = kwargs.get("invocation_params")
        params = params if params and cv.is_map(params) else None
        meta = metadata if metadata and cv.is_map(metadata) else None
        chat = kind is EventKind.CHAT
        fields: dict[str, Any] = {"model": cv.model_name(params, meta, serialized)}
        if self.screen_inputs:
            fields["messages"] = cv.messages_of(messages) if chat else cv.prompts_of(messages)
        draft = self._new(kind, run_id, parent_run_id, cv.run_name(serialized, kwargs.get("name")),
                          tags, None, fields)
        draft.defer(cv.fill_model, chat, messages, params, dict(meta) if meta else None)
        return draft

    def _start_model(self, run_id: UUID, draft: EventDraft) -> None:
        self._check_stop(draft)
        if self.screen_inputs:
            screen_prompt(self.gate, draft)
        self.runs.open(run_id, draft)

    def on_llm_new_token(self, token: Any, *, run_id: UUID, **kwargs: Any) -> None:
        try:
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
        except Exception as exc:
            _contain(exc, "langchain.on_llm_new_token")

    def _stream_findings(self, run_id: UUID, run: Run, findings: list[Any]) -> None:
        """A banned span completed mid-stream: record the attempt, then cut the stream."""
        if not any(f.action is Action.BLOCK for f in findings):
            return
        self.runs.close(run_id)
        run.draft.fields["output_text"] = "".join(run.streamed or ())
        event = run.draft.to_event()
        self.gate.screen(event, Direction.OUTPUT, [("output", event.output_text or "")],
                         lambda masked: setattr(event, "output_text", masked[0]))

    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        try:
            run = self.runs.get(run_id)
            if run is None:
                return
            fields = run.draft.fields
            cv.fill_generation(fields, response)
            if self.screen_outputs and fields["output_text"]:
                try:
                    self._screen_output(run.draft)
                except ScaleSafeException:
                    self.runs.close(run_id)  # the gate recorded the blocked event
                    raise
            self._end(run_id)
        except Exception as exc:
            _contain(exc, "langchain.on_llm_end")

    def _screen_output(self, draft: EventDraft) -> None:
        """One scan on the clean path; findings are handled on a real Event."""
        texts = [("output", draft.fields["output_text"])]
        verdict, _ = self.gate.scan(texts, Direction.OUTPUT)
        if not verdict.findings:
            return
        event = draft.to_event()
        try:
            if self.review_in_graph and verdict.action is Action.REVIEW:
                event.findings.extend(verdict.findings)  # the middleware's after_model pauses the graph
            else:
                self.gate.screen(event, Direction.OUTPUT, texts,
                                 lambda masked: setattr(event, "output_text", masked[0]))
        finally:
            draft.absorb(event)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        try:
            self._fail(run_id, error)
        except Exception as exc:
            _contain(exc, "langchain.on_llm_error")

    # tools and retrievers -------------------------------------------------------------------
    def on_tool_start(self, serialized: Any, input_str: str, *, run_id: UUID,
                      parent_run_id: UUID | None = None, tags: list[str] | None = None,
                      metadata: dict[str, Any] | None = None, inputs: Any = None,
                      **kwargs: Any) -> None:
        try:
            name = cv.run_name(serialized, kwargs.get("name"))
            fields: dict[str, Any] = {}
            fields["input"] = cv.convert(fields, inputs if inputs is not None else input_str, "input")
            draft = self._new(EventKind.TOOL, run_id, parent_run_id, name, tags, metadata, fields)
            call_id = kwargs.get("tool_call_id")
            if isinstance(call_id, str):
                fields.setdefault("metadata", {})["tool_call_id"] = call_id
            self._check_stop(draft)
            if name in self.require_approval:
                event = draft.to_event()
                self._approve(event)
                draft.absorb(event)
            self.runs.open(run_id, draft)
        except Exception as exc:
            _contain(exc, "langchain.on_tool_start")

    def _approve(self, event: Event) -> None:
        """Ask a person; a tool run that does not go ahead is recorded here (pending or blocked)."""
        try:
            request_tool_approval(self.client, event, self.approval_wait)
        except ScaleSafeException as exc:
            event.status = _STATUS_BY_ERROR.get(type(exc).__name__, Status.BLOCKED)
            event.error = ErrorInfo(type=type(exc).__name__, message=str(exc))
            self.client.record(event.finish())
            raise

    def on_tool_end(self, output: Any, *, run_id: UUID, **kwargs: Any) -> None:
        try:
            self._end(run_id, cv.fill_tool_output, output)
        except Exception as exc:
            _contain(exc, "langchain.on_tool_end")

    def on_tool_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        try:
            self._fail(run_id, error)
        except Exception as exc:
            _contain(exc, "langchain.on_tool_error")

    def on_retriever_start(self, serialized: Any, query: str, *, run_id: UUID,
                           parent_run_id: UUID | None = None, tags: list[str] | None = None,
                           metadata: dict[str, Any] | None = None, **kwargs: Any) -> None:
        try:
            fields: dict[str, Any] = {}
            fields["input"] = cv.convert(fields, query, "input")
            self._begin(run_id, self._new(EventKind.RETRIEVER, run_id, parent_run_id,
                                          cv.run_name(serialized, kwargs.get("name")), tags, metadata,
                                          fields))
        except Exception as exc:
            _contain(exc, "langchain.on_retriever_start")

    def on_retriever_end(self, documents: Any, *, run_id: UUID, **kwargs: Any) -> None:
        try:
            docs = [{"page_content": getattr(d, "page_content", None),
                     "metadata": getattr(d, "metadata", None)} for d in documents or ()]
            self._end(run_id, cv.fill_value, "output", docs)
        except Exception as exc:
            _contain(exc, "langchain.on_retriever_end")

    def on_retriever_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        try:
            self._fail(run_id, error)
        except Exception as exc:
            _contain(exc, "langchain.on_retriever_error")


def _fill_error(fields: dict[str, Any], error: BaseException) -> None:
    """How a run failed, into its draft."""
    kind = type(error).__name__
    fields["status"] = _STATUS_BY_ERROR.get(kind, Status.ERROR).value
    fields["error"] = {"type": kind, "message": _message(error)}
    review_id = getattr(error, "review_id", None)
    if isinstance(review_id, str):
        fields["review_id"] = review_id


def _message(error: BaseException) -> str:
    try:
        return str(error)[:2000]
    except Exception:
        return f"<{type(error).__name__}>"
