"""On SQS the subscriber settles a received batch with one DeleteMessageBatch and one
ChangeMessageVisibilityBatch call, not one call per message (on moto, the calls counted by
botocore's own event hooks on infrar's real client)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from infrar import messaging
from infrar.errors import InvalidArgument
from infrar.messaging import Message
from infrar.providers.aws import messaging as aws
from infrar.providers.aws._clients import sqs
from infrar.testing.plugin import ServiceUser
from tests.messaging.conftest import Names, use_cloud


@pytest.fixture
def calls(infrar_service: ServiceUser, monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    use_cloud("aws", infrar_service)
    monkeypatch.setenv("INFRAR_CREATE_MISSING", "1")
    counted: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        counted[model.name] += 1

    client = sqs.client()
    client.meta.events.register("before-call.sqs", count)
    yield counted
    client.meta.events.unregister("before-call.sqs", count)


def test_a_batch_is_settled_in_one_call_per_outcome(calls: Counter[str], names: Names,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.CRITICAL, "infrar.messaging")
    topic, subscription = names("orders"), names("worker")
    messaging.subscribe(topic, print, subscription=subscription, timeout=0).wait()  # the subscription first
    for n in range(10):
        messaging.publish(topic, {"n": n})
    seen: list[tuple[int, int]] = []

    def handle(message: Message) -> None:
        seen.append((message["n"], message.delivery_count))
        if message["n"] == 3 and message.delivery_count == 1:
            raise RuntimeError("fails once")

    calls.clear()
    messaging.subscribe(topic, handle, subscription=subscription, max_messages=10, timeout=60).wait()
    assert sorted(n for n, _ in seen) == [0, 1, 2, 3, 3, 4, 5, 6, 7, 8, 9] and (3, 2) in seen
    assert calls["DeleteMessage"] == 0 and 1 <= calls["DeleteMessageBatch"] <= calls["ReceiveMessage"]
    assert calls["ChangeMessageVisibility"] == 0 and calls["ChangeMessageVisibilityBatch"] >= 1
    assert messaging.receive_messages(subscription, wait_seconds=0) == []  # every one deleted


def test_a_lost_lease_in_a_batch_is_a_no_op(calls: Counter[str], names: Names) -> None:
    queue = names("jobs")
    messaging.send_message(queue, "x")
    [message] = messaging.receive_messages(queue, wait_seconds=1)
    handle = message._delivery.handle
    aws._ack_many(queue, [handle, handle + "stale"])  # moto: ReceiptHandleIsInvalid for the second
    assert calls["DeleteMessageBatch"] == 1
    assert messaging.receive_messages(queue, wait_seconds=0, visibility_timeout=0) == []


def test_an_entry_the_service_refuses_raises_naming_the_queue(calls: Counter[str], names: Names) -> None:
    queue = names("jobs")
    messaging.send_message(queue, "y")
    [message] = messaging.receive_messages(queue, wait_seconds=1)
    refused = rf"change_message_visibility_batch failed for 1 messages of queue '{queue}'"
    with pytest.raises(InvalidArgument, match=refused):
        aws._lease_many(queue, [message._delivery.handle], 43_201)  # over SQS's 12-hour ceiling
