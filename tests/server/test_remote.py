"""The client against a real server: only SCALESAFE_BASE_URL and SCALESAFE_API_KEY change."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest

import scalesafe
from scalesafe import GenericMonitor
from scalesafe.backends import EventQuery
from scalesafe.backends._remote import RemoteBackend
from scalesafe.exceptions import (
    APIRateLimitExceededError,
    DatabaseOperationError,
    DataValidationError,
    HumanReviewNeededException,
    HumanStoppedTheLoopError,
    ResourceNotFoundError,
    UnauthorizedAccessError,
)
from scalesafe.model import Decision, Review, ReviewState

from .conftest import Deployment, count_events, free_port, start_app


@pytest.fixture
def remote_env(deployment: Deployment, monkeypatch: pytest.MonkeyPatch) -> Deployment:
    monkeypatch.setenv("SCALESAFE_BASE_URL", deployment.url)
    monkeypatch.setenv("SCALESAFE_API_KEY", deployment.key_a)
    return deployment


def backend_for(deployment: Deployment, key: str) -> RemoteBackend:
    return scalesafe.Client(base_url=deployment.url, api_key=key).backend  # type: ignore[return-value]


def test_generic_monitor_logs_to_the_server(remote_env: Deployment) -> None:
    monitor = GenericMonitor()
    for i in range(30):
        monitor.monitor([{"role": "user", "content": f"question {i}"}], f"answer {i}", model="m1")
    assert monitor.flush(10) == 0
    assert isinstance(monitor.client.backend, RemoteBackend)
    assert monitor.client.model_system == "ms-a"
    assert len(count_events(remote_env.url, remote_env.key_a)) == 30
    assert count_events(remote_env.url, remote_env.key_b) == []
    events = monitor.client.backend.list_events(EventQuery(limit=5))
    assert events[0].output_text == "answer 29"
    assert events[0].model_system == "ms-a"


def test_status_over_http(remote_env: Deployment) -> None:
    status = GenericMonitor().status()
    assert status.model_system == "ms-a"
    assert status.checks, "the server evaluates the obligations table"


def test_review_requested_by_client_and_decided_elsewhere(remote_env: Deployment) -> None:
    monitor = GenericMonitor()
    with pytest.raises(HumanReviewNeededException) as raised:
        monitor.request_review("send the offer letter?")
    review_id = raised.value.review_id
    admin = backend_for(remote_env, remote_env.key_a)
    assert [r.id for r in admin.list_reviews(ReviewState.PENDING)] == [review_id]

    result: dict[str, Review] = {}
    waiter = threading.Thread(
        target=lambda: result.setdefault("r", monitor.request_review("second", wait=10)))
    waiter.start()
    second = _wait_pending(admin, exclude={review_id})
    admin.decide(second, Decision.APPROVE, "ann", "ok")
    waiter.join(15)
    assert result["r"].state is ReviewState.APPROVED and result["r"].reviewer == "ann"


def _wait_pending(backend: RemoteBackend, exclude: set[str]) -> str:
    import time

    for _ in range(200):
        found = [r.id for r in backend.list_reviews(ReviewState.PENDING) if r.id not in exclude]
        if found:
            return found[0]
        time.sleep(0.02)
    raise AssertionError("review never opened")


def test_stop_switch_reaches_the_client(remote_env: Deployment) -> None:
    backend_for(remote_env, remote_env.key_a).set_stop(True, "incident 7", "ops")
    with pytest.raises(HumanStoppedTheLoopError, match="incident 7"):
        GenericMonitor().monitor("hi", "there")
    # the other model system keeps running
    other = scalesafe.Client(base_url=remote_env.url, api_key=remote_env.key_b)
    GenericMonitor(client=other).monitor("hi", "there")


def test_remote_errors_map_to_public_exceptions(deployment: Deployment) -> None:
    a = backend_for(deployment, deployment.key_a)
    b = backend_for(deployment, deployment.key_b)
    review = a.open_review(Review(reason="check"))
    with pytest.raises(ResourceNotFoundError):
        b.get_review(review.id)
    with pytest.raises(ResourceNotFoundError):
        a.get_event("no-such-event")
    a.decide(review.id, Decision.REJECT, "ann")
    with pytest.raises(DataValidationError):
        a.decide(review.id, Decision.APPROVE, "bob")
    from scalesafe.server import KeyStore

    KeyStore(deployment.home).revoke(deployment.key_b[:11])
    with pytest.raises(UnauthorizedAccessError) as raised:
        b.get_stop()
    assert deployment.key_b not in str(raised.value) and deployment.key_b not in repr(b)


def test_unreachable_server_is_database_operation_error(tmp_path: Path) -> None:
    client = scalesafe.Client(base_url=f"http://127.0.0.1:{free_port()}",
                              api_key="sk-" + "0" * 30 + "-" + "a" * 28)
    with pytest.raises(DatabaseOperationError) as raised:
        client.backend.get_stop()
    assert "a" * 28 not in str(raised.value)
    assert client.model_system == "default"  # never raises, even with the server down


def test_rate_limit_is_api_rate_limit_error(tmp_path: Path) -> None:
    server, key = start_app(tmp_path / "h", rate_limit=0.2, burst=1)
    try:
        backend = RemoteBackend(scalesafe.Client(base_url=server.url, api_key=key).settings)
        backend.get_stop()
        with pytest.raises(APIRateLimitExceededError) as raised:
            backend.get_stop()
        assert raised.value.retry_after is not None and raised.value.retry_after >= 1
    finally:
        server.stop()


def test_audit_verify_policy_and_paging(deployment: Deployment) -> None:
    backend = backend_for(deployment, deployment.key_a)
    record = backend.record_audit("incident", {"severity": "general"})
    assert [r.id for r in backend.list_audits("incident")] == [record.id]
    assert backend.verify().ok is True
    assert backend.get_policy() is None
    httpx.put(deployment.url + "/v1/policy", params={"model": "ms-a"},
              headers={"Authorization": f"Bearer {deployment.admin}"},
              json={"policy": {"checks": {}}})
    assert backend.get_policy() == {"checks": {}}
    client = scalesafe.Client(base_url=deployment.url, api_key=deployment.key_a, durability="sync")
    for i in range(5):
        GenericMonitor(client=client).monitor(f"q{i}", "a")
    ids = [e.id for e in backend.iter_events(EventQuery(limit=2, descending=False))]
    assert len(ids) == 5 and ids == sorted(ids)


def test_benchmarker_over_http(remote_env: Deployment) -> None:
    from scalesafe.benchmarking import Benchmarker

    bench = Benchmarker("nyEmploymentScreening")
    items = list(bench)
    local = list(__import__("scalesafe.benchmarking", fromlist=["dataset"])
                 .dataset("nyEmploymentScreening"))
    assert [i["id"] for i in items] == [i["id"] for i in local]
    for n, item in enumerate(items):
        bench.answer(n % 2 == 0, item["id"])
    analysis = bench.post_answers()
    assert isinstance(analysis, dict) and analysis
    records = backend_for(remote_env, remote_env.key_a).list_audits("benchmark")
    assert records and records[0].body["benchmark"] == "nyEmploymentScreening"
