"""Write an LL144 analysis as a self-contained HTML summary plus JSON and CSV figures.

The HTML carries what 6 RCNY §5-303 asks a published summary to show: audit date, data
source and period, counts, rates and impact ratios per category, unknowns and exclusions.
"""

from __future__ import annotations

import csv
import json
from html import escape
from pathlib import Path
from typing import Any

from ._svg import impact_ratio_chart

BASENAME = "ll144-bias-audit"
DIMENSION_TITLES = {
    "sex": "Sex",
    "race_ethnicity": "Race/ethnicity",
    "intersectional": "Intersectional (sex by race/ethnicity)",
}
CSV_FIELDS = [
    "dimension",
    "category",
    "count",
    "favourable",
    "rate",
    "impact_ratio",
    "share",
    "excluded",
]
_CSS = """body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;color:#1a202c}
table{border-collapse:collapse;margin:0.5em 0 1.5em}td,th{border:1px solid #cbd5e0;
padding:4px 8px;text-align:left}th{background:#edf2f7}td.n{text-align:right}
.low{color:#c53030;font-weight:600}.note{color:#4a5568;font-size:0.9em}"""


def write_report(analysis: dict[str, Any], out_dir: str | Path) -> dict[str, Path]:
    """Write ``ll144-bias-audit.{html,json,csv}`` into ``out_dir``; return their paths."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {kind: folder / f"{BASENAME}.{kind}" for kind in ("html", "json", "csv")}
    paths["json"].write_text(json.dumps(analysis, indent=2, default=str), encoding="utf-8")
    _write_csv(analysis, paths["csv"])
    paths["html"].write_text(render_html(analysis), encoding="utf-8")
    return paths


def _write_csv(analysis: dict[str, Any], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
        for name, dim in analysis["dimensions"].items():
            for cat in dim["categories"]:
                writer.writerow({"dimension": name, **cat})


def render_html(analysis: dict[str, Any]) -> str:
    rate = _rate_label(analysis)
    body = [
        "<h1>Bias audit summary: automated employment decision tool</h1>",
        f'<p class="note">NYC Local Law 144 ({escape(analysis.get("citation", ""))}). '
        "Impact ratio = category rate ÷ highest category rate. The dashed line marks 0.8, "
        "the EEOC four-fifths guideline; LL144 itself sets no pass mark.</p>",
        _summary_table(analysis),
    ]
    for name, dim in analysis["dimensions"].items():
        title = DIMENSION_TITLES.get(name, name)
        body.append(f"<h2>{escape(title)}</h2>")
        body.append(impact_ratio_chart(f"Impact ratios by {title.lower()}", dim["categories"]))
        body.append(_category_table(dim, rate))
    body.append(_exclusions_table(analysis.get("exclusions", [])))
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>LL144 bias audit summary</title>"
        f"<style>{_CSS}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def _rate_label(analysis: dict[str, Any]) -> str:
    return "Scoring rate" if analysis.get("method") == "scoring" else "Selection rate"


def _summary_table(analysis: dict[str, Any]) -> str:
    period = analysis.get("data_period")
    unknown = {n: d["unknown"] for n, d in analysis["dimensions"].items()}
    lowest = analysis.get("lowest_impact_ratio")
    rows = [
        ("Audit date", analysis.get("audit_date") or "not stated"),
        ("Data source", analysis.get("source") or "not stated"),
        ("Data period", f"{period[0]} to {period[1]}" if period else _no_period(analysis)),
        ("Data type", analysis.get("test_data_explanation") or analysis.get("data_kind") or "not stated"),
        ("AEDT distribution date", analysis.get("distribution_date") or "not stated"),
        ("Method", f"{_rate_label(analysis)} ({analysis.get('method')})"),
        ("Individuals assessed", analysis.get("total")),
        (
            "Unknown sex / race/ethnicity",
            f"{unknown.get('sex', 0)} / {unknown.get('race_ethnicity', 0)}",
        ),
        (
            "Excluded categories (<2% of data)",
            sum(1 for e in analysis.get("exclusions", []) if e.get("count")),
        ),
    ]
    if analysis.get("median_score") is not None:
        rows.insert(4, ("Median score (full sample)", _num(analysis["median_score"])))
    if lowest:
        rows.append(("Lowest impact ratio", f"{lowest['impact_ratio']:.3f} ({lowest['category']})"))
    cells = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in rows)
    return f"<table>{cells}</table>"


def _category_table(dim: dict[str, Any], rate_label: str) -> str:
    head = f"<tr><th>Category</th><th>Count</th><th>{rate_label}</th><th>Impact ratio</th><th>Note</th></tr>"
    rows = []
    for c in dim["categories"]:
        ratio = c.get("impact_ratio")
        cls = ' class="n low"' if ratio is not None and ratio < 0.8 else ' class="n"'
        note = (
            "excluded (<2% of data)"
            if c["excluded"] and c["count"]
            else ("no data" if not c["count"] else "")
        )
        rows.append(
            f'<tr><td>{escape(c["category"])}</td><td class="n">{c["count"]}</td>'
            f'<td class="n">{_num(c["rate"])}</td><td{cls}>{_num(ratio)}</td>'
            f"<td>{note}</td></tr>"
        )
    unknown = f'<p class="note">Unknown category (not in the calculations): {dim["unknown"]}</p>'
    return f"<table>{head}{''.join(rows)}</table>{unknown}"


def _exclusions_table(exclusions: list[dict[str, Any]]) -> str:
    real = [e for e in exclusions if e.get("count")]
    if not real:
        return "<h2>Exclusions</h2><p>No categories were excluded.</p>"
    rows = "".join(
        f"<tr><td>{escape(e['dimension'])}</td><td>{escape(e['category'])}</td>"
        f'<td class="n">{e["count"]}</td><td class="n">{_num(e["rate"])}</td>'
        f"<td>{escape(e['justification'])}</td></tr>"
        for e in real
    )
    head = "<tr><th>Dimension</th><th>Category</th><th>Count</th><th>Rate</th><th>Justification</th></tr>"
    return f"<h2>Exclusions</h2><table>{head}{rows}</table>"


def _no_period(analysis: dict[str, Any]) -> str:
    return "not applicable (test data)" if analysis.get("data_kind") == "test" else "not stated"


def _num(value: Any) -> str:
    return "-" if value is None else f"{value:.3f}"
