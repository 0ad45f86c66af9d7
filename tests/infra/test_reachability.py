"""Every `uses:` edge of a generated project has a network path and an IAM grant, on every cloud.

For each capability and each resource it uses, the generated main.tf must wire:
- the grant: AWS, the resource's ``policy_statements`` into the workload's (for a database, the
  statements of the workload's own role, which the database creates; for a cache,
  whose password is in a secret, that secret into the workload's ``secret_environment``); GCP, the
  workload's ``member`` into the resource's ``members``; Azure, the workload's ``principal_id``
  into the resource's ``principal_ids`` (or the resource's secret into ``secret_environment``);
- the network path to a private resource (database, cache): AWS, the workload's security group
  admitted by the resource's and the resource's port in the workload's ``egress_ports``; GCP,
  the workload in ``network_id`` (Direct VPC egress) and the resource created after private
  services access; Azure, the database or cache reached through a private endpoint with its DNS zone, from
  a Container Apps environment inside the virtual network (or AKS nodes in ``subnet_id``); on
  Azure buckets and warehouses too: their storage account and Synapse workspace have public network
  access off, hence a blob private endpoint, and the workspace's serverless SQL and development and
  its lake's dfs and blob endpoints, each registered in a zone the shared module links to the network.
Public-endpoint services (queues, topics; buckets and warehouses on AWS and GCP, reached with IAM
grants) need no path beyond HTTPS egress, which every workload has.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hcl2
import pytest

from infrar.infra.generate import generate
from infrar.infra.project import Capability, Resource, load_project

FULL = Path(__file__).parent / "full_project.yaml"
MODULES = Path(__file__).resolve().parents[2] / "modules"
PRIVATE = {"aws": ("database", "cache"), "gcp": ("database", "cache"),
           "azure": ("database", "cache", "bucket", "warehouse")}


def _unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def _modules(files: dict[str, str]) -> dict[str, dict[str, Any]]:
    main = hcl2.loads(files["main.tf"])
    return {_unquote(label): body for block in main["module"] for label, body in block.items()}


def _label(entry: Capability | Resource) -> str:
    return f"{entry.kind}_{entry.name}".replace("-", "_")


def _edges() -> list[tuple[Capability, Resource]]:
    project = load_project(FULL)
    by_name = {r.name: r for r in project.resources}
    return [(c, by_name[n]) for c in project.capabilities for n in (c.uses or ())]


def workload_name(modules: dict[str, dict[str, Any]], workload: str) -> str:
    return _unquote(str(modules[workload].get("name", "")))


def _grant(provider: str, modules: dict[str, dict[str, Any]], workload: str, resource: Resource) -> bool:
    w, r = modules[workload], modules[_label(resource)]
    secret = f"module.{_label(resource)}.secret_environment" in str(w.get("secret_environment", ""))
    if provider == "aws":
        statements = str(w.get("policy_statements", ""))
        own = f'module.{_label(resource)}.client_policy_statements["{workload_name(modules, workload)}"]'
        role = workload_name(modules, workload) in str(r.get("client_roles", ""))
        if resource.kind == "database":  # its own database role, by IAM authentication
            return own in statements and role
        return f"module.{_label(resource)}.policy_statements" in statements or secret
    if provider == "gcp":  # a database makes a user per workload from client_members
        return f"module.{workload}.member" in str(r.get("members", "")) + str(r.get("client_members", ""))
    granted = str(r.get("principal_ids", "")) + str(r.get("client_principals", ""))
    return f"module.{workload}.principal_id" in granted or secret


def _path(provider: str, modules: dict[str, dict[str, Any]], workload: str, resource: Resource) -> bool:
    w, r = modules[workload], modules[_label(resource)]
    if resource.kind == "bucket":  # Azure: the containers' one storage account is the private one
        r = modules["storage_account"]
    if provider == "aws":
        admitted = f"module.{workload}.security_group_id" in str(r.get("client_security_group_ids", ""))
        port = f"module.{_label(resource)}.client_port" in str(w.get("egress_ports", ""))
        return admitted and (port or workload.startswith("container_orchestrator"))
    if provider == "gcp":
        in_vpc = w.get("network_id") == "${var.network_id}"
        return in_vpc and r.get("private_services_connection") == "${module.private_services.connection}"
    endpoint = r.get("subnet_id") == "${var.subnet_id}" and "private_dns_zones" in str(r.get("private_dns_zone_ids"))
    if resource.kind == "warehouse":  # the workspace's and its lake's endpoints, each in a zone linked to the network
        endpoint = endpoint and _synapse_endpoints() == SYNAPSE_ENDPOINTS
    inside = ("subnet_id" in w) or ("container_app_environment_id" in w and
                                     "container_apps_subnet_id" in modules["container_app_environment"])
    return endpoint and inside


# (target, subresource, zone key): serverless SQL and development for the workloads' queries and jobs, the
# lake's blob for job scripts, its dfs for the provider's filesystem calls during apply (no dedicated SQL pool)
SYNAPSE_ENDPOINTS = {("workspace", "SqlOnDemand", "synapse_sql"), ("workspace", "Dev", "synapse_dev"),
                     ("lake", "dfs", "dfs"), ("lake", "blob", "blob")}
_TARGETS = {"${azurerm_synapse_workspace.this.id}": "workspace", "${azurerm_storage_account.lake.id}": "lake"}


def _synapse_endpoints() -> set[tuple[str, str, str]]:
    """(target, subresource, zone) of each private endpoint in the workloads' subnet the Synapse module creates."""
    network = hcl2.loads((MODULES / "azure/synapse_workspace/network.tf").read_text())
    local = {name: value for block in network["locals"] for name, value in block.items()}
    found: set[tuple[str, str, str]] = set()
    for block in network["resource"]:
        for label, body in block.get('"azurerm_private_endpoint"', {}).items():
            assert body["subnet_id"] == "${var.subnet_id}", label
            service, zones = body["private_service_connection"][0], body["private_dns_zone_group"][0]
            target = _TARGETS[service["private_connection_resource_id"]]
            if str(body.get("for_each", "")).startswith("${local."):
                assert service["subresource_names"] == ["${each.value.subresource}"]
                assert zones["private_dns_zone_ids"] == ["${var.private_dns_zone_ids[each.value.zone]}"]
                entries = local[body["for_each"][len("${local."):-1]].values()
                found |= {(target, _unquote(e["subresource"]), _unquote(e["zone"])) for e in entries}
            else:
                (zone_id,) = zones["private_dns_zone_ids"]
                found.add((target, _unquote(service["subresource_names"][0]), zone_id.split('"')[1]))
    return found


def test_the_synapse_zones_exist_only_with_a_warehouse() -> None:
    text = (MODULES / "azure/private_dns_zones/main.tf").read_text()
    assert 'contains(var.kinds, "warehouse") ? local.synapse : {}' in text
    zones = {name: value for block in hcl2.loads(text)["locals"] for name, value in block.items()}
    synapse = {key: _unquote(name) for key, name in zones["synapse"].items()}
    assert synapse == {"synapse_sql": "privatelink.sql.azuresynapse.net",
                       "synapse_dev": "privatelink.dev.azuresynapse.net", "dfs": "privatelink.dfs.core.windows.net"}
    # every zone an endpoint registers in is one the module creates (and links) with a warehouse
    assert {zone for _, _, zone in SYNAPSE_ENDPOINTS} <= set(zones["synapse"]) | set(zones["storage_and_databases"])
    main = generate(load_project(FULL), "azure", with_plugins=False)["main.tf"]
    assert '"warehouse"' in _modules({"main.tf": main})["private_dns_zones"]["kinds"]


@pytest.mark.parametrize("provider", ["aws", "gcp", "azure"])
def test_every_uses_edge_has_a_grant_and_a_path(provider: str) -> None:
    modules = _modules(generate(load_project(FULL), provider, with_plugins=False))
    edges = _edges()
    assert len(edges) >= 8 and {r.kind for _, r in edges} >= {"bucket", "database", "cache", "queue", "topic"}
    missing = []
    for capability, resource in edges:
        workload = _label(capability)
        if not _grant(provider, modules, workload, resource):
            missing.append(f"{capability.name} -> {resource.name}: no IAM grant")
        if resource.kind in PRIVATE[provider] and not _path(provider, modules, workload, resource):
            missing.append(f"{capability.name} -> {resource.name}: no network path")
    assert missing == []


@pytest.mark.parametrize("provider", ["aws", "gcp", "azure"])
def test_a_resource_nobody_uses_grants_nothing(provider: str) -> None:
    modules = _modules(generate(load_project(FULL), provider, with_plugins=False))
    used = {r.name for _, r in _edges()}
    for resource in load_project(FULL).resources:
        if resource.name not in used:
            body = modules[_label(resource)]
            assert not any(k in body for k in ("members", "principal_ids", "client_security_group_ids",
                                               "client_members", "client_principals"))
