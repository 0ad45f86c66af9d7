"""The database domain on PostgreSQL through psycopg2: one implementation for aws and gcp.

RDS/Aurora and Cloud SQL speak the same protocol, so only how each opens a connection differs
(its ``_clients/postgres.py``, which hands out a ``pg_pool.Pool`` per database). Pooling,
``?`` translation, types and errors are here once, and erase copies them.
Types: BYTEA comes back as ``bytes`` (psycopg2 gives memoryview), and each session runs in UTC
so that a TIMESTAMP WITH TIME ZONE reads back as an aware UTC datetime, as on local.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, NoReturn, TypeVar

import psycopg2
import psycopg2.extensions
import psycopg2.extras

from infrar.database.pg_errors import raise_for
from infrar.database.pg_pool import Pool
from infrar.database.placeholders import each_checked, statement, to_format
from infrar.database.rules import check_sql
from infrar.database.types import Params, Row, Transaction, column_index, run_transaction

T = TypeVar("T")
_ITER_BATCH = 2000
_PAGE = 1000  # statements per round trip in execute_many
_KEEP_ROWS = 100  # a pooled cursor whose result had more rows is closed rather than kept

# ``INSERT INTO t (...) VALUES (?, ?, ...)`` with nothing but placeholders in VALUES: sent as
# one multi-row INSERT per page, whose row count is exact (an ON CONFLICT tail is kept).
_INSERT_VALUES = re.compile(
    r"""(?is)^(\s*INSERT\s+INTO\s+[^?'"$;]*?\bVALUES\s*)\(\s*\?(?:\s*,\s*\?)*\s*\)([^?'"$;]*);?\s*$"""
)


def _bytes(value: str | bytes | None, cursor: Any) -> bytes | None:
    raw = psycopg2.BINARY(value, cursor)
    return None if raw is None else bytes(raw)


BYTES = psycopg2.extensions.new_type(psycopg2.BINARY.values, "BYTEA_AS_BYTES", _bytes)


def prepare(connection: Any) -> Any:
    """Make a new connection return the portable types (see the module docstring)."""
    psycopg2.extensions.register_type(BYTES, connection)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'UTC'")
    return connection


def _fail(error: psycopg2.Error, pool: Pool, database: str) -> NoReturn:
    raise_for(error, getattr(error, "pgcode", None), f"database {database!r} on {pool.endpoint}")


# sql -> (its %s form, placeholder count), and column names -> a result's column index: the
# statements and results of an app repeat, and these lookups are on every statement's path.
_STATEMENTS: dict[str, tuple[str, int]] = {}
_COLUMNS: dict[tuple[str, ...], dict[Any, int]] = {}
_COLUMNS_MAX = 512
_NAME = operator.attrgetter("name")


def _statement(sql: str, params: Params | None, database: str) -> tuple[str, Params]:
    return statement(sql, params, database, to_format, _STATEMENTS)


def _columns(description: Any) -> dict[Any, int]:
    names = tuple(map(_NAME, description))  # .name: column[0] costs 5 times more
    found = _COLUMNS.get(names)
    if found is None:
        if len(_COLUMNS) >= _COLUMNS_MAX:
            _COLUMNS.clear()
        found = _COLUMNS[names] = column_index(names)
    return found


def _rows(cursor: Any) -> list[Row]:
    description = cursor.description
    if description is None:
        return []
    columns = _columns(description)
    rows = [Row(columns, values) for values in cursor.fetchall()]
    if len(rows) > _KEEP_ROWS:
        cursor.close()  # a cursor keeps its last result until the next statement: not a big one
    return rows


class _Session:
    """One pooled connection inside BEGIN ... COMMIT: the primitives Transaction needs."""

    def __init__(self, pool: Pool, database: str, connection: Any) -> None:
        self.pool = pool
        self.database = database
        self.connection = connection

    def _run(self, sql: str, values: Params) -> Any:
        try:
            cursor = self.connection.cursor()
            cursor.execute(sql, values)
        except psycopg2.Error as error:
            _fail(error, self.pool, self.database)
        return cursor

    def query(self, sql: str, params: Params) -> list[Row]:
        with self._run(*_statement(sql, params, self.database)) as cursor:
            return _rows(cursor)

    def execute(self, sql: str, params: Params) -> int:
        with self._run(*_statement(sql, params, self.database)) as cursor:
            return _count(cursor)

    def execute_many(self, sql: str, seq_of_params: Iterable[Params]) -> int:
        check_sql(sql, self.database)
        insert = _INSERT_VALUES.match(sql)
        text = to_format(insert[1]) + "%s" + to_format(insert[2]) if insert else to_format(sql)
        total = 0
        with self.connection.cursor() as cursor:
            for page in _pages(sql, seq_of_params, self.database):
                try:
                    if insert:
                        psycopg2.extras.execute_values(cursor, text, page, page_size=len(page))
                        total += max(cursor.rowcount, 0)
                    else:
                        cursor.executemany(text, page)  # psycopg2 sums the row counts of the page
                        total += max(cursor.rowcount, 0)
                except psycopg2.Error as error:
                    _fail(error, self.pool, self.database)
        return total

    def commit(self) -> None:
        self._run("COMMIT", ()).close()

    def rollback(self) -> None:
        if self.connection.closed:
            return  # the server ended the session, and with it the transaction
        self._run("ROLLBACK", ()).close()


def _pages(sql: str, seq_of_params: Iterable[Params], database: str) -> Iterator[list[tuple[Any, ...]]]:
    """The checked parameter sequences, _PAGE at a time."""
    page: list[tuple[Any, ...]] = []
    for values in each_checked(sql, seq_of_params, database):
        page.append(tuple(values))
        if len(page) == _PAGE:
            yield page
            page = []
    if page:
        yield page


@contextmanager
def _session(pool: Pool, database: str) -> Iterator[_Session]:
    try:
        with pool.borrow() as connection:
            yield _Session(pool, database, connection)
    except psycopg2.Error as error:  # opening the connection: statements translate their own
        _fail(error, pool, database)


def _alone(pool: Pool, database: str, sql: str, params: Params | None, read: Callable[[Any], T]) -> T:
    """Run one statement on a pooled connection in autocommit; ``read(cursor)`` its result.

    Every single statement's path, so a statement seen before with a list or tuple of the
    right length skips the checking call (``statement`` makes the same checks and errors).
    """
    known = _STATEMENTS.get(sql) if type(sql) is str else None
    values: Params
    if known is not None and (type(params) is list or type(params) is tuple) and len(params) == known[1]:
        text, values = known[0], params
    else:
        text, values = _statement(sql, params, database)
    try:
        return pool.run(text, values, read)
    except psycopg2.Error as error:  # opening the connection, the statement, reading its result
        _fail(error, pool, database)


def _count(cursor: Any) -> int:
    count: int = cursor.rowcount
    return max(count, 0)


def query(pool: Pool, database: str, sql: str, params: Params | None) -> list[Row]:
    return _alone(pool, database, sql, params, _rows)


def execute(pool: Pool, database: str, sql: str, params: Params | None) -> int:
    return _alone(pool, database, sql, params, _count)


def execute_many(pool: Pool, database: str, sql: str, seq_of_params: Iterable[Params]) -> int:
    with transaction(pool, database) as tx:
        return tx.execute_many(sql, seq_of_params)


def iter_query(pool: Pool, database: str, sql: str, params: Params | None) -> Iterator[Row]:
    statement = _statement(sql, params, database)  # checked at the call, not at the first next()
    return _iterate(pool, database, statement)


def _iterate(pool: Pool, database: str, statement: tuple[str, Params]) -> Iterator[Row]:
    # A named cursor is a server-side cursor: rows arrive _ITER_BATCH at a time. psycopg2
    # allows one only outside autocommit, so the connection leaves it for the scan.
    with _session(pool, database) as session:
        connection = session.connection
        connection.autocommit = False
        try:
            with connection.cursor(name="server_side_rows") as cursor:
                cursor.itersize = _ITER_BATCH
                cursor.execute(*statement)
                batch = cursor.fetchmany(_ITER_BATCH)
                columns = _columns(cursor.description or ())
                while batch:
                    yield from [Row(columns, values) for values in batch]  # cheaper per row than one by one
                    batch = cursor.fetchmany(_ITER_BATCH)
        except psycopg2.Error as error:
            _fail(error, pool, database)
        finally:
            if not connection.closed:
                connection.rollback()  # a read-only scan: nothing to keep
                connection.autocommit = True


def transaction(pool: Pool, database: str) -> AbstractContextManager[Transaction]:
    return _transaction(pool, database)


@contextmanager
def _transaction(pool: Pool, database: str) -> Iterator[Transaction]:
    with _session(pool, database) as session:
        session._run("BEGIN", ()).close()
        with run_transaction(database, session) as tx:
            yield tx
