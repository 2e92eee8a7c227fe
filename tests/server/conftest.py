"""Real servers on 127.0.0.1: uvicorn in a thread, or ``scalesafe server`` in a subprocess."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from scalesafe.server import KeyStore, create_app

ADMIN = "admin-token-for-tests"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerThread:
    """uvicorn serving ``app`` in a daemon thread until ``stop()``."""

    def __init__(self, app: Any, port: int | None = None) -> None:
        self.port = port or free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                access_log=False, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@dataclass
class Deployment:
    home: Path
    url: str
    key_a: str
    key_b: str
    admin: str = ADMIN
    threads: list[ServerThread] = field(default_factory=list)

    def http(self, key: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=10)


def make_keys(home: Path) -> tuple[str, str]:
    keys = KeyStore(home)
    key_a, _ = keys.create("ms-a")
    key_b, _ = keys.create("ms-b")
    keys.close()
    return key_a, key_b


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[Deployment]:
    """A server on a fresh data folder with keys for model systems ms-a and ms-b."""
    home = tmp_path / "server-home"
    key_a, key_b = make_keys(home)
    thread = ServerThread(create_app(home, ADMIN)).start()
    yield Deployment(home=home, url=thread.url, key_a=key_a, key_b=key_b, threads=[thread])
    thread.stop()


def start_app(home: Path, **options: Any) -> tuple[ServerThread, str]:
    """A server with custom limits on ``home``; returns it and an ms-a key."""
    key, _ = make_keys(home)
    return ServerThread(create_app(home, ADMIN, **options)).start(), key


class ServerProcess:
    """``python -m scalesafe.cli server`` in a subprocess, killable with SIGKILL."""

    def __init__(self, home: Path, port: int) -> None:
        self.home, self.port = home, port
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ServerProcess:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "scalesafe.cli", "server", "--host", "127.0.0.1",
             "--port", str(self.port), "--home", str(self.home), "--no-access-log"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        wait_healthy(f"http://127.0.0.1:{self.port}", self.proc)
        return self

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_healthy(url: str, proc: subprocess.Popen[bytes] | None = None, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"server exited: {err[-2000:]}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError("server did not become healthy")


def count_events(url: str, key: str) -> list[str]:
    """Every event id of the key's model system, following the cursor."""
    ids: list[str] = []
    cursor = None
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=10) as c:
        while True:
            params: dict[str, Any] = {"limit": 1000, "descending": "false"}
            if cursor:
                params["cursor"] = cursor
            response = c.get("/v1/events", params=params)
            if response.status_code == 429:
                time.sleep(float(response.headers["Retry-After"]))
                continue
            page = response.json()
            ids.extend(e["id"] for e in page["events"])
            cursor = page["next_cursor"]
            if cursor is None:
                return ids
