"""A FIFO queue as ``infrar infra`` makes it on GCP (``fifo: true``): in send order, on the Pub/Sub emulator.

The queue is laid out as modules/gcp/pubsub_queue does: topic and subscription ``<name>``, the
subscription with message ordering. The adapter is not allowed to create anything (no
INFRAR_CREATE_MISSING), so it must read that the subscription orders and publish with a key.
"""

from __future__ import annotations

import pytest

from infrar import messaging
from infrar.providers.gcp._clients import pubsub
from infrar.testing.plugin import ServiceUser
from tests.messaging.conftest import Names, use_cloud


def _queue(name: str, ordered: bool) -> None:
    pubsub.publisher().create_topic(name=pubsub.topic_path(name))
    pubsub.subscriber().create_subscription(request={
        "name": pubsub.subscription_path(name), "topic": pubsub.topic_path(name), "ack_deadline_seconds": 30,
        "enable_message_ordering": ordered})


@pytest.fixture
def gcp(infrar_service: ServiceUser, monkeypatch: pytest.MonkeyPatch) -> None:
    use_cloud("gcp", infrar_service)
    monkeypatch.delenv("INFRAR_CREATE_MISSING", raising=False)
    pubsub.reset()


def test_a_fifo_queue_hands_out_in_send_order_and_holds_the_rest_while_a_batch_is_unsettled(
        gcp: None, names: Names) -> None:
    queue = names("jobs")
    _queue(queue, ordered=True)
    for n in range(5):
        messaging.send_message(queue, {"n": n})
    first = messaging.receive_messages(queue, 3, wait_seconds=2)
    assert [m["n"] for m in first] == [0, 1, 2]
    assert messaging.receive_messages(queue, wait_seconds=0.5) == []  # the key's batch is out: the rest wait
    for message in first:
        message.acknowledge()
    rest = messaging.receive_messages(queue, 10, wait_seconds=2)
    assert [m["n"] for m in rest] == [3, 4]


def test_a_queue_without_ordering_gets_no_ordering_key(gcp: None, names: Names) -> None:
    queue = names("jobs")
    _queue(queue, ordered=False)
    messaging.send_message(queue, "plain")
    answer = pubsub.subscriber().pull(subscription=pubsub.subscription_path(queue), max_messages=1, timeout=5)
    assert [(m.message.data, m.message.ordering_key) for m in answer.received_messages] == [(b'"plain"', "")]
