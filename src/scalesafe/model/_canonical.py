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
    return sha256_hex(f"{prev_hash}\x1f{seq}\x1f{body}".encode())


_sha256 = hashlib.sha256
#: hashlib lets go of the GIL while it hashes this many bytes or more (CPython's
#: HASHLIB_GIL_MINSIZE). A thread that lets go waits for it again behind the busy threads,
#: up to the switch interval (5 ms), to finish a hash that took a microsecond or two.
_GIL_FREE_SIZE = 2048
#: Past this size hashing takes long enough (tens of µs) to be worth doing without the GIL.
_SHARE_GIL_FROM = 64 * 1024


def sha256_hex(data: bytes) -> str:
    """SHA-256 of ``data`` as hex, fed to hashlib in pieces that keep the GIL.

    Measured on a LangChain chain logging to the store with a 4 KB prompt: the writer's
    one-shot hashes cost each invoke ~120 µs (276 -> 158 µs of overhead), because every
    row's hash had to win the GIL back from the application's thread.
    """
    size = len(data)
    if size < _GIL_FREE_SIZE or size >= _SHARE_GIL_FROM:
        return _sha256(data).hexdigest()
    digest = _sha256()
    view = memoryview(data)
    step = _GIL_FREE_SIZE - 1
    for at in range(0, size, step):
        digest.update(view[at:at + step])
    return digest.hexdigest()


GENESIS = "0" * 64
