"""wrap() screens before sending and cuts streamed replies off at a banned span."""

from __future__ import annotations

import pytest

from scalesafe.exceptions import BannedOutputError, UnsafeInputError
from scalesafe.model import Action, Status
from scalesafe.openai import wrap
from scalesafe.testing import Reply

CARD = "4111 1111 1111 1111"
SSN = "536-22-8147"
PAY = [{"role": "user", "content": f"Please charge my card {CARD} today."}]
ASK = [{"role": "user", "content": "What is on file for me?"}]
LEAK = Reply(f"The number on file is {SSN}, and that is all we keep.", chunk_size=3)


def kinds(event):
    return {f.kind for f in event.findings}


def assert_blocked(event, error, secret):
    assert event.status is Status.BLOCKED and event.verdict is Action.BLOCK
    assert event.error.type == type(error).__name__ and error.event_id == event.id
    assert secret not in event.to_json() and secret not in str(error)


def test_card_number_in_prompt_never_reaches_the_server(server, sdk, client, stored):
    with pytest.raises(UnsafeInputError) as caught:
        wrap(sdk).chat.completions.create(model="gpt-4o", messages=PAY)
    assert server.requests == [] and "4111" not in server.received_text()
    [event] = stored()
    assert_blocked(event, caught.value, CARD)
    assert kinds(event) == {"payment_card"}
    assert event.messages[0].content.startswith("Please charge my card ")


def test_streamed_ssn_is_cut_off(server, sdk, client, stored):
    server.add_replies(LEAK)
    stream = wrap(sdk).chat.completions.create(model="gpt-4o", messages=ASK, stream=True)
    shown = ""
    with pytest.raises(BannedOutputError) as caught:
        for chunk in stream:
            shown += chunk.choices[0].delta.content or ""
    # the text before the SSN arrives (less a few held-back characters); the SSN never does
    assert shown and "The number on file is ".startswith(shown)
    assert len(server.requests) == 1
    [event] = stored()
    assert_blocked(event, caught.value, SSN)
    assert kinds(event) == {"ssn"}
    assert any("cut off" in note for note in event.truncated)


def test_banned_reply_without_streaming(server, sdk, client, stored):
    server.add_replies(LEAK)
    with pytest.raises(BannedOutputError) as caught:
        wrap(sdk).chat.completions.create(model="gpt-4o", messages=ASK)
    [event] = stored()
    assert_blocked(event, caught.value, SSN)


def test_recorded_findings_do_not_block(server, sdk, client, stored):
    server.add_replies("Write to help@example.com for anything else.")
    response = wrap(sdk).chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "My email is jane@example.org"}])
    assert "help@example.com" in response.choices[0].message.content
    [event] = stored()
    assert event.status is Status.OK and kinds(event) == {"email"}
    assert {f.direction for f in event.findings} == {"input", "output"}


def test_screening_can_be_switched_off(server, sdk, client, stored):
    wrap(sdk, screen_inputs=False).chat.completions.create(model="gpt-4o", messages=PAY)
    assert CARD in server.received_text()


def test_responses_prompt_and_stream(server, sdk, client, stored):
    ai = wrap(sdk)
    with pytest.raises(UnsafeInputError):
        ai.responses.create(model="gpt-4.1", input=[
            {"role": "user", "content": [{"type": "input_text", "text": f"card {CARD}"}]}])
    assert server.requests == []
    server.add_replies(LEAK)
    shown = ""
    with pytest.raises(BannedOutputError):
        for event in ai.responses.create(model="gpt-4.1", input="hi", stream=True):
            shown += getattr(event, "delta", "") if event.type.endswith(".delta") else ""
    assert SSN not in shown
    blocked_input, blocked_output = stored()
    assert kinds(blocked_input) == {"payment_card"} and kinds(blocked_output) == {"ssn"}


async def test_async_prompt_block_and_stream_cut_off(server, async_sdk, client, stored):
    ai = wrap(async_sdk)
    with pytest.raises(UnsafeInputError):
        await ai.chat.completions.create(model="gpt-4o", messages=PAY)
    assert server.requests == []
    server.add_replies(LEAK)
    stream = await ai.chat.completions.create(model="gpt-4o", messages=ASK, stream=True)
    shown = ""
    with pytest.raises(BannedOutputError) as caught:
        async for chunk in stream:
            shown += chunk.choices[0].delta.content or ""
    assert SSN not in shown
    first, second = stored()
    assert first.error.type == "UnsafeInputError"
    assert_blocked(second, caught.value, SSN)


def test_redact_policy_sends_and_stores_the_masked_prompt(server, sdk, client, stored):
    from scalesafe.screening import Policy

    ai = wrap(sdk, policy=Policy(input={"payment_card": "redact"}, output={"ssn": "redact"}))
    server.add_replies(LEAK)
    response = ai.chat.completions.create(model="gpt-4o", messages=PAY)
    [sent] = server.requests
    assert sent.json["messages"] == [
        {"role": "user", "content": "Please charge my card [REDACTED:payment_card] today."}]
    assert response.choices[0].message.content == (
        "The number on file is [REDACTED:ssn], and that is all we keep.")
    [event] = stored()
    assert event.status is Status.OK and event.verdict is Action.REDACT
    assert CARD not in event.to_json() and SSN not in event.to_json()
    assert event.messages[0].content == sent.json["messages"][0]["content"]
