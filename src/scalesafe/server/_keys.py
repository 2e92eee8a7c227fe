"""API keys: minted from a CSPRNG, stored only as a hash, one model system each.

The key table lives in the deployment's database file next to the ledger, so a
deployment stays one file. Keys are high-entropy, so a plain SHA-256 is enough;
lookups go by a short public prefix and compare hashes in constant time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import secrets
import sqlite3
import string
import threading
from dataclasses import dataclass
from pathlib import Path

from .._settings import _MODEL_PATTERN
from ..exceptions import ConfigurationError, DataValidationError, ResourceNotFoundError
from ..model import new_id, utcnow
from ..store import connect

DB_FILE = "scalesafe.db"
PREFIX_LEN = 11  # "sk-" and 8 hex digits: enough to tell keys apart, useless to an attacker
_ALNUM = string.ascii_letters + string.digits

_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    prefix TEXT NOT NULL,
    hash TEXT NOT NULL,
    model_system TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX IF NOT EXISTS api_keys_prefix ON api_keys (prefix);
"""


@dataclass(frozen=True)
class KeyInfo:
    """What may be shown about a key: never the key itself."""

    id: str
    prefix: str
    model_system: str
    created_at: str
    revoked_at: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def mint_key() -> str:
    """A new key of the documented shape: ``sk-`` 30 hex ``-`` 28 letters/digits."""
    tail = "".join(secrets.choice(_ALNUM) for _ in range(28))
    return f"sk-{secrets.token_hex(15)}-{tail}"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class KeyStore:
    """The ``api_keys`` table of one deployment (thread-safe: a connection per thread)."""

    def __init__(self, home: str | os.PathLike[str]) -> None:
        self.path = Path(home) / DB_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._conn().executescript(_SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            conn = connect(self.path)
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def create(self, model_system: str) -> tuple[str, KeyInfo]:
        """Mint a key for ``model_system``; the plain key is returned once and never stored."""
        if not _MODEL_PATTERN.fullmatch(model_system):
            raise ConfigurationError("model system names use letters, digits and . _ : - (max 128)")
        key = mint_key()
        info = KeyInfo(id=new_id(), prefix=key[:PREFIX_LEN], model_system=model_system,
                       created_at=utcnow().isoformat(timespec="seconds"))
        self._conn().execute(
            "INSERT INTO api_keys (id, prefix, hash, model_system, created_at) VALUES (?,?,?,?,?)",
            (info.id, info.prefix, _digest(key), info.model_system, info.created_at),
        )
        return key, info

    def authenticate(self, key: str) -> KeyInfo | None:
        """The active key matching ``key``, or None (unknown, malformed or revoked)."""
        if len(key) > 128:
            return None
        wanted = _digest(key)
        rows = self._conn().execute(
            "SELECT id, prefix, hash, model_system, created_at, revoked_at FROM api_keys"
            " WHERE prefix = ?", (key[:PREFIX_LEN],),
        ).fetchall()
        found = None
        for row in rows:
            if hmac.compare_digest(row[2], wanted):
                found = KeyInfo(row[0], row[1], row[3], row[4], row[5])
        return found if found is not None and found.active else None

    def is_active(self, key_id: str) -> bool:
        row = self._conn().execute(
            "SELECT revoked_at FROM api_keys WHERE id = ?", (key_id,)
        ).fetchone()
        return row is not None and row[0] is None

    def list(self, model_system: str | None = None) -> list[KeyInfo]:
        sql = "SELECT id, prefix, model_system, created_at, revoked_at FROM api_keys"
        params: tuple[str, ...] = ()
        if model_system is not None:
            sql, params = sql + " WHERE model_system = ?", (model_system,)
        return [KeyInfo(*row) for row in self._conn().execute(sql + " ORDER BY created_at, id", params)]

    def model_systems(self) -> list[str]:
        rows = self._conn().execute("SELECT DISTINCT model_system FROM api_keys ORDER BY 1")
        return [r[0] for r in rows]

    def revoke(self, prefix_or_id: str) -> KeyInfo:
        """Revoke one key by id or prefix; an ambiguous prefix is refused."""
        value = prefix_or_id.strip()
        if len(value) < 6:
            raise DataValidationError("give a key id or at least 6 characters of its prefix")
        matches = [k for k in self.list() if _refers_to(k, value)]
        if not matches:
            raise ResourceNotFoundError("no such key")
        if len(matches) > 1:
            raise DataValidationError(f"{len(matches)} keys match; give the key id")
        info = matches[0]
        if info.revoked_at is None:
            at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            self._conn().execute("UPDATE api_keys SET revoked_at = ? WHERE id = ?", (at, info.id))
            info = KeyInfo(info.id, info.prefix, info.model_system, info.created_at, at)
        return info

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None and getattr(self._local, "pid", None) == os.getpid():
            conn.close()
        self._local = threading.local()


def _refers_to(info: KeyInfo, value: str) -> bool:
    """True when ``value`` is the key's id, a prefix of its prefix, or starts with its prefix."""
    if value == info.id:
        return True
    if not value.startswith("sk-"):
        return False
    return info.prefix.startswith(value) or value.startswith(info.prefix)
