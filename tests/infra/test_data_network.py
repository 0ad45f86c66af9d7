"""Generated jobs run where their starters' private resources are (issue 12).

When a workload that uses a warehouse also reaches a private database or cache, ``infrar infra``
puts the warehouse's jobs in the project's network and the adapters hand that to the job they
create: AWS, a Glue NETWORK connection on the private subnets with its own security group, which
the database admits (GLUE_CONNECTIONS -> CreateJob/UpdateJob Connections, tests/data/test_aws.py
and test_ministack.py); GCP, Direct VPC egress into the project's network (CLOUD_RUN_JOB_NETWORK
-> the Cloud Run job's vpc_access, tests/data/test_gcp_jobs.py). Without a private resource the
jobs stay outside, as before. The HCL is read from the generated modules; the GCP network value
is evaluated by terraform.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from infrar.infra.generate import generate
from infrar.infra.project import parse_project
from tests.infra.test_data_environment import PROJECT, data_environment

MODULES = Path(__file__).resolve().parents[2] / "modules"
PRIVATE = PROJECT.replace("uses: [analytics, landing]", "uses: [analytics, landing, orders]") + \
    "  - {name: orders, type: database}\n"


def _generated(provider: str, project: str) -> dict[str, str]:
    return generate(parse_project(project, "p.yaml"), provider, with_plugins=False)


def _block(main: str, label: str) -> str:
    flat = " ".join(main.split())
    block = flat[flat.index(f'module "{label}"'):]
    return block[:block.index(" module ", 10)] if " module " in block[10:] else block


def test_aws_jobs_get_a_glue_connection_in_the_private_subnets_the_database_admits() -> None:
    files = _generated("aws", PRIVATE)
    warehouse = _block(files["main.tf"], "warehouse_analytics")
    assert "job_subnet_ids = var.subnet_ids" in warehouse
    assert "job_egress_ports = [module.database_orders.client_port]" in warehouse
    database = _block(files["main.tf"], "database_orders")
    assert "module.warehouse_analytics.job_security_group_id" in database  # the jobs' network interfaces get in
    module = " ".join("".join(v for k, v in files.items() if k.startswith("modules/athena_warehouse/")).split())
    connection = module[module.index('resource "aws_glue_connection" "jobs"'):]
    assert 'connection_type = "NETWORK"' in connection
    for attribute in ("availability_zone = data.aws_subnet.jobs[0].availability_zone",
                      "security_group_id_list = [aws_security_group.jobs[0].id]",
                      "subnet_id = data.aws_subnet.jobs[0].id"):
        assert attribute in connection, attribute
    assert 'GLUE_CONNECTIONS = local.networked ? aws_glue_connection.jobs[0].name : ""' in module
    assert "local.network_statements, var.job_policy_statements" in module  # the job role may make its ENIs
    for action in ("ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "glue:GetConnection"):
        assert f'"{action}"' in module
    # the egress the security group opens: HTTPS out, the database's port inside the VPC only
    assert "for port in var.job_egress_ports" in module and "cidr_ipv4 = data.aws_vpc.jobs[0].cidr_block" in module


def test_gcp_jobs_get_direct_vpc_egress_into_the_project_network(tmp_path: Path) -> None:
    files = _generated("gcp", PRIVATE)
    assert "job_network_id = var.network_id" in _block(files["main.tf"], "warehouse_analytics")
    binary = shutil.which("tofu") or shutil.which("terraform")
    if binary is None:
        pytest.skip("neither tofu nor terraform is installed")
    outputs = files["modules/bigquery_dataset/outputs.tf"]
    expression = re.search(r"CLOUD_RUN_JOB_NETWORK = (.+)", outputs)
    assert expression is not None
    values = {}
    for network in ("https://www.googleapis.com/compute/v1/projects/p/global/networks/main", None):
        literal = "null" if network is None else f'"{network}"'
        (tmp_path / "main.tf").write_text(f'variable "job_network_id" {{\n  default = {literal}\n}}\n')
        done = subprocess.run([binary, f"-chdir={tmp_path}", "console"], input=f"jsonencode({expression[1]})\n",
                              capture_output=True, text=True, timeout=120,
                              env={"CHECKPOINT_DISABLE": "1", "PATH": "/usr/bin:/bin"})
        assert done.returncode == 0, done.stderr
        values[network] = json.loads(json.loads(done.stdout.strip()))
    assert list(values.values()) == ["projects/p/global/networks/main", ""]  # what Cloud Run's API takes


@pytest.mark.parametrize("provider", ["aws", "gcp"])
def test_jobs_stay_outside_the_network_when_nothing_private_is_reached(provider: str) -> None:
    main = _generated(provider, PROJECT)["main.tf"]
    assert not re.search(r"job_(subnet_ids|network_id|egress_ports)", main)


@pytest.mark.parametrize(("provider", "variable"), [("aws", "GLUE_CONNECTIONS"), ("gcp", "CLOUD_RUN_JOB_NETWORK")])
def test_the_job_network_variable_reaches_the_workloads_that_start_jobs(provider: str, variable: str) -> None:
    found = data_environment(provider)
    assert variable in found["etl"] and variable not in found["web"]


def test_azure_spark_jobs_get_a_managed_private_endpoint_to_each_private_resource() -> None:
    files = _generated("azure", PRIVATE)
    warehouse = _block(files["main.tf"], "warehouse_analytics")
    assert ("job_private_endpoints = { landing = module.bucket_landing.private_link "
            "orders = module.database_orders.private_link }") in warehouse
    module = " ".join(files["modules/synapse_workspace/network.tf"].split())
    assert ('resource "azurerm_synapse_managed_private_endpoint" "jobs" { for_each = var.job_private_endpoints '
            'name = "${each.key}-${each.value.subresource}" synapse_workspace_id = azurerm_synapse_workspace.this.id '
            "target_resource_id = each.value.resource_id subresource_name = each.value.subresource "
            "depends_on = [azurerm_private_endpoint.workspace]") in module  # made through the Dev endpoint
    assert 'output "job_private_endpoint_targets"' in files["modules/synapse_workspace/outputs.tf"]
    # each target is the sub-resource the resource's own private endpoint uses (buckets: the storage account's)
    for own, linked in (("postgres_flexible", "postgres_flexible"), ("mssql_database", "mssql_database"),
                        ("redis_cache", "redis_cache"), ("storage_account", "blob_container")):
        endpoint = re.findall(r'subresource_names\s*=\s*\["([A-Za-z]+)"\]', _module_text(own))
        target = re.findall(r'subresource = "([A-Za-z]+)"', (MODULES / "azure" / linked / "outputs.tf").read_text())
        assert endpoint and target == endpoint[:1], (own, endpoint, target)


def _module_text(module: str) -> str:
    return "".join(p.read_text() for p in sorted((MODULES / "azure" / module).glob("*.tf")))


def test_azure_buckets_share_one_endpoint_to_the_storage_account() -> None:
    text = PRIVATE.replace("uses: [analytics, landing, orders]", "uses: [analytics, landing, orders, archive]") + \
        "  - {name: archive, type: bucket}\n"
    warehouse = _block(_generated("azure", text)["main.tf"], "warehouse_analytics")
    assert "landing = module.bucket_landing.private_link" in warehouse and "archive =" not in warehouse


def test_aws_job_role_may_sign_in_as_each_starters_database_role_and_no_other() -> None:
    """rds-db:connect as the starter's role (its PGUSER the job carries): that workload's statements only."""
    main = _generated("aws", PRIVATE)["main.tf"]
    warehouse = _block(main, "warehouse_analytics")
    assert 'module.database_orders.client_policy_statements["etl"]' in warehouse
    assert "client_policy_statements" not in warehouse.replace(
        'module.database_orders.client_policy_statements["etl"]', "")  # not the web workload's, which is no starter
    assert 'client_roles = ["etl"]' in " ".join(_block(main, "database_orders").split())  # no role of its own


@pytest.mark.parametrize(("provider", "variable", "output", "user"), [
    ("gcp", "client_members", "job_member", "INFRAR_JOB_DB_IAM_USER"),
    ("azure", "client_principals", "job_principal_id", "INFRAR_JOB_PGUSER"),
])
def test_gcp_and_azure_jobs_get_a_database_user_of_their_own_identity(provider: str, variable: str, output: str,
                                                                      user: str) -> None:
    """The job identity is one more client of the database (<warehouse>-jobs: a Cloud SQL IAM user with
    cloudsql.client and instanceUser, an Entra role in grant_sql), the user its warehouse environment names."""
    files = _generated(provider, PRIVATE)
    database = _block(files["main.tf"], "database_orders")
    clients = database[database.index(f"{variable} = {{"):database.index("}", database.index(f"{variable} = {{"))]
    assert f"analytics-jobs = module.warehouse_analytics.{output}" in clients
    assert "etl = module.background_worker_etl." in clients
    assert clients.count("module.") == 2  # the starter and its jobs: not the web workload, which starts none
    assert 'name = "analytics"' in _block(files["main.tf"], "warehouse_analytics")  # var.name of "<name>-jobs"
    text = " ".join("".join(v for k, v in files.items() if k.startswith("modules/")
                            and k.endswith("outputs.tf") and ("bigquery" in k or "synapse" in k)).split())
    expected = {"INFRAR_JOB_DB_IAM_USER": 'trimsuffix(google_service_account.job.email, ".gserviceaccount.com")',
                "INFRAR_JOB_PGUSER": '"${var.name}-jobs"'}[user]
    assert f"{user} = {expected}" in text
    from infrar.data.scripts import JOB_VARIABLES
    assert user in JOB_VARIABLES[provider]  # the bundle carries it as the job's own user


def test_gcp_cloud_sql_gives_each_client_its_user_and_both_roles() -> None:
    """What a client of client_members gets (so the jobs' entry gets it too): an IAM user, client and instanceUser."""
    text = " ".join((MODULES / "gcp" / "cloud_sql_postgres" / "main.tf").read_text().split())
    for role in ("roles/cloudsql.client", "roles/cloudsql.instanceUser"):
        block = text[:text.index(f'role = "{role}"')]
        assert block[block.rindex("resource "):].count("for_each = var.client_members") == 1, role
    assert "for_each = local.iam_users" in text
