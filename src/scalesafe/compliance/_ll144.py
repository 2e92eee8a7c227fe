"""NYC Local Law 144 bias-audit arithmetic (6 RCNY §5-301), pure and JSON-safe.

Selection rate = selected / assessed in a category; for scores, the scoring rate is the
share of a category scoring above the median of the full sample. Impact ratio = a
category's rate / the highest rate among the categories that are not excluded.
Categories under ``min_share`` of the data (2% by rule) are excluded from impact ratios
but still reported with their count, rate and a justification.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..exceptions import DataValidationError
from ._categories import (
    RACE_ETHNICITY,
    SEX,
    intersectional_categories,
    intersectional_name,
    normalize_race,
    normalize_sex,
)

MIN_SHARE = 0.02
CITATION = "NYC Admin. Code §20-871; 6 RCNY §5-301"


def ll144_analysis(
    rows: Iterable[Mapping[str, Any]],
    *,
    min_share: float = MIN_SHARE,
    source: str = "unspecified",
    audit_date: dt.date | None = None,
    data_period: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """Rates and impact ratios per sex, race/ethnicity and intersectional category."""
    people = [_person(row, i) for i, row in enumerate(rows)]
    if not people:
        raise DataValidationError("no rows to analyse")
    method = _method(people)
    median = statistics.median(p["score"] for p in people) if method == "scoring" else None
    for p in people:
        p["favourable"] = p["selected"] if median is None else p["score"] > median
    total = len(people)
    dims = {
        "sex": _dimension(people, total, min_share, [(s,) for s in SEX], ("sex",)),
        "race_ethnicity": _dimension(
            people, total, min_share, [(r,) for r in RACE_ETHNICITY], ("race_ethnicity",)
        ),
        "intersectional": _dimension(
            people, total, min_share, intersectional_categories(), ("sex", "race_ethnicity")
        ),
    }
    return {
        "kind": "ll144_bias_audit",
        "method": method,
        "citation": CITATION,
        "source": source,
        "audit_date": audit_date.isoformat() if audit_date else None,
        "data_period": list(data_period) if data_period else None,
        "total": total,
        "median_score": median,
        "min_share": min_share,
        "dimensions": dims,
        "exclusions": _exclusions(dims),
        "lowest_impact_ratio": _lowest(dims),
    }


def _person(row: Mapping[str, Any], index: int) -> dict[str, Any]:
    score = row.get("score")
    if score is not None and not isinstance(score, bool):
        try:
            score = float(score)
        except (TypeError, ValueError):
            raise DataValidationError(f"row {index}: score is not a number") from None
        if not math.isfinite(score):
            raise DataValidationError(f"row {index}: score is not finite")
    selected = row.get("selected")
    if selected is not None and not isinstance(selected, bool):
        raise DataValidationError(f"row {index}: selected must be true or false")
    return {
        "sex": normalize_sex(row.get("sex")),
        "race_ethnicity": normalize_race(row.get("race_ethnicity")),
        "selected": selected,
        "score": score,
    }


def _method(people: list[dict[str, Any]]) -> str:
    if all(p["score"] is not None for p in people):
        return "scoring"
    if all(p["selected"] is not None for p in people):
        return "selection"
    raise DataValidationError("every row needs either 'selected' (true/false) or 'score'")


def _dimension(
    people: list[dict[str, Any]],
    total: int,
    min_share: float,
    categories: Sequence[tuple[str, ...]],
    keys: tuple[str, ...],
) -> dict[str, Any]:
    known = [p for p in people if all(p[k] is not None for k in keys)]
    rows = [_category_row(known, total, min_share, cat, keys) for cat in categories]
    included = [r for r in rows if not r["excluded"]]
    best = max((r["rate"] for r in included), default=None)
    reference = next((r["category"] for r in included if r["rate"] == best), None)
    for r in rows:
        if not r["excluded"] and best:
            r["impact_ratio"] = r["rate"] / best
    return {"categories": rows, "unknown": len(people) - len(known), "reference": reference}


def _category_row(
    known: list[dict[str, Any]],
    total: int,
    min_share: float,
    category: tuple[str, ...],
    keys: tuple[str, ...],
) -> dict[str, Any]:
    members = [p for p in known if tuple(p[k] for k in keys) == category]
    count = len(members)
    favourable = sum(1 for p in members if p["favourable"])
    share = count / total
    row: dict[str, Any] = {
        "category": category[0] if len(category) == 1 else intersectional_name(*category),
        "count": count,
        "favourable": favourable,
        "rate": favourable / count if count else None,
        "impact_ratio": None,
        "share": share,
        "excluded": count == 0 or share < min_share,
    }
    if len(category) == 2:
        row["sex"], row["race_ethnicity"] = category
    return row


def _exclusions(dims: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for name, dim in dims.items():
        for r in dim["categories"]:
            if r["excluded"]:
                out.append(
                    {
                        "dimension": name,
                        "category": r["category"],
                        "count": r["count"],
                        "share": r["share"],
                        "rate": r["rate"],
                        "justification": _justification(r),
                    }
                )
    return out


def _justification(row: dict[str, Any]) -> str:
    if row["count"] == 0:
        return "No individuals in this category in the data; no rate can be computed."
    return (
        f"Represents {row['share']:.2%} of the data, under the 2% threshold of 6 RCNY §5-301; "
        "excluded from impact ratios, count and rate reported."
    )


def _lowest(dims: dict[str, Any]) -> dict[str, Any] | None:
    found = [
        {"dimension": name, "category": r["category"], "impact_ratio": r["impact_ratio"]}
        for name, dim in dims.items()
        for r in dim["categories"]
        if r["impact_ratio"] is not None
    ]
    return min(found, key=lambda f: f["impact_ratio"], default=None)
