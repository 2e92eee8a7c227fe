"""The screening policy: per check and direction, what to do with a finding."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from ..exceptions import ConfigurationError
from ..model import Action, Direction
from ._detectors.custom import Custom

CHECKS: tuple[str, ...] = (
    "prompt_injection",
    "secret",
    "payment_card",
    "ssn",
    "email",
    "phone",
    "ip_address",
    "iban",
    "banned_term",
    "banned_pattern",
)

# The default table of ARCHITECTURE.md ("Default screening policy").
DEFAULT_INPUT: dict[str, Action] = {
    "prompt_injection": Action.BLOCK,
    "secret": Action.BLOCK,
    "payment_card": Action.BLOCK,
    "ssn": Action.BLOCK,
    "email": Action.RECORD,
    "phone": Action.RECORD,
    "ip_address": Action.RECORD,
    "iban": Action.RECORD,
    "banned_term": Action.BLOCK,
    "banned_pattern": Action.BLOCK,
}
DEFAULT_OUTPUT: dict[str, Action] = {**DEFAULT_INPUT, "prompt_injection": Action.RECORD}

_FIELDS = {"input", "output", "checks", "banned_terms", "banned_patterns", "redaction_template"}


def _action(value: Any, where: str) -> Action:
    if isinstance(value, Action):
        return value
    if isinstance(value, str):
        try:
            return Action(value.strip().lower())
        except ValueError:
            pass
    allowed = ", ".join(a.value for a in Action)
    raise ConfigurationError(f"{where}: unknown action {value!r} (expected one of: {allowed})")


def _table(value: Any, where: str) -> dict[str, Action]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigurationError(f"{where} must be a table of check = action")
    table = {}
    for name, action in value.items():
        if name not in CHECKS:
            raise ConfigurationError(
                f"{where}: unknown check {name!r} (expected one of: {', '.join(CHECKS)})"
            )
        table[name] = _action(action, f"{where}.{name}")
    return table


def _strings(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not all(isinstance(v, str) for v in value):
        raise ConfigurationError(f"{where} must be a list of strings")
    return list(value)


class Plan:
    """What ``scan_hits`` needs from a policy, as plain slots built once per policy.

    Reading a pydantic private attribute goes through ``BaseModel.__getattr__``
    (about 2 µs); the engine reads this object straight from ``__pydantic_private__``.
    """

    __slots__ = (
        "card",
        "custom",
        "email",
        "iban",
        "injection",
        "ip",
        "numeric",
        "phone",
        "secret",
        "ssn",
    )

    def __init__(self, enabled: frozenset[str], custom: Custom) -> None:
        self.injection = "prompt_injection" in enabled
        self.secret = "secret" in enabled
        self.card = "payment_card" in enabled
        self.ssn = "ssn" in enabled
        self.phone = "phone" in enabled
        self.iban = "iban" in enabled
        self.ip = "ip_address" in enabled
        self.numeric = self.card or self.ssn or self.phone or self.iban or self.ip
        self.email = "email" in enabled
        terms = "banned_term" in enabled and custom.terms is not None
        patterns = "banned_pattern" in enabled and bool(custom.patterns)
        self.custom: Custom | None = custom if terms or patterns else None


def plan_of(policy: Policy) -> Plan:
    """The policy's cached ``Plan`` (rebuilt if a policy was made without ``__init__``)."""
    private = policy.__pydantic_private__
    if private is not None:
        plan = private.get("_plan")
        if plan is not None:
            return plan
    return Plan(policy.enabled, policy.custom)


class Policy(BaseModel):
    """Per check and direction, the action screening takes. ``Policy()`` is the default.

    Overrides merge over the defaults: ``Policy(input={"email": "block"})`` changes
    one cell; ``checks=`` sets both directions at once (``input``/``output`` win).
    Invalid names, actions or patterns raise ``ConfigurationError`` here, at
    configuration time, never mid-request.
    """

    model_config = ConfigDict(frozen=True)

    input: dict[str, Action] = Field(default_factory=lambda: dict(DEFAULT_INPUT))
    output: dict[str, Action] = Field(default_factory=lambda: dict(DEFAULT_OUTPUT))
    banned_terms: list[str] = Field(default_factory=list)
    banned_patterns: list[str] = Field(default_factory=list)
    redaction_template: str = "[REDACTED:{kind}]"

    _custom: Custom = PrivateAttr()
    _enabled: frozenset[str] = PrivateAttr()
    _plan: Plan = PrivateAttr()

    @model_validator(mode="before")
    @classmethod
    def _merge(cls, data: Any) -> Any:
        if isinstance(data, Policy):
            return data.to_dict()
        if not isinstance(data, dict):
            raise ConfigurationError("a policy must be a table (dict)")
        unknown = set(data) - _FIELDS
        if unknown:
            raise ConfigurationError(
                f"unknown policy setting(s): {', '.join(sorted(unknown))} "
                f"(expected: {', '.join(sorted(_FIELDS))})"
            )
        both = _table(data.get("checks"), "checks")
        template = data.get("redaction_template", "[REDACTED:{kind}]")
        if not isinstance(template, str):
            raise ConfigurationError("redaction_template must be a string")
        try:
            template.format(kind="payment_card", rule="luhn")
        except (KeyError, IndexError, ValueError) as exc:
            raise ConfigurationError(
                f"redaction_template may use only {{kind}} and {{rule}}: {exc!r}"
            ) from None
        return {
            "input": {**DEFAULT_INPUT, **both, **_table(data.get("input"), "input")},
            "output": {**DEFAULT_OUTPUT, **both, **_table(data.get("output"), "output")},
            "banned_terms": _strings(data.get("banned_terms"), "banned_terms"),
            "banned_patterns": _strings(data.get("banned_patterns"), "banned_patterns"),
            "redaction_template": template,
        }

    def model_post_init(self, __context: Any) -> None:
        self._custom = Custom(self.banned_terms, self.banned_patterns)
        self._enabled = frozenset(
            k for k in CHECKS
            if self.input[k] is not Action.ALLOW or self.output[k] is not Action.ALLOW
        )
        self._plan = Plan(self._enabled, self._custom)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:  # pragma: no cover - _merge normalises everything
            raise ConfigurationError(f"invalid policy: {exc.error_count()} error(s)") from None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Policy) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        d = self.to_dict()
        return hash((tuple(d["input"].items()), tuple(d["output"].items()),
                     tuple(self.banned_terms), tuple(self.banned_patterns),
                     self.redaction_template))

    # ---- queries ------------------------------------------------------------------------
    def action_for(self, kind: str, direction: Direction | str) -> Action:
        """The action for ``kind`` in ``direction``; unknown kinds are recorded."""
        table = self.input if Direction(direction) is Direction.INPUT else self.output
        return table.get(kind, Action.RECORD)

    @property
    def enabled(self) -> frozenset[str]:
        """Checks that are not ``allow`` in both directions (the rest are not scanned)."""
        return self._enabled

    @property
    def custom(self) -> Custom:
        return self._custom

    # ---- (de)serialisation --------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict that ``Policy.from_dict`` turns back into an equal policy."""
        return {
            "input": {k: v.value for k, v in self.input.items()},
            "output": {k: v.value for k, v in self.output.items()},
            "banned_terms": list(self.banned_terms),
            "banned_patterns": list(self.banned_patterns),
            "redaction_template": self.redaction_template,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Policy:
        """Build from a dict; a top-level ``policy``/``screening`` table is unwrapped."""
        if not isinstance(data, dict):
            raise ConfigurationError("a policy must be a table (dict)")
        for key in ("policy", "screening"):
            if set(data) == {key} and isinstance(data[key], dict):
                data = data[key]
        return cls(**data)

    @classmethod
    def from_toml(cls, source: str | os.PathLike[str]) -> Policy:
        """Build from a TOML file path or TOML text (``[input]``, ``[output]``, ``[checks]``)."""
        if isinstance(source, os.PathLike) or (
            isinstance(source, str) and "\n" not in source and "=" not in source
        ):
            path = Path(source)
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise ConfigurationError(f"cannot read policy file {path}: {exc}") from None
        else:
            text = source
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigurationError(f"policy TOML does not parse: {exc}") from None
        return cls.from_dict(data)
