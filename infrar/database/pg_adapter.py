"""The database domain on PostgreSQL through psycopg2: shared by aws (RDS/Aurora) and gcp (Cloud SQL).

Each provider supplies only how to open a connection to a database (its ``_clients/postgres``);
pooling, ``?`` translation, types and errors are here once, and erase copies them.
Types: BYTEA comes back as ``bytes`` (psycopg2 gives memoryview), and each session runs in UTC
so that a TIMESTAMP WITH TIME ZONE reads back as an aware UTC datetime, as on local.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, NoReturn

import psycopg2
import psycopg2.extensions

from infrar.database.pg_errors import raise_for
from infrar.database.pg_pool import Pools
from infrar.database.placeholders import check_count, to_format
from infrar.database.rules import check_database, check_many, check_params, check_sql
from infrar.database.types import Params, Row, Transaction, column_index, run_transaction

_ITER_BATCH = 2000


def _bytes(value: str | bytes | None, cursor: Any) -> bytes | None:
    raw = psycopg2.BINARY(value, cursor)
    return None if raw is None else bytes(raw)


BYTES = psycopg2.extensions.new_type(psycopg2.BINARY.values, "INFRAR_BYTES", _bytes)


def prepare(connection: Any) -> Any:
    """Make a new connection return the portable types (see the module docstring)."""
    psycopg2.extensions.register_type(BYTES, connection)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'UTC'")
    return connection


def where(database: str) -> str:
    """Which server a message is about: the database and libpq's host and port, never credentials."""
    host = os.environ.get("PGHOST") or "localhost"
    port = os.environ.get("PGPORT") or "5432"
    return f"database {database!r} on {host}:{port}"


def _fail(error: psycopg2.Error, database: str) -> NoReturn:
    raise_for(error, getattr(error, "pgcode", None), where(database))


def _statement(sql: str, params: Params | None, database: str) -> tuple[str, tuple[Any, ...]]:
    check_sql(sql, database)
    values = tuple(check_params(params, database))
    check_count(sql, values, database)
    return to_format(sql), values


def _rows(cursor: Any) -> list[Row]:
    if cursor.description is None:
        return []
    columns = column_index(item[0] for item in cursor.description)
    return [Row(columns, values) for values in cursor.fetchall()]


class _Session:
    """One pooled connection inside BEGIN ... COMMIT: the primitives Transaction needs."""

    def __init__(self, database: str, connection: Any) -> None:
        self.database = database
        self.connection = connection

    def _run(self, sql: str, values: tuple[Any, ...]) -> Any:
        try:
            cursor = self.connection.cursor()
            cursor.execute(sql, values)
        except psycopg2.Error as error:
            _fail(error, self.database)
        return cursor

    def query(self, sql: str, params: Params) -> list[Row]:
        with self._run(*_statement(sql, params, self.database)) as cursor:
            return _rows(cursor)

    def execute(self, sql: str, params: Params) -> int:
        with self._run(*_statement(sql, params, self.database)) as cursor:
            count: int = cursor.rowcount
            return max(count, 0)

    def execute_many(self, sql: str, seq_of_params: Iterable[Params]) -> int:
        check_sql(sql, self.database)
        total = 0
        text = to_format(sql)
        for values in check_many(seq_of_params, self.database):
            check_count(sql, values, self.database)
            with self._run(text, tuple(values)) as cursor:
                total += max(cursor.rowcount, 0)  # counted here: executemany's rowcount varies by driver
        return total

    def commit(self) -> None:
        self._run("COMMIT", ()).close()

    def rollback(self) -> None:
        if self.connection.closed:
            return  # the server ended the session, and with it the transaction
        self._run("ROLLBACK", ()).close()


class PostgresDatabase:
    """The database adapter over psycopg2; ``connect(database)`` opens a raw connection."""

    def __init__(self, connect: Callable[[str], Any]) -> None:
        def opened(database: str) -> Any:
            try:
                return prepare(connect(database))
            except psycopg2.Error as error:
                _fail(error, database)

        self._pools = Pools(opened)

    @contextmanager
    def _session(self, database: str) -> Iterator[_Session]:
        with self._pools.get(database).borrow() as connection:
            yield _Session(database, connection)

    def query(self, database: str, sql: str, params: Params | None = None) -> list[Row]:
        name = check_database(database)
        with self._session(name) as session:
            return session.query(sql, params or ())

    def execute(self, database: str, sql: str, params: Params | None = None) -> int:
        name = check_database(database)
        with self._session(name) as session:
            return session.execute(sql, params or ())

    def execute_many(self, database: str, sql: str, seq_of_params: Iterable[Params]) -> int:
        with self.transaction(database) as tx:
            return tx.execute_many(sql, seq_of_params)

    def iter_query(self, database: str, sql: str, params: Params | None = None) -> Iterator[Row]:
        name = check_database(database)
        statement = _statement(sql, params, name)  # checked at the call, not at the first next()
        return self._iterate(name, statement)

    def _iterate(self, database: str, statement: tuple[str, tuple[Any, ...]]) -> Iterator[Row]:
        # A named cursor is a server-side cursor: rows arrive _ITER_BATCH at a time. psycopg2
        # allows one only outside autocommit, so the connection leaves it for the scan.
        with self._session(database) as session:
            connection = session.connection
            connection.autocommit = False
            try:
                with connection.cursor(name="infrar_iter") as cursor:
                    cursor.itersize = _ITER_BATCH
                    cursor.execute(*statement)
                    columns: dict[str, int] | None = None
                    for values in cursor:
                        if columns is None:
                            columns = column_index(item[0] for item in cursor.description)
                        yield Row(columns, values)
            except psycopg2.Error as error:
                _fail(error, database)
            finally:
                if not connection.closed:
                    connection.rollback()  # a read-only scan: nothing to keep
                    connection.autocommit = True

    def transaction(self, database: str) -> AbstractContextManager[Transaction]:
        return self._transaction(check_database(database))

    @contextmanager
    def _transaction(self, database: str) -> Iterator[Transaction]:
        with self._session(database) as session:
            session._run("BEGIN", ()).close()
            with run_transaction(database, session) as tx:
                yield tx
