"""Incremental screening of streamed output, with a bounded memory window.

Each ``feed`` rescans the kept tail plus the new chunk. A hit is reported once,
when at least ``_MARGIN`` characters follow it (so the detector's look-ahead has
proved it complete: e.g. a non-digit after a card number) or at ``finish()``.
Hits that start inside the first ``_GUARD`` characters of a trimmed window are
ignored: they were either reported already or are the cut-off tail of something
that started before the window, which rescanning cannot judge. Anything up to
``window - _GUARD - _MARGIN`` characters long is found wherever the chunk
boundaries fall.
"""

from __future__ import annotations

from ..model import Action, Direction, Finding, Verdict
from ._engine import default_policy, evaluate, scan_hits
from ._policy import Policy

_MARGIN = 2
_GUARD = 128


class StreamScreener:
    """Screen output chunks as they arrive; report each finding once, with stream offsets."""

    def __init__(
        self, policy: Policy | None = None, direction: str = "output", *, window: int = 1024
    ) -> None:
        self.policy = policy or default_policy()
        self.direction = Direction(direction)
        self.window = max(window, 4 * _GUARD)
        self._buffer = ""
        self._base = 0  # stream offset of _buffer[0]
        self._reported: list[tuple[str, int, int]] = []  # (kind, start, end), stream offsets
        self._findings: list[Finding] = []
        self._action = Action.ALLOW
        self._finished = False

    @property
    def position(self) -> int:
        """Characters seen so far."""
        return self._base + len(self._buffer)

    def feed(self, chunk: str) -> list[Finding]:
        """Add a chunk; return findings completed so far that were not reported before."""
        if not chunk:
            return []
        self._buffer += chunk
        new = self._collect(final=False)
        keep = self.window
        if len(self._buffer) > keep:
            cut = len(self._buffer) - keep
            self._buffer = self._buffer[cut:]
            self._base += cut
        return new

    def finish(self) -> list[Finding]:
        """End of stream: report whatever is still pending in the window."""
        if self._finished:
            return []
        self._finished = True
        return self._collect(final=True)

    @property
    def verdict(self) -> Verdict:
        """All findings reported so far and the most severe action among them."""
        return Verdict(action=self._action, findings=list(self._findings))

    def _collect(self, *, final: bool) -> list[Finding]:
        buffer = self._buffer
        limit = len(buffer) if final else len(buffer) - _MARGIN
        floor = _GUARD if self._base else 0
        fresh = []
        for kind, rule, start, end, confidence in scan_hits(buffer, self.policy):
            if end > limit or start < floor:
                continue
            start += self._base
            end += self._base
            if any(k == kind and s < end and start < e for k, s, e in self._reported):
                continue
            self._reported.append((kind, start, end))
            fresh.append(Finding(kind=kind, rule=rule, start=start, end=end, confidence=confidence))
        if len(self._reported) > 256:  # only recent spans can overlap the window
            self._reported = [r for r in self._reported if r[2] > self._base]
        if not fresh:
            return []
        verdict = evaluate(fresh, self.policy, self.direction)
        self._findings.extend(verdict.findings)
        if verdict.action.rank > self._action.rank:
            self._action = verdict.action
        return verdict.findings
