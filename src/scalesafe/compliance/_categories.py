"""EEO-1 category names and strict matching: unknown values are counted, never guessed."""

from __future__ import annotations

SEX: tuple[str, ...] = ("Male", "Female")

RACE_ETHNICITY: tuple[str, ...] = (
    "Hispanic or Latino",
    "White",
    "Black or African American",
    "Native Hawaiian or Pacific Islander",
    "Asian",
    "Native American or Alaska Native",
    "Two or More Races",
)

DIMENSIONS: tuple[str, ...] = ("sex", "race_ethnicity", "intersectional")

_SEX_LOOKUP = {name.casefold(): name for name in SEX}
_RACE_LOOKUP = {name.casefold(): name for name in RACE_ETHNICITY}


def normalize_sex(value: object) -> str | None:
    """The EEO-1 sex name matching ``value`` case-insensitively, else None (unknown)."""
    return _SEX_LOOKUP.get(_key(value))


def normalize_race(value: object) -> str | None:
    """The EEO-1 race/ethnicity name matching ``value`` case-insensitively, else None."""
    return _RACE_LOOKUP.get(_key(value))


def intersectional_name(sex: str, race: str) -> str:
    return f"{sex} / {race}"


def intersectional_categories() -> list[tuple[str, str]]:
    return [(s, r) for s in SEX for r in RACE_ETHNICITY]


def _key(value: object) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split()).casefold()
