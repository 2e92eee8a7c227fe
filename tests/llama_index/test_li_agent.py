"""A function-calling agent run is one tree: agent -> steps -> LLM calls and the tool call."""

from __future__ import annotations

from li_helpers import by_kind, one, stored
from li_models import ToolCallingLLM
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.tools import FunctionTool

from scalesafe.integrations.llama_index import instrument


def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def _agent(streaming: bool) -> tuple[FunctionAgent, ToolCallingLLM]:
    llm = ToolCallingLLM()
    tool = FunctionTool.from_defaults(add)
    return FunctionAgent(tools=[tool], llm=llm, streaming=streaming), llm


async def _check_tree(client) -> None:
    events = stored(client)
    agent = [e for e in by_kind(events, "agent") if e.parent_id is None]
    assert len(agent) == 1
    root = agent[0]
    assert root.name == "FunctionAgent" and root.input == "what is 2+3?"
    assert root.output_text == "It is 5."
    tree = [e for e in events if e.trace_id == root.run_id]
    steps = [e for e in tree if e.kind == "agent" and e.parent_id == root.run_id]
    assert {s.name.rsplit(".", 1)[-1] for s in steps} >= {"run_agent_step", "call_tool"}
    llms = by_kind(tree, "llm")
    assert len(llms) == 2 and all(e.parent_id in {s.run_id for s in steps} for e in llms)
    assert llms[0].tool_calls[0].name == "add" and llms[0].tool_calls[0].arguments == {"a": 2, "b": 3}
    assert llms[0].parameters["tools"] == ["add"]
    tool = one(tree, "tool")
    assert tool.name == "add" and tool.input == {"a": 2, "b": 3} and tool.output_text == "5"
    call_tool = next(s for s in steps if s.name.endswith("call_tool"))
    assert tool.parent_id == call_tool.run_id


async def test_function_agent_streaming_run_is_logged_as_one_tree(client):
    agent, llm = _agent(streaming=True)
    instrument()
    result = await agent.run(user_msg="what is 2+3?")
    assert str(result) == "It is 5." and llm.calls == 2
    await _check_tree(client)


async def test_function_agent_non_streaming_run(client):
    agent, llm = _agent(streaming=False)
    instrument()
    await agent.run(user_msg="what is 2+3?")
    assert llm.calls == 2
    await _check_tree(client)
