"""The review page: driven in headless Chromium, and its form protections checked over HTTP."""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import scalesafe
from scalesafe import GenericMonitor
from scalesafe.model import Review, ReviewState

from .conftest import Deployment

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def _why_no_browser() -> str | None:
    if shutil.which(CHROMIUM) is None:
        return f"{CHROMIUM} is missing (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is missing (pip install playwright; no 'playwright install' needed)"
    return None


@pytest.fixture
def page(deployment: Deployment) -> Iterator[Any]:
    reason = _why_no_browser()
    if reason:
        print(f"SKIP review page browser test: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def test_approve_in_chromium_releases_a_waiting_client(deployment: Deployment, page: Any) -> None:
    client = scalesafe.Client(base_url=deployment.url, api_key=deployment.key_a, durability="sync")
    monitor = GenericMonitor(client=client)
    event = monitor.monitor("May I refund order 1234?", "Refund issued.", model="m1")
    result: dict[str, Review] = {}
    waiter = threading.Thread(target=lambda: result.setdefault(
        "review", monitor.request_review("refund over limit", event_id=event.id, wait=30)))
    waiter.start()
    for _ in range(500):  # the review is open before the page loads
        if client.backend.list_reviews(ReviewState.PENDING):
            break
        time.sleep(0.01)

    page.goto(deployment.url + "/ui")
    page.get_by_label("API key or admin token").fill(deployment.key_a)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Pending reviews (1)").wait_for()
    assert "May I refund order 1234?" in page.content()
    card = page.get_by_role("article")
    card.get_by_label("Comment").fill("within policy")
    card.get_by_role("button", name="Approve").click()
    page.get_by_role("status").wait_for()
    assert "approve recorded" in page.get_by_role("status").inner_text()
    assert page.get_by_role("heading", name="Pending reviews (0)").is_visible()

    waiter.join(30)
    review = result["review"]
    assert review.state is ReviewState.APPROVED
    assert review.comment == "within policy"
    assert review.reviewer and review.reviewer.startswith("key sk-")

    page.get_by_label("Reason").fill("incident 42")
    page.get_by_role("button", name="Engage the stop switch").click()
    page.get_by_text("Stop switch engaged.").wait_for()
    assert client.backend.get_stop().stopped is True
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("API key or admin token").wait_for()


def test_admin_signs_in_and_switches_model_system(deployment: Deployment, page: Any) -> None:
    other = scalesafe.Client(base_url=deployment.url, api_key=deployment.key_b, durability="sync")
    GenericMonitor(client=other).monitor("hello from b", "hi", model="model-b")
    page.goto(deployment.url + "/ui")
    page.get_by_label("API key or admin token").fill(deployment.admin)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=re.compile("ScaleSafe · default")).wait_for()
    page.get_by_label("Model system").select_option("ms-b")
    page.get_by_role("button", name="Switch", exact=True).click()
    page.get_by_role("heading", name=re.compile("ScaleSafe · ms-b")).wait_for()
    assert "model-b" in page.content()


def _signed_in(deployment: Deployment) -> tuple[httpx.Client, str]:
    http = httpx.Client(base_url=deployment.url, follow_redirects=False)
    r = http.post("/ui/login", data={"token": deployment.key_a})
    assert r.status_code == 303
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    page = http.get("/ui").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    return http, csrf.group(1)


def test_forms_need_the_csrf_token_and_same_origin(deployment: Deployment) -> None:
    http, csrf = _signed_in(deployment)
    assert http.post("/ui/stop", data={"action": "engage"}).status_code == 403
    foreign = {"Origin": "http://evil.example"}
    assert http.post("/ui/stop", data={"action": "engage", "csrf": csrf},
                     headers=foreign).status_code == 403
    backend = scalesafe.Client(base_url=deployment.url, api_key=deployment.key_a).backend
    assert backend.get_stop().stopped is False
    assert http.post("/ui/stop", data={"action": "engage", "csrf": csrf}).status_code == 303
    assert backend.get_stop().stopped is True


def test_bad_login_and_revoked_session(deployment: Deployment) -> None:
    from scalesafe.server import KeyStore

    r = httpx.post(deployment.url + "/ui/login", data={"token": "sk-wrong"})
    assert r.status_code == 401 and "not accepted" in r.text
    http, _ = _signed_in(deployment)
    assert "Sign out" in http.get("/ui").text
    KeyStore(deployment.home).revoke(deployment.key_a[:11])
    assert "Sign in" in http.get("/ui").text


def test_page_escapes_event_text(deployment: Deployment) -> None:
    client = scalesafe.Client(base_url=deployment.url, api_key=deployment.key_a, durability="sync")
    event = GenericMonitor(client=client).monitor("<script>alert(1)</script>", "ok")
    client.backend.open_review(Review(reason="<b>why</b>", event_id=event.id))
    http, _ = _signed_in(deployment)
    page = http.get("/ui")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text and "&lt;b&gt;why" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]


def test_edit_with_comment_through_the_page(deployment: Deployment) -> None:
    backend = scalesafe.Client(base_url=deployment.url, api_key=deployment.key_a).backend
    review = backend.open_review(Review(reason="tone"))
    http, csrf = _signed_in(deployment)
    url = f"/ui/reviews/{review.id}/decide"
    r = http.post(url, data={"csrf": csrf, "decision": "edit", "comment": "x"})
    assert "edited+output" in r.headers["location"] or "edited%20output" in r.headers["location"]
    assert backend.get_review(review.id).state is ReviewState.PENDING
    r = http.post(url, data={"csrf": csrf, "decision": "edit", "edited_output": "Kinder words.",
                             "comment": "softened"})
    assert r.status_code == 303
    decided = backend.get_review(review.id)
    assert decided.state is ReviewState.EDITED
    assert (decided.edited_output, decided.comment) == ("Kinder words.", "softened")
