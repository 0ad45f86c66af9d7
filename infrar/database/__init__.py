"""Relational databases: one API on SQLite (local), RDS/Aurora PostgreSQL, Cloud SQL and Azure SQL.

Every function dispatches on INFRAR_PROVIDER to the adapter named in this package's plugin.yaml.
SQL uses ``?`` placeholders on every backend; values are always bound by the driver.
Errors are the infrar.errors tree: AlreadyExists for a unique or primary-key violation,
NotFound for a missing table or column, InvalidArgument for syntax and type errors (and a
wrong number of parameters), Unavailable, PermissionDenied.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager

from infrar.database.types import Params, Row, Transaction
from infrar.dispatch import adapter as _adapter

__all__ = ["Row", "Transaction", "execute", "execute_many", "iter_query", "query", "transaction"]

_DOMAIN = "database"


def query(database: str, sql: str, params: Params | None = None) -> list[Row]:
    """All rows of ``sql`` (a SELECT, or any statement returning rows) on ``database``."""
    rows: list[Row] = _adapter(_DOMAIN).query(database, sql, params)
    return rows


def execute(database: str, sql: str, params: Params | None = None) -> int:
    """Run one statement on ``database`` in its own transaction; the number of rows affected."""
    count: int = _adapter(_DOMAIN).execute(database, sql, params)
    return count


def execute_many(database: str, sql: str, seq_of_params: Iterable[Params]) -> int:
    """Run ``sql`` once per parameter sequence, all in one transaction; total rows affected."""
    count: int = _adapter(_DOMAIN).execute_many(database, sql, seq_of_params)
    return count


def iter_query(database: str, sql: str, params: Params | None = None) -> Iterator[Row]:
    """Rows of ``sql`` one batch at a time, never holding the whole result (millions of rows)."""
    rows: Iterator[Row] = _adapter(_DOMAIN).iter_query(database, sql, params)
    return rows


def transaction(database: str) -> AbstractContextManager[Transaction]:
    """``with transaction(db) as tx:`` statements on one connection, committed on a clean exit.

    ``tx.commit()`` or ``tx.rollback()`` end it early; an exception rolls back and propagates;
    using ``tx`` after it ended is InvalidArgument.
    """
    context: AbstractContextManager[Transaction] = _adapter(_DOMAIN).transaction(database)
    return context
