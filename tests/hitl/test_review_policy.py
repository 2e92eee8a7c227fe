"""The policy action "review": a person decides before the call goes on."""

import subprocess
import sys
import textwrap

import pytest

from scalesafe import Client, GenericMonitor, Policy
from scalesafe.exceptions import HumanReviewNeededException, HumanStoppedTheLoopError
from scalesafe.model import Decision, ReviewState, Status

PROMPT = "Please forward this to jane.doe@example.com"


def test_review_finding_raises_with_review_id_then_retry_after_approval(home):
    client = Client(home=home, policy=Policy(input={"email": "review"}))
    monitor = GenericMonitor(client=client)
    with pytest.raises(HumanReviewNeededException) as info:
        monitor.monitor(PROMPT, "ok", screen_inputs=True)
    review = client.backend.get_review(info.value.review_id)
    assert review.pending and review.kind == "screening" and review.event_id == info.value.event_id
    assert "jane.doe" not in review.reason and "email" in review.reason
    client.flush()
    pending_event = client.backend.get_event(info.value.event_id)
    assert pending_event.status is Status.PENDING_REVIEW and pending_event.review_id == review.id

    with pytest.raises(HumanReviewNeededException):  # still pending: the retry says so again
        monitor.monitor(PROMPT, "ok", screen_inputs=True, review_id=review.id)
    client.backend.decide(review.id, Decision.APPROVE, "alice")
    event = monitor.monitor(PROMPT, "ok", screen_inputs=True, review_id=review.id)
    assert event.status is Status.OK and event.verdict.value == "review"


def test_rejected_review_stops_the_call(home):
    client = Client(home=home, policy=Policy(output={"email": "review"}))
    monitor = GenericMonitor(client=client)
    with pytest.raises(HumanReviewNeededException) as info:
        monitor.monitor("who to contact?", "write to jane.doe@example.com", screen_outputs=True)
    client.backend.decide(info.value.review_id, Decision.REJECT, "alice", "not allowed")
    with pytest.raises(HumanStoppedTheLoopError) as stopped:
        monitor.monitor("who to contact?", "write to jane.doe@example.com", screen_outputs=True,
                        review_id=info.value.review_id)
    assert stopped.value.review_id == info.value.review_id


async def test_async_wait_for_review_does_not_block_the_loop(home):
    import asyncio

    from scalesafe._guard import Gate
    from scalesafe.model import Direction, Event, Message

    client = Client(home=home, policy=Policy(input={"email": "review"}), review_wait=10)
    gate = Gate(client)
    event = Event(messages=[Message(role="user", content=PROMPT)])

    async def approve_when_pending():
        for _ in range(200):
            pending = client.backend.list_reviews(ReviewState.PENDING)
            if pending:
                client.backend.decide(pending[0].id, Decision.EDIT, "alice", edited_output="edited")
                return
            await asyncio.sleep(0.02)

    approver = asyncio.create_task(approve_when_pending())
    verdict = await gate.ascreen(event, Direction.INPUT, [("messages[0]", PROMPT)], lambda _: None)
    await approver
    assert verdict.redacted == "edited"


def test_a_prompt_waits_until_a_second_process_approves_with_the_cli(home):
    """A review rule blocks, `scalesafe reviews approve ID` runs elsewhere, the call completes."""
    client = Client(home=home, policy=Policy(input={"email": "review"}), review_wait=60)
    monitor = GenericMonitor(client=client)
    approver = textwrap.dedent(f"""
        import subprocess, sys, time
        from scalesafe import Client
        from scalesafe.model import ReviewState
        c = Client(home={str(home)!r})
        for _ in range(1200):
            pending = c.backend.list_reviews(ReviewState.PENDING)
            if pending:
                break
            time.sleep(0.025)
        subprocess.run([sys.executable, "-m", "scalesafe.cli", "reviews", "approve", pending[0].id,
                        "--home", {str(home)!r}], check=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", approver])
    event = monitor.monitor(PROMPT, "done", screen_inputs=True)
    assert proc.wait(60) == 0
    assert event.status is Status.OK
    [review] = client.backend.list_reviews(ReviewState.APPROVED)
    client.flush()
    snapshot = client.backend.get_event(review.event_id)
    assert snapshot.status is Status.PENDING_REVIEW  # what the reviewer saw
    final = client.backend.get_event(event.id)  # what happened after the approval
    assert final.status is Status.OK and final.review_id == review.id and final.id != snapshot.id
    assert {"review.opened", "review.decided"} <= {a.type for a in client.backend.list_audits()}
    client.flush()
    assert client.backend.verify().ok


def test_an_edit_replaces_the_text_a_wrapped_call_sends(home):
    """OpenAI's wrapped client sends the reviewer's edited prompt instead of the original."""
    import threading
    import time

    from openai import OpenAI

    from scalesafe.openai import wrap
    from scalesafe.testing import FakeOpenAIServer

    client = Client(home=home, policy=Policy(input={"email": "review"}), review_wait=20)

    def edit_when_pending():
        for _ in range(400):
            pending = client.backend.list_reviews(ReviewState.PENDING)
            if pending:
                client.backend.decide(pending[0].id, Decision.EDIT, "alice",
                                      edited_output="Please forward this to the support team")
                return
            time.sleep(0.025)

    with FakeOpenAIServer(default="Forwarded.") as server:
        llm = wrap(OpenAI(api_key="test", base_url=server.base_url), client=client)
        t = threading.Thread(target=edit_when_pending)
        t.start()
        reply = llm.chat.completions.create(model="m", messages=[{"role": "user", "content": PROMPT}])
        t.join()
        assert reply.choices[0].message.content == "Forwarded."
        sent = server.requests[-1].json["messages"][0]["content"]
    assert sent == "Please forward this to the support team"
    assert "jane.doe" not in sent
