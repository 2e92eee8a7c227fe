"""The writer process (see ``_process``): frames of rows from a pipe into the embedded store.

Run as ``python -m scalesafe.store._writer DB TIMEOUT RETRIES BACKOFF PIPE_FD COUNTER_FD DONE_FD``
(the store's lock timeout, the recorder's retry policy, and three inherited descriptors: rows
in, progress out, and a pipe that gets a byte after each batch so a flushing parent need not
poll). It imports only
the standard library, orjson and the store (no frameworks, and pydantic only for a draft that
needs it to be written), to stay small.
It exits once the pipe is closed and everything read from it is written, so rows the
application handed over before it died are still stored.
"""

from __future__ import annotations

import contextlib
import marshal
import mmap
import os
import random
import select
import signal
import struct
import sys
import time

from ._store import LocalStore, Row

#: The counter file the parent reads: rows written, rows failed, the last failure's type name.
COUNTERS = struct.Struct("<QQ")
ERROR_AT, ERROR_SIZE = COUNTERS.size, 64
COUNTER_FILE_SIZE = ERROR_AT + ERROR_SIZE
#: Each frame on the pipe: its length, then a marshalled list of row tuples. An empty frame
#: asks for what was sent to be written now (the parent is flushing).
FRAME = struct.Struct("<I")

BATCH_ROWS = 500
LINGER = 0.005  # more frames usually follow at once; one transaction for all of them


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the application; EOF stops us
    db, timeout, retries, backoff = argv[0], float(argv[1]), int(argv[2]), float(argv[3])
    pipe_fd, counter_fd, done_fd = (int(fd) for fd in argv[4:7])
    counters = mmap.mmap(counter_fd, COUNTER_FILE_SIZE)
    os.close(counter_fd)
    os.set_blocking(done_fd, False)
    store = LocalStore(db, timeout=timeout)
    frames = _Frames(pipe_fd)
    written = failed = 0
    while True:
        rows, bad, ended = _read_batch(frames)
        if rows or bad:
            error = _append(store, rows, retries, backoff) if rows else None
            if error is None:
                written += len(rows)
            else:
                failed += len(rows)
            if bad:
                failed += len(bad)
                error = bad[-1]
            if error is not None:
                counters[ERROR_AT:] = error.encode("ascii", "replace")[:ERROR_SIZE].ljust(ERROR_SIZE, b"\0")
            COUNTERS.pack_into(counters, 0, written, failed)
            with contextlib.suppress(OSError):  # full (nobody is flushing) or closed: no matter
                os.write(done_fd, b"\0")
        if ended:
            return 0


class _Frames:
    """Length-prefixed frames off the pipe, read in large chunks."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buf = bytearray()
        self.ended = False
        self.poller = select.poll()  # not select(): the app may hand us a descriptor past 1023
        self.poller.register(fd, select.POLLIN)

    def complete(self) -> bool:
        """A whole frame is buffered."""
        if len(self.buf) < FRAME.size:
            return False
        return len(self.buf) >= FRAME.size + FRAME.unpack_from(self.buf)[0]

    def next(self, timeout: float | None) -> bytes | None:
        """The next frame; None at the end of the pipe or when none came within ``timeout``."""
        while True:
            if self.complete():
                (size,) = FRAME.unpack_from(self.buf)
                frame = bytes(self.buf[FRAME.size:FRAME.size + size])
                del self.buf[:FRAME.size + size]
                return frame
            if self.ended:
                return None
            if timeout is not None and not self.poller.poll(max(timeout, 0.0) * 1000):
                return None
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                self.ended = True  # a partial frame at the end was cut off by a dying sender
            self.buf += chunk


def _read_batch(frames: _Frames) -> tuple[list[Row], list[str], bool]:
    """One frame (waiting for it), then whatever follows within LINGER, up to BATCH_ROWS: the
    rows, the failure of each entry that could not be made a row, and whether the pipe ended."""
    rows: list[Row] = []
    bad: list[str] = []
    deadline = None
    while len(rows) < BATCH_ROWS:
        timeout = None if deadline is None else deadline - time.monotonic()
        if timeout is not None and timeout <= 0:
            break
        frame = frames.next(timeout)
        if not frame:  # none within LINGER, the end of the pipe, or a flush
            if frame is not None and not rows and not bad:
                continue  # a flush with nothing waiting: wait for the next frame
            break
        for entry in marshal.loads(frame):
            if type(entry) is tuple:
                rows.append(Row(*entry))
                continue
            try:  # a draft's plain fields: its body is written here
                rows.append(Row.from_fields(entry))
            except Exception as exc:
                bad.append(type(exc).__name__)
        if deadline is None:
            deadline = time.monotonic() + LINGER
    return rows, bad, frames.ended and not frames.complete()


def _append(store: LocalStore, rows: list[Row], retries: int, backoff: float) -> str | None:
    """Append with the thread writer's retry policy; the last failure's type name, or None."""
    delay = backoff
    for attempt in range(retries + 1):
        try:
            store.append(rows)
            return None
        except Exception as exc:
            if attempt == retries:
                return type(exc).__name__
            time.sleep(delay * (1 + random.random()))
            delay *= 4
    return None  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
