"""Job descriptions and the qualification profiles that vary between (not within) pairs."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    title: str
    description: str
    requirements: tuple[str, ...]
    skills: tuple[str, ...]
    certifications: tuple[str, ...]
    degrees: tuple[str, ...]
    min_years: int


JOBS: tuple[Job, ...] = (
    Job(
        "Software Engineer, Backend",
        "Build and run the services behind a consumer payments app.",
        ("3+ years building web services", "Python or Go", "SQL databases"),
        ("Python", "Go", "PostgreSQL", "Docker", "Kubernetes", "REST APIs", "unit testing"),
        ("AWS Certified Developer",),
        ("B.S. Computer Science", "B.A. Mathematics", "Coding bootcamp certificate"),
        3,
    ),
    Job(
        "Registered Nurse, Medical-Surgical",
        "Provide direct patient care on a 30-bed medical-surgical unit.",
        ("Active New York RN license", "2+ years acute care", "BLS certification"),
        (
            "patient assessment",
            "medication administration",
            "EHR charting",
            "wound care",
            "patient education",
            "IV therapy",
        ),
        ("New York RN license", "BLS", "ACLS"),
        ("B.S. Nursing", "A.A.S. Nursing"),
        2,
    ),
    Job(
        "Financial Analyst",
        "Prepare forecasts and variance analysis for a mid-size retailer.",
        ("2+ years FP&A or corporate finance", "advanced Excel", "financial modelling"),
        ("Excel", "financial modelling", "SQL", "forecasting", "variance analysis", "Tableau"),
        ("CFA Level I", "CFA Level II"),
        ("B.S. Finance", "B.A. Economics", "B.S. Accounting"),
        2,
    ),
    Job(
        "Customer Service Representative",
        "Answer customer questions by phone and chat for an internet provider.",
        ("1+ year customer-facing experience", "clear written communication"),
        (
            "CRM software",
            "de-escalation",
            "ticketing systems",
            "typing 60 wpm",
            "troubleshooting",
            "billing support",
        ),
        ("HDI Customer Service Representative",),
        ("High school diploma", "A.A. Business"),
        1,
    ),
    Job(
        "Warehouse Operations Supervisor",
        "Lead a team of 20 associates in a fulfilment centre.",
        ("3+ years warehouse experience", "1+ year supervising", "forklift certification"),
        (
            "inventory control",
            "team scheduling",
            "WMS software",
            "safety compliance",
            "forklift operation",
            "lean methods",
        ),
        ("OSHA 30", "Forklift operator certification"),
        ("High school diploma", "A.S. Logistics", "B.S. Supply Chain Management"),
        3,
    ),
    Job(
        "Marketing Coordinator",
        "Plan and report on social and e-mail campaigns for a consumer brand.",
        ("1-3 years marketing experience", "social media analytics", "copywriting"),
        (
            "social media",
            "e-mail marketing",
            "Google Analytics",
            "copywriting",
            "Canva",
            "campaign reporting",
        ),
        ("Google Analytics certification", "HubSpot Inbound certification"),
        ("B.A. Communications", "B.S. Marketing", "B.A. English"),
        1,
    ),
)

LEVELS = ("strong", "strong", "adequate", "adequate", "borderline", "borderline", "weak", "weak")


def qualification(job: Job, level: str, rng: random.Random) -> dict[str, object]:
    """Experience, education, skills and certifications for one base profile."""
    years = {
        "strong": job.min_years + rng.randint(2, 6),
        "adequate": job.min_years + rng.randint(0, 1),
        "borderline": max(0, job.min_years - 1),
        "weak": max(0, job.min_years - 2 - rng.randint(0, 1)),
    }[level]
    n_skills = {"strong": 5, "adequate": 4, "borderline": 3, "weak": 2}[level]
    n_certs = {"strong": len(job.certifications), "adequate": 1}.get(level, 0)
    return {
        "years_experience": years,
        "education": job.degrees[0] if level == "strong" else rng.choice(job.degrees),
        "skills": rng.sample(job.skills, n_skills),
        "certifications": list(job.certifications[:n_certs]),
        "employers": [f"{rng.choice(_COMPANIES)} ({_years(max(1, years // 2))})"] if years else [],
    }


_COMPANIES = (
    "Hudson Logistics",
    "Empire Health Partners",
    "Brightline Retail",
    "Metro Digital",
    "Harbor Financial",
    "Riverside Services",
    "Northgate Systems",
)


def _years(n: int) -> str:
    return f"{n} year" if n == 1 else f"{n} years"
