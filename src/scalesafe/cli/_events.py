"""``scalesafe events``, ``verify`` and ``export``: read the audit log."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from ._common import add_common, client_from, print_json, print_table


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("events", help="list recent events")
    add_common(p, json_flag=True)
    p.add_argument("-n", "--limit", type=int, default=20, help="how many (default 20)")
    p.add_argument("--kind", help="llm, chat, tool, retriever, chain, agent, ...")
    p.add_argument("--source", help="generic, openai, langchain, llama_index")
    p.add_argument("--verdict", help="allow, record, redact, review, block")
    p.add_argument("--trace", help="only events of this trace id")
    p.add_argument("--since", type=_when, help="ISO date/time, or e.g. 2h, 3d")
    p.set_defaults(func=_events)

    v = subparsers.add_parser("verify", help="check the hash chain of the audit log")
    add_common(v, json_flag=True)
    v.set_defaults(func=_verify)

    e = subparsers.add_parser("export", help="write the audit log as JSON Lines")
    add_common(e)
    e.add_argument("-o", "--output", help="file to write (default: standard output)")
    e.set_defaults(func=_export)


def _when(value: str) -> dt.datetime:
    units = {"m": 60, "h": 3600, "d": 86400}
    if value[-1:] in units and value[:-1].isdigit():
        return dt.datetime.now(dt.UTC) - dt.timedelta(seconds=int(value[:-1]) * units[value[-1]])
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _events(args: argparse.Namespace) -> int:
    from ..backends import EventQuery

    client = client_from(args)
    query = EventQuery(limit=args.limit, kind=args.kind, source=args.source,
                       verdict=args.verdict, trace_id=args.trace, since=args.since)
    events = client.backend.list_events(query)
    if args.json:
        print_json([e.model_dump(mode="json", exclude_none=True) for e in events])
        return 0
    rows = [
        (e.start_time.strftime("%Y-%m-%d %H:%M:%S"), e.source.value, e.kind.value, e.name or e.model,
         e.status.value, e.verdict.value if e.verdict else "-",
         ",".join(sorted({f.kind for f in e.findings})) or "-", _preview(e))
        for e in events
    ]
    print_table(["time", "source", "kind", "name/model", "status", "verdict", "findings", "text"],
                rows, title=f"{len(events)} most recent events ({client.model_system})")
    return 0


def _preview(event: object) -> str:
    from ..model import Event

    assert isinstance(event, Event)
    text = event.output_text or next((m.content for m in reversed(event.messages) if m.content), "")
    text = " ".join((text or "").split())
    return text[:48] + ("…" if len(text) > 48 else "")


def _verify(args: argparse.Namespace) -> int:
    client = client_from(args)
    report = client.backend.verify()
    if args.json:
        print_json(report.model_dump())
    elif report.ok:
        print(f"ok: {report.rows} records, hash chain intact ({client.model_system})")
    else:
        where = f"row {report.first_bad_seq}" if report.first_bad_seq is not None else "chain end"
        ident = f" (id {report.first_bad_id})" if report.first_bad_id else ""
        print(f"TAMPERED: {where}{ident}: {report.problem}")
    return 0 if report.ok else 1


def _export(args: argparse.Namespace) -> int:
    from ..store import LocalStore

    client = client_from(args)
    store: LocalStore = client._store()
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            n = store.export_jsonl(client.model_system, out)
        print(f"wrote {n} events to {args.output}", file=sys.stderr)
    else:
        store.export_jsonl(client.model_system, sys.stdout)
    return 0
