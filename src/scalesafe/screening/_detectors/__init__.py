"""Detectors: pure functions ``text -> hits``. A hit never carries the matched text.

A hit is ``(kind, rule, start, end, confidence)``; the engine turns hits into
``Finding`` models once, at the end, because building pydantic models is the
expensive part of screening clean traffic.
"""

from __future__ import annotations

Hit = tuple[str, str, int, int, float]

__all__ = ["Hit"]
