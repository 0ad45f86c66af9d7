"""The database domain through pyodbc: Azure SQL (SQL Server's driver), or PostgreSQL through psqlODBC.

The azure adapter's ``_clients/odbc.py`` builds a ``Server`` per database (a pool of
connections, the server's name for messages, which dialect it speaks). Values come back as on
every other provider, whatever the driver does:
- ``bytearray`` (how pyodbc returns binary columns) becomes ``bytes``;
- an aware datetime is sent as UTC wall-clock time (ODBC's timestamp has no offset), and the
  session runs in UTC: psqlODBC returns ``timestamptz`` naive, so a naive timestamp from it is
  UTC and comes back aware; SQL Server's DATETIMEOFFSET is read aware and made UTC;
- ``executemany`` reports -1 on psqlODBC, so rows are counted statement by statement (an
  ``INSERT ... VALUES (?, ...)`` is sent as multi-row INSERTs, each counted).
A connection that sat idle is probed before a statement is sent on it (``pooled.probed``)
and replaced if dead; a statement that failed is never re-sent.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple, NoReturn

import pyodbc

from infrar.database.odbc_errors import raise_for
from infrar.database.placeholders import check_count, statement
from infrar.database.pooled import Dead, probed
from infrar.database.pooled import Link as Link  # re-exported: the data plugin's Synapse client builds on it
from infrar.database.rules import check_many, check_sql
from infrar.database.types import Params, Row, Transaction, column_index, run_transaction
from infrar.errors import Unavailable
from infrar.providers._keyed import ConnectionPool

_ITER_BATCH = 2000
_MAX_PARAMS = 2000  # SQL Server takes at most 2100 parameters in one statement
_SQL_SS_TIMESTAMPOFFSET = -155
_INSERT_VALUES = re.compile(
    r"""(?is)^(\s*INSERT\s+INTO\s+[^?'"$;]*?\bVALUES\s*)(\(\s*\?(?:\s*,\s*\?)*\s*\))([^?'"$;]*);?\s*$"""
)


class Server(NamedTuple):
    pool: ConnectionPool[Link]
    endpoint: str  # the server, for messages (never the connection string)
    postgres: bool  # PostgreSQL behind psqlODBC rather than SQL Server


def _datetimeoffset(raw: bytes) -> datetime:
    # SQL_SS_TIMESTAMPOFFSET_STRUCT: year, month, day, hour, minute, second, nanoseconds, offset h, m
    y, mo, d, h, mi, s, ns, oh, om = struct.unpack("<6hI2h", raw)
    offset = timezone(timedelta(hours=oh, minutes=om))
    return datetime(y, mo, d, h, mi, s, ns // 1000, offset).astimezone(timezone.utc)


def opened(native: Any, postgres: bool) -> Link:
    """A new connection made ready: UTC session, DATETIMEOFFSET readable."""
    if postgres:
        native.execute("SET TIME ZONE 'UTC'")
    else:
        native.add_output_converter(_SQL_SS_TIMESTAMPOFFSET, _datetimeoffset)
    return Link(native)


def _fail(error: pyodbc.Error, server: Server, database: str) -> NoReturn:
    raise_for(error, f"database {database!r} on {server.endpoint}")


def _bindable(values: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(value.astimezone(timezone.utc).replace(tzinfo=None)
                 if isinstance(value, datetime) and value.tzinfo is not None else value for value in values)


_STATEMENTS: dict[str, tuple[str, int]] = {}  # sql -> (sql, placeholder count): placeholders.statement


def _statement(sql: str, params: Params | None, database: str) -> tuple[str, tuple[Any, ...]]:
    text, values = statement(sql, params, database, str, _STATEMENTS)
    return text, _bindable(values)


def _reader(cursor: Any, postgres: bool) -> tuple[dict[str, int], Any]:
    """The column index of a result, and a function making one fetched row portable."""
    description = cursor.description
    columns = column_index(item[0] for item in description)
    binary = [i for i, item in enumerate(description) if item[1] is bytearray]
    stamps = [i for i, item in enumerate(description) if item[1] is datetime] if postgres else []
    if not binary and not stamps:
        return columns, tuple

    def portable(values: Any) -> tuple[Any, ...]:
        out = list(values)
        for i in binary:
            if out[i] is not None:
                out[i] = bytes(out[i])
        for i in stamps:
            if out[i] is not None and out[i].tzinfo is None:
                out[i] = out[i].replace(tzinfo=timezone.utc)
        return tuple(out)

    return columns, portable


class _Session:
    """One pooled connection, in autocommit or inside a transaction: the primitives Transaction needs."""

    def __init__(self, server: Server, database: str, link: Link) -> None:
        self.server = server
        self.database = database
        self.connection = link.native

    def _run(self, sql: str, values: tuple[Any, ...]) -> Any:
        try:
            return self.connection.execute(sql, values) if values else self.connection.execute(sql)
        except pyodbc.Error as error:
            _fail(error, self.server, self.database)

    def query(self, sql: str, params: Params) -> list[Row]:
        cursor = self._run(*_statement(sql, params, self.database))
        if cursor.description is None:
            return []
        columns, portable = _reader(cursor, self.server.postgres)
        try:
            return [Row(columns, portable(values)) for values in cursor.fetchall()]
        except pyodbc.Error as error:
            _fail(error, self.server, self.database)

    def execute(self, sql: str, params: Params) -> int:
        count: int = self._run(*_statement(sql, params, self.database)).rowcount
        return max(count, 0)

    def execute_many(self, sql: str, seq_of_params: Iterable[Params]) -> int:
        check_sql(sql, self.database)
        insert = _INSERT_VALUES.match(sql)
        per_row = sql.count("?") if insert else 0
        page = max(1, _MAX_PARAMS // per_row) if insert else 1
        total, rows = 0, []
        for values in check_many(seq_of_params, self.database):
            check_count(sql, values, self.database)
            rows.append(_bindable(values))
            if len(rows) == page:
                total += self._page(sql, insert, rows)
                rows = []
        return total + (self._page(sql, insert, rows) if rows else 0)

    def _page(self, sql: str, insert: re.Match[str] | None, rows: list[tuple[Any, ...]]) -> int:
        if insert is None or len(rows) == 1:
            text, values = sql, rows[0]
        else:
            text = insert[1] + ", ".join([insert[2]] * len(rows)) + insert[3]
            values = tuple(value for row in rows for value in row)
        count: int = self._run(text, values).rowcount
        return max(count, 0)

    def commit(self) -> None:
        try:
            self.connection.commit()
        except pyodbc.Error as error:
            _fail(error, self.server, self.database)
        finally:
            self.connection.autocommit = True

    def rollback(self) -> None:
        try:
            self.connection.rollback()
            self.connection.autocommit = True
        except pyodbc.Error:
            pass  # the connection broke, and the server rolled back with it; the pool discards it


def _probe(native: Any) -> None:
    native.execute("SELECT 1").fetchall()


@contextmanager
def _session(server: Server, database: str) -> Iterator[_Session]:
    try:
        with probed(server.pool, _probe, (pyodbc.Error,)) as link:
            yield _Session(server, database, link)
    except pyodbc.Error as error:  # opening the connection: statements translate their own
        _fail(error, server, database)


def broken() -> tuple[type[BaseException], ...]:
    """Errors after which a pooled connection is closed rather than lent again."""
    return (pyodbc.Error, Dead, Unavailable)


def query(server: Server, database: str, sql: str, params: Params | None) -> list[Row]:
    with _session(server, database) as session:
        return session.query(sql, params or ())


def execute(server: Server, database: str, sql: str, params: Params | None) -> int:
    with _session(server, database) as session:
        return session.execute(sql, params or ())


def execute_many(server: Server, database: str, sql: str, seq_of_params: Iterable[Params]) -> int:
    with transaction(server, database) as tx:
        return tx.execute_many(sql, seq_of_params)


def iter_query(server: Server, database: str, sql: str, params: Params | None) -> Iterator[Row]:
    statement = _statement(sql, params, database)  # checked at the call, not at the first next()
    return _iterate(server, database, statement)


def _iterate(server: Server, database: str, statement: tuple[str, tuple[Any, ...]]) -> Iterator[Row]:
    # SQL Server streams a result as it is read. psqlODBC reads a whole result at once unless
    # asked for a cursor, so on PostgreSQL the rows come through DECLARE ... FETCH.
    with _session(server, database) as session:
        session.connection.autocommit = False
        try:
            sql, values = statement
            if server.postgres:
                session._run("DECLARE server_side_rows NO SCROLL CURSOR FOR " + sql, values)
                sql, values = f"FETCH {_ITER_BATCH} FROM server_side_rows", ()
            cursor = session._run(sql, values)
            columns, portable = _reader(cursor, server.postgres)
            while True:
                try:
                    batch = cursor.fetchmany(_ITER_BATCH)
                except pyodbc.Error as error:
                    _fail(error, server, database)
                for row in batch:
                    yield Row(columns, portable(row))
                if len(batch) < _ITER_BATCH:
                    return
                if server.postgres:
                    cursor = session._run(sql, values)
        finally:
            session.rollback()  # a read-only scan: nothing to keep


def transaction(server: Server, database: str) -> AbstractContextManager[Transaction]:
    return _transaction(server, database)


@contextmanager
def _transaction(server: Server, database: str) -> Iterator[Transaction]:
    with _session(server, database) as session:
        session.connection.autocommit = False
        with run_transaction(database, session) as tx:
            yield tx
