import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from scalesafe import Client, GenericMonitor
from scalesafe.backends import EventQuery
from scalesafe.model import Event
from scalesafe.store import Row
from scalesafe.transport import InMemorySink, Recorder


class GatedSink(InMemorySink):
    """Blocks every export until released: lets a test fill the queue."""

    def __init__(self):
        super().__init__()
        self.gate = threading.Event()

    def export(self, batch):
        self.gate.wait(10)
        super().export(batch)


class FailingSink:
    def __init__(self, failures):
        self.failures = failures
        self.calls = 0
        self.events = []

    def export(self, batch):
        self.calls += 1
        if self.calls <= self.failures:
            raise OSError("disk full")
        self.events.extend(batch)

    def flush(self, timeout):
        return True

    def close(self):
        pass


def test_sixteen_threads_no_loss_no_duplicates(home):
    client = Client(home=home, max_queue=100_000)
    monitor = GenericMonitor(client=client)
    per_thread = 500

    def work(t):
        for i in range(per_thread):
            monitor.monitor(f"t{t} q{i}", "a")

    threads = [threading.Thread(target=work, args=(t,)) for t in range(16)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert client.flush(30) == 0
    events = client.backend.list_events(EventQuery(limit=10_000))
    texts = [e.messages[0].content for e in events]
    assert len(texts) == 16 * per_thread == len(set(texts))
    assert client.stats.written == 16 * per_thread and client.stats.dropped == 0
    assert client.backend.verify().ok


def test_full_queue_waits_then_counts_drops():
    sink = GatedSink()
    rec = Recorder(sink, max_queue=5, queue_timeout=0.01)
    results = [rec.enqueue(Event()) for _ in range(20)]
    assert results.count(False) >= 5  # at most the queue plus one batch in flight got in
    stats = rec.stats
    assert stats.dropped == results.count(False)
    assert rec.drop_reasons["queue_overflow"] == stats.dropped
    sink.gate.set()
    assert rec.flush(5) == 0
    assert len(sink.events) == results.count(True)
    rec.close()


def test_a_producer_far_ahead_of_the_writer_yields_the_gil_once_per_shipped_batch(monkeypatch):
    """The writer needs the GIL after every SQLite call; a producer that never pauses would
    make it wait a whole switch interval each time. Only a backlog of more than two write
    batches makes the producer yield, and only when it ships."""
    from scalesafe.transport import _recorder

    yields = []
    monkeypatch.setattr(_recorder, "_yield_gil", lambda: yields.append(len(rec._queue)))
    sink = GatedSink()  # the writer takes one batch, then blocks: the rest stays queued
    rec = Recorder(sink, batch_size=4, serialize_batch=2, linger=0)
    for _ in range(2):
        rec.enqueue(Event())
    deadline = time.monotonic() + 5
    while rec._queue and time.monotonic() < deadline:  # the writer took the first two
        time.sleep(0.01)
    for _ in range(16):
        rec.enqueue(Event())
    # 16 more events ship in 8 pairs; the queue holds 2, 4, ... 16 rows after each ship
    assert yields == [10, 12, 14, 16]
    sink.gate.set()
    assert rec.flush(5) == 0
    assert len(sink.events) == 18
    rec.close()


def test_flush_honours_its_timeout():
    sink = GatedSink()
    rec = Recorder(sink)
    rec.enqueue(Event())
    start = time.monotonic()
    left = rec.flush(0.2)
    assert time.monotonic() - start < 1.0
    assert left == 1
    sink.gate.set()
    assert rec.flush(5) == 0
    rec.close()


def test_sink_errors_are_retried_then_counted():
    flaky = FailingSink(failures=2)
    rec = Recorder(flaky, retry_backoff=0.001)
    rec.enqueue(Event())
    rec.flush(5)
    assert len(flaky.events) == 1 and rec.stats.failed == 0
    dead = FailingSink(failures=10**6)
    rec2 = Recorder(dead, retries=2, retry_backoff=0.001)
    assert rec2.enqueue(Event()) is True
    rec2.flush(5)
    assert rec2.stats.failed == 1 and rec2.drop_reasons == {"sink_error:OSError": 1}
    rec.close()
    rec2.close()


def test_sync_durability_writes_before_returning(home):
    client = Client(home=home, durability="sync")
    GenericMonitor(client=client).monitor("q", "a")
    assert len(client.backend.list_events()) == 1  # no flush needed


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_forked_child_gets_its_own_worker(home):
    client = Client(home=home)
    monitor = GenericMonitor(client=client)
    monitor.monitor("parent before fork", "a")
    client.flush()
    pid = os.fork()
    if pid == 0:  # child
        code = 1
        try:
            monitor.monitor("from child", "a")
            code = 0 if client.flush(10) == 0 else 3
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    monitor.monitor("parent after fork", "a")
    client.flush()
    texts = {e.messages[0].content for e in client.backend.list_events()}
    assert texts == {"parent before fork", "from child", "parent after fork"}


def test_events_are_flushed_at_normal_exit(home):
    script = textwrap.dedent(f"""
        from scalesafe import GenericMonitor, configure
        configure(home={str(home)!r})
        m = GenericMonitor()
        for i in range(2000):
            m.monitor(f"q{{i}}", "a")
        # no flush: the interpreter exits right away
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    client = Client(home=home)
    assert len(client.backend.list_events(EventQuery(limit=5000))) == 2000
    assert client.backend.verify().ok


def test_in_memory_sink_returns_what_was_stored_as_events(home):
    sink = InMemorySink()
    client = Client(home=home, sink=sink)
    event = Event(output_text="as recorded", tags=["t"], metadata={"k": [1, 2]})
    assert client.record(event) is True
    assert client.flush() == 0
    (got,) = sink.events
    assert got is not event and got == event  # a copy parsed from the stored row
    assert sink.events[0] is got  # parsed once
    assert sink.rows[0].body == event.to_json()
    sink.clear()
    assert sink.events == [] and sink.rows == []
    client.close()


@pytest.mark.parametrize("durability", ["async", "sync"])
def test_sinks_receive_rows_of_canonical_json(home, durability):
    seen = []

    class Keeping(InMemorySink):
        def export(self, batch):
            seen.extend(batch)
            super().export(batch)

    client = Client(home=home, sink=Keeping(), durability=durability)
    event = Event(output_text="x", tags=["t"])
    client.record(event)
    client.flush()
    (row,) = seen
    assert isinstance(row, Row) and row.id == event.id and row.type == "event"
    assert row.body == event.to_json()
    assert Event.model_validate_json(row.body).to_json() == row.body
    client.close()


@pytest.mark.parametrize("durability", ["async", "sync"])
def test_an_event_that_cannot_be_serialised_is_a_counted_drop(home, caplog, durability):
    client = Client(home=home, durability=durability)
    ok = client.record(Event(input=object()))  # pydantic cannot serialise it
    assert ok is (durability == "async")  # async: accepted, then dropped by the writer
    assert client.record(Event(output_text="fine")) is True
    assert client.flush() == 0
    assert client.recorder.drop_reasons == {"unserializable": 1}
    assert client.stats.dropped == 1 and client.stats.written == 1 and client.stats.pending == 0
    assert [e.output_text for e in client.backend.list_events()] == ["fine"]
    assert "could not serialise" in caplog.text
    client.close()


def test_a_worker_that_ended_is_replaced_on_the_next_event():
    sink = InMemorySink()
    rec = Recorder(sink)
    rec.enqueue(Event())
    assert rec.flush(5) == 0
    first = rec._thread
    rec._queue.append(None)  # the worker stops as it would on close
    rec._ready.set()
    first.join(5)
    assert rec._thread is None
    rec.enqueue(Event())
    assert rec.flush(5) == 0 and len(sink.events) == 2 and rec._thread is not first
    rec.close()


def test_a_lone_event_is_written_without_a_flush():
    """Fewer events than a serialisation batch: the worker picks them up after straggler_wait."""
    sink = InMemorySink()
    rec = Recorder(sink, straggler_wait=0.05)
    event = Event(name="alone")
    assert rec.enqueue(event)
    deadline = time.monotonic() + 5
    while not sink.rows and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [e.id for e in sink.events] == [event.id]
    assert rec.stats.pending == 0
    rec.close()


def test_each_threads_events_stay_in_order_and_ended_threads_are_forgotten():
    sink = InMemorySink()
    rec = Recorder(sink, serialize_batch=8, straggler_wait=0.02)

    def work(t):
        for i in range(101):  # not a multiple of the batch: the last ones are stragglers
            rec.enqueue(Event(name=f"{t}:{i}"))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert rec.flush(10) == 0
    names = [e.name for e in sink.events]
    assert len(names) == 606 == len(set(names))
    for t in range(6):
        assert [int(n.split(":")[1]) for n in names if n.startswith(f"{t}:")] == list(range(101))
    deadline = time.monotonic() + 5  # the worker drops the empty buffers of ended threads
    while len(rec._buffers) > 1 and time.monotonic() < deadline:
        rec.enqueue(Event(name="nudge"))
        rec.flush(5)
        time.sleep(0.05)
    assert len(rec._buffers) <= 1  # at most this thread's
    rec.close()


def test_the_in_memory_sink_is_written_in_the_recording_thread_and_its_subclasses_by_the_worker():
    """No I/O, no blocking: the in-memory sink takes each shipped batch at once, in the
    caller's thread. A subclass may block (see GatedSink), so it is the worker's unless it
    says ``inline = True`` itself."""
    sink = InMemorySink()
    rec = Recorder(sink, serialize_batch=4)
    for _ in range(8):
        rec.enqueue(Event())
    assert len(sink.rows) == 8 and rec.stats.pending == 0 and rec.stats.written == 8  # no flush
    rec.close()

    writers: list[str] = []

    class Watched(InMemorySink):
        def export(self, batch):
            writers.append(threading.current_thread().name)
            super().export(batch)

    class WatchedInline(Watched):
        inline = True

    for cls in (Watched, WatchedInline):
        rec = Recorder(cls(), serialize_batch=4)
        for _ in range(8):
            rec.enqueue(Event())
        assert rec.flush(5) == 0
        rec.close()
    assert writers[0] == "scalesafe-recorder" and writers[-2:] == ["MainThread", "MainThread"]
