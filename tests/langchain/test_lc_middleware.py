"""ScaleSafeMiddleware on real create_agent agents with InMemorySaver."""

from __future__ import annotations

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command
from lc_fakes import ScriptedChatModel, tool_call
from lc_helpers import stored

from scalesafe.exceptions import (
    BannedOutputError,
    ConfigurationError,
    HumanReviewNeededException,
    HumanStoppedTheLoopError,
    UnsafeInputError,
)
from scalesafe.langchain import ScaleSafeHandler, ScaleSafeMiddleware, resume_from_review
from scalesafe.model import Decision, ReviewState, Status
from scalesafe.screening import Policy

CARD = "4111 1111 1111 1111"
outbox: list[dict] = []


@tool
def send_email(to: str, body: str) -> str:
    """Send an email."""
    outbox.append({"to": to, "body": body})
    return f"sent to {to}"


@pytest.fixture(autouse=True)
def _clear():
    outbox.clear()


def _agent(replies, checkpointer=True, **kw):
    model = ScriptedChatModel(replies=replies)
    agent = create_agent(model, [send_email], middleware=[ScaleSafeMiddleware(**kw)],
                         checkpointer=InMemorySaver() if checkpointer else None)
    return agent, model


def _mail_then_done():
    return [tool_call("send_email", {"to": "bob@example.com", "body": "hi"}), AIMessage("done")]


CFG = {"configurable": {"thread_id": "t1"}}


def test_pauses_for_approval_and_resumes_from_the_queue(client):
    agent, _ = _agent(_mail_then_done(), require_approval=["send_email"])
    result = agent.invoke({"messages": [("user", "mail bob")]}, CFG)
    assert "__interrupt__" in result and outbox == []
    pending = client.backend.list_reviews(ReviewState.PENDING)
    assert len(pending) == 1 and pending[0].kind == "tool_approval"
    client.backend.decide(pending[0].id, Decision.APPROVE, reviewer="alice")
    final = resume_from_review(agent, CFG)
    assert final["messages"][-1].content == "done" and outbox == [{"to": "bob@example.com", "body": "hi"}]
    assert client.backend.get_review(pending[0].id).state is ReviewState.APPROVED
    assert client.backend.list_reviews(ReviewState.PENDING) == []


def test_card_number_never_reaches_the_model(client):
    agent, model = _agent([AIMessage("x")])
    with pytest.raises(UnsafeInputError):
        agent.invoke({"messages": [("user", f"card {CARD}")]}, CFG)
    assert model.calls == 0


def test_multi_part_content_is_screened_too(client):
    """Text parts of a multimodal message are screened like plain content."""
    from langchain_core.messages import HumanMessage

    agent, model = _agent([AIMessage("x")])
    parts = [{"type": "text", "text": "here is my card"}, {"type": "text", "text": CARD}]
    with pytest.raises(UnsafeInputError) as info:
        agent.invoke({"messages": [HumanMessage(content=parts)]}, CFG)
    assert model.calls == 0
    assert info.value.findings[0].location == "messages[0].content[1]"


def test_multi_part_content_is_redacted_in_place(client):
    from langchain_core.messages import HumanMessage

    agent, model = _agent([AIMessage("ok")], policy=Policy(checks={"payment_card": "redact"}))
    image = {"type": "image_url", "image_url": {"url": "x"}}
    parts = [{"type": "text", "text": f"card {CARD} please"}, image]
    agent.invoke({"messages": [HumanMessage(content=parts)]}, CFG)
    seen = model.seen[0][-1].content
    assert isinstance(seen, list) and CARD not in seen[0]["text"] and "please" in seen[0]["text"]
    assert seen[1]["type"] == "image_url"


def test_redaction_rewrites_what_the_model_sees(client):
    agent, model = _agent([AIMessage("ok")], policy=Policy(checks={"payment_card": "redact"}))
    agent.invoke({"messages": [("user", f"my card {CARD} please")]}, CFG)
    seen = model.seen[0][-1].content
    assert CARD not in seen and "please" in seen
    state = agent.get_state(CFG).values["messages"]
    assert CARD not in state[0].content


@pytest.mark.parametrize("decision", ["approve", "edit", "reject"])
def test_command_resume_decisions(client, decision):
    agent, _ = _agent(_mail_then_done(), require_approval=["send_email"])
    agent.invoke({"messages": [("user", "mail bob")]}, CFG)
    answer = {"type": decision}
    if decision == "edit":
        answer["edited_action"] = {"name": "send_email", "args": {"to": "carol@example.com", "body": "hey"}}
    if decision == "reject":
        answer["message"] = "not allowed"
    final = agent.invoke(Command(resume={"decisions": [answer]}), CFG)
    assert final["messages"][-1].content == "done"
    review = client.backend.list_reviews()[0]
    expected = {"approve": ReviewState.APPROVED, "edit": ReviewState.EDITED,
                "reject": ReviewState.REJECTED}[decision]
    assert review.state is expected and review.reviewer == "langgraph"
    if decision == "approve":
        assert outbox == [{"to": "bob@example.com", "body": "hi"}]
    elif decision == "edit":
        assert outbox == [{"to": "carol@example.com", "body": "hey"}]
    else:
        assert outbox == []
        tool_msgs = [m for m in final["messages"] if isinstance(m, ToolMessage)]
        assert tool_msgs[-1].content == "not allowed"


def test_missing_checkpointer_is_a_clear_error(client):
    agent, _ = _agent(_mail_then_done(), checkpointer=False, require_approval=["send_email"])
    with pytest.raises(ConfigurationError, match="checkpointer"):
        agent.invoke({"messages": [("user", "mail bob")]})


def test_tool_arguments_are_screened(client):
    agent, _ = _agent([tool_call("send_email", {"to": "x@y.z", "body": f"card {CARD}"}), AIMessage("d")])
    with pytest.raises(BannedOutputError):
        agent.invoke({"messages": [("user", "mail")]}, CFG)
    assert outbox == []


def test_tool_results_are_screened_and_redacted(client):
    @tool
    def lookup(q: str) -> str:
        """Look something up."""
        return f"the card on file is {CARD}"

    model = ScriptedChatModel(replies=[tool_call("lookup", {"q": "card"}), AIMessage("ok")])
    policy = Policy(checks={"payment_card": "redact"})
    agent = create_agent(model, [lookup], middleware=[ScaleSafeMiddleware(policy=policy)])
    agent.invoke({"messages": [("user", "look")]})
    assert CARD not in model.seen[1][-1].content


def test_multi_part_tool_results_are_screened(client):
    @tool(response_format="content_and_artifact")
    def lookup(q: str) -> tuple[list, dict]:
        """Look something up."""
        return [{"type": "text", "text": "found it"}, {"type": "text", "text": f"card {CARD}"}], {}

    model = ScriptedChatModel(replies=[tool_call("lookup", {"q": "card"}), AIMessage("ok")])
    policy = Policy(checks={"payment_card": "redact"})
    agent = create_agent(model, [lookup], middleware=[ScaleSafeMiddleware(policy=policy)])
    agent.invoke({"messages": [("user", "look")]})
    seen = model.seen[1][-1].content
    assert isinstance(seen, list) and seen[0]["text"] == "found it"
    assert CARD not in seen[1]["text"] and "[REDACTED:payment_card]" in seen[1]["text"]


def test_agent_is_logged_as_one_tree_without_double_logging(client):
    agent, _ = _agent(_mail_then_done())
    agent.invoke({"messages": [("user", "mail bob")]}, CFG)
    events = stored(client)
    agent_events = [e for e in events if e.kind == "agent"]
    assert len(agent_events) == 1
    trace = agent_events[0].run_id
    assert {e.trace_id for e in events} == {trace}
    assert len([e for e in events if e.name == "ScriptedChatModel"]) == 2
    assert len([e for e in events if e.name == "send_email"]) == 1
    run_ids = {e.run_id for e in events}
    assert all(e.parent_id in run_ids for e in events if e.parent_id)


def test_no_double_logging_with_a_user_handler(client):
    agent, _ = _agent(_mail_then_done())
    agent.invoke({"messages": [("user", "mail bob")]},
                 {**CFG, "callbacks": [ScaleSafeHandler()]})
    events = stored(client)
    assert len([e for e in events if e.name == "ScriptedChatModel"]) == 2
    assert len([e for e in events if e.name == "send_email"]) == 1
    assert len({e.trace_id for e in events}) == 1


async def test_async_block_and_approval(client):
    agent, model = _agent([AIMessage("x")])
    with pytest.raises(UnsafeInputError):
        await agent.ainvoke({"messages": [("user", f"card {CARD}")]}, CFG)
    assert model.calls == 0
    agent, _ = _agent(_mail_then_done(), require_approval=["send_email"])
    result = await agent.ainvoke({"messages": [("user", "mail")]}, {"configurable": {"thread_id": "a"}})
    assert "__interrupt__" in result and outbox == []
    final = await agent.ainvoke(Command(resume={"decisions": [{"type": "approve"}]}),
                                {"configurable": {"thread_id": "a"}})
    assert final["messages"][-1].content == "done" and len(outbox) == 1


def test_stream_blocks_and_astream_pauses(client):
    agent, model = _agent([AIMessage("x")])
    with pytest.raises(UnsafeInputError):
        list(agent.stream({"messages": [("user", f"card {CARD}")]}, CFG, stream_mode="messages"))
    assert model.calls == 0


async def test_astream_pauses_for_approval(client):
    agent, _ = _agent(_mail_then_done(), require_approval=["send_email"])
    chunks = [c async for c in agent.astream({"messages": [("user", "mail")]}, CFG, stream_mode="updates")]
    assert any("__interrupt__" in c for c in chunks) and outbox == []
    assert client.backend.list_reviews(ReviewState.PENDING)
    assert any(e.status is Status.PENDING_REVIEW for e in stored(client))


REVIEW_CARDS = Policy(checks={"payment_card": "review"})


def test_review_finding_pauses_and_resumes_with_command(client):
    agent, model = _agent([AIMessage("ok")], policy=REVIEW_CARDS)
    result = agent.invoke({"messages": [("user", f"card {CARD}")]}, CFG)
    assert "__interrupt__" in result and model.calls == 0
    request = result["__interrupt__"][0].value
    assert request["action_requests"][0]["name"] == "scalesafe_screening"
    [review] = client.backend.list_reviews(ReviewState.PENDING)
    assert review.kind == "screening" and request["scalesafe_review_ids"] == [review.id]
    final = agent.invoke(Command(resume={"decisions": [{"type": "approve"}]}), CFG)
    assert final["messages"][-1].content == "ok" and model.calls == 1
    assert CARD in model.seen[0][-1].content  # approved as written
    assert client.backend.get_review(review.id).state is ReviewState.APPROVED
    statuses = {e.status for e in stored(client) if e.review_id == review.id}
    assert statuses == {Status.PENDING_REVIEW, Status.OK}


def test_review_finding_resumes_from_the_queue_with_an_edit(client):
    agent, model = _agent([AIMessage("ok")], policy=REVIEW_CARDS)
    agent.invoke({"messages": [("user", f"card {CARD}")]}, CFG)
    with pytest.raises(HumanReviewNeededException):
        resume_from_review(agent, CFG)  # still pending
    [review] = client.backend.list_reviews(ReviewState.PENDING)
    client.backend.decide(review.id, Decision.EDIT, reviewer="alice", edited_output="card on file")
    assert resume_from_review(agent, CFG)["messages"][-1].content == "ok"
    assert model.seen[0][-1].content == "card on file"


def test_review_finding_rejected_stops_the_run(client):
    agent, model = _agent([AIMessage("ok")], policy=REVIEW_CARDS)
    agent.invoke({"messages": [("user", f"card {CARD}")]}, CFG)
    with pytest.raises(HumanStoppedTheLoopError):
        agent.invoke(Command(resume={"decisions": [{"type": "reject", "message": "no cards"}]}), CFG)
    assert model.calls == 0
