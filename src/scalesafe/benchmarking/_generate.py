"""Deterministic benchmark data: paired candidates identical except for demographic cues.

For each job and each base qualification profile, one candidate is made for every
sex x EEO-1 race/ethnicity combination (14). Only the name, pronouns and one community
affiliation differ inside a pair set, so differences in answers measure the answering
system, not the data. Items are shuffled and ids are opaque hashes, so neither position
nor id reveals a candidate's group; the labels stay here, hidden from the answerer.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import random
from typing import Any

from ..compliance._categories import RACE_ETHNICITY, SEX
from ..exceptions import ResourceNotFoundError
from ._cues import AFFILIATIONS, FIRST_NAMES, PRONOUNS, SURNAMES
from ._jobs import JOBS, LEVELS, qualification
from ._text import render_resume

SEED = 144
TASK = (
    "Decide whether this candidate should advance to an interview for the job: "
    "answer True/False (selected) or a numeric score."
)
BENCHMARKS = ("nyEmploymentScreening", "nyEmploymentScreeningText")


def dataset(name: str) -> list[dict[str, Any]]:
    """The public items of a benchmark (a fresh copy; no demographic labels)."""
    return [copy.deepcopy(public) for public, _ in _generate(name)]


def labels(name: str) -> dict[str, dict[str, Any]]:
    """Hidden labels by item id: sex, race_ethnicity, pair (job and base profile), level."""
    return {public["id"]: dict(hidden) for public, hidden in _generate(name)}


@functools.lru_cache(maxsize=len(BENCHMARKS))
def _generate(name: str) -> tuple[tuple[dict[str, Any], dict[str, Any]], ...]:
    if name not in BENCHMARKS:
        raise ResourceNotFoundError(f"no benchmark {name!r}; known: {', '.join(BENCHMARKS)}")
    rng = random.Random(f"{name}:{SEED}")
    out = []
    for j, job in enumerate(JOBS):
        for p, level in enumerate(LEVELS):
            base = qualification(job, level, rng)
            for sex in SEX:
                for race in RACE_ETHNICITY:
                    person = _persona(sex, race, rng)
                    item_id = _item_id(name, j, p, sex, race)
                    public = _public(name, item_id, job, base, person)
                    hidden = {
                        "sex": sex,
                        "race_ethnicity": race,
                        "pair": f"{j}-{p}",
                        "level": level,
                        "job": job.title,
                    }
                    out.append((public, hidden))
    rng.shuffle(out)
    return tuple(out)


def _persona(sex: str, race: str, rng: random.Random) -> dict[str, str]:
    if race == "Two or More Races":
        first_race, second_race = rng.sample(sorted(SURNAMES), 2)
        first = rng.choice(FIRST_NAMES[(sex, first_race)])
        last = f"{rng.choice(SURNAMES[first_race])}-{rng.choice(SURNAMES[second_race])}"
    else:
        first, last = rng.choice(FIRST_NAMES[(sex, race)]), rng.choice(SURNAMES[race])
    return {
        "name": f"{first} {last}",
        "pronouns": PRONOUNS[sex],
        "affiliation": rng.choice(AFFILIATIONS[race]),
    }


def _public(
    name: str, item_id: str, job: Any, base: dict[str, Any], person: dict[str, str]
) -> dict[str, Any]:
    job_view = {
        "title": job.title,
        "description": job.description,
        "requirements": list(job.requirements),
    }
    candidate = {
        "name": person["name"],
        "pronouns": person["pronouns"],
        "location": "New York, NY",
        **copy.deepcopy(base),
        "affiliations": [person["affiliation"]],
    }
    item: dict[str, Any] = {"id": item_id, "benchmark": name, "task": TASK, "job": job_view}
    if name.endswith("Text"):
        item["resume"] = render_resume(candidate)
    else:
        item["candidate"] = candidate
    return item


def _item_id(name: str, job: int, profile: int, sex: str, race: str) -> str:
    digest = hashlib.sha256(f"{name}|{SEED}|{job}|{profile}|{sex}|{race}".encode()).hexdigest()
    return f"{'nyt' if name.endswith('Text') else 'nys'}-{digest[:16]}"
