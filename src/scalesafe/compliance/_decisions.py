"""Read historical AEDT decisions from CSV: the data LL144 audits should prefer."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..exceptions import DataValidationError

_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f"}


def parse_selected(value: object) -> bool:
    """1/0, true/false or yes/no (any case) as a bool; anything else is an error."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise DataValidationError(f"selected value {value!r} is not 1/0, true/false or yes/no")


def read_decisions_csv(
    path: str | Path,
    *,
    id_column: str = "candidate_id",
    sex_column: str = "sex",
    race_column: str = "race_ethnicity",
    selected_column: str = "selected",
    score_column: str = "score",
    date_column: str = "date",
) -> list[dict[str, Any]]:
    """Rows as ``candidate_id, sex, race_ethnicity`` plus ``selected`` or ``score``.

    A ``selected`` column wins over ``score`` when both exist. Category values stay as
    written; the analysis matches them to EEO-1 names and counts the rest as unknown.
    """
    with Path(path).open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        _require(header, [id_column, sex_column, race_column])
        use_selected = selected_column in header
        if not use_selected and score_column not in header:
            raise DataValidationError(
                f"decisions file needs a {selected_column!r} or {score_column!r} column"
            )
        has_date = date_column in header
        rows = []
        for line, raw in enumerate(reader, start=2):
            row: dict[str, Any] = {
                "candidate_id": raw.get(id_column),
                "sex": raw.get(sex_column),
                "race_ethnicity": raw.get(race_column),
            }
            try:
                if use_selected:
                    row["selected"] = parse_selected(raw.get(selected_column))
                else:
                    row["score"] = float(raw.get(score_column) or "")
            except (ValueError, DataValidationError) as exc:
                raise DataValidationError(f"line {line}: {exc}") from None
            if has_date and raw.get(date_column):
                row["date"] = raw[date_column].strip()
            rows.append(row)
    return rows


def data_period(rows: list[dict[str, Any]]) -> tuple[str, str] | None:
    """First and last ``date`` in the rows (ISO strings sort as dates), if any."""
    dates = sorted(r["date"] for r in rows if r.get("date"))
    return (dates[0], dates[-1]) if dates else None


def _require(header: Sequence[str], columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in header]
    if missing:
        raise DataValidationError(f"decisions file is missing column(s): {', '.join(missing)}")


def read_demographics_csv(
    path: str | Path,
    *,
    id_column: str = "candidate_id",
    sex_column: str = "sex",
    race_column: str = "race_ethnicity",
) -> dict[str, dict[str, Any]]:
    """Demographics kept apart from the AI system, keyed by candidate pseudonym."""
    with Path(path).open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        _require(reader.fieldnames or [], [id_column, sex_column, race_column])
        return {
            str(raw[id_column]).strip(): {"sex": raw.get(sex_column), "race_ethnicity": raw.get(race_column)}
            for raw in reader
            if raw.get(id_column)
        }


def decisions_from_events(
    events: Any,
    demographics: dict[str, dict[str, Any]],
    *,
    id_key: str = "candidate_id",
) -> list[dict[str, Any]]:
    """Join logged decisions with demographics held elsewhere, by candidate pseudonym.

    A logged event is a decision when its metadata carries ``candidate_id`` and either
    ``selected`` or ``score`` (the app sets them when it logs an AEDT result). Pass
    events oldest first; the latest decision per candidate counts. Candidates missing from the demographics
    file keep blank categories, so the analysis reports them as unknown.
    """
    latest: dict[str, dict[str, Any]] = {}
    for event in events:
        meta = getattr(event, "metadata", None) or {}
        candidate = meta.get(id_key)
        if candidate is None or ("selected" not in meta and "score" not in meta):
            continue
        row: dict[str, Any] = {"candidate_id": str(candidate), "date": event.start_time.date().isoformat()}
        if "selected" in meta:
            row["selected"] = parse_selected(meta["selected"])
        else:
            try:
                row["score"] = float(meta["score"])
            except (TypeError, ValueError):
                continue
        latest[row["candidate_id"]] = row  # events come oldest first: the last one wins
    for row in latest.values():
        person = demographics.get(row["candidate_id"], {})
        row["sex"] = person.get("sex")
        row["race_ethnicity"] = person.get("race_ethnicity")
    return list(latest.values())
