"""Payment cards (Luhn) and IBANs (ISO 13616 mod-97): checksums keep false positives rare."""

from __future__ import annotations

import re

from . import Hit

# Up to 19 digits, single spaces or dashes between digits; not glued to other digits,
# words, decimals or a phone's leading "+", and not the head or tail of a longer run of
# digit groups. A short group after it (a CVV, say) may be swallowed: see _best_prefix.
_CARD = re.compile(r"[0-9](?<![\w.+][0-9])(?<![0-9][ -][0-9])(?:[ -]?[0-9]){12,18}(?![\w]|[ -]\d{4}|\.\d)")


def luhn_valid(digits: str) -> bool:
    """The Luhn mod-10 check used by every major card scheme."""
    total = 0
    double = False
    for ch in reversed(digits):
        d = ord(ch) - 48
        if double:
            d *= 2
            if d > 9:
                d -= 9
        total += d
        double = not double
    return total % 10 == 0


def _best_prefix(raw: str) -> int:
    """Length of the longest Luhn-valid card in ``raw`` ending at a group end (0: none)."""
    ends = [len(raw)] + [i for i in range(len(raw) - 1, 0, -1) if raw[i] in " -"]
    for end in ends:
        digits = raw[:end].replace(" ", "").replace("-", "")
        if len(digits) < 13:
            break
        if len(digits) <= 19 and digits.count(digits[0]) != len(digits) and luhn_valid(digits):
            return end
    return 0


def detect_cards(text: str, hits: list[Hit], lo: int = 0, hi: int | None = None) -> None:
    for m in _CARD.finditer(text, lo, len(text) if hi is None else hi):
        end = _best_prefix(m.group())
        if end:
            confidence = 1.0 if m.group()[0] in "23456" else 0.8  # major-network IIN ranges
            hits.append(("payment_card", "luhn", m.start(), m.start() + end, confidence))


# IBAN length per country (ISO 13616 registry), for the commonly seen countries.
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20,
    "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18,
    "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "JO": 30,
    "KW": 30, "KZ": 20, "LB": 28, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24,
    "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28,
    "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SE": 24, "SI": 19, "SK": 24,
    "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VG": 24, "XK": 20,
}

_IBAN_START = re.compile(r"(?<![A-Za-z0-9])([A-Z]{2})\d{2}(?= ?[A-Z0-9])")
_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def iban_valid(iban: str) -> bool:
    """Country length and ISO 7064 mod-97 == 1 on an IBAN without spaces."""
    if len(iban) < 5 or IBAN_LENGTHS.get(iban[:2]) != len(iban) or not iban[2:4].isdigit():
        return False
    if any(c not in _ALNUM for c in iban):
        return False
    moved = iban[4:] + iban[:4]
    number = "".join(str(int(c, 36)) for c in moved)
    return int(number) % 97 == 1


def detect_iban(text: str, hits: list[Hit], lo: int = 0, hi: int | None = None) -> None:
    n = len(text)
    last_end = 0
    for m in _IBAN_START.finditer(text, lo, n if hi is None else hi):
        start = m.start()
        if start < last_end:
            continue
        length = IBAN_LENGTHS.get(m.group(1))
        if length is None:
            continue
        chars = [text[start : start + 4]]
        need = length - 4
        i = start + 4
        while need and i < n:
            c = text[i]
            if c in _ALNUM:
                chars.append(c)
                need -= 1
                i += 1
            elif c == " " and i + 1 < n and text[i + 1] in _ALNUM and text[i - 1] != " ":
                i += 1
            else:
                break
        if need or (i < n and (text[i].isalnum() or text[i] == "_")):
            continue
        if iban_valid("".join(chars)):
            hits.append(("iban", "mod97", start, i, 1.0))
            last_end = i
