"""The size tables agree: for every sized resource on every cloud, the SKU `infrar cost` prices is
the one the module deploys.

Each module maps ``small``..``xlarge`` to an instance type, SKU, capacity or memory size in a
``{ small = ..., ... }[var.size]`` table of its main.tf; each cost model's ``instances:`` table
names the priced type per size. A change to one without the other fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from infrar.cost.models import SIZES, load_models

MODULES = Path(__file__).resolve().parents[2] / "modules"
_ENTRY = re.compile(r'(small|medium|large|xlarge)\s*=\s*"?([A-Za-z0-9_.-]+)"?')

# implementation -> (module, how the priced type names the deployed value)
DEPLOYS: dict[str, tuple[str, str]] = {
    "aws_eks": ("aws/eks_cluster", "type"),
    "aws_rds_postgres": ("aws/rds_postgres", "type"),
    "aws_elasticache_redis": ("aws/elasticache_redis", "type"),
    "gcp_gke": ("gcp/gke_cluster", "type"),
    "gcp_cloud_sql_postgres": ("gcp/cloud_sql_postgres", "type"),
    "gcp_memorystore_redis": ("gcp/memorystore_redis", "gb"),  # "M2 6 GB": 6 GB
    "azure_aks": ("azure/aks_cluster", "type"),
    "azure_postgres_flexible": ("azure/postgres_flexible", "type"),
    "azure_sql_database": ("azure/mssql_database", "type"),  # "S1 (20 DTU)": S1
    "azure_cache_redis": ("azure/redis_cache", "capacity"),  # "C3 6 GB": capacity 3
}


def deployed(module: str) -> dict[str, str]:
    """size -> value of the module's size table."""
    text = (MODULES / module / "main.tf").read_text()
    table = re.search(r"\{([^{}]*small[^{}]*)\}\[var\.(?:node_)?size\]", text)
    assert table is not None, f"{module}: no {{ small = ... }}[var.size] table in main.tf"
    return dict(_ENTRY.findall(table.group(1)))


def priced_as(kind: str, type_name: str) -> str:
    if kind == "gb":
        return type_name.split()[1]
    if kind == "capacity":
        return type_name.split()[0].lstrip("C")
    return type_name.split()[0]


def test_every_sized_implementation_is_checked() -> None:
    sized = {i.id for m in load_models(include_plugins=False).values()
             for i in m.implementations.values() if i.instances}
    assert sized == set(DEPLOYS)


@pytest.mark.parametrize("impl_id", sorted(DEPLOYS))
def test_priced_sku_is_the_deployed_one(impl_id: str) -> None:
    impl = next(i for m in load_models(include_plugins=False).values()
                for i in m.implementations.values() if i.id == impl_id)
    module, kind = DEPLOYS[impl_id]
    table = deployed(module)
    assert set(table) == set(SIZES)
    assert {s: priced_as(kind, str(impl.instances[s]["type"])) for s in SIZES} == table


def _price(impl_id: str, name: str) -> float:
    impl = next(i for m in load_models(include_plugins=False).values()
                for i in m.implementations.values() if i.id == impl_id)
    return impl.prices[name]


def test_node_counts_are_priced_as_deployed() -> None:
    # AKS: every pool runs node_count nodes of the priced size; each is priced
    aks = (MODULES / "azure/aks_cluster/main.tf").read_text()
    pools = aks.count("node_count                   = var.node_count") + aks.count(
        "node_count              = var.node_count")
    assert pools == len(re.findall(r"default_node_pool \{|azurerm_kubernetes_cluster_node_pool\" ", aks)) == 2
    assert _price("azure_aks", "node_pools") == pools
    # GKE: the node pool is regional (node_count nodes in each of three zones)
    gke = (MODULES / "gcp/gke_cluster/main.tf").read_text()
    pool = gke.split('resource "google_container_node_pool" "this" {')[1].split("\n}\n")[0]
    assert "location   = var.region" in pool and "node_locations" not in pool
    assert _price("gcp_gke", "zones") == 3
    # the priced OS disk is the managed 128 GB one the AKS pools have
    assert aks.count("os_disk_size_gb") == 2 and "Ephemeral" not in aks


# implementation -> module whose billable extras (KMS keys, secrets, scheduler jobs) it prices
EXTRAS: dict[str, str] = {
    "aws_ecs_fargate_alb": "aws/ecs_service", "aws_ecs_worker": "aws/ecs_service", "aws_eks": "aws/eks_cluster",
    "aws_s3": "aws/s3_bucket", "aws_rds_postgres": "aws/rds_postgres", "aws_elasticache_redis": "aws/elasticache_redis",
    "gcp_cloud_sql_postgres": "gcp/cloud_sql_postgres", "gcp_memorystore_redis": "gcp/memorystore_redis",
    "gcp_cloud_run_job": "gcp/cloud_run_job",
}


@pytest.mark.parametrize("impl_id", sorted(EXTRAS))
def test_keys_secrets_and_scheduler_jobs_deployed_are_priced(impl_id: str) -> None:
    impl = next(i for m in load_models(include_plugins=False).values()
                for i in m.implementations.values() if i.id == impl_id)
    text = "".join(p.read_text() for p in (MODULES / EXTRAS[impl_id]).glob("*.tf"))
    names = impl.formula.names if impl.formula else frozenset()
    assert (text.count('resource "aws_kms_key"') == 1) == ("kms_key_month" in names)
    # RDS keeps its master password in a secret it creates itself (manage_master_user_password)
    aws_secrets = text.count('resource "aws_secretsmanager_secret" ') + ("manage_master_user_password" in text)
    assert (aws_secrets == 1) == ("secret_month" in names)
    gcp_secrets = text.count('resource "google_secret_manager_secret" ')
    assert gcp_secrets == (impl.prices.get("secrets", 1) if "secret_version_month" in names else 0)
    assert ("google_cloud_scheduler_job" in text) == ("scheduler_job_month" in names)


def test_cloud_run_billing_mode_is_priced_as_deployed() -> None:
    service = (MODULES / "gcp/cloud_run_service/main.tf").read_text()
    assert "cpu_idle = var.cpu < 1" in service  # request-based billing below one vCPU only
    impl = load_models(include_plugins=False)["gcp"].implementations["gcp_cloud_run"]
    assert impl.formula is not None and "fractional_cpu" in impl.formula.names
    from infrar.cost.estimate import estimate
    from infrar.infra.project import parse_project

    text = ("capabilities:\n  - {name: half, type: web_application, config: {container_image: x, cpu: 0.5}}\n"
            "  - {name: whole, type: web_application, config: {container_image: x, cpu: 1}}\n"
            "usage:\n  half: {monthly_requests: 0, egress_gb: 0}\n  whole: {monthly_requests: 0, egress_gb: 0}\n")
    a, b = estimate(parse_project(text), providers=["gcp"]).lines
    assert a.monthly == pytest.approx(730 * 3600 * (0.5 * 0.000024 + 1 * 0.0000025))
    assert b.monthly == pytest.approx(730 * 3600 * (1 * 0.000018 + 1 * 0.000002))


def test_private_endpoints_and_dns_zones_of_a_synapse_workspace_are_priced_as_deployed() -> None:
    import hcl2

    files = [hcl2.loads(path.read_text()) for path in sorted((MODULES / "azure/synapse_workspace").glob("*.tf"))]
    local = {name: value for file in files for block in file.get("locals", []) for name, value in block.items()}
    deployed = 0  # every azurerm_private_endpoint of the module: one, or one per entry of its for_each local
    for file in files:
        for block in file.get("resource", []):
            for body in block.get('"azurerm_private_endpoint"', {}).values():
                each = str(body.get("for_each", ""))
                assert each in ("", "${local.workspace_endpoints}", "${local.lake_endpoints}"), each
                deployed += len(local[each[len("${local."):-1]]) if each else 1
    assert _price("azure_synapse", "private_endpoints") == deployed == 4  # SqlOnDemand, Dev; the lake's dfs, blob
    zones = hcl2.loads((MODULES / "azure/private_dns_zones/main.tf").read_text())["locals"][0]
    assert _price("azure_synapse", "synapse_dns_zones") == len(zones["synapse"]) == 3
    assert _price("azure_synapse", "dns_zones") == len(zones["storage_and_databases"]) == 4
    impl = load_models(include_plugins=False)["azure"].implementations["azure_synapse"]
    assert impl.formula is not None and "private_endpoint_hour" in impl.formula.names
