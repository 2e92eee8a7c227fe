"""instrument()/uninstrument() wiring, containment and the optional import."""

from __future__ import annotations

import subprocess
import sys

import llama_index.core as li_core
import pytest
from li_helpers import build_index, by_kind, stored
from li_models import CountingLLM
from llama_index.core import Settings
from llama_index.core.callbacks import CallbackManager
from llama_index.core.instrumentation import get_dispatcher

from scalesafe import Client
from scalesafe._safety import internal_errors
from scalesafe.exceptions import UnsafeInputError
from scalesafe.integrations.llama_index import (
    ScaleSafeCallbackHandler,
    ScaleSafeEventHandler,
    ScaleSafeSpanHandler,
    instrument,
    uninstrument,
)


def test_instrument_installs_everywhere_and_uninstrument_removes_everything(client):
    llm = CountingLLM()
    inst = instrument()
    assert li_core.global_handler is inst.callbacks
    assert inst.callbacks in Settings.callback_manager.handlers
    assert inst.callbacks in CallbackManager().handlers  # managers created later
    root = get_dispatcher()
    assert inst.spans in root.span_handlers and inst.events in root.event_handlers
    llm.complete("hi")  # an LLM made earlier joins on first use
    assert inst.callbacks in llm.callback_manager.handlers
    uninstrument()
    assert li_core.global_handler is None
    assert inst.callbacks not in llm.callback_manager.handlers
    assert inst.callbacks not in Settings.callback_manager.handlers
    assert inst.spans not in root.span_handlers and inst.events not in root.event_handlers
    llm.complete("not logged")
    assert len(by_kind(stored(client), "llm")) == 1


def test_other_options_replace_the_installation(client):
    first = instrument()
    second = instrument(screen_inputs=True)
    assert second is not first and li_core.global_handler is second.callbacks
    assert first.spans not in get_dispatcher().span_handlers
    build_index().as_query_engine().query("cats?")
    assert len(by_kind(stored(client), "llm")) == 1


def test_explicit_handlers_without_instrument(client):
    spans = ScaleSafeSpanHandler()
    root = get_dispatcher()
    root.add_span_handler(spans)
    root.add_event_handler(ScaleSafeEventHandler(spans))
    llm = CountingLLM(callback_manager=CallbackManager([ScaleSafeCallbackHandler(spans=spans)]))
    llm.complete("hello")
    assert by_kind(stored(client), "llm")[0].output_text == "Cats sleep a lot."


def test_callback_handler_alone_logs_llm_calls(client):
    llm = CountingLLM(callback_manager=CallbackManager([ScaleSafeCallbackHandler()]))
    llm.complete("hello")
    event = by_kind(stored(client), "llm")[0]
    assert event.messages[0].content == "hello" and event.usage.total_tokens == 14


class BrokenClient(Client):
    """A client whose recorder fails: ScaleSafe's own bug must not break the host app."""

    def record(self, event):
        raise RuntimeError("recorder exploded")


def test_internal_failures_are_contained(tmp_path):
    broken = BrokenClient(home=tmp_path / "broken")
    before = internal_errors.total
    llm = CountingLLM(callback_manager=CallbackManager([ScaleSafeCallbackHandler(client=broken)]))
    assert llm.complete("hello").text == "Cats sleep a lot."
    instrument(client=broken)
    assert str(build_index().as_query_engine().query("cats?")) == "Cats sleep a lot."
    assert internal_errors.total > before
    broken.close(timeout=1)


def test_importing_without_llama_index_names_the_extra():
    code = (
        "import sys; sys.modules['llama_index'] = None; sys.modules['llama_index.core'] = None\n"
        "import scalesafe, scalesafe.integrations.llama_index as m\n"
        "try:\n    m.instrument\nexcept ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'scalesafe[llama-index]'" in out.stdout


def test_explicit_handler_while_instrumented_is_accepted_and_screens_once(client):
    instrument()  # logging only; the explicit handler below screens
    explicit = ScaleSafeCallbackHandler(screen_inputs=True)
    manager = CallbackManager([explicit])  # LlamaIndex refuses two handlers of one class
    assert manager.handlers[0] is explicit and len(manager.handlers) == 2
    llm = CountingLLM(callback_manager=manager)
    llm.complete("hello")
    with pytest.raises(UnsafeInputError):
        llm.complete("my SSN is 536-22-8147")
    assert llm.calls == 1
    llms = by_kind(stored(client), "llm")
    assert len(llms) == 2 and sorted(e.status for e in llms) == ["blocked", "ok"]
    assert all(e.name == "CountingLLM.complete" for e in llms)  # the span handler's events
