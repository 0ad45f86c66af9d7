"""The azure adapter's ODBC specifics: connection string, Entra token sign-in, SQLSTATEs of both servers."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pyodbc
import pytest

from infrar import database, dispatch
from infrar.database.odbc_errors import kind_for
from infrar.errors import (
    AlreadyExists,
    ConfigurationError,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Timeout,
    Unavailable,
)
from infrar.providers.azure._clients import odbc as azure_odbc
from infrar.testing import odbc
from infrar.testing.postgres import PostgresService
from infrar.testing.services import ServiceRegistry

SQL_SERVER = "Driver={ODBC Driver 18 for SQL Server};Server=tcp:shop.database.windows.net,1433;Encrypt=yes"


@pytest.fixture
def reset_clients() -> Iterator[None]:
    dispatch.reset()
    yield
    dispatch.reset()


def test_database_is_added_only_when_the_string_names_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_SQL_CONNECTIONSTRING", SQL_SERVER + ";")
    assert azure_odbc.connection_string("orders") == SQL_SERVER + ";Database=orders"
    monkeypatch.setenv("AZURE_SQL_CONNECTIONSTRING", SQL_SERVER + ";Initial Catalog=main")
    assert azure_odbc.connection_string("orders") == SQL_SERVER + ";Initial Catalog=main"


def test_psqlodbc_gets_booleans_as_bits_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_SQL_CONNECTIONSTRING", "Driver={PostgreSQL Unicode};Server=h;PWD={a;b}")
    expected = "Driver={PostgreSQL Unicode};Server=h;PWD={a;b};Database=d;BoolsAsChar=0;Protocol=7.4-1"
    assert azure_odbc.connection_string("d") == expected
    chosen = "Driver={PostgreSQL Unicode};BoolsAsChar=1;Database=x;Protocol=7.4-2"
    monkeypatch.setenv("AZURE_SQL_CONNECTIONSTRING", chosen)
    assert azure_odbc.connection_string("d") == chosen


def test_missing_connection_string_names_the_variable(monkeypatch: pytest.MonkeyPatch, reset_clients: None) -> None:
    monkeypatch.delenv("AZURE_SQL_CONNECTIONSTRING", raising=False)
    monkeypatch.delenv("PGHOST", raising=False)
    monkeypatch.setenv("INFRAR_PROVIDER", "azure")
    with pytest.raises(ConfigurationError, match=r"set AZURE_SQL_CONNECTIONSTRING .* or libpq's PGHOST"):
        database.query("orders", "SELECT 1")


class _Token:
    token = "eyJ.token-value.sig"


class _FakeCredential:
    """Stands in for DefaultAzureCredential (no Entra ID here); records how it is built and used."""

    made: ClassVar[list[dict[str, Any]]] = []
    scopes: ClassVar[list[tuple[str, ...]]] = []

    def __init__(self, **kwargs: Any) -> None:
        self.made.append(kwargs)

    def get_token(self, *scopes: str) -> _Token:
        self.scopes.append(scopes)
        return _Token()


def test_without_a_password_an_entra_token_is_the_access_token(
        monkeypatch: pytest.MonkeyPatch, reset_clients: None) -> None:
    import azure.identity

    _FakeCredential.made, _FakeCredential.scopes = [], []
    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", _FakeCredential)
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def connect(*args: Any, **kwargs: Any) -> Any:
        calls.append((args, kwargs))
        raise pyodbc.OperationalError("08001", "[08001] no SQL Server here (08001)")

    monkeypatch.setattr(pyodbc, "connect", connect)
    monkeypatch.setenv("AZURE_SQL_CONNECTIONSTRING", SQL_SERVER)
    monkeypatch.setenv("AZURE_SQL_CLIENTID", "1111-2222")
    monkeypatch.setenv("INFRAR_PROVIDER", "azure")
    with pytest.raises(Unavailable, match=r"shop\.database\.windows\.net") as caught:
        database.query("orders", "SELECT 1")
    token = "eyJ.token-value.sig".encode("utf-16-le")
    assert calls == [((SQL_SERVER + ";Database=orders",),
                      {"autocommit": True, "attrs_before": {1256: struct.pack(f"<I{len(token)}s", len(token), token)}})]
    assert _FakeCredential.made == [{"managed_identity_client_id": "1111-2222"}]
    assert _FakeCredential.scopes == [("https://database.windows.net/.default",)]
    assert "token-value" not in str(caught.value)


@pytest.mark.parametrize(("sqlstate", "message", "kind"), [
    ("23000", "[Microsoft][ODBC Driver 18 for SQL Server][SQL Server]Violation of PRIMARY KEY constraint "
              "'PK_orders'. Cannot insert duplicate key in object 'dbo.orders'. (2627)", AlreadyExists),
    ("23000", "[SQL Server]Cannot insert duplicate key row in object 'dbo.t' with unique index 'ix'. (2601)",
     AlreadyExists),
    ("23000", "[SQL Server]Cannot insert the value NULL into column 'owner'. (515)", InvalidArgument),
    ("42S02", "[SQL Server]Invalid object name 'nowhere'. (208)", NotFound),
    ("42S22", "[SQL Server]Invalid column name 'nope'. (207)", NotFound),
    ("42000", "[SQL Server]Incorrect syntax near 'SELEC'. (102)", InvalidArgument),
    ("28000", "[SQL Server]Login failed for user 'app'. (18456)", PermissionDenied),
    ("08001", "[ODBC Driver 18 for SQL Server]TCP Provider: Error code 0x2749 (10057)", Unavailable),
    ("08S01", "[ODBC Driver 18 for SQL Server]Communication link failure (0)", Unavailable),
    ("HYT00", "[ODBC Driver 18 for SQL Server]Query timeout expired (0)", Timeout),
    ("40001", "[SQL Server]Transaction was deadlocked ... chosen as the deadlock victim. (1205)", Unavailable),
    ("23505", "ERROR: duplicate key value violates unique constraint", AlreadyExists),
    ("42P01", 'ERROR: relation "nowhere" does not exist', NotFound),
    ("42601", 'ERROR: syntax error at or near "SELEC"', InvalidArgument),
    ("08001", 'FATAL: password authentication failed for user "app"', PermissionDenied),
])
def test_sqlstates_of_sql_server_and_postgresql(sqlstate: str, message: str, kind: type[Exception]) -> None:
    assert kind_for(sqlstate, message) is kind


@pytest.fixture
def odbc_db(infrar_services: ServiceRegistry, monkeypatch: pytest.MonkeyPatch,
            tmp_path: Path) -> Iterator[tuple[PostgresService, str]]:
    service = infrar_services.get("postgres")
    assert isinstance(service, PostgresService)
    name = "test_odbc_" + tmp_path.name[-12:].replace("-", "_")
    service.create_database(name)
    for key, value in odbc.environment(service, tmp_path / "odbc").items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("INFRAR_PROVIDER", "azure")
    yield service, name
    dispatch.reset()


def test_bad_password_is_permission_denied_without_the_password(
        odbc_db: tuple[PostgresService, str], monkeypatch: pytest.MonkeyPatch) -> None:
    service, name = odbc_db
    monkeypatch.setenv("AZURE_SQL_CONNECTIONSTRING",
                       odbc.connection_string(service).replace(service.password, "wrong-secret-value"))
    with pytest.raises(PermissionDenied) as caught:
        database.query(name, "SELECT 1")
    assert "wrong-secret-value" not in str(caught.value) and service.password not in str(caught.value)


def test_rows_are_counted_where_psqlodbc_says_minus_one(odbc_db: tuple[PostgresService, str]) -> None:
    _, name = odbc_db
    database.execute(name, "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER)")
    assert database.execute_many(name, "INSERT INTO t (id, n) VALUES (?, ?)", [(i, i % 3) for i in range(2500)]) == 2500
    # 834 rows of n=0 become 1, then those and the 833 first of n=1 become 2: counted one by one.
    assert database.execute_many(name, "UPDATE t SET n = n + 1 WHERE n = ?", [(0,), (1,), (7,)]) == 834 + 1667
    assert database.execute_many(name, "DELETE FROM t WHERE id = ?", [(1,), (2,), (99999,)]) == 2


def test_postgresql_without_a_password_signs_in_with_an_entra_token_as_password(
        odbc_db: tuple[PostgresService, str], monkeypatch: pytest.MonkeyPatch) -> None:
    import azure.identity

    service, name = odbc_db
    # The fake credential hands out the test server's password as "the token", so the real
    # psqlODBC sign-in succeeds only if the token travelled as the password.
    monkeypatch.setattr(_Token, "token", service.password)
    _FakeCredential.made, _FakeCredential.scopes = [], []
    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", _FakeCredential)
    monkeypatch.setenv("AZURE_SQL_CONNECTIONSTRING",
                       odbc.connection_string(service).replace(f";PWD={{{service.password}}}", ""))
    assert database.query(name, "SELECT current_user AS who")[0]["who"] == "infrar"
    assert _FakeCredential.scopes == [("https://ossrdbms-aad.database.windows.net/.default",)]


def test_a_connection_string_psqlodbc_cannot_take_is_refused_not_sent(
        odbc_db: tuple[PostgresService, str], monkeypatch: pytest.MonkeyPatch) -> None:
    import azure.identity

    service, name = odbc_db
    # A real Entra token is ~2,000 characters: psqlODBC 13 would abort this very process on it.
    token = "eyJ0" + "x" * 2000
    monkeypatch.setattr(_Token, "token", token)
    _FakeCredential.made, _FakeCredential.scopes = [], []
    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", _FakeCredential)
    monkeypatch.setenv("AZURE_SQL_CONNECTIONSTRING",
                       odbc.connection_string(service).replace(f";PWD={{{service.password}}}", ""))
    with pytest.raises(ConfigurationError, match=r"characters .*AZURE_POSTGRES_ENTRA=true") as caught:
        database.query(name, "SELECT 1")
    assert token not in str(caught.value) and name in str(caught.value)


def test_without_a_connection_string_azure_uses_libpq(odbc_db: tuple[PostgresService, str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # What the generated infrastructure sets for Azure Database for PostgreSQL: libpq's variables.
    service, name = odbc_db
    monkeypatch.delenv("AZURE_SQL_CONNECTIONSTRING")
    for key, value in service.environment().items():
        monkeypatch.setenv(key, value)
    database.execute(name, "CREATE TABLE t (id INTEGER PRIMARY KEY, at TIMESTAMP WITH TIME ZONE, raw BYTEA)")
    assert database.execute_many(name, "INSERT INTO t (id, at, raw) VALUES (?, now(), ?)",
                                 [(i, b"\x00") for i in range(3)]) == 3
    row = next(database.iter_query(name, "SELECT id, at, raw, pg_backend_pid() AS pid FROM t ORDER BY id"))
    assert row["raw"] == b"\x00" and row["at"].utcoffset() is not None
    with pytest.raises(AlreadyExists):
        database.execute(name, "INSERT INTO t (id) VALUES (?)", [0])
