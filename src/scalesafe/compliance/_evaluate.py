"""Judge the obligations table against facts; turn the result into status or an error."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ..exceptions import HumanReviewNeededException, HumanStoppedTheLoopError, OutOfComplianceError
from ..model import Check, CheckResult, ComplianceStatus, utcnow
from ._context import RuleContext
from ._facts import ComplianceFacts, gather_facts
from ._obligations import OBLIGATIONS, Obligation
from ._profile import ProfileLike, SystemProfile, as_profile

if TYPE_CHECKING:
    from ..backends._base import Backend


def evaluate(
    profile: SystemProfile | None,
    facts: ComplianceFacts,
    today: dt.date,
    now: dt.datetime | None = None,
) -> list[Check]:
    """One Check per obligation: pass, fail, action needed, or not applicable (and why)."""
    moment = now or dt.datetime.combine(today, dt.time.min, tzinfo=dt.UTC)
    ctx = RuleContext(profile=profile, facts=facts, today=today, now=moment)
    return [_judge(ob, ctx) for ob in OBLIGATIONS]


def _judge(ob: Obligation, ctx: RuleContext) -> Check:
    if not ob.scope(ctx):
        result, reason = CheckResult.NOT_APPLICABLE, "not in scope for this system profile"
    elif ob.effective is not None and ctx.today < ob.effective:
        result, reason = CheckResult.NOT_APPLICABLE, f"applies from {ob.effective.isoformat()}"
    else:
        result, reason = ob.check(ctx)
    return Check(
        id=ob.id,
        title=ob.title,
        result=result,
        reason=reason,
        citation=ob.citation,
        fix=ob.fix if result in (CheckResult.FAIL, CheckResult.ACTION_NEEDED) else None,
    )


def compute_status(backend: Backend, profile: ProfileLike) -> ComplianceStatus:
    """Gather facts from the backend and evaluate them as of now."""
    profile = as_profile(profile)
    now = utcnow()
    facts = gather_facts(backend, now.date())
    return ComplianceStatus(
        model_system=getattr(backend, "model_system", "default"),
        checked_at=now,
        checks=evaluate(profile, facts, now.date(), now),
        stopped=facts.stopped,
        pending_reviews=len(facts.pending_reviews),
    )


def raise_for_status(status: ComplianceStatus) -> ComplianceStatus:
    """Return ``status`` if nothing needs doing, else raise the error monitors promise."""
    failing = status.failing
    if status.stopped:
        stop = next((c for c in failing if c.id == "ops.stop"), None)
        message = stop.reason if stop else "stop switch engaged"
        raise HumanStoppedTheLoopError(message, checks=failing)
    if failing:
        ids = ", ".join(c.id for c in failing)
        raise OutOfComplianceError(f"{len(failing)} compliance checks fail: {ids}", checks=failing)
    if status.pending_reviews:
        raise HumanReviewNeededException(
            f"{status.pending_reviews} human reviews are pending", pending=status.pending_reviews
        )
    return status
