"""Screening stops the call: a blocked prompt never reaches the LLM; banned output never returns."""

from __future__ import annotations

import time

import pytest
from li_helpers import build_index, by_kind, one, stored
from li_models import CountingLLM
from llama_index.core import Settings
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.chat_engine import SimpleChatEngine

from scalesafe import Policy
from scalesafe.exceptions import BannedOutputError, HumanReviewNeededException, UnsafeInputError
from scalesafe.integrations.llama_index import instrument

SSN_QUERY = "What should I do? my SSN is 536-22-8147, keep it safe"
CARD = "4111 1111 1111 1111"


def test_query_with_an_ssn_is_blocked_before_the_llm_runs(client):
    index = build_index()
    engine = index.as_query_engine()
    instrument(screen_inputs=True)
    with pytest.raises(UnsafeInputError) as caught:
        engine.query(SSN_QUERY)
    assert Settings.llm.calls == 0
    assert "536-22-8147" not in str(caught.value)
    events = stored(client)
    llm = one(events, "llm")
    assert llm.status == "blocked" and llm.id == caught.value.event_id
    assert "536-22-8147" not in llm.to_json()
    query = one(events, "query")
    assert query.status == "blocked" and llm.trace_id == query.run_id


def test_clean_query_passes_screening(client):
    index = build_index()
    instrument(screen_inputs=True, screen_outputs=True)
    assert str(index.as_query_engine().query("How long do cats sleep?")) == "Cats sleep a lot."
    assert Settings.llm.calls == 1


async def test_async_query_and_chat_engine_are_blocked(client):
    index = build_index()
    instrument(screen_inputs=True)
    with pytest.raises(UnsafeInputError):
        await index.as_query_engine().aquery(SSN_QUERY)
    engine = SimpleChatEngine.from_defaults(llm=Settings.llm)
    with pytest.raises(UnsafeInputError):
        engine.chat(SSN_QUERY)
    with pytest.raises(UnsafeInputError):
        await engine.achat(SSN_QUERY)
    assert Settings.llm.calls == 0


async def test_llm_created_before_instrument_with_its_own_manager_is_covered(client):
    llm = CountingLLM()  # private CallbackManager, not Settings'
    instrument(screen_inputs=True)
    with pytest.raises(UnsafeInputError):
        llm.complete(SSN_QUERY)
    with pytest.raises(UnsafeInputError):
        llm.chat([ChatMessage(role="user", content=SSN_QUERY)])
    with pytest.raises(UnsafeInputError):
        await llm.acomplete(SSN_QUERY)
    assert llm.calls == 0


def test_banned_output_is_stopped(client):
    llm = CountingLLM(reply=f"Your card is {CARD}")
    instrument(screen_outputs=True)
    with pytest.raises(BannedOutputError):
        llm.complete("what is my card?")
    assert llm.calls == 1
    stored_llm = one(stored(client), "llm")
    assert stored_llm.status == "blocked" and CARD not in stored_llm.to_json()


def test_banned_output_in_a_stream_raises_to_the_reader(client):
    Settings.llm = CountingLLM(reply=f"Your card is {CARD} ok")
    index = build_index()
    instrument(screen_outputs=True)
    response = index.as_query_engine(streaming=True).query("card?")
    with pytest.raises(BannedOutputError):
        "".join(response.response_gen)
    assert by_kind(stored(client), "llm")[0].status == "blocked"


async def test_async_banned_output_is_stopped(client):
    llm = CountingLLM(reply=f"Your card is {CARD}")
    instrument(screen_outputs=True)
    with pytest.raises(BannedOutputError):
        await llm.acomplete("what is my card?")
    Settings.llm = llm
    with pytest.raises(BannedOutputError):
        await build_index().as_query_engine().aquery("card?")
    assert llm.calls == 2
    assert all(e.status == "blocked" for e in by_kind(stored(client), "llm"))


@pytest.mark.timeout(10)
async def test_review_in_async_code_raises_at_once_instead_of_freezing_the_loop(client):
    llm = CountingLLM()
    instrument(screen_inputs=True, policy=Policy(checks={"ssn": "review"}), review_wait=60)
    started = time.monotonic()
    with pytest.raises(HumanReviewNeededException) as caught:
        await llm.acomplete(SSN_QUERY)
    assert time.monotonic() - started < 5 and llm.calls == 0
    review = client.backend.get_review(caught.value.review_id)
    assert review.pending


def test_blocked_calls_leave_nothing_waiting_in_the_tracker(client):
    llm = CountingLLM()
    inst = instrument(screen_inputs=True)
    for _ in range(3):
        with pytest.raises(UnsafeInputError):
            llm.complete(SSN_QUERY)
    with pytest.raises(UnsafeInputError):
        build_index().as_query_engine().query(SSN_QUERY)
    tracker = inst.spans.tracker
    assert not tracker.pending and not tracker.spans and not tracker.deferred
    assert len(by_kind(stored(client), "llm")) == 4
