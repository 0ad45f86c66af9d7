"""The grants the data adapters' calls need exist in the warehouse modules, and nothing broader.

AWS: every boto3 call of ``infrar/providers/aws/data*.py`` maps to an IAM action that the
athena_warehouse module grants the workloads; the Glue job role is assumable by Glue only and
gets the statements of what its starters reach; the scheduler role may start Glue jobs, nothing
else. GCP and Azure: the identities and role bindings Cloud Run jobs, Cloud Scheduler and
Synapse jobs need, read from the module source.
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
from tests.infra.test_data_environment import PROJECT

ROOT = Path(__file__).resolve().parents[2]
MODULES = ROOT / "modules"
# boto3 client -> IAM service prefix; calls whose action is not the method name in PascalCase.
_SERVICE = {"athena": "athena", "glue": "glue", "scheduler": "scheduler", "s3": "s3"}
_ACTION = {("s3", "upload_file"): "s3:PutObject", ("glue", "get_paginator"): None}
_CALL = re.compile(r"\b(athena|glue|scheduler|s3)\.client\(\)\.([a-z_]+)\(")
_PAGINATED = re.compile(r"get_paginator\(\"([a-z_]+)\"\)")


def _module_text(provider: str, module: str) -> str:
    return "".join(p.read_text() for p in sorted((MODULES / provider / module).glob("*.tf")))


def _pascal(method: str) -> str:
    return "".join(part.capitalize() for part in method.split("_"))


def _adapter_actions() -> set[str]:
    text = "".join(p.read_text() for p in (ROOT / "infrar" / "providers" / "aws").glob("data*.py"))
    actions = {_ACTION.get((client, method), f"{_SERVICE[client]}:{_pascal(method)}")
               for client, method in _CALL.findall(text)}
    actions |= {f"glue:{_pascal(method)}" for method in _PAGINATED.findall(text)}
    return {a for a in actions if a}


def _granted(text: str, output: str) -> set[str]:
    block = text[text.index(f'output "{output}"'):]
    block = block[:block.index("\noutput ")] if "\noutput " in block else block
    return set(re.findall(r'"([a-z0-9]+:[A-Za-z]+)"', block))


def _locals_actions(text: str) -> set[str]:
    return set(re.findall(r'"((?:athena|glue):[A-Za-z]+)"', text[text.index("catalog_statements"):
                                                                 text.index("resource \"aws_iam_role\"")]))


def test_aws_workloads_are_granted_every_call_the_data_adapter_makes() -> None:
    text = _module_text("aws", "athena_warehouse")
    granted = _granted(text, "policy_statements") | _locals_actions(text)
    assert {"glue:StartJobRun", "glue:CreateJob", "scheduler:CreateSchedule", "athena:GetQueryResults",
            "glue:DeleteTable", "s3:PutObject"} <= _adapter_actions()
    assert _adapter_actions() - granted - {"s3:PutObject", "s3:GetObject"} == set()
    # the s3 actions (a script uploaded, a stored script read) come from the bucket module of the bucket the
    # workload uses; iam:PassRole names the two roles only
    assert "s3:PutObject" in _module_text("aws", "s3_bucket") and "s3:GetObject" in _module_text("aws", "s3_bucket")
    assert "Resource = [aws_iam_role.glue_job.arn, aws_iam_role.scheduler.arn]" in " ".join(text.split())


def test_aws_job_and_scheduler_roles_trust_only_their_service_and_the_scheduler_only_starts_jobs() -> None:
    text = " ".join(_module_text("aws", "athena_warehouse").split())
    for role, service in (("glue_job", "glue"), ("scheduler", "scheduler")):
        body = text[text.index(f'resource "aws_iam_role" "{role}"'):]
        body = body[:body.index("resource ", 10)]
        assert re.findall(r'Service = "([a-z.]+)"', body) == [f"{service}.amazonaws.com"]
        assert '"aws:SourceAccount" = local.account' in body
    assert 'Statement = [{ Effect = "Allow", Action = ["glue:StartJobRun"], Resource = [local.glue_jobs] }]' in text
    assert "var.job_policy_statements" in text  # what the starters reach, the jobs reach


def _module_block(main: str, label: str) -> str:
    """The text of ``module "<label>"`` in a whitespace-collapsed main.tf."""
    block = main[main.index(f'module "{label}"'):]
    return block[:block.index("module ", 10)] if "module " in block[10:] else block


def test_the_job_role_gets_what_the_workloads_starting_jobs_reach() -> None:
    main = " ".join(generate(parse_project(PROJECT, "p.yaml"), "aws", with_plugins=False)["main.tf"].split())
    warehouse = _module_block(main, "warehouse_analytics")
    assert "job_policy_statements = module.bucket_landing.policy_statements" in warehouse


def test_gcp_job_and_scheduler_identities_and_the_workloads_grants() -> None:
    text = " ".join(_module_text("gcp", "bigquery_dataset").split())
    for role, member in (("roles/run.developer", "each.value"), ("roles/cloudscheduler.admin", "each.value"),
                         ("roles/run.invoker", "google_service_account.scheduler.member"),
                         ("roles/bigquery.dataEditor", "google_service_account.job.member"),
                         ("roles/storage.objectViewer", "google_service_account.job.member")):
        assert f'role = "{role}" member = {member}' in text, role
    for account in ("job", "scheduler"):  # the workloads may hand each identity to what they create
        assert (f"service_account_id = google_service_account.{account}.name "
                'role = "roles/iam.serviceAccountUser" member = each.value') in text


def test_azure_workloads_may_define_and_run_synapse_jobs_as_the_workspace() -> None:
    text = " ".join(_module_text("azure", "synapse_workspace").split())
    for role in ("Synapse Contributor", "Synapse Credential User"):
        assert f'role_name = "{role}" principal_id = each.value' in text
    assert 'resource "azurerm_synapse_spark_pool" "jobs"' in text


@pytest.mark.parametrize(("provider", "variable", "output"), [("gcp", "members", "job_member"),
                                                               ("azure", "principal_ids", "job_principal_id")])
def test_gcp_and_azure_job_identities_are_admitted_where_their_starters_are(provider: str, variable: str,
                                                                            output: str) -> None:
    main = " ".join(generate(parse_project(PROJECT, "p.yaml"), provider, with_plugins=False)["main.tf"].split())
    bucket = _module_block(main, "bucket_landing")
    identities = bucket[bucket.index(f"{variable} = ["):bucket.index("]", bucket.index(f"{variable} = ["))]
    assert f"module.warehouse_analytics.{output}" in identities
    assert output not in _module_block(main, "warehouse_analytics")  # its own grants are its own


# What each statement of the Azure data adapter needs in a serverless SQL database (T-SQL
# permissions documented per statement), the query path (external tables, OPENROWSET views) included.
_SYNAPSE_NEEDS = {
    "SELECT": {"db_datareader"},
    "CREATE EXTERNAL DATA SOURCE": {"ALTER ANY EXTERNAL DATA SOURCE"},
    "CREATE EXTERNAL FILE FORMAT": {"ALTER ANY EXTERNAL FILE FORMAT"},
    "CREATE EXTERNAL TABLE": {"CREATE TABLE", "ALTER ON SCHEMA::dbo", "ALTER ANY EXTERNAL DATA SOURCE",
                              "ALTER ANY EXTERNAL FILE FORMAT"},
    "CREATE VIEW": {"CREATE VIEW", "ALTER ON SCHEMA::dbo"},
    "OPENROWSET": {"ADMINISTER DATABASE BULK OPERATIONS"},
    "DROP": {"ALTER ON SCHEMA::dbo"},
}


def _adapter_synapse_statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every kind of T-SQL statement the Azure data adapter sends (tables in each format, drops, queries)."""
    from infrar.providers.azure import data

    monkeypatch.setenv("AZURE_STORAGE_ACCOUNT_URL", "https://acct.blob.core.windows.net")
    columns = {"day": "DATE", "amount": "DECIMAL(12,2)"}
    statements = [s for fmt in ("csv", "parquet", "json")
                  for s in data.external_table_sql("sales", columns, "landing", "sales/", fmt, True)]
    source = Path(data.__file__).read_text()
    statements += [f"{verb} sales" for verb in re.findall(r"""f?["'](DROP|SELECT) """, source)]
    return statements


def _needed(statement: str) -> set[str]:
    text = re.sub(r"^IF NOT EXISTS \(SELECT .*?\) ", "", statement)  # the existence check is a catalog read
    needs = {need for kind, permissions in _SYNAPSE_NEEDS.items() if text.startswith(kind)
             for need in permissions}
    if "OPENROWSET" in text:
        needs |= _SYNAPSE_NEEDS["OPENROWSET"]
    assert needs, f"no permission known for {statement!r}: add it to _SYNAPSE_NEEDS and grants.tf"
    return needs | (_SYNAPSE_NEEDS["SELECT"] if statement.startswith("IF NOT EXISTS (SELECT") else set())


def _synapse_grant_sql(tmp_path: Path, identities: dict[str, str]) -> list[str]:
    """``grant_sql`` of modules/azure/synapse_workspace as terraform evaluates it (its locals alone)."""
    binary = shutil.which("tofu") or shutil.which("terraform")
    if binary is None:
        pytest.skip("neither tofu nor terraform is installed")
    module = MODULES / "azure" / "synapse_workspace"
    blocks = [b for name in ("main.tf", "grants.tf")
              for b in re.findall(r"^locals \{\n.*?^\}\n", (module / name).read_text(), re.MULTILINE | re.DOTALL)]
    mapping = ", ".join(f'{k} = "{v}"' for k, v in identities.items())
    config = ('variable "name" {\n  default = "analytics"\n}\nvariable "name_prefix" {\n  default = "shop-prod-"\n}\n'
              'variable "resource_group_name" {\n  default = "rg"\n}\n'
              f'variable "client_identities" {{\n  default = {{ {mapping} }}\n}}\n' + "\n".join(blocks))
    (tmp_path / "main.tf").write_text(config)
    done = subprocess.run([binary, f"-chdir={tmp_path}", "console"], input="jsonencode(local.grant_sql)\n",
                          capture_output=True, text=True, timeout=120,
                          env={"CHECKPOINT_DISABLE": "1", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    result: list[str] = json.loads(json.loads(done.stdout.strip()))
    return result


def _granted_tsql(statement: str, identity: str) -> set[str]:
    granted = set(re.findall(rf"ALTER ROLE (\w+) ADD MEMBER \[{re.escape(identity)}\]", statement))
    for permissions, on in re.findall(rf"GRANT (.+?)(?: ON (\S+))? TO \[{re.escape(identity)}\];", statement):
        granted |= {f"{p.strip()} ON {on}" if on else p.strip() for p in permissions.split(",")}
    return granted


def test_azure_warehouse_grants_make_each_workload_identity_a_sql_user_with_what_the_adapter_needs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.infra.test_names import _config

    files = generate(parse_project(PROJECT, "p.yaml"), "azure", with_plugins=False)
    main = " ".join(files["main.tf"].split())
    warehouse = _module_block(main, "warehouse_analytics")
    assert "client_identities = { etl = module.background_worker_etl.identity_name }" in warehouse
    assert "web" not in warehouse  # web does not use the warehouse
    outputs = " ".join(files["outputs.tf"].split())
    assert 'output "database_grants"' in outputs and "analytics = module.warehouse_analytics.grant_sql" in outputs
    worker = _module_block(main, "background_worker_etl")
    job_module = re.search(r'source = "\./modules/([a-z_]+)"', worker)
    assert job_module is not None
    assert 'value = azurerm_user_assigned_identity.this.name' in " ".join(
        files[f"modules/{job_module[1]}/outputs.tf"].split())

    # the identity etl's module creates, as terraform names it, is the one the script lets in
    (tmp_path / "names").mkdir()
    (tmp_path / "names" / "main.tf").write_text(_config(f"azure/{job_module[1]}", "shop-prod-", "etl"))
    binary = shutil.which("tofu") or shutil.which("terraform")
    assert binary is not None
    physical = subprocess.run([binary, f"-chdir={tmp_path / 'names'}", "console"], input="local.physical\n",
                              capture_output=True, text=True, timeout=120,
                              env={"CHECKPOINT_DISABLE": "1", "PATH": "/usr/bin:/bin"}).stdout.strip().strip('"')
    identity = f"{physical}-identity"
    script = _synapse_grant_sql(tmp_path, {"etl": identity})
    assert script[0] == "CREATE DATABASE [analytics] COLLATE Latin1_General_100_CI_AS_SC_UTF8;"
    users = {name: s for s in script[1:] for name in re.findall(r"CREATE USER \[([^\]]+)\] FROM EXTERNAL PROVIDER;", s)}
    workspace = next(name for name in users if name != identity)
    assert set(users) == {identity, workspace} and identity == "shop-prod-etl-identity"
    assert workspace.startswith("shop-prod-analytics-")  # the workspace's own identity: the Spark jobs
    needed = {n for s in _adapter_synapse_statements(monkeypatch) for n in _needed(s)}
    for name, statement in users.items():
        assert statement.startswith("USE [analytics]; ")
        assert f"IF DATABASE_PRINCIPAL_ID(N'{name}') IS NULL CREATE USER [{name}]" in statement
        assert _granted_tsql(statement, name) == needed, name  # all the adapter needs, nothing broader
