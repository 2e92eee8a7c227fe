"""A query, a chat and LLM calls are logged as one tree with their details."""

from __future__ import annotations

from li_helpers import build_index, by_kind, one, stored
from llama_index.core import Settings
from llama_index.core.chat_engine import SimpleChatEngine

from scalesafe.integrations.llama_index import instrument


def test_query_is_one_tree_with_retrieval_and_llm_children(client):
    index = build_index()
    instrument()
    response = index.as_query_engine(similarity_top_k=2).query("How long do cats sleep?")
    assert str(response) == "Cats sleep a lot."

    events = [e for e in stored(client) if e.trace_id is not None]
    query = one(events, "query")
    tree = [e for e in events if e.trace_id == query.run_id]
    assert query.parent_id is None and query.input == "How long do cats sleep?"
    assert query.output_text == "Cats sleep a lot." and query.source == "llama_index"
    retrieval, synthesis = one(tree, "retriever"), one(tree, "synthesis")
    assert retrieval.parent_id == query.run_id and synthesis.parent_id == query.run_id
    nodes = retrieval.output["nodes"]
    assert len(nodes) == 2 and all(n["id"] and isinstance(n["score"], float) for n in nodes)
    assert {n["text"] for n in nodes} <= {"Cats sleep up to sixteen hours a day.",
                                           "Dogs were domesticated from wolves.",
                                           "Parrots can live for decades."}
    embedding = one(tree, "embedding")
    assert embedding.parent_id == retrieval.run_id and embedding.output["dimensions"] == 8
    llm = one(tree, "llm")
    assert llm.parent_id == synthesis.run_id and llm.model == "counting-llm"
    assert "How long do cats sleep?" in llm.messages[0].content
    assert llm.output_text == "Cats sleep a lot."
    assert llm.usage.input_tokens == 11 and llm.usage.total_tokens == 14
    assert all(e.end_time is not None and e.status == "ok" for e in tree)


def test_index_building_embeddings_are_counted_not_stored(client):
    instrument()
    build_index()
    embedding = by_kind(stored(client), "embedding")
    assert embedding and embedding[0].output == {"chunks": 3, "embeddings": 3, "dimensions": 8}
    assert "Cats" not in embedding[0].to_json()


async def test_async_query_builds_the_same_tree(client):
    index = build_index()
    instrument()
    await index.as_query_engine().aquery("Tell me about parrots")
    events = stored(client)
    query = one(events, "query")
    synthesis = one(events, "synthesis")
    llm = one(events, "llm")
    assert synthesis.parent_id == query.run_id and llm.trace_id == query.run_id
    assert llm.output_text == "Cats sleep a lot."


def test_streaming_query_logs_the_llm_when_the_stream_ends(client):
    index = build_index()
    instrument()
    response = index.as_query_engine(streaming=True).query("Do cats sleep?")
    assert not by_kind(stored(client), "llm")  # the model is still streaming
    assert "".join(response.response_gen) == "Cats sleep a lot."
    events = stored(client)
    llm, query = one(events, "llm"), one(events, "query")
    assert llm.output_text == "Cats sleep a lot." and llm.trace_id == query.run_id
    assert llm.metadata["stream_chunks"] == 4 and query.metadata["streaming"] is True


def test_chat_engine_call_is_the_root_of_its_llm_call(client):
    engine = SimpleChatEngine.from_defaults(llm=Settings.llm)
    instrument()
    engine.chat("hello there")
    events = stored(client)
    chat = one(events, "chat")
    assert chat.messages[0].content == "hello there" and chat.output_text == "Cats sleep a lot."
    llm = one(events, "llm")  # CustomLLM.chat -> complete is one call, not two
    assert llm.parent_id == chat.run_id and llm.messages[-1].content == "hello there"


async def test_async_chat_engine(client):
    engine = SimpleChatEngine.from_defaults(llm=Settings.llm)
    instrument()
    await engine.achat("hi async")
    events = stored(client)
    chat, llm = one(events, "chat"), one(events, "llm")
    assert chat.name.endswith(".achat") and llm.parent_id == chat.run_id


def test_instrument_twice_does_not_double_log(client):
    index = build_index()
    first = instrument()
    assert instrument() is first
    index.as_query_engine().query("cats?")
    assert len(by_kind(stored(client), "llm")) == 1 and Settings.llm.calls == 1
