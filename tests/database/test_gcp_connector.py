"""gcp through the Cloud SQL Python Connector: the exact Connector calls (it cannot reach Cloud SQL here)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from google.auth.exceptions import DefaultCredentialsError

from infrar import database, dispatch
from infrar.errors import ConfigurationError, NotFound, PermissionDenied, Unavailable
from infrar.testing.postgres import PostgresService
from infrar.testing.services import ServiceRegistry
from tests.database.conftest import INSTANCE, FakeConnector, use_connector


@pytest.fixture
def connector_db(infrar_services: ServiceRegistry, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str]]:
    service = infrar_services.get("postgres")
    assert isinstance(service, PostgresService)
    name = f"test_{uuid.uuid4().hex[:16]}"
    service.create_database(name)
    for key, value in service.environment().items():
        monkeypatch.setenv(key, value)
    use_connector(service, monkeypatch)
    dispatch.reset()
    yield name, service.password
    dispatch.reset()


def test_iam_sign_in_through_the_connector(connector_db: tuple[str, str]) -> None:
    name, _ = connector_db
    assert database.query(name, "SELECT 1 AS one")[0]["one"] == 1
    with database.transaction(name) as tx:  # the same pooled connection: no second connect
        tx.query("SELECT 2")
    assert FakeConnector.made == [{"refresh_strategy": "LAZY"}]
    assert FakeConnector.calls == [((INSTANCE, "pg8000"), {"user": "app@infrar-test.iam", "db": name,
                                                         "enable_iam_auth": True, "ip_type": "public"})]


def test_password_sign_in_and_private_ip(connector_db: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    name, password = connector_db
    monkeypatch.setenv("PGPASSWORD", password)
    monkeypatch.delenv("DB_IAM_USER")
    monkeypatch.setenv("PRIVATE_IP", "1")
    database.execute(name, "CREATE TABLE t (n INTEGER)")
    assert FakeConnector.calls == [((INSTANCE, "pg8000"), {"user": "infrar", "db": name, "enable_iam_auth": False,
                                                         "ip_type": "private", "password": password})]


def test_no_user_is_a_configuration_error_naming_the_variables(
        connector_db: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    name, _ = connector_db
    monkeypatch.delenv("DB_IAM_USER")
    monkeypatch.delenv("PGUSER")
    with pytest.raises(ConfigurationError, match="DB_IAM_USER"):
        database.query(name, "SELECT 1")
    assert FakeConnector.calls == []


def test_without_instance_name_gcp_uses_libpq(connector_db: tuple[str, str], monkeypatch: pytest.MonkeyPatch,
                                              infrar_services: ServiceRegistry) -> None:
    name, password = connector_db
    monkeypatch.delenv("INSTANCE_CONNECTION_NAME")
    monkeypatch.setenv("PGPASSWORD", password)
    assert database.query(name, "SELECT 1 AS one")[0]["one"] == 1
    assert FakeConnector.calls == []


class _ApiError(Exception):
    """What the connector's HTTP client raises for a Cloud SQL Admin API answer (it carries .status)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"{status}, message='...'")
        self.status = status


@pytest.mark.parametrize(("failure", "kind", "text"), [
    (DefaultCredentialsError("Your default credentials were not found"),  # type: ignore[no-untyped-call]
     PermissionDenied, "GOOGLE_APPLICATION"),
    (_ApiError(403), PermissionDenied, "roles/cloudsql.client"),
    (_ApiError(404), NotFound, "project:region:instance"),
    (TimeoutError("timed out"), Unavailable, "cannot reach Cloud SQL instance"),
])
def test_connector_failures_are_infrar_errors_naming_the_instance(
        connector_db: tuple[str, str], failure: Exception, kind: type[Exception], text: str) -> None:
    name, _ = connector_db
    FakeConnector.fail = failure
    with pytest.raises(kind, match=text) as caught:
        database.query(name, "SELECT 1")
    assert INSTANCE in str(caught.value) and caught.value.__cause__ is failure
