"""One behaviour suite for infrar.database, run on every provider's real backend."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from infrar import database
from infrar.database import Row
from infrar.errors import AlreadyExists, InvalidArgument, NotFound


def _accounts(db: str) -> None:
    database.execute(db, "CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT NOT NULL, balance INTEGER)")


def test_execute_then_query(db: str) -> None:
    _accounts(db)
    assert database.execute(db, "INSERT INTO accounts (id, owner, balance) VALUES (?, ?, ?)", [1, "ana", 10]) == 1
    rows = database.query(db, "SELECT owner, balance, id FROM accounts WHERE id = ?", [1])
    assert len(rows) == 1
    row = rows[0]
    assert row["owner"] == "ana" and row[0] == "ana" and row[1] == 10
    assert list(dict(row)) == ["owner", "balance", "id"]
    assert dict(row) == {"owner": "ana", "balance": 10, "id": 1}


def test_rows_affected_and_execute_many(db: str) -> None:
    _accounts(db)
    added = database.execute_many(db, "INSERT INTO accounts (id, owner, balance) VALUES (?, ?, ?)",
                                  [(i, f"o{i}", i) for i in range(50)])
    assert added == 50
    assert database.execute(db, "UPDATE accounts SET balance = balance + 1 WHERE id < ?", [10]) == 10
    assert database.execute(db, "DELETE FROM accounts WHERE id = ?", [999]) == 0
    # Not an INSERT: one statement per sequence, each counted (psqlODBC's executemany says -1).
    assert database.execute_many(db, "UPDATE accounts SET balance = ? WHERE id >= ?", [(0, 40), (1, 45), (2, 99)]) == 15
    assert database.execute_many(db, "INSERT INTO accounts (id, owner) VALUES (?, ?) ON CONFLICT (id) DO NOTHING",
                                 [(1, "dup"), (100, "new")]) == 1


def test_iter_query_yields_every_row_in_order(db: str) -> None:
    _accounts(db)
    database.execute_many(db, "INSERT INTO accounts (id, owner) VALUES (?, ?)", [(i, "x") for i in range(2500)])
    ids = [row["id"] for row in database.iter_query(db, "SELECT id FROM accounts ORDER BY id")]
    assert ids == list(range(2500))


def test_types_round_trip(db: str) -> None:
    database.execute(db, "CREATE TABLE t (b BOOLEAN, i INTEGER, f DOUBLE PRECISION, d NUMERIC(12, 2), "
                         "s TEXT, y BYTEA, n INTEGER, day DATE, at TIMESTAMP WITH TIME ZONE)")
    at = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone(timedelta(hours=2)))
    values = [True, 42, 1.5, Decimal("100.25"), "héllo", b"\x00\xff", None, date(2024, 2, 29), at]
    database.execute(db, "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", values)
    row = database.query(db, "SELECT * FROM t")[0]
    got = list(row.values())
    assert got == values
    assert [type(v) for v in got] == [bool, int, float, Decimal, str, bytes, type(None), date, datetime]
    assert row["at"].tzinfo is not None and row["at"].utcoffset() == timedelta(0)
    assert database.query(db, "SELECT b FROM t WHERE b = ?", [False]) == []


def test_unique_violation_is_already_exists(db: str) -> None:
    _accounts(db)
    database.execute(db, "INSERT INTO accounts (id, owner) VALUES (?, ?)", [1, "a"])
    with pytest.raises(AlreadyExists, match=db):
        database.execute(db, "INSERT INTO accounts (id, owner) VALUES (?, ?)", [1, "b"])


def test_missing_table_is_not_found(db: str) -> None:
    with pytest.raises(NotFound, match="nowhere"):
        database.query(db, "SELECT * FROM nowhere")


def test_syntax_error_is_invalid_argument(db: str) -> None:
    with pytest.raises(InvalidArgument, match="syntax"):
        database.execute(db, "SELEC 1")


def test_wrong_parameter_count_is_invalid_argument(db: str) -> None:
    with pytest.raises(InvalidArgument, match=r"1 '\?' placeholder\(s\) but 2"):
        database.query(db, "SELECT ?", [1, 2])


def test_bad_arguments_are_invalid_argument(db: str) -> None:
    with pytest.raises(InvalidArgument, match="database name"):
        database.query("../etc", "SELECT 1")
    with pytest.raises(InvalidArgument, match="list or tuple"):
        database.query(db, "SELECT ?", "x")


@pytest.mark.parametrize("evil", ["'; DROP TABLE accounts; --", "?", "%s", "' OR '1'='1", "\\'", "$$", ""])
def test_injection_strings_are_only_values(db: str, evil: str) -> None:
    _accounts(db)
    database.execute(db, "INSERT INTO accounts (id, owner) VALUES (?, ?)", [1, evil])
    assert database.query(db, "SELECT owner FROM accounts WHERE owner = ?", [evil])[0]["owner"] == evil
    assert database.query(db, "SELECT count(*) AS n FROM accounts")[0]["n"] == 1


def test_transaction_commits_on_clean_exit(db: str) -> None:
    _accounts(db)
    with database.transaction(db) as tx:
        tx.execute("INSERT INTO accounts (id, owner) VALUES (?, ?)", [1, "a"])
        assert tx.query("SELECT owner FROM accounts")[0]["owner"] == "a"
        # Outside the transaction the row is not visible yet.
        assert database.query(db, "SELECT * FROM accounts") == []
    assert len(database.query(db, "SELECT * FROM accounts")) == 1


def test_transaction_rolls_back_on_exception(db: str) -> None:
    _accounts(db)
    with pytest.raises(RuntimeError, match="boom"):
        with database.transaction(db) as tx:
            tx.execute_many("INSERT INTO accounts (id, owner) VALUES (?, ?)", [(1, "a"), (2, "b")])
            raise RuntimeError("boom")
    assert database.query(db, "SELECT * FROM accounts") == []


def test_explicit_rollback_and_commit_end_the_transaction(db: str) -> None:
    _accounts(db)
    with database.transaction(db) as tx:
        tx.execute("INSERT INTO accounts (id, owner) VALUES (?, ?)", [1, "a"])
        tx.rollback()
        with pytest.raises(InvalidArgument, match="already been committed or rolled back"):
            tx.execute("INSERT INTO accounts (id, owner) VALUES (?, ?)", [2, "b"])
    assert database.query(db, "SELECT * FROM accounts") == []
    with database.transaction(db) as tx:
        assert tx.execute_many("INSERT INTO accounts (id, owner) VALUES (?, ?)", [(1, "a"), (2, "b")]) == 2
        tx.commit()
        with pytest.raises(InvalidArgument):
            tx.commit()
    assert len(database.query(db, "SELECT * FROM accounts")) == 2


def test_failed_execute_many_leaves_nothing(db: str) -> None:
    _accounts(db)
    with pytest.raises(AlreadyExists):
        database.execute_many(db, "INSERT INTO accounts (id, owner) VALUES (?, ?)", [(1, "a"), (1, "b")])
    assert database.query(db, "SELECT * FROM accounts") == []


def test_row_reads_like_a_mapping() -> None:
    row = Row({"a": 0, "b": 1}, (1, "x"))
    assert row["b"] == "x" and row[1] == "x" and len(row) == 2 and dict(row) == {"a": 1, "b": "x"}
    with pytest.raises(KeyError, match="columns are"):
        row["c"]


def test_sixteen_threads_lose_nothing(db: str) -> None:
    database.execute(db, "CREATE TABLE hits (thread INTEGER, n INTEGER)")
    errors: list[BaseException] = []

    def work(thread: int) -> None:
        try:
            for n in range(500):
                database.execute(db, "INSERT INTO hits (thread, n) VALUES (?, ?)", [thread, n])
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    counts = database.query(db, "SELECT thread, count(*) AS n FROM hits GROUP BY thread ORDER BY thread")
    assert [(row["thread"], row["n"]) for row in counts] == [(t, 500) for t in range(16)]


def _insert_from_child(db: str, child: int) -> None:
    from infrar import dispatch
    from infrar.providers.local._clients import sqlite

    dispatch.reset()
    sqlite.reset()
    for n in range(200):
        database.execute(db, "INSERT INTO hits (child, n) VALUES (?, ?)", [child, n])


def test_several_processes_write_one_database(db: str, request: pytest.FixtureRequest) -> None:
    import multiprocessing

    database.execute(db, "CREATE TABLE hits (child INTEGER, n INTEGER)")
    # Four writers on one local file, each a fresh interpreter (SQLite's locking is what is under
    # test); on a server two forked writers, which must each open their own sessions.
    local = request.node.callspec.params["db"] == "local"
    count = 4 if local else 2
    context = multiprocessing.get_context("spawn") if local else multiprocessing.get_context("fork")
    children = [context.Process(target=_insert_from_child, args=(db, c)) for c in range(count)]
    for child in children:
        child.start()
    for child in children:
        child.join()
    assert [child.exitcode for child in children] == [0] * count
    assert database.query(db, "SELECT count(*) AS n FROM hits")[0]["n"] == 200 * count


def test_forked_child_opens_its_own_local_connection(infrar_local: object) -> None:
    # os.fork without multiprocessing: the fork hook, not a pid check per statement, gives the
    # child its own connection; the parent's stays open and in use.
    import os

    from infrar.providers.local._clients import sqlite

    database.execute("forked", "CREATE TABLE t (who TEXT)")
    parents = sqlite.client("forked")
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            database.execute("forked", "INSERT INTO t VALUES (?)", ["child"])
            code = 0 if sqlite.client("forked") is not parents else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert sqlite.client("forked") is parents
    database.execute("forked", "INSERT INTO t VALUES (?)", ["parent"])
    assert [row["who"] for row in database.query("forked", "SELECT who FROM t ORDER BY who")] == ["child", "parent"]
