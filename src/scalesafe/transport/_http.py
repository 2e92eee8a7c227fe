"""Ship batches to a ScaleSafe server; when it can't take them, spool them to disk.

``export`` never loses a batch to a network problem: a batch the server did not
acknowledge goes to the spool (durably, so it counts as written) and is retried
with exponential backoff and jitter on later exports and on ``flush``, in this
process or the next. A 429 waits at least its ``Retry-After``; a 401/403 (revoked
key) stops shipping but keeps the spool; a batch refused as invalid is set aside
in ``spool/rejected`` rather than retried for ever.
"""

from __future__ import annotations

import enum
import hashlib
import json
import logging
import random
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

from .._settings import Settings
from ..store import Row
from ._spool import Spool, count_of

log = logging.getLogger("scalesafe")

POST_TIMEOUT = httpx.Timeout(5.0, connect=2.0)
DRAIN_BUDGET = 2.0  # seconds an export may spend sending older spooled batches
FLUSH_TRIES = 3  # failed attempts after which a flush stops waiting for the server


class Outcome(enum.Enum):
    SENT = "sent"
    RETRY = "retry"
    STOPPED = "stopped"
    TOO_LARGE = "too_large"
    REJECTED = "rejected"


def user_agent() -> str:
    from .. import __version__

    return f"scalesafe-python/{__version__}"


def auth_headers(settings: Settings) -> dict[str, str]:
    """Bearer auth for the server (the header's value is never logged)."""
    return {"Authorization": f"Bearer {settings.api_key}", "User-Agent": user_agent()}


def retry_after(response: httpx.Response) -> float | None:
    """Seconds from a Retry-After header (delta form), if any."""
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def spool_folder(settings: Settings) -> Path:
    """One spool per server and key, named by a hash (the key is not recoverable from it)."""
    tag = hashlib.sha256(f"{settings.base_url}\n{settings.api_key}".encode()).hexdigest()[:16]
    return settings.home / "spool" / tag


def encode(batch: Sequence[Row]) -> bytes:
    """The POST body: the rows' recorded JSON as is (the server validates each event)."""
    return ('{"events":[' + ",".join(row.body for row in batch) + "]}").encode("utf-8")


class HttpSink:
    """The Sink for ``SCALESAFE_BASE_URL``: POST /v1/events, with a disk spool behind it."""

    def __init__(self, settings: Settings, *, transport: httpx.BaseTransport | None = None,
                 spool: Spool | None = None, timeout: httpx.Timeout | float = POST_TIMEOUT,
                 backoff_base: float = 0.5, backoff_max: float = 60.0) -> None:
        self.settings = settings
        self.spool = spool or Spool(spool_folder(settings))
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._http = httpx.Client(base_url=settings.base_url or "", headers=auth_headers(settings),
                                  timeout=timeout, transport=transport)
        self._lock = threading.Lock()
        self._failures = 0
        self._next_attempt = 0.0  # exponential backoff after failures
        self._not_before = 0.0  # a 429's Retry-After: never sent earlier
        self.stopped = False  # the key was refused: keep spooling, stop sending
        self.sent_events = 0
        self.spooled_events = 0

    def __repr__(self) -> str:
        return f"HttpSink(base_url={self.settings.base_url!r})"

    # Sink protocol --------------------------------------------------------------------------
    def export(self, batch: Sequence[Row]) -> None:
        """Send, or spool; returns once the batch is on the server or on disk."""
        if not batch:
            return
        payload = encode(batch)
        with self._lock:
            if self.spool.empty() and self._may_send():
                outcome = self._post(payload, len(batch), self.timeout)
                if outcome is Outcome.SENT:
                    return
                if outcome is Outcome.TOO_LARGE and len(batch) > 1:
                    half = len(batch) // 2
                    self._spool(encode(batch[:half]), half)
                    self._spool(encode(batch[half:]), len(batch) - half)
                    return
                path = self._spool(payload, len(batch))
                if outcome in (Outcome.REJECTED, Outcome.TOO_LARGE):
                    self.spool.reject(path)
                return
            self._spool(payload, len(batch))
            self._drain(time.monotonic() + DRAIN_BUDGET)

    def flush(self, timeout: float) -> bool:
        """Send spooled batches until ``timeout``; True when the spool is empty."""
        deadline = time.monotonic() + max(timeout, 0.0)
        if not self._lock.acquire(timeout=max(timeout, 0.0)):
            return False
        try:
            self.spool.forget_cache()
            return self._drain(deadline, flushing=True)
        finally:
            self._lock.release()

    def close(self) -> None:
        self._http.close()

    @property
    def pending_events(self) -> int:
        """Events waiting in the spool (this process's and earlier ones')."""
        return self.spool.pending_events()

    # sending ----------------------------------------------------------------------------------
    def _may_send(self) -> bool:
        now = time.monotonic()
        return not self.stopped and now >= self._next_attempt and now >= self._not_before

    def _spool(self, payload: bytes, count: int) -> Path:
        path = self.spool.put(payload, count)
        self.spooled_events += count
        return path

    def _drain(self, deadline: float, *, flushing: bool = False) -> bool:
        """Send spooled batches oldest first while allowed and before ``deadline``.

        A flush tries once at once (a person asked for it now), then waits out the
        backoff only while the server has failed fewer than ``FLUSH_TRIES`` times in a
        row (a blip, not an outage: exiting with the server down stays quick). A 429's
        Retry-After always holds.
        """
        tries = 0
        while not self.stopped:
            files = self.spool.files()
            if not files:
                return True
            now = time.monotonic()
            if now >= deadline:
                return False
            soft = self._next_attempt if not (flushing and tries == 0) else 0.0
            wait_until = max(soft, self._not_before)
            if now < wait_until:
                if not flushing or wait_until >= deadline or self._failures >= FLUSH_TRIES:
                    return False
                time.sleep(wait_until - now)
                continue
            if self._send_file(files[0], deadline) is Outcome.RETRY:
                tries += 1
        return self.spool.empty()

    def _send_file(self, path: Path, deadline: float) -> Outcome:
        payload = self.spool.read(path)
        if payload is None:
            return Outcome.SENT
        left = max(deadline - time.monotonic(), 0.1)
        read = self.timeout.read if self.timeout.read is not None else 5.0
        connect = self.timeout.connect if self.timeout.connect is not None else 2.0
        timeout = httpx.Timeout(min(read, left), connect=min(connect, left))
        outcome = self._post(payload, count_of(path), timeout)
        if outcome is Outcome.SENT:
            self.spool.remove(path)
        elif outcome is Outcome.TOO_LARGE and self._split(path, payload):
            pass
        elif outcome in (Outcome.REJECTED, Outcome.TOO_LARGE):
            self.spool.reject(path)
        return outcome

    def _split(self, path: Path, payload: bytes) -> bool:
        """Replace a batch the server found too large by its two halves."""
        try:
            events = json.loads(payload)["events"]
        except (ValueError, KeyError, TypeError):
            return False
        if len(events) < 2:
            return False
        half = len(events) // 2
        for part in (events[:half], events[half:]):
            body = json.dumps({"events": part}, separators=(",", ":")).encode("utf-8")
            self.spool.put(body, len(part))
        self.spool.remove(path)
        return True

    def _post(self, payload: bytes, count: int, timeout: httpx.Timeout) -> Outcome:
        try:
            response = self._http.post("/v1/events", content=payload, timeout=timeout,
                                       headers={"Content-Type": "application/json"})
        except httpx.HTTPError as exc:
            self._backoff(None, f"{type(exc).__name__}")
            return Outcome.RETRY
        status = response.status_code
        if status < 300:
            self._failures, self._next_attempt = 0, 0.0
            self.sent_events += count
            return Outcome.SENT
        if status in (401, 403):
            if not self.stopped:
                log.warning("scalesafe: the server refused the API key (HTTP %d); events are kept "
                            "in the spool at %s and no longer sent", status, self.spool.folder)
            self.stopped = True
            return Outcome.STOPPED
        if status == 413:
            return Outcome.TOO_LARGE
        if status in (408, 425, 429) or status >= 500:
            self._backoff(retry_after(response) if status == 429 else None, f"HTTP {status}")
            return Outcome.RETRY
        log.warning("scalesafe: the server refused a batch of %d events (HTTP %d); set aside in %s",
                    count, status, self.spool.folder)
        return Outcome.REJECTED

    def _backoff(self, at_least: float | None, why: str) -> None:
        self._failures += 1
        delay = min(self.backoff_base * 2 ** (self._failures - 1), self.backoff_max)
        delay *= random.uniform(0.5, 1.0)
        now = time.monotonic()
        if at_least is not None:
            delay = max(delay, at_least)
            self._not_before = now + at_least
        self._next_attempt = now + delay
        log.info("scalesafe: server unavailable (%s); spooling, next try in %.1f s", why, delay)
