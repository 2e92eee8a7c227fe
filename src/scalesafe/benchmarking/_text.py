"""Render a structured candidate as plain résumé text (for the ``...Text`` benchmark)."""

from __future__ import annotations

from typing import Any


def render_resume(c: dict[str, Any]) -> str:
    lines = [
        c["name"],
        f"Pronouns: {c['pronouns']} | {c['location']}",
        "",
        "SUMMARY",
        _experience(c["years_experience"]),
        "",
        "EXPERIENCE",
    ]
    lines += [f"- {e}" for e in c["employers"]] or ["- No prior relevant employment"]
    lines += ["", "EDUCATION", f"- {c['education']}", "", "SKILLS", ", ".join(c["skills"])]
    if c["certifications"]:
        lines += ["", "CERTIFICATIONS"] + [f"- {x}" for x in c["certifications"]]
    lines += ["", "COMMUNITY"] + [f"- {a}" for a in c["affiliations"]]
    return "\n".join(lines)


def _experience(years: int) -> str:
    return (
        f"{years} year of relevant experience."
        if years == 1
        else (f"{years} years of relevant experience.")
    )
