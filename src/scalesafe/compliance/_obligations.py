"""The one table of obligations: when a law or a date changes, edit one row here.

Each row names the rule, cites the law, says how to fix a failure in plain English, and
gives the date the obligation applies from (``None``: always). ``scope`` says whether the
rule concerns this system at all; ``check`` judges it. Both are pure functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from . import _rules_eu as eu
from . import _rules_nyc as nyc
from . import _rules_ops as ops
from ._context import Outcome, RuleContext

LL144_ENFORCED = dt.date(2023, 7, 5)  # DCWP rules effective; enforcement began
EU_PROHIBITIONS = dt.date(2025, 2, 2)  # AI Act Art 113(a): Chapters I-II
EU_GENERAL_APPLICATION = dt.date(2026, 8, 2)  # Art 113: Annex III high-risk, Art 50, Art 73


@dataclass(frozen=True)
class Obligation:
    id: str
    title: str
    citation: str
    fix: str
    effective: dt.date | None
    scope: Callable[[RuleContext], bool]
    check: Callable[[RuleContext], Outcome]


OBLIGATIONS: tuple[Obligation, ...] = (
    Obligation(
        "profile",
        "System profile declared",
        "ScaleSafe",
        "Describe the system in scalesafe.toml (use_case, jurisdictions, role, dates).",
        None,
        ops.always,
        ops.profile_present,
    ),
    Obligation(
        "ops.log_integrity",
        "Log is intact",
        "ScaleSafe hash-chained log (supports AI Act Art 12)",
        "Run `scalesafe verify`; restore the store from a backup if rows were altered.",
        None,
        ops.always,
        ops.log_integrity,
    ),
    Obligation(
        "ops.stop",
        "Stop switch not engaged",
        "EU AI Act Art 14(4)(e)",
        "Investigate why the system was stopped, then `scalesafe resume`.",
        None,
        ops.always,
        ops.not_stopped,
    ),
    Obligation(
        "ops.reviews",
        "Human reviews decided in time",
        "EU AI Act Art 14, Art 26(2)",
        "Decide pending reviews: `scalesafe reviews list`, then approve or reject.",
        None,
        ops.always,
        ops.reviews,
    ),
    Obligation(
        "nyc.ll144.bias_audit",
        "Bias audit within one year before use",
        "NYC Admin. Code §20-871(a)(1); 6 RCNY §5-301",
        "Have an independent auditor run a bias audit (e.g. Benchmarker('nyEmploymentScreening') "
        "or `scalesafe audit ll144 --decisions FILE.csv --record`) at least yearly.",
        LL144_ENFORCED,
        nyc.applies,
        nyc.bias_audit_recent,
    ),
    Obligation(
        "nyc.ll144.categories",
        "Audit covers sex, race/ethnicity and intersectional categories",
        "6 RCNY §5-301(a)-(b)",
        "Include sex and race/ethnicity for every candidate so all three tables can be computed.",
        LL144_ENFORCED,
        nyc.applies,
        nyc.categories_covered,
    ),
    Obligation(
        "nyc.ll144.exclusions",
        "Excluded small categories are justified",
        "6 RCNY §5-301 (categories under 2% of the data)",
        "For each category excluded for being under 2% of the data, state why in the summary.",
        LL144_ENFORCED,
        nyc.applies,
        nyc.exclusions_justified,
    ),
    Obligation(
        "nyc.ll144.summary_published",
        "Audit summary published",
        "NYC Admin. Code §20-871(a)(2); 6 RCNY §5-303",
        "Publish the summary (`scalesafe audit report`) on the employment section of your "
        "website and set bias_audit_summary_url in the profile.",
        LL144_ENFORCED,
        nyc.applies,
        nyc.summary_published,
    ),
    Obligation(
        "nyc.ll144.candidate_notice",
        "Candidates notified 10 business days before use",
        "NYC Admin. Code §20-871(b); 6 RCNY §5-304",
        "Notify candidates (website, job posting, mail or e-mail) at least 10 business days "
        "before use and set candidate_notice_date in the profile.",
        LL144_ENFORCED,
        nyc.applies,
        nyc.candidate_notice,
    ),
    Obligation(
        "nyc.ll144.impact_ratio",
        "Impact ratios at or above the threshold",
        "EEOC four-fifths guideline, 29 CFR §1607.4(D) (LL144 itself sets no threshold)",
        "Investigate the low-ratio category, fix the model or process, and audit again.",
        LL144_ENFORCED,
        nyc.applies,
        nyc.impact_ratios,
    ),
    Obligation(
        "eu.art5.prohibited",
        "No prohibited AI practice",
        "EU AI Act Art 5",
        "Stop the prohibited practice; it cannot be made compliant.",
        EU_PROHIBITIONS,
        eu.applies,
        eu.not_prohibited,
    ),
    Obligation(
        "eu.art12.logging",
        "Automatic logging on and verifiable",
        "EU AI Act Art 12",
        "Monitor every interaction (monitor.monitor(...)) and keep the log intact.",
        EU_GENERAL_APPLICATION,
        eu.applies_high_risk,
        eu.logging_on,
    ),
    Obligation(
        "eu.art19.retention",
        "Logs kept at least six months",
        "EU AI Act Art 19(1), Art 26(6)",
        "Set retention_days to 184 or more (or leave it unset to keep logs).",
        EU_GENERAL_APPLICATION,
        eu.applies_high_risk,
        eu.retention,
    ),
    Obligation(
        "eu.art14.oversight",
        "Human oversight assigned, able to stop",
        "EU AI Act Art 14(4)(e), Art 26(2)",
        "Name competent human_overseers in the profile; keep the stop switch available.",
        EU_GENERAL_APPLICATION,
        eu.applies_high_risk,
        eu.oversight,
    ),
    Obligation(
        "eu.art50.disclosure",
        "People told they are interacting with AI",
        "EU AI Act Art 50(1)",
        "Tell users they are talking to an AI system, then set ai_disclosure = true.",
        EU_GENERAL_APPLICATION,
        eu.applies_interaction,
        eu.disclosure,
    ),
    Obligation(
        "eu.art73.incidents",
        "Serious incidents reported in time",
        "EU AI Act Art 73(2)-(4), Art 26(5)",
        "Report to the market surveillance authority: 15 days, 10 for a death, 2 for a "
        "widespread infringement or critical-infrastructure disruption.",
        EU_GENERAL_APPLICATION,
        eu.applies_high_risk,
        eu.incidents_reported,
    ),
)
