"""Streams: lazily started LLM calls join the query's tree; screening errors reach the reader."""

from __future__ import annotations

import pytest
from li_helpers import build_index, by_kind, one, stored
from li_models import CountingLLM
from llama_index.core import Settings
from llama_index.core.chat_engine import SimpleChatEngine

from scalesafe.exceptions import BannedOutputError, UnsafeInputError
from scalesafe.integrations.llama_index import instrument

SSN_QUERY = "my SSN is 536-22-8147, do cats sleep?"
BANNED = "Your card is 4111 1111 1111 1111 ok"


async def _read(response) -> str:
    return "".join([token async for token in response.async_response_gen()])


async def test_async_streaming_query_is_one_tree(client):
    index = build_index()
    instrument()
    response = await index.as_query_engine(streaming=True).aquery("Do cats sleep?")
    assert await _read(response) == "Cats sleep a lot."
    events = stored(client)
    query, synthesis, llm = one(events, "query"), one(events, "synthesis"), one(events, "llm")
    assert llm.trace_id == query.run_id and llm.parent_id == synthesis.run_id
    assert llm.output_text == "Cats sleep a lot." and llm.metadata["stream_chunks"] == 4
    assert Settings.llm.calls == 1


async def test_async_streaming_query_screens_when_the_model_starts(client):
    index = build_index()
    instrument(screen_inputs=True)
    response = await index.as_query_engine(streaming=True).aquery(SSN_QUERY)
    with pytest.raises(UnsafeInputError):
        await _read(response)
    assert Settings.llm.calls == 0
    llm = one(stored(client), "llm")
    assert llm.status == "blocked" and llm.trace_id == one(stored(client), "query").run_id


async def test_async_streaming_query_banned_output_raises_to_the_reader(client):
    Settings.llm = CountingLLM(reply=BANNED)
    index = build_index()
    instrument(screen_outputs=True)
    response = await index.as_query_engine(streaming=True).aquery("card?")
    with pytest.raises(BannedOutputError):
        await _read(response)
    assert one(stored(client), "llm").status == "blocked"


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_chat_stream_banned_output_reaches_the_reader(client):
    engine = SimpleChatEngine.from_defaults(llm=CountingLLM(reply=BANNED))
    instrument(screen_outputs=True)
    response = engine.stream_chat("card?")
    with pytest.raises(BannedOutputError):
        "".join(response.response_gen)
    chat, llm = one(stored(client), "chat"), one(stored(client), "llm")
    assert llm.status == "blocked" and llm.parent_id == chat.run_id
    assert "4111" not in llm.to_json()


async def test_async_chat_stream_banned_output_reaches_the_reader(client):
    engine = SimpleChatEngine.from_defaults(llm=CountingLLM(reply=BANNED))
    instrument(screen_outputs=True)
    response = await engine.astream_chat("card?")
    with pytest.raises(BannedOutputError):
        await _read(response)
    assert one(stored(client), "llm").status == "blocked"


async def test_chat_streams_are_one_tree_without_a_nested_duplicate(client):
    engine = SimpleChatEngine.from_defaults(llm=Settings.llm)
    instrument(screen_inputs=True)
    assert "".join(engine.stream_chat("hello").response_gen) == "Cats sleep a lot."
    assert await _read(await engine.astream_chat("hello async")) == "Cats sleep a lot."
    with pytest.raises(UnsafeInputError):
        await engine.astream_chat(SSN_QUERY)
    events = stored(client)
    chats, llms = by_kind(events, "chat"), by_kind(events, "llm")
    assert len(chats) == 3 and len(llms) == 3  # CustomLLM.astream_chat -> stream_chat is one call
    assert {e.parent_id for e in llms} == {c.run_id for c in chats}
    assert [e.output_text for e in llms if e.status == "ok"] == ["Cats sleep a lot."] * 2
    assert Settings.llm.calls == 2
