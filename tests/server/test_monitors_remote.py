"""Every monitor family logs to the server when only the two environment variables are set."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import scalesafe
from scalesafe.exceptions import ConfigurationError
from scalesafe.generic import GenericMonitor

from .conftest import Deployment, count_events


@pytest.fixture
def remote(deployment: Deployment, monkeypatch: pytest.MonkeyPatch) -> Iterator[Deployment]:
    monkeypatch.setenv("SCALESAFE_BASE_URL", deployment.url)
    monkeypatch.setenv("SCALESAFE_API_KEY", deployment.key_a)
    yield deployment


def _stored(deployment: Deployment) -> int:
    assert scalesafe.flush(10) == 0
    return len(count_events(deployment.url, deployment.key_a))


def test_openai_chat_monitor(remote: Deployment) -> None:
    openai = pytest.importorskip("openai")
    from scalesafe.openai import OpenAIChatMonitor
    from scalesafe.testing import FakeOpenAIServer

    with FakeOpenAIServer(["Paris."]) as fake:
        sdk = openai.OpenAI(api_key="test", base_url=fake.base_url, max_retries=0)
        inputs = [{"role": "user", "content": "Capital of France?"}]
        response = sdk.chat.completions.create(model="gpt-4o-mini", messages=inputs)
        OpenAIChatMonitor().monitor(response, inputs)
    assert _stored(remote) == 1


def test_langchain_handler(remote: Deployment) -> None:
    pytest.importorskip("langchain_core")
    from langchain_core.language_models import FakeListChatModel
    from langchain_core.prompts import ChatPromptTemplate

    from scalesafe.integrations.langchain import ScaleSafeHandler

    chain = ChatPromptTemplate.from_messages([("human", "{q}")]) | FakeListChatModel(responses=["4"])
    assert chain.invoke({"q": "2+2?"}, config={"callbacks": [ScaleSafeHandler()]}).content == "4"
    assert _stored(remote) >= 2  # the chain and the chat model


def test_llama_index_instrumentation(remote: Deployment) -> None:
    pytest.importorskip("llama_index.core")
    from llama_index.core.chat_engine import SimpleChatEngine
    from llama_index.core.llms import MockLLM

    from scalesafe.integrations.llama_index import instrument, uninstrument

    instrument()
    try:
        SimpleChatEngine.from_defaults(llm=MockLLM(max_tokens=5)).chat("hello")
    finally:
        uninstrument()
    assert _stored(remote) >= 1


def test_broken_profile_is_a_configuration_error(remote: Deployment) -> None:
    profiles = remote.home / "profiles"
    profiles.mkdir()
    (profiles / "ms-a.toml").write_text('use_case = "not-a-use-case"\n')
    with pytest.raises(ConfigurationError):
        GenericMonitor().status()


def test_server_policy_screens_and_blocked_events_arrive(remote: Deployment) -> None:
    import httpx

    from scalesafe.exceptions import UnsafeInputError

    admin = {"Authorization": f"Bearer {remote.admin}"}
    bad = httpx.put(remote.url + "/v1/policy", params={"model": "ms-a"}, headers=admin,
                    json={"policy": {"nonsense": 1}})
    assert bad.status_code == 422
    ok = httpx.put(remote.url + "/v1/policy", params={"model": "ms-a"}, headers=admin,
                   json={"policy": {"banned_terms": ["blue-widget"]}})
    assert ok.status_code == 200
    with pytest.raises(UnsafeInputError):
        GenericMonitor().monitor("tell me about blue-widget", None, screen_inputs=True)
    assert scalesafe.flush(10) == 0
    events = httpx.get(remote.url + "/v1/events", headers={"Authorization": f"Bearer {remote.key_a}"},
                       params={"status": "blocked"}).json()["events"]
    assert len(events) == 1 and "blue-widget" not in str(events[0].get("findings"))
