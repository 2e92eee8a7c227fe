"""NYC Local Law 144 rules (Admin. Code §§20-870-20-874; 6 RCNY §§5-300-5-304), pure."""

from __future__ import annotations

import datetime as dt

from ._context import Outcome, RuleContext, failed, not_applicable, passed
from ._dates import business_days_between, one_year_after

NOTICE_BUSINESS_DAYS = 10
REQUIRED_DIMENSIONS = ("sex", "race_ethnicity", "intersectional")


def applies(ctx: RuleContext) -> bool:
    """LL144 covers automated employment decision tools used for NYC candidates."""
    return (
        ctx.in_scope("NYC") and ctx.profile is not None and (ctx.profile.use_case == "employment_screening")
    )


def bias_audit_recent(ctx: RuleContext) -> Outcome:
    latest = _latest_audit_date(ctx)
    if latest is None:
        return failed("no bias audit recorded (run a Benchmarker or `scalesafe audit ll144`)")
    age = (ctx.today - latest).days
    if ctx.today > one_year_after(latest):
        return failed(f"latest bias audit is from {latest} ({age} days ago), over one year")
    return passed(f"latest bias audit is from {latest} ({age} days ago)")


def categories_covered(ctx: RuleContext) -> Outcome:
    audit = ctx.facts.latest_audit
    if audit is None:
        return _no_recorded_audit(ctx)
    missing = [d for d in REQUIRED_DIMENSIONS if d not in audit.dimensions]
    if missing:
        return failed(f"audit {audit.audit_date} has no impact ratios for: {', '.join(missing)}")
    return passed(f"audit {audit.audit_date} covers sex, race/ethnicity and intersectional")


def exclusions_justified(ctx: RuleContext) -> Outcome:
    audit = ctx.facts.latest_audit
    if audit is None:
        return _no_recorded_audit(ctx)
    if audit.unjustified_exclusions:
        return failed("excluded without justification: " + ", ".join(audit.unjustified_exclusions))
    if not audit.exclusions:
        return passed("no categories excluded")
    return passed(f"{len(audit.exclusions)} excluded categories (<2% of data), each justified")


def summary_published(ctx: RuleContext) -> Outcome:
    assert ctx.profile is not None
    audit = ctx.facts.latest_audit
    url = (audit.published_url if audit else None) or ctx.profile.bias_audit_summary_url
    if not url:
        return failed("no published audit summary (set bias_audit_summary_url in the profile)")
    return passed(f"summary published at {url}")


def candidate_notice(ctx: RuleContext) -> Outcome:
    assert ctx.profile is not None
    notice = ctx.profile.candidate_notice_date
    if notice is None:
        return failed("no candidate notice date in the profile")
    first_use = _first_use(ctx)
    days = business_days_between(notice, first_use)
    if days < NOTICE_BUSINESS_DAYS:
        return failed(f"notice on {notice} is {days} business days before use on {first_use}")
    return passed(f"notice on {notice} is {days} business days before use on {first_use}")


def impact_ratios(ctx: RuleContext) -> Outcome:
    assert ctx.profile is not None
    threshold = ctx.profile.impact_ratio_threshold
    audit = ctx.facts.latest_audit
    if threshold is None:
        return not_applicable("impact_ratio_threshold is off in the profile")
    if audit is None or audit.lowest_impact_ratio is None:
        return not_applicable("no recorded audit with impact ratios")
    low = audit.lowest_impact_ratio
    text = f"lowest impact ratio {low:.3f} ({audit.lowest_category}) in audit {audit.audit_date}"
    return failed(f"{text} < {threshold}") if low < threshold else passed(text)


def _latest_audit_date(ctx: RuleContext) -> dt.date | None:
    dates = [a.audit_date for a in ctx.facts.audits]
    if ctx.profile is not None and ctx.profile.bias_audit_date:
        dates.append(ctx.profile.bias_audit_date)
    return max(dates, default=None)


def _no_recorded_audit(ctx: RuleContext) -> Outcome:
    if ctx.profile is not None and ctx.profile.bias_audit_date:
        return passed("independent audit held outside ScaleSafe; check its summary")
    return not_applicable("no recorded audit yet (see nyc.ll144.bias_audit)")


def _first_use(ctx: RuleContext) -> dt.date:
    assert ctx.profile is not None
    if ctx.profile.in_use_since:
        return ctx.profile.in_use_since
    oldest = ctx.facts.oldest_event_at
    return oldest.date() if oldest else ctx.today
