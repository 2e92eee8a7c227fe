"""Server ingest: events/s stored over HTTP on loopback, batches of 100.

The server runs in a subprocess (``scalesafe server``, uvicorn, access log off) on a
fresh data folder. Figures: raw POST /v1/events with 1 and 4 concurrent senders,
and the client path end to end (monitor() -> recorder -> HttpSink -> server).
Every run checks the stored count via GET /v1/events.

Run: python bench/server_ingest.py [--quick] [--json PATH]
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import _report as report  # bench/ helper; these scripts run as `python bench/NAME.py`
import httpx

from scalesafe import Client, GenericMonitor
from scalesafe.model import Event, Message, Usage
from scalesafe.server import KeyStore

BATCH = 100
PROMPT = "Summarise the attached meeting notes for the weekly report, in three bullet points."
GOAL = 10_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``scalesafe server`` in a subprocess on a fresh folder, with one key."""

    def __init__(self, home: Path) -> None:
        self.key, _ = KeyStore(home).create("bench")
        self.url = f"http://127.0.0.1:{_free_port()}"
        port = self.url.rsplit(":", 1)[1]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "scalesafe.cli", "server", "--port", port, "--home", str(home),
             "--no-access-log"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("server did not start")

    def count(self) -> int:
        n, cursor = 0, None
        with httpx.Client(base_url=self.url, headers=self.headers, timeout=30) as http:
            while True:
                params: dict[str, Any] = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
                page = http.get("/v1/events", params=params).json()
                n += len(page["events"])
                cursor = page["next_cursor"]
                if cursor is None:
                    return n

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"}

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def _payloads(batches: int) -> list[bytes]:
    out = []
    for _ in range(batches):
        events = [Event(messages=[Message(role="user", content=PROMPT)], output_text="Three bullets.",
                        model="demo", usage=Usage(input_tokens=20, output_tokens=5)).finish()
                  for _ in range(BATCH)]
        out.append(('{"events":[' + ",".join(e.to_json() for e in events) + "]}").encode())
    return out


def raw_post(server: Server, payloads: list[bytes], senders: int) -> float:
    """Events/s for POSTing pre-serialised batches from ``senders`` threads."""
    chunks = [payloads[i::senders] for i in range(senders)]

    def send(chunk: list[bytes]) -> None:
        with httpx.Client(base_url=server.url, headers=server.headers, timeout=60) as http:
            for body in chunk:
                http.post("/v1/events", content=body).raise_for_status()

    threads = [threading.Thread(target=send, args=(c,)) for c in chunks]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(payloads) * BATCH / (time.perf_counter() - start)


def client_path(server: Server, n: int, home: Path) -> float:
    """Events/s from monitor() to stored, through the recorder and HttpSink."""
    client = Client(base_url=server.url, api_key=server.key, home=home, batch_size=BATCH,
                    max_queue=n + 10)
    monitor = GenericMonitor(client=client)
    monitor.monitor("warm up", "ok")
    client.flush(30)
    start = time.perf_counter()
    for _ in range(n):
        monitor.monitor(PROMPT, "Three bullets.", model="demo")
    left = client.flush(120)
    elapsed = time.perf_counter() - start
    client.close(5)
    if left:
        raise RuntimeError(f"{left} events not shipped")
    return n / elapsed


def run(quick: bool = False) -> list[dict[str, Any]]:
    batches = 50 if quick else 300
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(Path(tmp) / "server")
        try:
            payloads = _payloads(batches * 2 + 10)
            raw_post(server, payloads[:10], 1)  # warm up
            one = raw_post(server, payloads[10:10 + batches], 1)
            four = raw_post(server, payloads[10 + batches:], 4)
            e2e = client_path(server, batches * BATCH // 2, Path(tmp) / "client")
            stored = server.count()
        finally:
            server.stop()
    expected = (batches * 2 + 10) * BATCH + batches * BATCH // 2 + 1
    if stored != expected:
        raise RuntimeError(f"stored {stored} events, expected {expected}")
    results.append({"benchmark": "POST /v1/events, batch 100, 1 sender", "value": round(one),
                    "unit": "events/s", "goal": f">= {GOAL}", "events": batches * BATCH})
    results.append({"benchmark": "POST /v1/events, batch 100, 4 senders", "value": round(four),
                    "unit": "events/s", "events": batches * BATCH})
    results.append({"benchmark": "monitor() -> HttpSink -> server, end to end", "value": round(e2e),
                    "unit": "events/s", "events": batches * BATCH // 2})
    return results


if __name__ == "__main__":
    report.main(run, __doc__)
