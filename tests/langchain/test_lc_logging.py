"""The handler turns real LangChain runs into one tree of events in the store."""

from __future__ import annotations

import asyncio

from langchain_core.language_models import FakeListChatModel, FakeListLLM
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    ChatMessageChunk,
    HumanMessageChunk,
    SystemMessageChunk,
)
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableLambda
from langchain_core.tools import tool
from lc_fakes import ScriptedChatModel
from lc_helpers import by_name, one, stored

from scalesafe.langchain import ScaleSafeHandler
from scalesafe.model import EventKind, Source, Status


def _chain(model=None):
    prompt = ChatPromptTemplate.from_messages([("system", "be brief"), ("human", "{q}")])
    return prompt | (model or FakeListChatModel(responses=["fine"]))


def test_invoke_logs_a_run_tree(client):
    handler = ScaleSafeHandler()
    result = _chain().invoke({"q": "hello"}, config={"callbacks": [handler], "tags": ["t1"],
                                                      "metadata": {"user": "u1"}})
    assert result.content == "fine"
    events = stored(client)
    root = one(events, "RunnableSequence")
    chat = one(events, "FakeListChatModel")
    assert len(events) == 2  # the prompt template's run is folded into its parent
    assert root.metadata["scalesafe.prompt_templates"] == ["ChatPromptTemplate"]
    assert root.parent_id is None and root.trace_id == root.run_id
    assert chat.parent_id == root.run_id
    assert {e.trace_id for e in events} == {root.run_id}
    assert all(e.source is Source.LANGCHAIN and e.status is Status.OK for e in events)
    assert chat.kind is EventKind.CHAT
    assert [(m.role, m.content) for m in chat.messages] == [("system", "be brief"), ("user", "hello")]
    assert chat.output_text == "fine"
    assert root.input == {"q": "hello"} and root.output["content"] == "fine"
    assert "t1" in root.tags and root.metadata["user"] == "u1"
    assert chat.latency_ms is not None and chat.latency_ms >= 0
    assert root.end_time >= chat.end_time
    assert len(handler.runs) == 0


def test_token_usage_model_and_params(client):
    model = ScriptedChatModel(replies=[AIMessage(content="ok")])
    model.invoke("hi", config={"callbacks": [ScaleSafeHandler()]})
    chat = one(stored(client), "ScriptedChatModel")
    assert chat.usage.input_tokens == 11 and chat.usage.output_tokens == 7
    assert chat.usage.total_tokens == 18
    assert chat.parameters["model"] == "scripted-1"


def test_usage_metadata_on_the_message(client):
    reply = AIMessage(content="ok", usage_metadata={"input_tokens": 3, "output_tokens": 2,
                                                   "total_tokens": 5},
                      response_metadata={"finish_reason": "stop"})
    ScriptedChatModel(replies=[reply]).invoke("hi", config={"callbacks": [ScaleSafeHandler()]})
    chat = one(stored(client), "ScriptedChatModel")
    assert (chat.usage.input_tokens, chat.usage.output_tokens, chat.usage.total_tokens) == (3, 2, 5)
    assert chat.finish_reason == "stop"


def test_plain_llm_prompt_is_logged(client):
    FakeListLLM(responses=["an answer"]).invoke("a question",
                                                config={"callbacks": [ScaleSafeHandler()]})
    llm = one(stored(client), "FakeListLLM")
    assert llm.kind is EventKind.LLM
    assert llm.messages[0].content == "a question" and llm.output_text == "an answer"


def test_errors_are_logged_and_propagate(client):
    def boom(_):
        raise ValueError("nope")

    chain = RunnableLambda(boom, name="boom")
    try:
        chain.invoke(1, config={"callbacks": [ScaleSafeHandler()]})
    except ValueError:
        pass
    else:
        raise AssertionError("the chain's own error must propagate")
    event = one(stored(client), "boom")
    assert event.status is Status.ERROR and event.error.type == "ValueError"
    assert event.error.message == "nope"


def test_tool_calls_and_tool_runs(client):
    @tool
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    reply = AIMessage(content="", tool_calls=[{"name": "add", "args": {"a": 1, "b": 2}, "id": "c1"}])
    handler = ScaleSafeHandler()
    message = ScriptedChatModel(replies=[reply]).invoke("add", config={"callbacks": [handler]})
    add.invoke(message.tool_calls[0], config={"callbacks": [handler]})
    events = stored(client)
    chat = one(events, "ScriptedChatModel")
    assert [(c.name, c.arguments, c.id) for c in chat.tool_calls] == [("add", {"a": 1, "b": 2}, "c1")]
    run = one(events, "add")
    assert run.kind is EventKind.TOOL and run.input == {"a": 1, "b": 2}
    assert run.output_text == "3" and run.metadata["tool_call_id"] == "c1"


def test_constructor_callbacks_and_with_config(client):
    handler = ScaleSafeHandler()
    model = FakeListChatModel(responses=["a", "b"], callbacks=[handler])
    model.invoke("x")
    _chain(FakeListChatModel(responses=["c"])).with_config(callbacks=[handler]).invoke({"q": "y"})
    events = stored(client)
    assert len(by_name(events, "FakeListChatModel")) == 2
    assert len(by_name(events, "RunnableSequence")) == 1


def test_batch_in_threads_keeps_trees_apart(client):
    handler = ScaleSafeHandler()
    chain = _chain(FakeListChatModel(responses=["r"]))
    inputs = [{"q": f"q{i}"} for i in range(12)]
    chain.batch(inputs, config={"callbacks": [handler], "max_concurrency": 6})
    events = stored(client)
    roots = by_name(events, "RunnableSequence")
    assert len(roots) == 12
    for root in roots:
        tree = [e for e in events if e.trace_id == root.run_id]
        assert len(tree) == 2
        chat = next(e for e in tree if e.kind is EventKind.CHAT)
        assert chat.messages[1].content == root.input["q"]
    assert len(handler.runs) == 0


async def test_async_concurrency(client):
    handler = ScaleSafeHandler()
    chain = _chain(FakeListChatModel(responses=["r"]))
    await asyncio.gather(*(chain.ainvoke({"q": f"q{i}"}, config={"callbacks": [handler]})
                           for i in range(10)))
    events = stored(client)
    assert len(by_name(events, "RunnableSequence")) == 10
    assert len({e.trace_id for e in events}) == 10


def test_stream_logs_the_whole_reply(client):
    model = ScriptedChatModel(replies=[AIMessage(content="streamed reply")])
    chunks = list(model.stream("hi", config={"callbacks": [ScaleSafeHandler()]}))
    assert "".join(c.content for c in chunks) == "streamed reply"
    assert one(stored(client), "ScriptedChatModel").output_text == "streamed reply"


def test_streamed_chunks_keep_their_roles(client):
    """Chunk messages (a streamed chain's output, or chunks passed back as history) are typed
    by class name; they get the same roles as the messages they stand for."""
    model = ScriptedChatModel(replies=[AIMessage(content="ok")])
    history = [SystemMessageChunk(content="be brief"), HumanMessageChunk(content="hi"),
               AIMessageChunk(content="hello"), ChatMessageChunk(content="note", role="critic")]
    chain = RunnableLambda(lambda _: history) | model
    chunks = list(chain.stream("go", config={"callbacks": [ScaleSafeHandler()]}))
    assert "".join(c.content for c in chunks) == "ok"
    events = stored(client)
    prompt = one(events, "ScriptedChatModel").messages
    assert [(m.role, m.content) for m in prompt] == [
        ("system", "be brief"), ("user", "hi"), ("assistant", "hello"), ("critic", "note")]
    root = one(events, "RunnableSequence")
    assert root.output["role"] == "assistant"
    assert root.output["content"] == "ok"


def test_changes_to_inputs_and_outputs_after_the_call_are_not_recorded(client):
    """Events are serialised later, in batches: what a run received and returned must be
    recorded as it was then, even if the caller changes it afterwards."""
    chain = RunnableLambda(lambda state: {"messages": [*state["messages"], "reply"]})
    state = {"messages": ["hello"]}
    result = chain.invoke(state, config={"callbacks": [ScaleSafeHandler()]})
    state["messages"].append("changed later")
    result["messages"].append("changed later")
    event = one(stored(client), "RunnableLambda")
    assert event.input == {"messages": ["hello"]}
    assert event.output == {"messages": ["hello", "reply"]}


def test_retriever_runs(client):
    from langchain_core.documents import Document
    from langchain_core.retrievers import BaseRetriever

    class Fixed(BaseRetriever):
        def _get_relevant_documents(self, query, *, run_manager):
            return [Document(page_content=f"about {query}", metadata={"n": 1})]

    Fixed().invoke("cats", config={"callbacks": [ScaleSafeHandler()]})
    event = one(stored(client), "Fixed")
    assert event.kind is EventKind.RETRIEVER and event.input == "cats"
    assert event.output == [{"page_content": "about cats", "metadata": {"n": 1}}]


def test_prompt_templates_are_logged_when_they_carry_their_own_input(client):
    """Only a prompt that formats its parent's own inputs is folded; others keep their event."""
    prompt = ChatPromptTemplate.from_messages([("human", "{q}")])
    prompt.invoke({"q": "alone"}, config={"callbacks": [ScaleSafeHandler()]})
    shaped = RunnableLambda(lambda x: {"q": x.upper()}, name="shape") | prompt | FakeListChatModel(
        responses=["ok"])
    shaped.invoke("mid", config={"callbacks": [ScaleSafeHandler()]})
    templates = by_name(stored(client), "ChatPromptTemplate")
    assert [t.input for t in templates] == [{"q": "alone"}, {"q": "MID"}]
    assert templates[0].parent_id is None and templates[1].parent_id is not None


def test_a_failing_folded_prompt_is_logged_on_its_parent(client):
    handler = ScaleSafeHandler()
    try:
        _chain().invoke({"wrong": "x"}, config={"callbacks": [handler]})
    except KeyError:
        pass
    else:
        raise AssertionError("a missing template variable must raise")
    root = one(stored(client), "RunnableSequence")
    assert root.status is Status.ERROR and root.error.type == "KeyError"
    assert len(handler.runs) == 0
