"""Messaging infrastructure as the adapters expect it: dead-letter wiring, the workloads' variables and grants,
and what a cloud cannot fan out, refused by `infrar infra`.

The adapters' contract (``infrar.messaging.rules``): a queue's or subscription's dead letters are in
``<name>-dead-letter``, a message is dead-lettered after ``MAX_DELIVERIES`` deliveries and the lease is
``DEFAULT_VISIBILITY_TIMEOUT`` seconds. Each module must create exactly that; each workload must get the
variables the adapters read (and only for the resources it uses) and the grants on the dead-letter entities
the adapters write and read themselves.
"""

from __future__ import annotations

import re
from typing import Any

import hcl2
import pytest

from infrar import plugins
from infrar.errors import ConfigurationError
from infrar.infra.generate import generate
from infrar.infra.project import parse_project
from infrar.messaging.rules import DEAD_LETTER_SUFFIX, DEFAULT_VISIBILITY_TIMEOUT, MAX_DELIVERIES

PROJECT = """\
name: shop
capabilities:
  - {name: web, type: web_application, config: {container_image: x}, uses: [events]}
  - {name: worker, type: background_worker, config: {container_image: x}, uses: [tasks]}
  - {name: other, type: background_worker, config: {container_image: x}, uses: [files]}
resources:
  - {name: tasks, type: queue}
  - {name: events, type: topic, subscriptions: [tasks]}
  - {name: files, type: bucket}
"""
# What the adapters read beyond each cloud's native variables (region, project), per workload using messaging.
MESSAGING = {"aws": {"INFRAR_CREATE_MISSING"}, "gcp": {"INFRAR_CREATE_MISSING"},
             "azure": {"AZURE_SERVICEBUS_NAMESPACE", "INFRAR_CREATE_MISSING"}}
# The deployed names (infrar.providers._names): each queue's and its dead letters', each topic's.
_KEY = '_NAME_${{upper(replace({}, "/[^a-zA-Z0-9]/", "_"))}}'
NAMES = {"worker": {"QUEUE" + _KEY.format("var.name"), "QUEUE" + _KEY.format('"${var.name}-dead-letter"')},
         "web": {"TOPIC" + _KEY.format("var.name")}}
NATIVE = {"aws": {"AWS_REGION", "AWS_DEFAULT_REGION"}, "gcp": {"GOOGLE_CLOUD_PROJECT"}, "azure": set()}


def _unquote(text: Any) -> Any:
    return text[1:-1] if isinstance(text, str) and len(text) >= 2 and text[0] == text[-1] == '"' else text


def _generated(provider: str, text: str = PROJECT) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    files = generate(parse_project(text, "p.yaml"), provider, with_plugins=False)
    main = hcl2.loads(files["main.tf"])
    return files, {_unquote(k): v for block in main["module"] for k, v in block.items()}


def _output_keys(files: dict[str, str], module: dict[str, Any], output: str) -> set[str]:
    source = _unquote(module["source"]).removeprefix("./")
    parsed = hcl2.loads(files[f"{source}/outputs.tf"])
    value = next(body["value"] for block in parsed["output"] for name, body in block.items()
                 if _unquote(name) == output)
    if isinstance(value, dict):
        return {_unquote(k) for k in value}
    # merge({...}, { for ... : "<key>" => ... }): the keys of each map
    return set(re.findall(r'"?([A-Z][A-Z0-9_]*(?:\$\{upper\(replace\([^)]*\)\)\})?)"? *(?:=>|=) ', value))


def _environment(provider: str, workload: str) -> set[str]:
    """The variable names workload ``workload`` gets from the modules of the resources it uses."""
    files, modules = _generated(provider)
    label = next(k for k in modules if k.endswith(f"_{workload}"))
    wired = str(modules[label]["environment"])
    found: set[str] = set()
    for module, output in re.findall(r"module\.([a-z0-9_]+)\.([a-z_]+)", wired):
        found |= _output_keys(files, modules[module], output)
    return found


@pytest.mark.parametrize("provider", ["aws", "gcp", "azure"])
def test_workloads_using_a_queue_or_topic_get_what_the_adapters_read(provider: str) -> None:
    for workload in ("web", "worker"):
        assert _environment(provider, workload) == MESSAGING[provider] | NAMES[workload]
    assert not _environment(provider, "other") & MESSAGING[provider]  # it uses no queue or topic
    assert (MESSAGING[provider] | NATIVE[provider]) <= set(plugins.native_variables(provider))


@pytest.mark.parametrize("provider", ["aws", "gcp", "azure"])
def test_deployed_programs_create_nothing(provider: str) -> None:
    files, modules = _generated(provider)
    for label in ("queue_tasks", "topic_events"):
        source = _unquote(modules[label]["source"]).removeprefix("./")
        assert 'INFRAR_CREATE_MISSING = "0"' in " ".join(files[f"{source}/outputs.tf"].split())


def test_azure_uses_one_namespace_by_its_host_and_managed_identity() -> None:
    files, modules = _generated("azure")
    assert "servicebus_namespace" in modules
    for label in ("queue_tasks", "topic_events"):
        assert modules[label]["servicebus_namespace_id"] == "${module.servicebus_namespace.id}"
        assert modules[label]["servicebus_namespace"] == "${module.servicebus_namespace.host}"
    main = files["modules/servicebus_namespace/main.tf"]
    assert "local_auth_enabled            = false" in main  # no connection string or SAS key exists
    assert "AZURE_SERVICEBUS_CONNECTION_STRING" not in "".join(files.values())


def test_aws_dead_letter_queue_and_redrive_are_the_adapters() -> None:
    files, _ = _generated("aws")
    main = files["modules/sqs_queue/main.tf"]
    assert f'name                      = "${{local.physical}}{DEAD_LETTER_SUFFIX}${{local.suffix}}"' in main
    assert f"maxReceiveCount     = {MAX_DELIVERIES}" in main
    assert f"default     = {int(DEFAULT_VISIBILITY_TIMEOUT)}" in files["modules/sqs_queue/variables.tf"]
    # the adapters send dead letters and read them: the workloads' statements cover the dead-letter queue
    assert "concat([aws_sqs_queue.this.arn], aws_sqs_queue.dead_letter[*].arn)" in files["modules/sqs_queue/outputs.tf"]
    assert "sns:ListSubscriptionsByTopic" in files["modules/sns_topic/outputs.tf"]  # subscribe() checks it


def test_gcp_dead_letter_policy_and_its_service_agent_grants() -> None:
    files, _ = _generated("gcp")
    main = " ".join(files["modules/pubsub_queue/main.tf"].split())
    assert main.count(f'name = "${{local.physical}}{DEAD_LETTER_SUFFIX}"') == 2  # topic and subscription
    assert f"max_delivery_attempts = {MAX_DELIVERIES}" in main
    assert f"ack_deadline_seconds = {int(DEFAULT_VISIBILITY_TIMEOUT)}" in main  # the dead-letter subscription
    agent = "member = local.pubsub_agent"
    assert main.count(agent) == 2  # publisher on the dead-letter topic, subscriber on the source subscription
    # the workloads publish dead letters and read them: grants on both dead-letter entities
    assert "google_pubsub_topic.dead_letter[*].name" in main
    assert "google_pubsub_subscription.dead_letter[*].name" in main
    # subscribe(topic, subscription=queue) reads the subscription (get), which subscriber does not allow
    assert 'role = "roles/pubsub.viewer"' in main


def test_azure_entities_have_the_adapters_lock_deliveries_and_dead_letter_queue() -> None:
    files, _ = _generated("azure")
    queue = " ".join(files["modules/servicebus_queue/main.tf"].split())
    topic = " ".join(files["modules/servicebus_topic/main.tf"].split())
    assert f'name = "${{local.physical}}{DEAD_LETTER_SUFFIX}"' in queue
    assert f"max_delivery_count = var.dead_letter ? {MAX_DELIVERIES} : 100" in queue
    assert "forward_dead_lettered_messages_to = var.dead_letter ? azurerm_servicebus_queue.dead_letter[0].name" in queue
    assert "dead_lettering_on_message_expiration = var.dead_letter" in queue
    assert f'lock_duration = "PT{int(DEFAULT_VISIBILITY_TIMEOUT)}S"' in topic
    assert f"max_delivery_count = {MAX_DELIVERIES}" in topic and "forward_to = each.value.name" in topic
    assert "azurerm_servicebus_queue.dead_letter[*].id" in queue  # the workloads' roles cover it


@pytest.mark.parametrize("provider", ["aws", "gcp", "azure"])
def test_queues_are_dead_lettered_unless_turned_off(provider: str) -> None:
    _, modules = _generated(provider)
    assert modules["queue_tasks"]["dead_letter"] is True  # project.yaml does not say: on
    off = PROJECT.replace("{name: tasks, type: queue}", "{name: tasks, type: queue, dead_letter: false}")
    assert _generated(provider, off)[1]["queue_tasks"]["dead_letter"] is False


@pytest.mark.parametrize("provider", ["aws", "gcp", "azure"])
def test_a_topic_user_gets_no_grant_on_the_queue(provider: str) -> None:
    _, modules = _generated(provider)
    queue = str(modules["queue_tasks"])
    assert "api_service_web" not in queue and "web_application_web" not in queue
    assert "background_worker_worker" in queue or provider == "aws"  # AWS: the grant is in the worker's policy
    if provider == "aws":
        assert "module.queue_tasks.policy_statements" in str(modules["background_worker_worker"]["policy_statements"])
        assert "queue_tasks" not in str(modules["web_application_web"].get("policy_statements", ""))


def test_gcp_refuses_a_queue_fed_by_two_topics() -> None:
    text = PROJECT + "  - {name: audit, type: topic, subscriptions: [tasks]}\n"
    with pytest.raises(ConfigurationError, match=r"p\.yaml:7:5: queue 'tasks' is subscribed to 2 topics "
                                                 r"\(events, audit\): on gcp a queue fed by a topic is a Pub/Sub "
                                                 r"subscription of that topic"):
        generate(parse_project(text, "p.yaml"), "gcp", with_plugins=False)
    for provider in ("aws", "azure"):  # SNS and Service Bus forward any number of topics to a queue
        files = generate(parse_project(text, "p.yaml"), provider, with_plugins=False)
        assert "module.queue_tasks.connection" in files["main.tf"]


def test_azure_refuses_a_topic_forwarding_to_a_session_queue() -> None:
    text = PROJECT.replace("{name: tasks, type: queue}", "{name: tasks, type: queue, fifo: true}")
    with pytest.raises(ConfigurationError, match=r"p\.yaml:8:5: topic 'events' delivers to FIFO queue 'tasks': a "
                                                 r"FIFO queue is a Service Bus session queue"):
        generate(parse_project(text, "p.yaml"), "azure", with_plugins=False)
    assert "topic_ids" in generate(parse_project(text, "p.yaml"), "gcp", with_plugins=False)["main.tf"]
