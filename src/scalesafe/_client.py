"""The Client owns settings, backend, recorder and policy.

Monitors and handlers share one process-wide default client unless they are
given their own, so configuration happens once.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._settings import Settings, resolve
from .backends import Backend, LocalBackend
from .model import Event, EventDraft, StopState
from .transport import Durability, Recorder, RecorderStats, Sink, StoreSink, Writer

if TYPE_CHECKING:
    from .screening import Policy

log = logging.getLogger("scalesafe")


class Client:
    """Everything a monitor needs; cheap to share between threads."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        home: str | os.PathLike[str] | None = None,
        model: str | None = None,
        policy: Policy | dict[str, Any] | str | os.PathLike[str] | None = None,
        profile: Any = None,
        durability: Durability = "async",
        sink: Sink | None = None,
        backend: Backend | None = None,
        max_queue: int = 10_000,
        batch_size: int = 500,
        queue_timeout: float = 2.0,
        stop_ttl: float = 2.0,
        review_wait: float | None = None,
        writer: Writer | None = None,
    ) -> None:
        self.settings: Settings = resolve(api_key, base_url, home, model)
        self.backend: Backend = backend or self._make_backend(profile)
        self.recorder = Recorder(
            sink or self._make_sink(),
            durability=durability,
            max_queue=max_queue,
            batch_size=batch_size,
            queue_timeout=queue_timeout,
            writer=writer or os.environ.get("SCALESAFE_WRITER") or "auto",  # type: ignore[arg-type]
        )
        self._policy_arg = policy
        self._policy: Policy | None = self._load_policy() if policy is not None else None
        self.review_wait = review_wait
        self._stop = _StopCache(self.backend, stop_ttl, refresh_in_background=self.settings.remote)
        self.internal_errors = 0

    def __repr__(self) -> str:
        return f"Client({self.settings!r})"

    # wiring ---------------------------------------------------------------------------
    @property
    def home(self) -> Path:
        return self.settings.home

    @property
    def model_system(self) -> str:
        return self.backend.model_system

    @property
    def remote(self) -> bool:
        return self.settings.remote

    def _make_backend(self, profile: Any) -> Backend:
        if self.settings.remote:
            from .backends._remote import RemoteBackend

            return RemoteBackend(self.settings)
        return LocalBackend(self._store(), self.settings.model, profile=profile)

    def _make_sink(self) -> Sink:
        if self.settings.remote:
            from .transport._http import HttpSink

            return HttpSink(self.settings)
        return StoreSink(self._store())

    def _store(self) -> Any:
        if getattr(self, "_local_store", None) is None:
            from .store import LocalStore

            self._local_store = LocalStore(self.settings.home / "scalesafe.db")
        return self._local_store

    # policy ---------------------------------------------------------------------------
    @property
    def policy(self) -> Policy:
        if self._policy is None:
            self._policy = self._load_policy()
        return self._policy

    def _load_policy(self) -> Policy:
        from .screening import Policy

        arg = self._policy_arg
        if isinstance(arg, Policy):
            return arg
        if isinstance(arg, dict):
            return Policy.from_dict(arg)
        if isinstance(arg, str | os.PathLike):
            return Policy.from_toml(Path(arg))
        if arg is not None:
            from .exceptions import ConfigurationError

            kind = type(arg).__name__
            raise ConfigurationError(f"policy must be a Policy, a dict or a TOML path, not {kind}")
        try:
            served = self.backend.get_policy()
        except Exception:
            log.warning("scalesafe: could not fetch the server's policy; using the default")
            served = None
        return Policy.from_dict(served) if served else Policy()

    # hot path -------------------------------------------------------------------------
    def record(self, event: Event | EventDraft) -> bool:
        """Hand an event to the recorder. No I/O unless durability='sync'.

        The recorder serialises the event a little later: record an event once
        it is complete (or record a copy if you will keep changing it).
        """
        system = self.backend.model_system
        if type(event) is EventDraft:
            event.fields["model_system"] = system
        elif event.model_system != system:
            event.model_system = system
        return self.recorder.enqueue(event)

    def stop_state(self) -> StopState:
        return self._stop.get()

    # control --------------------------------------------------------------------------
    def flush(self, timeout: float = 5.0) -> int:
        return self.recorder.flush(timeout)

    def close(self, timeout: float = 5.0) -> int:
        left = self.recorder.close(timeout)
        try:
            self.backend.close()
        except Exception:
            log.exception("scalesafe: backend close failed")
        return left

    @property
    def stats(self) -> RecorderStats:
        return self.recorder.stats


class _StopCache:
    """The stop switch as last read, never more than ``ttl`` old, and read off the hot path.

    Once half the ``ttl`` has passed, a call starts a read in the background and returns the
    state it has; while calls keep coming, that read lands long before the ``ttl`` is up, so
    no call waits for the store. A call that finds the state older than ``ttl`` (the first,
    or one after a pause) reads it then: a stale switch is no switch. With a server, reads
    are network calls and always happen in the background.
    """

    def __init__(self, backend: Backend, ttl: float, *, refresh_in_background: bool) -> None:
        self.backend = backend
        self.ttl = ttl
        self.background = refresh_in_background
        self._state = StopState()
        self._fresh_until = 0.0  # no read needed before this
        self._valid_until = 0.0  # the state may be returned until this
        self._lock = threading.Lock()
        self._refreshing = 0  # pid of the process whose thread is reading (a fork has no thread)
        self._loaded = False

    def get(self) -> StopState:
        now = time.monotonic()
        if now < self._fresh_until:
            return self._state
        if self._loaded and (self.background or now < self._valid_until):
            self._refresh_async()
        else:
            self._refresh()
        return self._state

    def invalidate(self) -> None:
        self._fresh_until = self._valid_until = 0.0

    def _refresh(self) -> None:
        read_at = time.monotonic()  # before the read: its result is at least this fresh
        try:
            self._state = self.backend.get_stop()
        except Exception as exc:  # keep the last known state; never fail the call
            log.debug("scalesafe: stop switch check failed: %s", type(exc).__name__)
        self._loaded = True
        self._fresh_until = read_at + self.ttl / 2
        self._valid_until = read_at + self.ttl

    def _refresh_async(self) -> None:
        pid = os.getpid()
        with self._lock:
            if self._refreshing == pid:
                return
            self._refreshing = pid

        def run() -> None:
            try:
                self._refresh()
            finally:
                self._refreshing = 0

        threading.Thread(target=run, name="scalesafe-stop-check", daemon=True).start()


_default: Client | None = None
_default_lock = threading.Lock()


def get_client() -> Client:
    """The process-wide default client, created from the environment on first use."""
    global _default
    client = _default
    if client is None:
        with _default_lock:
            if _default is None:
                _default = Client()
            client = _default
    return client


def configure(**kwargs: Any) -> Client:
    """Replace the default client (same arguments as ``Client``); returns it."""
    global _default
    client = Client(**kwargs)
    with _default_lock:
        old, _default = _default, client
    if old is not None:
        old.close(timeout=2.0)
    return client


def flush(timeout: float = 5.0) -> int:
    """Flush the default client; returns how many events are still pending."""
    return _default.flush(timeout) if _default is not None else 0
