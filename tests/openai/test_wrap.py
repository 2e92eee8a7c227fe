"""wrap(): every call logged, SDK behaviour and errors passed through unchanged."""

from __future__ import annotations

import openai
import pytest

from scalesafe.exceptions import HumanStoppedTheLoopError
from scalesafe.model import EventKind, Status
from scalesafe.openai import wrap
from scalesafe.testing import Reply

ASK = [{"role": "user", "content": "Tell me a joke."}]


def plain_wrap(sdk):
    """Logging only, so these tests do not depend on the screening policy."""
    return wrap(sdk, screen_inputs=False, screen_outputs=False)


def test_create_is_logged_with_parameters_and_latency(server, sdk, client, stored):
    server.add_replies("Why did the chicken cross the road?")
    ai = plain_wrap(sdk)
    response = ai.chat.completions.create(model="gpt-4o", messages=ASK, temperature=0.2,
                                          extra_headers={"Authorization": "Bearer secret-x"})
    assert isinstance(response, openai.types.chat.ChatCompletion)
    [event] = stored()
    assert (event.kind, event.model, event.status) == (EventKind.CHAT, "gpt-4o", Status.OK)
    assert event.output_text == response.choices[0].message.content
    assert event.parameters == {"temperature": 0.2}
    assert "secret-x" not in event.to_json()
    assert event.request_id == response._request_id and event.latency_ms > 0
    assert event.usage.total_tokens == response.usage.total_tokens


def test_stream_is_passed_through_and_logged_at_the_end(server, sdk, client, stored):
    server.add_replies(Reply("One two three four five.", chunk_size=5))
    stream = plain_wrap(sdk).chat.completions.create(
        model="gpt-4o", messages=ASK, stream=True, stream_options={"include_usage": True})
    assert stored() == []
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "One two three four five."
    [event] = stored()
    assert event.output_text == text and event.finish_reason == "stop"
    assert event.usage.output_tokens == chunks[-1].usage.completion_tokens
    assert event.parameters["stream"] is True


def test_stream_closed_early_is_logged_with_what_arrived(server, sdk, client, stored):
    server.add_replies(Reply("abcdefghij", chunk_size=2))
    with plain_wrap(sdk).chat.completions.create(model="gpt-4o", messages=ASK, stream=True) as s:
        first = [next(s) for _ in range(3)]
    assert "".join(c.choices[0].delta.content for c in first) == "abcd"
    [event] = stored()
    assert event.output_text == "abcd"
    assert any("closed before its end" in note for note in event.truncated)


def test_responses_create_and_stream(server, sdk, client, stored):
    server.add_replies("Plain answer.", Reply("Streamed answer.", chunk_size=4))
    ai = plain_wrap(sdk)
    response = ai.responses.create(model="gpt-4.1", input="q1", instructions="Be terse.")
    events = list(ai.responses.create(model="gpt-4.1", input="q2", stream=True))
    assert response.output_text == "Plain answer." and events[-1].type == "response.completed"
    first, second = stored()
    assert [(m.role, m.content) for m in first.messages] == [("system", "Be terse."), ("user", "q1")]
    assert first.output_text == "Plain answer." and first.request_id == response._request_id
    assert second.output_text == "Streamed answer." and second.usage.total_tokens > 0


@pytest.mark.parametrize("status, error", [(500, openai.InternalServerError),
                                           (429, openai.RateLimitError)])
def test_sdk_errors_are_logged_then_reraised_unchanged(server, sdk, client, stored, status, error):
    server.add_replies(Reply.http_error(status, "the fake server says no"))
    with pytest.raises(error) as caught:
        plain_wrap(sdk).chat.completions.create(model="gpt-4o", messages=ASK)
    assert type(caught.value) is error and caught.value.status_code == status
    [event] = stored()
    assert event.status is Status.ERROR and event.error.type == error.__name__
    assert event.metadata["status_code"] == status
    assert event.request_id == caught.value.request_id


def test_connection_errors_pass_through(client, stored):
    sdk = openai.OpenAI(api_key="test", base_url="http://127.0.0.1:9/v1", max_retries=0)
    with pytest.raises(openai.APIConnectionError):
        plain_wrap(sdk).chat.completions.create(model="gpt-4o", messages=ASK)
    assert stored()[0].error.type == "APIConnectionError"


def test_everything_else_passes_through(server, sdk, client, stored):
    ai = plain_wrap(sdk)
    assert ai.api_key == "test" and ai.base_url == sdk.base_url
    assert ai.__wrapped__ is sdk
    tuned = ai.with_options(timeout=5.0)
    assert tuned.__wrapped__ is not sdk and tuned.timeout == 5.0
    tuned.chat.completions.create(model="gpt-4o", messages=ASK)  # still logged
    assistant = ai.beta.assistants.create(model="gpt-4o", name="Unlogged")
    assert assistant.name == "Unlogged"
    assert len(stored()) == 1


def test_stop_switch_blocks_before_sending(server, sdk, client, stored):
    client.backend.set_stop(True, reason="incident 7")
    with pytest.raises(HumanStoppedTheLoopError, match="incident 7"):
        plain_wrap(sdk).chat.completions.create(model="gpt-4o", messages=ASK)
    assert server.requests == []
    assert stored()[0].status is Status.BLOCKED


async def test_async_create_stream_and_errors(server, async_sdk, client, stored):
    server.add_replies("Async reply.", Reply("Async stream.", chunk_size=3),
                       Reply.http_error(500))
    ai = plain_wrap(async_sdk)
    response = await ai.chat.completions.create(model="gpt-4o", messages=ASK)
    stream = await ai.chat.completions.create(model="gpt-4o", messages=ASK, stream=True)
    text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
    with pytest.raises(openai.InternalServerError):
        await ai.chat.completions.create(model="gpt-4o", messages=ASK)
    first, second, third = stored()
    assert first.output_text == response.choices[0].message.content == "Async reply."
    assert second.output_text == text == "Async stream."
    assert third.status is Status.ERROR


async def test_async_responses(server, async_sdk, client, stored):
    ai = plain_wrap(async_sdk)
    async with ai as same:
        assert same is ai
        response = await ai.responses.create(model="gpt-4.1", input="hi")
        events = [e async for e in await ai.responses.create(model="gpt-4.1", input="hi",
                                                              stream=True)]
    assert events[-1].type == "response.completed"
    first, second = stored()
    assert first.output_text == second.output_text == response.output_text
