"""The database domain on SQLite (stdlib sqlite3): a file per database, no server.

Why SQLite rather than DuckDB: several processes of one app must be able to write the same
database, which SQLite does (WAL, busy timeout) and DuckDB does not (one writing process);
and sqlite3 ships with Python. Types come back as on PostgreSQL through converters chosen by
the column's declared type (see ``_clients/sqlite.py``); so that a ``NUMERIC(12, 2)`` column
keeps its scale, which SQLite itself forgets, a CREATE/ALTER TABLE names it
``NUMERIC_S2(12, 2)`` (``_scaled``): same NUMERIC affinity, and a converter that quantizes.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import lru_cache
from typing import Any, NoReturn

from infrar.database.placeholders import each_checked, statement, tokens
from infrar.database.rules import check_database, check_sql
from infrar.database.types import Params, Row, Transaction, column_index, run_transaction
from infrar.errors import AlreadyExists, InfrarError, InvalidArgument, NotFound, Unavailable
from infrar.providers.local._clients import sqlite

_BATCH = 1000
_DDL = re.compile(r"\s*(CREATE|ALTER)\s", re.IGNORECASE)
_DECIMAL = re.compile(r"\b(?:NUMERIC|DECIMAL)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)", re.IGNORECASE)


def _scaled(sql: str) -> str:
    """``sql`` with each ``NUMERIC(p, s)``/``DECIMAL(p, s)`` of a CREATE/ALTER as ``NUMERIC_S<s>(p, s)``."""
    if not _DDL.match(sql):
        return sql
    return "".join(
        _DECIMAL.sub(lambda m: f"NUMERIC_S{m[2] or 0}({m[1]}, {m[2] or 0})", token)
        if token[:1] not in ("'", '"', "-", "/", "$") else token
        for token in tokens(sql)
    )


def _raise(error: sqlite3.Error, database: str) -> NoReturn:
    """The infrar error for a sqlite3 error, chained to it."""
    message = str(error)
    lowered = message.lower()
    kind: type[InfrarError]
    if isinstance(error, sqlite3.IntegrityError):
        kind = AlreadyExists if ("unique" in lowered or "primary key" in lowered) else InvalidArgument
    elif "no such table" in lowered or "no such column" in lowered:
        kind = NotFound
    elif "locked" in lowered or "busy" in lowered or "unable to open" in lowered or "disk i/o" in lowered:
        kind = Unavailable
    else:
        kind = InvalidArgument
    raise kind(f"database {database!r} (local SQLite {sqlite.path(database)}): {message}") from error


@lru_cache(maxsize=256)  # sqlite3's description is a tuple of tuples: the same query, the same key
def _columns(description: tuple[tuple[Any, ...], ...]) -> dict[Any, int]:
    return column_index(item[0] for item in description)


def _rows(cursor: sqlite3.Cursor, values: list[Any]) -> list[Row]:
    columns = _columns(cursor.description or ())
    return [Row(columns, value) for value in values]


class _Session:
    """One connection inside BEGIN IMMEDIATE ... COMMIT (the primitives Transaction needs).

    IMMEDIATE takes the write lock at BEGIN: a deferred transaction that later writes can fail
    with SQLITE_BUSY at once (the busy timeout does not apply to that upgrade).
    """

    def __init__(self, database: str, connection: sqlite3.Connection) -> None:
        self.database = database
        self.connection = connection

    def query(self, sql: str, params: Params) -> list[Row]:
        cursor = _run(self.connection, self.database, sql, params)
        return _rows(cursor, cursor.fetchall())

    def execute(self, sql: str, params: Params) -> int:
        return max(_run(self.connection, self.database, sql, params).rowcount, 0)

    def execute_many(self, sql: str, seq_of_params: Iterable[Params]) -> int:
        return _run_many(self.connection, self.database, sql, seq_of_params)

    def commit(self) -> None:
        _run(self.connection, self.database, "COMMIT", ())

    def rollback(self) -> None:
        _run(self.connection, self.database, "ROLLBACK", ())


# sql -> (the SQL sent, with NUMERIC scales named; its placeholder count): see placeholders.statement
_STATEMENTS: dict[str, tuple[str, int]] = {}


def _run(connection: sqlite3.Connection, database: str, sql: str, params: Params | None) -> sqlite3.Cursor:
    # A statement seen before with a list or tuple of the right length skips the checking call
    # (``statement`` makes the same checks and errors): this is every statement's path.
    known = _STATEMENTS.get(sql) if type(sql) is str else None
    values: Params
    if known is not None and (type(params) is list or type(params) is tuple) and len(params) == known[1]:
        text, values = known[0], params
    else:
        text, values = statement(sql, params, database, _scaled, _STATEMENTS)
    try:
        return connection.execute(text, values)
    except sqlite3.Error as error:
        _raise(error, database)


def _run_many(connection: sqlite3.Connection, database: str, sql: str, seq_of_params: Iterable[Params]) -> int:
    check_sql(sql, database)
    try:
        return max(connection.executemany(sql, each_checked(sql, seq_of_params, database)).rowcount, 0)
    except sqlite3.Error as error:
        _raise(error, database)


class LocalDatabase:
    """The local adapter of infrar.database."""

    def query(self, database: str, sql: str, params: Params | None = None) -> list[Row]:
        name = check_database(database)
        cursor = _run(sqlite.client(name), name, sql, params)
        return _rows(cursor, cursor.fetchall())

    def execute(self, database: str, sql: str, params: Params | None = None) -> int:
        name = check_database(database)
        return max(_run(sqlite.client(name), name, sql, params).rowcount, 0)

    def execute_many(self, database: str, sql: str, seq_of_params: Iterable[Params]) -> int:
        name = check_database(database)
        with run_transaction(name, _begin(name)) as tx:
            return tx.execute_many(sql, seq_of_params)

    def iter_query(self, database: str, sql: str, params: Params | None = None) -> Iterator[Row]:
        name = check_database(database)
        # Checked and started now, so a bad query fails at the call, not at the first next().
        cursor = _run(sqlite.connect(name), name, sql, params)
        return _iterate(cursor, name)

    def transaction(self, database: str) -> AbstractContextManager[Transaction]:
        name = check_database(database)
        return _transaction(name, _begin(name))


def _begin(database: str) -> _Session:
    # Its own connection: work outside the transaction is not part of it, as on a server.
    connection = sqlite.connect(database)
    try:
        connection.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as error:
        connection.close()
        _raise(error, database)
    return _Session(database, connection)


@contextmanager
def _transaction(database: str, session: _Session) -> Iterator[Transaction]:
    try:
        with run_transaction(database, session) as tx:
            yield tx
    finally:
        session.connection.close()


def _iterate(cursor: sqlite3.Cursor, database: str) -> Iterator[Row]:
    connection = cursor.connection
    try:
        columns = _columns(cursor.description or ())
        while True:
            try:
                batch = cursor.fetchmany(_BATCH)
            except sqlite3.Error as error:
                _raise(error, database)
            if not batch:
                return
            yield from [Row(columns, values) for values in batch]  # cheaper per row than one by one
    finally:
        connection.close()
