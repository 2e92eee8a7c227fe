"""EventDraft: plain data on the hot path, serialised to exactly what Event.to_json writes."""

import dataclasses
import datetime as dt
import enum
import json
import marshal

import pytest
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
    _body,
    _draft,
)
from scalesafe.model._event import ErrorInfo, Message, ToolCall, Usage
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


# The fast path (orjson) against pydantic's serializer, on values well beyond what hot paths put
# in a draft: anything orjson cannot write the same way must go to pydantic, not differ.
@dataclasses.dataclass
class _Point:
    x: int
    label: str | None = None


class _Colour(enum.Enum):
    RED = 1


_zones = st.sampled_from([UTC, dt.timezone(dt.timedelta(0)), dt.timezone(dt.timedelta(hours=5, minutes=30)),
                          dt.timezone(-dt.timedelta(hours=8)), None])
_odd = (st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats()
        | st.text(max_size=8) | st.sampled_from(["\ud800", "\u2028", "\x00", "é"])
        | st.datetimes(timezones=_zones) | st.dates() | st.times() | st.uuids() | st.binary(max_size=4)
        | st.sampled_from([_Colour.RED, Status.ERROR, Action.BLOCK])
        | st.builds(_Point, st.integers(), st.none() | st.text(max_size=4)))
_odd_json = st.recursive(_odd, lambda inner: (
    st.lists(inner, max_size=3) | st.tuples(inner, inner) | st.frozensets(st.integers(), max_size=2)
    | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    | st.dictionaries(st.integers() | st.none(), inner, max_size=2)), max_leaves=10)
_maybe = st.none() | st.text(max_size=4)


def _model_dict(keys, extra=False):
    """A nested model's dict: some keys, values possibly None, possibly a key it does not have."""
    base = st.fixed_dictionaries({}, optional={k: _maybe for k in keys})
    return base if not extra else st.builds(lambda d, x: {**d, "unknown": x}, base, _maybe)


_calls = st.lists(_model_dict(["id", "name"]) | _model_dict(["id", "name"], extra=True), max_size=2)
_messages = st.lists(st.builds(lambda d, calls: {**d, "tool_calls": calls},
                               _model_dict(["role", "content", "name", "tool_call_id"])
                               | _model_dict(["role", "content"], extra=True), _calls), max_size=2)


@settings(max_examples=1000, deadline=None)
@given(input=_odd_json, metadata=st.dictionaries(st.text(max_size=4), _odd_json, max_size=3),
       parameters=_odd_json, messages=_messages, tool_calls=_calls,
       usage=st.none() | st.fixed_dictionaries({}, optional={
           "input_tokens": st.none() | st.integers(0, 9), "bogus": st.integers()}),
       error=st.none() | st.fixed_dictionaries({"type": st.text(max_size=4)},
                                               optional={"message": _maybe}),
       start=st.datetimes(timezones=_zones), extra=st.booleans())
def test_the_fast_path_writes_what_pydantic_writes_or_leaves_it_to_pydantic(
        input, metadata, parameters, messages, tool_calls, usage, error, start, extra):
    fields = {"input": input, "metadata": metadata, "parameters": parameters, "messages": messages,
              "tool_calls": tool_calls, "usage": usage, "error": error, "start_time": start,
              "output": input}
    if extra:
        fields["not_an_event_field"] = 1
    draft = EventDraft(fields)
    out = draft._complete()
    try:
        expected = _draft._serializer().to_json(out, exclude_none=True, warnings=False).decode()
    except Exception:
        with pytest.raises(Exception):  # noqa: B017 - pydantic's own error, whichever it is
            draft.serialise()
        return
    assert draft.serialise()[1] == expected
    # The writer process's way: the plain fields, through the pipe, written without pydantic
    # (which it imports only for a draft that needs it).
    if start.tzinfo is UTC:
        fields["start_time"] = (start - _body.EPOCH) // dt.timedelta(microseconds=1)
    try:
        carried = marshal.loads(marshal.dumps(draft.plain()))
    except ValueError:
        return  # not plain data: the recorder writes this one itself
    body = Row.from_fields(carried).body
    if _has_set(fields):
        # A set is written in its iteration order, which marshal does not keep (the handler
        # turns sets into lists before recording, so its drafts never carry one): the same
        # JSON, up to the order of array elements.
        assert _unordered(json.loads(body)) == _unordered(json.loads(expected))
    else:
        assert body == expected


def _has_set(value) -> bool:
    if isinstance(value, set | frozenset):
        return True
    if isinstance(value, dict):
        return any(_has_set(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_set(v) for v in value)
    return False


def _unordered(value):
    if isinstance(value, dict):
        return {k: _unordered(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((_unordered(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


def test_hot_path_drafts_take_the_fast_path(monkeypatch):
    """What the LangChain handler records (messages with tool calls, usage, an error, findings) is
    written by orjson: pydantic's serializer is never asked."""
    draft = EventDraft({
        "kind": EventKind.CHAT, "source": Source.LANGCHAIN, "status": Status.ERROR,
        "verdict": Action.REDACT, "tags": ("a",), "parameters": {"temperature": 0.2, "stop": None},
        "messages": [{"role": "assistant", "content": "x",
                      "tool_calls": [{"id": "c1", "name": "search", "arguments": {"q": None}}]}],
        "tool_calls": [{"name": "lookup"}], "usage": {"input_tokens": 3, "total_tokens": 3},
        "error": {"type": "ValueError", "message": "boom"},
        "findings": [Finding(kind="email", rule="email", start=0, end=1).model_dump(exclude_none=True)],
    }).finish()
    expected = draft.to_event().to_json()

    def refuse():
        raise AssertionError("pydantic's serializer was used")

    monkeypatch.setattr(_draft, "_serializer", refuse)
    assert draft.to_json() == expected


def test_dates_and_times_inside_values_are_written_as_pydantic_writes_them():
    """orjson 3.13 writes time(0, 0, 0, 10000) as "00:00:00.10000": such values go to pydantic."""
    start = dt.datetime(2026, 1, 1, 0, 0, 0, 10000, tzinfo=UTC)
    draft = EventDraft({"input": {"t": dt.time(0, 0, 0, 10000), "d": dt.date(2026, 1, 2),
                                  "at": dt.datetime(2026, 1, 1, 0, 0, 0, 10000)},
                        "start_time": start, "end_time": start + dt.timedelta(seconds=1)})
    body = _canonical(draft)
    assert '"t":"00:00:00.010000"' in body and body == draft.to_event().to_json()


def test_the_body_module_knows_events_fields_defaults_and_nested_keys():
    """``_body`` spells out what the pydantic models say, for the writer process, which has no
    pydantic: the same fields in the same order, the same defaults, the same nested keys."""
    assert list(_body.TEMPLATE) == list(Event.model_fields)
    for name, field in Event.model_fields.items():
        if name in ("id", "start_time"):
            assert _body.TEMPLATE[name] is None
        elif field.default_factory is not None:
            assert _body.TEMPLATE[name] == field.default_factory()  # type: ignore[call-arg]
        else:
            assert _body.TEMPLATE[name] == field.default and type(_body.TEMPLATE[name]) in (str, type(None))
    for keys, model in ((_body.MESSAGE_KEYS, Message), (_body.TOOL_CALL_KEYS, ToolCall),
                        (_body.USAGE_KEYS, Usage), (_body.ERROR_KEYS, ErrorInfo),
                        (_body.FINDING_KEYS, Finding)):
        assert keys == frozenset(model.model_fields)


def test_timestamps_in_microseconds_are_written_and_validated_as_utc_datetimes():
    start = dt.datetime(2026, 3, 1, 12, 0, 0, 250, tzinfo=UTC)
    micros = (start - _body.EPOCH) // dt.timedelta(microseconds=1)
    draft = EventDraft({"start_time": micros, "end_time": micros + 1_500_000})
    event = draft.to_event()
    assert event.start_time == start and event.end_time == start + dt.timedelta(seconds=1.5)
    assert event.latency_ms == 1500.0
    body = _canonical(draft)
    assert '"start_time":"2026-03-01T12:00:00.000250Z"' in body and body == event.to_json()
    assert Row.from_draft(draft).at == "2026-03-01T12:00:00.000250+00:00"
    on_the_second = EventDraft({"start_time": micros - 250}).finish()
    assert '"start_time":"2026-03-01T12:00:00Z"' in _canonical(on_the_second)


@dataclasses.dataclass(eq=False)
class _Uncomparable:
    x: int = 1

    def __eq__(self, other):
        raise ValueError("no comparing me")


def test_a_value_that_cannot_be_compared_with_none_leaves_the_draft_to_pydantic():
    """Checking a nested model's dict for None compares its values; one that raises there
    sends the draft to pydantic, which writes it, instead of failing the event."""
    draft = EventDraft({"usage": {"input_tokens": _Uncomparable()}}).finish()
    assert _body.json_of(draft._complete()) is None
    assert '"usage":{"input_tokens":{"x":1}}' in draft.to_json()
