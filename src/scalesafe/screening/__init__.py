"""Screening: pure functions from text to findings and from findings to a verdict.

No I/O, no state, no model downloads. ``scan`` finds, ``evaluate`` applies a
``Policy``, ``screen`` does both; ``StreamScreener`` does it incrementally for
streamed outputs. Findings never carry the matched text.
"""

from __future__ import annotations

from ..model import Action, Direction, Finding, Verdict
from ._detectors.financial import iban_valid, luhn_valid
from ._detectors.identity import ssn_valid
from ._detectors.injection import RULES as INJECTION_RULES
from ._engine import describe_findings, evaluate, redact, scan, screen, screen_texts
from ._policy import CHECKS, DEFAULT_INPUT, DEFAULT_OUTPUT, Policy
from ._stream import StreamScreener

__all__ = [
    "CHECKS",
    "DEFAULT_INPUT",
    "DEFAULT_OUTPUT",
    "INJECTION_RULES",
    "Action",
    "Direction",
    "Finding",
    "Policy",
    "StreamScreener",
    "Verdict",
    "describe_findings",
    "evaluate",
    "iban_valid",
    "luhn_valid",
    "redact",
    "scan",
    "screen",
    "screen_texts",
    "ssn_valid",
]
