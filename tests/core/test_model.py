import datetime as dt
import json
import math

from scalesafe.model import Event, Message, Usage, canonical_json, new_id, to_jsonable
from scalesafe.model._safejson import Limits


def test_ids_are_unique_and_time_ordered():
    ids = [new_id() for _ in range(5000)]
    assert len(set(ids)) == 5000
    assert ids == sorted(ids)


def test_cycles_are_cut_not_fatal():
    a: dict = {"name": "a"}
    a["self"] = a
    lst: list = [1]
    lst.append(lst)
    value, notes = to_jsonable({"a": a, "l": lst})
    json.dumps(value)
    assert value["a"]["self"].startswith("<cycle")
    assert any("cycle" in n for n in notes)


def test_objects_whose_repr_raises():
    class Evil:
        def __repr__(self):
            raise RuntimeError("boom")

    value, _ = to_jsonable({"x": Evil()})
    assert value["x"].startswith("<unrepresentable") and value["x"].endswith("Evil>")


def test_bytes_text_and_binary():
    assert to_jsonable(b"hello")[0] == "hello"
    assert to_jsonable(b"\xff\xfe\x00")[0].startswith("base64:")


def test_huge_strings_are_capped_and_noted():
    value, notes = to_jsonable("x" * 1000, limits=Limits(max_string=100))
    assert len(value) == 100
    assert notes and "cut from 1000" in notes[0]


def test_non_finite_floats_big_ints_and_surrogates():
    value, _ = to_jsonable([math.nan, math.inf, 2**100, "bad \ud800 surrogate"])
    text = canonical_json(value)
    assert json.loads(text)[2] == str(2**100)
    assert "\ud800" not in value[3]


def test_depth_and_item_limits():
    deep: list = []
    cur = deep
    for _ in range(100):
        nxt: list = []
        cur.append(nxt)
        cur = nxt
    _, notes = to_jsonable(deep)
    assert any("max depth" in n for n in notes)
    value, notes = to_jsonable(list(range(5000)), limits=Limits(max_items=10))
    assert len(value) == 10 and "more items" in notes[0]


def test_pydantic_dataclass_and_plain_objects():
    import dataclasses

    @dataclasses.dataclass
    class D:
        x: int

    class Plain:
        def __repr__(self):
            return "Plain()"

    value, _ = to_jsonable({"m": Message(role="user", content="hi"), "d": D(1), "p": Plain(),
                            "t": dt.datetime(2024, 1, 1, tzinfo=dt.UTC)})
    assert value["m"]["content"] == "hi"
    assert value["d"] == {"x": 1}
    assert value["p"] == "Plain()"
    assert value["t"].startswith("2024-01-01")


def test_event_canonical_json_is_stable_and_round_trips():
    event = Event(messages=[Message(role="user", content="hi")], output_text="hello",
                  usage=Usage(input_tokens=3, output_tokens=2)).finish()
    text = event.to_json()
    again = Event.model_validate_json(text)
    assert again.to_json() == text
    assert again.usage.total_tokens == 5
    assert json.loads(text) == json.loads(canonical_json(json.loads(text)))


def test_ids_made_in_batches_are_unique_ordered_uuid7s():
    import uuid

    from scalesafe.model._ids import new_ids

    ids = [new_id()]
    for n in (1, 3, 5000, 32, 0, 7):  # 5000 > 4096: the counter carries into the next millisecond
        ids += new_ids(n)
        ids.append(new_id())
    assert len(ids) == 5050 == len(set(ids))
    assert ids == sorted(ids)
    for text in ids:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 7 and parsed.variant == uuid.RFC_4122
