"""LlamaIndex global state is process-wide: reset it around every test."""

from __future__ import annotations

from collections.abc import Iterator

import llama_index.core as li_core
import pytest
from li_models import CountingLLM
from llama_index.core import Settings
from llama_index.core.embeddings import MockEmbedding
from llama_index.core.instrumentation import get_dispatcher

from scalesafe.integrations.llama_index import uninstrument


def _clear_settings() -> None:
    Settings._llm = None
    Settings._embed_model = None
    Settings._callback_manager = None
    li_core.global_handler = None


@pytest.fixture(autouse=True)
def _llama_index_state() -> Iterator[None]:
    root = get_dispatcher()
    span_handlers, event_handlers = list(root.span_handlers), list(root.event_handlers)
    _clear_settings()
    Settings.llm = CountingLLM()  # never the OpenAI default: nothing here touches the network
    Settings.embed_model = MockEmbedding(embed_dim=8)
    yield
    uninstrument()
    _clear_settings()
    root.span_handlers = span_handlers
    root.event_handlers = event_handlers
