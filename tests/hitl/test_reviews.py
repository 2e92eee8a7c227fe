import asyncio
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from scalesafe import Client, GenericMonitor, requires_approval
from scalesafe.exceptions import HumanReviewNeededException, HumanStoppedTheLoopError
from scalesafe.model import Decision, ReviewState


def _decide_later(client, decision, delay=0.2, **kw):
    def run():
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            pending = client.backend.list_reviews(ReviewState.PENDING)
            if pending:
                time.sleep(delay)
                client.backend.decide(pending[0].id, decision, "alice", **kw)
                return
            time.sleep(0.02)

    t = threading.Thread(target=run)
    t.start()
    return t


def test_request_review_raises_with_id_then_decision_is_audited(client):
    monitor = GenericMonitor()
    with pytest.raises(HumanReviewNeededException) as info:
        monitor.request_review("check the loan decision", subject={"case": 7})
    review_id = info.value.review_id
    assert client.backend.get_review(review_id).pending
    decided = client.backend.decide(review_id, Decision.APPROVE, "alice", "fine")
    assert decided.state is ReviewState.APPROVED and decided.reviewer == "alice"
    types = [a.type for a in client.backend.list_audits()]
    assert types[:2] == ["review.decided", "review.opened"]
    assert client.backend.verify().ok


def test_request_review_waits_approve_and_reject(client):
    monitor = GenericMonitor()
    t = _decide_later(client, Decision.APPROVE)
    review = monitor.request_review("ok?", wait=10)
    t.join()
    assert review.state is ReviewState.APPROVED
    t = _decide_later(client, Decision.REJECT)
    with pytest.raises(HumanStoppedTheLoopError) as info:
        monitor.request_review("ok?", wait=10)
    t.join()
    assert info.value.review_id


def test_wait_times_out_as_review_needed(client):
    start = time.monotonic()
    with pytest.raises(HumanReviewNeededException):
        GenericMonitor().request_review("nobody answers", wait=0.3)
    assert time.monotonic() - start < 3


def test_requires_approval_retry_after_decision(client):
    calls = []

    @requires_approval
    def send_email(to: str, body: str) -> str:
        calls.append(to)
        return "sent"

    with pytest.raises(HumanReviewNeededException) as info:
        send_email("bob@example.com", body="hi")
    with pytest.raises(HumanReviewNeededException) as again:
        send_email("bob@example.com", body="hi")
    assert again.value.review_id == info.value.review_id  # same call, same review
    assert calls == []
    client.backend.decide(info.value.review_id, Decision.APPROVE, "alice")
    assert send_email("bob@example.com", body="hi") == "sent"
    assert calls == ["bob@example.com"]
    with pytest.raises(HumanReviewNeededException):  # a decision is used once
        send_email("bob@example.com", body="hi")


def test_requires_approval_edit_and_reject_with_wait(client):
    @requires_approval(wait=10)
    def transfer(amount: int) -> int:
        return amount

    t = _decide_later(client, Decision.EDIT, edited_output={"amount": 5})
    assert transfer(amount=500) == 5
    t.join()
    t = _decide_later(client, Decision.REJECT)
    with pytest.raises(HumanStoppedTheLoopError):
        transfer(amount=500)
    t.join()


async def test_requires_approval_async_does_not_block_the_loop(client):
    @requires_approval(wait=10)
    async def tool(x: int) -> int:
        return x * 2

    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    tick_task = asyncio.create_task(ticker())
    t = _decide_later(client, Decision.APPROVE, delay=0.3)
    assert await tool(21) == 42
    tick_task.cancel()
    t.join()
    assert ticks > 5


def test_stop_switch_blocks_calls_and_is_audited(client):
    monitor = GenericMonitor()
    monitor.monitor("before", "ok")
    client.backend.set_stop(True, reason="incident 42", by="ops")
    client._stop.invalidate()
    with pytest.raises(HumanStoppedTheLoopError, match="incident 42"):
        monitor.monitor("during", "no")
    client.backend.set_stop(False, by="ops")
    client._stop.invalidate()
    monitor.monitor("after", "ok")
    client.flush()
    statuses = [(e.messages[0].content, e.status.value) for e in client.backend.list_events()]
    assert statuses == [("after", "ok"), ("during", "blocked"), ("before", "ok")]
    assert {"stop.engaged", "stop.released"} <= {a.type for a in client.backend.list_audits()}


def test_stop_switch_from_another_process_within_ttl(home):
    client = Client(home=home, stop_ttl=0.2)
    monitor = GenericMonitor(client=client)
    monitor.monitor("fine", "ok")
    subprocess.run([sys.executable, "-m", "scalesafe.cli", "stop", "--home", str(home),
                    "--reason", "drill"], check=True, timeout=60, capture_output=True)
    time.sleep(0.25)
    with pytest.raises(HumanStoppedTheLoopError):
        monitor.monitor("now stopped", "no")


def test_the_stop_switch_is_read_off_the_hot_path_and_never_older_than_its_ttl(home, monkeypatch):
    """While calls keep coming, the switch is read by a background thread (the hot path does
    no I/O); a call made ``ttl`` after a stop is engaged sees it, whatever the timing."""
    client = Client(home=home, stop_ttl=1.0)
    backend = client.backend
    readers: list[bool] = []  # True: read on the calling thread
    get_stop = backend.get_stop

    def spy():
        readers.append(threading.current_thread() is threading.main_thread())
        return get_stop()

    monkeypatch.setattr(backend, "get_stop", spy)
    assert client.stop_state().stopped is False
    assert readers == [True]  # the first call must know the state: it reads it
    deadline = time.monotonic() + 2.6
    while time.monotonic() < deadline:
        assert client.stop_state().stopped is False
        time.sleep(0.01)
    assert len(readers) >= 3 and not any(readers[1:])  # every later read was in the background

    backend.set_stop(True, reason="drill", by="ops")
    engaged = time.monotonic()
    while time.monotonic() < engaged + 1.0:
        client.stop_state()
        time.sleep(0.01)
    assert client.stop_state().stopped is True


def test_a_second_process_approves_while_the_first_waits(home):
    client = Client(home=home)
    monitor = GenericMonitor(client=client)
    approver = textwrap.dedent(f"""
        import time, subprocess, sys
        from scalesafe import Client
        from scalesafe.model import ReviewState
        c = Client(home={str(home)!r})
        for _ in range(400):
            pending = c.backend.list_reviews(ReviewState.PENDING)
            if pending:
                break
            time.sleep(0.025)
        subprocess.run([sys.executable, "-m", "scalesafe.cli", "reviews", "approve", pending[0].id,
                        "--home", {str(home)!r}, "-m", "looks fine"], check=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", approver])
    review = monitor.request_review("second process decides", wait=30)
    assert proc.wait(30) == 0
    assert review.state is ReviewState.APPROVED and review.comment == "looks fine"
