"""The system profile: what the AI system does, where, and the dates the rules need.

Unknown keys or values raise ``ConfigurationError`` at load time, so a typo can never
silently switch a rule off.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..exceptions import ConfigurationError

UseCase = Literal["employment_screening", "chatbot", "general"]
Jurisdiction = Literal["NYC", "EU"]
Role = Literal["provider", "deployer"]
RiskClass = Literal["unacceptable", "high", "limited", "minimal"]

PROFILE_FILE = "scalesafe.toml"


class SystemProfile(BaseModel):
    """One model system's use case, jurisdictions and compliance dates."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = None
    use_case: UseCase = "general"
    jurisdictions: list[Jurisdiction] = Field(default_factory=list)
    role: Role = "deployer"
    risk_class: RiskClass | None = None  # None: derived from the use case
    human_overseers: list[str] = Field(default_factory=list)
    retention_days: int | None = Field(default=None, ge=0)  # None: never deleted
    in_use_since: dt.date | None = None
    candidate_notice_date: dt.date | None = None
    interacts_with_people: bool | None = None  # None: true for chatbots
    ai_disclosure: bool = False
    ai_disclosure_date: dt.date | None = None
    bias_audit_date: dt.date | None = None  # an independent audit held outside ScaleSafe
    bias_audit_summary_url: str | None = None
    bias_audit_published_date: dt.date | None = None
    impact_ratio_threshold: float | None = Field(default=0.8, ge=0, le=1)

    @field_validator("jurisdictions", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            return [v.upper() if isinstance(v, str) else v for v in value]
        return value

    @property
    def effective_risk_class(self) -> RiskClass:
        """Employment screening is high-risk under EU AI Act Annex III point 4."""
        if self.risk_class:
            return self.risk_class
        return "high" if self.use_case == "employment_screening" else "minimal"

    @property
    def talks_to_people(self) -> bool:
        if self.interacts_with_people is not None:
            return self.interacts_with_people
        return self.use_case == "chatbot"

    def in_jurisdiction(self, name: str) -> bool:
        return name in self.jurisdictions

    @classmethod
    def load(cls, source: str | Path | Mapping[str, Any]) -> SystemProfile:
        """From a dict or a TOML file (its ``[profile]`` table if present, else the top level)."""
        data = _read_toml(Path(source)) if isinstance(source, (str, Path)) else dict(source)
        if isinstance(data.get("profile"), dict):
            data = data["profile"]
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ConfigurationError(f"invalid system profile: {_describe(exc)}") from None


ProfileLike = SystemProfile | Mapping[str, Any] | str | Path | None


def as_profile(value: ProfileLike) -> SystemProfile | None:
    """Accept a profile, a dict or a TOML path (as ``Client(profile=...)`` may hold)."""
    if value is None or isinstance(value, SystemProfile):
        return value
    return SystemProfile.load(value)


def find_profile(*folders: str | Path | None) -> SystemProfile | None:
    """The first ``scalesafe.toml`` found in ``folders`` (skipping None), loaded, else None."""
    for folder in folders:
        if folder is None:
            continue
        path = Path(folder) / PROFILE_FILE
        if path.is_file():
            return SystemProfile.load(path)
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise ConfigurationError(f"cannot read profile {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"profile {path} is not valid TOML: {exc}") from None


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "profile"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)
