"""Queries on the local DuckDB warehouse: types, ? parameters, lazy paging, errors."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from infrar import data
from infrar.errors import InvalidArgument, NotFound

pytestmark = pytest.mark.usefixtures("infrar_local")


def test_types_are_the_portable_ones() -> None:
    row = data.query("w", "SELECT 1::BIGINT AS i, 2.5::DOUBLE AS f, 10.50::DECIMAL(10,2) AS d, 'x' AS s, "
                          "true AS b, DATE '2024-02-29' AS day, TIMESTAMP '2024-01-01 12:00:00' AS naive, "
                          "TIMESTAMPTZ '2024-01-01 12:00:00+02' AS aware, NULL AS n")[0]
    assert dict(row) == {
        "i": 1, "f": 2.5, "d": Decimal("10.50"), "s": "x", "b": True, "day": date(2024, 2, 29),
        "naive": datetime(2024, 1, 1, 12, tzinfo=timezone.utc),
        "aware": datetime(2024, 1, 1, 10, tzinfo=timezone.utc), "n": None,
    }
    assert row[0] == 1 and row["s"] == "x"
    assert all(v.tzinfo is not None for v in (row["naive"], row["aware"]))


def test_parameters_are_bound_not_formatted() -> None:
    hostile = "x'); DROP TABLE t; --"
    data.query("w", "CREATE TABLE t (name VARCHAR, n BIGINT)")
    data.query("w", "INSERT INTO t VALUES (?, ?)", [hostile, 3])
    rows = data.query("w", "SELECT name, n FROM t WHERE name = ? AND n > ?", (hostile, 1))
    assert [tuple(r.values()) for r in rows] == [(hostile, 3)]


def test_a_question_mark_in_a_literal_is_no_placeholder() -> None:
    assert data.query("w", "SELECT '?' AS q, ? AS p", [5])[0]["p"] == 5


def test_iter_query_pages_lazily_and_fails_at_the_call() -> None:
    rows = data.iter_query("w", "SELECT range AS i FROM range(25001)")
    assert next(rows)["i"] == 0
    assert sum(1 for _ in rows) == 25000
    with pytest.raises(NotFound):
        data.iter_query("w", "SELECT * FROM nowhere")


def test_missing_table_is_not_found_and_bad_sql_invalid() -> None:
    with pytest.raises(NotFound, match="warehouse 'w'"):
        data.query("w", "SELECT * FROM nowhere")
    with pytest.raises(InvalidArgument):
        data.query("w", "SELEC 1")


def test_a_warehouse_is_a_file_under_the_local_root(infrar_local: Path) -> None:
    data.query("sales", "CREATE TABLE t AS SELECT 1 AS x")
    assert (infrar_local / "data" / "sales.duckdb").is_file()
    assert data.query("sales", "SELECT x FROM t")[0]["x"] == 1
    with pytest.raises(NotFound):
        data.query("other", "SELECT x FROM t")


def test_an_open_iterator_does_not_block_other_queries() -> None:
    rows = data.iter_query("w", "SELECT range AS i FROM range(20000)")
    next(rows)
    assert data.query("w", "SELECT 1 AS one")[0]["one"] == 1
    assert sum(1 for _ in rows) == 19999
