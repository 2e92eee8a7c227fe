"""The embedded engine: an append-only, hash-chained ledger in one SQLite file.

Every event and every audit record (review decisions, stop switch, audits) is a
ledger row whose hash binds its canonical JSON, its place in its model system's
chain and the previous row's hash, so any edit, deletion, insertion or
reordering is found by ``verify()``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..exceptions import DatabaseOperationError
from ..model._body import as_datetime, complete, json_of
from ..model._canonical import GENESIS, canonical_json, chain_hash
from ._schema import migrate

if TYPE_CHECKING:  # not imported at run time: the writer process does without pydantic
    from ..model import Event, EventDraft


class Row(NamedTuple):
    """One record to append: its id, type and canonical body plus index columns.

    The recorder serialises each event once into a Row; every sink then
    stores, hashes or sends ``body`` as is. A tuple: cheaper to build than a frozen
    dataclass (this runs for every recorded event).
    """

    id: str
    model_system: str
    type: str
    at: str
    body: str
    kind: str | None = None
    source: str | None = None
    trace_id: str | None = None
    verdict: str | None = None
    status: str | None = None

    @classmethod
    def of(cls, item: Row | Event | EventDraft) -> Row:
        """The row for what a monitor recorded: a row as is, an event or a draft serialised."""
        kind = type(item)
        if kind is cls:
            return item  # type: ignore[return-value]
        if getattr(kind, "serialise", None) is not None:  # an EventDraft (not imported here)
            return cls.from_draft(item)  # type: ignore[arg-type]
        return cls.from_event(item)  # type: ignore[arg-type]

    @classmethod
    def from_draft(cls, draft: EventDraft) -> Row:
        out, body = draft.serialise()
        return cls._of_completed(out, body)

    @classmethod
    def from_fields(cls, fields: dict[str, Any]) -> Row:
        """The row for a draft's plain fields (``EventDraft.plain``): the writer process's way,
        without pydantic, which it imports only for a draft that needs it to be written."""
        out = complete(fields)
        body = json_of(out)
        if body is None:
            from ..model._draft import EventDraft

            return cls.from_draft(EventDraft(fields))
        return cls._of_completed(out, body.decode())

    @classmethod
    def _of_completed(cls, out: dict[str, Any], body: str) -> Row:
        kind, source, verdict, status = out["kind"], out["source"], out["verdict"], out["status"]
        return _new_row(cls, (  # all ten fields given: the named tuple's own __new__ is Python code
            out["id"], out["model_system"], "event", _at(body, out["start_time"]), body,
            kind if type(kind) is str else str(kind),
            source if type(source) is str else str(source), out["trace_id"],
            verdict if verdict is None or type(verdict) is str else str(verdict),
            status if type(status) is str else str(status)))

    @classmethod
    def from_event(cls, event: Event) -> Row:
        # str() of a StrEnum member is its value, at half the cost of ``.value``
        verdict = event.verdict
        body = event.to_json()
        return cls(event.id, event.model_system, "event", _at(body, event.start_time), body,
                   str(event.kind), str(event.source), event.trace_id,
                   str(verdict) if verdict is not None else None, str(event.status))


_new_row = tuple.__new__


@dataclass(frozen=True)
class ChainProblem:
    model_system: str
    seq: int | None
    id: str | None
    problem: str


def _at(body: str, start: Any) -> str:
    """The ``at`` column of an event row, read from its body (a third of the cost of formatting
    the datetime again). The key comes before any nested value, and a raw ``"`` cannot occur
    inside a JSON string, so the first match is the field; pydantic writes a UTC time as
    ``...:SSZ`` or ``...:SS.ffffffZ``. Anything else is formatted from ``start``."""
    at = body.find('"start_time":"') + 14
    if at >= 14:
        mark = body[at + 19:at + 20]
        if mark == "." and body[at + 26:at + 27] == "Z":
            return body[at:at + 26] + "+00:00"
        if mark == "Z":
            return body[at:at + 19] + ".000000+00:00"
    return _iso(as_datetime(start))


def _iso(value: dt.datetime) -> str:
    if value.tzinfo is dt.UTC:  # the usual case, at half the cost of isoformat(timespec=...)
        text = value.isoformat()
        return text if value.microsecond else f"{text[:19]}.000000{text[19:]}"
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


#: Page size of a new database file. Ledger rows are JSON bodies of 0.5-4 KB: SQLite's default
#: 4 KB page holds one or two, so most appends split a page. 16 KB pages made files about a third
#: smaller and the writer's CPU time per row about a fifth lower (measured with LangChain events).
PAGE_SIZE = 16384


def connect(path: Path, timeout: float = 10.0) -> sqlite3.Connection:
    """A connection in autocommit mode that waits for locks, on a file in WAL mode.

    WAL is a property of the file: it is switched once. SQLite does not wait for
    locks while switching, so a new file opened by several threads or processes at
    once is retried rather than failing with "database is locked".
    """
    conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
    conn.execute(f"PRAGMA page_size={PAGE_SIZE}")  # takes effect on a new file only
    deadline = time.monotonic() + timeout
    while conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        try:
            conn.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
    return conn


def _db_errors(cls: type) -> type:
    """Public methods raise DatabaseOperationError, a ScaleSafe error, for any storage failure."""
    for name, func in list(vars(cls).items()):
        if callable(func) and not name.startswith("_"):
            setattr(cls, name, _wrap(func))
    return cls


def _wrap(func: Any) -> Any:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (sqlite3.Error, OSError) as exc:
            raise DatabaseOperationError(f"local store: {type(exc).__name__}: {exc}") from exc

    return wrapper


@_db_errors
class LocalStore:
    """Thread- and process-safe access to one database file (one connection per thread).

    Opening is lazy, so an unusable folder surfaces as a counted write failure
    in the recorder rather than an exception when a client is created.
    """

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 10.0) -> None:
        self.path = Path(path)
        self._timeout = timeout
        self._local = threading.local()
        self._migrated = False
        self._migrate_lock = threading.Lock()
        self._heads: dict[str, tuple[int, str]] = {}  # (n, hash) of each chain, as last written
        self._statement_rows = 0

    @property
    def timeout(self) -> float:
        """Seconds each connection waits for another writer's lock."""
        return self._timeout

    # connections -----------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        pid = getattr(self._local, "pid", None)
        if conn is None or pid != os.getpid():
            conn = self._open()
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = connect(self.path, self._timeout)
        conn.execute("PRAGMA synchronous=NORMAL")
        with self._migrate_lock:
            if not self._migrated:
                migrate(conn)
                self._migrated = True
        return conn

    def open(self) -> LocalStore:
        """Create or migrate the database now instead of on first use."""
        self._conn()
        return self

    def _txn(self) -> _Txn:
        return _Txn(self._conn())

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None and getattr(self._local, "pid", None) == os.getpid():
            conn.close()
        self._local = threading.local()

    # appending ---------------------------------------------------------------------
    def append(self, rows: Sequence[Row]) -> int:
        """Append rows; rows whose id exists are skipped. Returns how many were new.

        The usual batch is one INSERT statement, run without a transaction of its own
        (a statement is atomic): chain heads are cached here and kept in the database
        by a trigger, ids are unique by construction, and every statement sent to
        SQLite costs the application's threads a GIL hand-over. A batch that hits a
        stored id (a retry, a replayed spool) or a chain another writer has moved on
        fails as a whole and takes the checked path instead.
        """
        if not rows:
            return 0
        conn = self._conn()
        outer = conn.in_transaction  # the caller's: it may still roll back
        if not outer:
            try:
                return self._append_fast(conn, rows)
            except sqlite3.IntegrityError:
                self._heads.clear()  # nothing was written; re-read the heads
        with self._txn() as conn:
            heads: dict[str, tuple[int, str]] = {}
            values = self._chain(rows, heads, lambda system: self._head(conn, system),
                                 self._existing_ids(conn, [r.id for r in rows]))
            self._insert_values(conn, values)
        if outer:
            self._heads.clear()
        else:
            self._heads.update(heads)  # committed
        return len(values) // _COLUMNS

    def _append_fast(self, conn: sqlite3.Connection, rows: Sequence[Row]) -> int:
        cached, heads = self._heads, {}
        values = self._chain(rows, heads, lambda system: cached.get(system) or self._head(conn, system))
        n = len(rows)
        if n <= self._max_statement_rows(conn):
            conn.execute(_insert_sql(n), values)  # one statement: atomic on its own
        else:
            with self._txn() as conn:
                self._insert_values(conn, values)
        cached.update(heads)
        return n

    @staticmethod
    def _chain(rows: Sequence[Row], heads: dict[str, tuple[int, str]],
               head: Callable[[str], tuple[int, str]], existing: set[str] | None = None) -> list[Any]:
        """Flat INSERT values for ``rows`` chained after ``head(system)``; ``heads`` gets the new heads.

        With ``existing``, rows with those ids (or repeated in the batch) are left out.
        ``chain_hash`` keeps the GIL, which this loop would otherwise have to win back from
        the application for every row of 2 KB or more.
        """
        values: list[Any] = []
        system, n, prev = None, 0, ""
        for row in rows:
            if existing is not None:
                if row.id in existing:
                    continue
                existing.add(row.id)
            if row.model_system != system:
                if system is not None:
                    heads[system] = (n, prev)
                system = row.model_system
                n, prev = heads.get(system) or head(system)
            n += 1
            body = row.body
            digest = chain_hash(prev, n, body)
            values += (system, n, row.id, row.type, row.at, row.kind, row.source,
                       row.trace_id, row.verdict, row.status, body, prev, digest)
            prev = digest
        if system is not None:
            heads[system] = (n, prev)
        return values

    def _insert_values(self, conn: sqlite3.Connection, values: list[Any]) -> None:
        """Insert flat row values with as few statements as SQLite allows (call in a transaction)."""
        width = self._max_statement_rows(conn) * _COLUMNS
        for at in range(0, len(values), width):
            chunk = values[at:at + width]
            conn.execute(_insert_sql(len(chunk) // _COLUMNS), chunk)

    def _max_statement_rows(self, conn: sqlite3.Connection) -> int:
        """The most rows one statement may bind (SQLite caps the number of parameters)."""
        if self._statement_rows == 0:
            limit = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // _COLUMNS
            self._statement_rows = max(1, min(limit, MAX_STATEMENT_ROWS))
        return self._statement_rows

    def append_events(self, events: Sequence[Event]) -> int:
        return self.append([Row.from_event(e) for e in events])

    @staticmethod
    def _existing_ids(conn: sqlite3.Connection, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in conn.execute(f"SELECT id FROM ledger WHERE id IN ({marks})", chunk))
        return found

    @staticmethod
    def _head(conn: sqlite3.Connection, model_system: str) -> tuple[int, str]:
        """The chain's head; a new chain gets its head row now, for the trigger to update."""
        row = conn.execute(
            "SELECT n, hash FROM chain_heads WHERE model_system = ?", (model_system,)
        ).fetchone()
        if row:
            return row[0], row[1]
        conn.execute("INSERT OR IGNORE INTO chain_heads (model_system, n, hash) VALUES (?, 0, ?)",
                     (model_system, GENESIS))
        return 0, GENESIS

    # reading -----------------------------------------------------------------------
    def query(
        self,
        model_system: str,
        *,
        type: str | None = "event",
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        kind: str | None = None,
        source: str | None = None,
        trace_id: str | None = None,
        verdict: str | None = None,
        status: str | None = None,
        limit: int = 100,
        after_seq: int | None = None,
        descending: bool = True,
    ) -> list[tuple[int, str]]:
        """Return ``(seq, body)`` rows matching the filters, newest first by default."""
        where, params = ["model_system = ?"], [model_system]
        for column, value in (
            ("type", type), ("kind", kind), ("source", source), ("trace_id", trace_id),
            ("verdict", verdict), ("status", status),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if since is not None:
            where.append("at >= ?")
            params.append(_iso(since))
        if until is not None:
            where.append("at < ?")
            params.append(_iso(until))
        if after_seq is not None:
            where.append("seq < ?" if descending else "seq > ?")
            params.append(after_seq)  # type: ignore[arg-type]
        order = "DESC" if descending else "ASC"
        sql = f"SELECT seq, body FROM ledger WHERE {' AND '.join(where)} ORDER BY seq {order} LIMIT ?"
        return list(self._conn().execute(sql, [*params, limit]))

    def get(self, record_id: str) -> tuple[str, str, str] | None:
        """``(model_system, type, body)`` of one ledger row, or None."""
        row = self._conn().execute(
            "SELECT model_system, type, body FROM ledger WHERE id = ?", (record_id,)
        ).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def count(self, model_system: str, type: str | None = "event") -> int:
        sql, params = "SELECT COUNT(*) FROM ledger WHERE model_system = ?", [model_system]
        if type is not None:
            sql += " AND type = ?"
            params.append(type)
        return int(self._conn().execute(sql, params).fetchone()[0])

    def bounds(self, model_system: str, type: str = "event") -> tuple[str | None, str | None]:
        row = self._conn().execute(
            "SELECT MIN(at), MAX(at) FROM ledger WHERE model_system = ? AND type = ?",
            (model_system, type),
        ).fetchone()
        return row[0], row[1]

    def model_systems(self) -> list[str]:
        return [r[0] for r in self._conn().execute("SELECT model_system FROM chain_heads ORDER BY 1")]

    def export_jsonl(self, model_system: str, out: Any, type: str | None = "event") -> int:
        """Write rows as JSON Lines to a text stream, oldest first; returns the count."""
        written = 0
        for body in self._iter_bodies(model_system, type):
            out.write(body)
            out.write("\n")
            written += 1
        return written

    def _iter_bodies(self, model_system: str, type: str | None) -> Iterator[str]:
        last = 0
        while True:
            rows = self.query(model_system, type=type, after_seq=last, descending=False, limit=1000)
            if not rows:
                return
            for seq, body in rows:
                yield body
                last = seq

    # verification ------------------------------------------------------------------
    def verify(self, model_system: str | None = None) -> list[ChainProblem]:
        """Walk each chain; returns the first problem of each bad chain (empty when intact)."""
        systems = [model_system] if model_system else self._all_systems()
        problems = []
        for system in systems:
            problem = self._verify_chain(system)
            if problem:
                problems.append(problem)
        return problems

    def _all_systems(self) -> list[str]:
        rows = self._conn().execute(
            "SELECT model_system FROM chain_heads UNION SELECT DISTINCT model_system FROM ledger"
        )
        return sorted(r[0] for r in rows)

    def _verify_chain(self, system: str) -> ChainProblem | None:
        prev, expected_n, last_seq = GENESIS, 0, -1
        cursor = self._conn().execute(
            "SELECT seq, n, id, body, prev_hash, hash FROM ledger WHERE model_system = ? ORDER BY n",
            (system,),
        )
        for seq, n, rid, body, prev_hash, digest in cursor:
            expected_n += 1
            problem = None
            if n != expected_n:
                problem = f"row missing before position {n} (expected {expected_n})"
            elif prev_hash != prev:
                problem = "link to previous row broken (row inserted, deleted or moved)"
            elif chain_hash(prev_hash, n, body) != digest:
                problem = "content does not match its hash (row edited)"
            elif seq <= last_seq:
                problem = "row order changed"
            elif _body_id(body) != rid:
                problem = "row id does not match its content"
            if problem:
                return ChainProblem(system, seq, rid, problem)
            prev, last_seq = digest, seq
        head = self._conn().execute(
            "SELECT n, hash FROM chain_heads WHERE model_system = ?", (system,)
        ).fetchone()
        if head is None and expected_n:
            return ChainProblem(system, None, None, "chain head missing")
        if head is not None and (head[0] != expected_n or head[1] != prev):
            return ChainProblem(system, None, None, f"last {head[0] - expected_n} row(s) deleted")
        return None

    # mutable side tables (reviews, flags) --------------------------------------------
    def put_review(self, review_id: str, model_system: str, state: str, created_at: str, body: str) -> None:
        self._conn().execute(
            "INSERT INTO reviews (id, model_system, state, created_at, body) VALUES (?,?,?,?,?)"
            " ON CONFLICT(id) DO UPDATE SET state=excluded.state, body=excluded.body",
            (review_id, model_system, state, created_at, body),
        )

    def update_review_if(self, review_id: str, expected_state: str, state: str, body: str) -> bool:
        cur = self._conn().execute(
            "UPDATE reviews SET state = ?, body = ? WHERE id = ? AND state = ?",
            (state, body, review_id, expected_state),
        )
        return cur.rowcount == 1

    def get_review(self, review_id: str) -> tuple[str, str] | None:
        row = self._conn().execute(
            "SELECT model_system, body FROM reviews WHERE id = ?", (review_id,)
        ).fetchone()
        return (row[0], row[1]) if row else None

    def list_reviews(self, model_system: str, state: str | None, limit: int) -> list[str]:
        sql, params = "SELECT body FROM reviews WHERE model_system = ?", [model_system]
        if state is not None:
            sql += " AND state = ?"
            params.append(state)
        sql += " ORDER BY created_at DESC LIMIT ?"
        return [r[0] for r in self._conn().execute(sql, [*params, limit])]

    def get_flag(self, model_system: str, name: str) -> str | None:
        row = self._conn().execute(
            "SELECT value FROM flags WHERE model_system = ? AND name = ?", (model_system, name)
        ).fetchone()
        return row[0] if row else None

    def set_flag(self, model_system: str, name: str, value: str) -> None:
        self._conn().execute(
            "INSERT INTO flags (model_system, name, value) VALUES (?,?,?)"
            " ON CONFLICT(model_system, name) DO UPDATE SET value=excluded.value",
            (model_system, name, value),
        )

    def transaction(self) -> _Txn:
        """A write transaction for callers that must change a side table and the ledger together."""
        return self._txn()


_COLUMNS = 13
#: Rows per INSERT statement at most (a recorder batch is at most 500 rows).
MAX_STATEMENT_ROWS = 512
_INSERT = ("INSERT INTO ledger (model_system, n, id, type, at, kind, source, trace_id, verdict,"
           " status, body, prev_hash, hash) VALUES ")


@functools.lru_cache(maxsize=64)
def _insert_sql(n_rows: int) -> str:
    return _INSERT + ",".join(["(" + ",".join("?" * _COLUMNS) + ")"] * n_rows)


def _body_id(body: str) -> str | None:
    try:
        value = json.loads(body).get("id")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


class _Txn:
    """BEGIN IMMEDIATE ... COMMIT/ROLLBACK; re-entrant within one thread."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._outer = False

    def __enter__(self) -> sqlite3.Connection:
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN IMMEDIATE")
            self._outer = True
        return self.conn

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        if not self._outer:
            return
        try:
            self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
        except sqlite3.Error as exc:
            if exc_type is None:
                raise DatabaseOperationError(f"local store: commit failed: {exc}") from exc


def canonical_record(record_id: str, model_system: str, type: str, at: str, body: dict[str, Any]) -> str:
    return canonical_json(
        {"id": record_id, "model_system": model_system, "type": type, "at": at, "body": body}
    )
