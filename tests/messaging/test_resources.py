"""Clouds: a missing topic, queue or subscription is NotFound naming it and the fix, unless INFRAR_CREATE_MISSING=1,
which creates it with its dead-letter wiring (checked here with the service's own client)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from infrar import dispatch, messaging
from infrar.errors import NotFound
from infrar.testing.aws import MotoEmulator
from infrar.testing.plugin import ServiceUser
from infrar.testing.pubsub import PubSubEmulator
from tests.messaging.conftest import Names, use_cloud

CALLS: dict[str, Callable[[Names], Any]] = {
    "send_message": lambda names: messaging.send_message(names("jobs"), 1),
    "receive_messages": lambda names: messaging.receive_messages(names("jobs"), wait_seconds=0),
    "publish": lambda names: messaging.publish(names("orders"), 1),
    "subscribe": lambda names: messaging.subscribe(names("orders"), print, subscription=names("w")),
}


@pytest.mark.parametrize("call", sorted(CALLS))
@pytest.mark.parametrize("provider", ["aws", "gcp"])
def test_missing_resource_is_not_found_naming_it_and_the_fix(provider: str, call: str, names: Names,
                                                             infrar_service: ServiceUser,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    use_cloud(provider, infrar_service)
    monkeypatch.delenv("INFRAR_CREATE_MISSING", raising=False)
    dispatch.reset()
    with pytest.raises(NotFound) as caught:
        CALLS[call](names)
    message = str(caught.value)
    assert names.prefix in message and f"infrar infra --provider {provider}" in message
    assert "INFRAR_CREATE_MISSING=1" in message
    assert isinstance(caught.value, FileNotFoundError)


def _sqs(moto: MotoEmulator) -> Any:
    return boto3.client("sqs", endpoint_url=moto.endpoint, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def test_aws_creates_queues_with_redrive_and_subscriptions_with_raw_delivery(
        names: Names, infrar_service: ServiceUser, monkeypatch: pytest.MonkeyPatch) -> None:
    moto = infrar_service("moto", MotoEmulator, provider="aws")
    monkeypatch.setenv("INFRAR_CREATE_MISSING", "1")
    messaging.send_message(names("jobs"), 1)
    messaging.subscribe(names("orders"), print, subscription=names("w"), timeout=0).wait()
    sqs = _sqs(moto)
    for queue in (names("jobs"), names("w")):
        url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
        redrive = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])
                             ["Attributes"]["RedrivePolicy"])
        assert redrive["maxReceiveCount"] in (5, "5")
        assert redrive["deadLetterTargetArn"].endswith(f":{queue}-dead-letter")
    sns = boto3.client("sns", endpoint_url=moto.endpoint, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    [topic] = [t["TopicArn"] for t in sns.list_topics()["Topics"] if t["TopicArn"].endswith(names("orders"))]
    [subscription] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert subscription["Endpoint"].endswith(f":{names('w')}")
    attributes = sns.get_subscription_attributes(SubscriptionArn=subscription["SubscriptionArn"])["Attributes"]
    assert attributes["RawMessageDelivery"] == "true"


def test_gcp_creates_subscriptions_with_a_dead_letter_policy(names: Names, infrar_service: ServiceUser,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    use_cloud("gcp", infrar_service)
    emulator = infrar_service("pubsub", PubSubEmulator, provider="gcp")
    monkeypatch.setenv("INFRAR_CREATE_MISSING", "1")
    messaging.send_message(names("jobs"), 1)
    from google.pubsub_v1 import SubscriberClient

    from infrar.providers.gcp._clients import pubsub
    path = f"projects/{emulator.project}/subscriptions/{names('jobs')}"
    found = pubsub.subscriber().get_subscription(subscription=path)
    assert isinstance(pubsub.subscriber(), SubscriberClient)
    assert found.topic == f"projects/{emulator.project}/topics/{names('jobs')}"
    assert found.ack_deadline_seconds == 30
    assert found.dead_letter_policy.max_delivery_attempts == 5
    assert found.dead_letter_policy.dead_letter_topic.endswith(f"/topics/{names('jobs')}-dead-letter")
    dead = pubsub.subscriber().get_subscription(subscription=path + "-dead-letter")
    assert dead.topic.endswith(f"/topics/{names('jobs')}-dead-letter")


# Only where a subscription name is global to the project and bound to one topic: SNS lets one
# queue subscribe to several topics (fan-in), and a Service Bus subscription is named within its topic.
@pytest.mark.parametrize("provider", ["local", "gcp"], indirect=True)
def test_a_subscription_of_another_topic_is_refused(provider: str, names: Names) -> None:
    messaging.subscribe(names("a"), print, subscription=names("w"), timeout=0).wait()
    with pytest.raises(ValueError, match="belongs to"):
        messaging.subscribe(names("b"), print, subscription=names("w"))
