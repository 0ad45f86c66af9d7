"""The Service Bus test broker against the real azure-servicebus SDK, nothing of infrar's adapter in between.

Each test proves one behaviour the azure adapter relies on: settlement outcomes (complete,
abandon, dead-letter), lock expiry and renewal, max delivery count, released prefetch, topic
fan-out, receive-and-delete, missing entities and the 256 KiB limit.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from azure.servicebus import ServiceBusClient, ServiceBusMessage, ServiceBusReceiveMode, ServiceBusSubQueue
from azure.servicebus.exceptions import (
    MessageLockLostError,
    MessageSizeExceededError,
    MessagingEntityNotFoundError,
)

from infrar.testing.servicebus import ServiceBusService
from tests.messaging.azure_support import client, entity_name, servicebus

__all__ = ["client", "entity_name", "servicebus"]  # fixtures


@pytest.fixture
def queue(servicebus: ServiceBusService, entity_name: str) -> Iterator[str]:
    servicebus.create_queue(entity_name, lock_duration=30, max_delivery_count=3)
    yield entity_name
    servicebus.delete(entity_name)


def send(client: ServiceBusClient, queue: str, *bodies: str) -> None:
    with client.get_queue_sender(queue) as sender:
        sender.send_messages([ServiceBusMessage(body, application_properties={"n": body}) for body in bodies])


def receive(client: ServiceBusClient, queue: str, count: int = 1, **options: object) -> list[object]:
    """Up to ``count`` messages through a fresh receiver that is closed after (releasing any prefetch)."""
    with client.get_queue_receiver(queue, **options) as receiver:  # type: ignore[arg-type]
        return list(receiver.receive_messages(max_message_count=count, max_wait_time=5))


def test_send_receive_complete_removes_the_message(client: ServiceBusClient, queue: str,
                                                   servicebus: ServiceBusService) -> None:
    send(client, queue, "one")
    with client.get_queue_receiver(queue) as receiver:
        [message] = receiver.receive_messages(max_message_count=1, max_wait_time=5)
        assert str(message) == "one"
        assert message.application_properties == {b"n": b"one"}
        assert message.delivery_count is None  # no header: delivery-count 0, a first delivery
        assert len(message._delivery_tag) == 16
        assert message.lock_token is not None and message.locked_until_utc is not None
        receiver.complete_message(message)
    assert servicebus.count(queue) == 0


def test_abandon_redelivers_with_the_count_one_higher(client: ServiceBusClient, queue: str) -> None:
    send(client, queue, "again")
    with client.get_queue_receiver(queue) as receiver:
        [first] = receiver.receive_messages(max_wait_time=2)
        receiver.abandon_message(first)
        [second] = receiver.receive_messages(max_wait_time=2)
        assert (str(second), second.delivery_count) == ("again", 1)
        receiver.complete_message(second)


def test_dead_letter_moves_it_to_the_subqueue_with_its_reason(client: ServiceBusClient, queue: str,
                                                              servicebus: ServiceBusService) -> None:
    send(client, queue, "poison")
    with client.get_queue_receiver(queue) as receiver:
        [message] = receiver.receive_messages(max_wait_time=2)
        receiver.dead_letter_message(message, reason="bad-input", error_description="not an order")
    assert servicebus.count(queue) == 0
    with client.get_queue_receiver(queue, sub_queue=ServiceBusSubQueue.DEAD_LETTER) as receiver:
        [dead] = receiver.receive_messages(max_wait_time=2)
        assert (str(dead), dead.dead_letter_reason, dead.dead_letter_error_description) == (
            "poison", "bad-input", "not an order")
        receiver.complete_message(dead)
    assert servicebus.count(f"{queue}/$DeadLetterQueue") == 0


def test_max_delivery_count_dead_letters(client: ServiceBusClient, queue: str) -> None:
    send(client, queue, "fails")
    with client.get_queue_receiver(queue) as receiver:
        for attempt in range(3):  # the queue's max delivery count
            [message] = receiver.receive_messages(max_wait_time=2)
            assert (message.delivery_count or 0) == attempt
            receiver.abandon_message(message)
        assert receiver.receive_messages(max_wait_time=0.3) == []
    [dead] = receive(client, queue, sub_queue=ServiceBusSubQueue.DEAD_LETTER)
    assert (str(dead), dead.dead_letter_reason) == ("fails", "MaxDeliveryCountExceeded")  # type: ignore[attr-defined]


def test_expired_lock_redelivers_and_its_settlement_is_refused(client: ServiceBusClient, entity_name: str,
                                                              servicebus: ServiceBusService) -> None:
    servicebus.create_queue(entity_name, lock_duration=1, max_delivery_count=5)
    send(client, entity_name, "slow")
    with client.get_queue_receiver(entity_name) as receiver:
        [held] = receiver.receive_messages(max_wait_time=2)
        [again] = receiver.receive_messages(max_wait_time=5)  # back once the 1 s lock ran out
        assert (str(again), again.delivery_count) == ("slow", 1)
        # Forget the SDK's own clock, so the refusal below is the broker's (lock-lost on the disposition).
        held._expiry = None
        held._raw_amqp_message.annotations.pop(b"x-opt-locked-until")
        with pytest.raises(MessageLockLostError):
            receiver.complete_message(held)
        receiver.complete_message(again)
    assert servicebus.count(entity_name) == 0


def test_renew_lock_extends_it(client: ServiceBusClient, entity_name: str, servicebus: ServiceBusService) -> None:
    servicebus.create_queue(entity_name, lock_duration=1, max_delivery_count=5)
    send(client, entity_name, "long")
    with client.get_queue_receiver(entity_name) as receiver:
        [message] = receiver.receive_messages(max_wait_time=2)
        first = message.locked_until_utc
        for _ in range(3):  # held for longer than its lock duration: renewed, never lost
            time.sleep(0.5)
            receiver.renew_message_lock(message)
        assert message.locked_until_utc > first
        receiver.complete_message(message)
    assert servicebus.count(entity_name) == 0


def test_released_prefetch_does_not_count_as_a_delivery(client: ServiceBusClient, queue: str) -> None:
    send(client, queue, "a", "b", "c")
    with client.get_queue_receiver(queue, prefetch_count=10) as receiver:
        [first] = receiver.receive_messages(max_message_count=1, max_wait_time=2)
        receiver.complete_message(first)
    # b and c were prefetched (locked) and released on close: delivered again as first deliveries
    rest = receive(client, queue, 2)
    assert sorted(str(m) for m in rest) == ["b", "c"]
    assert all(m.delivery_count is None for m in rest)  # type: ignore[attr-defined]


def test_receive_and_delete_takes_at_once(client: ServiceBusClient, queue: str,
                                          servicebus: ServiceBusService) -> None:
    send(client, queue, "gone")
    [message] = receive(client, queue, receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE)
    assert str(message) == "gone"
    assert servicebus.count(queue) == 0


def test_topic_fans_out_to_each_subscription(client: ServiceBusClient, entity_name: str,
                                             servicebus: ServiceBusService) -> None:
    servicebus.create_topic(entity_name)
    servicebus.create_subscription(entity_name, "first")
    with client.get_topic_sender(entity_name) as sender:
        sender.send_messages(ServiceBusMessage("before"))  # only "first" exists yet
    servicebus.create_subscription(entity_name, "second")
    with client.get_topic_sender(entity_name) as sender:
        sender.send_messages(ServiceBusMessage("after"))
    got = {}
    for name in ("first", "second"):
        with client.get_subscription_receiver(entity_name, name) as receiver:
            messages = receiver.receive_messages(max_message_count=2 if name == "first" else 1, max_wait_time=5)
            got[name] = sorted(str(m) for m in messages)
            for message in messages:
                receiver.complete_message(message)
    assert got == {"first": ["after", "before"], "second": ["after"]}
    servicebus.delete(entity_name)


def test_missing_entities_are_not_found(client: ServiceBusClient, entity_name: str) -> None:
    with pytest.raises(MessagingEntityNotFoundError), client.get_queue_sender(entity_name) as sender:
        sender.send_messages(ServiceBusMessage("nowhere"))
    with pytest.raises(MessagingEntityNotFoundError), client.get_queue_receiver(entity_name) as receiver:
        receiver.receive_messages(max_wait_time=0.3)


def test_messages_over_256_kib_are_refused(client: ServiceBusClient, queue: str,
                                           servicebus: ServiceBusService) -> None:
    with pytest.raises(MessageSizeExceededError), client.get_queue_sender(queue) as sender:
        sender.send_messages(ServiceBusMessage(b"x" * (256 * 1024 + 1)))
    assert servicebus.count(queue) == 0
