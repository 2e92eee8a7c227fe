"""Scan, evaluate, redact: the pure core every monitor calls in the caller's thread."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ..model import Action, Direction, Finding, Verdict
from ._detectors import Hit, financial, identity, injection, merge, network, secrets
from ._normalize import Folded
from ._policy import Policy

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
    """Raw hits of every enabled detector, sorted by position, nested duplicates dropped."""
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
        secrets.detect(text, hits, lower)
    numeric = enabled & _NUMERIC
    if numeric:
        clusters = [m.span() for m in _CLUSTER.finditer(text)]
        if clusters:
            _numeric(text, hits, numeric, merge(clusters, _PAD, _PAD, len(text)))
            if "ssn" in numeric:
                identity.detect_ssn_context(text, hits, lower or text.lower())
    if "ip_address" in enabled and ":" in text:
        network.detect_ipv6(text, hits)
    if "email" in enabled and "@" in text:
        identity.detect_email(text, hits)
    custom = policy.custom
    if ("banned_term" in enabled and custom.terms is not None) or (
        "banned_pattern" in enabled and custom.patterns
    ):
        custom.detect(text, hits)
    if len(hits) > 1:
        hits = _dedupe(hits)
    return hits


_NUMERIC = frozenset({"payment_card", "ssn", "phone", "iban", "ip_address"})


def _numeric(text: str, hits: list[Hit], kinds: frozenset[str], windows: list[tuple[int, int]]) -> None:
    card = "payment_card" in kinds
    ssn = "ssn" in kinds
    phone = "phone" in kinds
    iban = "iban" in kinds
    ip = "ip_address" in kinds
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


def screen(text: str, direction: str = "input", policy: Policy | None = None) -> Verdict:
    """Scan and evaluate one text. Never raises on any text."""
    policy = policy or default_policy()
    verdict = _judge(scan_hits(text, policy), policy, Direction(direction))
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
    findings: list[Finding] = []
    redacted: list[str] = []
    worst = Action.ALLOW
    direction = Direction(direction)
    for location, text in texts:
        verdict = _judge(scan_hits(text or "", policy), policy, direction, location)
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
