# ruff: noqa: E501, W291, W293 - the README blocks below are kept byte for byte
"""The seed README's OpenAI code blocks, run verbatim against the fake server.

Only the setting the blocks leave to the reader changes: the SDK finds the fake
server through OPENAI_BASE_URL / OPENAI_API_KEY, and ``user_inputs`` is defined.
"""

from __future__ import annotations

import pytest

from scalesafe.model import EventKind, Source, Status
from scalesafe.testing import FakeOpenAIServer

CHAT_BLOCK = '''
from scalesafe.openai import OpenAIChatMonitor
from openai import OpenAI

client = OpenAI()
monitor = OpenAIChatMonitor() # We create a monitor instance

response = client.chat.completions.create(
  model="gpt-3.5-turbo",
  messages=user_inputs
)

monitor.monitor(response, user_inputs) # This logs for future audits
'''

SCREENING_BLOCK = '''
from scalesafe.exceptions import UnsafeInputError, BannedOutputError

try:
    monitor.monitor(response, user_inputs, screen_inputs=True, screen_outputs=True)
except (UnsafeInputError, BannedOutputError) as e:
    print(f"Bad model usage. Error: {e}")
'''

ASSISTANTS_BLOCK = '''
from scalesafe.openai import OpenAIAssistantMonitor
from openai import OpenAI

client = OpenAI()
monitor = OpenAIAssistantMonitor() # We create a monitor instance

assistant = client.beta.assistants.create( # You might have created this assistant previously, and it should be supported by a risk assessment at assess.scalesafe.ai.
  name="Math Tutor",
  instructions="You are a personal math tutor. Write and run code to answer math questions.",
  tools=[{"type": "code_interpreter"}],
  model="gpt-4-turbo-preview",
)

thread = client.beta.threads.create()

message = client.beta.threads.messages.create(
    thread_id=thread.id,
    role="user",
    content="I need to solve the equation `3x + 11 = 14`. Can you help me?"
)

run = client.beta.threads.runs.create(
  thread_id=thread.id,
  assistant_id=assistant.id,
  instructions="Please address the user as Jane Doe. The user has a premium account."
)

import time
while run.status in ['queued', 'in_progress', 'cancelling']:
  time.sleep(1) # Wait for 1 second
  run = client.beta.threads.runs.retrieve(
    thread_id=thread.id,
    run_id=run.id
  )

if run.status == 'completed': 
  messages = client.beta.threads.messages.list(
    thread_id=thread.id
  )
  
monitor.monitor(message, assistant, thread.id) # We pass in everything to avoid the monitor needed to call OpenAI again.
'''


def point_sdk_at(server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "test")


def test_chat_block_logs_the_completion(server, monkeypatch, client, stored):
    server.add_replies("Sure: Paris is the capital of France.")
    point_sdk_at(server, monkeypatch)
    user_inputs = [{"role": "system", "content": "Be brief."},
                   {"role": "user", "content": "What is the capital of France?"}]
    scope = {"user_inputs": user_inputs}
    exec(CHAT_BLOCK, scope)

    [event] = stored()
    assert (event.source, event.kind, event.model) == (Source.OPENAI, EventKind.CHAT, "gpt-3.5-turbo")
    assert [(m.role, m.content) for m in event.messages] == [
        ("system", "Be brief."), ("user", "What is the capital of France?")]
    assert event.output_text == "Sure: Paris is the capital of France."
    assert event.finish_reason == "stop"
    usage = scope["response"].usage
    assert (event.usage.input_tokens, event.usage.output_tokens, event.usage.total_tokens) == (
        usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (10, 7, 17)
    assert event.request_id == scope["response"]._request_id
    assert event.request_id.startswith("req_")
    assert server.paths() == ["POST /v1/chat/completions"]


def test_screening_block_passes_safe_usage(server, monkeypatch, client, stored, capsys):
    point_sdk_at(server, monkeypatch)
    scope = {"user_inputs": [{"role": "user", "content": "Say hello."}]}
    exec(CHAT_BLOCK, scope)
    exec(SCREENING_BLOCK, scope)

    assert capsys.readouterr().out == ""
    events = stored()
    assert [e.status for e in events] == [Status.OK, Status.OK]


def test_screening_block_reports_a_card_number(server, monkeypatch, client, stored, capsys):
    point_sdk_at(server, monkeypatch)
    scope = {"user_inputs": [{"role": "user", "content": "Charge my card 4111 1111 1111 1111."}]}
    exec(CHAT_BLOCK, scope)
    exec(SCREENING_BLOCK, scope)

    printed = capsys.readouterr().out
    assert printed.startswith("Bad model usage. Error: input blocked")
    assert "4111" not in printed
    logged, blocked = stored()
    assert logged.status is Status.OK
    assert blocked.status is Status.BLOCKED and blocked.error.type == "UnsafeInputError"
    assert any(f.kind == "card_number" or "card" in f.kind for f in blocked.findings)
    assert "4111 1111 1111 1111" not in blocked.to_json()


def test_screening_block_reports_a_banned_reply(server, monkeypatch, client, stored, capsys):
    server.add_replies("Your SSN is 536-22-8147.")
    point_sdk_at(server, monkeypatch)
    scope = {"user_inputs": [{"role": "user", "content": "What is my SSN?"}]}
    exec(CHAT_BLOCK, scope)
    exec(SCREENING_BLOCK, scope)

    assert capsys.readouterr().out.startswith("Bad model usage. Error: output blocked")
    blocked = stored()[-1]
    assert blocked.status is Status.BLOCKED and blocked.error.type == "BannedOutputError"
    assert "536-22-8147" not in blocked.to_json()


def test_assistants_block_runs_verbatim_and_logs_the_turn(monkeypatch, client, stored):
    with FakeOpenAIServer(["x = 1, since 3*1 + 11 = 14."],
                          run_statuses=("queued", "completed")) as server:
        point_sdk_at(server, monkeypatch)
        scope: dict = {}
        exec(ASSISTANTS_BLOCK, scope)

    assert scope["run"].status == "completed"
    assert [m.role for m in scope["messages"].data] == ["assistant", "user"]
    [event] = stored()
    assert (event.kind, event.name, event.model) == (
        EventKind.ASSISTANT_RUN, "Math Tutor", "gpt-4-turbo-preview")
    assert [(m.role, m.content) for m in event.messages] == [
        ("user", "I need to solve the equation `3x + 11 = 14`. Can you help me?")]
    assert event.parameters == {
        "instructions": "You are a personal math tutor. Write and run code to answer math questions.",
        "tools": ["code_interpreter"]}
    assert event.metadata["thread_id"] == scope["thread"].id
    assert event.metadata["assistant_id"] == scope["assistant"].id
    assert event.session_id == scope["thread"].id
    assert "GET /v1/threads/{}/runs/{}".format(scope["thread"].id, scope["run"].id) in server.paths()
