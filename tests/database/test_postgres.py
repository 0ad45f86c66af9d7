"""Server-side events on the PostgreSQL adapters (aws, gcp: psycopg2; azure: pyodbc through psqlODBC):
connections the server closed, a restart between two queries, a server killed mid-transaction,
refused connections and bad credentials."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from infrar import database, dispatch
from infrar.database import pg_ops, pg_pool, pooled
from infrar.errors import PermissionDenied, Timeout, Unavailable
from infrar.testing import odbc
from infrar.testing._process import free_port
from infrar.testing.postgres import PostgresService
from infrar.testing.services import ServiceRegistry


def _use(provider: str, registry: ServiceRegistry, monkeypatch: pytest.MonkeyPatch,
         directory: Path) -> tuple[PostgresService, str]:
    service = registry.get("postgres")
    assert isinstance(service, PostgresService)
    name = f"test_{uuid.uuid4().hex[:16]}"
    service.create_database(name)
    variables = service.environment()
    if provider == "azure":
        variables = odbc.environment(service, directory / "odbc")
        # ODBC has no way to see that the server wrote to an idle connection: a connection idle
        # this long is probed before use; 0 makes every borrow probe, as after a real pause.
        monkeypatch.setattr(pooled, "PROBE_AFTER_SECONDS", 0.0)
    for key, value in variables.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("INFRAR_PROVIDER", provider)
    return service, name


@pytest.fixture(params=("aws", "gcp", "azure"))
def pg(request: pytest.FixtureRequest, infrar_services: ServiceRegistry, monkeypatch: pytest.MonkeyPatch,
       tmp_path: Path) -> Iterator[tuple[PostgresService, str]]:
    """Each provider that runs on PostgreSQL here."""
    yield _use(request.param, infrar_services, monkeypatch, tmp_path)
    dispatch.reset()


@pytest.fixture(params=("aws", "gcp"))
def libpq(request: pytest.FixtureRequest, infrar_services: ServiceRegistry, monkeypatch: pytest.MonkeyPatch,
          tmp_path: Path) -> Iterator[tuple[PostgresService, str]]:
    """The psycopg2 providers, configured by libpq's variables."""
    yield _use(request.param, infrar_services, monkeypatch, tmp_path)
    dispatch.reset()


@pytest.fixture
def through_odbc(infrar_services: ServiceRegistry, monkeypatch: pytest.MonkeyPatch,
                 tmp_path: Path) -> Iterator[tuple[PostgresService, str]]:
    yield _use("azure", infrar_services, monkeypatch, tmp_path)
    dispatch.reset()


def _terminate_sessions(service: PostgresService, name: str) -> None:
    # What a server restart or an idle timeout does to the pool's connections.
    # pg_terminate_backend only signals: wait until the sessions are gone, as after a restart.
    service.psql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
    for _ in range(200):
        if service.psql(f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{name}'").strip() == "0":
            return
        time.sleep(0.05)
    raise AssertionError(f"the sessions of {name} did not end")


def test_connection_closed_by_the_server_is_replaced(pg: tuple[PostgresService, str]) -> None:
    service, name = pg
    database.execute(name, "CREATE TABLE t (n INTEGER)")
    _terminate_sessions(service, name)
    assert database.execute(name, "INSERT INTO t VALUES (?)", [1]) == 1
    assert database.query(name, "SELECT n FROM t")[0]["n"] == 1


def test_server_restart_between_two_queries(pg: tuple[PostgresService, str]) -> None:
    service, name = pg
    database.execute(name, "CREATE TABLE t (n INTEGER)")
    database.execute(name, "INSERT INTO t VALUES (?)", [1])
    service.restart()
    assert database.execute(name, "INSERT INTO t VALUES (?)", [2]) == 1  # sent once, on a new connection
    assert [row["n"] for row in database.query(name, "SELECT n FROM t ORDER BY n")] == [1, 2]


def test_transaction_cut_by_the_server_leaves_nothing(pg: tuple[PostgresService, str]) -> None:
    service, name = pg
    database.execute(name, "CREATE TABLE t (n INTEGER)")
    with pytest.raises(Unavailable, match=name):
        with database.transaction(name) as tx:
            tx.execute("INSERT INTO t VALUES (?)", [1])
            _terminate_sessions(service, name)
            tx.execute("INSERT INTO t VALUES (?)", [2])
    assert database.query(name, "SELECT n FROM t") == []


def test_server_killed_mid_transaction_leaves_nothing(pg: tuple[PostgresService, str]) -> None:
    service, name = pg
    database.execute(name, "CREATE TABLE t (n INTEGER)")
    database.execute(name, "INSERT INTO t VALUES (?)", [1])
    with pytest.raises(Unavailable, match=name):
        with database.transaction(name) as tx:
            tx.execute("INSERT INTO t VALUES (?)", [2])
            service.kill()  # SIGKILL, then crash recovery on the same port
            tx.execute("INSERT INTO t VALUES (?)", [3])
    assert [row["n"] for row in database.query(name, "SELECT n FROM t")] == [1]


def test_bad_password_is_permission_denied_without_the_password(
        libpq: tuple[PostgresService, str], monkeypatch: pytest.MonkeyPatch) -> None:
    _, name = libpq
    monkeypatch.setenv("PGPASSWORD", "wrong-secret-value")
    with pytest.raises(PermissionDenied) as caught:
        database.query(name, "SELECT 1")
    assert "wrong-secret-value" not in str(caught.value)


def test_refused_connection_is_unavailable_naming_host_and_port(
        libpq: tuple[PostgresService, str], monkeypatch: pytest.MonkeyPatch) -> None:
    _, name = libpq
    port = free_port()
    monkeypatch.setenv("PGPORT", str(port))
    with pytest.raises(Unavailable, match=f"127.0.0.1:{port}"):
        database.query(name, "SELECT 1")


def test_refused_odbc_connection_is_unavailable_naming_server_and_port(
        through_odbc: tuple[PostgresService, str], monkeypatch: pytest.MonkeyPatch) -> None:
    service, name = through_odbc
    port = free_port()
    monkeypatch.setenv("AZURE_SQL_CONNECTIONSTRING", odbc.connection_string(service).replace(
        f"Port={service.port}", f"Port={port}"))
    with pytest.raises(Unavailable, match=f"127.0.0.1:{port}"):
        database.query(name, "SELECT 1")


def test_forked_child_uses_its_own_connections(pg: tuple[PostgresService, str]) -> None:
    _, name = pg
    database.execute(name, "CREATE TABLE t (who TEXT, backend INTEGER)")
    # The parent's pool now holds a connection (the same one serves both statements).
    database.execute(name, "INSERT INTO t SELECT 'parent', pg_backend_pid()")
    pid = os.fork()
    if pid == 0:  # the child: its statements must not travel on the parent's socket
        code = 1
        try:
            database.execute(name, "INSERT INTO t SELECT 'child', pg_backend_pid()")
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    database.execute(name, "INSERT INTO t SELECT 'parent again', pg_backend_pid()")
    backend = {row["who"]: row["backend"] for row in database.query(name, "SELECT who, backend FROM t")}
    assert backend["child"] != backend["parent"] == backend["parent again"]


@pytest.fixture
def pool(infrar_services: ServiceRegistry, monkeypatch: pytest.MonkeyPatch,
         tmp_path: Path) -> Iterator[pg_pool.Pool]:
    """A psycopg2 Pool of two connections to a fresh database (aws's connect)."""
    from infrar.providers.aws._clients import postgres

    _, name = _use("aws", infrar_services, monkeypatch, tmp_path)
    made = pg_pool.Pool(lambda: postgres.connect(name), "test-endpoint", 2)
    yield made
    made.close()


def test_pool_lends_at_most_its_size_and_a_borrower_waits_for_one(
        pool: pg_pool.Pool, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = pool.lend(), pool.lend()
    assert first is not second
    got: list[Any] = []
    waiter = threading.Thread(target=lambda: got.append(pool.lend()))
    waiter.start()
    pool.give_back(second)  # the waiting borrower gets this one, not a third connection
    waiter.join()
    assert got == [second]
    monkeypatch.setattr(pg_pool, "WAIT_SECONDS", 0.01)
    with pytest.raises(Timeout, match="test-endpoint"):
        pool.lend()
    pool.give_back(first)
    assert pool.lend() is first  # the idle one, newest first


def test_pool_keeps_a_cursor_per_connection_but_not_a_big_result(pool: pg_pool.Pool) -> None:
    kept = pool.run("SELECT 1", (), lambda cursor: cursor)
    assert pool.run("SELECT 2", (), lambda cursor: cursor) is kept  # the same connection, its cursor
    assert len(pg_ops.query(pool, "t", "SELECT g FROM generate_series(1, 5) AS g", None)) == 5
    assert pool.run("SELECT 3", (), lambda cursor: cursor) is kept and not kept.closed
    assert len(pg_ops.query(pool, "t", "SELECT g FROM generate_series(1, 101) AS g", None)) == 101
    assert kept.closed  # a cursor keeps its last result: a big one is not kept in the pool
    fresh = pool.run("SELECT 4", (), lambda cursor: cursor)
    assert fresh is not kept and fresh.connection is kept.connection


def test_pool_frees_the_place_of_a_connection_that_failed_to_open(
        pool: pg_pool.Pool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGPORT", str(free_port()))
    monkeypatch.setattr(pg_pool, "WAIT_SECONDS", 0.01)  # a kept place would make the third Timeout
    for _ in range(3):  # more attempts than places: none of them keeps one
        with pytest.raises(psycopg2.OperationalError):
            pool.lend()
