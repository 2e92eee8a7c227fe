"""OpenAIAssistantMonitor: the seed form, with run/messages, fetching, and the older form."""

from __future__ import annotations

import pytest

from scalesafe.model import EventKind, Status
from scalesafe.openai import OpenAIAssistantMonitor
from scalesafe.testing import FakeOpenAIServer

QUESTION = "I need to solve the equation `3x + 11 = 14`. Can you help me?"
ANSWER = "Subtract 11, divide by 3: x = 1."


@pytest.fixture
def turn(sdk, server):
    """A finished Assistants turn: (assistant, thread, message, run, messages)."""
    server.add_replies(ANSWER)
    assistant = sdk.beta.assistants.create(name="Math Tutor", instructions="Tutor.",
                                           tools=[{"type": "code_interpreter"}], model="gpt-4o")
    thread = sdk.beta.threads.create()
    message = sdk.beta.threads.messages.create(thread_id=thread.id, role="user", content=QUESTION)
    run = sdk.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id,
                                       instructions="Call the user Jane.")
    statuses = [run.status]
    while run.status in ("queued", "in_progress"):
        run = sdk.beta.threads.runs.retrieve(thread_id=thread.id, run_id=run.id)
        statuses.append(run.status)
    assert statuses == ["queued", "in_progress", "completed"]
    messages = sdk.beta.threads.messages.list(thread_id=thread.id)
    return assistant, thread, message, run, messages


def test_with_run_and_messages(turn, client, stored):
    assistant, thread, message, run, messages = turn
    OpenAIAssistantMonitor().monitor(message, assistant, thread.id, run=run, messages=messages)

    [event] = stored()
    assert event.kind is EventKind.ASSISTANT_RUN and event.status is Status.OK
    assert [(m.role, m.content) for m in event.messages] == [("user", QUESTION)]
    assert event.output_text == ANSWER
    assert (event.usage.input_tokens, event.usage.output_tokens) == (
        run.usage.prompt_tokens, run.usage.completion_tokens)
    assert event.start_time.timestamp() == run.started_at
    assert event.end_time.timestamp() == run.completed_at and event.latency_ms is not None
    assert event.parameters["run_instructions"] == "Call the user Jane."
    assert event.run_id == run.id and event.finish_reason == "completed"
    assert event.request_id == run._request_id


def test_client_fetches_what_is_missing(turn, sdk, server, client, stored):
    assistant, thread, message, run, _ = turn
    before = len(server.requests)
    OpenAIAssistantMonitor().monitor(message, assistant.id, thread.id, client=sdk)
    fetched = server.paths()[before:]
    assert fetched == [f"GET /v1/threads/{thread.id}/runs", f"GET /v1/threads/{thread.id}/messages",
                       f"GET /v1/assistants/{assistant.id}"]
    [event] = stored()
    assert event.output_text == ANSWER and event.run_id == run.id
    assert event.usage is not None and event.name == "Math Tutor" and event.model == "gpt-4o"


def test_without_client_nothing_is_fetched(turn, server, client, stored):
    assistant, thread, message, _, _ = turn
    before = len(server.requests)
    OpenAIAssistantMonitor().monitor(message, assistant, thread.id)
    assert len(server.requests) == before
    assert stored()[0].output_text is None


def test_older_form_run_and_messages(turn, client, stored):
    _, thread, _, run, messages = turn
    OpenAIAssistantMonitor().monitor(run, messages)
    [event] = stored()
    assert [(m.role, m.content) for m in event.messages] == [("user", QUESTION)]
    assert event.output_text == ANSWER and event.model == "gpt-4o"
    assert event.metadata["thread_id"] == thread.id


def test_failed_run_is_an_error_event(client, stored):
    run = {"id": "run_1", "object": "thread.run", "thread_id": "t", "assistant_id": "a",
           "status": "failed", "created_at": 1700000000, "started_at": 1700000001,
           "failed_at": 1700000003, "model": "gpt-4o",
           "last_error": {"code": "server_error", "message": "boom"}}
    OpenAIAssistantMonitor().monitor(run, [])
    [event] = stored()
    assert event.status is Status.ERROR and event.error.type == "server_error"
    assert event.latency_ms == 2000.0


async def test_amonitor_fetches_with_async_client(client, stored):
    with FakeOpenAIServer([ANSWER], run_statuses=("completed",)) as server:
        from openai import AsyncOpenAI

        sdk = AsyncOpenAI(api_key="test", base_url=server.base_url, max_retries=0)
        assistant = await sdk.beta.assistants.create(model="gpt-4o", name="T")
        thread = await sdk.beta.threads.create()
        message = await sdk.beta.threads.messages.create(thread_id=thread.id, role="user",
                                                         content="hi")
        await sdk.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
        await OpenAIAssistantMonitor().amonitor(message, assistant, thread, client=sdk)
    [event] = stored()
    assert event.output_text == ANSWER and event.name == "T"


def test_screening_user_message_and_replies(client, stored):
    from scalesafe.exceptions import BannedOutputError, UnsafeInputError

    message = {"id": "m1", "object": "thread.message", "role": "user", "thread_id": "t",
               "created_at": 1, "content": [{"type": "text", "text": {
                   "value": "card 4111 1111 1111 1111", "annotations": []}}]}
    reply = {"id": "m2", "object": "thread.message", "role": "assistant", "thread_id": "t",
             "created_at": 2, "run_id": None,
             "content": [{"type": "text", "text": {"value": "SSN 536-22-8147", "annotations": []}}]}
    monitor = OpenAIAssistantMonitor()
    with pytest.raises(UnsafeInputError):
        monitor.monitor(message, None, "t", screen_inputs=True)
    with pytest.raises(BannedOutputError):
        monitor.monitor({**message, "content": "fine"}, None, "t", messages=[reply],
                        screen_outputs=True)
    first, second = stored()
    assert first.status is second.status is Status.BLOCKED
    assert "4111 1111" not in first.to_json() and "536-22-8147" not in second.to_json()
