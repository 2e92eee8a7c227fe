"""What one running server holds: the store, the keys, the limits, the UI sessions."""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..backends import LocalBackend
from ..exceptions import DataValidationError
from ..store import LocalStore
from ._keys import DB_FILE, KeyStore
from ._limits import Limits, RateLimiter
from ._sessions import SessionStore

POLICY_FLAG = "policy"
PROFILES_DIR = "profiles"


@dataclass
class ServerState:
    home: Path
    admin_token: str | None
    limits: Limits
    store: LocalStore = field(init=False)
    keys: KeyStore = field(init=False)
    limiter: RateLimiter = field(init=False)
    sessions: SessionStore = field(init=False)

    def __post_init__(self) -> None:
        self.home = Path(self.home)
        self.store = LocalStore(self.home / DB_FILE)
        self.keys = KeyStore(self.home)
        self.limiter = RateLimiter(self.limits.rate, self.limits.burst)
        self.sessions = SessionStore()

    def is_admin_token(self, token: str) -> bool:
        if not self.admin_token:
            return False
        return hmac.compare_digest(token.encode(), self.admin_token.encode())

    def backend(self, model_system: str) -> LocalBackend:
        """A backend bound to one model system: cheap, made per request."""
        return LocalBackend(self.store, model_system, profile=self.profile_path(model_system))

    def profile_path(self, model_system: str) -> Path | None:
        """``<home>/profiles/<model system>.toml`` when present (the compliance profile)."""
        path = self.home / PROFILES_DIR / f"{model_system}.toml"
        return path if path.is_file() else None

    def model_systems(self) -> list[str]:
        return sorted(set(self.store.model_systems()) | set(self.keys.model_systems()))

    # policy served to clients ------------------------------------------------------------
    def get_policy(self, model_system: str) -> dict[str, Any] | None:
        raw = self.store.get_flag(model_system, POLICY_FLAG)
        value = json.loads(raw) if raw else None
        return value if isinstance(value, dict) and value else None

    def set_policy(self, model_system: str, policy: dict[str, Any] | None, by: str) -> None:
        if policy:
            _check_policy(policy)
        backend = self.backend(model_system)
        with self.store.transaction():
            self.store.set_flag(model_system, POLICY_FLAG, json.dumps(policy or {}))
            backend.record_audit("policy.changed", {"by": by, "policy": policy or None})

    def close(self) -> None:
        self.store.close()
        self.keys.close()


def _check_policy(policy: dict[str, Any]) -> None:
    """Validate with the screening engine when it is installed; it raises ConfigurationError."""
    try:
        from ..screening import Policy
    except ImportError:
        return
    try:
        Policy.from_dict(policy)
    except DataValidationError:
        raise
    except Exception as exc:
        raise DataValidationError(f"invalid policy: {exc}") from None
