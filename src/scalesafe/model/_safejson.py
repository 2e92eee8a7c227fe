"""Turn anything a user hands us into capped, JSON-safe data without ever raising.

Monitors call this on user objects in the caller's thread; it must cope with
cycles, bytes, objects whose ``__repr__`` raises and multi-megabyte strings, and
it records what it cut so the audit trail says the record is partial.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import enum
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

MAX_STRING = 256 * 1024
MAX_ITEMS = 1_000
MAX_DEPTH = 24


@dataclass
class Limits:
    max_string: int = MAX_STRING
    max_items: int = MAX_ITEMS
    max_depth: int = MAX_DEPTH


@dataclass
class _Walk:
    limits: Limits
    truncated: list[str] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)

    def note(self, path: str, why: str) -> None:
        if len(self.truncated) < 100:
            self.truncated.append(f"{path or '$'}: {why}")


def to_jsonable(
    value: Any, *, limits: Limits | None = None, path: str = "$"
) -> tuple[Any, list[str]]:
    """Return ``(json_safe_value, truncation_notes)``. Never raises."""
    walk = _Walk(limits or Limits())
    try:
        return _convert(value, walk, path, 0), walk.truncated
    except Exception as exc:  # last resort: a record must still be written
        walk.note(path, f"unconvertible ({type(exc).__name__})")
        return f"<unconvertible {_type_name(value)}>", walk.truncated


def cap_text(text: str, limit: int = MAX_STRING) -> tuple[str, bool]:
    if len(text) <= limit:
        return text, False
    return text[:limit], True


def _type_name(value: Any) -> str:
    try:
        return type(value).__qualname__
    except Exception:
        return "object"


def _convert(value: Any, walk: _Walk, path: str, depth: int) -> Any:
    if value is None or isinstance(value, bool | int):
        return value if not isinstance(value, int) or abs(value) < 2**63 else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return _string(value, walk, path)
    if isinstance(value, bytes | bytearray | memoryview):
        return _bytes(bytes(value), walk, path)
    if isinstance(value, enum.Enum):
        return _convert(value.value, walk, path, depth)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | PurePath):
        return str(value)
    if depth >= walk.limits.max_depth:
        walk.note(path, "max depth")
        return f"<{_type_name(value)}: too deep>"
    key = id(value)
    if key in walk.seen:
        walk.note(path, "cycle")
        return f"<cycle {_type_name(value)}>"
    walk.seen.add(key)
    try:
        return _container(value, walk, path, depth)
    finally:
        walk.seen.discard(key)


def _container(value: Any, walk: _Walk, path: str, depth: int) -> Any:
    if isinstance(value, Mapping):
        return _mapping(value, walk, path, depth)
    if isinstance(value, list | tuple | set | frozenset):
        return _sequence(value, walk, path, depth)
    dumped = _structured(value)
    if dumped is not None:
        return _convert(dumped, walk, path, depth + 1)
    return _string(_safe_repr(value), walk, path)


def _mapping(value: Mapping[Any, Any], walk: _Walk, path: str, depth: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i, (k, v) in enumerate(value.items()):
        if i >= walk.limits.max_items:
            walk.note(path, f"{len(value) - i} more keys")
            break
        name = k if isinstance(k, str) else _string(_safe_repr(k), walk, path)
        out[name] = _convert(v, walk, f"{path}.{name}", depth + 1)
    return out


def _sequence(value: Any, walk: _Walk, path: str, depth: int) -> list[Any]:
    out = []
    for i, item in enumerate(value):
        if i >= walk.limits.max_items:
            walk.note(path, f"{len(value) - i} more items")
            break
        out.append(_convert(item, walk, f"{path}[{i}]", depth + 1))
    return out


def _structured(value: Any) -> Any:
    """Best structured view of an object: pydantic, dataclass, to_dict, or attributes."""
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        try:
            return dump(mode="json")
        except Exception:
            try:
                return dump()
            except Exception:
                return None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        try:
            return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        except Exception:
            return None
    for name in ("to_dict", "dict"):
        method = getattr(value, name, None)
        if callable(method) and not isinstance(value, type):
            try:
                result = method()
                if isinstance(result, Mapping):
                    return result
            except Exception:
                return None
    return None


def _safe_repr(value: Any) -> str:
    try:
        text = repr(value)
        return text if isinstance(text, str) else f"<{_type_name(value)}>"
    except Exception:
        return f"<unrepresentable {_type_name(value)}>"


def _string(value: str, walk: _Walk, path: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates cannot be stored as UTF-8
        value = value.encode("utf-8", "replace").decode("utf-8")
    if len(value) > walk.limits.max_string:
        walk.note(path, f"string cut from {len(value)} to {walk.limits.max_string} chars")
        return value[: walk.limits.max_string]
    return value


def _bytes(value: bytes, walk: _Walk, path: str) -> str:
    try:
        return _string(value.decode("utf-8"), walk, path)
    except UnicodeDecodeError:
        cap = walk.limits.max_string * 3 // 4
        if len(value) > cap:
            walk.note(path, f"bytes cut from {len(value)} to {cap}")
            value = value[:cap]
        return "base64:" + base64.b64encode(value).decode("ascii")
