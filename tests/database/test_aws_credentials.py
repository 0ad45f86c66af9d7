"""aws without PGPASSWORD: the password from Secrets Manager (moto server), or an RDS IAM auth token."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from infrar import database, dispatch
from infrar.errors import NotFound, PermissionDenied
from infrar.providers.aws._clients import postgres
from infrar.testing.aws import MotoEmulator
from infrar.testing.plugin import ServiceUser
from infrar.testing.postgres import USER, PostgresService
from infrar.testing.services import ServiceRegistry


@pytest.fixture
def without_password(infrar_services: ServiceRegistry, infrar_service: ServiceUser,
                     monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[PostgresService, str]]:
    infrar_service("moto", MotoEmulator)
    service = infrar_services.get("postgres")
    assert isinstance(service, PostgresService)
    name = f"test_{uuid.uuid4().hex[:16]}"
    service.create_database(name)
    for key, value in service.environment().items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("PGPASSWORD")
    monkeypatch.setenv("INFRAR_PROVIDER", "aws")
    dispatch.reset()
    yield service, name
    dispatch.reset()


def _secret(secret: dict[str, str]) -> str:
    client = boto3.client("secretsmanager")  # the moto server's, through AWS_ENDPOINT_URL
    arn: str = client.create_secret(Name=f"rds-{uuid.uuid4().hex[:8]}", SecretString=json.dumps(secret))["ARN"]
    return arn


def test_password_from_the_secret_manager_secret(without_password: tuple[PostgresService, str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    service, name = without_password
    monkeypatch.delenv("PGUSER")  # RDS's secret names the master user too
    monkeypatch.setenv("PGPASSWORD_SECRET_ARN", _secret({"username": USER, "password": service.password}))
    assert database.query(name, "SELECT current_user AS who")[0]["who"] == USER


def test_a_wrong_password_in_the_secret_is_permission_denied(without_password: tuple[PostgresService, str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _, name = without_password
    monkeypatch.setenv("PGPASSWORD_SECRET_ARN", _secret({"username": USER, "password": "not-it-at-all"}))
    with pytest.raises(PermissionDenied) as caught:
        database.query(name, "SELECT 1")
    assert "not-it-at-all" not in str(caught.value)


def test_a_missing_secret_is_not_found_naming_the_variable(without_password: tuple[PostgresService, str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    _, name = without_password
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:gone-AbCdEf"
    monkeypatch.setenv("PGPASSWORD_SECRET_ARN", arn)
    with pytest.raises(NotFound, match="PGPASSWORD_SECRET_ARN"):
        database.query(name, "SELECT 1")


def test_rds_iam_auth_signs_a_token_for_each_connection(without_password: tuple[PostgresService, str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # generate_db_auth_token only signs, offline: the token is checked here as RDS would read it.
    service, _ = without_password
    monkeypatch.setenv("RDS_IAM_AUTH", "true")
    monkeypatch.delenv("PGSSLMODE")
    found = postgres.credentials()
    assert found["user"] == USER and found["sslmode"] == "require"
    token = urlsplit("https://" + found["password"])
    assert (token.hostname, token.port) == ("127.0.0.1", service.port)
    query = parse_qs(token.query)
    assert query["Action"] == ["connect"] and query["DBUser"] == [USER]
    assert query["X-Amz-Expires"] == ["900"] and "rds-db" in query["X-Amz-Credential"][0]
    assert "X-Amz-Signature" in query
