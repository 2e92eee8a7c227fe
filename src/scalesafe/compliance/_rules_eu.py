"""EU AI Act (Regulation (EU) 2024/1689) rules, pure."""

from __future__ import annotations

import datetime as dt

from ._context import Outcome, RuleContext, action_needed, failed, passed

SIX_MONTHS_DAYS = 184  # the longest six-month span, so any six months is covered

# Art 73(2)-(4): days from awareness to the report, by kind of serious incident.
INCIDENT_DEADLINE_DAYS = {
    "general": 15,
    "death": 10,
    "widespread_infringement": 2,
    "critical_infrastructure": 2,
}


def applies(ctx: RuleContext) -> bool:
    return ctx.in_scope("EU")


def applies_high_risk(ctx: RuleContext) -> bool:
    return applies(ctx) and ctx.profile is not None and ctx.profile.effective_risk_class == "high"


def applies_interaction(ctx: RuleContext) -> bool:
    return applies(ctx) and ctx.profile is not None and ctx.profile.talks_to_people


def not_prohibited(ctx: RuleContext) -> Outcome:
    assert ctx.profile is not None
    if ctx.profile.effective_risk_class == "unacceptable":
        return failed("the profile declares a prohibited (unacceptable-risk) practice")
    return passed(f"risk class: {ctx.profile.effective_risk_class}")


def logging_on(ctx: RuleContext) -> Outcome:
    facts = ctx.facts
    if not facts.log_enabled:
        return failed("no events have been logged for this model system")
    if facts.log_verifies is False:
        return failed(f"the log does not verify: {facts.log_problem or 'hash chain broken'}")
    return passed(f"{facts.log_rows} log rows, hash chain verifies")


def retention(ctx: RuleContext) -> Outcome:
    assert ctx.profile is not None
    days = ctx.profile.retention_days
    if days is None:
        return passed("logs are kept indefinitely")
    if days < SIX_MONTHS_DAYS:
        return failed(f"retention of {days} days is under six months ({SIX_MONTHS_DAYS} days)")
    return passed(f"logs kept {days} days")


def oversight(ctx: RuleContext) -> Outcome:
    assert ctx.profile is not None
    if not ctx.profile.human_overseers:
        return failed("no human overseers named in the profile")
    if not ctx.facts.stop_available:
        return failed("the backend offers no stop switch")
    names = ", ".join(ctx.profile.human_overseers)
    return passed(f"overseen by {names}; stop switch available")


def disclosure(ctx: RuleContext) -> Outcome:
    assert ctx.profile is not None
    since = ctx.profile.ai_disclosure_date
    if ctx.profile.ai_disclosure or (since is not None and since <= ctx.today):
        return passed("people are told they are interacting with an AI system")
    return failed("no AI-interaction disclosure declared (set ai_disclosure in the profile)")


def incidents_reported(ctx: RuleContext) -> Outcome:
    overdue: list[str] = []
    due: list[str] = []
    for incident in ctx.facts.incidents:
        deadline = incident_deadline(incident.aware_on, incident.severity)
        if incident.reported_on is not None:
            continue
        (overdue if ctx.today > deadline else due).append(f"{incident.id} (due {deadline})")
    if overdue:
        return failed("serious incident report overdue: " + ", ".join(overdue))
    if due:
        return action_needed("serious incident report due: " + ", ".join(due))
    return passed(f"{len(ctx.facts.incidents)} serious incidents recorded, none unreported")


def incident_deadline(aware_on: dt.date, severity: str) -> dt.date:
    """Last day to report; unknown severities get the shortest deadline, to be safe."""
    days = INCIDENT_DEADLINE_DAYS.get(severity, min(INCIDENT_DEADLINE_DAYS.values()))
    return aware_on + dt.timedelta(days=days)
