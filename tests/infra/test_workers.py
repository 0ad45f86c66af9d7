"""A scheduled background worker runs one task per tick on every cloud; an unscheduled one on AWS
runs continuously as a service (the HCL is checked; `terraform validate` in test_terraform.py)."""

from __future__ import annotations

import re

from infrar.infra.generate import generate
from infrar.infra.project import parse_project

PROJECT = """\
name: shop
capabilities:
  - name: nightly
    type: background_worker
    config: {container_image: x, max_instances: 5, schedule: "0 2 * * MON-FRI"}
    uses: []
"""


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_aws_schedule_starts_one_task_per_tick_and_no_service() -> None:
    files = generate(parse_project(PROJECT, "p.yaml"), "aws", with_plugins=False)
    assert 'schedule = "0 2 * * MON-FRI"' in _flat(files["main.tf"])
    assert "not used" not in files["main.tf"]
    module = _flat(files["modules/ecs_service/main.tf"])
    assert 'resource "aws_ecs_service" "this" { count = var.schedule == null ? 1 : 0' in module
    schedule = module.split('resource "aws_scheduler_schedule" "this" {')[1]
    assert "count = var.schedule == null ? 0 : 1" in schedule and "task_count = 1" in schedule
    assert 'launch_type = "FARGATE"' in schedule and "assign_public_ip = false" in schedule
    # the scheduler's role may run this task definition, pass its two roles and read the schedule's key
    policy = module.split('resource "aws_iam_role_policy" "scheduler" {')[1].split("resource ")[0]
    assert re.findall(r'Action = \["([^"]+)"\]', policy) == ["ecs:RunTask", "iam:PassRole", "kms:Decrypt"]
    variables = _flat(files["modules/ecs_service/variables.tf"])
    assert "EventBridge numbers days differently from cron" in variables  # numeric weekdays are refused


def test_gcp_and_azure_scheduled_runs_start_a_single_copy() -> None:
    project = parse_project(PROJECT, "p.yaml")
    gcp = _flat(generate(project, "gcp", with_plugins=False)["modules/cloud_run_job/main.tf"])
    assert "task_count = 1 parallelism = 1" in gcp and "google_cloud_scheduler_job" in gcp
    azure = _flat(generate(project, "azure", with_plugins=False)["modules/container_app_job/main.tf"])
    trigger = azure.split('dynamic "schedule_trigger_config" {')[1].split("dynamic ")[0]
    assert "parallelism = 1 replica_completion_count = 1" in trigger


CONTINUOUS = """\
name: shop
capabilities:
  - {name: consumer, type: background_worker, config: {container_image: x, min_instances: 2}, uses: []}
"""


def test_an_unscheduled_worker_runs_continuously_on_every_cloud() -> None:
    project = parse_project(CONTINUOUS, "p.yaml")
    aws = generate(project, "aws", with_plugins=False)
    assert 'source = "./modules/ecs_service"' in _flat(aws["main.tf"])  # a service: desired_count tasks
    gcp = generate(project, "gcp", with_plugins=False)
    assert 'source = "./modules/cloud_run_worker_pool"' in _flat(gcp["main.tf"])
    pool = _flat(gcp["modules/cloud_run_worker_pool/main.tf"])
    assert 'scaling { scaling_mode = "MANUAL" manual_instance_count = max(var.min_instances, 1) }' in pool
    azure = generate(project, "azure", with_plugins=False)
    block = _flat(azure["main.tf"]).split('module "background_worker_consumer" {')[1].split("}")[0]
    assert 'source = "./modules/container_app"' in block and "ingress = false" in block
    assert "external = false" in block
    app = _flat(azure["modules/container_app/main.tf"])
    assert 'dynamic "ingress" { for_each = var.ingress ? [1] : []' in app
