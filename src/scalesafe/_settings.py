"""Settings: arguments win over environment variables, which win over defaults.

The API key is validated for shape locally (so a typo fails fast) and is never
shown: not in reprs, logs, events or error messages.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .exceptions import ConfigurationError, ScaleSafeTokenError

KEY_PATTERN = re.compile(r"sk-[0-9a-f]{30}-[A-Za-z0-9]{28}")
_MODEL_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


@dataclass(frozen=True)
class Settings:
    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None
    home: Path = field(default_factory=lambda: default_home())
    model: str = "default"

    @property
    def remote(self) -> bool:
        return self.base_url is not None

    def __repr__(self) -> str:
        key = "<set>" if self.api_key else None
        return (
            f"Settings(api_key={key!r}, base_url={self.base_url!r}, home={str(self.home)!r},"
            f" model={self.model!r})"
        )


def default_home() -> Path:
    """A per-user data folder, following each platform's convention."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "scalesafe"


def check_key(key: str) -> str:
    """Raise ScaleSafeTokenError for a malformed key, saying what is wrong but not the key."""
    key = key.strip()
    if KEY_PATTERN.fullmatch(key):
        return key
    if not key.startswith("sk-"):
        why = "it should start with 'sk-'"
    else:
        why = "expected 'sk-', 30 hex digits, '-', then 28 letters or digits"
    raise ScaleSafeTokenError(f"malformed ScaleSafe API key ({len(key)} characters): {why}")


def resolve(
    api_key: str | None = None,
    base_url: str | None = None,
    home: str | os.PathLike[str] | None = None,
    model: str | None = None,
) -> Settings:
    key = api_key if api_key is not None else os.environ.get("SCALESAFE_API_KEY") or None
    url = base_url if base_url is not None else os.environ.get("SCALESAFE_BASE_URL") or None
    home_value = home if home is not None else os.environ.get("SCALESAFE_HOME") or None
    model_value = model if model is not None else os.environ.get("SCALESAFE_MODEL") or "default"
    if key is not None:
        key = check_key(key)
    if url is not None:
        url = url.rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise ConfigurationError("SCALESAFE_BASE_URL must start with http:// or https://")
        if key is None:
            raise ScaleSafeTokenError("a ScaleSafe server URL is set but no API key (SCALESAFE_API_KEY)")
    if not _MODEL_PATTERN.fullmatch(model_value):
        raise ConfigurationError("model system names use letters, digits and . _ : - (max 128)")
    return Settings(
        api_key=key,
        base_url=url,
        home=Path(home_value).expanduser() if home_value else default_home(),
        model=model_value,
    )
