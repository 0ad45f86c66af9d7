"""The grants the data adapters' calls need exist in the warehouse modules, and nothing broader.

AWS: every boto3 call of ``infrar/providers/aws/data*.py`` maps to an IAM action that the
athena_warehouse module grants the workloads; the Glue job role is assumable by Glue only and
gets the statements of what its starters reach; the scheduler role may start Glue jobs, nothing
else. GCP and Azure: the identities and role bindings Cloud Run jobs, Cloud Scheduler and
Synapse jobs need, read from the module source.
"""

from __future__ import annotations

import re
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
    assert _adapter_actions() - granted - {"s3:PutObject"} == set()
    # s3:PutObject comes from the bucket module; iam:PassRole names the two roles only
    assert "s3:PutObject" in _module_text("aws", "s3_bucket")
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
