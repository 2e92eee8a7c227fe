"""A writer process for the embedded store: the application's threads keep the GIL to themselves.

A Python thread that writes in the background costs the application more than its
own work: each time it wakes it must win the GIL back from the busy application
thread, and the two threads hand the GIL, and the interpreter's hottest cache lines,
back and forth between cores. Measured with a LangChain chain, a writer thread that
does nothing at all costs ~20 µs per invoke; one that writes to SQLite ~50.

So when one thread records at a sustained rate (see ``Recorder``), rows go through a
pipe to a child process (``python -m scalesafe.store._writer``) that
appends them to the same database: the producer pays for one ``write`` per batch.
The child reports progress through a small shared counter file, so neither side
waits on the other. Rows stay here until the child has written them: if it dies,
they are handed back to the thread writer (appending is idempotent by id), so a
dead child costs nothing that was acknowledged.
"""

from __future__ import annotations

import contextlib
import logging
import marshal
import mmap
import os
import re
import select
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..store._writer import COUNTER_FILE_SIZE, COUNTERS, ERROR_AT, FRAME

log = logging.getLogger("scalesafe")

PIPE_SIZE = 1 << 20  # Linux: ask for a 1 MB pipe, so a starting child never holds producers up
_F_SETPIPE_SZ = 1031


def supported() -> bool:
    """Whether this interpreter can start ``python -m ...`` children with inherited pipes.

    Not when ``sys.executable`` is not a Python interpreter: a frozen app, or a server that
    embeds Python (uWSGI, mod_wsgi) and names its own binary there.
    """
    name = os.path.basename(sys.executable or "")
    return (os.name == "posix" and not getattr(sys, "frozen", False)
            and re.fullmatch(r"(python|pypy)[0-9.]*[a-z]?", name) is not None)


class ProcessWriter:
    """The parent's end: frames of rows into a pipe, progress out of a shared counter file."""

    def __init__(self, db_path: Path, timeout: float, requeue: Callable[[list[Any]], None], *,
                 retries: int = 3, retry_backoff: float = 0.05) -> None:
        self._lock = threading.Lock()
        self._requeue = requeue  # where rows go back if the child dies
        self._new = [0, 0]  # child's rows written and failed, not yet passed on by ``progress``
        self._error = ""
        self.broken = False  # the pipe failed: rows go back at the next chance
        self._given_back = False
        self.handed_back = 0  # rows given back to the thread writer when the child went
        self._pending = bytearray()  # what the pipe would not take yet
        self._unconfirmed: deque[tuple[int, Sequence[Any]]] = deque()  # (rows sent once written, entries)
        self._sent = 0
        self._seen = (0, 0)  # child's (written, failed) at the last ``progress``
        self.closed = False
        with tempfile.TemporaryFile() as counter:  # the mapping and the child keep the file
            counter.truncate(COUNTER_FILE_SIZE)
            self._counters = mmap.mmap(counter.fileno(), COUNTER_FILE_SIZE)
            read_end, self._fd = os.pipe()
            self._done, done_end = os.pipe()  # a byte per batch the child wrote: flush waits on it
            try:
                with contextlib.suppress(OSError, AttributeError):
                    import fcntl

                    fcntl.fcntl(self._fd, _F_SETPIPE_SZ, PIPE_SIZE)
                os.set_blocking(self._fd, False)
                os.set_blocking(self._done, False)
                self._proc = subprocess.Popen(
                    [sys.executable, "-m", "scalesafe.store._writer", str(db_path), str(timeout),
                     str(retries), str(retry_backoff), str(read_end), str(counter.fileno()),
                     str(done_end)],
                    pass_fds=(read_end, counter.fileno(), done_end), stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL, env=_child_env(), close_fds=True,
                )
            except BaseException:
                os.close(self._fd)
                os.close(self._done)
                raise
            finally:
                os.close(read_end)
                os.close(done_end)

    # producers ------------------------------------------------------------------------
    def send(self, entries: Sequence[Any]) -> bool:
        """Hand entries to the child (row tuples, or drafts' plain fields: see
        ``Row.from_fields``); False (nothing taken) once it is closed or gone. Raises
        ValueError, taking nothing, for a value marshal cannot write.

        A pipe that fails hands every unconfirmed entry back here and now, under the lock,
        so rows the caller queues next cannot overtake them.
        """
        data = marshal.dumps(entries)
        with self._lock:
            if self.closed:
                return False
            self._sent += len(entries)
            self._unconfirmed.append((self._sent, entries))  # the caller's own list, not used again
            header = FRAME.pack(len(data))
            if self._pending:
                self._pending += header
                self._pending += data
                self._push()
            else:
                self._write(header, data)
            self._read_counters()
            if self.broken:
                mine = bool(self._unconfirmed) and self._unconfirmed[-1][0] == self._sent
                if mine:
                    self._unconfirmed.pop()  # the caller queues these itself, after the others
                self._give_back()
                return not mine  # True: the child confirmed them before it went
            return True

    def nudge(self) -> None:
        """Ask the child to write what it was sent without waiting for more (for ``flush``)."""
        with self._lock:
            if not self.closed:
                self._pending += FRAME.pack(0)
                self._push()

    @property
    def backlog(self) -> bool:
        """Bytes are waiting for room in the pipe (the worker pushes them)."""
        return bool(self._pending)

    def _push(self) -> None:
        """Write what the pipe takes without blocking (call with the lock held)."""
        pending = self._pending
        while pending:
            try:
                n = os.write(self._fd, pending)
            except BlockingIOError:
                return
            except InterruptedError:
                continue
            except OSError:
                self.broken = True  # the child is gone
                return
            del pending[:n]

    def _write(self, header: bytes, data: bytes) -> None:
        """Write a frame straight from its two parts (the usual case: nothing pending); only
        what the pipe does not take is copied into ``_pending`` (call with the lock held)."""
        while True:
            try:
                n = os.writev(self._fd, (header, data))
            except BlockingIOError:
                n = 0
            except InterruptedError:
                continue
            except OSError:
                self.broken = True  # the child is gone
                return
            break
        if n < len(header):
            self._pending += header[n:]
            self._pending += data
        elif n < len(header) + len(data):
            self._pending += memoryview(data)[n - len(header):]

    def drain(self, timeout: float) -> None:
        """Wait up to ``timeout`` for room in the pipe and push the backlog."""
        if self._pending and not self.closed:
            _wait_for(self._fd, select.POLLOUT, timeout)
            with self._lock:
                if not self.closed:
                    self._push()

    def wait_written(self, timeout: float) -> None:
        """Wait up to ``timeout`` for the child to finish a batch (or to go), without polling."""
        fd = self._done
        if fd >= 0 and not _wait_for(fd, select.POLLIN, timeout):
            return  # nothing within ``timeout``
        try:
            if os.read(fd, 1 << 16):
                return  # a batch written
        except OSError:
            pass  # closed meanwhile
        time.sleep(min(max(timeout, 0.0), 0.002))  # gone (end of file): no busy loop while it is reaped

    # progress -------------------------------------------------------------------------
    def _read_counters(self) -> None:
        """Take in the child's progress and release the rows it confirmed (lock held)."""
        if self._given_back:
            return
        while True:  # a read can race the child's write of the two counters: read until stable
            counts = COUNTERS.unpack_from(self._counters, 0)
            if COUNTERS.unpack_from(self._counters, 0) == counts:
                break
        (written, failed), (old_written, old_failed) = counts, self._seen
        if (written, failed) == self._seen:
            return
        self._seen = counts
        self._new[0] += written - old_written
        self._new[1] += failed - old_failed
        if failed != old_failed:
            self._error = bytes(self._counters[ERROR_AT:]).rstrip(b"\0").decode("ascii", "replace")
        done, unconfirmed = written + failed, self._unconfirmed
        while unconfirmed and unconfirmed[0][0] <= done:
            unconfirmed.popleft()  # freed here, in a producer's thread: its memory stays warm

    def progress(self) -> tuple[int, int, str]:
        """Rows the child wrote and failed since the last call, and its last failure's type."""
        with self._lock:
            self._read_counters()
            (written, failed), self._new = self._new, [0, 0]
            return written, failed, self._error

    def alive(self) -> bool:
        return not self.closed and not self.broken and self._proc.poll() is None

    @property
    def pid(self) -> int:
        return self._proc.pid

    def exit_code(self) -> int | None:
        return self._proc.poll()

    def give_back(self) -> None:
        """Close, and hand every row the child has not confirmed back (see ``send``)."""
        with self._lock:
            self._give_back()

    def _give_back(self) -> None:
        if self._given_back:
            return
        self._read_counters()
        self.closed = self._given_back = True
        done = sum(self._seen)
        rows: list[Any] = []
        for end, batch in self._unconfirmed:
            rows.extend(batch[max(0, done - (end - len(batch))):])
        self._unconfirmed.clear()
        self._pending.clear()
        self._shut()
        self._requeue(rows)  # appending is idempotent by id: a row written but not yet counted is skipped
        self.handed_back = len(rows)

    # ending ---------------------------------------------------------------------------
    def close(self, timeout: float) -> None:
        """Stop sending; the child writes what it has and exits (waited for up to ``timeout``)."""
        with self._lock:
            self.closed = True
            self._shut()  # the child reads to the end of the pipe, then exits
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._proc.wait(max(timeout, 0.0))

    def _shut(self) -> None:
        for fd in (self._fd, self._done):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._fd = self._done = -1

    def forget(self) -> None:
        """In a forked child: let go of the parent's pipe without touching its rows."""
        self.closed = True
        self._shut()
        self._proc.returncode = 0  # the parent's child: never waited for from here


def _wait_for(fd: int, event: int, timeout: float) -> bool:
    """Whether ``fd`` became ready within ``timeout``: poll, not select, which refuses
    descriptors past 1023 (an app with many open files hands those out)."""
    if fd < 0:
        return False
    try:
        poller = select.poll()
        poller.register(fd, event)
        return bool(poller.poll(max(timeout, 0.0) * 1000))
    except (OSError, ValueError):
        return False  # closed meanwhile


def _child_env() -> dict[str, str]:
    """The environment, with this copy of scalesafe first on the child's import path (the
    application may have imported it from a folder that is not installed)."""
    env = {k: v for k, v in os.environ.items() if k != "SCALESAFE_API_KEY"}  # not needed there
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env
