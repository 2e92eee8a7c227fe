"""``scalesafe status`` and ``scalesafe audit ll144|report``: thin shells over compliance."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from ..compliance import (
    LL144_AUDIT,
    as_profile,
    compute_status,
    data_period,
    decisions_from_events,
    find_profile,
    latest_analysis,
    ll144_analysis,
    read_decisions_csv,
    read_demographics_csv,
    write_report,
)
from ..compliance._profile import SystemProfile
from ..exceptions import ResourceNotFoundError
from ..model import ComplianceStatus
from ._common import add_common, client_from, print_json, print_table

_DIMENSIONS = {"sex": "Sex", "race_ethnicity": "Race/ethnicity", "intersectional": "Intersectional"}


def register(subparsers: Any) -> None:
    status = subparsers.add_parser("status", help="check compliance of the model system")
    add_common(status, json_flag=True)
    status.add_argument("--profile", help="system profile TOML (default: ./scalesafe.toml)")
    status.set_defaults(func=_status)

    audit = subparsers.add_parser("audit", help="NYC Local Law 144 bias audits")
    sub = audit.add_subparsers(dest="audit_command", metavar="SUBCOMMAND")
    sub.required = True
    ll144 = sub.add_parser("ll144", help="impact ratios from historical decisions")
    add_common(ll144, json_flag=True)
    source = ll144.add_mutually_exclusive_group(required=True)
    source.add_argument("--decisions", help="CSV of decisions with demographics")
    source.add_argument("--demographics",
                        help="CSV of demographics by candidate_id, joined with the decisions in the log"
                             " (events whose metadata has candidate_id and selected or score)")
    _add_columns(ll144)
    ll144.add_argument("--record", action="store_true", help="store the result in the audit log")
    ll144.set_defaults(func=_ll144)

    report = sub.add_parser("report", help="write the audit summary as HTML, JSON and CSV")
    add_common(report)
    report.add_argument("--out", default="scalesafe-report", help="output folder")
    report.add_argument("--decisions", help="CSV of decisions (default: latest recorded audit)")
    _add_columns(report)
    report.set_defaults(func=_report)


def _add_columns(parser: argparse.ArgumentParser) -> None:
    for name, default in (
        ("id", "candidate_id"),
        ("sex", "sex"),
        ("race", "race_ethnicity"),
        ("selected", "selected"),
        ("score", "score"),
    ):
        parser.add_argument(f"--{name}-column", default=default, help=f"default: {default}")


def _status(args: argparse.Namespace) -> int:
    client = client_from(args)
    status = _compute(client, args.profile)
    if args.json:
        print_json({"compliant": status.compliant, **status.model_dump(mode="json")})
    else:
        rows = [(c.id, c.result.value, c.reason) for c in status.checks]
        print_table(["check", "result", "reason"], rows, title=f"model system {status.model_system}")
        for check in status.failing:
            print(f"fix {check.id}: {check.fix}  [{check.citation}]")
        print("compliant" if status.compliant else "NOT compliant")
    return 0 if status.compliant else 1


def _compute(client: Any, profile_path: str | None) -> ComplianceStatus:
    if getattr(client, "remote", False):
        return client.backend.status()  # the server knows the profile
    return compute_status(client.backend, _local_profile(client, profile_path))


def _local_profile(client: Any, profile_path: str | None) -> SystemProfile | None:
    """--profile, else the client's own, else scalesafe.toml in the cwd or the home folder."""
    if profile_path:
        return SystemProfile.load(profile_path)
    own = as_profile(getattr(client.backend, "profile", None))
    return own or find_profile(Path.cwd(), client.home)


def _analysis_from_events(args: argparse.Namespace) -> dict[str, Any]:
    from ..backends import EventQuery

    backend = client_from(args).backend
    events, cursor = [], None
    while True:
        page, cursor = backend.page_events(EventQuery(limit=1000, cursor=cursor, descending=False))
        events.extend(page)
        if cursor is None:
            break
    demographics = read_demographics_csv(
        args.demographics, id_column=args.id_column, sex_column=args.sex_column,
        race_column=args.race_column,
    )
    rows = decisions_from_events(events, demographics)
    return _historical(rows, f"logged decisions joined with {Path(args.demographics).name}")


def _historical(rows: list[dict[str, Any]], source: str) -> dict[str, Any]:
    analysis = ll144_analysis(
        rows, source=source, audit_date=dt.date.today(), data_period=data_period(rows)
    )
    analysis["data_kind"] = "historical"
    return analysis


def _analysis_from_csv(args: argparse.Namespace) -> dict[str, Any]:
    if getattr(args, "demographics", None):
        return _analysis_from_events(args)
    rows = read_decisions_csv(
        args.decisions,
        id_column=args.id_column,
        sex_column=args.sex_column,
        race_column=args.race_column,
        selected_column=args.selected_column,
        score_column=args.score_column,
    )
    return _historical(rows, f"historical decisions ({Path(args.decisions).name})")


def _ll144(args: argparse.Namespace) -> int:
    analysis = _analysis_from_csv(args)
    if args.record:
        record = client_from(args).backend.record_audit(LL144_AUDIT, analysis)
        analysis["audit_id"] = record.id
    if args.json:
        print_json(analysis)
        return 0
    rate = "scoring rate" if analysis["method"] == "scoring" else "selection rate"
    for name, dim in analysis["dimensions"].items():
        rows = [
            (
                c["category"],
                c["count"],
                _f(c["rate"]),
                _f(c["impact_ratio"]),
                "excluded" if c["excluded"] and c["count"] else "",
            )
            for c in dim["categories"]
            if c["count"]
        ]
        print_table(
            ["category", "count", rate, "impact ratio", "note"],
            rows,
            title=f"{_DIMENSIONS[name]} (unknown: {dim['unknown']})",
        )
    for e in analysis["exclusions"]:
        if e["count"]:
            print(f"excluded {e['dimension']} {e['category']}: {e['justification']}")
    if analysis.get("audit_id"):
        print(f"recorded as audit {analysis['audit_id']}")
    return 0


def _report(args: argparse.Namespace) -> int:
    client = client_from(args)
    analysis = _analysis_from_csv(args) if args.decisions else latest_analysis(client.backend)
    if analysis is None:
        raise ResourceNotFoundError("no recorded bias audit; pass --decisions FILE.csv")
    profile = _local_profile(client, None)
    if profile is not None and profile.in_use_since and not analysis.get("distribution_date"):
        analysis["distribution_date"] = profile.in_use_since.isoformat()
    for kind, path in write_report(analysis, args.out).items():
        print(f"{kind}: {path}")
    return 0


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
