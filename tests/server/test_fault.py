"""The fault test: kill -9 the server mid-stream, keep logging, restart it: nothing lost, nothing twice."""

from __future__ import annotations

import time
from pathlib import Path

import scalesafe
from scalesafe import GenericMonitor

from .conftest import ServerProcess, count_events, free_port, make_keys

TOTAL = 1500


def test_kill_and_restart_loses_nothing(tmp_path: Path) -> None:
    home = tmp_path / "srv"
    key, _ = make_keys(home)
    port = free_port()
    server = ServerProcess(home, port).start()
    client = scalesafe.Client(base_url=f"http://127.0.0.1:{port}", api_key=key,
                              home=tmp_path / "client", batch_size=50)
    monitor = GenericMonitor(client=client)
    sent: list[str] = []
    try:
        for i in range(TOTAL):
            sent.append(monitor.monitor(f"question {i}", f"answer {i}").id)
            if i % 50 == 0:
                time.sleep(0.01)  # a steady stream, so kills land mid-stream
            if i == 500:
                server.kill()
            if i == 1000:
                server = ServerProcess(home, port).start()
        sink = client.recorder.sink
        assert client.flush(30) == 0
        assert sink.flush(30) is True, f"{sink.pending_events} events still spooled"
        stored = count_events(f"http://127.0.0.1:{port}", key)
        assert len(stored) == TOTAL, "exactly once: none lost, none twice"
        assert set(stored) == set(sent)
        assert sink.spooled_events > 0, "the outage must have gone through the spool"
        assert client.stats.dropped == 0 and client.stats.failed == 0
    finally:
        client.close(timeout=1)
        server.stop()
