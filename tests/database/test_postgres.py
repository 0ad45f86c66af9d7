"""PostgreSQL-only behaviour of the aws/gcp adapters: dead connections, refused and bad credentials."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest

from infrar import database, dispatch
from infrar.errors import PermissionDenied, Unavailable
from infrar.testing._process import free_port
from infrar.testing.postgres import PostgresService
from infrar.testing.services import ServiceRegistry


@pytest.fixture(params=("aws", "gcp"))
def pg(request: pytest.FixtureRequest, infrar_services: ServiceRegistry,
       monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[PostgresService, str]]:
    service = infrar_services.get("postgres")
    assert isinstance(service, PostgresService)
    name = f"test_{uuid.uuid4().hex[:16]}"
    service.create_database(name)
    for key, value in service.environment().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("INFRAR_PROVIDER", request.param)
    yield service, name
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


def test_transaction_cut_by_the_server_leaves_nothing(pg: tuple[PostgresService, str]) -> None:
    service, name = pg
    database.execute(name, "CREATE TABLE t (n INTEGER)")
    with pytest.raises(Unavailable, match=name):
        with database.transaction(name) as tx:
            tx.execute("INSERT INTO t VALUES (?)", [1])
            _terminate_sessions(service, name)
            tx.execute("INSERT INTO t VALUES (?)", [2])
    assert database.query(name, "SELECT n FROM t") == []


def test_bad_password_is_permission_denied_without_the_password(
        pg: tuple[PostgresService, str], monkeypatch: pytest.MonkeyPatch) -> None:
    _, name = pg
    monkeypatch.setenv("PGPASSWORD", "wrong-secret-value")
    with pytest.raises(PermissionDenied) as caught:
        database.query(name, "SELECT 1")
    assert "wrong-secret-value" not in str(caught.value)


def test_refused_connection_is_unavailable_naming_host_and_port(
        pg: tuple[PostgresService, str], monkeypatch: pytest.MonkeyPatch) -> None:
    _, name = pg
    port = free_port()
    monkeypatch.setenv("PGPORT", str(port))
    with pytest.raises(Unavailable, match=f"127.0.0.1:{port}"):
        database.query(name, "SELECT 1")
