"""Property tests: the canonical form round-trips and hashes stably for any JSON value."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from scalesafe.model import GENESIS, canonical_json, chain_hash, to_jsonable

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**62), 2**62)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(), children, max_size=5),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_canonical_form_round_trips_and_hash_is_stable(value):
    text = canonical_json(value)
    again = canonical_json(json.loads(text))
    assert again == text
    assert chain_hash(GENESIS, 1, text) == chain_hash(GENESIS, 1, again)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_to_jsonable_is_identity_on_json_and_never_raises(value):
    converted, notes = to_jsonable(value)
    assert canonical_json(converted) == canonical_json(value)
    assert notes == []


@settings(max_examples=100, deadline=None)
@given(st.from_type(object) | st.binary() | st.sets(st.integers()) | st.tuples(st.text(), st.binary()))
def test_to_jsonable_accepts_arbitrary_objects(value):
    converted, _ = to_jsonable(value)
    canonical_json(converted)


def test_row_hash_is_pinned():
    """Stored databases verify against this exact scheme: it must never change."""
    assert chain_hash(GENESIS, 7, '{"id":"é"}') == (
        "ecc01c9bb3e6e627ac2120d0022d614f66bbaed92cb159f5efd507f9142cb84c")
