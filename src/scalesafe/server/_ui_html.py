"""HTML for the review page: plain server-rendered markup, escaped everywhere, no scripts."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from ..model import ComplianceStatus, Event, Review, StopState

CSS = """
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--ok:#116329;--bad:#a40e26;--bg:#fff;--accent:#0a58ca}
*{box-sizing:border-box}body{font:16px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg);
margin:0 auto;max-width:72rem;padding:1rem}
header{display:flex;justify-content:space-between;align-items:center;border-bottom:1px solid var(--line);
flex-wrap:wrap;gap:.5rem}
h1{font-size:1.4rem;margin:.5rem 0}h2{font-size:1.15rem;margin-top:2rem}
section{margin-bottom:1.5rem}.muted{color:var(--muted)}.ok{color:var(--ok)}.bad{color:var(--bad)}
.flash{padding:.5rem 1rem;border:1px solid var(--line);border-left:4px solid var(--accent);margin:1rem 0}
article{border:1px solid var(--line);border-radius:6px;padding:1rem;margin:1rem 0}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .5rem;
border-bottom:1px solid var(--line);vertical-align:top}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f8fa;padding:.5rem;max-height:20rem;overflow:auto}
label{display:block;font-weight:600;margin-top:.5rem}textarea,input[type=text],input[type=password]{
width:100%;padding:.4rem;font:inherit;border:1px solid var(--muted);border-radius:4px}
button{font:inherit;padding:.4rem .9rem;margin:.5rem .5rem 0 0;border-radius:4px;
border:1px solid var(--muted);background:#f6f8fa;cursor:pointer}
button.approve{border-color:var(--ok)}button.reject{border-color:var(--bad)}
button:focus,a:focus,textarea:focus,input:focus{outline:3px solid var(--accent);outline-offset:1px}
.inline{display:inline}
"""


def page(title: str, body: str, *, flash: str | None = None) -> str:
    note = f'<p class="flash" role="status">{escape(flash)}</p>' if flash else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<title>{escape(title)} · ScaleSafe</title><link rel="stylesheet" href="/ui/style.css">'
        f"</head><body>{note}{body}</body></html>"
    )


def login(error: str | None = None) -> str:
    err = f'<p class="flash bad" role="alert">{escape(error)}</p>' if error else ""
    body = f"""<main><h1>ScaleSafe review</h1>{err}
<form method="post" action="/ui/login">
<label for="token">API key or admin token</label>
<input id="token" name="token" type="password" autocomplete="off" required>
<label for="model">Model system <span class="muted">(admin token only)</span></label>
<input id="model" name="model" type="text" placeholder="default">
<button type="submit">Sign in</button></form></main>"""
    return page("Sign in", body)


def _hidden(csrf: str) -> str:
    return f'<input type="hidden" name="csrf" value="{escape(csrf)}">'


def header(model_system: str, who: str, csrf: str, systems: list[str] | None) -> str:
    switch = ""
    if systems is not None:
        options = "".join(
            f'<option{" selected" if s == model_system else ""}>{escape(s)}</option>' for s in systems
        )
        switch = (f'<form method="post" action="/ui/model" class="inline">{_hidden(csrf)}'
                  f'<label for="switch" class="inline">Model system </label>'
                  f'<select id="switch" name="model">{options}</select>'
                  '<button type="submit">Switch</button></form>')
    return (f'<header><h1>ScaleSafe · {escape(model_system)}</h1><div>{switch} '
            f'<span class="muted">signed in as {escape(who)}</span> '
            f'<form method="post" action="/ui/logout" class="inline">{_hidden(csrf)}'
            '<button type="submit">Sign out</button></form></div></header>')


def status_section(status: ComplianceStatus | None, problem: str | None) -> str:
    if status is None:
        why = escape(problem or "")
        return f'<section><h2>Compliance</h2><p class="bad">Status unavailable: {why}</p></section>'
    verdict = ('<strong class="ok">compliant</strong>' if status.compliant
               else '<strong class="bad">not compliant</strong>')
    rows = "".join(
        f"<tr><td>{escape(c.id)}</td><td>{escape(c.result.value)}</td><td>{escape(c.reason)}</td>"
        f"<td>{escape(c.fix or '')}</td></tr>"
        for c in status.checks if c.result.value in ("fail", "action_needed")
    )
    table = (f'<table><caption class="muted">Checks that need action</caption><thead><tr><th>check</th>'
             f"<th>result</th><th>why</th><th>fix</th></tr></thead><tbody>{rows}</tbody></table>"
             if rows else "<p>No check needs action.</p>")
    return (f"<section><h2>Compliance</h2><p>{verdict} · {status.pending_reviews} pending "
            f"review(s) · checked {escape(status.checked_at.isoformat(timespec='seconds'))}</p>"
            f"{table}</section>")


def stop_section(stop: StopState, csrf: str) -> str:
    if stop.stopped:
        state = (f'<p><strong class="bad">Stopped</strong> by {escape(stop.by or "?")}'
                 f'{": " + escape(stop.reason) if stop.reason else ""}</p>')
        form = (f'<form method="post" action="/ui/stop">{_hidden(csrf)}'
                '<input type="hidden" name="action" value="release">'
                '<button type="submit">Release the stop switch</button></form>')
    else:
        state = '<p><strong class="ok">Running</strong>: the stop switch is off.</p>'
        form = (f'<form method="post" action="/ui/stop">{_hidden(csrf)}'
                '<input type="hidden" name="action" value="engage">'
                '<label for="reason">Reason</label><input id="reason" name="reason" type="text">'
                '<button type="submit" class="reject">Engage the stop switch</button></form>')
    return f"<section><h2>Stop switch</h2>{state}{form}</section>"


def review_card(review: Review, event: Event | None, csrf: str) -> str:
    rid = escape(review.id)
    subject = _pre(review.subject) if review.subject else ""
    shown = _event_summary(event) if event else (
        f'<p class="muted">Event {escape(review.event_id)} is not stored yet.</p>' if review.event_id else "")
    return f"""<article aria-labelledby="r-{rid}"><h3 id="r-{rid}">{escape(review.reason)}</h3>
<p class="muted">{escape(review.kind)} · opened {escape(review.created_at.isoformat(timespec='seconds'))}
· review {rid}</p>{shown}{subject}
<form method="post" action="/ui/reviews/{rid}/decide">{_hidden(csrf)}
<label for="c-{rid}">Comment</label><textarea id="c-{rid}" name="comment" rows="2"></textarea>
<label for="e-{rid}">Edited output <span class="muted">(for "Save edit")</span></label>
<textarea id="e-{rid}" name="edited_output" rows="2"></textarea>
<button type="submit" name="decision" value="approve" class="approve">Approve</button>
<button type="submit" name="decision" value="reject" class="reject">Reject</button>
<button type="submit" name="decision" value="edit">Save edit</button></form></article>"""


def reviews_section(cards: list[str]) -> str:
    inner = "".join(cards) if cards else "<p>No pending reviews.</p>"
    return f"<section><h2>Pending reviews ({len(cards)})</h2>{inner}</section>"


def events_section(events: list[Event]) -> str:
    rows = "".join(
        f'<tr><td><a href="/ui/events/{escape(e.id)}">{escape(e.start_time.isoformat(timespec="seconds"))}'
        f"</a></td><td>{escape(e.kind.value)}</td><td>{escape(e.source.value)}</td>"
        f"<td>{escape(e.model or '')}</td><td>{escape(e.status.value)}</td>"
        f"<td>{escape(e.verdict.value if e.verdict else '')}</td></tr>"
        for e in events
    )
    if not rows:
        return "<section><h2>Recent events</h2><p>No events yet.</p></section>"
    return ("<section><h2>Recent events</h2><table><thead><tr><th>time</th><th>kind</th>"
            "<th>source</th><th>model</th><th>status</th><th>verdict</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></section>")


def event_page(event: Event) -> str:
    body = (f'<main><p><a href="/ui">← back</a></p><h1>Event {escape(event.id)}</h1>'
            f"{_pre(event.model_dump(mode='json', exclude_none=True))}</main>")
    return page("Event", body)


def _event_summary(event: Event) -> str:
    parts = [f"<p>Event <a href=\"/ui/events/{escape(event.id)}\">{escape(event.id)}</a>"
             f" · {escape(event.kind.value)} · {escape(event.model or 'unknown model')}</p>"]
    if event.messages:
        lines = "\n".join(f"{m.role}: {m.content or ''}" for m in event.messages)
        parts.append(f"<p><strong>Input</strong></p><pre>{escape(lines)}</pre>")
    elif event.input is not None:
        parts.append(f"<p><strong>Input</strong></p>{_pre(event.input)}")
    if event.output_text is not None:
        parts.append(f"<p><strong>Output</strong></p><pre>{escape(event.output_text)}</pre>")
    if event.findings:
        kinds = ", ".join(sorted({f"{f.kind}" for f in event.findings}))
        parts.append(f"<p><strong>Findings:</strong> {escape(kinds)}</p>")
    return "".join(parts)


def _pre(value: Any) -> str:
    return f"<pre>{escape(json.dumps(value, indent=2, ensure_ascii=False, default=str))}</pre>"
