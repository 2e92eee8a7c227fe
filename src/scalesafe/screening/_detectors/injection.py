"""Prompt injection and jailbreak phrasing: a curated list of high-confidence patterns.

Each rule is a phrase family seen in real attacks, documented here so a
reviewer can judge false positives:

* ``ignore_instructions`` - "ignore (all) (the) previous/prior/above instructions",
  "disregard your earlier rules", "forget all prior directives".
* ``ignore_safety`` - "disregard your system prompt", "bypass the safety filters",
  "ignore your guardrails / content policy".
* ``reveal_system_prompt`` - "reveal your system prompt", "print the hidden
  instructions", "repeat your initial prompt".
* ``dan`` - "you are now DAN", "act as DAN", "DAN mode", "do anything now".
* ``developer_mode`` - "developer mode enabled", "enable developer mode", "god mode on".
* ``jailbreak_persona`` - "act as an unfiltered AI", "you are now jailbroken",
  "pretend you have no restrictions".
* ``chat_template`` - raw chat-template control tokens (``<|im_start|>system``,
  ``[INST]``, ``<<SYS>>``) smuggled into user text.

Text is folded first (case, zero-width characters, accents, common confusables);
words may be separated by any short run of whitespace or punctuation. A rule's
regex runs only when each of its keyword groups occurs in the lower-cased text,
and then only in windows around its anchor words (the first group).
"""

from __future__ import annotations

import re

from .._normalize import Folded
from . import Hit, anchor_windows

KIND = "prompt_injection"

_S = r"[\W_]{1,6}"  # words may be separated by whitespace or punctuation, bounded
_VERBS = r"(?:ignore|disregard|forget|skip|override|bypass|neglect)"


def _p(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern.replace("~", _S), re.IGNORECASE)


_WINDOW = 240  # longer than any match of these patterns

_INSTEAD = ("previous", "prior", "above", "preceding", "earlier", "former", "foregoing",
            "initial", "original", "old")
_NOUNS = ("instruction", "prompt", "rule", "direction", "guideline", "directive", "command",
          "context", "programming", "constraint")

# (rule, keyword groups: each group must occur and the first anchors the windows,
#  pattern, confidence)
_RULES: list[tuple[str, tuple[tuple[str, ...], ...], re.Pattern[str], float]] = [
    (
        "ignore_instructions",
        (("ignor", "disregard", "forget", "skip", "overrid", "bypass", "neglect"), _INSTEAD, _NOUNS),
        _p(
            rf"\b{_VERBS}~(?:(?:all|any|every|each)~)?(?:(?:of|the)~){{0,2}}"
            r"(?:(?:your|my|these|those|the)~)?"
            r"(?:previous|prior|above|preceding|earlier|former|foregoing|initial|original|old)~"
            r"(?:(?:system|developer)~)?"
            r"(?:instructions?|prompts?|rules|directions?|guidelines|directives?|commands?"
            r"|context|programming|constraints)\b"
        ),
        0.95,
    ),
    (
        "ignore_safety",
        (("ignor", "disregard", "forget", "overrid", "bypass"),
         ("system", "safety", "guardrail", "content")),
        _p(
            r"\b(?:ignore|disregard|forget|override|bypass)~(?:(?:the|your|all|any)~){0,2}"
            r"(?:system~(?:prompt|message|instructions?)|safety~(?:guidelines|rules|filters?"
            r"|policies|protocols)|guardrails|content~(?:policy|policies|filters?))\b"
        ),
        0.95,
    ),
    (
        "reveal_system_prompt",
        (("prompt", "instructions", "message"),
         ("reveal", "show", "print", "output", "repeat", "display", "leak", "expose", "dump",
          "tell", "give")),
        _p(
            r"\b(?:reveal|show|print|output|repeat|display|leak|expose|dump|tell~me|give~me)~"
            r"(?:(?:me|us)~)?(?:(?:all|the|your)~){1,2}"
            r"(?:(?:full|entire|complete|original|hidden|secret|initial|exact)~)?"
            r"(?:system~(?:prompt|message)|(?:initial|hidden|original|secret)~(?:instructions|prompt))\b"
        ),
        0.9,
    ),
    (
        "dan",
        (("dan", "anything"),),
        _p(
            r"\b(?:you~are~(?:now~)?DAN|(?:act|pretend)~(?:to~be~|as~)DAN|DAN~mode"
            r"|do~anything~now)\b"
        ),
        0.95,
    ),
    (
        "developer_mode",
        (("developer", "god", "jailbreak", "dev"), ("mode",)),
        _p(
            r"\b(?:(?:developer|god|jailbreak|dev)~mode~(?:is~)?(?:enabled|activated|engaged|on)"
            r"|(?:enable|activate|enter)~(?:the~)?(?:developer|god|jailbreak)~mode)\b"
        ),
        0.95,
    ),
    (
        "jailbreak_persona",
        (("unrestricted", "unfiltered", "uncensored", "jailbr", "pretend"),),
        _p(
            r"\b(?:(?:act|behave|respond)~as~(?:an?~)?(?:unrestricted|unfiltered|uncensored"
            r"|jailbroken)~(?:ai|model|assistant|chatbot|llm)"
            r"|you~(?:are|have~been)~(?:now~)?(?:jailbroken|unrestricted|unfiltered|uncensored)"
            r"|pretend~(?:that~)?you~(?:have|are~under)~no~(?:restrictions|rules|guidelines"
            r"|limitations|filters))\b"
        ),
        0.9,
    ),
    (
        "chat_template",
        (("<|im_start|>", "[inst]", "[/inst]", "<<sys>>", "<</sys>>"),),
        re.compile(r"<\|im_start\|>[ \t]{0,3}system|\[/?INST\]|<</?SYS>>", re.IGNORECASE),
        0.9,
    ),
]

RULES: tuple[str, ...] = tuple(rule for rule, _, _, _ in _RULES)
ALL = (1 << len(_RULES)) - 1

# The prefilter. A rule runs only when every one of its keyword groups occurs in the
# folded lower-cased text, so one group per rule is a necessary condition: if none of
# that group's needles occurs, the rule cannot fire. Each needle is a substring of every
# keyword it stands for (single characters for the chat-template tokens), so scanning
# the needles decides exactly the rules the full gate could let through. Groups are
# chosen for long, rare needles; a needle shared by rules is searched once.
_KEY_GROUPS: dict[str, tuple[int, tuple[str, ...]]] = {
    "ignore_instructions": (0, ("ignor", "disregard", "forget", "skip", "overrid", "bypass",
                                "neglect")),
    "ignore_safety": (0, ("ignor", "disregard", "forget", "overrid", "bypass")),
    "reveal_system_prompt": (0, ("prompt", "instructions", "message")),
    "dan": (0, ("dan", "anything")),
    "developer_mode": (1, ("mode",)),
    "jailbreak_persona": (0, ("unrestricted", "unfiltered", "uncensored", "jailbr", "pretend")),
    "chat_template": (0, ("<", "[")),
}


def _needles() -> tuple[tuple[str, int], ...]:
    bits: dict[str, int] = {}
    for i, (rule, groups, _, _) in enumerate(_RULES):
        index, needles = _KEY_GROUPS[rule]
        for keyword in groups[index]:  # the prefilter must be implied by the gate
            assert any(n in keyword for n in needles), (rule, keyword)
        for needle in needles:
            bits[needle] = bits.get(needle, 0) | 1 << i
    return tuple(bits.items())


NEEDLES: tuple[tuple[str, int], ...] = _needles()


def candidates(lower: str) -> int:
    """Bit mask of the rules whose keyword gate could pass on ``lower`` (0: none can)."""
    mask = 0
    for needle, bits in NEEDLES:
        if needle in lower:
            mask |= bits
    return mask


def detect(text: str, hits: list[Hit], folded: Folded | None = None, mask: int = ALL) -> None:
    """Append injection hits for ``text`` (offsets in the original text).

    ``mask`` (from ``candidates``) skips rules whose gate cannot pass.
    """
    view = folded or Folded(text)
    lower = view.lower
    for i, (rule, groups, pattern, confidence) in enumerate(_RULES):
        if not mask >> i & 1:
            continue
        if not all(any(k in lower for k in group) for group in groups):
            continue
        for lo, hi in anchor_windows(lower, groups[0], _WINDOW, _WINDOW):
            for m in pattern.finditer(view.text, lo, hi):
                start, end = view.span(m.start(), m.end())
                hits.append((KIND, rule, start, end, confidence))
