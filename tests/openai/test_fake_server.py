"""FakeOpenAIServer itself: scripting, the request log, errors, and run progress."""

from __future__ import annotations

import httpx
import openai

from scalesafe.testing import FakeOpenAIServer, Reply


def test_callable_script_and_request_log():
    def echo(body):
        return Reply(f"you said {len(body.get('messages', []))} messages")

    with FakeOpenAIServer(echo) as server:
        sdk = openai.OpenAI(api_key="test", base_url=server.base_url, max_retries=0)
        reply = sdk.chat.completions.create(model="m", messages=[{"role": "user", "content": "a"}])
        assert reply.choices[0].message.content == "you said 1 messages"
        [request] = server.requests
        assert (request.method, request.path) == ("POST", "/v1/chat/completions")
        assert request.json["messages"] == [{"role": "user", "content": "a"}]


def test_default_reply_and_unknown_routes():
    with FakeOpenAIServer(default="fallback") as server:
        sdk = openai.OpenAI(api_key="test", base_url=server.base_url, max_retries=0)
        assert sdk.responses.create(model="m", input="x").output_text == "fallback"
        missing = httpx.get(server.base_url + "/nothing-here")
        assert missing.status_code == 404 and "no route" in missing.json()["error"]["message"]


def test_run_moves_one_status_per_retrieve():
    with FakeOpenAIServer(["done"], run_statuses=("queued", "in_progress", "completed")) as server:
        sdk = openai.OpenAI(api_key="test", base_url=server.base_url, max_retries=0)
        assistant = sdk.beta.assistants.create(model="m")
        thread = sdk.beta.threads.create(messages=[{"role": "user", "content": "hi"}])
        run = sdk.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
        seen = [run.status]
        for _ in range(3):
            seen.append(sdk.beta.threads.runs.retrieve(thread_id=thread.id, run_id=run.id).status)
        assert seen == ["queued", "in_progress", "completed", "completed"]
        texts = [m.content[0].text.value
                 for m in sdk.beta.threads.messages.list(thread_id=thread.id, order="asc").data]
        assert texts == ["hi", "done"]
        try:
            sdk.beta.threads.runs.retrieve(thread_id=thread.id, run_id="run_missing")
        except openai.NotFoundError:
            pass
        else:
            raise AssertionError("expected a 404")
