"""Personal identifiers: US SSN, email addresses, phone numbers."""

from __future__ import annotations

import re

from . import Hit, anchor_windows

# ---- SSN ------------------------------------------------------------------------------
_SSN_DASHED = re.compile(r"([0-9](?<![\w-][0-9])[0-9]{2})-([0-9]{2})-([0-9]{4})(?![\w]|-\d)")
# Nine digits (or space separated) only right after an explicit label.
_SSN_CONTEXT = re.compile(
    r"\b(?:ssn|ss#|social[ \t]{1,3}security(?:[ \t]{1,3}(?:number|no\.?|num|#))?)"
    r"[\s:#.=-]{0,6}(?:is[ \t]{1,3})?(?<![\w])(\d{3})[ -]?(\d{2})[ -]?(\d{4})(?![\w]|[ -]\d)",
    re.IGNORECASE,
)


def ssn_valid(area: str, group: str, serial: str) -> bool:
    """SSA rules: no area 000, 666 or 900-999 (ITINs), no group 00, no serial 0000."""
    return (
        area != "000"
        and area != "666"
        and area[0] != "9"
        and group != "00"
        and serial != "0000"
    )


def detect_ssn(text: str, hits: list[Hit], lo: int = 0, hi: int | None = None) -> None:
    """Dashed SSNs anywhere in ``text[lo:hi]``."""
    for m in _SSN_DASHED.finditer(text, lo, len(text) if hi is None else hi):
        if ssn_valid(*m.groups()):
            hits.append(("ssn", "ssn_format", m.start(), m.end(), 0.85))


def detect_ssn_context(text: str, hits: list[Hit], lower: str) -> None:
    """Undashed SSNs, only right after an "SSN" / "social security" label."""
    for lo, hi in anchor_windows(lower, ("ssn", "ss#", "social"), 0, 80):
        for m in _SSN_CONTEXT.finditer(text, lo, hi):
            if "-" in text[m.start(1) : m.end(3)] or not ssn_valid(*m.groups()):
                continue  # dashed ones are found (or rejected) by detect_ssn
            hits.append(("ssn", "ssn_context", m.start(1), m.end(3), 0.95))


# ---- email ----------------------------------------------------------------------------
_EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}"
    r"(?![\w-]|\.[A-Za-z0-9])"
)


def detect_email(text: str, hits: list[Hit]) -> None:
    for m in _EMAIL.finditer(text):
        local = m.group().split("@", 1)[0]
        if local.endswith(".") or ".." in local:
            continue
        hits.append(("email", "email", m.start(), m.end(), 1.0))


# ---- phone ----------------------------------------------------------------------------
# International: "+" country code, then separated groups (or compact E.164).
_PHONE_INTL = re.compile(
    r"(?<![\w+])\+(?:[1-9]\d{7,14}"
    r"|[1-9]\d{0,2}(?:[ .-]?\(\d{1,4}\)[ .-]?\d{1,4}|[ .-]\d{1,4})(?:[ .-]\d{1,5}){1,4})"
    r"(?![\w]|[ .-]?\d)"
)
# North American: (ddd) ddd-dddd, ddd-ddd-dddd, ddd.ddd.dddd; never after "#" (order numbers).
_PHONE_US = re.compile(
    r"(?<![\w#/.+-])(?:\(\d{3}\)[ ]?\d{3}[-. ]\d{4}|\d{3}-\d{3}-\d{4}|\d{3}\.\d{3}\.\d{4})"
    r"(?![\w]|[-.]\d)"
)


def detect_phone(text: str, hits: list[Hit], lo: int = 0, hi: int | None = None) -> None:
    hi = len(text) if hi is None else hi
    for m in _PHONE_INTL.finditer(text, lo, hi):
        digits = sum(c.isdigit() for c in m.group())
        if 8 <= digits <= 15:
            hits.append(("phone", "phone_intl", m.start(), m.end(), 0.9))
    for m in _PHONE_US.finditer(text, lo, hi):
        raw = m.group()
        area = raw[1] if raw[0] == "(" else raw[0]
        if area in "01":  # NANP area codes start with 2-9
            continue
        hits.append(("phone", "phone_us", m.start(), m.end(), 0.85))
