"""Erase proof for infrar.database: example programs erased on each provider hold no infrar and
print and raise the same with infrar blocked (its ``except AlreadyExists`` catches the same)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from infrar.testing import odbc
from infrar.testing.plugin import ServiceUser
from infrar.testing.postgres import PostgresService
from tests.erase._support import ROOT, assert_no_infrar, erase, run

EXAMPLES = sorted((ROOT / "examples").glob("database_*.py"))
PROVIDERS = ["local", "aws", "gcp", "azure"]

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
        service = infrar_service("postgres", PostgresService, provider=provider)
        if not service.psql("SELECT 1 FROM pg_database WHERE datname = 'shop'").strip():
            service.create_database("shop")
        if provider == "azure":
            for key, value in odbc.environment(service, tmp_path_factory.getbasetemp() / "odbc").items():
                monkeypatch.setenv(key, value)
    return use


def _both(source: str, provider: str, tmp_path: Path) -> tuple[str, str, str, str]:
    erased = erase(source, provider)
    assert_no_infrar(erased)
    own = set(source.splitlines())  # the program's own docstring and comments may say infrar
    added = "\n".join(line for line in erased.splitlines() if line not in own)
    # Only the local data directory keeps its name (INFRAR_LOCAL_ROOT, default .infrar).
    assert "infrar" not in added.lower().replace("infrar_local_root", "").replace(".infrar", "")
    (tmp_path / "app.py").write_text(source)
    (tmp_path / "erased.py").write_text(erased)
    first = run(tmp_path / "app.py", tmp_path / "root1", blocked=False, provider=provider)
    second = run(tmp_path / "erased.py", tmp_path / "root2", blocked=True, provider=provider)
    return first.stdout, second.stdout, first.stderr, second.stderr


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
@pytest.mark.parametrize("provider", PROVIDERS)
def test_example_prints_the_same_erased(provider: str, example: Path, use_server: Callable[[str], None],
                                        tmp_path: Path) -> None:
    use_server(provider)
    first, second, first_err, second_err = _both(example.read_text(), provider, tmp_path)
    assert (first_err, second_err) == ("", "")
    assert "order 1 exists already" in first and "Decimal('100.50')" in first
    assert first == second


@pytest.mark.parametrize("provider", PROVIDERS)
def test_errors_are_caught_and_raised_the_same_erased(provider: str, use_server: Callable[[str], None],
                                                      tmp_path: Path) -> None:
    use_server(provider)
    first, second, first_err, second_err = _both(FAILING, provider, tmp_path)
    assert first == second == "AlreadyExists True True\n"
    # The uncaught error: the same class name (NotFound, a FileNotFoundError) naming the table.
    raised = [re.findall(r"^([\w.]*NotFound): .*nowhere", err, re.MULTILINE) for err in (first_err, second_err)]
    assert raised[0] and raised[1], (first_err, second_err)
