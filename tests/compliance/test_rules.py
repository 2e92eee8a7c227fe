"""Obligation rules around their thresholds, judged as pure functions over facts."""

from __future__ import annotations

import datetime as dt

import pytest
from compliance_builders import TODAY, audit, healthy_facts, nyc_profile

from scalesafe.compliance import (
    OBLIGATIONS,
    ComplianceFacts,
    IncidentFact,
    ReviewFact,
    SystemProfile,
    evaluate,
)
from scalesafe.model import CheckResult

P, F, NA, ACT = (
    CheckResult.PASS,
    CheckResult.FAIL,
    CheckResult.NOT_APPLICABLE,
    CheckResult.ACTION_NEEDED,
)


def result(checks, check_id):
    return next(c for c in checks if c.id == check_id)


def test_table_rows_are_complete_and_unique():
    ids = [o.id for o in OBLIGATIONS]
    assert len(ids) == len(set(ids))
    for o in OBLIGATIONS:
        assert o.title and o.citation and o.fix


def test_no_profile_runs_only_general_checks():
    checks = evaluate(None, healthy_facts(), TODAY)
    assert result(checks, "profile").result is NA
    assert result(checks, "nyc.ll144.bias_audit").result is NA
    assert result(checks, "ops.stop").result is P
    assert all(c.result is not F for c in checks)


@pytest.mark.parametrize(("days", "expected"), [(0, P), (364, P), (366, F), (800, F)])
def test_bias_audit_one_year(days, expected):
    checks = evaluate(nyc_profile(), healthy_facts(audits=[audit(days)]), TODAY)
    assert result(checks, "nyc.ll144.bias_audit").result is expected


def test_no_audit_fails_with_citation_and_fix():
    check = result(evaluate(nyc_profile(), healthy_facts(), TODAY), "nyc.ll144.bias_audit")
    assert check.result is F
    assert "§20-871" in check.citation and check.fix


def test_external_audit_date_in_profile_counts():
    profile = nyc_profile(bias_audit_date=(TODAY - dt.timedelta(days=30)).isoformat())
    checks = evaluate(profile, healthy_facts(), TODAY)
    assert result(checks, "nyc.ll144.bias_audit").result is P
    assert result(checks, "nyc.ll144.categories").result is P


def test_ll144_not_applicable_before_enforcement():
    checks = evaluate(nyc_profile(), healthy_facts(), dt.date(2023, 7, 4))
    check = result(checks, "nyc.ll144.bias_audit")
    assert check.result is NA and "2023-07-05" in check.reason


def test_ll144_out_of_scope_for_chatbots():
    checks = evaluate(nyc_profile(use_case="chatbot"), healthy_facts(), TODAY)
    assert result(checks, "nyc.ll144.bias_audit").result is NA


def test_missing_categories_fail():
    facts = healthy_facts(audits=[audit(10, dimensions=("sex",))])
    check = result(evaluate(nyc_profile(), facts, TODAY), "nyc.ll144.categories")
    assert check.result is F and "intersectional" in check.reason


def test_unjustified_exclusion_fails():
    facts = healthy_facts(
        audits=[audit(10, exclusions=("sex:Female",), unjustified_exclusions=("sex:Female",))]
    )
    assert result(evaluate(nyc_profile(), facts, TODAY), "nyc.ll144.exclusions").result is F


def test_summary_must_be_published():
    checks = evaluate(nyc_profile(bias_audit_summary_url=None), healthy_facts(), TODAY)
    assert result(checks, "nyc.ll144.summary_published").result is F


@pytest.mark.parametrize(
    ("notice", "expected"),
    [
        ("2026-01-16", P),  # Fri 16 Jan -> Mon 2 Feb: 10 business days between (19-30 Jan)
        ("2026-01-19", F),  # Mon 19 Jan -> 9 business days between
        (None, F),
    ],
)
def test_candidate_notice_ten_business_days(notice, expected):
    profile = nyc_profile(candidate_notice_date=notice, in_use_since="2026-02-02")
    checks = evaluate(profile, healthy_facts(), TODAY)
    assert result(checks, "nyc.ll144.candidate_notice").result is expected


@pytest.mark.parametrize(("lowest", "expected"), [(0.79, F), (0.8, P), (1.0, P)])
def test_impact_ratio_threshold(lowest, expected):
    facts = healthy_facts(audits=[audit(5, lowest=lowest)])
    checks = evaluate(nyc_profile(), facts, TODAY)
    assert result(checks, "nyc.ll144.impact_ratio").result is expected


def test_impact_ratio_threshold_can_be_switched_off():
    facts = healthy_facts(audits=[audit(5, lowest=0.1)])
    checks = evaluate(nyc_profile(impact_ratio_threshold=None), facts, TODAY)
    assert result(checks, "nyc.ll144.impact_ratio").result is NA


def test_latest_audit_wins():
    facts = healthy_facts(audits=[audit(400, lowest=0.5), audit(3, lowest=0.95)])
    checks = evaluate(nyc_profile(), facts, TODAY)
    assert result(checks, "nyc.ll144.bias_audit").result is P
    assert result(checks, "nyc.ll144.impact_ratio").result is P


def eu(**overrides) -> SystemProfile:
    data = {
        "use_case": "employment_screening",
        "jurisdictions": ["eu"],
        "human_overseers": ["hr-lead@example.com"],
        "retention_days": 200,
    }
    data.update(overrides)
    return SystemProfile.load(data)


@pytest.mark.parametrize(("days", "expected"), [(183, F), (184, P), (None, P)])
def test_retention_six_months(days, expected):
    checks = evaluate(eu(retention_days=days), healthy_facts(), TODAY)
    assert result(checks, "eu.art19.retention").result is expected


def test_eu_high_risk_dates():
    before = evaluate(eu(retention_days=10), healthy_facts(), dt.date(2026, 8, 1))
    on = evaluate(eu(retention_days=10), healthy_facts(), dt.date(2026, 8, 2))
    assert result(before, "eu.art19.retention").result is NA
    assert result(on, "eu.art19.retention").result is F


def test_logging_must_be_on_and_verify():
    assert result(evaluate(eu(), ComplianceFacts(), TODAY), "eu.art12.logging").result is F
    broken = healthy_facts(log_verifies=False, log_problem="hash mismatch at row 3")
    checks = evaluate(eu(), broken, TODAY)
    assert result(checks, "eu.art12.logging").result is F
    assert result(checks, "ops.log_integrity").result is F
    assert result(evaluate(eu(), healthy_facts(), TODAY), "eu.art12.logging").result is P


def test_oversight_needs_people_and_a_stop_switch():
    assert result(evaluate(eu(human_overseers=[]), healthy_facts(), TODAY), "eu.art14.oversight").result is F
    no_stop = healthy_facts(stop_available=False)
    assert result(evaluate(eu(), no_stop, TODAY), "eu.art14.oversight").result is F


def test_chatbot_disclosure():
    bot = {"use_case": "chatbot", "jurisdictions": ["EU"]}
    checks = evaluate(SystemProfile.load(bot), healthy_facts(), TODAY)
    assert result(checks, "eu.art50.disclosure").result is F
    assert result(checks, "eu.art12.logging").result is NA  # a chatbot is not high-risk
    told = SystemProfile.load({**bot, "ai_disclosure": True})
    assert result(evaluate(told, healthy_facts(), TODAY), "eu.art50.disclosure").result is P
    early = evaluate(SystemProfile.load(bot), healthy_facts(), dt.date(2026, 8, 1))
    assert result(early, "eu.art50.disclosure").result is NA


@pytest.mark.parametrize(
    ("severity", "days_ago", "expected"),
    [
        ("general", 15, ACT),
        ("general", 16, F),
        ("death", 10, ACT),
        ("death", 11, F),
        ("widespread_infringement", 2, ACT),
        ("widespread_infringement", 3, F),
        ("critical_infrastructure", 3, F),
    ],
)
def test_incident_deadlines(severity, days_ago, expected):
    incident = IncidentFact("inc1", severity, TODAY - dt.timedelta(days=days_ago))
    checks = evaluate(eu(), healthy_facts(incidents=[incident]), TODAY)
    assert result(checks, "eu.art73.incidents").result is expected


def test_reported_incident_passes():
    incident = IncidentFact("inc1", "death", TODAY - dt.timedelta(days=40), TODAY)
    checks = evaluate(eu(), healthy_facts(incidents=[incident]), TODAY)
    assert result(checks, "eu.art73.incidents").result is P


def test_prohibited_practice_fails():
    checks = evaluate(eu(risk_class="unacceptable"), healthy_facts(), TODAY)
    assert result(checks, "eu.art5.prohibited").result is F


def test_reviews_pending_and_overdue():
    now = dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC)
    soon = ReviewFact("r1", now + dt.timedelta(hours=1))
    late = ReviewFact("r2", now - dt.timedelta(minutes=1))
    pending = evaluate(None, healthy_facts(pending_reviews=[soon]), TODAY, now)
    assert result(pending, "ops.reviews").result is ACT
    overdue = evaluate(None, healthy_facts(pending_reviews=[soon, late]), TODAY, now)
    assert result(overdue, "ops.reviews").result is F


def test_stop_switch_fails():
    checks = evaluate(None, healthy_facts(stopped=True, stop_reason="drift"), TODAY)
    check = result(checks, "ops.stop")
    assert check.result is F and "drift" in check.reason


def test_passing_checks_carry_no_fix():
    checks = evaluate(None, healthy_facts(), TODAY)
    assert all(c.fix is None for c in checks if c.result is P)


def test_every_obligation_is_documented():
    from pathlib import Path

    docs = (Path(__file__).parents[2] / "docs" / "compliance.md").read_text()
    for obligation in OBLIGATIONS:
        assert f"`{obligation.id}`" in docs, obligation.id
        if obligation.effective:
            assert obligation.effective.isoformat() in docs, obligation.id
