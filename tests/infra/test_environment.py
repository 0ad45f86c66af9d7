"""The variables a generated root module gives each workload are the ones the adapters read.

A project with a database and two caches is generated for each cloud; each workload's
``environment`` (plain) and ``secret_environment`` (injected by the platform) are collected from
the outputs of the modules of the resources it uses, and compared with (1) the exact set each
cloud's adapters are configured by (documented in docs/infra.md) and (2) what the adapters
declare in their plugin.yaml ``variables`` or read in their source (``os.environ`` lookups in
``infrar/providers/<p>/``, ``REDIS_URL_<CACHE>`` of ``infrar.cache.redis_ops.url_variable``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import hcl2
import pytest

from infrar import plugins
from infrar.cache.redis_ops import url_variable
from infrar.errors import ConfigurationError
from infrar.infra.generate import environment_warnings, generate
from infrar.infra.project import parse_project

ROOT = Path(__file__).resolve().parents[2]
PROJECT = """\
name: shop
capabilities:
  - {name: web, type: web_application, config: {container_image: x}, uses: [orders, sessions]}
  - {name: jobs, type: background_worker, config: {container_image: x}, uses: [rate-limits]}
resources:
  - {name: orders, type: database}
  - {name: sessions, type: cache}
  - {name: rate-limits, type: cache}
"""
NATIVE = {"aws": {"AWS_REGION", "AWS_DEFAULT_REGION"}, "gcp": {"GOOGLE_CLOUD_PROJECT"}, "azure": {"AZURE_CLIENT_ID"}}
# What each workload is configured with, beyond the native variables: plain, then secret.
EXPECTED: dict[str, dict[str, tuple[set[str], set[str]]]] = {
    "aws": {
        # PGUSER: the workload's own database role (client_environment), signed in with IAM tokens
        "web": ({"PGDATABASE_ORDERS", "PGHOST", "PGPORT", "PGUSER", "PGSSLMODE", "RDS_IAM_AUTH"},
                {"REDIS_URL_SESSIONS"}),
        "jobs": (set(), {"REDIS_URL_RATE_LIMITS"}),
    },
    "gcp": {
        # the Cloud SQL connector, as the workload's own IAM database user (DB_IAM_USER): no password
        "web": ({"PGDATABASE_ORDERS", "INSTANCE_CONNECTION_NAME", "PRIVATE_IP", "DB_IAM_USER",
                 "REDIS_CA_FILE_SESSIONS"}, {"REDIS_URL_SESSIONS"}),
        "jobs": ({"REDIS_CA_FILE_RATE_LIMITS"}, {"REDIS_URL_RATE_LIMITS"}),
    },
    "azure": {
        # libpq as the workload's own Entra role (PGUSER), an Entra token as the password
        "web": ({"PGDATABASE_ORDERS", "PGHOST", "PGPORT", "PGUSER", "PGSSLMODE", "AZURE_POSTGRES_ENTRA"},
                {"REDIS_URL_SESSIONS"}),
        "jobs": (set(), {"REDIS_URL_RATE_LIMITS"}),
    },
}
_ENVIRON = re.compile(r"""environ(?:\.get\(|\[)\s*["']([A-Z][A-Z0-9_]+)["']""")


def _unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def _outputs(files: dict[str, str], module: str) -> dict[str, Any]:
    parsed = hcl2.loads(files[f"modules/{module}/outputs.tf"])
    return {_unquote(n): body for block in parsed.get("output", []) for n, body in block.items()}


def _keys(value: Any, resource: str) -> set[str]:
    """The variable names of a module output's map; ``(local.url_variable)`` is the cache's."""
    if not isinstance(value, dict):
        return set()
    return {url_variable(resource) if "url_variable" in key else
            ca_variable(resource) if "ca_variable" in key else
            database_variable(resource) if "database_variable" in key else _unquote(key).strip("()") for key in value}


def ca_variable(cache: str) -> str:
    """``REDIS_CA_FILE_<CACHE>``: the server CA of one Memorystore instance (infrar/providers/gcp/_clients/redis.py)."""
    return url_variable(cache).replace("REDIS_URL_", "REDIS_CA_FILE_", 1)


def database_variable(database: str) -> str:
    """``PGDATABASE_<DATABASE>``: the database's name on the server (``infrar.database.rules.server_name``)."""
    return "PGDATABASE_" + "".join(ch if ch.isalnum() else "_" for ch in database.upper())


def configured(provider: str, engine: str = "postgres") -> dict[str, tuple[set[str], set[str]]]:
    """workload -> (plain variable names, secret variable names) from the generated modules."""
    text = PROJECT.replace("type: database}", f"type: database, engine: {engine}}}")
    files = generate(parse_project(text, "p.yaml"), provider, with_plugins=False)
    main = hcl2.loads(files["main.tf"])
    modules = {_unquote(label): body for block in main["module"] for label, body in block.items()}
    result: dict[str, tuple[set[str], set[str]]] = {}
    for workload in ("web", "jobs"):
        body = modules[next(label for label in modules if label.endswith(f"_{workload}"))]
        plain: set[str] = set()
        secret: set[str] = set()
        for wire, found in (("environment", plain), ("secret_environment", secret)):
            for ref, output in re.findall(r"module\.([a-z0-9_]+)\.([a-z_]+)", str(body.get(wire, ""))):
                resource = _unquote(modules[ref]["name"])
                source = _unquote(modules[ref]["source"]).removeprefix("./modules/")
                value = _outputs(files, source)[output]["value"]
                if output == "client_environment":  # {for role in var.client_roles : role => {...}}
                    found |= set(re.findall(r"([A-Z][A-Z0-9_]+) =", str(value)))
                else:
                    found |= _keys(value, resource)
        assert "local.environment" in str(body["environment"])  # the native variables come first
        result[workload] = (plain, secret)
    return result


def adapter_variables(provider: str) -> set[str]:
    """What the adapters of ``provider`` declare or read themselves (libpq reads the PG* ones)."""
    declared = set(plugins.native_variables(provider))
    source = "".join(p.read_text() for p in (ROOT / "infrar" / "providers" / provider).rglob("*.py"))
    read = {url_variable(n) for n in ("sessions", "rate-limits")}
    if '"REDIS_CA_FILE_" + url_variable(cache)' in source:
        read |= {ca_variable(n) for n in ("sessions", "rate-limits")}
    if "server_name(" in source:  # infrar.database.rules.server_name reads PGDATABASE_<DATABASE>
        read.add(database_variable("orders"))
    return declared | set(_ENVIRON.findall(source)) | read


@pytest.mark.parametrize("provider", ["aws", "gcp", "azure"])
def test_each_workload_gets_exactly_what_its_resources_need(provider: str) -> None:
    assert configured(provider) == EXPECTED[provider]


@pytest.mark.parametrize("provider", ["aws", "gcp", "azure"])
def test_the_adapters_read_every_variable_the_workloads_get(provider: str) -> None:
    wanted = set().union(*(plain | secret for plain, secret in configured(provider).values()))
    assert wanted - adapter_variables(provider) == set()
    assert NATIVE[provider] <= adapter_variables(provider) | {"AZURE_CLIENT_ID"}


def test_azure_sqlserver_engine_is_azure_sql_with_its_connection_string() -> None:
    web = configured("azure", "sqlserver")["web"]
    assert web == ({"AZURE_SQL_CONNECTIONSTRING"}, {"REDIS_URL_SESSIONS"})
    assert {"AZURE_SQL_CONNECTIONSTRING"} | web[1] <= adapter_variables("azure") | {"AZURE_SQL_CONNECTIONSTRING"}


@pytest.mark.parametrize("provider", ["aws", "gcp", "azure"])
def test_engine_selects_the_module_or_is_refused_with_the_allowed_values(provider: str) -> None:
    files = generate(parse_project(PROJECT, "p.yaml"), provider, with_plugins=False)
    expected = {"aws": "rds_postgres", "gcp": "cloud_sql_postgres", "azure": "postgres_flexible"}[provider]
    assert f'source = "./modules/{expected}"' in " ".join(files["main.tf"].split())
    sql = PROJECT.replace("type: database}", "type: database, engine: sqlserver}")
    if provider == "azure":
        assert "modules/mssql_database/main.tf" in generate(parse_project(sql, "p.yaml"), provider)
        return
    with pytest.raises(ConfigurationError, match=rf"p\.yaml:6:5: engine 'sqlserver' is not available for a "
                                                 rf"database on {provider}; allowed: postgres"):
        generate(parse_project(sql, "p.yaml"), provider)


def test_the_root_outputs_every_variable_and_keeps_secret_ones_sensitive() -> None:
    files = generate(parse_project(PROJECT, "p.yaml"), "gcp", with_plugins=False)
    outputs = " ".join(files["outputs.tf"].split())
    assert "module.database_orders.environment" in outputs and "module.cache_sessions.secret_environment" in outputs
    assert 'output "secret_environment" {' in outputs and "sensitive = true" in outputs


def test_two_databases_for_one_workload_are_warned_about() -> None:
    text = PROJECT.replace("uses: [orders, sessions]", "uses: [orders, billing]") + \
        "  - {name: billing, type: database}\n"
    warnings = environment_warnings(parse_project(text, "p.yaml"), "aws")
    assert warnings == ["p.yaml:3:5: warning: capability 'web' uses 2 databases (orders, billing) on aws; their "
                        "variables (PGHOST, PGUSER ...) name one server, so it is configured for 'billing' only; "
                        "split the capability or put the databases on one server"]
    assert environment_warnings(parse_project(PROJECT, "p.yaml"), "gcp") == []


def test_azure_sql_grant_statements_reach_the_root_outputs() -> None:
    sql = PROJECT.replace("type: database}", "type: database, engine: sqlserver}")
    outputs = " ".join(generate(parse_project(sql, "p.yaml"), "azure", with_plugins=False)["outputs.tf"].split())
    assert 'output "database_grants" {' in outputs and "orders = module.database_orders.grant_sql" in outputs
    postgres = " ".join(generate(parse_project(PROJECT, "p.yaml"), "azure", with_plugins=False)["outputs.tf"].split())
    assert "orders = module.database_orders.grant_sql" in postgres  # Flexible Server: an Entra role per workload
