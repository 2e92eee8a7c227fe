"""Scan, evaluate, redact: the pure core every monitor calls in the caller's thread."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ..model import Action, Direction, Finding, Verdict
from ._detectors import Hit, financial, identity, injection, merge, network, secrets
from ._normalize import Folded
from ._policy import Plan, Policy, plan_of

_DEFAULT: Policy | None = None
# Four digits with short gaps: every card, SSN, phone, IBAN and IPv4 contains such a
# cluster, so the numeric detectors run only in padded windows around clusters.
_CLUSTER = re.compile(r"[0-9](?:[^0-9]{0,3}[0-9]){3}")
_PAD = 48  # longer than an IBAN's reach before its first digit cluster


def default_policy() -> Policy:
    """The shared default policy (built once: it compiles nothing but is validated)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Policy()
    return _DEFAULT


def scan_hits(text: str, policy: Policy) -> list[Hit]:
    """Raw hits of every enabled detector, sorted by position, nested duplicates dropped.

    Clean text is the common case, so each detector is guarded by a cheap necessary
    condition of producing any hit (single characters found with memchr, a few
    keyword needles on the lower-cased text): on clean, short text no regex runs and
    nothing is built. ``scan_hits_reference`` is the same scan without those guards;
    the tests hold the two equal.
    """
    if not text:
        return []
    plan = plan_of(policy)
    hits: list[Hit] = []
    lower: str | None = None
    if plan.injection:
        if text.isascii():
            lower = text.lower()
            mask = injection.candidates(lower)
            if mask:
                injection.detect(text, hits, Folded(text, lower), mask)
        else:
            # Non-ASCII: always fold (zero-width, confusables, fullwidth...) and look for
            # the needles in the folded view, exactly where the detector looks.
            folded = Folded(text)
            lower = folded.lower if folded.text is text else None
            mask = injection.candidates(folded.lower)
            if mask:
                injection.detect(text, hits, folded, mask)
    if plan.secret:
        secrets.detect(text, hits, lower)
    if plan.numeric and _may_cluster(text):
        clusters = [m.span() for m in _CLUSTER.finditer(text)]
        if clusters:
            _numeric(text, hits, plan, merge(clusters, _PAD, _PAD, len(text)))
            if plan.ssn:
                identity.detect_ssn_context(text, hits, lower or text.lower())
    if plan.ip and ":" in text:
        network.detect_ipv6(text, hits)
    if plan.email and "@" in text:
        identity.detect_email(text, hits)
    if plan.custom is not None:
        plan.custom.detect(text, hits)
    if len(hits) > 1:
        hits = _dedupe(hits)
    return hits


_NON_DIGITS = bytes(b for b in range(256) if not 0x30 <= b <= 0x39)


def _may_cluster(text: str) -> bool:
    """False when ``text`` has fewer than four ASCII digits, so ``_CLUSTER`` cannot match."""
    if len(text) > 4096:
        return True  # the cluster scan itself is cheap next to the rest on long text
    # In UTF-8 an ASCII digit byte only ever encodes an ASCII digit.
    return len(text.encode("utf-8", "surrogatepass").translate(None, _NON_DIGITS)) >= 4


def scan_hits_reference(text: str, policy: Policy) -> list[Hit]:
    """``scan_hits`` without the prefilters: every enabled detector runs in full.

    Slower; kept as the reference the fast path is tested against.
    """
    if not text:
        return []
    enabled = policy.enabled
    hits: list[Hit] = []
    lower: str | None = None
    if "prompt_injection" in enabled:
        folded = Folded(text)
        lower = folded.lower if folded.text is text else None
        injection.detect(text, hits, folded)
    if "secret" in enabled:
        secrets.detect(text, hits, lower, prefilter=False)
    plan = Plan(enabled, policy.custom)
    if plan.numeric:
        clusters = [m.span() for m in _CLUSTER.finditer(text)]
        if clusters:
            _numeric(text, hits, plan, merge(clusters, _PAD, _PAD, len(text)))
            if plan.ssn:
                identity.detect_ssn_context(text, hits, lower or text.lower())
    if plan.ip and ":" in text:
        network.detect_ipv6(text, hits)
    if plan.email and "@" in text:
        identity.detect_email(text, hits)
    if plan.custom is not None:
        plan.custom.detect(text, hits)
    if len(hits) > 1:
        hits = _dedupe(hits)
    return hits


def _numeric(text: str, hits: list[Hit], plan: Plan, windows: list[tuple[int, int]]) -> None:
    card, ssn, phone, iban, ip = plan.card, plan.ssn, plan.phone, plan.iban, plan.ip
    for lo, hi in windows:
        if card:
            financial.detect_cards(text, hits, lo, hi)
        if ssn:
            identity.detect_ssn(text, hits, lo, hi)
        if phone:
            identity.detect_phone(text, hits, lo, hi)
        if iban:
            financial.detect_iban(text, hits, lo, hi)
        if ip:
            network.detect_ipv4(text, hits, lo, hi)


def _dedupe(hits: list[Hit]) -> list[Hit]:
    """Drop a hit inside another hit of the same kind (e.g. a JWT also seen as ``token=``)."""
    hits.sort(key=lambda h: (h[2], -h[3]))
    kept: list[Hit] = []
    reach: dict[str, int] = {}
    for hit in hits:
        kind, _, _, end, _ = hit
        if reach.get(kind, -1) >= end:
            continue
        reach[kind] = max(reach.get(kind, -1), end)
        kept.append(hit)
    return kept


def scan(text: str, policy: Policy | None = None) -> list[Finding]:
    """Every detector hit in ``text`` (kind, rule, span, confidence); actions not yet set."""
    policy = policy or default_policy()
    return [
        Finding(kind=k, rule=r, start=s, end=e, confidence=c)
        for k, r, s, e, c in scan_hits(text, policy)
    ]


def evaluate(findings: Iterable[Finding], policy: Policy, direction: Direction | str) -> Verdict:
    """Set each finding's action and direction; the verdict takes the most severe action.

    Findings whose check the policy sets to ``allow`` are dropped: the user asked
    for that check to be ignored.
    """
    direction = Direction(direction)
    table = policy.input if direction is Direction.INPUT else policy.output
    out: list[Finding] = []
    worst = Action.ALLOW
    for f in findings:
        action = table.get(f.kind, Action.RECORD)
        if action is Action.ALLOW:
            continue
        if action.rank > worst.rank:
            worst = action
        out.append(f.model_copy(update={"action": action, "direction": direction}))
    return Verdict(action=worst, findings=out)


def _judge(
    hits: list[Hit], policy: Policy, direction: Direction, location: str | None = None
) -> Verdict:
    """``evaluate`` straight from hits: one (trusted, unvalidated) model build per finding."""
    table = policy.input if direction is Direction.INPUT else policy.output
    out: list[Finding] = []
    worst = Action.ALLOW
    build = Finding.model_construct
    for kind, rule, start, end, confidence in hits:
        action = table.get(kind, Action.RECORD)
        if action is Action.ALLOW:
            continue
        if action.rank > worst.rank:
            worst = action
        out.append(build(kind=kind, rule=rule, start=start, end=end, confidence=confidence,
                         direction=direction, action=action, location=location))
    return Verdict(action=worst, findings=out)


_DIRECTIONS = {"input": Direction.INPUT, "output": Direction.OUTPUT}


def _direction(direction: Direction | str) -> Direction:
    found = _DIRECTIONS.get(direction)  # a Direction is a str: found too
    return found if found is not None else Direction(direction)


def screen(text: str, direction: str = "input", policy: Policy | None = None) -> Verdict:
    """Scan and evaluate one text. Never raises on any text."""
    policy = policy or default_policy()
    hits = scan_hits(text, policy)
    direction = _direction(direction)
    if not hits:
        return Verdict()  # fresh: callers may set ``redacted`` or extend ``findings``
    verdict = _judge(hits, policy, direction)
    if verdict.action is Action.REDACT:
        verdict.redacted = redact(
            text, [f for f in verdict.findings if f.action is Action.REDACT], policy
        )
    return verdict


def screen_texts(
    texts: Sequence[tuple[str | None, str]],
    direction: Direction | str,
    policy: Policy | None = None,
) -> tuple[Verdict, list[str]]:
    """Screen several texts (e.g. chat messages) as one verdict.

    Each finding's ``location`` names its text; offsets are within that text.
    Returns the merged verdict and, per text, the text with ``redact`` spans masked.
    """
    policy = policy or default_policy()
    direction = _direction(direction)
    scanned = [(location, text, scan_hits(text or "", policy)) for location, text in texts]
    if not any(hits for _, _, hits in scanned):
        return Verdict(), [text for _, text in texts]
    findings: list[Finding] = []
    redacted: list[str] = []
    worst = Action.ALLOW
    for location, text, hits in scanned:
        verdict = _judge(hits, policy, direction, location)
        findings.extend(verdict.findings)
        if verdict.action.rank > worst.rank:
            worst = verdict.action
        spans = [f for f in verdict.findings if f.action is Action.REDACT]
        redacted.append(redact(text, spans, policy) if spans else text)
    merged = Verdict(action=worst, findings=findings)
    if worst is Action.REDACT and len(texts) == 1:
        merged.redacted = redacted[0]
    return merged, redacted


def redact(text: str, findings: Iterable[Finding], policy: Policy | None = None) -> str:
    """Mask each finding's span with the policy's template; overlapping spans merge."""
    template = (policy or default_policy()).redaction_template
    n = len(text)
    spans = sorted(
        (max(0, min(f.start, n)), max(0, min(f.end, n)), f.kind, f.rule) for f in findings
    )
    merged: list[tuple[int, int, str, str]] = []
    for start, end, kind, rule in spans:
        if end <= start:
            continue
        if merged and start < merged[-1][1]:
            first, last, kinds, first_rule = merged[-1]
            if kind not in kinds.split("+"):
                kinds = f"{kinds}+{kind}"
            merged[-1] = (first, max(last, end), kinds, first_rule)
        else:
            merged.append((start, end, kind, rule))
    if not merged:
        return text
    out: list[str] = []
    pos = 0
    for start, end, kind, rule in merged:
        out.append(text[pos:start])
        out.append(template.format(kind=kind, rule=rule))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def describe_findings(findings: Iterable[Finding]) -> str:
    """Developer-actionable summary, never the matched text: kinds, rules, spans."""
    return "; ".join(f.describe() for f in findings)
