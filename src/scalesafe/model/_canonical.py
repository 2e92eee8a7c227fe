"""The one canonical JSON form: used for hashing, storage and the wire."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def chain_hash(prev_hash: str, seq: int, body: str) -> str:
    """Hash of one ledger row: binds its body, its place and its predecessor.

    The input is ``prev_hash``, ``seq`` and ``body`` joined by 0x1F, as UTF-8.
    """
    return _sha256(f"{prev_hash}\x1f{seq}\x1f{body}".encode()).hexdigest()


_sha256 = hashlib.sha256


GENESIS = "0" * 64
