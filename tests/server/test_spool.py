"""HttpSink and its disk spool: nothing lost when the server is down, slow, limiting or refusing."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

import scalesafe
from scalesafe._settings import resolve
from scalesafe.model import Event, Message
from scalesafe.server import create_app
from scalesafe.store import Row
from scalesafe.transport._http import HttpSink, spool_folder
from scalesafe.transport._spool import Spool

from .conftest import ADMIN, Deployment, ServerThread, count_events, free_port, make_keys, start_app


def events(n: int) -> list[Row]:
    """Recorded rows, as the recorder hands them to a sink."""
    return [Row.from_event(Event(messages=[Message(role="user", content=f"q{i}")])) for i in range(n)]


def sink_for(url: str, key: str, home: Path, **options: object) -> HttpSink:
    return HttpSink(resolve(api_key=key, base_url=url, home=home), **options)  # type: ignore[arg-type]


def test_down_server_spools_then_delivers_once_it_is_back(tmp_path: Path) -> None:
    home = tmp_path / "srv"
    key, _ = make_keys(home)
    port = free_port()
    sink = sink_for(f"http://127.0.0.1:{port}", key, tmp_path / "client", backoff_base=0.05)
    batches = [events(10) for _ in range(3)]
    for b in batches:
        sink.export(b)  # returns normally: spooled is durably acknowledged
    assert sink.pending_events == 30 and sink.sent_events == 0
    assert sink.flush(0.3) is False  # nobody listening: the deadline is honoured
    server = ServerThread(create_app(home, ADMIN), port).start()
    try:
        assert sink.flush(10) is True
        assert sink.pending_events == 0
        ids = count_events(server.url, key)
        assert ids == [e.id for b in batches for e in b]  # in order, each once
    finally:
        server.stop()


def test_flush_honours_its_deadline_against_a_slow_server(tmp_path: Path) -> None:
    import socket

    listener = socket.socket()  # accepts connections, never answers
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    try:
        sink = sink_for(url, make_keys(tmp_path / "srv")[0], tmp_path / "client", timeout=0.3)
        started = time.monotonic()
        sink.export(events(5))
        assert time.monotonic() - started < 2.0
        assert sink.pending_events == 5
        started = time.monotonic()
        assert sink.flush(0.5) is False
        assert time.monotonic() - started < 1.5
    finally:
        listener.close()


def test_429_retry_after_is_honoured(tmp_path: Path) -> None:
    server, key = start_app(tmp_path / "srv", rate_limit=1.0, burst=1)
    try:
        sink = sink_for(server.url, key, tmp_path / "client", backoff_base=0.01)
        sink.export(events(3))  # uses the only token
        assert sink.sent_events == 3
        started = time.monotonic()
        sink.export(events(4))  # 429 with Retry-After: 1
        assert sink.pending_events == 4
        assert sink.flush(0.3) is False, "must not retry before Retry-After"
        assert sink.flush(10) is True
        assert time.monotonic() - started >= 0.95
        assert len(count_events(server.url, key)) == 7
    finally:
        server.stop()


def test_revoked_key_stops_shipping_and_keeps_the_spool(deployment: Deployment) -> None:
    from scalesafe.server import KeyStore

    sink = sink_for(deployment.url, deployment.key_a, deployment.home.parent / "client")
    sink.export(events(2))
    KeyStore(deployment.home).revoke(deployment.key_a[:11])
    sink.export(events(3))
    sink.export(events(4))
    assert sink.stopped is True
    assert sink.pending_events == 7
    assert sink.flush(1) is False
    assert sink.pending_events == 7


def test_batch_too_large_is_split(tmp_path: Path) -> None:
    server, key = start_app(tmp_path / "srv", max_body_bytes=3000)
    try:
        sink = sink_for(server.url, key, tmp_path / "client")
        batch = events(40)
        sink.export(batch)
        assert sink.flush(10) is True
        assert sorted(count_events(server.url, key)) == sorted(e.id for e in batch)
    finally:
        server.stop()


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_refused_batches_are_set_aside_not_retried(deployment: Deployment) -> None:
    sink = sink_for(deployment.url, deployment.key_a, deployment.home.parent / "client")
    good = Row.from_event(Event(messages=[Message(role="user", content="x")]))
    bad = good._replace(body=good.body.replace('"kind":"llm"', '"kind":"not-a-kind"'))
    assert bad.body != good.body  # the server will refuse it (422)
    sink.export([bad])
    assert sink.pending_events == 0
    rejected = list((sink.spool.folder / "rejected").iterdir())
    assert len(rejected) == 1


CHILD = textwrap.dedent("""
    import sys, scalesafe
    from scalesafe import GenericMonitor
    client = scalesafe.configure(base_url=sys.argv[1], api_key=sys.argv[2], home=sys.argv[3])
    for i in range(int(sys.argv[4])):
        GenericMonitor(client=client).monitor(f"q{i}", f"a{i}")
    left = client.flush(float(sys.argv[5]))
    print(left, client.recorder.sink.pending_events)
""")


def test_spool_survives_a_client_restart(tmp_path: Path) -> None:
    home = tmp_path / "srv"
    key, _ = make_keys(home)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    client_home = tmp_path / "client"
    out = _child(url, key, client_home, 25, 0.2)
    assert out.split() == ["0", "25"]  # every event spooled, the process exits
    spool = Spool(spool_folder(resolve(api_key=key, base_url=url, home=client_home)))
    assert spool.pending_events() == 25
    server = ServerThread(create_app(home, ADMIN), port).start()
    try:
        assert _child(url, key, client_home, 0, 10).split() == ["0", "0"]
        assert len(count_events(url, key)) == 25
    finally:
        server.stop()


def _child(url: str, key: str, home: Path, n: int, flush: float) -> str:
    result = subprocess.run([sys.executable, "-c", CHILD, url, key, str(home), str(n), str(flush)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert key not in result.stderr
    return result.stdout.strip()


def test_client_reports_pending_and_health(deployment: Deployment) -> None:
    client = scalesafe.Client(base_url=deployment.url, api_key=deployment.key_a)
    assert isinstance(client.recorder.sink, HttpSink)
    assert httpx.get(deployment.url + "/healthz").status_code == 200
    client.close()
