"""Credentials: vendor token formats, private key blocks, JWTs, high-entropy assignments.

Vendor formats have distinctive prefixes, so each regex runs only when its
literal prefix occurs in the text (``str.__contains__`` is far faster than a
regex scan). Token bodies are bounded so every pattern stays linear.
"""

from __future__ import annotations

import bisect
import math
import re

from . import Hit

KIND = "secret"

# (rule, literal prefixes (one must occur), pattern)
_TOKENS: list[tuple[str, tuple[str, ...], re.Pattern[str]]] = [
    ("anthropic_key", ("sk-ant-",), re.compile(r"(?<![\w-])sk-ant-[A-Za-z0-9_-]{20,300}")),
    (
        "openai_key",
        ("sk-",),
        re.compile(r"(?<![\w-])sk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,300}"),
    ),
    (
        "aws_access_key",
        ("AKIA", "ASIA"),
        re.compile(r"(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])"),
    ),
    (
        "github_token",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
        re.compile(r"(?<![\w-])gh[pousr]_[A-Za-z0-9]{36,255}"),
    ),
    ("github_pat", ("github_pat_",), re.compile(r"(?<![\w-])github_pat_[A-Za-z0-9_]{22,255}")),
    ("slack_token", ("xox",), re.compile(r"(?<![\w-])xox[abprs]-[A-Za-z0-9-]{10,255}")),
    ("google_api_key", ("AIza",), re.compile(r"(?<![\w-])AIza[0-9A-Za-z_-]{35}(?![\w-])")),
    ("stripe_key", ("_live_",), re.compile(r"(?<![\w-])(?:sk|rk)_live_[0-9A-Za-z]{16,255}")),
    (
        "jwt",
        ("eyJ",),
        re.compile(
            r"(?<![\w-])eyJ[A-Za-z0-9_-]{8,4000}\.eyJ[A-Za-z0-9_-]{8,8000}\.[A-Za-z0-9_-]{8,4000}"
        ),
    ),
]

_PEM_BEGIN = re.compile(r"-----BEGIN (?:[A-Z0-9]{1,16} ){0,3}PRIVATE KEY(?: BLOCK)?-----")
_PEM_END = re.compile(r"-----END (?:[A-Z0-9]{1,16} ){0,3}PRIVATE KEY(?: BLOCK)?-----")
_PEM_MAX = 16_384  # a 4096-bit RSA key is about 3.3 KB

_ASSIGN_WORDS = ("pass", "pwd", "secret", "key", "token", "credential")
_ASSIGN = re.compile(
    r"(?<![A-Za-z0-9])(?:password|passwd|passphrase|pwd|secret|client[_-]?secret|api[_-]?key"
    r"|apikey|secret[_-]?key|access[_-]?key|private[_-]?key|access[_-]?token|auth[_-]?token"
    r"|bearer[_-]?token|token|credentials?)[\"']?[ \t]{0,4}(?:=|:|=>|:=)[ \t]{0,4}[\"']?"
    r"([^\s\"'`,;<>{}()\[\]]{8,200})",
    re.IGNORECASE,
)
_PLACEHOLDERS = ("xxxx", "****", "....", "changeme", "example", "placeholder", "your_", "your-")


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    counts: dict[str, int] = {}
    for c in value:
        counts[c] = counts.get(c, 0) + 1
    n = len(value)
    return -sum(k / n * math.log2(k / n) for k in counts.values())


def _high_entropy(value: str) -> bool:
    lower = value.lower()
    if any(p in lower for p in _PLACEHOLDERS) or value.startswith("$"):
        return False
    classes = (
        any(c.islower() for c in value)
        + any(c.isupper() for c in value)
        + any(c.isdigit() for c in value)
        + any(not c.isalnum() for c in value)
    )
    return classes >= 2 and entropy(value) >= 3.0


# The prefilter. Every token rule's prefixes contain "-", "_", "A" or "eyJ", so one
# memchr per character (and, where it occurs, one scan by a regex that starts with that
# literal character, which ``re`` finds as fast as memchr) decides whether any token
# rule could fire. Each regex is implied by the prefixes (or, for ``xox``, the pattern)
# of the rules it stands for.
_DASH = re.compile(r"-(?:(?<=sk-)|(?<=xox[abprs]-)|----BEGIN)")  # sk-, xox?-, -----BEGIN
_UNDER = re.compile(r"_(?:(?<=gh[pousr]_)|(?<=github_)|live_)")  # gh?_, github_pat_, _live_
_UPPER_A = re.compile(r"A(?:KIA|SIA|Iza)")  # AWS and Google keys


def _token_candidates(text: str) -> tuple[bool, bool]:
    """(a token rule might fire, a private key header might occur)."""
    dash = "-" in text and _DASH.search(text) is not None
    return (
        dash
        or ("_" in text and _UNDER.search(text) is not None)
        or ("A" in text and _UPPER_A.search(text) is not None)
        or ("J" in text and "eyJ" in text)
    ), dash


def detect(text: str, hits: list[Hit], lower: str | None = None, prefilter: bool = True) -> None:
    """Append secret hits. ``prefilter=False`` runs every rule (the reference path)."""
    tokens = pem = True
    if prefilter:
        tokens, pem = _token_candidates(text)
    if tokens:
        for rule, prefixes, pattern in _TOKENS:
            if not any(p in text for p in prefixes):
                continue
            for m in pattern.finditer(text):
                hits.append((KIND, rule, m.start(), m.end(), 1.0))
    if pem and "-----BEGIN" in text:
        _detect_pem(text, hits)
    if prefilter and "=" not in text and ":" not in text:
        return  # every assignment has one of "=", ":", "=>", ":="
    low = lower if lower is not None else text.lower()
    if any(w in low for w in _ASSIGN_WORDS):
        for m in _ASSIGN.finditer(text):
            if _high_entropy(m.group(1)):
                hits.append((KIND, "assignment", m.start(1), m.end(1), 0.8))


def _detect_pem(text: str, hits: list[Hit]) -> None:
    """Header through END marker when present (one pass over each), else the header alone."""
    ends = [m.end() for m in _PEM_END.finditer(text)]
    covered = -1
    for m in _PEM_BEGIN.finditer(text):
        if m.start() < covered:
            continue
        i = bisect.bisect_left(ends, m.end())
        closed = i < len(ends) and ends[i] - m.start() <= _PEM_MAX
        end = ends[i] if closed else m.end()
        hits.append((KIND, "private_key", m.start(), end, 1.0))
        covered = end
