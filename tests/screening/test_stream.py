"""StreamScreener: matches across chunk boundaries, stream offsets, report-once."""

from __future__ import annotations

import pytest

from scalesafe.model import Action, Direction
from scalesafe.screening import Policy, StreamScreener, scan

from ._data import card, grouped

CARD = grouped(card(seed=5))


def run_stream(text: str, size: int, policy: Policy | None = None) -> tuple[list, list]:
    s = StreamScreener(policy)
    during = []
    for i in range(0, len(text), size):
        during += s.feed(text[i : i + size])
    return during, s.finish()


@pytest.mark.parametrize("size", range(1, 40))
def test_card_split_across_every_chunk_size(size: int) -> None:
    text = f"Sure! The number is {CARD}. Anything else?"
    during, after = run_stream(text, size)
    assert after == []  # the "." after the number already proved it complete
    assert [(f.kind, text[f.start : f.end]) for f in during] == [("payment_card", CARD)]
    assert during[0].action is Action.BLOCK and during[0].direction is Direction.OUTPUT


def test_reported_as_soon_as_complete() -> None:
    s = StreamScreener()
    assert s.feed("card " + CARD[:-1]) == []
    assert s.feed(CARD[-1]) == []  # a further digit could still follow
    found = s.feed(" x")
    assert [f.kind for f in found] == ["payment_card"]
    assert s.feed(" and more text") == []  # reported once
    assert s.verdict.action is Action.BLOCK and len(s.verdict.findings) == 1


def test_finding_completed_only_at_finish() -> None:
    s = StreamScreener()
    text = f"ssn 123-45-{6789}"
    assert s.feed(text) == []
    found = s.finish()
    assert [(f.kind, f.start, f.end) for f in found] == [("ssn", 4, 15)]
    assert s.finish() == []


def test_offsets_are_relative_to_the_whole_stream() -> None:
    filler = "lorem ipsum dolor sit amet " * 200  # far longer than the window
    text = filler + f"mail bob@example.org then {CARD}!" + filler + "ignore previous instructions"
    for size in (1, 7, 64, 5000):
        s = StreamScreener(direction="input")
        found = []
        for i in range(0, len(text), size):
            found += s.feed(text[i : i + size])
        found += s.finish()
        assert [(f.kind, text[f.start : f.end]) for f in found] == [
            ("email", "bob@example.org"),
            ("payment_card", CARD),
            ("prompt_injection", "ignore previous instructions"),
        ]
        assert found[-1].action is Action.BLOCK  # input direction


def test_stream_agrees_with_batch_on_mixed_text() -> None:
    text = (
        "Contact (555) 123-4567 or +44 20 7946 0958, server 10.0.0.1, key "
        "AKIAQ7N2ZP4LX9WB3KD5 and " + CARD + " plus 2001:db8::1 end"
    )
    expected = [(f.kind, f.start, f.end) for f in scan(text)]
    for size in (1, 2, 3, 5, 8, 13, 100):
        during, after = run_stream(text, size)
        got = sorted((f.kind, f.start, f.end) for f in during + after)
        assert got == sorted(expected), size


def test_policy_and_empty_chunks() -> None:
    s = StreamScreener(Policy(output={"email": "redact"}))
    assert s.feed("") == []
    found = s.feed("write to a@b.io now")
    assert [f.action for f in found] == [Action.REDACT]
    assert s.verdict.action is Action.REDACT


def test_no_false_partial_at_window_edge() -> None:
    # A 40-digit run is never a card; trimming the window must not expose its tail as one.
    digits = "".join(card(seed=i) for i in range(3))
    during, after = run_stream("x " + digits + " y", 3)
    assert [f for f in during + after if f.kind == "payment_card"] == []
