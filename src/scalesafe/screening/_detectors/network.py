"""IP addresses: IPv4 with octet checks and IPv6 validated by the standard library."""

from __future__ import annotations

import ipaddress
import re

from . import Hit

# Four dotted groups, not part of a longer dotted run ("1.2.3.4.5") nor a version ("v1.2.3.4").
_IPV4 = re.compile(r"[0-9](?<![\w.][0-9])[0-9]{0,2}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\w]|\.\d)")


def detect_ipv4(text: str, hits: list[Hit], lo: int = 0, hi: int | None = None) -> None:
    for m in _IPV4.finditer(text, lo, len(text) if hi is None else hi):
        if all(int(part) <= 255 for part in m.group().split(".")):
            hits.append(("ip_address", "ipv4", m.start(), m.end(), 0.9))


# IPv6 needs two colons close together; candidates grow out of such a seed.
_V6_SEED = re.compile(r":[0-9A-Fa-f]{0,4}:")
_HEX = frozenset("0123456789abcdefABCDEF:")
_TAIL = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")


def detect_ipv6(text: str, hits: list[Hit]) -> None:
    n = len(text)
    last_end = -1
    for m in _V6_SEED.finditer(text):
        if m.start() < last_end:
            continue
        lo = m.start()
        limit = max(0, lo - 39)
        while lo > limit and text[lo - 1] in _HEX:
            lo -= 1
        hi = m.end()
        limit = min(n, lo + 39)
        while hi < limit and text[hi] in _HEX:
            hi += 1
        last_end = hi
        if hi < n and text[hi] == ".":  # IPv4-mapped tail, e.g. ::ffff:192.0.2.1
            tail = _TAIL.match(text, text.rfind(":", lo, hi) + 1)
            if tail is None:
                continue
            hi = tail.end()
        if lo > 0 and (text[lo - 1].isalnum() or text[lo - 1] in "_:."):
            continue
        if hi < n and (text[hi].isalnum() or text[hi] in "_:"):
            continue
        if hi + 1 < n and text[hi] == "." and text[hi + 1].isalnum():
            continue
        candidate = text[lo:hi]
        if not any(c.isdigit() for c in candidate) or candidate.count(":") < 2:
            continue
        try:
            ipaddress.IPv6Address(candidate)
        except ValueError:
            continue
        hits.append(("ip_address", "ipv6", lo, hi, 0.9))
        last_end = hi
