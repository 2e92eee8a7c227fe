"""The review page at /ui: sign in with a key or the admin token, then decide reviews.

Sessions are HttpOnly, SameSite=Strict cookies; every form post carries the
session's CSRF token and a foreign Origin is refused. No scripts at all.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response

from .._settings import _MODEL_PATTERN
from ..backends import EventQuery, LocalBackend
from ..exceptions import ResourceNotFoundError, ScaleSafeException
from ..model import Decision, ReviewState
from . import _ui_html as html
from ._auth import server_state
from ._sessions import COOKIE, SESSION_SECONDS, Session
from ._state import ServerState

router = APIRouter(prefix="/ui")
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _html(content: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(content, status_code=status, headers=_HEADERS)


def _back(flash: str) -> RedirectResponse:
    return RedirectResponse("/ui?" + urllib.parse.urlencode({"msg": flash}), status_code=303)


def _session(request: Request, state: ServerState) -> Session | None:
    sid = request.cookies.get(COOKIE)
    session = state.sessions.get(sid)
    if session is not None and session.key_id and not state.keys.is_active(session.key_id):
        state.sessions.drop(sid)
        return None
    return session


async def _form(request: Request) -> dict[str, str]:
    """A urlencoded form (no multipart dependency); the body limit applies as everywhere."""
    raw = (await request.body()).decode("utf-8", "replace")
    pairs = urllib.parse.parse_qsl(raw, keep_blank_values=True, max_num_fields=50)
    return {k: v for k, v in pairs}


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin != "null"
    return urllib.parse.urlsplit(origin).netloc == request.headers.get("host")


async def _posted(request: Request, state: ServerState) -> tuple[Session, dict[str, str]] | Response:
    """The session and form of a valid post, or the response refusing it."""
    if not _same_origin(request):
        return _html(html.page("Refused", "<p>Cross-site form post refused.</p>"), 403)
    session = _session(request, state)
    if session is None:
        return RedirectResponse("/ui", status_code=303)
    form = await _form(request)
    if not session.csrf_ok(form.get("csrf")):
        return _html(html.page("Refused", "<p>The form expired; reload the page.</p>"), 403)
    return session, form


@router.get("/style.css")
def style() -> Response:
    return Response(html.CSS, media_type="text/css", headers={"Cache-Control": "max-age=3600"})


@router.get("")
def dashboard(request: Request, state: ServerState = Depends(server_state)) -> Response:
    session = _session(request, state)
    if session is None:
        return _html(html.login())
    return _html(_render_dashboard(state, session, request.query_params.get("msg")))


@router.post("/login")
async def login(request: Request, state: ServerState = Depends(server_state)) -> Response:
    if not _same_origin(request):
        return _html(html.page("Refused", "<p>Cross-site form post refused.</p>"), 403)
    form = await _form(request)
    session = await run_in_threadpool(_sign_in, state, form.get("token", "").strip(),
                                      form.get("model", "").strip())
    if session is None:
        return _html(html.login("That key or token was not accepted."), 401)
    response = RedirectResponse("/ui", status_code=303)
    response.set_cookie(COOKIE, state.sessions.create(session), max_age=SESSION_SECONDS,
                        httponly=True, samesite="strict", path="/ui",
                        secure=request.url.scheme == "https")
    return response


def _sign_in(state: ServerState, token: str, model: str) -> Session | None:
    if token and state.is_admin_token(token):
        chosen = model if model and _MODEL_PATTERN.fullmatch(model) else "default"
        return Session(model_system=chosen, key_id=None, label="admin")
    info = state.keys.authenticate(token) if token else None
    if info is None:
        return None
    return Session(model_system=info.model_system, key_id=info.id, label=f"key {info.prefix}")


@router.post("/logout")
async def logout(request: Request, state: ServerState = Depends(server_state)) -> Response:
    posted = await _posted(request, state)
    if isinstance(posted, Response):
        return posted
    state.sessions.drop(request.cookies.get(COOKIE))
    response = RedirectResponse("/ui", status_code=303)
    response.delete_cookie(COOKIE, path="/ui")
    return response


@router.post("/model")
async def switch_model(request: Request, state: ServerState = Depends(server_state)) -> Response:
    posted = await _posted(request, state)
    if isinstance(posted, Response):
        return posted
    session, form = posted
    model = form.get("model", "")
    if not session.admin or not _MODEL_PATTERN.fullmatch(model):
        return _back("Only the admin token can switch model systems.")
    session.model_system = model
    return _back(f"Now showing model system {model}.")


@router.post("/reviews/{review_id}/decide")
async def decide(review_id: str, request: Request,
                 state: ServerState = Depends(server_state)) -> Response:
    posted = await _posted(request, state)
    if isinstance(posted, Response):
        return posted
    session, form = posted
    message = await run_in_threadpool(_decide, state.backend(session.model_system), review_id,
                                      form, session.label)
    return _back(message)


def _decide(backend: LocalBackend, review_id: str, form: dict[str, str], who: str) -> str:
    try:
        decision = Decision(form.get("decision", ""))
    except ValueError:
        return "Choose approve, reject or edit."
    edited: Any = form.get("edited_output") or None
    if decision is Decision.EDIT and edited is None:
        return "Write the edited output before saving an edit."
    try:
        backend.decide(review_id, decision, who, form.get("comment") or None,
                       edited if decision is Decision.EDIT else None)
    except ScaleSafeException as exc:
        return f"Could not decide review {review_id}: {exc}"
    return f"Review {review_id}: {decision.value} recorded."


@router.post("/stop")
async def stop(request: Request, state: ServerState = Depends(server_state)) -> Response:
    posted = await _posted(request, state)
    if isinstance(posted, Response):
        return posted
    session, form = posted
    engage = form.get("action") == "engage"
    backend = state.backend(session.model_system)
    await run_in_threadpool(backend.set_stop, engage, form.get("reason") or None, session.label)
    return _back("Stop switch engaged." if engage else "Stop switch released.")


@router.get("/events/{event_id}")
def event_detail(event_id: str, request: Request,
                 state: ServerState = Depends(server_state)) -> Response:
    session = _session(request, state)
    if session is None:
        return RedirectResponse("/ui", status_code=303)
    try:
        event = state.backend(session.model_system).get_event(event_id)
    except ResourceNotFoundError:
        return _html(html.page("Not found", '<p>No such event. <a href="/ui">Back</a></p>'), 404)
    return _html(html.event_page(event))


def _render_dashboard(state: ServerState, session: Session, flash: str | None) -> str:
    backend = state.backend(session.model_system)
    status, problem = _status(backend)
    cards = []
    for review in backend.list_reviews(ReviewState.PENDING, limit=50):
        event = None
        if review.event_id:
            try:
                event = backend.get_event(review.event_id)
            except ResourceNotFoundError:
                event = None
        cards.append(html.review_card(review, event, session.csrf))
    events = backend.list_events(EventQuery(limit=20))
    systems = state.model_systems() if session.admin else None
    if systems is not None and session.model_system not in systems:
        systems.append(session.model_system)
    body = "".join((
        html.header(session.model_system, session.label, session.csrf, systems), "<main>",
        html.status_section(status, problem), html.stop_section(backend.get_stop(), session.csrf),
        html.reviews_section(cards), html.events_section(events), "</main>",
    ))
    return html.page(f"Reviews · {session.model_system}", body, flash=flash)


def _status(backend: LocalBackend) -> tuple[Any, str | None]:
    try:
        return backend.status(), None
    except ScaleSafeException as exc:
        return None, f"{type(exc).__name__}: {exc}"
    except ImportError:
        return None, "compliance checks are not installed"


