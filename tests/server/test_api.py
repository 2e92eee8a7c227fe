"""The HTTP API against a real server: auth, isolation, ingest, errors, limits."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import httpx
import pytest

from scalesafe.model import Event, Message

from .conftest import Deployment, start_app


def batch(*events: Event) -> bytes:
    return ('{"events":[' + ",".join(e.to_json() for e in events) + "]}").encode()


def some_events(n: int, text: str = "hello") -> list[Event]:
    return [Event(messages=[Message(role="user", content=f"{text} {i}")], output_text="ok")
            for i in range(n)]


def test_health_and_openapi_need_no_key(deployment: Deployment) -> None:
    with deployment.http() as c:
        assert c.get("/healthz").json()["ok"] is True
        schema = c.get("/openapi.json").json()
    assert "/v1/events" in schema["paths"]
    assert "EventBatch" in schema["components"]["schemas"]


@pytest.mark.parametrize("header", [None, "Bearer", "Basic abc", "Bearer sk-nope"])
def test_missing_or_unknown_key_is_401_json(deployment: Deployment, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    r = httpx.get(deployment.url + "/v1/events", headers=headers)
    assert r.status_code == 401
    assert r.json()["error"]["status"] == 401


def test_ingest_is_idempotent_and_pages_by_cursor(deployment: Deployment) -> None:
    events = some_events(25)
    with deployment.http(deployment.key_a) as c:
        first = c.post("/v1/events", content=batch(*events)).json()
        again = c.post("/v1/events", content=batch(*events[:10])).json()
        assert first == {"received": 25, "new": 25}
        assert again == {"received": 10, "new": 0}
        seen, cursor = [], None
        while True:
            params = {"limit": 10, "descending": "false", **({"cursor": cursor} if cursor else {})}
            page = c.get("/v1/events", params=params).json()
            seen += [e["id"] for e in page["events"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        one = c.get(f"/v1/events/{events[3].id}").json()
    assert seen == [e.id for e in events]
    assert one["messages"][0]["content"] == "hello 3"
    assert one["model_system"] == "ms-a"


def test_the_key_decides_the_model_system(deployment: Deployment) -> None:
    event = some_events(1)[0]
    event.model_system = "ms-b"  # a key for ms-a cannot write into ms-b
    with deployment.http(deployment.key_a) as c:
        c.post("/v1/events", content=batch(event))
    with deployment.http(deployment.key_b) as b:
        assert b.get("/v1/events").json()["events"] == []
    with deployment.http(deployment.key_a) as a:
        assert a.get(f"/v1/events/{event.id}").json()["model_system"] == "ms-a"


def test_cross_model_isolation(deployment: Deployment) -> None:
    event = some_events(1)[0]
    with deployment.http(deployment.key_a) as a:
        a.post("/v1/events", content=batch(event))
        review = a.post("/v1/reviews", json={"reason": "check", "event_id": event.id}).json()
    with deployment.http(deployment.key_b) as b:
        assert b.get(f"/v1/events/{event.id}").status_code == 404
        assert b.get(f"/v1/reviews/{review['id']}").status_code == 404
        decided = b.post(f"/v1/reviews/{review['id']}/decision",
                         json={"decision": "approve", "reviewer": "mallory"})
        assert decided.status_code == 404
        assert b.get("/v1/reviews").json()["reviews"] == []
        assert b.get("/v1/events", params={"model": "ms-a"}).status_code == 403
        assert b.get("/v1/stop", headers={"X-ScaleSafe-Model": "ms-a"}).status_code == 403
        reused = b.post("/v1/reviews", json={"id": review["id"], "reason": "steal"})
        assert reused.status_code == 409
    with deployment.http(deployment.key_a) as a:
        assert a.get(f"/v1/reviews/{review['id']}").json()["state"] == "pending"


@pytest.mark.parametrize("body", [b"", b"{", b"null", b"[]", b'{"events": 3}',
                                  b'{"events": [{"start_time": "not a date"}]}',
                                  b'{"events": [{"kind": "nonsense"}]}', b"\xff\xfe"])
def test_malformed_ingest_is_422_without_echo(deployment: Deployment, body: bytes) -> None:
    with deployment.http(deployment.key_a) as c:
        r = c.post("/v1/events", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert r.json()["error"]["type"] == "DataValidationError"
    assert "not a date" not in r.text


@pytest.mark.parametrize("path,body", [
    ("/v1/reviews", b"{not json"), ("/v1/reviews", b'{"reason": 5}'),
    ("/v1/stop", b'{"stopped": "maybe"}'), ("/v1/audit", b'{"type": "bad type!"}'),
])
def test_malformed_bodies_are_4xx(deployment: Deployment, path: str, body: bytes) -> None:
    method = "PUT" if path == "/v1/stop" else "POST"
    with deployment.http(deployment.key_a) as c:
        r = c.request(method, path, content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert "error" in r.json()


def test_bad_query_values_are_422(deployment: Deployment) -> None:
    with deployment.http(deployment.key_a) as c:
        for params in ({"cursor": "x"}, {"cursor": "9" * 30}, {"limit": 0}, {"since": "yesterday"}):
            assert c.get("/v1/events", params=params).status_code == 422


def test_body_size_limit_is_413(tmp_path: Path) -> None:
    server, key = start_app(tmp_path / "h", max_body_bytes=2000)
    try:
        headers = {"Authorization": f"Bearer {key}"}
        big = batch(*some_events(40))
        r = httpx.post(server.url + "/v1/events", content=big, headers=headers)
        assert r.status_code == 413
        assert r.json()["error"]["type"] == "PayloadTooLarge"

        def chunks():  # no Content-Length: the limit still holds while streaming
            for i in range(0, len(big), 500):
                yield big[i:i + 500]

        r = httpx.post(server.url + "/v1/events", content=chunks(), headers=headers)
        assert r.status_code == 413
        r = httpx.post(server.url + "/v1/reviews", content=b'{"reason": "' + b"x" * 3000 + b'"}',
                       headers={**headers, "Content-Type": "application/json"})
        assert r.status_code == 413
    finally:
        server.stop()


def test_reviews_lifecycle(deployment: Deployment) -> None:
    with deployment.http(deployment.key_a) as c:
        opened = c.post("/v1/reviews", json={"reason": "tool call", "kind": "tool_approval"})
        assert opened.status_code == 201
        rid = opened.json()["id"]
        assert c.post("/v1/reviews", json={"id": rid, "reason": "retry"}).status_code == 200
        pending = c.get("/v1/reviews", params={"state": "pending"}).json()["reviews"]
        assert [r["id"] for r in pending] == [rid]
        no_edit = c.post(f"/v1/reviews/{rid}/decision", json={"decision": "edit", "reviewer": "ann"})
        assert no_edit.status_code == 422
        done = c.post(f"/v1/reviews/{rid}/decision",
                      json={"decision": "approve", "reviewer": "ann", "comment": "fine"})
        assert done.json()["state"] == "approved"
        twice = c.post(f"/v1/reviews/{rid}/decision", json={"decision": "reject", "reviewer": "bob"})
        assert twice.status_code == 409
        assert c.get("/v1/reviews/nope").status_code == 404


def test_stop_switch_policy_status_and_audit(deployment: Deployment) -> None:
    with deployment.http(deployment.key_a) as c:
        assert c.get("/v1/stop").json()["stopped"] is False
        stopped = c.put("/v1/stop", json={"stopped": True, "reason": "incident"}).json()
        assert stopped["stopped"] is True and stopped["by"].startswith("key sk-")
        assert c.get("/v1/policy").json() == {"policy": None}
        assert c.put("/v1/policy", json={"policy": {}}).status_code == 403
        status = c.get("/v1/status")
        assert status.status_code == 200 and status.json()["stopped"] is True
        audit = c.get("/v1/audit").json()
        assert audit["verify"]["ok"] is True
        assert "stop.engaged" in [r["type"] for r in audit["records"]]
        posted = c.post("/v1/audit", json={"type": "incident", "body": {"severity": "general"}})
        assert posted.status_code == 201
        assert c.post("/v1/audit", json={"type": "event", "body": {}}).status_code == 422
    with deployment.http(deployment.admin) as admin:
        r = admin.put("/v1/policy", params={"model": "ms-a"}, json={"policy": {"banned_terms": []}})
        assert r.status_code == 200
    with deployment.http(deployment.key_b) as b:
        assert b.get("/v1/policy").json() == {"policy": None}
        assert b.get("/v1/stop").json()["stopped"] is False


def test_revoked_key_is_401(deployment: Deployment) -> None:
    from scalesafe.server import KeyStore

    with deployment.http(deployment.key_a) as c:
        assert c.get("/v1/stop").status_code == 200
        KeyStore(deployment.home).revoke(deployment.key_a[:11])
        r = c.get("/v1/stop")
    assert r.status_code == 401
    assert deployment.key_a not in r.text


def test_rate_limit_429_with_retry_after(tmp_path: Path) -> None:
    server, key = start_app(tmp_path / "h", rate_limit=0.5, burst=2)
    try:
        headers = {"Authorization": f"Bearer {key}"}
        codes = [httpx.get(server.url + "/v1/stop", headers=headers) for _ in range(3)]
        assert [r.status_code for r in codes] == [200, 200, 429]
        assert int(codes[2].headers["Retry-After"]) >= 1
        assert codes[2].json()["error"]["type"] == "APIRateLimitExceededError"
        assert httpx.get(server.url + "/healthz").status_code == 200
    finally:
        server.stop()


def test_access_log_has_no_keys_or_contents(deployment: Deployment,
                                            caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="scalesafe.server.access")
    with deployment.http(deployment.key_a) as c:
        c.post("/v1/events", content=batch(*some_events(2, text="secret-content")))
        c.get("/v1/nowhere")
    deadline = time.monotonic() + 5  # the line is written just after the response is sent
    while time.monotonic() < deadline:
        records = [json.loads(r.getMessage()) for r in caplog.records
                   if r.name == "scalesafe.server.access"]
        if len(records) >= 2:
            break
        time.sleep(0.02)
    assert {"method": "POST", "path": "/v1/events", "status": 200,
            "model_system": "ms-a"}.items() <= records[0].items()
    assert records[1]["status"] == 404
    text = caplog.text
    assert deployment.key_a not in text and "secret-content" not in text
