"""A database ready for a test on each provider: local SQLite; aws, gcp (psycopg2) and azure (pyodbc
through psqlODBC) on one real PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from infrar import dispatch
from infrar.testing import odbc
from infrar.testing.postgres import PostgresService
from infrar.testing.services import ServiceRegistry

PROVIDERS = ("local", "aws", "gcp", "azure")


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
    yield name
    dispatch.reset()
