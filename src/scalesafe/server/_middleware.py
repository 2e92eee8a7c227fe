"""The outer ASGI layer: body size limit, structured access log, last-resort error JSON.

Written as plain ASGI (not BaseHTTPMiddleware) because it sits on the ingest hot
path. The access log holds method, path, status, duration and model system:
never headers (keys), query values or bodies (event contents).
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_log = logging.getLogger("scalesafe.server.access")
log = logging.getLogger("scalesafe.server")


class _TooLarge(HTTPException):
    """An HTTPException, so FastAPI's body reader re-raises it instead of answering 400."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit} bytes")


class ServerMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state: dict[str, Any] = {"status": 500, "sent": False}
        scope.setdefault("state", {})
        if self._declared_too_large(scope):
            await _send_error(send, 413, "PayloadTooLarge", self._too_large_message())
            self._log(scope, 413, started)
            return

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"], state["sent"] = message["status"], True
            await send(message)

        try:
            await self.app(scope, self._limited(receive), send_wrapper)
        except _TooLarge:
            state["status"] = 413
            if not state["sent"]:
                await _send_error(send, 413, "PayloadTooLarge", self._too_large_message())
        except Exception:
            log.exception("unhandled server error on %s %s", scope.get("method"), scope.get("path"))
            state["status"] = 500
            if not state["sent"]:
                await _send_error(send, 500, "InternalServerError", "internal server error")
        self._log(scope, state["status"], started)

    def _declared_too_large(self, scope: Scope) -> bool:
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    return int(value) > self.max_body_bytes
                except ValueError:
                    return False
        return False

    def _limited(self, receive: Receive) -> Receive:
        seen = 0

        async def wrapped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body_bytes:
                    raise _TooLarge(self.max_body_bytes)
            return message

        return wrapped

    def _too_large_message(self) -> str:
        return f"request body larger than {self.max_body_bytes} bytes"

    @staticmethod
    def _log(scope: Scope, status: int, started: float) -> None:
        if not access_log.isEnabledFor(logging.INFO):
            return
        record = {
            "method": scope.get("method"),
            "path": scope.get("path"),
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "model_system": scope["state"].get("model_system"),
        }
        access_log.info(json.dumps(record))


async def _send_error(send: Send, status: int, type: str, message: str) -> None:
    body = json.dumps({"error": {"type": type, "message": message, "status": status}}).encode()
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode())],
    })
    await send({"type": "http.response.body", "body": body})
