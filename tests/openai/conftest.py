"""Fixtures: the fake OpenAI server, real SDK clients pointed at it, and stored events."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

openai = pytest.importorskip("openai")

from scalesafe import Client  # noqa: E402
from scalesafe.backends import EventQuery  # noqa: E402
from scalesafe.model import Event  # noqa: E402
from scalesafe.testing import FakeOpenAIServer  # noqa: E402


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as fake:
        yield fake


@pytest.fixture
def sdk(server: FakeOpenAIServer) -> openai.OpenAI:
    """A real ``OpenAI`` client talking to the fake server (no retries, to keep tests fast)."""
    return openai.OpenAI(api_key="test", base_url=server.base_url, max_retries=0)


@pytest.fixture
def async_sdk(server: FakeOpenAIServer) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(api_key="test", base_url=server.base_url, max_retries=0)


@pytest.fixture
def stored(client: Client) -> Callable[[], list[Event]]:
    """All events in the embedded store, oldest first (flushes the recorder first)."""

    def read() -> list[Event]:
        assert client.flush(5.0) == 0
        return client.backend.list_events(EventQuery(limit=1000, descending=False))

    return read
