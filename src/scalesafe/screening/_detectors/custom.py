"""User banned terms (whole word, case-insensitive) and user regexes.

Rule ids are positional (``term_0``, ``pattern_2``) so findings never echo the
banned word itself, which is sensitive in its own right.
"""

from __future__ import annotations

import re

from ...exceptions import ConfigurationError
from . import Hit


class Custom:
    """Compiled user rules; built once per Policy."""

    __slots__ = ("patterns", "terms")

    def __init__(self, terms: list[str], patterns: list[str]) -> None:
        self.terms: re.Pattern[str] | None = None
        # Longest first so "acme secret" wins over "acme"; ids keep the user's order.
        words = sorted(
            ((i, t) for i, t in enumerate(terms) if t.strip()), key=lambda it: -len(it[1])
        )
        if words:
            parts = []
            for i, term in words:
                body = r"\s{1,8}".join(re.escape(w) for w in term.split())
                parts.append(f"(?P<term_{i}>{body})")
            self.terms = re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)
        self.patterns: list[re.Pattern[str]] = []
        for i, source in enumerate(patterns):
            try:
                self.patterns.append(re.compile(source))
            except (re.error, TypeError, ValueError, OverflowError) as exc:
                raise ConfigurationError(
                    f"banned_patterns[{i}] is not a valid regular expression: {exc}"
                ) from None

    def detect(self, text: str, hits: list[Hit]) -> None:
        if self.terms is not None:
            for m in self.terms.finditer(text):
                hits.append(("banned_term", m.lastgroup or "term", m.start(), m.end(), 1.0))
        for i, pattern in enumerate(self.patterns):
            for m in pattern.finditer(text):
                if m.end() > m.start():
                    hits.append(("banned_pattern", f"pattern_{i}", m.start(), m.end(), 1.0))
