"""Tool approval, the stop switch and containment, through real chains, tools and graphs."""

from __future__ import annotations

import threading
import time
from typing import TypedDict

import pytest
from langchain.agents import create_agent
from langchain_core.language_models import FakeListChatModel
from langchain_core.messages import AIMessage
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableLambda
from langchain_core.tools import tool
from langgraph.graph import END, START, StateGraph
from lc_fakes import ScriptedChatModel, tool_call
from lc_helpers import by_name, one, stored

from scalesafe._safety import internal_errors
from scalesafe.exceptions import (
    DatabaseOperationError,
    HumanReviewNeededException,
    HumanStoppedTheLoopError,
)
from scalesafe.langchain import ScaleSafeHandler
from scalesafe.model import Decision, ReviewState, Status

sent: list[str] = []


@tool
def send_email(to: str, body: str) -> str:
    """Send an email."""
    sent.append(to)
    return f"sent to {to}"


@pytest.fixture(autouse=True)
def _clear_outbox():
    sent.clear()


def _decide_when_opened(client, decision: Decision) -> threading.Thread:
    """A reviewer in another thread: waits for the pending review and decides it."""

    def run() -> None:
        for _ in range(400):
            try:
                pending = client.backend.list_reviews(ReviewState.PENDING)
                if pending:
                    client.backend.decide(pending[0].id, decision, reviewer="alice")
                    return
            except DatabaseOperationError:  # the store's first open from a new thread may race
                pass
            time.sleep(0.02)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_tool_approval_raises_with_the_review_id(client):
    handler = ScaleSafeHandler(require_approval=["send_email"])
    with pytest.raises(HumanReviewNeededException) as caught:
        send_email.invoke({"to": "bob@example.com", "body": "hi"}, config={"callbacks": [handler]})
    assert sent == []
    review = client.backend.get_review(caught.value.review_id)
    assert review.kind == "tool_approval" and review.pending
    events = stored(client)
    request = client.backend.get_event(review.event_id)
    assert request.status is Status.PENDING_REVIEW and request.input["to"] == "bob@example.com"
    run = one(events, "send_email")  # the tool run that is waiting, once
    assert run.status is Status.PENDING_REVIEW and run.review_id == review.id
    assert request.parent_id == run.run_id and request.run_id != run.run_id


def test_tool_approval_waits_and_runs_when_approved(client):
    handler = ScaleSafeHandler(require_approval=["send_email"], approval_wait=10)
    reviewer = _decide_when_opened(client, Decision.APPROVE)
    result = send_email.invoke({"to": "bob@example.com", "body": "hi"},
                               config={"callbacks": [handler]})
    reviewer.join(5)
    assert result == "sent to bob@example.com" and sent == ["bob@example.com"]
    events = stored(client)
    run = one(events, "send_email")  # one record for the run...
    assert run.status is Status.OK and run.output_text == "sent to bob@example.com"
    assert run.metadata["scalesafe.approval"] == "approved"
    request = one(events, "approval:send_email")  # ...and the request, its child
    assert request.parent_id == run.run_id and request.trace_id == run.trace_id
    review = client.backend.get_review(run.review_id)
    assert review.event_id == request.id and review.state is ReviewState.APPROVED
    assert len({e.run_id for e in events}) == len(events)  # no two rows share a run id


def test_tool_approval_rejected_stops_the_agent(client):
    model = ScriptedChatModel(replies=[tool_call("send_email", {"to": "eve@x.io", "body": "b"}),
                                       AIMessage(content="done")])
    agent = create_agent(model, [send_email])
    handler = ScaleSafeHandler(require_approval=["send_email"], approval_wait=10)
    reviewer = _decide_when_opened(client, Decision.REJECT)
    with pytest.raises(HumanStoppedTheLoopError) as caught:
        agent.invoke({"messages": [("user", "mail eve")]}, config={"callbacks": [handler]})
    reviewer.join(5)
    assert sent == [] and caught.value.review_id
    blocked = [e for e in by_name(stored(client), "send_email") if e.status is Status.BLOCKED]
    assert len(blocked) == 1


def test_approval_needed_propagates_out_of_an_agent(client):
    model = ScriptedChatModel(replies=[tool_call("send_email", {"to": "a@b.c", "body": "b"})])
    agent = create_agent(model, [send_email])
    with pytest.raises(HumanReviewNeededException):
        agent.invoke({"messages": [("user", "go")]},
                     config={"callbacks": [ScaleSafeHandler(require_approval=["send_email"])]})
    assert sent == []


async def test_approval_needed_propagates_out_of_ainvoke(client):
    model = ScriptedChatModel(replies=[tool_call("send_email", {"to": "a@b.c", "body": "b"})])
    agent = create_agent(model, [send_email])
    with pytest.raises(HumanReviewNeededException):
        await agent.ainvoke({"messages": [("user", "go")]},
                            config={"callbacks": [ScaleSafeHandler(require_approval=["send_email"])]})
    assert sent == []


def test_stop_switch_stops_every_run(client):
    model = FakeListChatModel(responses=["x"])
    chain = ChatPromptTemplate.from_messages([("human", "{q}")]) | model
    client.backend.set_stop(True, reason="incident 7", by="ops")
    client._stop.invalidate()
    with pytest.raises(HumanStoppedTheLoopError, match="incident 7"):
        chain.invoke({"q": "hi"}, config={"callbacks": [ScaleSafeHandler()]})
    with pytest.raises(HumanStoppedTheLoopError):
        send_email.invoke({"to": "a", "body": "b"}, config={"callbacks": [ScaleSafeHandler()]})
    assert sent == [] and model.i == 0
    assert any(e.status is Status.BLOCKED for e in stored(client))


class _State(TypedDict):
    text: str


def test_langgraph_graph_is_one_tree(client):
    graph = StateGraph(_State)
    graph.add_node("upper", lambda s: {"text": s["text"].upper()})
    graph.add_node("model", lambda s: {"text": FakeListChatModel(responses=["ok"]).invoke(s["text"]).content})
    graph.add_edge(START, "upper")
    graph.add_edge("upper", "model")
    graph.add_edge("model", END)
    app = graph.compile()
    assert app.invoke({"text": "hi"}, config={"callbacks": [ScaleSafeHandler()]}) == {"text": "ok"}
    events = stored(client)
    roots = [e for e in events if e.parent_id is None]
    assert len(roots) == 1
    assert {e.trace_id for e in events} == {roots[0].run_id}
    chat = one(events, "FakeListChatModel")
    assert chat.messages[0].content == "HI"
    run_ids = {e.run_id for e in events}
    assert all(e.parent_id in run_ids for e in events if e.parent_id)


def test_agent_run_is_one_tree(client):
    @tool
    def lookup(city: str) -> str:
        """Weather for a city."""
        return f"sunny in {city}"

    model = ScriptedChatModel(replies=[tool_call("lookup", {"city": "Oslo"}), AIMessage("sunny")])
    agent = create_agent(model, [lookup])
    agent.invoke({"messages": [("user", "weather?")]}, config={"callbacks": [ScaleSafeHandler()]})
    events = stored(client)
    roots = [e for e in events if e.parent_id is None]
    assert len(roots) == 1 and {e.trace_id for e in events} == {roots[0].run_id}
    assert len(by_name(events, "ScriptedChatModel")) == 2
    assert one(events, "lookup").output_text == "sunny in Oslo"


class _Unprintable:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")

    def model_dump(self, **kwargs):
        raise RuntimeError("no dump")


def test_odd_inputs_never_break_the_chain(client):
    chain = RunnableLambda(lambda x: "fine", name="odd")
    assert chain.invoke({"v": _Unprintable()}, config={"callbacks": [ScaleSafeHandler()]}) == "fine"
    assert one(stored(client), "odd").status is Status.OK


def test_every_callback_contains_its_own_failures(client):
    """Each callback guards its own body: a failure inside any of them is swallowed and counted
    under that callback's name, never raised into LangChain."""
    import uuid

    class Broken:
        def __getattr__(self, name):
            raise RuntimeError("broken run map")

    handler = ScaleSafeHandler(screen_outputs=True)
    handler.runs = Broken()
    rid = uuid.uuid4()
    calls = {
        "on_chain_start": lambda: handler.on_chain_start({}, {"q": "hi"}, run_id=rid),
        "on_chain_end": lambda: handler.on_chain_end({}, run_id=rid),
        "on_chain_error": lambda: handler.on_chain_error(ValueError("x"), run_id=rid),
        "on_agent_action": lambda: handler.on_agent_action(object(), run_id=rid),
        "on_agent_finish": lambda: handler.on_agent_finish(object(), run_id=rid),
        "on_chat_model_start": lambda: handler.on_chat_model_start({}, [[]], run_id=rid),
        "on_llm_start": lambda: handler.on_llm_start({}, ["hi"], run_id=rid),
        "on_llm_new_token": lambda: handler.on_llm_new_token("tok", run_id=rid),
        "on_llm_end": lambda: handler.on_llm_end(object(), run_id=rid),
        "on_llm_error": lambda: handler.on_llm_error(ValueError("x"), run_id=rid),
        "on_tool_start": lambda: handler.on_tool_start({}, "in", run_id=rid),
        "on_tool_end": lambda: handler.on_tool_end("out", run_id=rid),
        "on_tool_error": lambda: handler.on_tool_error(ValueError("x"), run_id=rid),
        "on_retriever_start": lambda: handler.on_retriever_start({}, "q", run_id=rid),
        "on_retriever_end": lambda: handler.on_retriever_end([], run_id=rid),
        "on_retriever_error": lambda: handler.on_retriever_error(ValueError("x"), run_id=rid),
    }
    for name, call in calls.items():
        before = internal_errors.by_place.get(f"langchain.{name}", 0)
        assert call() is None
        assert internal_errors.by_place.get(f"langchain.{name}", 0) == before + 1, name


def test_handler_bugs_are_contained_and_counted(client):
    """Garbage where LangChain passes its objects: every hook swallows and counts its failure."""
    import uuid

    handler = ScaleSafeHandler()
    before = internal_errors.total
    rid = uuid.uuid4()
    handler.on_chat_model_start({"id": "not-a-list", "name": 5}, 42, run_id=rid)
    handler.on_llm_start(None, 42, run_id=rid)
    handler.on_chain_start({"name": object()}, _Unprintable(), run_id=rid, metadata={1: object()})
    handler.on_llm_end(object(), run_id=rid)
    handler.on_tool_end(_Unprintable(), run_id=rid)
    handler.on_retriever_end(42, run_id=uuid.uuid4())
    handler.on_retriever_start(None, "q", run_id=rid, tags=5)
    assert internal_errors.total > before
    chain = RunnableLambda(lambda x: x + 1)
    assert chain.invoke(1, config={"callbacks": [handler]}) == 2
