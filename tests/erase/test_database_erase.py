"""Erase proof for infrar.database: example programs erased on each provider hold no infrar and
print and raise the same with infrar blocked (its ``except AlreadyExists`` catches the same).

``gcp-connector`` is gcp through the Cloud SQL Python Connector (``INSTANCE_CONNECTION_NAME``):
both runs import a stand-in ``google.cloud.sql.connector`` put first on PYTHONPATH, which opens
real pg8000 connections to the test PostgreSQL and logs every call, and both logs must be the
calls the adapter makes.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from infrar.testing import odbc
from infrar.testing.plugin import ServiceUser
from infrar.testing.postgres import PostgresService
from tests.erase._support import ROOT, assert_no_infrar, erase, run

EXAMPLES = sorted((ROOT / "examples").glob("database_*.py"))
PROVIDERS = ["local", "aws", "gcp", "azure", "gcp-connector"]
INSTANCE = "infrar-test:europe-west1:shop"
IAM_USER = "app@infrar-test.iam"

# google.cloud.sql.connector for the subprocesses (written under a PYTHONPATH directory; google and
# google.cloud stay namespace packages, so this package shadows the installed one and nothing else).
FAKE_CONNECTOR = """
import json, os

import pg8000.dbapi


def _log(entry):
    with open(os.environ["FAKE_CONNECTOR_LOG"], "a") as log:
        log.write(json.dumps(entry) + "\\n")


class Connector:
    def __init__(self, **kwargs):
        _log({"made": kwargs})

    def connect(self, instance, driver, **kwargs):
        _log({"connect": [instance, driver], "kwargs": kwargs})
        return pg8000.dbapi.connect(
            os.environ["FAKE_CONNECTOR_USER"], password=os.environ["FAKE_CONNECTOR_PASSWORD"], host="127.0.0.1",
            port=int(os.environ["FAKE_CONNECTOR_PORT"]), database=kwargs["db"])

    def close(self):
        _log({"closed": True})
"""

FAILING = """
from infrar import database
from infrar.errors import AlreadyExists, NotFound

database.execute("shop", "DROP TABLE IF EXISTS seen")
database.execute("shop", "CREATE TABLE seen (id INTEGER PRIMARY KEY)")
database.execute("shop", "INSERT INTO seen (id) VALUES (?)", [1])
try:
    database.execute("shop", "INSERT INTO seen (id) VALUES (?)", [1])
except NotFound:
    print("wrong handler")
except AlreadyExists as exc:
    print("AlreadyExists", isinstance(exc, FileExistsError), "shop" in str(exc))
database.query("shop", "SELECT * FROM nowhere")
"""


@pytest.fixture
def use_server(infrar_service: ServiceUser, monkeypatch: pytest.MonkeyPatch,
               tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], None]:
    """Point ``provider`` at the test PostgreSQL (azure: through psqlODBC) holding a database "shop"."""
    def use(provider: str) -> None:
        if provider == "local":
            return
        service = infrar_service("postgres", PostgresService, provider=provider.removesuffix("-connector"))
        if not service.psql("SELECT 1 FROM pg_database WHERE datname = 'shop'").strip():
            service.create_database("shop")
        if provider == "azure":
            for key, value in odbc.environment(service, tmp_path_factory.getbasetemp() / "odbc").items():
                monkeypatch.setenv(key, value)
        if provider == "gcp-connector":
            _use_fake_connector(service, monkeypatch, tmp_path_factory.mktemp("connector"))
    return use


def _use_fake_connector(service: PostgresService, monkeypatch: pytest.MonkeyPatch, directory: Path) -> None:
    """IAM sign-in through the connector (no PGPASSWORD), which the stand-in package answers."""
    package = directory / "google" / "cloud" / "sql" / "connector"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(FAKE_CONNECTOR)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(directory), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("FAKE_CONNECTOR_USER", os.environ["PGUSER"])
    monkeypatch.setenv("FAKE_CONNECTOR_PASSWORD", service.password)
    monkeypatch.setenv("FAKE_CONNECTOR_PORT", str(service.port))
    monkeypatch.setenv("INSTANCE_CONNECTION_NAME", INSTANCE)
    monkeypatch.setenv("DB_IAM_USER", IAM_USER)
    monkeypatch.delenv("PGPASSWORD")


def _connector_calls(log: Path) -> list[dict[str, object]]:
    """What the stand-in connector was asked, in order (nothing when it was not used)."""
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


@cache  # gcp and gcp-connector erase the same program the same way (seconds each)
def _erased(source: str, provider: str) -> str:
    return erase(source, provider)


def _both(source: str, provider: str, tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> tuple[str, str, str, str]:
    native = provider.removesuffix("-connector")
    erased = _erased(source, native)
    assert_no_infrar(erased)
    own = set(source.splitlines())  # the program's own docstring and comments may say infrar
    added = "\n".join(line for line in erased.splitlines() if line not in own)
    # Only the local data directory keeps its name (INFRAR_LOCAL_ROOT, default .infrar).
    assert "infrar" not in added.lower().replace("infrar_local_root", "").replace(".infrar", "")
    (tmp_path / "app.py").write_text(source)
    (tmp_path / "erased.py").write_text(erased)
    monkeypatch.setenv("FAKE_CONNECTOR_LOG", str(tmp_path / "runtime-connector.log"))
    first = run(tmp_path / "app.py", tmp_path / "root1", blocked=False, provider=native)
    monkeypatch.setenv("FAKE_CONNECTOR_LOG", str(tmp_path / "erased-connector.log"))
    second = run(tmp_path / "erased.py", tmp_path / "root2", blocked=True, provider=native)
    calls = [_connector_calls(tmp_path / f"{side}-connector.log") for side in ("runtime", "erased")]
    assert calls[0] == calls[1]
    if provider == "gcp-connector":  # one Connector, one IAM connection: the pool reuses it
        assert calls[0] == [{"made": {"refresh_strategy": "LAZY"}},
                            {"connect": [INSTANCE, "pg8000"],
                             "kwargs": {"user": IAM_USER, "db": "shop", "enable_iam_auth": True, "ip_type": "public"}}]
    else:
        assert calls[0] == []
    return first.stdout, second.stdout, first.stderr, second.stderr


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
@pytest.mark.parametrize("provider", PROVIDERS)
def test_example_prints_the_same_erased(provider: str, example: Path, use_server: Callable[[str], None],
                                        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_server(provider)
    first, second, first_err, second_err = _both(example.read_text(), provider, tmp_path, monkeypatch)
    assert (first_err, second_err) == ("", "")
    assert "order 1 exists already" in first and "Decimal('100.50')" in first
    assert first == second


@pytest.mark.parametrize("provider", PROVIDERS)
def test_errors_are_caught_and_raised_the_same_erased(provider: str, use_server: Callable[[str], None],
                                                      tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_server(provider)
    first, second, first_err, second_err = _both(FAILING, provider, tmp_path, monkeypatch)
    assert first == second == "AlreadyExists True True\n"
    # The uncaught error: the same class name (NotFound, a FileNotFoundError) naming the table.
    raised = [re.findall(r"^([\w.]*NotFound): .*nowhere", err, re.MULTILINE) for err in (first_err, second_err)]
    assert raised[0] and raised[1], (first_err, second_err)
