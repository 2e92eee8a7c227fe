"""Text folding for phrase detectors: confusables, zero-width and accents.

Attackers write "ignore" with a Cyrillic i or hide a zero-width space inside a
keyword. Folding maps every character to at most one character (or deletes
it), so an offset in the folded text maps back to the original with a simple
index table, built only when a match needs it.
"""

from __future__ import annotations

import unicodedata

_ZERO_WIDTH = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e\u200b"
    "\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062"
    "\u2063\u2064\ufe0e\ufe0f\ufeff"
)
_SPACES = (
    "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)
# Latin look-alikes from other scripts (a documented, deliberately small subset).
# Latin look-alikes from Cyrillic, Greek and a few others (a deliberately small subset),
# written as escapes: source characters, then the ASCII letter each one folds to.
_CONFUSABLE_SRC = (
    "\u0430\u0432\u0435\u043a\u043c\u043d\u043e\u0440"
    "\u0441\u0442\u0443\u0445\u0456\u0457\u0458\u0455"
    "\u0501\u04bb\u04cf\u051b\u051d\u0261\u0578\u057d"
    "\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420"
    "\u0421\u0422\u0425\u0406\u0408\u0405\u0500\u04ae"
    "\u03b1\u03bf\u03b5\u03b9\u03ba\u03bd\u03c1\u03c4"
    "\u03c5\u0391\u0392\u0395\u0396\u0397\u0399\u039a"
    "\u039c\u039d\u039f\u03a1\u03a4\u03a5\u03a7\u0131"
    "\u0237\u2113"
)
_CONFUSABLE_DST = "abekmhopctyxiijsdhlqwgnuABEKMHOPCTXIJSDYaoeikvptuABEZHIKMNOPTYXijl"
_CONFUSABLES = dict(zip(_CONFUSABLE_SRC, _CONFUSABLE_DST, strict=True))


def _build_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for ch in _ZERO_WIDTH:
        table[ord(ch)] = None
    for cp in range(0x0300, 0x0370):  # combining diacritical marks
        table[cp] = None
    for ch in _SPACES:
        table[ord(ch)] = " "
    # Accented Latin, fullwidth forms, mathematical alphanumerics, enclosed letters:
    # keep a compatibility decomposition only when it is one ASCII letter or digit.
    ranges = [(0x00C0, 0x0250), (0xFF01, 0xFF5F), (0x1D400, 0x1D800), (0x2460, 0x24EA)]
    for lo, hi in ranges:
        for cp in range(lo, hi):
            base = unicodedata.normalize("NFKD", chr(cp))
            if base and base[0].isascii() and base[0].isalnum():
                if lo == 0x00C0 or len(base) == 1:
                    table[cp] = base[0]
            elif lo == 0xFF01 and len(base) == 1 and base.isascii():
                table[cp] = base
    for src, dst in _CONFUSABLES.items():
        table[ord(src)] = dst
    return table


TABLE: dict[int, str | None] = _build_table()


class Folded:
    """A folded view of ``text`` that maps spans back to the original."""

    __slots__ = ("_index", "lower", "original", "text")

    def __init__(self, text: str, lower: str | None = None) -> None:
        """``lower``: ``text.lower()`` when the caller has it and ``text`` is ASCII."""
        self.original = text
        self._index: list[int] | None = None
        if lower is not None:
            self.text = text
            self.lower = lower
            return
        self.text = text if text.isascii() else text.translate(TABLE)
        self.lower = self.text.lower()
        if len(self.lower) != len(self.text):  # a few characters lower-case to two
            self.lower = "".join(c.lower() if len(c.lower()) == 1 else c for c in self.text)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a folded span to the original text."""
        if len(self.text) == len(self.original):
            return start, end
        if self._index is None:
            table = TABLE
            self._index = [
                i for i, c in enumerate(self.original) if table.get(ord(c), 0) is not None
            ]
        index = self._index
        if start >= len(index):
            return len(self.original), len(self.original)
        last = index[end - 1] + 1 if end > start else index[start]
        return index[start], last
