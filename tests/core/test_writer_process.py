"""The writer process: sustained recording into the embedded store is written by a child process."""

import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from scalesafe import Client, GenericMonitor
from scalesafe.transport import _process

pytestmark = pytest.mark.skipif(
    not _process.supported(),
    reason="the writer process needs POSIX and a sys.executable that is a Python interpreter",
)


def _record(monitor, tag, n):
    for i in range(n):
        monitor.monitor(f"{tag} {i}", "a")


def _writing(home: Path, n: int = 2000, tag: str = "warm", **options):
    """A client whose writer process runs, after ``n`` events recorded without pause."""
    client = Client(home=home, **options)
    monitor = GenericMonitor(client=client)
    _record(monitor, tag, n)
    pid = client.recorder.writer_pid
    assert pid is not None and pid != os.getpid()
    return client, monitor, pid


def _contents(home: Path) -> list[str]:
    """Every stored event's prompt, in the order the ledger holds them."""
    conn = sqlite3.connect(home / "scalesafe.db")
    try:
        bodies = [r[0] for r in conn.execute("SELECT body FROM ledger WHERE type = 'event' ORDER BY seq")]
    finally:
        conn.close()
    return [json.loads(b)["messages"][0]["content"] for b in bodies]


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"  # a zombie has exited
    except FileNotFoundError:
        return True


def _wait_gone(pid: int, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _gone(pid):
            return True
        time.sleep(0.02)
    return False


def test_sustained_recording_is_written_by_a_process_in_each_threads_order(home):
    client = Client(home=home, max_queue=50_000)
    monitor = GenericMonitor(client=client)
    threads = [threading.Thread(target=_record, args=(monitor, f"t{t}", 3000)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    pid = client.recorder.writer_pid
    assert pid is not None and pid != os.getpid()
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        assert b"scalesafe.store._writer" in f.read()
    assert client.flush(30) == 0
    stats = client.stats
    assert (stats.enqueued, stats.written, stats.failed, stats.dropped) == (12_000, 12_000, 0, 0)

    contents = _contents(home)
    assert sorted(contents) == sorted(f"t{t} {i}" for t in range(4) for i in range(3000))
    for t in range(4):  # the switch from thread to process kept every thread's order
        mine = [int(c.split()[1]) for c in contents if c.startswith(f"t{t} ")]
        assert mine == list(range(3000))
    assert client.backend.verify().ok
    client.close()
    assert _wait_gone(pid)


def test_occasional_events_and_other_sinks_stay_with_the_thread(home):
    client = Client(home=home)
    monitor = GenericMonitor(client=client)
    for i in range(20):  # fewer than a buffer's worth: no sustained rate
        monitor.monitor(f"q{i}", "a")
    client.flush(10)
    assert client.recorder.writer_pid is None
    assert len(_contents(home)) == 20


def test_the_thread_writer_can_be_chosen(home, monkeypatch):
    monkeypatch.setenv("SCALESAFE_WRITER", "thread")
    client = Client(home=home)
    assert client.recorder.writer == "thread"
    _record(GenericMonitor(client=client), "q", 2000)
    assert client.recorder.writer_pid is None
    assert client.flush(30) == 0
    assert len(_contents(home)) == 2000
    with pytest.raises(Exception, match="writer must be"):
        Client(home=home, writer="fast")  # type: ignore[arg-type]


def test_a_killed_writer_process_hands_its_unwritten_rows_back(home, caplog):
    caplog.set_level(logging.WARNING, logger="scalesafe")
    client, monitor, pid = _writing(home, tag="before", max_queue=50_000)
    os.kill(pid, signal.SIGSTOP)  # rows now pile up unconfirmed in the pipe
    _record(monitor, "during", 2000)
    os.kill(pid, signal.SIGKILL)
    _record(monitor, "after", 2000)
    assert client.flush(30) == 0
    assert client.recorder.writer_pid is None

    contents = _contents(home)
    assert len(contents) == len(set(contents)) == 6000  # nothing lost, nothing twice
    for tag in ("before", "during", "after"):
        mine = [int(c.split()[1]) for c in contents if c.startswith(f"{tag} ")]
        assert mine == list(range(2000))
    assert client.backend.verify().ok
    handed = [r.getMessage() for r in caplog.records if "writer process ended" in r.getMessage()]
    assert handed and " 0 event" not in handed[0]  # the rows in flight came back
    stats = client.stats
    assert stats.written == 6000 and stats.failed == 0


@pytest.mark.parametrize("executable", ["missing", "exits at once"])
def test_a_writer_process_that_cannot_run_leaves_the_writing_to_the_thread(
    home, tmp_path, monkeypatch, caplog, executable
):
    caplog.set_level(logging.WARNING, logger="scalesafe")
    python = tmp_path / "bin" / "python3"
    if executable == "exits at once":
        python.parent.mkdir()
        python.symlink_to("/bin/false")
    monkeypatch.setattr(sys, "executable", str(python))
    client = Client(home=home, max_queue=50_000)
    _record(GenericMonitor(client=client), "q", 3000)
    assert client.flush(30) == 0
    contents = _contents(home)
    assert sorted(contents) == sorted(f"q {i}" for i in range(3000))
    assert client.recorder.writer_pid is None
    assert any("writer process" in r.getMessage() for r in caplog.records)
    assert client.backend.verify().ok


APP = textwrap.dedent("""
    import sys
    from scalesafe import Client, GenericMonitor
    client = Client(home=sys.argv[1])
    monitor = GenericMonitor(client=client)
    i = 0
    while True:
        monitor.monitor(f"q{i}", "a")
        pid = client.recorder.writer_pid
        print(i, pid or 0, flush=True)  # acknowledged: monitor() returned
        i += 1
""")


@pytest.mark.timeout(90)
def test_the_writer_process_finishes_its_rows_after_the_app_is_killed_then_exits(home):
    app = subprocess.Popen([sys.executable, "-c", APP, str(home)], stdout=subprocess.PIPE, text=True)
    assert app.stdout is not None
    acked, writer = -1, 0
    for line in app.stdout:
        acked, pid = (int(x) for x in line.split())
        writer = writer or pid
        if writer and acked >= 3000:
            break
    os.kill(app.pid, signal.SIGKILL)
    app.wait(10)
    assert writer and _wait_gone(writer)  # no orphan left behind

    stored = set(_contents(home))
    lost = sum(1 for i in range(acked + 1) if f"q{i}" not in stored)
    assert lost <= 10_000 + 500, lost  # the queue's bound, as with the thread writer
    client = Client(home=home)
    assert client.backend.verify().ok


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_starts_its_own_writer(home):
    client, monitor, parent_writer = _writing(home, tag="parent", max_queue=50_000)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            _record(monitor, "child", 2000)
            ok = client.flush(20) == 0 and client.recorder.writer_pid not in (None, parent_writer)
            code = 0 if ok else 2
        finally:
            os._exit(code)
    _record(monitor, "parent after", 2000)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert client.flush(30) == 0
    assert client.recorder.writer_pid == parent_writer
    contents = _contents(home)
    assert len(contents) == len(set(contents)) == 6000
    assert client.backend.verify().ok


@pytest.mark.parametrize("executable", ["/usr/sbin/uwsgi", "/usr/sbin/httpd", ""])
def test_no_writer_process_when_python_is_embedded_in_another_program(home, monkeypatch, executable):
    monkeypatch.setattr(sys, "executable", executable)
    client = Client(home=home)
    _record(GenericMonitor(client=client), "q", 2000)
    assert client.recorder.writer_pid is None
    assert client.flush(30) == 0
    assert len(_contents(home)) == 2000


def test_the_api_key_is_not_passed_to_the_writer_process(home, monkeypatch):
    monkeypatch.setenv("SCALESAFE_API_KEY", "sk-" + "0" * 30 + "-" + "a" * 28)
    client, _, pid = _writing(home)
    with open(f"/proc/{pid}/environ", "rb") as f:
        assert b"SCALESAFE_API_KEY" not in f.read()
    client.close()


def test_close_waits_for_the_writer_process(home):
    client, _, pid = _writing(home, tag="q")
    assert client.close(10) == 0
    assert _gone(pid)
    assert len(_contents(home)) == 2000


def test_killing_the_writer_process_under_concurrent_load_loses_and_reorders_nothing(home):
    client, monitor, pid = _writing(home, 100, max_queue=100_000)
    started = threading.Barrier(9)

    def work(t):
        started.wait()
        _record(monitor, f"t{t}", 2500)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    started.wait()
    time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)  # while eight threads are sending
    for th in threads:
        th.join()
    assert client.flush(60) == 0

    contents = _contents(home)
    assert len(contents) == len(set(contents)) == 100 + 8 * 2500
    for t in range(8):
        mine = [int(c.split()[1]) for c in contents if c.startswith(f"t{t} ")]
        assert mine == list(range(2500))
    assert client.backend.verify().ok


def test_a_ten_megabyte_event_goes_through_the_pipe(home):
    client, monitor, _ = _writing(home, 100)
    monitor.monitor("big " + "x" * 10_000_000, "a")
    _record(monitor, "after", 100)
    assert client.flush(60) == 0
    contents = _contents(home)
    assert len(contents) == 201
    big = [c for c in contents if c.startswith("big ")]
    assert len(big) == 1  # stored, possibly cut down (see Limits), never lost
    assert client.recorder.writer_pid is not None  # the child took it in its stride
    assert client.backend.verify().ok


def test_the_writer_process_follows_the_recorders_retry_policy(home):
    client = Client(home=home)
    client.recorder.retries, client.recorder.retry_backoff = 1, 0.25
    _record(GenericMonitor(client=client), "q", 2000)
    pid = client.recorder.writer_pid
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        args = f.read().split(b"\0")
    module = args.index(b"scalesafe.store._writer")
    assert args[module + 3:module + 5] == [b"1", b"0.25"]  # after the database and its lock timeout
    client.close()


def test_the_writer_process_retries_a_failed_append_as_configured():
    from scalesafe.store import _writer

    class Flaky:
        def __init__(self, failures):
            self.failures, self.calls = failures, 0

        def append(self, rows):
            self.calls += 1
            if self.calls <= self.failures:
                raise sqlite3.OperationalError("database is locked")

    store = Flaky(failures=2)
    assert _writer._append(store, [], retries=2, backoff=0.001) is None
    assert store.calls == 3
    store = Flaky(failures=5)
    assert _writer._append(store, [], retries=1, backoff=0.001) == "OperationalError"
    assert store.calls == 2


def test_flush_is_woken_by_the_writer_process_not_left_to_time_out(home):
    client, monitor, _ = _writing(home)
    proc = client.recorder._proc
    assert client.flush(10) == 0
    monitor.monitor("one more", "a")
    client.recorder._collect(force=True, timeout=1)
    proc.nudge()
    start = time.monotonic()
    proc.wait_written(30)  # returns when the child reports the batch, long before 30 s
    assert time.monotonic() - start < 10
    assert client.flush(10) == 0 and _contents(home)[-1] == "one more"
    client.close()


MANY_FILES_APP = textwrap.dedent("""
    import os, resource, sys
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        print("SKIP", hard)
        sys.exit(0)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 2048), hard))
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]  # like a busy server
    from scalesafe import Client, GenericMonitor
    client = Client(home=sys.argv[1])
    monitor = GenericMonitor(client=client)
    for i in range(3000):
        monitor.monitor(f"q {i}", "a")
    proc = client.recorder._proc
    print(min(proc._fd, proc._done), client.recorder.writer_pid or 0, client.flush(30),
          client.recorder.writer_pid or 0, client.stats.written)
    client.close()
""")


@pytest.mark.timeout(90)
def test_the_writer_process_works_when_the_app_has_more_than_1024_files_open(home):
    """select() refuses descriptors past 1023; a server with many open files hands those out."""
    done = subprocess.run([sys.executable, "-c", MANY_FILES_APP, str(home)], capture_output=True,
                          text=True, timeout=80)
    assert done.returncode == 0, done.stderr
    if done.stdout.startswith("SKIP"):
        pytest.skip(f"the hard limit on open files ({done.stdout.split()[1]}) is below 1200")
    lowest_fd, pid_before, left, pid_after, written = (int(x) for x in done.stdout.split())
    assert lowest_fd > 1023  # the pipes really are past select()'s range
    assert pid_before and pid_after == pid_before and left == 0 and written == 3000
    assert "Traceback" not in done.stderr and "writer process ended" not in done.stderr
    assert len(_contents(home)) == 3000


def _draft(i: int, **extra):
    """A draft as the LangChain handler makes it: plain data, timestamps in microseconds."""
    from scalesafe.model import EventDraft

    return EventDraft({
        "source": "langchain", "kind": "chat", "name": "FakeChat", "trace_id": f"trace-{i}",
        "model": "fake", "tags": ("seq:step:2",), "parameters": {"temperature": 0.2, "stop": None},
        "messages": [{"role": "system", "content": "Be terse.", "tool_calls": ()},
                     {"role": "user", "content": f"draft {i}", "tool_calls": ()}],
        "usage": {"input_tokens": 3, "total_tokens": 3}, **extra}).finish()


def _bodies(home: Path) -> list[str]:
    conn = sqlite3.connect(home / "scalesafe.db")
    try:
        return [r[0] for r in conn.execute("SELECT body FROM ledger WHERE type = 'event' ORDER BY seq")]
    finally:
        conn.close()


def _spy_on_send(monkeypatch) -> list[str]:
    """What each entry crossed the pipe as: 'fields' (a draft's) or 'row'."""
    kinds: list[str] = []
    send = _process.ProcessWriter.send

    def spy(self, entries):
        taken = send(self, entries)
        if taken:
            kinds.extend("fields" if type(e) is dict else "row" for e in entries)
        return taken

    monkeypatch.setattr(_process.ProcessWriter, "send", spy)
    return kinds


def test_drafts_cross_the_pipe_as_plain_fields_and_are_stored_as_the_app_would_write_them(
        home, monkeypatch):
    """The writer process writes drafts' bodies itself; they are the canonical text, in order."""
    kinds = _spy_on_send(monkeypatch)
    client = Client(home=home, max_queue=50_000)
    drafts = [_draft(i) for i in range(3000)]
    for draft in drafts:
        client.record(draft)
    assert client.recorder.writer_pid is not None
    assert client.flush(30) == 0
    assert kinds.count("fields") > 2500 and "row" not in kinds
    assert _bodies(home) == [d.to_json() for d in drafts]  # the parent's own text, byte for byte
    assert client.backend.verify().ok and client.stats.written == 3000


def test_a_draft_the_pipe_cannot_carry_or_only_pydantic_can_write_is_still_stored(home, monkeypatch):
    """A value marshal refuses (an enum member, a datetime): that batch is serialised by the
    app. A value orjson will not write as pydantic does (a huge int): the process asks pydantic."""
    import datetime as dt

    from scalesafe.model import Status

    kinds = _spy_on_send(monkeypatch)
    client = Client(home=home, max_queue=50_000)
    drafts = [_draft(i) for i in range(2000)]
    drafts[1000] = _draft(1000, status=Status.ERROR, input={"at": dt.datetime(2026, 1, 1)})
    drafts[1500] = _draft(1500, input={"big": 2**70})
    for draft in drafts:
        client.record(draft)
    assert client.flush(30) == 0
    assert "row" in kinds and "fields" in kinds
    bodies = _bodies(home)
    assert bodies == [d.to_json() for d in drafts]
    assert '"big":1180591620717411303424' in bodies[1500] and '"status":"error"' in bodies[1000]
    assert client.stats.written == 2000 and client.stats.failed == 0


def test_a_draft_nothing_can_write_is_counted_as_lost_by_the_process(home, caplog):
    caplog.set_level(logging.WARNING, logger="scalesafe")
    client = Client(home=home, max_queue=50_000)
    drafts = [_draft(i) for i in range(2000)]
    drafts[1200] = _draft(1200, input="\ud800")  # a lone surrogate: no UTF-8 for it
    for draft in drafts:
        client.record(draft)
    assert client.recorder.writer_pid is not None
    assert client.flush(30) == 0
    assert len(_bodies(home)) == 1999
    stats = client.stats
    assert stats.written == 1999 and stats.failed == 1
    assert any("PydanticSerializationError" in key for key in client.recorder.drop_reasons)


def test_a_killed_writer_process_hands_back_the_drafts_it_had_not_written(home):
    client = Client(home=home, max_queue=50_000)
    drafts = [_draft(i) for i in range(6000)]
    for draft in drafts[:2000]:
        client.record(draft)
    pid = client.recorder.writer_pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)  # drafts now pile up unconfirmed in the pipe
    for draft in drafts[2000:4000]:
        client.record(draft)
    os.kill(pid, signal.SIGKILL)
    for draft in drafts[4000:]:
        client.record(draft)
    assert client.flush(30) == 0
    assert client.recorder.writer_pid is None
    assert _bodies(home) == [d.to_json() for d in drafts]  # nothing lost, twice or out of order
    assert client.backend.verify().ok and client.stats.written == 6000
