"""The embedded store: SQLite, WAL, append-only and hash-chained."""

from ._schema import SCHEMA_VERSION
from ._store import ChainProblem, LocalStore, Row, canonical_record, connect

__all__ = ["SCHEMA_VERSION", "ChainProblem", "LocalStore", "Row", "canonical_record", "connect"]
