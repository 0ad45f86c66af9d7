"""The query behaviour every provider shares, run on each engine that executes SQL here (DuckDB, bqemulator)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from infrar import data
from infrar.data import catalog
from infrar.errors import InvalidArgument, NotFound

# The one spelling that differs: a generated series of n integers named x.
SERIES = {"local": "SELECT range AS x FROM range({n})",
          "gcp": "SELECT x FROM UNNEST(GENERATE_ARRAY(0, {n} - 1)) AS x ORDER BY x",
          "azure": "SELECT x FROM generate_series(0, {n} - 1) AS x"}  # the test PostgreSQL's dialect
CREATE = {"local": "CREATE TABLE t (name VARCHAR, n BIGINT, amount DECIMAL(10,2), paid BOOLEAN, day DATE)",
          "gcp": "CREATE TABLE t (name STRING, n INT64, amount NUMERIC(10,2), paid BOOL, day DATE)",
          "azure": "CREATE TABLE t (name VARCHAR(100), n BIGINT, amount DECIMAL(10,2), paid BOOLEAN, day DATE)"}


@pytest.mark.parametrize("value", [7, 2.5, Decimal("10.50"), "it's ? -- not a comment", True, False,
                                   date(2024, 2, 29), datetime(2024, 1, 1, 12, 30, tzinfo=timezone.utc), None])
def test_a_parameter_comes_back_as_it_went(typed_engine: str, value: object) -> None:
    row = data.query("w", "SELECT ? AS v", [value])[0]
    assert row["v"] == value and row[0] == value
    assert type(row["v"]) is type(value)


def test_rows_by_name_and_position_with_bound_values(engine: str) -> None:
    data.query("w", CREATE[engine])
    data.query("w", "INSERT INTO t (name, n, amount, paid, day) VALUES (?, ?, ?, ?, ?)",
               ["x'); DROP TABLE t; --", 3, Decimal("19.90"), True, date(2024, 3, 1)])
    rows = data.query("w", "SELECT name, n, amount, paid, day FROM t WHERE n > ? AND paid = ?", [1, True])
    assert [tuple(r.values()) for r in rows] == [("x'); DROP TABLE t; --", 3, Decimal("19.90"), True,
                                                 date(2024, 3, 1))]
    assert list(rows[0]) == ["name", "n", "amount", "paid", "day"]
    assert catalog.list_tables("w") == ["t"]
    assert [(c.name, c.type) for c in catalog.get_schema("w.t")][:2] == [("name", "STRING"), ("n", "INT64")]


def test_iter_query_is_lazy_and_complete(engine: str) -> None:
    rows = data.iter_query("w", SERIES[engine].format(n=25001))
    assert next(rows)["x"] == 0
    assert sum(1 for _ in rows) == 25000


def test_errors_raise_at_the_call(engine: str) -> None:
    with pytest.raises(NotFound, match="'w'"):
        data.iter_query("w", "SELECT * FROM nowhere_table")
    with pytest.raises(InvalidArgument):
        data.query("w", "SELEC 1")
    with pytest.raises(InvalidArgument, match=r"2 '\?' placeholder"):
        data.query("w", "SELECT ?, ?", [1])
