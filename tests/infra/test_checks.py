"""Settings a provider refuses only at apply time are refused by `infrar infra`; settings a module
does not apply are warned about on stderr, naming the setting, the provider and the module."""

from __future__ import annotations

import pytest

from infrar.errors import ConfigurationError
from infrar.infra.generate import dropped_warnings, generate
from infrar.infra.project import parse_project

QUEUES = """\
name: shop
resources:
  - {name: jobs, type: queue, fifo: true, visibility_timeout_seconds: 900}
  - {name: events, type: topic, subscriptions: [jobs]}
"""


def test_aws_refuses_a_fifo_queue_behind_a_standard_topic() -> None:
    with pytest.raises(ConfigurationError) as caught:
        generate(parse_project(QUEUES, "p.yaml"), "aws", with_plugins=False)
    assert str(caught.value) == ("p.yaml:4:5: topic 'events' delivers to FIFO queue 'jobs': an SNS standard topic "
                                 "cannot deliver to a FIFO SQS queue; set fifo: false on the queue")


@pytest.mark.parametrize(("provider", "service", "allowed"), [
    ("gcp", "Pub/Sub's acknowledgement deadline", "10 to 600"),
    ("azure", "Service Bus's lock duration", "5 to 300"),
])
def test_visibility_timeout_beyond_the_service_maximum_is_refused(provider: str, service: str, allowed: str) -> None:
    standard = QUEUES.replace("fifo: true, ", "")  # Azure also refuses a topic forwarding to a session queue
    with pytest.raises(ConfigurationError) as caught:
        generate(parse_project(standard, "p.yaml"), provider, with_plugins=False)
    assert str(caught.value) == (f"p.yaml:3:5: queue 'jobs': visibility_timeout_seconds 900 is outside {service} "
                                 f"on {provider}; allowed: {allowed}")
    fine = standard.replace("900", "300")
    assert "main.tf" in generate(parse_project(fine, "p.yaml"), provider, with_plugins=False)


def test_settings_a_module_does_not_apply_are_warned_about() -> None:
    text = ("name: shop\ncapabilities:\n  - {name: web, type: web_application, config: {container_image: x, "
            "memory: 2048}, uses: []}\nresources:\n  - {name: uploads, type: bucket, versioning: true}\n")
    project = parse_project(text, "p.yaml")
    assert dropped_warnings(project, "azure", with_plugins=False) == [
        "p.yaml:3:5: warning: web_application 'web': memory is not applied on azure (azure/container_app has no "
        "such setting); remove it or choose another provider",
        "p.yaml:5:5: warning: bucket 'uploads': versioning is not applied on azure (azure/blob_container has no "
        "such setting); remove it or choose another provider",
    ]
    assert dropped_warnings(project, "aws", with_plugins=False) == []
    assert dropped_warnings(project, "gcp", with_plugins=False) == []


def test_account_wide_aws_names_carry_the_project_prefix() -> None:
    text = ("name: shop\ncapabilities:\n  - {name: web, type: web_application, config: {container_image: x}, "
            "uses: []}\n  - {name: platform, type: container_orchestrator, uses: []}\n")
    files = generate(parse_project(text, "p.yaml"), "aws", with_plugins=False)
    main = " ".join(files["main.tf"].split())
    assert main.count("name_prefix = local.name_prefix") == 2
    assert 'name_prefix = "${lower(var.project_name)}-${lower(var.environment_name)}-"' in main
    ecs = " ".join("".join(v for k, v in files.items() if k.startswith("modules/ecs_service/")).split())
    assert 'qualified = "${var.name_prefix}${var.name}"' in ecs
    for name in ('name = local.qualified', 'name = "/infrar/${local.qualified}"', 'name = "${local.role}-execution"',
                 'name = "${local.role}-task"', 'family = local.qualified', 'name = substr(local.qualified, 0, 32)'):
        assert name in ecs, name
    eks = " ".join(files["modules/eks_cluster/main.tf"].split())
    assert "name = local.qualified" in eks and 'name = "${local.role}-cluster"' in eks
