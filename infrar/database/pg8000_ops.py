"""The database domain on pg8000 connections: Cloud SQL through the Cloud SQL Python Connector.

The connector hands out pg8000 connections (its only synchronous PostgreSQL driver), signed in
with IAM database authentication. pg8000 already returns the portable types (bytes, Decimal
with the column's scale, aware UTC timestamps once the session is in UTC). ``?`` placeholders
become ``$1, $2 ...`` here (``placeholders.to_numbered``: outside quotes, comments and
dollar-quoted bodies) and go to pg8000's unnamed-statement call, so no ``%`` or ``:`` of the
SQL is ever read as a parameter. A connection that sat idle is probed before a statement is
sent on it (``pooled.probed``) and replaced if dead; a statement that failed is never re-sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, NamedTuple, NoReturn

import pg8000.dbapi

from infrar.database.pg_errors import raise_for
from infrar.database.placeholders import check_count, statement, to_numbered
from infrar.database.pooled import Dead, Link, probed
from infrar.database.rules import check_many, check_sql
from infrar.database.types import Params, Row, Transaction, column_index, run_transaction
from infrar.errors import Unavailable
from infrar.providers._keyed import ConnectionPool

_ITER_BATCH = 2000


class Server(NamedTuple):
    pool: ConnectionPool[Link]
    endpoint: str  # the Cloud SQL instance connection name, for messages


def opened(native: Any) -> Link:
    """A new connection made ready: autocommit, UTC session."""
    native.autocommit = True
    native.execute_simple("SET TIME ZONE 'UTC'")
    return Link(native)


def _fail(error: Exception, server: Server, database: str) -> NoReturn:
    details = error.args[0] if error.args and isinstance(error.args[0], dict) else {}
    code = details.get("C")
    if details:
        error.args = (details.get("M", ""), *error.args[1:])  # the server's message, not the dict
    raise_for(error, code, f"database {database!r} on {server.endpoint}")


_STATEMENTS: dict[str, tuple[str, int]] = {}  # sql -> ($n form, placeholder count): placeholders.statement


def _statement(sql: str, params: Params | None, database: str) -> tuple[str, Params]:
    return statement(sql, params, database, to_numbered, _STATEMENTS)


class _Session:
    """One pooled connection, in autocommit or inside BEGIN ... COMMIT: the primitives Transaction needs."""

    def __init__(self, server: Server, database: str, link: Link) -> None:
        self.server = server
        self.database = database
        self.connection = link.native

    def _run(self, sql: str, values: Params) -> Any:
        try:
            return self.connection.execute_unnamed(sql, vals=values)
        except pg8000.dbapi.Error as error:
            _fail(error, self.server, self.database)

    def query(self, sql: str, params: Params) -> list[Row]:
        done = self._run(*_statement(sql, params, self.database))
        if done.columns is None:
            return []
        columns = column_index(column["name"] for column in done.columns)
        return [Row(columns, tuple(values)) for values in done.rows]

    def execute(self, sql: str, params: Params) -> int:
        count: int = self._run(*_statement(sql, params, self.database)).row_count
        return max(count, 0)

    def execute_many(self, sql: str, seq_of_params: Iterable[Params]) -> int:
        check_sql(sql, self.database)
        text = to_numbered(sql)
        total = 0
        for values in check_many(seq_of_params, self.database):
            check_count(sql, values, self.database)
            total += max(self._run(text, tuple(values)).row_count, 0)
        return total

    def commit(self) -> None:
        self._run("COMMIT", ())

    def rollback(self) -> None:
        try:
            self.connection.execute_simple("ROLLBACK")
        except pg8000.dbapi.Error:
            pass  # the connection broke, and the server rolled back with it; the pool discards it


def broken() -> tuple[type[BaseException], ...]:
    """Errors after which a pooled connection is closed rather than lent again."""
    return (pg8000.dbapi.Error, Dead, Unavailable)


def _probe(native: Any) -> None:
    native.execute_simple("SELECT 1")


@contextmanager
def _session(server: Server, database: str) -> Iterator[_Session]:
    try:
        with probed(server.pool, _probe, (pg8000.dbapi.Error,)) as link:
            yield _Session(server, database, link)
    except pg8000.dbapi.Error as error:  # opening the connection: statements translate their own
        _fail(error, server, database)


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
    prepared = _statement(sql, params, database)  # checked at the call, not at the first next()
    return _iterate(server, database, prepared)


def _iterate(server: Server, database: str, prepared: tuple[str, Params]) -> Iterator[Row]:
    # pg8000 reads a whole result at once: a server-side cursor hands it over _ITER_BATCH rows at a time.
    with _session(server, database) as session:
        session._run("BEGIN", ())
        try:
            session._run("DECLARE server_side_rows NO SCROLL CURSOR FOR " + prepared[0], prepared[1])
            while True:
                done = session._run(f"FETCH {_ITER_BATCH} FROM server_side_rows", ())
                columns = column_index(column["name"] for column in done.columns or ())
                for values in done.rows or ():
                    yield Row(columns, tuple(values))
                if len(done.rows or ()) < _ITER_BATCH:
                    return
        finally:
            session.rollback()  # a read-only scan: nothing to keep


def transaction(server: Server, database: str) -> AbstractContextManager[Transaction]:
    return _transaction(server, database)


@contextmanager
def _transaction(server: Server, database: str) -> Iterator[Transaction]:
    with _session(server, database) as session:
        session._run("BEGIN", ())
        with run_transaction(database, session) as tx:
            yield tx
