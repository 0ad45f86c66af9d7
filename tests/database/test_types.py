"""Types come back identically on every provider: one round trip per provider, compared value by value."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from infrar import database

COLUMNS = ("yes BOOLEAN, no BOOLEAN, small INTEGER, big BIGINT, real_ DOUBLE PRECISION, money NUMERIC(12, 2), "
           "whole NUMERIC(12, 2), ratio NUMERIC(10, 4), text_ TEXT, raw BYTEA, missing INTEGER, "
           "day DATE, at TIMESTAMP WITH TIME ZONE")
AT = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone(timedelta(hours=2)))
SENT = [True, False, 7, 2**40, 1.25, Decimal("100.5"), 3, Decimal("0.1"), "héllo ✓ '\"",
        b"\x00\xff\x10", None, date(2024, 2, 29), AT]
# What PostgreSQL returns for SENT, hence what every provider must: scale from the column, UTC.
EXPECTED = [(bool, "True"), (bool, "False"), (int, "7"), (int, str(2**40)), (float, "1.25"),
            (Decimal, "100.50"), (Decimal, "3.00"), (Decimal, "0.1000"),
            (str, "héllo ✓ '\""), (bytes, repr(b"\x00\xff\x10")), (type(None), "None"),
            (date, "2024-02-29"), (datetime, "2024-05-06 05:08:09.123456+00:00")]


def _shown(value: object) -> tuple[type, str]:
    return type(value), repr(value) if isinstance(value, bytes) else str(value)


def test_every_type_round_trips_as_on_postgresql(db: str) -> None:
    database.execute(db, f"CREATE TABLE t ({COLUMNS})")
    database.execute(db, f"INSERT INTO t VALUES ({', '.join('?' * len(SENT))})", SENT)
    by_query = database.query(db, "SELECT * FROM t")[0]
    by_iter = next(database.iter_query(db, "SELECT * FROM t"))
    with database.transaction(db) as tx:
        in_tx = tx.query("SELECT * FROM t")[0]
    for row in (by_query, by_iter, in_tx):
        assert [_shown(value) for value in row.values()] == EXPECTED
        assert row["at"] == AT and row["at"].utcoffset() == timedelta(0)


def test_values_bound_as_parameters_compare_as_their_type(db: str) -> None:
    database.execute(db, f"CREATE TABLE t ({COLUMNS})")
    database.execute(db, f"INSERT INTO t VALUES ({', '.join('?' * len(SENT))})", SENT)
    assert database.query(db, "SELECT small FROM t WHERE yes = ? AND no = ?", [True, False])[0]["small"] == 7
    assert database.query(db, "SELECT small FROM t WHERE money = ?", [Decimal("100.50")])[0]["small"] == 7
    assert database.query(db, "SELECT small FROM t WHERE day = ?", [date(2024, 2, 29)])[0]["small"] == 7
    assert database.query(db, "SELECT small FROM t WHERE raw = ?", [b"\x00\xff\x10"])[0]["small"] == 7
    assert database.query(db, "SELECT small FROM t WHERE missing IS NULL")[0]["small"] == 7
