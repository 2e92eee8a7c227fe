"""Faults the host app must survive: kills, full disks, bad homes, hostile inputs, load."""

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from scalesafe import Client, GenericMonitor
from scalesafe.backends import EventQuery
from scalesafe.exceptions import ScaleSafeException

WRITER = textwrap.dedent("""
    import sys
    from scalesafe import Client, GenericMonitor
    client = Client(home=sys.argv[1], durability=sys.argv[2], max_queue=int(sys.argv[3]),
                    batch_size=int(sys.argv[4]))
    monitor = GenericMonitor(client=client)
    i = 0
    while True:
        monitor.monitor(f"q{i}", "a")
        print(i, flush=True)  # acknowledged: monitor() returned
        i += 1
""")


def _kill_after(home, durability, acked_target, max_queue=1000, batch=100, writer="auto"):
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(home), durability, str(max_queue), str(batch)],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "SCALESAFE_WRITER": writer},
    )
    acked = -1
    assert proc.stdout is not None
    for line in proc.stdout:
        acked = int(line)
        if acked >= acked_target:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    client = Client(home=home)
    stored = {e.messages[0].content for e in client.backend.list_events(EventQuery(limit=10_000))}
    return acked, stored, client


@pytest.mark.timeout(90)
def test_sigkill_with_sync_durability_loses_nothing_acknowledged(home):
    acked, stored, client = _kill_after(home, "sync", 300)
    missing = [i for i in range(acked + 1) if f"q{i}" not in stored]
    assert missing == []
    assert client.backend.verify().ok


@pytest.mark.timeout(90)
@pytest.mark.parametrize("writer", ["auto", "thread"])
def test_sigkill_with_async_durability_loses_at_most_the_unflushed_queue(home, writer):
    max_queue, batch = 1000, 100
    acked, stored, client = _kill_after(home, "async", 3000, max_queue, batch, writer)
    lost = sum(1 for i in range(acked + 1) if f"q{i}" not in stored)
    # The bound: what sat in the queue plus the batch being written when the process died.
    assert lost <= max_queue + batch, lost
    assert client.backend.verify().ok


@pytest.mark.timeout(60)
@pytest.mark.parametrize("writer", ["auto", "thread"])
def test_full_disk_is_counted_never_raised(tmp_path, writer):
    script = textwrap.dedent(f"""
        import resource, signal, json
        from scalesafe import Client, GenericMonitor
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        client = Client(home={str(tmp_path / "h")!r}, durability="async", writer={writer!r})
        monitor = GenericMonitor(client=client)
        monitor.monitor("warm up", "ok"); client.flush()
        limit = 256 * 1024  # every file may grow to 256 KB: the 'disk' fills up
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        for i in range(3000):
            monitor.monitor("x" * 500 + str(i), "y" * 500)
        client.flush(20)
        s = client.stats
        print(json.dumps({{"written": s.written, "failed": s.failed, "dropped": s.dropped}}))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=50)
    assert out.returncode == 0, out.stderr[-2000:]
    import json

    stats = json.loads(out.stdout.strip().splitlines()[-1])
    assert stats["failed"] > 0 and stats["written"] > 0
    assert stats["written"] + stats["failed"] + stats["dropped"] == 3001
    assert "lost" in out.stderr  # a warning says so
    assert ("in the writer process" in out.stderr) == (writer == "auto")  # who failed to write


def test_unusable_home_degrades_to_counted_failures(tmp_path, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    client = Client(home=blocker / "home")
    monitor = GenericMonitor(client=client)
    for i in range(5):
        monitor.monitor(f"q{i}", "a")  # must not raise
    client.flush(5)
    assert client.stats.failed == 5
    with pytest.raises(ScaleSafeException):  # synchronous reads say so, as a ScaleSafe error
        client.backend.list_events()


class Hostile:
    def __repr__(self):
        raise RuntimeError("repr exploded")

    def __str__(self):
        raise RuntimeError("str exploded")


def test_hostile_inputs_never_raise_and_the_chain_verifies(client):
    monitor = GenericMonitor()
    cyclic: dict = {}
    cyclic["me"] = cyclic
    inputs = [
        "a" * 10_000_000,
        b"\xff\xfe\xfd not utf-8",
        Hostile(),
        cyclic,
        [Hostile(), {"k": Hostile()}],
        {"role": "user", "content": [{"type": "text", "text": "multi"}, Hostile()]},
        float("nan"),
        "\ud800 lone surrogate",
    ]
    for value in inputs:
        monitor.monitor(value, value, metadata={"obj": value})
    monitor.monitor("a" * 10_000_000, "ok", screen_inputs=True, screen_outputs=True)
    assert client.flush(30) == 0
    assert client.stats.written == len(inputs) + 1
    big = client.backend.list_events()[0]
    assert big.truncated  # the cut is recorded
    assert client.backend.verify().ok


@pytest.mark.timeout(120)
def test_sixteen_threads_times_ten_thousand(client):
    monitor = GenericMonitor()
    n = 10_000

    def work(t):
        for i in range(n):
            monitor.monitor(f"{t}:{i}", "a")

    threads = [threading.Thread(target=work, args=(t,)) for t in range(16)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(100)
    assert client.flush(60) == 0
    assert client.stats.written == 16 * n and client.stats.dropped == 0
    store = client._store()
    assert store.count("default") == 16 * n
    distinct = store._conn().execute("SELECT COUNT(DISTINCT id) FROM ledger").fetchone()[0]
    assert distinct == 16 * n
    assert client.backend.verify().ok


async def test_thousand_concurrent_asyncio_tasks(client):
    monitor = GenericMonitor()

    async def task(i):
        await asyncio.sleep(0)
        monitor.monitor(f"task {i}", "a")
        await asyncio.sleep(0)
        return i

    done = await asyncio.wait_for(asyncio.gather(*(task(i) for i in range(1000))), 30)
    assert len(done) == 1000
    assert client.flush(30) == 0
    texts = {e.messages[0].content for e in client.backend.list_events(EventQuery(limit=2000))}
    assert len(texts) == 1000


def test_close_with_a_stuck_sink_honours_its_deadline(home):
    class Stuck:
        def export(self, batch):
            time.sleep(5)

        def flush(self, timeout):
            return True

        def close(self):
            pass

    client = Client(home=home, sink=Stuck())
    GenericMonitor(client=client).monitor("q", "a")
    start = time.monotonic()
    left = client.close(timeout=0.3)
    assert time.monotonic() - start < 1.5
    assert left == 1


def test_malformed_arguments_are_logged_not_raised(client):
    monitor = GenericMonitor()
    event = monitor.monitor("q", "a", usage={"bogus": "x"}, tags=[object()], kind="not-a-kind")
    assert any("could not be read" in note for note in event.truncated)
    client.flush()
    assert client.backend.get_event(event.id).input["input"] == "q"


def test_a_screening_bug_fails_open_and_is_counted(home, caplog):
    from scalesafe._safety import internal_errors

    class BrokenPolicy:
        """Not a Policy: screening will fail on it."""

    client = Client(home=home)
    before = internal_errors.by_place.get("screening", 0)
    monitor = GenericMonitor(client=client, policy=BrokenPolicy())
    event = monitor.monitor("hello", "world", screen_inputs=True)
    assert event.findings == []
    assert internal_errors.by_place["screening"] == before + 1
    assert "not screened" in caplog.text


def test_a_policy_of_the_wrong_type_fails_at_configuration(home):
    from scalesafe.exceptions import ConfigurationError

    with pytest.raises(ConfigurationError):
        Client(home=home, policy=42)
