"""``FakeOpenAIServer``: a small OpenAI-compatible HTTP server for tests and demos.

Standard library only. It answers chat completions (also SSE streaming), the
Responses API (also streaming) and the Assistants endpoints, from scripted
replies, and keeps a log of every request body so a test can prove that a
blocked prompt never arrived.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ._assistants import RUN_STATUSES, AssistantsState
from ._replies import (
    Reply,
    as_reply,
    chat_chunks,
    chat_completion,
    new_id,
    response_events,
    response_object,
)

__all__ = ["FakeOpenAIServer", "RecordedRequest"]

ReplySource = Callable[[dict[str, Any]], "Reply | str"]


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received: method, path (without query) and JSON body."""

    method: str
    path: str
    json: Any


class FakeOpenAIServer:
    """An OpenAI-compatible server on 127.0.0.1 and a free port; use it as a context manager.

    ``replies`` are used in order, one per model answer (chat, responses, or a completed
    run); a callable gets the request body and returns a reply. When they run out,
    ``default`` answers. ``run_statuses`` are the statuses a run goes through, one per retrieve.
    """

    def __init__(
        self,
        replies: Iterable[Reply | str] | ReplySource = (),
        *,
        default: Reply | str | None = None,
        run_statuses: Sequence[str] = RUN_STATUSES,
    ) -> None:
        self._script: ReplySource | None = replies if callable(replies) else None
        self._queue: deque[Reply | str] = deque() if callable(replies) else deque(replies)
        self.default = as_reply(default if default is not None else Reply())
        self.requests: list[RecordedRequest] = []
        self.assistants = AssistantsState(self.next_reply, run_statuses)
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle -------------------------------------------------------------------------------
    def start(self) -> FakeOpenAIServer:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="fake-openai",
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """What to pass as ``OpenAI(base_url=...)``."""
        if self._httpd is None:
            raise RuntimeError("the server is not running: use it as a context manager")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    # script ----------------------------------------------------------------------------------
    def add_replies(self, *replies: Reply | str) -> None:
        with self._lock:
            self._queue.extend(replies)

    def next_reply(self, body: dict[str, Any]) -> Reply:
        if self._script is not None:
            return as_reply(self._script(body))
        with self._lock:
            return as_reply(self._queue.popleft()) if self._queue else self.default

    def record(self, method: str, path: str, body: Any) -> None:
        with self._lock:
            self.requests.append(RecordedRequest(method, path, body))

    def received_text(self) -> str:
        """Every request body as JSON text, to assert that something never arrived."""
        with self._lock:
            return "\n".join(json.dumps(r.json) for r in self.requests)

    def paths(self) -> list[str]:
        with self._lock:
            return [f"{r.method} {r.path}" for r in self.requests]


_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    (m, re.compile(p + "$"), name) for m, p, name in [
        ("POST", r"/v1/chat/completions", "chat"),
        ("POST", r"/v1/responses", "responses"),
        ("POST", r"/v1/assistants", "create_assistant"),
        ("GET", r"/v1/assistants/(?P<assistant>[\w-]+)", "retrieve_assistant"),
        ("POST", r"/v1/threads", "create_thread"),
        ("POST", r"/v1/threads/(?P<thread>[\w-]+)/messages", "create_message"),
        ("GET", r"/v1/threads/(?P<thread>[\w-]+)/messages", "list_messages"),
        ("POST", r"/v1/threads/(?P<thread>[\w-]+)/runs", "create_run"),
        ("GET", r"/v1/threads/(?P<thread>[\w-]+)/runs", "list_runs"),
        ("GET", r"/v1/threads/(?P<thread>[\w-]+)/runs/(?P<run>[\w-]+)", "retrieve_run"),
    ]
]


class _Handler(BaseHTTPRequestHandler):
    fake: FakeOpenAIServer
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        path, _, query = self.path.partition("?")
        body = self._body()
        self.fake.record(method, path, body)
        for verb, pattern, name in _ROUTES:
            match = pattern.match(path)
            if verb == method and match:
                try:
                    getattr(self, f"_{name}")(body, query=query, **match.groupdict())
                except KeyError as exc:
                    self._not_found(f"not found: {exc}")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading (e.g. a stream cut off by screening)
                return
        self._not_found(f"no route {method} {path}")

    def _not_found(self, message: str) -> None:
        self._json(404, {"error": {"message": message, "type": "invalid_request_error"}})

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else {}
        except ValueError:
            return {"_raw": raw.decode("utf-8", "replace")}

    # responses --------------------------------------------------------------------------------
    def _json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-request-id", new_id("req"))
        self.end_headers()
        self.wfile.write(data)

    def _sse(self, events: Iterator[dict[str, Any]], *, named: bool, done: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("x-request-id", new_id("req"))
        self.end_headers()
        for number, event in enumerate(events):
            if named:
                event = {**event, "sequence_number": number}
                self.wfile.write(f"event: {event['type']}\n".encode())
            self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
            self.wfile.flush()
        if done:
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

    def _reply(self, body: dict[str, Any]) -> Reply | None:
        reply = self.fake.next_reply(body)
        if reply.status >= 400:
            self._json(reply.status, reply.error_body())
            return None
        return reply

    # endpoints --------------------------------------------------------------------------------
    def _chat(self, body: Any, **_: Any) -> None:
        reply = self._reply(body)
        if reply is None:
            return
        if body.get("stream"):
            self._sse(chat_chunks(reply, body), named=False, done=True)
        else:
            self._json(200, chat_completion(reply, body))

    def _responses(self, body: Any, **_: Any) -> None:
        reply = self._reply(body)
        if reply is None:
            return
        if body.get("stream"):
            self._sse(response_events(reply, body), named=True, done=False)
        else:
            self._json(200, response_object(reply, body))

    def _create_assistant(self, body: Any, **_: Any) -> None:
        self._json(200, self.fake.assistants.create_assistant(body))

    def _retrieve_assistant(self, body: Any, assistant: str, **_: Any) -> None:
        self._json(200, self.fake.assistants.assistants[assistant])

    def _create_thread(self, body: Any, **_: Any) -> None:
        self._json(200, self.fake.assistants.create_thread(body))

    def _create_message(self, body: Any, thread: str, **_: Any) -> None:
        self._json(200, self.fake.assistants.add_message(thread, body))

    def _list_messages(self, body: Any, thread: str, query: str = "", **_: Any) -> None:
        params = dict(p.partition("=")[::2] for p in query.split("&") if p)
        limit = int(params.get("limit") or 20)
        order = params.get("order", "desc")
        self._json(200, self.fake.assistants.list_messages(thread, order, limit))

    def _create_run(self, body: Any, thread: str, **_: Any) -> None:
        self._json(200, self.fake.assistants.create_run(thread, body))

    def _list_runs(self, body: Any, thread: str, **_: Any) -> None:
        self._json(200, self.fake.assistants.list_runs(thread))

    def _retrieve_run(self, body: Any, thread: str, run: str, **_: Any) -> None:
        self._json(200, self.fake.assistants.retrieve_run(thread, run))
