"""Screening through the handler stops real chains, streams and graphs with ScaleSafe errors."""

from __future__ import annotations

from typing import TypedDict

import pytest
from langchain_core.language_models import FakeListChatModel
from langchain_core.messages import AIMessage
from langchain_core.prompts import ChatPromptTemplate
from langgraph.graph import END, START, StateGraph
from lc_fakes import ScriptedChatModel
from lc_helpers import one, stored

from scalesafe.exceptions import BannedOutputError, UnsafeInputError
from scalesafe.langchain import ScaleSafeHandler
from scalesafe.model import Status

CARD = "4111 1111 1111 1111"


def _chain(model):
    return ChatPromptTemplate.from_messages([("human", "{q}")]) | model


def _guard(**kw):
    return {"callbacks": [ScaleSafeHandler(screen_inputs=True, screen_outputs=True, **kw)]}


def test_card_number_never_reaches_the_model(client):
    model = FakeListChatModel(responses=["never"])
    with pytest.raises(UnsafeInputError) as caught:
        _chain(model).invoke({"q": f"my card is {CARD}"}, config=_guard())
    assert model.i == 0  # FakeListChatModel advances i on every call
    assert caught.value.findings and CARD not in str(caught.value)
    events = stored(client)
    blocked = one(events, "FakeListChatModel")
    assert blocked.status is Status.BLOCKED and blocked.id == caught.value.event_id
    assert CARD not in (blocked.messages[0].content or "")
    assert one(events, "RunnableSequence").status is Status.BLOCKED


def test_clean_prompts_pass(client):
    model = FakeListChatModel(responses=["fine"])
    assert _chain(model).invoke({"q": "hello"}, config=_guard()).content == "fine"
    assert one(stored(client), "FakeListChatModel").status is Status.OK


async def test_ainvoke_raises(client):
    model = ScriptedChatModel(replies=[AIMessage("x")])
    with pytest.raises(UnsafeInputError):
        await _chain(model).ainvoke({"q": CARD}, config=_guard())
    assert model.calls == 0


def test_batch_raises(client):
    model = ScriptedChatModel(replies=[AIMessage("x")])
    with pytest.raises(UnsafeInputError):
        _chain(model).batch([{"q": "fine"}, {"q": CARD}], config=_guard())


def test_stream_and_astream_raise_before_the_model(client):
    model = ScriptedChatModel(replies=[AIMessage("x")])
    with pytest.raises(UnsafeInputError):
        list(_chain(model).stream({"q": CARD}, config=_guard()))
    assert model.calls == 0


async def test_astream_raises(client):
    model = ScriptedChatModel(replies=[AIMessage("x")])
    with pytest.raises(UnsafeInputError):
        async for _ in _chain(model).astream({"q": CARD}, config=_guard()):
            pass
    assert model.calls == 0


def test_banned_output_raises_from_invoke(client):
    model = ScriptedChatModel(replies=[AIMessage(f"your card: {CARD}")])
    with pytest.raises(BannedOutputError) as caught:
        model.invoke("what is my card?", config=_guard())
    event = one(stored(client), "ScriptedChatModel")
    assert event.status is Status.BLOCKED and event.id == caught.value.event_id
    assert CARD not in event.output_text


def _long_reply() -> str:
    return f"Sure. The number is {CARD} and " + "then a lot more text follows here. " * 20


def test_stream_is_cut_off_at_the_banned_span(client):
    model = ScriptedChatModel(replies=[AIMessage(_long_reply())])
    received = []
    with pytest.raises(BannedOutputError):
        for chunk in model.stream("card?", config=_guard()):
            received.append(chunk.content)
    total_chunks = len(_long_reply()) // 4
    assert len(received) < total_chunks // 2
    assert one(stored(client), "ScriptedChatModel").status is Status.BLOCKED


async def test_astream_is_cut_off_at_the_banned_span(client):
    model = ScriptedChatModel(replies=[AIMessage(_long_reply())])
    received = []
    with pytest.raises(BannedOutputError):
        async for chunk in model.astream("card?", config=_guard()):
            received.append(chunk.content)
    assert len(received) < len(_long_reply()) // 8


class _State(TypedDict):
    text: str


def _graph(model):
    graph = StateGraph(_State)
    graph.add_node("model", lambda s: {"text": model.invoke(s["text"]).content})
    graph.add_edge(START, "model")
    graph.add_edge("model", END)
    return graph.compile()


def test_errors_propagate_out_of_a_langgraph_graph(client):
    model = ScriptedChatModel(replies=[AIMessage("x")])
    with pytest.raises(UnsafeInputError):
        _graph(model).invoke({"text": f"card {CARD}"}, config=_guard())
    assert model.calls == 0


async def test_errors_propagate_out_of_a_langgraph_graph_async(client):
    model = ScriptedChatModel(replies=[AIMessage(f"leak {CARD}")])
    with pytest.raises(BannedOutputError):
        await _graph(model).ainvoke({"text": "hello"}, config=_guard())


def test_redaction_masks_what_is_stored_not_what_the_model_sees(client):
    from scalesafe.screening import Policy

    model = ScriptedChatModel(replies=[AIMessage("noted")])
    handler = ScaleSafeHandler(screen_inputs=True, policy=Policy(checks={"payment_card": "redact"}))
    assert model.invoke(f"card {CARD}", config={"callbacks": [handler]}).content == "noted"
    assert CARD in model.seen[0][0].content  # a callback cannot rewrite the prompt
    event = one(stored(client), "ScriptedChatModel")
    assert event.status is Status.OK and CARD not in event.messages[0].content
    assert [f.kind for f in event.findings] == ["payment_card"]


def test_recorded_findings_do_not_block(client):
    model = ScriptedChatModel(replies=[AIMessage("ok")])
    model.invoke("mail me at bob@example.com", config=_guard())
    event = one(stored(client), "ScriptedChatModel")
    assert event.status is Status.OK and "email" in [f.kind for f in event.findings]
