"""A generated database is the one the adapter connects to, as the workload's own role, on every cloud.

The project's database is ``orders-db``: a name RDS cannot take (DBName: letters, digits, '_'),
so every PostgreSQL module creates ``orders_db`` and gives the workloads ``PGDATABASE_ORDERS_DB``,
which the adapters read (``infrar.database.rules.server_name``). The module outputs are evaluated
from the generated HCL itself (``tests/infra/hcl_eval.py``) and handed to the adapters' own code:
on a real PostgreSQL for aws and the gcp connector path, and to the functions that build the
connection arguments where the server cannot run here (Azure's connection strings).

Each ``uses:`` edge to a database then has its network path (as in test_reachability), an
identity of its own on the server (an RDS IAM role, a Cloud SQL IAM user, an Entra role or
contained user), the grant to sign in as it, and no secret: no workload reads an admin password.
"""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest

from infrar import database, dispatch
from infrar.database.rules import server_name
from infrar.errors import ConfigurationError
from infrar.infra import cli
from infrar.infra.generate import environment_warnings, generate
from infrar.infra.project import load_project, parse_project
from infrar.providers.azure._clients import odbc
from infrar.providers.gcp._clients import sql_connector
from infrar.testing.postgres import PostgresService
from infrar.testing.services import ServiceRegistry
from tests.database.conftest import FakeConnector, use_connector
from tests.erase._support import assert_no_infrar, erase, run
from tests.infra.hcl_eval import Module
from tests.infra.test_reachability import FULL, _edges, _label, _modules, _path

PROJECT = """\
name: shop
capabilities:
  - {name: web, type: web_application, config: {container_image: x}, uses: [DB]}
  - {name: jobs, type: background_worker, config: {container_image: x, schedule: "0 2 * * *"}, uses: [DB]}
  - {name: other, type: api_service, config: {container_image: x}, uses: []}
resources:
  - {name: DB, type: database, engine: ENGINE}
"""
CLOUDS = [("aws", "postgres"), ("gcp", "postgres"), ("azure", "postgres"), ("azure", "sqlserver")]
# the resource of each module that creates the database, and its attribute holding the name
CREATES = {"rds_postgres": ("aws_db_instance.this", "db_name"),
           "cloud_sql_postgres": ("google_sql_database.this", "name"),
           "postgres_flexible": ("azurerm_postgresql_flexible_server_database.this", "name"),
           "mssql_database": ("azurerm_mssql_database.this", "name")}
# what a workload module outputs as its identity, as the database module is given it
IDENTITY: dict[str, Callable[[str], str]] = {
    "aws": lambda w: w, "gcp": lambda w: f"serviceAccount:{w}-sa@shop.iam.gserviceaccount.com",
    "azure": lambda w: f"00000000-0000-0000-0000-{w:0>12}"}
CLIENTS = {"aws": "client_roles", "gcp": "client_members", "azure": "client_principals"}
WORKLOADS = ("web", "jobs")
_CLEARED = ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "INSTANCE_CONNECTION_NAME", "DB_IAM_USER",
            "PRIVATE_IP", "AZURE_SQL_CONNECTIONSTRING", "PGPASSWORD_SECRET_ARN", "RDS_IAM_AUTH")


def generated(provider: str, engine: str, name: str = "orders-db") -> tuple[dict[str, Any], Module, str]:
    """The root's module blocks, the evaluated database module, and that module's directory name."""
    text = PROJECT.replace("DB", name).replace("ENGINE", engine)
    files = generate(parse_project(text, "p.yaml"), provider, with_plugins=False)
    modules = _modules(files)
    block = modules[f"database_{name.replace('-', '_')}"]
    source = block["source"].strip('"').removeprefix("./modules/")
    wired = str(block.get(CLIENTS[provider], ""))
    users = [w for w in WORKLOADS if any(f in wired for f in (f"_{w}.", f"'{w}'", f'"{w}"'))]
    clients: Any = users if provider == "aws" else {w: IDENTITY[provider](w) for w in users}
    module_files = {p.rsplit("/", 1)[1]: t for p, t in files.items() if p.startswith(f"modules/{source}/")}
    return modules, Module(module_files, {"name": name, CLIENTS[provider]: clients}), source


def workload_environment(module: Module, workload: str) -> dict[str, str]:
    """What the workload gets from the database: its environment, then its own client_environment."""
    found = dict(module.output("environment"))
    if "client_environment" in module.outputs:
        found.update(module.output("client_environment")[workload])
    return found


def _configure(monkeypatch: pytest.MonkeyPatch, variables: dict[str, str]) -> None:
    for name in _CLEARED:
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize(("provider", "engine"), CLOUDS)
def test_the_database_the_module_creates_is_the_one_the_adapter_connects_to(
        provider: str, engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _, module, source = generated(provider, engine)
    created = module.attribute(*CREATES[source])
    assert created == ("orders-db" if engine == "sqlserver" else "orders_db")  # SQL Server takes '-'
    _configure(monkeypatch, workload_environment(module, "web"))
    if provider == "aws" or (engine == "postgres" and provider == "azure"):
        assert server_name("orders-db") == created  # what the libpq clients' connect passes as dbname
    elif provider == "gcp":
        assert sql_connector.configured() and sql_connector.arguments("orders-db")["db"] == created
    else:
        assert odbc.configured() and odbc.keywords(odbc.connection_string("orders-db"))["database"] == created


@pytest.fixture(scope="module")
def server_database(infrar_services: ServiceRegistry) -> tuple[PostgresService, str]:
    """The test server and a project database name whose module-created database exists on it."""
    logical = f"orders-{uuid.uuid4().hex[:12]}"
    service = infrar_services.get("postgres")
    assert isinstance(service, PostgresService)
    _, module, source = generated("aws", "postgres", logical)
    service.create_database(str(module.attribute(*CREATES[source])))
    return service, logical


@pytest.mark.parametrize("path", ["aws", "gcp-connector"])
def test_the_generated_environment_reaches_the_created_database_on_a_real_server(
        path: str, monkeypatch: pytest.MonkeyPatch, server_database: tuple[PostgresService, str]) -> None:
    service, logical = server_database
    _, module, source = generated(path.split("-")[0], "postgres", logical)
    created = str(module.attribute(*CREATES[source]))
    variables = workload_environment(module, "web")
    mapped = {k: v for k, v in variables.items() if k.startswith("PGDATABASE_")}
    _configure(monkeypatch, {**service.environment(), **mapped, "INFRAR_PROVIDER": "aws"})
    if path == "gcp-connector":
        use_connector(service, monkeypatch)
        monkeypatch.setenv("DB_IAM_USER", variables["DB_IAM_USER"])
    dispatch.reset()
    try:
        assert database.query(logical, "SELECT current_database() AS name")[0]["name"] == created
    finally:
        dispatch.reset()
    if path == "gcp-connector":  # signed in as the workload's own IAM user, with IAM, no password
        _, kwargs = FakeConnector.calls[-1]
        assert (kwargs["user"], kwargs["db"], kwargs["enable_iam_auth"]) == ("web-sa@shop.iam", created, True)


class FakeCredential:
    """Stands in for azure-identity's DefaultAzureCredential (no Entra here): its token is a password."""

    token = "eyJ" + "x" * 2400  # as long as a real Entra access token
    scopes: ClassVar[list[str]] = []

    def __init__(self, **kwargs: Any) -> None:
        return

    def get_token(self, scope: str) -> Any:
        self.scopes.append(scope)
        return type("AccessToken", (), {"token": self.token})()


def test_azure_postgres_signs_in_as_the_workload_role_with_an_entra_token(
        monkeypatch: pytest.MonkeyPatch, server_database: tuple[PostgresService, str]) -> None:
    import azure.identity

    service, logical = server_database
    _, module, source = generated("azure", "postgres", logical)
    created = str(module.attribute(*CREATES[source]))
    service.psql(f"DO $$ BEGIN CREATE ROLE web LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$; "
                 f"ALTER ROLE web PASSWORD '{FakeCredential.token}'")
    variables = workload_environment(module, "web")
    server = {k: v for k, v in service.environment().items() if k in ("PGHOST", "PGPORT")}
    _configure(monkeypatch, {**variables, **server, "PGSSLMODE": "disable", "INFRAR_PROVIDER": "azure"})
    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", FakeCredential)
    FakeCredential.scopes = []
    dispatch.reset()
    try:
        row = database.query(logical, "SELECT current_database() AS db, current_user AS role")[0]
    finally:
        dispatch.reset()
    assert (row["db"], row["role"]) == (created, "web")
    assert FakeCredential.scopes == ["https://ossrdbms-aad.database.windows.net/.default"]


def test_an_erased_program_reaches_the_created_database_too(
        monkeypatch: pytest.MonkeyPatch, server_database: tuple[PostgresService, str], tmp_path: Path) -> None:
    service, logical = server_database
    _, module, source = generated("aws", "postgres", logical)
    created = str(module.attribute(*CREATES[source]))
    mapped = {k: v for k, v in workload_environment(module, "web").items() if k.startswith("PGDATABASE_")}
    _configure(monkeypatch, {**service.environment(), **mapped})
    program = tmp_path / "erased.py"
    program.write_text(erase(f"""
        from infrar import database
        print(database.query({logical!r}, "SELECT current_database() AS name")[0]["name"])
        """, "aws"))
    assert_no_infrar(program.read_text())
    done = run(program, tmp_path / "root", blocked=True, provider="aws")  # infrar cannot be imported
    assert (done.returncode, done.stdout, done.stderr) == (0, f"{created}\n", "")


@pytest.mark.parametrize("provider", ["aws", "gcp", "azure"])
def test_a_name_rds_cannot_create_is_refused_with_its_place_and_a_fix(provider: str) -> None:
    text = PROJECT.replace("DB", "order").replace("ENGINE", "postgres")
    if provider != "aws":  # Cloud SQL and Flexible Server create a database named order
        assert "order" in generate(parse_project(text, "p.yaml"), provider, with_plugins=False)["main.tf"]
        return
    with pytest.raises(ConfigurationError, match=r"^p\.yaml:7:5: database 'order': RDS cannot create a database "
                                                 r"named 'order' \(a PostgreSQL reserved word\); rename it, "
                                                 r"e\.g\. 'order-db'$"):
        generate(parse_project(text, "p.yaml"), provider, with_plugins=False)
    generate(parse_project(text.replace("order", "orders"), "p.yaml"), provider, with_plugins=False)


@pytest.mark.parametrize(("provider", "named"), [("gcp", "INSTANCE_CONNECTION_NAME, DB_IAM_USER"),
                                               ("azure", "AZURE_SQL_CONNECTIONSTRING")])
def test_two_databases_for_one_workload_are_warned_about_naming_the_variables_of_that_cloud(
        provider: str, named: str) -> None:
    text = PROJECT.replace("uses: [DB]}\n  - {name: jobs", "uses: [DB, billing]}\n  - {name: jobs")
    text = text.replace("DB", "orders-db").replace("ENGINE", "postgres") + "  - {name: billing, type: database}\n"
    assert environment_warnings(parse_project(text, "p.yaml"), provider) == [
        f"p.yaml:3:5: warning: capability 'web' uses 2 databases (orders-db, billing) on {provider}; their variables "
        f"({named}) name one server, so it is configured for 'billing' only; split the capability or put the "
        "databases on one server"]


@pytest.mark.parametrize("provider", ["aws", "gcp", "azure"])
def test_infrar_infra_says_the_grants_must_be_run_after_apply(
        provider: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "project.yaml"
    project.write_text(PROJECT.replace("DB", "orders-db").replace("ENGINE", "postgres"))
    args = argparse.Namespace(provider=provider, project=project, output=tmp_path / "out", diff=False)
    assert cli.run(args) == 0
    said = capsys.readouterr().out
    assert "after apply, run the SQL of `tofu output -json database_grants` once" in said
    assert 'output "database_grants"' in (tmp_path / "out" / "outputs.tf").read_text()


@pytest.mark.parametrize("provider", ["aws", "gcp", "azure"])
def test_every_database_edge_of_the_full_project_has_its_own_identity_path_and_environment(provider: str) -> None:
    modules = _modules(generate(load_project(FULL), provider, with_plugins=False))
    edges = [(c, r) for c, r in _edges() if r.kind == "database"]
    assert len(edges) >= 2
    for capability, resource in edges:
        workload, database_label = _label(capability), _label(resource)
        wired = modules[database_label][CLIENTS[provider]]
        own = f'"{capability.name}"' if provider == "aws" else f"module.{workload}."  # a role, or a user by name
        assert own in str(wired), f"{capability.name}: no identity of its own"
        assert _path(provider, modules, workload, resource), f"{capability.name}: no network path"
        own_environment = f'module.{database_label}.client_environment["{capability.name}"]'
        assert own_environment in str(modules[workload]["environment"])


def _secrets(module: Module) -> dict[str, Any]:
    return dict(module.output("secret_environment")) if "secret_environment" in module.outputs else {}


@pytest.mark.parametrize(("provider", "engine"), CLOUDS)
def test_every_workload_using_the_database_has_a_path_a_role_of_its_own_and_no_secret(
        provider: str, engine: str) -> None:
    modules, module, _ = generated(provider, engine)
    label = "database_orders_db"
    resource = parse_project(PROJECT.replace("DB", "orders-db").replace("ENGINE", engine), "p.yaml").resources[0]
    grants = " ".join(module.output("grant_sql"))
    for workload in WORKLOADS:
        block = next(k for k in modules if k.endswith(f"_{workload}") and k != label)
        assert _path(provider, modules, block, resource), f"{workload}: no network path"
        env = workload_environment(module, workload)
        assert not {"PGPASSWORD", "PGPASSWORD_SECRET_ARN"} & set(env) and "PWD=" not in str(env)
        _own_role(provider, engine, module, modules[block], workload, env, grants)
    assert _secrets(module) == {}
    assert CLIENTS[provider] not in modules["api_service_other"] and "other" not in grants


def _own_role(provider: str, engine: str, module: Module, workload_block: dict[str, Any], workload: str,
              env: dict[str, str], grants: str) -> None:
    """The workload signs in as an identity the module creates for it alone, and may use the database."""
    if provider == "aws":
        statements = module.output("client_policy_statements")[workload]
        assert statements == [{"Effect": "Allow", "Action": ["rds-db:connect"], "Resource": [
            f"arn:<aws_partition.partition>:rds-db:*:<aws_caller_identity.account_id>:dbuser:"
            f"<aws_db_instance.resource_id>/{workload}"]}]
        assert f'client_policy_statements["{workload}"]' in str(workload_block["policy_statements"])
        assert env["PGUSER"] == workload and env["RDS_IAM_AUTH"] == "true"
        assert f'CREATE ROLE "{workload}" LOGIN; GRANT rds_iam TO "{workload}"' in grants
    elif provider == "gcp":
        user = f"{workload}-sa@shop.iam"
        assert env["DB_IAM_USER"] == user
        assert module.resources["google_sql_user.workload"]["type"] == '"CLOUD_IAM_SERVICE_ACCOUNT"'
        assert module.value(module.resources["google_sql_user.workload"]["for_each"], {})[workload] == user
        for binding, role in (("client", "roles/cloudsql.client"), ("instance_user", "roles/cloudsql.instanceUser")):
            body = module.resources[f"google_project_iam_member.{binding}"]
            assert module.value(body["for_each"], {})[workload] == IDENTITY["gcp"](workload)
            assert (body["member"], body["role"]) == ("${each.value}", f'"{role}"')
        assert "google_secret_manager_secret_iam_member.reader" not in module.resources
        assert f'GRANT USAGE, CREATE ON SCHEMA public TO "{user}"' in grants
    else:
        oid = IDENTITY["azure"](workload)
        if engine == "postgres":  # libpq as its own role, an Entra token as the password
            assert (env["PGUSER"], env["AZURE_POSTGRES_ENTRA"]) == (workload, "true")
            assert f"pgaadauth_create_principal_with_oid('{workload}', '{oid}', 'service'" in grants
        else:
            assert f"CREATE USER [{workload}] FROM EXTERNAL PROVIDER WITH OBJECT_ID = '{oid}'" in grants
            assert odbc.needs_token(odbc.keywords(env["AZURE_SQL_CONNECTIONSTRING"]))  # an Entra token signs in
