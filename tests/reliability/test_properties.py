"""Property tests: the canonical form round-trips and hashes stably for any JSON value."""

import hashlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalesafe.model import GENESIS, Event, _canonical, canonical_json, chain_hash, sha256_hex, to_jsonable
from scalesafe.store import LocalStore

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


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=0, max_size=70_000))
def test_sha256_hex_matches_one_shot_sha256(data):
    assert sha256_hex(data) == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("size", [0, 1, 2046, 2047, 2048, 2049, 4094, 4095, 4096, 65_535, 65_536, 200_000])
def test_sha256_hex_matches_at_every_piece_boundary(size):
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    assert sha256_hex(data) == hashlib.sha256(data).hexdigest()


def test_row_hashes_feed_hashlib_pieces_that_keep_the_gil(monkeypatch, tmp_path):
    """hashlib releases the GIL for 2,048 bytes or more; a writer that lets it go waits behind
    the application's thread to get it back, for every row. Rows up to 64 KiB stay under."""
    fed: list[int] = []
    real = hashlib.sha256

    class Recording:
        def __init__(self, data=b""):
            self._h = real()
            self.update(data)

        def update(self, data):
            if len(data):
                fed.append(len(data))
            self._h.update(data)

        def hexdigest(self):
            return self._h.hexdigest()

    monkeypatch.setattr(_canonical, "_sha256", Recording)
    body = "x" * 10_000
    expected = real(f"{GENESIS}\x1f1\x1f{body}".encode()).hexdigest()
    assert chain_hash(GENESIS, 1, body) == expected
    assert sum(fed) == len(body) + len(GENESIS) + 3 and max(fed) < 2048
    fed.clear()
    chain_hash(GENESIS, 1, "y" * 100_000)  # long enough to hash without the GIL
    assert fed == [100_000 + len(GENESIS) + 3]
    fed.clear()
    store = LocalStore(tmp_path / "s.db")  # the writer's own path
    store.append_events([Event(output_text="z" * 10_000)])
    assert sum(fed) > 10_000 and max(fed) < 2048
    assert store.verify() == []
    store.close()
