"""SQLite schema and forward-only migrations for the embedded store."""

from __future__ import annotations

import sqlite3

from ..exceptions import DatabaseOperationError

# Each entry migrates from version i to i+1: a script of ';'-separated statements, or a
# tuple of statements (for those with ';' inside). Append only; never edit a shipped step.
MIGRATIONS: tuple[str | tuple[str, ...], ...] = (
    """
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS ledger (
        seq INTEGER PRIMARY KEY,
        model_system TEXT NOT NULL,
        n INTEGER NOT NULL,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        at TEXT NOT NULL,
        kind TEXT, source TEXT, trace_id TEXT, verdict TEXT, status TEXT,
        body TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        UNIQUE (model_system, n)
    );
    CREATE INDEX IF NOT EXISTS ledger_type_at ON ledger (model_system, type, at);
    CREATE INDEX IF NOT EXISTS ledger_trace ON ledger (trace_id);
    CREATE TABLE IF NOT EXISTS chain_heads (
        model_system TEXT PRIMARY KEY, n INTEGER NOT NULL, hash TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS reviews (
        id TEXT PRIMARY KEY,
        model_system TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at TEXT NOT NULL,
        body TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS reviews_state ON reviews (model_system, state, created_at);
    CREATE TABLE IF NOT EXISTS flags (
        model_system TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
        PRIMARY KEY (model_system, name)
    );
    """,
    # v2: the chain head follows every appended row inside SQLite, so an append is a
    # single INSERT statement (each statement is a round trip that retakes the GIL).
    # The head row is created before a chain's first row (see LocalStore._head).
    (
        "CREATE TRIGGER IF NOT EXISTS ledger_chain_head AFTER INSERT ON ledger BEGIN"
        " UPDATE chain_heads SET n = NEW.n, hash = NEW.hash"
        " WHERE model_system = NEW.model_system; END",
    ),
)

SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database to SCHEMA_VERSION; refuses a database from a newer release."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise DatabaseOperationError(
            f"store schema v{version} is newer than this ScaleSafe (v{SCHEMA_VERSION}); upgrade"
        )
    for step in range(version, SCHEMA_VERSION):
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = conn.execute("PRAGMA user_version").fetchone()[0]
            if current == step:  # another process may have migrated meanwhile
                migration = MIGRATIONS[step]
                for statement in _split(migration) if isinstance(migration, str) else migration:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {step + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return SCHEMA_VERSION


def _split(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
