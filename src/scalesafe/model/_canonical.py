"""The one canonical JSON form: used for hashing, storage and the wire."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def chain_hash(prev_hash: str, seq: int, body: str) -> str:
    """Hash of one ledger row: binds its body, its place and its predecessor."""
    h = hashlib.sha256()
    h.update(prev_hash.encode("ascii"))
    h.update(b"\x1f")
    h.update(str(seq).encode("ascii"))
    h.update(b"\x1f")
    h.update(body.encode("utf-8"))
    return h.hexdigest()


GENESIS = "0" * 64
