"""OpenAIResponsesMonitor on real ``Response`` objects and streamed events."""

from __future__ import annotations

from scalesafe.model import EventKind
from scalesafe.openai import OpenAIResponsesMonitor
from scalesafe.testing import Reply


def test_response_object(server, sdk, client, stored):
    server.add_replies("Bonjour!")
    response = sdk.responses.create(model="gpt-4.1", input="Say hello in French.",
                                    instructions="Be polite.")
    OpenAIResponsesMonitor().monitor(response, "Say hello in French.")

    [event] = stored()
    assert (event.kind, event.model, event.output_text) == (EventKind.LLM, "gpt-4.1", "Bonjour!")
    assert [(m.role, m.content) for m in event.messages] == [
        ("system", "Be polite."), ("user", "Say hello in French.")]
    assert event.usage.total_tokens == response.usage.total_tokens
    assert event.request_id == response._request_id
    assert event.metadata["response_id"] == response.id and event.finish_reason == "completed"


def test_function_call_items_and_input_items(server, sdk, client, stored):
    server.add_replies(Reply.tool_call("lookup", {"q": "weather"}))
    items = [{"role": "user", "content": [{"type": "input_text", "text": "Weather?"}]},
             {"type": "function_call_output", "call_id": "c0", "output": "sunny"}]
    response = sdk.responses.create(model="gpt-4.1", input=items)
    OpenAIResponsesMonitor().monitor(response.model_dump(), items)

    [event] = stored()
    assert [(m.role, m.content) for m in event.messages] == [("user", "Weather?"), ("tool", "sunny")]
    [call] = event.tool_calls
    assert (call.name, call.arguments) == ("lookup", {"q": "weather"})


def test_streamed_events(server, sdk, client, stored):
    server.add_replies(Reply("Streaming answer here.", chunk_size=3))
    events = list(sdk.responses.create(model="gpt-4.1", input="go", stream=True))
    assert events[-1].type == "response.completed"
    OpenAIResponsesMonitor().monitor(events, "go")
    assert stored()[0].output_text == "Streaming answer here."
    # a stream cut short: the text deltas still add up
    OpenAIResponsesMonitor().monitor(events[:-1], "go")
    partial = stored()[1]
    assert (partial.output_text, partial.finish_reason) == ("Streaming answer here.", "incomplete")


async def test_amonitor(server, async_sdk, client, stored):
    response = await async_sdk.responses.create(model="gpt-4.1", input="hi")
    await OpenAIResponsesMonitor().amonitor(response)
    [event] = stored()
    assert event.output_text == response.output_text
    assert [m.content for m in event.messages] == []  # input not passed, not in the response
