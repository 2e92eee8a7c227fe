"""Rules that hold for every model system, with or without a profile."""

from __future__ import annotations

from ._context import Outcome, RuleContext, action_needed, failed, not_applicable, passed


def always(ctx: RuleContext) -> bool:
    return True


def log_integrity(ctx: RuleContext) -> Outcome:
    facts = ctx.facts
    if facts.log_verifies is False:
        return failed(f"the log does not verify: {facts.log_problem or 'hash chain broken'}")
    if facts.log_verifies is None:
        return not_applicable("the backend could not verify the log")
    return passed(f"{facts.log_rows} rows verify")


def reviews(ctx: RuleContext) -> Outcome:
    pending = ctx.facts.pending_reviews
    overdue = [r.id for r in pending if r.deadline is not None and r.deadline < ctx.now]
    if overdue:
        return failed(f"{len(overdue)} reviews past their deadline: {', '.join(overdue[:5])}")
    if pending:
        ids = ", ".join(r.id for r in pending[:5])
        return action_needed(f"{len(pending)} reviews pending: {ids}")
    return passed("no pending reviews")


def not_stopped(ctx: RuleContext) -> Outcome:
    if ctx.facts.stopped:
        return failed(f"stop switch engaged: {ctx.facts.stop_reason or 'no reason given'}")
    return passed("stop switch not engaged")


def profile_present(ctx: RuleContext) -> Outcome:
    if ctx.profile is None:
        return not_applicable("no system profile: only general checks ran (add scalesafe.toml)")
    p = ctx.profile
    where = ", ".join(p.jurisdictions) or "no jurisdictions"
    return passed(f"{p.use_case} ({p.role}) in {where}")
