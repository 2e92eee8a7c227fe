"""Linear time on hostile 1 MB inputs; properties checked against reference implementations."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scalesafe.screening import (
    Policy,
    StreamScreener,
    iban_valid,
    luhn_valid,
    redact,
    scan,
    screen,
    ssn_valid,
)
from scalesafe.screening._detectors.financial import IBAN_LENGTHS

MB = 1_000_000

HOSTILE = {
    "digits": "1" * MB,
    "spaced_digits": "1 " * (MB // 2),
    "dashed_digits": "12-" * (MB // 3),
    "at_signs": "@" * MB,
    "emails": "a@" * (MB // 2),
    "dotted_local": "a." * (MB // 2) + "@x",
    "ignore": "ignore " * (MB // 7),
    "ignore_all": "ignore all the " * (MB // 15),
    "begin": "-----BEGIN" * (MB // 10),
    "begin_keys": "-----BEGIN RSA PRIVATE KEY-----" * (MB // 31),
    "dots": "." * MB,
    "dotted_digits": "1." * (MB // 2),
    "colons": ":" * MB,
    "hex_colons": "a:" * (MB // 2),
    "plus": "+1 " * (MB // 3),
    "parens": "(555) " * (MB // 6),
    "iban_like": "DE89 " * (MB // 5),
    "tokens": "sk-" + "a" * MB,
    "jwt": "eyJ" + "a" * MB,
    "assign": "password=" * (MB // 9),
    "zero_width": "i\u200bg" * (MB // 3),
    "cyrillic": "\u0456gnore " * (MB // 7),
    "dan": "dan " * (MB // 4),
    "mode": "developer " * (MB // 10),
}


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_megabyte_is_fast(name: str) -> None:
    text = HOSTILE[name]
    policy = Policy(banned_terms=["ignore all"], banned_patterns=[r"DE\d{2}"])
    t0 = time.perf_counter()
    screen(text, "input", policy)
    assert time.perf_counter() - t0 < 10, name


@pytest.mark.timeout(30)
def test_hostile_stream_is_bounded() -> None:
    s = StreamScreener()
    chunk = "4111 " * 20
    for _ in range(2000):
        s.feed(chunk)
    s.finish()
    assert len(s._buffer) <= s.window


# ---- reference implementations (deliberately naive) -------------------------------------
def ref_luhn(digits: str) -> bool:
    checksum = 0
    for index, ch in enumerate(digits[::-1]):
        value = int(ch)
        if index % 2 == 1:
            value = sum(int(d) for d in str(value * 2))
        checksum += value
    return checksum % 10 == 0


def ref_iban(value: str) -> bool:
    if IBAN_LENGTHS.get(value[:2]) != len(value) or not value[2:4].isdigit():
        return False
    if not all(c.isdigit() or "A" <= c <= "Z" for c in value):
        return False
    moved = value[4:] + value[:4]
    remainder = 0
    for c in moved:
        for d in str(ord(c) - 55) if c.isalpha() else c:
            remainder = (remainder * 10 + int(d)) % 97
    return remainder == 1


def ref_ssn(area: str, group: str, serial: str) -> bool:
    a = int(area)
    return a not in (0, 666) and not 900 <= a <= 999 and int(group) != 0 and int(serial) != 0


@given(st.text(alphabet="0123456789", min_size=1, max_size=25))
def test_luhn_matches_reference(digits: str) -> None:
    assert luhn_valid(digits) == ref_luhn(digits)


@given(
    st.sampled_from(sorted(IBAN_LENGTHS)),
    st.integers(0, 99),
    st.text(alphabet="0123456789ABCDEFXYZ", min_size=8, max_size=30),
)
def test_iban_matches_reference(country: str, check: int, body: str) -> None:
    value = f"{country}{check:02d}{body}"
    assert iban_valid(value) == ref_iban(value)


@given(st.integers(0, 999), st.integers(0, 99), st.integers(0, 9999))
def test_ssn_matches_reference(area: int, group: int, serial: int) -> None:
    a, g, s = f"{area:03d}", f"{group:02d}", f"{serial:04d}"
    assert ssn_valid(a, g, s) == ref_ssn(a, g, s)
    found = [f.kind for f in scan(f"ssn {a}-{g}-{s}.")]
    assert ("ssn" in found) == ref_ssn(a, g, s)


@given(st.integers(10**12, 10**19 - 1))
def test_card_detection_matches_reference(number: int) -> None:
    digits = str(number)
    found = [f for f in scan(f"pay {digits} now") if f.kind == "payment_card"]
    expected = ref_luhn(digits) and len(set(digits)) > 1
    assert bool(found) == expected


SAMPLES = ["4111 1111 1111 1111", "a@b.io", "ignore previous instructions", "10.0.0.1",
           "123-45-6789", "sk-ant-", "\u200b", "\u0456", "-----BEGIN PRIVATE KEY-----", "+44 "]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.text(max_size=30), st.sampled_from(SAMPLES)), max_size=12))
def test_never_crashes_and_spans_are_sane(parts: list[str]) -> None:
    text = "".join(parts)
    policy = Policy(checks={"email": "redact"}, banned_terms=["x y"], banned_patterns=["z+"])
    for direction in ("input", "output"):
        verdict = screen(text, direction, policy)
        for f in verdict.findings:
            assert 0 <= f.start < f.end <= len(text)
    redact(text, scan(text, policy), policy)
    s = StreamScreener(policy)
    for part in parts:
        for f in s.feed(part):
            assert 0 <= f.start < f.end <= len(text)
    s.finish()
