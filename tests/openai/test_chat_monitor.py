"""OpenAIChatMonitor on real SDK objects from the fake server (sync, async, streamed)."""

from __future__ import annotations

import datetime as dt

import pytest

from scalesafe.model import EventKind, Status
from scalesafe.openai import OpenAIChatMonitor
from scalesafe.testing import Reply

ASK = [{"role": "user", "content": "What's the weather in Paris?"}]


def test_completion_dict_and_metadata(server, sdk, client, stored):
    response = sdk.chat.completions.create(model="gpt-4o", messages=ASK)
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    event = OpenAIChatMonitor().monitor(response.model_dump(), ASK, user_id="u1", tags=["t"],
                                        start_time=start, end_time=start + dt.timedelta(seconds=2),
                                        team="search")
    [stored_event] = stored()
    assert stored_event.id == event.id
    assert stored_event.output_text == response.choices[0].message.content
    assert stored_event.metadata == {"completion_id": response.id, "team": "search"}
    assert (stored_event.user_id, stored_event.tags, stored_event.latency_ms) == ("u1", ["t"], 2000.0)
    assert stored_event.request_id is None  # a plain dict carries no request id


def test_tool_calls_and_multipart_messages(server, sdk, client, stored):
    server.add_replies(Reply.tool_call("get_weather", {"city": "Paris"}))
    messages = [
        {"role": "user", "content": [{"type": "text", "text": "Weather here?"},
                                     {"type": "image_url", "image_url": {"url": "https://x/y.png"}}]},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function",
             "function": {"name": "locate", "arguments": "{\"ip\": \"1.2.3.4\"}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "Paris"},
    ]
    response = sdk.chat.completions.create(model="gpt-4o", messages=messages)
    OpenAIChatMonitor().monitor(response, messages)

    [event] = stored()
    assert event.finish_reason == "tool_calls" and event.output_text is None
    [call] = event.tool_calls
    assert (call.name, call.arguments) == ("get_weather", {"city": "Paris"})
    assert call.id == response.choices[0].message.tool_calls[0].id
    user, assistant, tool = event.messages
    assert user.content == "Weather here?\n[image_url]"
    assert assistant.tool_calls[0].name == "locate" and assistant.tool_calls[0].arguments == {"ip": "1.2.3.4"}
    assert (tool.role, tool.tool_call_id, tool.content) == ("tool", "call_1", "Paris")


def test_streamed_chunks_with_usage(server, sdk, client, stored):
    server.add_replies(Reply("It is sunny in Paris today.", chunk_size=4))
    chunks = list(sdk.chat.completions.create(model="gpt-4o", messages=ASK, stream=True,
                                              stream_options={"include_usage": True}))
    assert len(chunks) > 5
    OpenAIChatMonitor().monitor(chunks, ASK)

    [event] = stored()
    assert event.output_text == "It is sunny in Paris today."
    assert (event.model, event.finish_reason) == ("gpt-4o", "stop")
    assert event.usage.output_tokens == chunks[-1].usage.completion_tokens == 6


def test_stream_helper_final_completion(server, sdk, client, stored):
    server.add_replies("Streamed via the helper.")
    with sdk.chat.completions.stream(model="gpt-4o", messages=ASK) as stream:
        for _ in stream:
            pass
    OpenAIChatMonitor().monitor(stream, ASK)
    assert stored()[0].output_text == "Streamed via the helper."


async def test_amonitor_with_async_client(server, async_sdk, client, stored):
    server.add_replies("Async hello.")
    response = await async_sdk.chat.completions.create(model="gpt-4o-mini", messages=ASK)
    event = await OpenAIChatMonitor().amonitor(response, ASK)
    [stored_event] = stored()
    assert stored_event.id == event.id and stored_event.kind is EventKind.CHAT
    assert stored_event.output_text == "Async hello."
    assert stored_event.request_id == response._request_id


def test_unreadable_response_is_logged_not_raised(client, stored):
    event = OpenAIChatMonitor().monitor(object(), "hi")
    assert event.status is Status.OK
    [stored_event] = stored()
    assert stored_event.messages[0].content == "hi"
    assert any("not understood" in note for note in stored_event.truncated)


async def test_amonitor_screens(server, async_sdk, client, stored):
    from scalesafe.exceptions import UnsafeInputError

    ask = [{"role": "user", "content": "my card is 4111 1111 1111 1111"}]
    response = await async_sdk.chat.completions.create(model="gpt-4o", messages=ask)
    with pytest.raises(UnsafeInputError) as caught:
        await OpenAIChatMonitor().amonitor(response, ask, screen_inputs=True)
    [event] = stored()
    assert event.id == caught.value.event_id and event.status is Status.BLOCKED
