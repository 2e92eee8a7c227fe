"""A disk spool: batches the server could not take yet, one file each, oldest first.

A file is written to a temporary name, fsynced, then renamed, so a crash leaves
either a whole batch or none. File names sort by time and carry the event
count, so the spool can be reported on without reading it. Several processes
may share a spool: ingest is idempotent by event id, so a batch sent twice is
stored once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import time
from pathlib import Path

log = logging.getLogger("scalesafe")

SUFFIX = ".batch.json"
REJECTED = "rejected"
DEFAULT_MAX_BYTES = 1024 * 1024 * 1024


class Spool:
    def __init__(self, folder: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.folder = Path(folder)
        self.max_bytes = max_bytes
        self.dropped_events = 0
        self._known_empty = False

    def put(self, payload: bytes, count: int) -> Path:
        """Store one batch durably; the oldest batches go when the spool is over its size."""
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns():020d}-{os.getpid()}-{secrets.token_hex(4)}-{count}{SUFFIX}"
        final = self.folder / name
        tmp = self.folder / f".{name}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
        self._known_empty = False
        self._enforce_size()
        return final

    def files(self) -> list[Path]:
        """Spooled batches, oldest first."""
        if self._known_empty:
            return []
        try:
            found = sorted(p for p in self.folder.iterdir() if p.name.endswith(SUFFIX)
                           and not p.name.startswith("."))
        except FileNotFoundError:
            found = []
        self._known_empty = not found
        return found

    def empty(self) -> bool:
        return not self.files()

    def pending_events(self) -> int:
        return sum(count_of(p) for p in self.files())

    @staticmethod
    def read(path: Path) -> bytes | None:
        try:
            return path.read_bytes()
        except FileNotFoundError:  # another process shipped it meanwhile
            return None

    @staticmethod
    def remove(path: Path) -> None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()

    def reject(self, path: Path) -> None:
        """Keep a batch the server refused for good, out of the retry queue, for a person."""
        target = self.folder / REJECTED
        target.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            os.replace(path, target / path.name)
        self._known_empty = False

    def forget_cache(self) -> None:
        """Look at the disk again next time (another process may have added batches)."""
        self._known_empty = False

    def _enforce_size(self) -> None:
        files = self.files()
        sizes = [_size(p) for p in files]
        total = sum(sizes)
        for path, size in zip(files, sizes, strict=True):
            if total <= self.max_bytes:
                break
            self.remove(path)
            total -= size
            self.dropped_events += count_of(path)
            log.warning("scalesafe: spool over %d bytes; dropped the oldest batch (%d events)",
                        self.max_bytes, count_of(path))
        self._known_empty = False


def count_of(path: Path) -> int:
    try:
        return int(path.name[: -len(SUFFIX)].rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return 0


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0
