"""EventDraft: plain data on the hot path, serialised to exactly what Event.to_json writes."""

import datetime as dt
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from scalesafe.model import (
    Action,
    Event,
    EventDraft,
    EventKind,
    Finding,
    Source,
    Status,
)
from scalesafe.store import Row

UTC = dt.UTC


def _canonical(draft: EventDraft) -> str:
    body = draft.to_json()
    assert Event.model_validate_json(body).to_json() == body
    return body


def test_minimal_draft_is_an_event_with_defaults():
    draft = EventDraft({})
    body = json.loads(_canonical(draft))
    assert body["kind"] == "llm" and body["source"] == "generic" and body["status"] == "ok"
    assert body["messages"] == [] and body["metadata"] == {}
    assert body["id"] == draft.fields["id"]  # fixed once, on first serialisation


def test_full_draft_matches_the_validated_event_byte_for_byte():
    start = dt.datetime(2026, 11, 26, 12, 0, 0, 0, tzinfo=UTC)  # no microseconds: pydantic omits them
    draft = EventDraft({
        "kind": EventKind.CHAT, "source": Source.LANGCHAIN, "status": Status.ERROR,
        "verdict": Action.REDACT, "name": "model", "trace_id": "t", "run_id": "r", "parent_id": "p",
        "start_time": start, "model": "m", "parameters": {"temperature": 0.2, "stop": None},
        "messages": [{"role": "system", "content": "be terse", "tool_calls": []},
                     {"role": "assistant", "name": "bot",
                      "tool_calls": [{"id": "c1", "name": "search", "arguments": {"q": "x"}}],
                      "tool_call_id": "c0"}],
        "input": {"q": [1, 2.5, None, "é"]}, "output_text": "hi", "output": None,
        "tool_calls": [{"name": "lookup"}], "finish_reason": "stop",
        "usage": {"input_tokens": 3, "output_tokens": 4, "total_tokens": 7},
        "error": {"type": "ValueError", "message": "boom"}, "tags": ("a", "b"),
        "metadata": {"nested": {"k": None}}, "user_id": "u", "truncated": ["input: cut"],
    })
    draft.fields["end_time"] = start + dt.timedelta(milliseconds=12.5)
    body = _canonical(draft)
    assert body == draft.to_event().to_json()
    assert json.loads(body)["latency_ms"] == 12.5


def test_to_event_and_absorb_round_trip_keeps_the_id_and_changes():
    draft = EventDraft({"kind": EventKind.CHAT, "messages": [{"role": "user", "content": "x",
                                                              "tool_calls": []}]})
    event = draft.to_event()
    assert event.id == draft.fields["id"]
    event.findings.append(Finding(kind="email", rule="email", action=Action.REDACT,
                                  location="messages[0]", start=0, end=1))
    event.verdict = Action.REDACT
    event.messages[0].content = "[EMAIL]"
    draft.absorb(event)
    body = json.loads(_canonical(draft.finish()))
    assert body["id"] == event.id and body["verdict"] == "redact"
    assert body["messages"][0]["content"] == "[EMAIL]" and body["findings"][0]["kind"] == "email"


def test_deferred_conversions_run_once_when_serialised():
    calls = []

    def fill(fields, value):
        calls.append(value)
        fields["metadata"] = {"late": value}

    draft = EventDraft({})
    draft.defer(fill, 1)
    assert calls == []
    assert json.loads(_canonical(draft))["metadata"] == {"late": 1}
    draft.to_json()
    assert calls == [1]


def test_a_failing_deferred_conversion_is_noted_and_the_event_kept(caplog):
    def broken(fields):
        raise KeyError("secret-value")

    draft = EventDraft({"name": "run"})
    draft.defer(broken)
    body = json.loads(_canonical(draft))
    assert body["name"] == "run"
    assert body["truncated"] == ["broken: not converted (KeyError)"]
    assert "secret-value" not in caplog.text


def test_row_of_a_draft_fills_the_index_columns():
    draft = EventDraft({"kind": EventKind.TOOL, "source": "langchain", "trace_id": "t",
                        "status": Status.BLOCKED, "verdict": Action.BLOCK}).finish()
    draft.fields["model_system"] = "sys"
    row = Row.of(draft)
    assert (row.model_system, row.kind, row.source, row.trace_id, row.verdict, row.status) == (
        "sys", "tool", "langchain", "t", "block", "blocked")
    assert json.loads(row.body)["id"] == row.id


_text = st.text(max_size=20)
_json = st.recursive(st.none() | st.booleans() | st.integers(-2**53, 2**53) | _text
                     | st.floats(allow_nan=False, allow_infinity=False),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
                     max_leaves=8)


def _shaped(role, content, name):
    """A message dict in Message's dumped shape: its fields in order, None left out."""
    out = {"role": role}
    if content is not None:
        out["content"] = content
    if name is not None:
        out["name"] = name
    out["tool_calls"] = []
    return out


_message = st.builds(_shaped, st.sampled_from(["user", "assistant", "tool"]), st.none() | _text,
                     st.none() | _text)


@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from(list(EventKind)), status=st.sampled_from(list(Status)),
       name=st.none() | _text, messages=st.lists(_message, max_size=3), input=_json,
       metadata=st.dictionaries(_text, _json, max_size=3),
       micros=st.integers(0, 999_999), latency_us=st.integers(0, 10**8))
def test_any_draft_serialises_canonically(kind, status, name, messages, input, metadata, micros,
                                          latency_us):
    start = dt.datetime(2026, 1, 1, tzinfo=UTC) + dt.timedelta(microseconds=micros)
    fields = {"kind": kind, "status": status, "name": name, "messages": messages, "input": input,
              "metadata": metadata, "start_time": start}
    draft = EventDraft(fields)
    draft.fields["end_time"] = start + dt.timedelta(microseconds=latency_us)
    assert _canonical(draft) == draft.to_event().to_json()
