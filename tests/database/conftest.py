"""A database ready for a test on each provider: local SQLite; aws, gcp (psycopg2) and azure (pyodbc
through psqlODBC) on one real PostgreSQL; gcp-connector: gcp through the Cloud SQL Python
Connector code path, its Connector replaced by one that opens real pg8000 connections to it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest

from infrar import dispatch
from infrar.testing import odbc
from infrar.testing.postgres import USER, PostgresService
from infrar.testing.services import ServiceRegistry

PROVIDERS = ("local", "aws", "gcp", "azure", "gcp-connector")
INSTANCE = "infrar-test:europe-west1:orders"


class FakeConnector:
    """Stands in for google.cloud.sql.connector.Connector, which cannot reach Cloud SQL from here.

    Records every ``connect`` call and answers it with a real pg8000 connection to the test
    server (standing in for the TLS tunnel and the IAM token exchange the real one does).
    """

    server: ClassVar[PostgresService | None] = None
    made: ClassVar[list[dict[str, Any]]] = []
    calls: ClassVar[list[tuple[tuple[Any, ...], dict[str, Any]]]] = []
    fail: ClassVar[Exception | None] = None  # raised by connect() instead, as the real one can

    def __init__(self, **kwargs: Any) -> None:
        self.made.append(kwargs)

    def connect(self, *args: Any, **kwargs: Any) -> Any:
        import pg8000.dbapi

        self.calls.append((args, kwargs))
        if self.fail is not None:
            raise self.fail
        assert self.server is not None
        return pg8000.dbapi.connect(USER, password=self.server.password, host="127.0.0.1",
                                    port=self.server.port, database=kwargs["db"])

    def close(self) -> None:
        return


def use_connector(service: PostgresService, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point gcp at ``service`` through the connector code path (IAM sign-in: no PGPASSWORD)."""
    import google.cloud.sql.connector

    FakeConnector.server, FakeConnector.made, FakeConnector.calls, FakeConnector.fail = service, [], [], None
    monkeypatch.setattr(google.cloud.sql.connector, "Connector", FakeConnector)
    monkeypatch.setenv("INSTANCE_CONNECTION_NAME", INSTANCE)
    monkeypatch.setenv("DB_IAM_USER", "app@infrar-test.iam")
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("INFRAR_PROVIDER", "gcp")


@pytest.fixture(params=PROVIDERS)
def db(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch,
       tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The name of a fresh, empty database on the provider under test."""
    provider: str = request.param
    name = f"test_{uuid.uuid4().hex[:16]}"
    if provider == "local":
        request.getfixturevalue("infrar_local")
    else:
        services: ServiceRegistry = request.getfixturevalue("infrar_services")
        service = services.get("postgres")
        assert isinstance(service, PostgresService)
        service.create_database(name)
        variables = service.environment()
        if provider == "azure":
            variables = odbc.environment(service, tmp_path_factory.getbasetemp() / "odbc")
        for key, value in variables.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("INFRAR_PROVIDER", provider)
        if provider == "gcp-connector":
            use_connector(service, monkeypatch)
    dispatch.reset()
    yield name
    dispatch.reset()
