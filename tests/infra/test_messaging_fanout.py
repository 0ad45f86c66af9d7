"""A message published to a topic reaches the queue subscribed to it, with the entities laid out as `infrar infra`
lays them out, on every cloud.

A project with a topic fanned out to a queue is generated for each cloud; the entities (names, the topic or
queue each subscription is on, forwarding, dead-letter targets and delivery limits) are read from the
generated module blocks and the modules' own resources, created on the cloud's test service with its native
client, and the adapter then runs as deployed (``INFRAR_CREATE_MISSING=0``, as the ``environment`` output
sets it): ``publish`` to the topic, ``receive_messages`` from the queue, and a poison message through its
5 deliveries into ``<queue>-dead-letter``. The entities exist only under their deployed names
(``<project>-<environment>-<name>``), which the workload gets from the modules' ``environment`` outputs
(``QUEUE_NAME_<QUEUE>``, ``TOPIC_NAME_<TOPIC>``): the adapter, given the program's names, reaches them.
On AWS and GCP, where the queue is the topic's subscription, ``subscribe(topic, subscription=<queue>)`` too
(on Azure the forwarding subscription holds nothing: docs/infra.md).
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import boto3
import hcl2
import pytest

from infrar import dispatch, messaging
from infrar.errors import InvalidArgument, MissingDependency, NotFound
from infrar.infra.generate import generate
from infrar.infra.project import parse_project
from infrar.messaging.rules import MAX_DELIVERIES, dead_letter_name
from infrar.providers._names import name_variable
from infrar.testing.aws import MotoEmulator
from infrar.testing.plugin import ServiceUser
from infrar.testing.servicebus import ServiceBusService

PROJECT = """\
name: fan
capabilities:
  - {{name: web, type: web_application, config: {{container_image: x}}, uses: [{topic}]}}
  - {{name: worker, type: background_worker, config: {{container_image: x}}, uses: [{queue}]}}
resources:
  - {{name: {queue}, type: queue}}
  - {{name: {topic}, type: topic, subscriptions: [{queue}]}}
"""


def _unquote(text: Any) -> Any:
    return text[1:-1] if isinstance(text, str) and len(text) >= 2 and text[0] == text[-1] == '"' else text


class Layout:
    """The generated root module of one cloud: its module blocks and the resources of each module."""

    def __init__(self, provider: str, queue: str, topic: str) -> None:
        project = parse_project(PROJECT.format(queue=queue, topic=topic), "p.yaml")
        self.files = generate(project, provider, with_plugins=False)
        main = hcl2.loads(self.files["main.tf"])
        self.modules = {_unquote(k): v for block in main["module"] for k, v in block.items()}
        self.queue = self.modules[f"queue_{queue}".replace("-", "_")]
        self.topic = self.modules[f"topic_{topic}".replace("-", "_")]

    def resource(self, block: dict[str, Any], kind: str, label: str) -> dict[str, Any]:
        source = _unquote(block["source"]).removeprefix("./")
        parsed = hcl2.loads(self.files[f"{source}/main.tf"])
        for entry in parsed["resource"]:
            for found_kind, by_label in entry.items():
                for found_label, body in by_label.items():
                    if (_unquote(found_kind), _unquote(found_label)) == (kind, label):
                        return {k: _unquote(v) for k, v in body.items()}
        raise AssertionError(f"{source} has no resource {kind}.{label}")

    def prefix(self) -> str:
        """``local.name_prefix`` of the root module, its variables at their defaults."""
        (expression,) = [_unquote(body["name_prefix"]) for body in hcl2.loads(self.files["main.tf"])["locals"]
                         if "name_prefix" in body]
        defaults = {_unquote(k): v["default"] for block in hcl2.loads(self.files["variables.tf"])["variable"]
                    for k, v in block.items() if "default" in v}
        filled = re.sub(r"\$\{lower\(var\.(\w+)\)\}", lambda m: str(_unquote(defaults[m[1]])).lower(), expression)
        assert "${" not in filled, filled
        return filled

    def physical(self, block: dict[str, Any]) -> str:
        """``local.physical`` of a module: ``<prefix><name>``, short enough not to be cut (test_names cuts)."""
        source = _unquote(block["source"]).removeprefix("./")
        assert _unquote(block["name_prefix"]) == "${local.name_prefix}"
        rule = r"length\(local\.qualified\) <= (\d+) \? local\.qualified"
        (limit,) = re.findall(rule, self.files[f"{source}/names.tf"])
        qualified = self.prefix() + str(_unquote(block["name"]))
        assert len(qualified) <= int(limit)
        return qualified

    def name(self, block: dict[str, Any], kind: str, label: str) -> str:
        """The deployed ``name`` of a module's resource (``${local.physical}`` and the like filled in)."""
        template = _unquote(self.resource(block, kind, label)["name"])
        filled = template.replace("${local.physical}", self.physical(block)).replace("${local.suffix}", "")
        return str(filled.replace("${var.name}", _unquote(block["name"])))

    def environment(self, block: dict[str, Any]) -> dict[str, str]:
        """The ``<KIND>_NAME_<NAME>`` entries of a module's ``environment`` output, as deployed."""
        source = _unquote(block["source"]).removeprefix("./")
        text = self.files[f"{source}/outputs.tf"]
        text = text[text.index('output "environment"'):]
        found: dict[str, str] = {}
        # key: "<KIND>_NAME_${upper(replace(<var.name or "${var.name}-dead-letter">, ...))}"; value: a
        # resource's name, or the loop variable's over a counted resource
        entry = (r'(?:for \w+ in (\w+)\.(\w+) : )?"((?:QUEUE|TOPIC)_NAME)_\$\{upper\(replace\('
                 r'(var\.name|"\$\{var\.name\}[a-z-]*"), "/\[\^a-zA-Z0-9\]/", "_"\)\)\}" *(?:=>|=) *'
                 r'(?:\w+\.name\b|(\w+)\.(\w+)\.name)')
        for kind, label, prefix, key, own_kind, own_label in re.findall(entry, text):
            logical = _unquote(key).replace("${var.name}", _unquote(block["name"])) if key != "var.name" \
                else _unquote(block["name"])
            found[prefix + "_" + re.sub(r"[^a-zA-Z0-9]", "_", logical).upper()] = self.name(
                block, kind or own_kind, label or own_label)
        return found


def _names() -> tuple[str, str]:
    prefix = "f" + uuid.uuid4().hex[:8]
    return f"{prefix}-tasks", f"{prefix}-events"


def _deployed_environment(layout: Layout, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """Set what the queue and topic modules' ``environment`` outputs hand a workload; their deployed names.

    The entities are created under those names only, so the adapter, given the program's names, reaches
    them through ``<KIND>_NAME_<NAME>`` alone."""
    queue, topic = (_unquote(b["name"]) for b in (layout.queue, layout.topic))
    environment = {**layout.environment(layout.queue), **layout.environment(layout.topic)}
    assert set(environment) == {name_variable("queue", queue), name_variable("queue", dead_letter_name(queue)),
                                name_variable("topic", topic)}
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    deployed = environment[name_variable("queue", queue)], environment[name_variable("topic", topic)]
    assert deployed == (f"fan-prod-{queue}", f"fan-prod-{topic}")  # <project>-<environment>-<name>
    return deployed


def _run_as_deployed(queue: str, topic: str) -> None:
    """Fan-out and the poison rule through the adapter, creating nothing."""
    dispatch.reset()
    messaging.publish(topic, {"order": 1})
    received = messaging.receive_messages(queue, wait_seconds=5)
    assert [m.body for m in received] == [{"order": 1}] and received[0].delivery_count == 1
    for _ in range(MAX_DELIVERIES - 1):
        received[0].release()
        received = messaging.receive_messages(queue, wait_seconds=5)
        assert [m.body for m in received] == [{"order": 1}]
    received[0].release()  # the 5th delivery failed too: the message is a dead letter
    assert messaging.receive_messages(queue, wait_seconds=1) == []
    dead = messaging.receive_messages(dead_letter_name(queue), wait_seconds=5)
    assert [m.body for m in dead] == [{"order": 1}]
    dead[0].acknowledge()


def _subscribe_as_deployed(queue: str, topic: str) -> None:
    """subscribe(topic, subscription=<queue>) consumes what the topic fans out to the queue (AWS and GCP)."""
    got: list[Any] = []
    with messaging.subscribe(topic, lambda m: got.append(m.body), subscription=queue, max_messages=1,
                             timeout=30) as subscription:
        messaging.publish(topic, {"order": 2})
        subscription.wait()
    assert got == [{"order": 2}]


def test_aws_sns_delivers_to_the_sqs_queue_with_raw_delivery_and_redrive(infrar_service: ServiceUser,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    queue, topic = _names()
    layout = Layout("aws", queue, topic)
    moto = infrar_service("moto", MotoEmulator, provider="aws")
    monkeypatch.setenv("INFRAR_CREATE_MISSING", "0")
    deployed_queue, deployed_topic = _deployed_environment(layout, monkeypatch)
    options = {"endpoint_url": moto.endpoint, "region_name": "us-east-1", "aws_access_key_id": "testing",
               "aws_secret_access_key": "testing"}
    sqs, sns = boto3.client("sqs", **options), boto3.client("sns", **options)
    dead = sqs.create_queue(QueueName=layout.name(layout.queue, "aws_sqs_queue", "dead_letter"))["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = layout.resource(layout.queue, "aws_sqs_queue", "this")["redrive_policy"]
    assert f"maxReceiveCount = {MAX_DELIVERIES}" in redrive
    url = sqs.create_queue(QueueName=deployed_queue, Attributes={"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": dead_arn, "maxReceiveCount": MAX_DELIVERIES})})["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert layout.name(layout.queue, "aws_sqs_queue", "this") == deployed_queue
    topic_arn = sns.create_topic(Name=layout.name(layout.topic, "aws_sns_topic", "this"))["TopicArn"]
    assert topic_arn.endswith(":" + deployed_topic)
    assert layout.resource(layout.topic, "aws_sns_topic_subscription", "queue")["raw_message_delivery"] is True
    assert queue in layout.topic["subscriber_queue_arns"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    _run_as_deployed(queue, topic)
    _subscribe_as_deployed(queue, topic)


def test_gcp_the_queue_subscription_is_on_the_topic(infrar_service: ServiceUser,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    queue, topic = _names()
    layout = Layout("gcp", queue, topic)
    try:
        infrar_service("pubsub", provider="gcp")
    except MissingDependency as exc:  # not installable from PyPI or Debian: say how to get it
        pytest.skip(f"Pub/Sub emulator absent: {exc}")
    monkeypatch.setenv("INFRAR_CREATE_MISSING", "0")
    deployed_queue, deployed_topic = _deployed_environment(layout, monkeypatch)
    from infrar.providers.gcp._clients import pubsub

    dispatch.reset()
    pubsub.reset()
    # the queue module has no topic of its own: its subscription is on the topic it is fed by
    assert layout.queue["topic_ids"] == [f"${{module.topic_{topic.replace('-', '_')}.connection.topic}}"]
    assert layout.resource(layout.queue, "google_pubsub_topic", "this")["count"] == "${local.own_topic ? 1 : 0}"
    subscription = layout.resource(layout.queue, "google_pubsub_subscription", "this")
    policy = subscription["dynamic"][0]['"dead_letter_policy"']["content"][0]
    dead = layout.name(layout.queue, "google_pubsub_topic", "dead_letter")
    assert dead == layout.name(layout.queue, "google_pubsub_subscription", "dead_letter") == \
        dead_letter_name(deployed_queue)
    assert layout.name(layout.topic, "google_pubsub_topic", "this") == deployed_topic
    assert layout.name(layout.queue, "google_pubsub_subscription", "this") == deployed_queue
    for name in (deployed_topic, dead):
        pubsub.publisher().create_topic(name=pubsub.topic_path(name))
    pubsub.subscriber().create_subscription(request={
        "name": pubsub.subscription_path(dead), "topic": pubsub.topic_path(dead), "ack_deadline_seconds": 30})
    pubsub.subscriber().create_subscription(request={
        "name": pubsub.subscription_path(deployed_queue), "topic": pubsub.topic_path(deployed_topic),
        "ack_deadline_seconds": layout.queue["visibility_timeout_seconds"],
        "dead_letter_policy": {"dead_letter_topic": pubsub.topic_path(dead),
                               "max_delivery_attempts": policy["max_delivery_attempts"]}})
    _run_as_deployed(queue, topic)
    _subscribe_as_deployed(queue, topic)
    with pytest.raises(NotFound, match=f"queue '{queue}' has no topic of its own .*on topic '{deployed_topic}'"):
        messaging.send_message(queue, {"direct": True})


def test_azure_the_topic_subscription_forwards_to_the_queue(infrar_service: ServiceUser,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    queue, topic = _names()
    layout = Layout("azure", queue, topic)
    broker = infrar_service("servicebus", ServiceBusService, provider="azure")
    monkeypatch.setenv("INFRAR_CREATE_MISSING", "0")
    deployed_queue, deployed_topic = _deployed_environment(layout, monkeypatch)
    from infrar.providers.azure._clients import servicebus as clients

    clients.reset()
    monkeypatch.setattr(clients, "administration", lambda: pytest.fail("a deployed program creates nothing"))
    assert layout.queue["servicebus_namespace_id"] == layout.topic["servicebus_namespace_id"]  # one namespace
    entity = layout.resource(layout.queue, "azurerm_servicebus_queue", "this")
    assert entity["lock_duration"] == "PT${var.visibility_timeout_seconds}S"
    lock = layout.queue["visibility_timeout_seconds"]
    deliveries = int(re.findall(r"\? (\d+) :", entity["max_delivery_count"])[0])
    dead = layout.name(layout.queue, "azurerm_servicebus_queue", "dead_letter")
    broker.create_queue(dead)
    assert layout.name(layout.queue, "azurerm_servicebus_queue", "this") == deployed_queue
    assert layout.name(layout.topic, "azurerm_servicebus_topic", "this") == deployed_topic
    broker.create_queue(deployed_queue, lock_duration=lock, max_delivery_count=deliveries,
                        forward_dead_letters_to=dead)
    broker.create_topic(deployed_topic)
    forwarding = layout.resource(layout.topic, "azurerm_servicebus_subscription", "queue")
    assert (forwarding["name"], forwarding["forward_to"]) == ("${each.key}", "${each.value.name}")
    assert forwarding["max_delivery_count"] == MAX_DELIVERIES and forwarding["lock_duration"] == "PT30S"
    subscribed = layout.topic["subscriber_queues"]
    assert subscribed == {queue: f"${{module.queue_{queue.replace('-', '_')}.connection}}"}
    # the subscription keeps the queue's program name (each.key); it forwards to the deployed queue
    broker.create_subscription(deployed_topic, queue, max_delivery_count=forwarding["max_delivery_count"],
                               forward_dead_letters_to=dead, forward_to=deployed_queue)
    try:
        _run_as_deployed(queue, topic)
        # Service Bus refuses a receiver on a forwarding subscription: consume the queue (docs/infra.md)
        with pytest.raises(InvalidArgument, match=r"forwards every message .*receive from the queue"):
            messaging.subscribe(topic, print, subscription=queue, timeout=0).wait()
    finally:
        clients.reset()

