"""Detectors: pure functions ``text -> hits``. A hit never carries the matched text.

A hit is ``(kind, rule, start, end, confidence)``; the engine turns hits into
``Finding`` models once, at the end, because building pydantic models is the
expensive part of screening clean traffic.

Speed comes from not running regexes where they cannot match: detectors look
for cheap literal anchors with ``str.find`` (far faster than a regex scan) and
run their patterns only in small windows around them. A window must contain
the whole of any match through that anchor, so ``before``/``after`` exceed the
longest possible match.
"""

from __future__ import annotations

from collections.abc import Iterable

Hit = tuple[str, str, int, int, float]


def merge(spans: Iterable[tuple[int, int]], before: int, after: int, n: int) -> list[tuple[int, int]]:
    """Pad sorted ``(start, end)`` spans and merge the overlapping ones."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        lo = start - before if start > before else 0
        hi = end + after if end + after < n else n
        if out and lo <= out[-1][1]:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def anchor_windows(
    lower: str, anchors: Iterable[str], before: int, after: int
) -> list[tuple[int, int]]:
    """Merged windows around every occurrence of any anchor in ``lower``."""
    found: list[tuple[int, int]] = []
    for anchor in anchors:
        i = lower.find(anchor)
        while i != -1:
            found.append((i, i + len(anchor)))
            i = lower.find(anchor, i + 1)
    if not found:
        return []
    found.sort()
    return merge(found, before, after, len(lower))


__all__ = ["Hit", "anchor_windows", "merge"]
