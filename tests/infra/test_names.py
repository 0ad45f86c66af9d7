"""Deployed names: prefixed by project and environment, unique where the service's names are global,
within each service's length and character rules, and carried to the adapters.

The name expressions of each module are evaluated by ``terraform console`` (no provider needed:
the module's ``locals`` are copied into an empty configuration, its data sources replaced by
literals), for a short and a longest-possible name. The variable each bucket module puts in the
workloads' environment is the one ``infrar.providers._names`` reads (the moto apply in
test_terraform.py proves the whole path on AWS).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import hcl2
import pytest

from infrar.infra.generate import generate
from infrar.infra.project import load_project, parse_project
from infrar.providers._names import name_variable

MODULES = Path(__file__).resolve().parents[2] / "modules"
FULL_PROJECT = Path(__file__).parent / "full_project.yaml"
BINARY = shutil.which("tofu") or shutil.which("terraform")
LONGEST = "a" * 38 + "-z"  # project.yaml names: at most 40 characters
DATA = {"data.aws_caller_identity.current.account_id": '"123456789012"',
        "data.azurerm_client_config.current.subscription_id": '"00000000-0000-0000-0000-000000000000"'}
# module -> (local holding the deployed name, max length, pattern of the service, globally unique)
RULES: dict[str, tuple[str, int, str, bool]] = {
    "aws/s3_bucket": ("bucket", 63, r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$", True),
    "gcp/gcs_bucket": ("bucket", 63, r"^[a-z0-9][a-z0-9._-]*[a-z0-9]$", True),
    "aws/elasticache_redis": ("physical", 31, r"^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$", False),
    "gcp/memorystore_redis": ("physical", 40, r"^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$", False),
    "azure/redis_cache": ("physical", 63, r"^[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$", True),
    "gcp/cloud_run_service": ("physical", 49, r"^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$", False),
    "gcp/cloud_run_job": ("physical", 49, r"^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$", False),
    "gcp/cloud_run_worker_pool": ("physical", 49, r"^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$", False),
    "gcp/gke_cluster": ("physical", 40, r"^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$", False),
    "azure/container_app": ("physical", 32, r"^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$", False),
    "azure/container_app_job": ("physical", 32, r"^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$", False),
    "azure/aks_cluster": ("physical", 54, r"^[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$", False),
    "aws/rds_postgres": ("identifier", 63, r"^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$", False),
    "gcp/cloud_sql_postgres": ("instance", 63, r"^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$", False),
    "azure/mssql_database": ("server", 63, r"^[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$", True),
    "azure/postgres_flexible": ("server", 63, r"^[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$", True),
    # queues and topics: room left for "-dead-letter" (and SQS's ".fifo") within the service's limit
    "aws/sqs_queue": ("physical", 80 - len("-dead-letter.fifo"), r"^[a-zA-Z0-9_-]+$", False),
    "aws/sns_topic": ("physical", 256, r"^[a-zA-Z0-9_-]+$", False),
    "gcp/pubsub_queue": ("physical", 255 - len("-dead-letter"), r"^[a-zA-Z][a-zA-Z0-9._~%+-]{2,}$", False),
    "gcp/pubsub_topic": ("physical", 255, r"^[a-zA-Z][a-zA-Z0-9._~%+-]{2,}$", False),
    "azure/servicebus_queue": ("physical", 260 - len("-dead-letter"), r"^[a-zA-Z0-9][a-zA-Z0-9._-]*$", False),
    "azure/servicebus_topic": ("physical", 260, r"^[a-zA-Z0-9][a-zA-Z0-9._-]*$", False),
}
# modules whose service account id is made from the deployed name: 6-30 characters
ACCOUNTS = ("gcp/cloud_run_service", "gcp/cloud_run_job", "gcp/cloud_run_worker_pool", "gcp/gke_cluster")


def _config(module: str, prefix: str, name: str) -> str:
    """A configuration of ``module``'s locals alone, for ``name_prefix``/``name``."""
    names = MODULES / module / "names.tf"  # the modules whose names are all there keep them apart
    text = (names if names.is_file() else MODULES / module / "main.tf").read_text()
    blocks = re.findall(r"^locals \{\n.*?^\}\n", text, re.MULTILINE | re.DOTALL)
    body = "\n".join(blocks)
    for reference, literal in DATA.items():
        body = body.replace(reference, literal)
    body = re.sub(r"\[var\.size\]", '["small"]', body)
    return (f'variable "name" {{\n  default = "{name}"\n}}\nvariable "name_prefix" {{\n  default = "{prefix}"\n}}\n'
              'variable "project_id" {\n  default = "my-project"\n}\n'
              'variable "resource_group_name" {\n  default = "rg"\n}\n' + body)


Evaluate = Callable[[str, str, str, str], str]


@pytest.fixture(scope="module")
def evaluate(tmp_path_factory: pytest.TempPathFactory) -> Evaluate:
    """``local.<local>`` of a module for a ``name_prefix`` and ``name``, as terraform evaluates it."""
    if BINARY is None:
        pytest.skip("neither tofu nor terraform is installed")

    def run(module: str, prefix: str, name: str, local: str) -> str:
        assert BINARY is not None
        directory = tmp_path_factory.mktemp("names")
        (directory / "main.tf").write_text(_config(module, prefix, name))
        done = subprocess.run([BINARY, f"-chdir={directory}", "console"], input=f"local.{local}\n",
                              capture_output=True, text=True, timeout=120, env={"CHECKPOINT_DISABLE": "1",
                                                                                 "PATH": "/usr/bin:/bin"})
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().strip('"')
    return run


@pytest.mark.parametrize("module", sorted(RULES))
def test_deployed_names_are_prefixed_unique_and_valid(module: str, evaluate: Evaluate) -> None:
    local, limit, pattern, global_name = RULES[module]
    short = evaluate(module, "shop-prod-", "uploads", local)
    assert short.startswith("shop-prod-uploads")
    if global_name:  # a hash of the account / project / subscription: two deployments, two names
        assert re.fullmatch(r"shop-prod-uploads-[0-9a-f]{8}", short), short
    else:
        assert short == "shop-prod-uploads"
    longest = evaluate(module, f"{LONGEST}-staging-", LONGEST, local)
    other = evaluate(module, f"{LONGEST}-staging-", LONGEST[:-1] + "y", local)
    for name in (short, longest, other):
        assert len(name) <= limit and re.fullmatch(pattern, name), (module, name)
    assert longest != other  # cut names keep a hash of the whole name
    if module in ACCOUNTS:
        accounts = {evaluate(module, p, n, "account_id") for p, n in (("shop-prod-", "uploads"),
                                                                       (f"{LONGEST}-staging-", LONGEST),
                                                                       (f"{LONGEST}-staging-", LONGEST[:-1] + "y"))}
        assert len(accounts) == 3 and all(6 <= len(a) <= 30 and re.fullmatch(pattern, a) for a in accounts), accounts


def test_the_service_bus_namespace_is_the_deployments_own(evaluate: Evaluate) -> None:
    """One namespace per deployment: <project>-<environment>-bus and a hash, a global host name of 6-50."""
    short = evaluate("azure/servicebus_namespace", "shop-prod-", "unused", "physical")
    assert re.fullmatch(r"shop-prod-bus-[0-9a-f]{8}", short), short
    longest = evaluate("azure/servicebus_namespace", f"{LONGEST}-staging-", "unused", "physical")
    other = evaluate("azure/servicebus_namespace", f"{LONGEST}-stagins-", "unused", "physical")
    for name in (short, longest, other):
        assert 6 <= len(name) <= 50 and re.fullmatch(r"^[a-z][a-z0-9-]*[a-z0-9]$", name), name
    assert longest != other


@pytest.mark.parametrize("provider", ["aws", "gcp", "azure"])
def test_each_bucket_module_hands_its_deployed_name_to_the_adapters(provider: str) -> None:
    files = generate(load_project(FULL_PROJECT), provider, with_plugins=False)
    module = {"aws": "s3_bucket", "gcp": "gcs_bucket", "azure": "blob_container"}[provider]
    outputs = {name.strip('"'): body for block in hcl2.loads(files[f"modules/{module}/outputs.tf"])["output"]
               for name, body in block.items()}
    ((key, value),) = outputs["environment"]["value"].items()
    # the key: upper(replace(var.name, "/[^a-zA-Z0-9]/", "_")) after BUCKET_NAME_, as name_variable makes it
    assert key == '"BUCKET_NAME_${upper(replace(var.name, "/[^a-zA-Z0-9]/", "_"))}"'
    for logical in ("shop-uploads", "scratch-files"):
        assert "BUCKET_NAME_" + re.sub(r"[^a-zA-Z0-9]", "_", logical).upper() == name_variable("bucket", logical)
    # the value: the deployed bucket's own name, the one the connection output reports
    assert value == outputs["connection"]["value"]["name"]
    main = hcl2.loads(files["main.tf"])
    labels = {label for block in main["module"] for label in block}
    assert {'"bucket_shop_uploads"', "bucket_shop_uploads"} & labels
    workload = " ".join(files["main.tf"].split())
    assert "module.bucket_shop_uploads.environment" in workload  # web uses shop-uploads: it gets the variable


def test_the_clusters_of_one_deployment_get_distinct_control_plane_ranges() -> None:
    text = ("name: shop\ncapabilities:\n  - {name: platform, type: container_orchestrator, uses: []}\n"
            "  - {name: batch, type: container_orchestrator, uses: []}\n")
    files = generate(parse_project(text, "p.yaml"), "gcp", with_plugins=False)
    main = " ".join(files["main.tf"].split())
    assert "cluster_index = 0" in main and "cluster_index = 1" in main
    gke = " ".join(files["modules/gke_cluster/main.tf"].split())
    # a block of 16 /28s per deployment (its prefix), a slot per cluster in it
    assert 'sha1("${var.project_id}/${var.name_prefix}"), 0, 2), 16) * 16 + var.cluster_index' in gke


def test_gcp_observability_matches_the_deployed_cloud_run_names(evaluate: Evaluate, tmp_path: Path) -> None:
    """Its filter names Cloud Run resources by their labels, which carry the deployed names."""
    assert BINARY is not None
    text = (MODULES / "gcp/observability/main.tf").read_text()
    (body,) = re.findall(r"^locals \{\n.*?^\}\n", text, re.MULTILINE | re.DOTALL)
    services = ["web", LONGEST, LONGEST[:-1] + "y"]
    prefix = f"{LONGEST}-staging-"
    (tmp_path / "main.tf").write_text(
        f'variable "services" {{\n  default = {json.dumps(services)}\n}}\n'
        f'variable "name_prefix" {{\n  default = "{prefix}"\n}}\n'
        'variable "project_id" {\n  default = "p"\n}\nvariable "namespace" {\n  default = "n"\n}\n' + body)
    done = subprocess.run([BINARY, f"-chdir={tmp_path}", "console"], input="jsonencode(local.deployed)\n",
                          capture_output=True, text=True, timeout=120, env={"CHECKPOINT_DISABLE": "1",
                                                                             "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    deployed = json.loads(json.loads(done.stdout.strip()))
    assert deployed == [evaluate("gcp/cloud_run_service", prefix, s, "physical") for s in services]


@pytest.mark.parametrize("provider", ["aws", "gcp", "azure"])
def test_the_observability_stores_are_the_deployments_own(provider: str) -> None:
    text = ("name: shop\nobservability: {}\ncapabilities:\n"
            "  - {name: web, type: web_application, config: {container_image: x}, uses: []}\n")
    files = generate(parse_project(text, "p.yaml"), provider, with_plugins=False)
    modules = {label.strip('"'): body for block in hcl2.loads(files["main.tf"])["module"]
               for label, body in block.items()}
    assert modules["observability"]["name_prefix"] == "${local.name_prefix}"
    module = " ".join("".join(v for k, v in files.items() if k.startswith("modules/observability/")).split())
    expected = {"aws": 'trimsuffix(var.name_prefix, "-")', "gcp": 'bucket_id = "${var.name_prefix}logs"',
                "azure": 'name = "${local.base}logs"'}[provider]
    assert expected in module


def test_the_warehouse_job_accounts_are_the_deployments_own(evaluate: Evaluate) -> None:
    """BigQuery's job and scheduler service accounts: prefixed, 6-30 characters, distinct when cut."""
    cases = (("shop-prod-", "sales_events"), ("shop-staging-", "sales_events"),
             (f"{LONGEST}-staging-", LONGEST), (f"{LONGEST}-staging-", LONGEST[:-1] + "y"))
    for local, suffix in (("job_account_id", "-job"), ("scheduler_account_id", "-sched")):
        ids = [evaluate("gcp/bigquery_dataset", p, n, local) for p, n in cases]
        assert ids[0] == f"shop-prod-sales-events{suffix}" and ids[1].startswith("shop-staging-")  # ids[1] is cut
        assert len(set(ids)) == 4, ids
        assert all(6 <= len(i) <= 30 and i.endswith(suffix) and re.fullmatch(r"^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$", i)
                   for i in ids), ids


def _zones(tmp_path: Path, existing: dict[str, str], link: bool,
           kinds: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """``[created, linked]`` of azure/private_dns_zones for ``existing_private_dns_zone_ids`` and ``kinds``."""
    assert BINARY is not None
    module = MODULES / "azure/private_dns_zones"
    (body,) = re.findall(r"^locals \{\n.*?^\}\n", (module / "main.tf").read_text(), re.MULTILINE | re.DOTALL)
    variables = (module / "variables.tf").read_text()  # with their validation blocks
    for variable, value in (("existing_private_dns_zone_ids", json.dumps(existing)),
                            ("link_existing_private_dns_zones", str(link).lower()),
                            ("kinds", json.dumps(list(kinds)))):
        variables, count = re.subn(rf'(variable "{variable}" {{\n(?:.*\n)*?)  default     = .*\n',
                                   rf"\g<1>  default     = {value}\n", variables)
        assert count == 1, variable
    (tmp_path / "main.tf").write_text(variables + body)
    return subprocess.run([BINARY, f"-chdir={tmp_path}", "console"],
                          input="jsonencode([local.created, local.linked])\n", capture_output=True, text=True,
                          timeout=120, env={"CHECKPOINT_DISABLE": "1", "PATH": "/usr/bin:/bin"})


def test_a_second_deployment_in_a_resource_group_takes_the_existing_private_dns_zones(
        evaluate: Evaluate, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Zone names are fixed (privatelink.<domain>): the second deployment reuses them and links its network."""
    sql = ("/subscriptions/0/resourceGroups/Shared-RG/providers/Microsoft.Network/privateDnsZones/"
           "privatelink.database.windows.net")
    done = _zones(tmp_path_factory.mktemp("zones"), {"sql": sql}, link=True)
    assert done.returncode == 0, done.stderr
    created, linked = json.loads(json.loads(done.stdout.strip()))
    assert sorted(created) == ["blob", "postgres", "redis"]  # sql is the existing zone, not created again
    dfs = sql.replace("privatelink.database.windows.net", "privatelink.dfs.core.windows.net")
    done = _zones(tmp_path_factory.mktemp("zones"), {"sql": sql, "dfs": dfs}, link=True, kinds=("bucket", "warehouse"))
    assert done.returncode == 0, done.stderr  # with a warehouse, the Synapse zones and the lake's dfs too
    with_warehouse = json.loads(json.loads(done.stdout.strip()))
    assert sorted(with_warehouse[0]) == ["blob", "postgres", "redis", "synapse_dev", "synapse_sql"]
    assert sorted(with_warehouse[1]) == ["dfs", "sql"]
    done = _zones(tmp_path_factory.mktemp("zones"), {}, link=True)
    assert done.returncode == 0, done.stderr  # no warehouse: no zone of Synapse or its lake
    assert sorted(json.loads(json.loads(done.stdout.strip()))[0]) == ["blob", "postgres", "redis", "sql"]
    assert linked == {"sql": {"name": "privatelink.database.windows.net", "resource_group": "Shared-RG"}}
    done = _zones(tmp_path_factory.mktemp("zones"), {"sql": sql}, link=False)  # already resolves in this network
    assert done.returncode == 0, done.stderr
    assert json.loads(json.loads(done.stdout.strip()))[1] == {}
    done = _zones(tmp_path_factory.mktemp("zones"), {"sql": "privatelink.database.windows.net"}, link=True)
    assert done.returncode != 0 and "existing_private_dns_zone_ids takes private DNS zone ids" in done.stderr
    zones = hcl2.loads((MODULES / "azure/private_dns_zones/main.tf").read_text())["resource"]
    links = [body for block in zones for kind, named in block.items()
             if kind.strip('"') == "azurerm_private_dns_zone_virtual_network_link" for body in named.values()]
    assert len(links) == 2 and all(link["name"].strip('"') == "${var.name_prefix}${each.key}-link" for link in links)
    outputs = (MODULES / "azure/private_dns_zones/outputs.tf").read_text()
    assert "var.existing_private_dns_zone_ids)" in outputs  # the private endpoints get the existing zones' ids


def test_a_second_deployment_in_a_network_takes_its_private_services_connection() -> None:
    """A network has one service networking connection: with one given, no range and no connection are created."""
    module = MODULES / "gcp/private_services"
    resources = {kind.strip('"'): body for block in hcl2.loads((module / "main.tf").read_text())["resource"]
                 for kind, named in block.items() for body in named.values()}
    given = "var.existing_private_services_connection"
    for kind in ("google_compute_global_address", "google_service_networking_connection"):
        assert resources[kind]["count"] == f'${{{given} == "" ? 1 : 0}}', kind
    (output,) = hcl2.loads((module / "outputs.tf").read_text())["output"]
    value = {k.strip('"'): v for k, v in output.items()}["connection"]["value"]
    assert value == f'${{{given} == "" ? google_service_networking_connection.this[0].id : {given}}}'
