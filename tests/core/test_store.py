import io
import json
import sqlite3

import pytest

from scalesafe.exceptions import DatabaseOperationError
from scalesafe.model import Event, Message
from scalesafe.store import SCHEMA_VERSION, LocalStore


def _events(n, system="default"):
    return [Event(model_system=system, messages=[Message(role="user", content=f"q{i}")],
                  output_text=f"a{i}") for i in range(n)]


@pytest.fixture
def store(tmp_path):
    s = LocalStore(tmp_path / "s.db")
    s.append_events(_events(5))
    yield s
    s.close()


def _raw(store):
    return sqlite3.connect(store.path, isolation_level=None)


def test_intact_chain_verifies(store):
    assert store.verify() == []
    assert store.count("default") == 5


def test_schema_version_recorded(store):
    assert _raw(store).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_new_file_gets_large_pages_and_an_existing_file_keeps_its_own(tmp_path):
    from scalesafe.store._store import PAGE_SIZE

    new = LocalStore(tmp_path / "new.db").open()
    assert _raw(new).execute("PRAGMA page_size").fetchone()[0] == PAGE_SIZE == 16384
    new.close()
    old_path = tmp_path / "old.db"
    conn = sqlite3.connect(old_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")  # an existing file with SQLite's default pages
    conn.execute("CREATE TABLE t (a)")
    conn.close()
    old = LocalStore(old_path)
    old.append_events(_events(3))
    assert _raw(old).execute("PRAGMA page_size").fetchone()[0] == 4096
    assert old.verify() == [] and old.count("default") == 3
    old.close()


def test_append_is_idempotent_by_id(store):
    events = _events(2)
    assert store.append_events(events) == 2
    assert store.append_events(events) == 0
    assert store.count("default") == 7
    assert store.verify() == []


def test_batch_mixing_stored_and_new_ids_keeps_only_the_new(store):
    """A retried batch that partly landed: the optimistic insert fails, the checked one skips."""
    old, new = _events(3), _events(4)
    assert store.append_events(old) == 3
    batch = [new[0], old[0], new[1], new[1], old[2], new[2], new[3]]
    assert store.append_events(batch) == 4
    assert store.count("default") == 5 + 3 + 4
    assert store.verify() == []


@pytest.mark.parametrize("n", [1, 63, 64, 200, 500, 512, 513, 1100])
def test_batches_of_any_size_are_chained_in_order(tmp_path, n):
    """A batch is one INSERT statement, or several above 512 rows; order and links must hold."""
    s = LocalStore(tmp_path / "n.db")
    events = _events(n)
    assert s.append_events(events) == n
    assert s.verify() == []
    stored = [json.loads(body)["id"] for _, body in s.query("default", limit=n + 1, descending=False)]
    assert stored == [e.id for e in events]
    s.close()


def test_append_inside_an_open_transaction_rolls_back_with_it(store):
    with pytest.raises(RuntimeError), store.transaction():
        store.append_events(_events(2))
        raise RuntimeError("caller fails after appending")
    assert store.count("default") == 5
    assert store.append_events(_events(3)) == 3  # the rolled-back rows left no trace in the chain
    assert store.count("default") == 8
    assert store.verify() == []


def test_two_writers_on_one_file_keep_one_chain(tmp_path):
    """Each store caches its chain heads; a writer that fell behind collides and catches up."""
    a, b = LocalStore(tmp_path / "two.db"), LocalStore(tmp_path / "two.db")
    for i in range(6):
        writer = (a, b)[i % 2]
        assert writer.append_events(_events(1 + i % 3, system="shared")) == 1 + i % 3
    assert a.count("shared") == sum(1 + i % 3 for i in range(6))
    assert a.verify() == [] and b.verify() == []
    a.close()
    b.close()


def test_a_version_1_database_is_migrated_and_keeps_its_chain(tmp_path):
    from scalesafe.store._schema import MIGRATIONS

    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in MIGRATIONS[0].split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    store = LocalStore(path)
    store.append_events(_events(3))
    assert _raw(store).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    store.append_events(_events(4))
    assert store.count("default") == 7
    assert store.verify() == []
    store.close()


def test_edited_row_is_found(store):
    _raw(store).execute("UPDATE ledger SET body = replace(body, 'a2', 'EDITED') WHERE n = 3")
    [problem] = store.verify()
    assert problem.seq == 3 and "edited" in problem.problem


def test_deleted_middle_row_is_found(store):
    _raw(store).execute("DELETE FROM ledger WHERE n = 2")
    [problem] = store.verify()
    assert problem.seq == 3 and "missing" in problem.problem


def test_deleted_last_row_is_found(store):
    _raw(store).execute("DELETE FROM ledger WHERE n = 5")
    [problem] = store.verify()
    assert "deleted" in problem.problem


def test_inserted_row_is_found(store):
    conn = _raw(store)
    row = conn.execute("SELECT body, prev_hash, hash FROM ledger WHERE n = 2").fetchone()
    conn.execute("UPDATE ledger SET n = -(n + 1) WHERE n >= 3")  # make room, as a forger would
    conn.execute("UPDATE ledger SET n = -n WHERE n < 0")
    forged = row[0].replace("q1", "forged").replace(json.loads(row[0])["id"], "forged-id")
    conn.execute("INSERT INTO ledger (model_system, n, id, type, at, body, prev_hash, hash)"
                 " VALUES ('default', 3, 'forged-id', 'event', '2020', ?, ?, ?)", (forged, row[2], row[2]))
    [problem] = store.verify()
    assert problem.id == "forged-id"


def test_reordered_rows_are_found(store):
    conn = _raw(store)
    a = conn.execute("SELECT id, body, prev_hash, hash FROM ledger WHERE n = 2").fetchone()
    b = conn.execute("SELECT id, body, prev_hash, hash FROM ledger WHERE n = 3").fetchone()
    conn.execute("UPDATE ledger SET id = 'tmp' WHERE n = 2")
    conn.execute("UPDATE ledger SET id=?, body=?, prev_hash=?, hash=? WHERE n = 3", a)
    conn.execute("UPDATE ledger SET id=?, body=?, prev_hash=?, hash=? WHERE n = 2", b)
    [problem] = store.verify()
    assert problem.seq == 2


def test_chains_are_per_model_system(store):
    store.append_events(_events(3, "other"))
    _raw(store).execute(
        "UPDATE ledger SET body = replace(body, 'a1', 'x') WHERE model_system='other' AND n=2"
    )
    problems = store.verify()
    assert [p.model_system for p in problems] == ["other"]
    assert store.verify("default") == []


def test_query_filters_and_export(store):
    store.append_events([Event(kind="tool", name="search", trace_id="t1")])
    assert len(store.query("default", kind="tool")) == 1
    assert len(store.query("default", trace_id="t1")) == 1
    assert len(store.query("default", limit=2)) == 2
    out = io.StringIO()
    assert store.export_jsonl("default", out) == 6
    lines = out.getvalue().splitlines()
    assert json.loads(lines[0])["output_text"] == "a0"


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "new.db"
    sqlite3.connect(path).execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(DatabaseOperationError, match="newer"):
        LocalStore(path).open()


def test_new_connections_open_while_another_thread_writes(tmp_path):
    import threading

    store = LocalStore(tmp_path / "busy.db").open()
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer():
        while not stop.is_set():
            store.append_events(_events(50))

    def reader():
        try:
            for _ in range(20):
                fresh = LocalStore(store.path)  # a new connection in a new thread, every time
                fresh.count("default")
                fresh.close()
        except BaseException as exc:
            errors.append(exc)

    w = threading.Thread(target=writer)
    w.start()
    readers = [threading.Thread(target=reader) for _ in range(4)]
    for r in readers:
        r.start()
    for r in readers:
        r.join()
    stop.set()
    w.join()
    assert errors == []
    assert store.verify() == []


def test_many_threads_open_a_brand_new_database_at_once(tmp_path):
    """The first connections race to switch the new file to WAL; none may fail."""
    import threading

    for attempt in range(20):
        path = tmp_path / f"fresh{attempt}.db"
        errors: list[BaseException] = []
        start = threading.Barrier(8)

        def opener(path=path, errors=errors, start=start):
            try:
                start.wait()
                store = LocalStore(path)
                store.append_events(_events(2))
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=opener) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert LocalStore(path).count("default") == 16


def test_time_column_is_fixed_width_so_time_ranges_compare_as_text(store):
    """``at`` is compared as text by time-range queries: every value has microseconds and
    a UTC offset, whole seconds and other time zones included."""
    import datetime as dt

    starts = [dt.datetime(2026, 1, 2, 3, 4, 5, 0, tzinfo=dt.UTC),
              dt.datetime(2026, 1, 2, 3, 4, 5, 7, tzinfo=dt.UTC),
              dt.datetime(2026, 1, 2, 5, 4, 6, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))]
    store.append_events([Event(model_system="t", start_time=s) for s in starts])
    at = [r[0] for r in _raw(store).execute("SELECT at FROM ledger WHERE model_system = 't' ORDER BY seq")]
    assert at == ["2026-01-02T03:04:05.000000+00:00", "2026-01-02T03:04:05.000007+00:00",
                  "2026-01-02T03:04:06.000000+00:00"]
    since = dt.datetime(2026, 1, 2, 3, 4, 5, 1, tzinfo=dt.UTC)
    assert len(store.query("t", since=since)) == 2


def test_time_column_of_drafts_matches_their_start_time():
    """Rows of drafts read ``at`` from the serialised body: same text as formatting the time."""
    import datetime as dt

    from scalesafe.model import EventDraft
    from scalesafe.store import Row
    from scalesafe.store._store import _iso

    for micro in (0, 7, 500000, 999999):
        start = dt.datetime(2026, 1, 2, 3, 4, 5, micro, tzinfo=dt.UTC)
        draft = EventDraft({"model_system": "m", "kind": "chat", "source": "langchain",
                            "name": '"start_time":"1999-01-01T00:00:00Z"', "start_time": start})
        assert Row.of(draft).at == _iso(start)
    elsewhere = dt.datetime(2026, 1, 2, 5, 4, 5, 7, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    draft = EventDraft({"model_system": "m", "kind": "chat", "source": "langchain", "start_time": elsewhere})
    assert Row.of(draft).at == "2026-01-02T03:04:05.000007+00:00"


def test_rows_of_events_read_time_and_enum_columns_as_plain_text():
    import datetime as dt

    from scalesafe.model import Action, EventKind, Source, Status
    from scalesafe.store import Row
    from scalesafe.store._store import _iso

    starts = [dt.datetime(2026, 1, 2, 3, 4, 5, micro, tzinfo=dt.UTC) for micro in (0, 7, 999999)]
    starts += [dt.datetime(2026, 1, 2, 5, 4, 5, 7, tzinfo=dt.timezone(dt.timedelta(hours=2))),
               dt.datetime(2026, 1, 2, 3, 4, 5, 7)]  # naive: taken as UTC
    for start in starts:
        event = Event(start_time=start, kind=EventKind.TOOL, source=Source.OPENAI, status=Status.BLOCKED,
                      verdict=Action.BLOCK, name='"start_time":"1999-01-01T00:00:00Z"')
        row = Row.of(event)
        assert row.at == _iso(start) and len(row.at) == 32
        assert (row.kind, row.source, row.status, row.verdict) == ("tool", "openai", "blocked", "block")
        assert {type(v) for v in (row.kind, row.source, row.status, row.verdict)} == {str}
        assert row.body == event.to_json()
    assert Row.of(Event()).verdict is None
