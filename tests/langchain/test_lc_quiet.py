"""LangChain logs no warning for ScaleSafe's deliberate errors, and still logs every other one."""

from __future__ import annotations

import logging

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import FakeListChatModel
from langchain_core.prompts import ChatPromptTemplate

from scalesafe.exceptions import UnsafeInputError
from scalesafe.langchain import ScaleSafeHandler

CARD = "4111 1111 1111 1111"
MANAGER = "langchain_core.callbacks.manager"


def _chain():
    return ChatPromptTemplate.from_messages([("human", "{q}")]) | FakeListChatModel(responses=["x"])


def _callback_warnings(caplog):
    return [r.getMessage() for r in caplog.records if r.name == MANAGER]


def test_deliberate_block_logs_no_langchain_warning(client, caplog):
    caplog.set_level(logging.WARNING, logger=MANAGER)
    with pytest.raises(UnsafeInputError):
        _chain().invoke({"q": CARD}, config={"callbacks": [ScaleSafeHandler(screen_inputs=True)]})
    assert _callback_warnings(caplog) == []


class Broken(BaseCallbackHandler):
    def on_chat_model_start(self, *args, **kwargs):
        raise ValueError("broken handler")


class Impostor(BaseCallbackHandler):
    """Not a ScaleSafe handler, even though it raises a ScaleSafe error."""

    def on_chat_model_start(self, *args, **kwargs):
        raise UnsafeInputError("raised by someone else")


def test_other_warnings_are_untouched(client, caplog):
    caplog.set_level(logging.WARNING, logger=MANAGER)
    ScaleSafeHandler()  # the filter is installed
    _chain().invoke({"q": "hi"}, config={"callbacks": [Broken(), Impostor()]})
    messages = _callback_warnings(caplog)
    assert any("Broken.on_chat_model_start" in m and "ValueError" in m for m in messages)
    assert any("Impostor.on_chat_model_start" in m and "UnsafeInputError" in m for m in messages)


def test_a_subclass_is_quiet_too(client, caplog):
    class MyHandler(ScaleSafeHandler):
        pass

    caplog.set_level(logging.WARNING, logger=MANAGER)
    with pytest.raises(UnsafeInputError):
        _chain().invoke({"q": CARD}, config={"callbacks": [MyHandler(screen_inputs=True)]})
    assert _callback_warnings(caplog) == []
