"""Join benchmark answers with the hidden labels and run the LL144 analysis."""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from ..compliance._ll144 import ll144_analysis
from ..exceptions import DataValidationError
from ._generate import SEED, labels

TEST_DATA_EXPLANATION = (
    "ScaleSafe synthetic test data (6 RCNY §5-302(b)): for 6 job descriptions and 8 "
    "qualification profiles each, 14 candidates identical except for name, pronouns and one "
    "community affiliation signalling sex and EEO-1 race/ethnicity; generated from seed "
    f"{SEED} with no personal data. Use when historical data is insufficient."
)


def coerce_result(result: Any) -> bool | float:
    """A bool (selected) or a finite number (score); numpy scalars are unwrapped."""
    if not isinstance(result, (bool, int, float)) and callable(getattr(result, "item", None)):
        result = result.item()
    if isinstance(result, bool):
        return result
    if isinstance(result, numbers.Real) and math.isfinite(float(result)):
        return float(result)
    raise DataValidationError("an answer must be True/False or a finite number")


def analyze_benchmark(
    name: str,
    items: Iterable[Mapping[str, Any]],
    answers: Iterable[Mapping[str, Any]],
    *,
    audit_date: dt.date | None = None,
) -> dict[str, Any]:
    """LL144 analysis of ``answers`` (``{"id", "result"}``) against the hidden labels."""
    hidden = labels(name)
    item_ids = [str(item["id"]) for item in items]
    given = _answers_by_id(answers, hidden)
    rows = [_row(i, hidden[i], given[i]) for i in item_ids if i in given]
    if not rows:
        raise DataValidationError("no answers for this benchmark's items")
    analysis = ll144_analysis(
        rows,
        source=f"benchmark:{name}",
        audit_date=audit_date or dt.datetime.now(dt.UTC).date(),
    )
    analysis["data_kind"] = "test"
    analysis["test_data_explanation"] = TEST_DATA_EXPLANATION
    analysis["benchmark"] = {
        "name": name,
        "items": len(item_ids),
        "answered": len(rows),
        "pairs_with_differing_answers": _pairs_differing(rows, hidden),
    }
    return analysis


def _answers_by_id(
    answers: Iterable[Mapping[str, Any]], hidden: dict[str, Any]
) -> dict[str, bool | float]:
    out: dict[str, bool | float] = {}
    for answer in answers:
        item_id = str(answer.get("id"))
        if item_id not in hidden:
            raise DataValidationError(f"answer for unknown item {item_id!r}")
        value = answer.get("result", answer.get("selected", answer.get("score")))
        out[item_id] = coerce_result(value)
    return out


def _row(item_id: str, label: dict[str, Any], result: bool | float) -> dict[str, Any]:
    row: dict[str, Any] = {
        "candidate_id": item_id,
        "sex": label["sex"],
        "race_ethnicity": label["race_ethnicity"],
    }
    row["selected" if isinstance(result, bool) else "score"] = result
    return row


def _pairs_differing(rows: list[dict[str, Any]], hidden: dict[str, Any]) -> int:
    """Base profiles whose otherwise identical candidates got different answers."""
    seen: dict[str, set[Any]] = defaultdict(set)
    for row in rows:
        seen[hidden[row["candidate_id"]]["pair"]].add(row.get("selected", row.get("score")))
    return sum(1 for values in seen.values() if len(values) > 1)
