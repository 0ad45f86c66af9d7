"""Sessions on the Service Bus test broker against the real azure-servicebus SDK (no infrar adapter between).

What the azure adapter's ordered delivery relies on: a session queue refuses plain receivers and
messages without a session id; a NEXT_AVAILABLE_SESSION receiver locks one session and gets only
its messages, in order; nobody else gets that session while it is locked; renewing the session
lock works; closing the receiver gives the session (and what it still held) back, in order.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from azure.servicebus import NEXT_AVAILABLE_SESSION, ServiceBusClient, ServiceBusMessage, ServiceBusReceivedMessage
from azure.servicebus.exceptions import OperationTimeoutError, ServiceBusError

from infrar.testing.servicebus import ServiceBusService
from tests.messaging.azure_support import client, entity_name, servicebus

__all__ = ["client", "entity_name", "servicebus"]  # fixtures


@pytest.fixture
def session_queue(servicebus: ServiceBusService, entity_name: str) -> Iterator[str]:
    servicebus.create_queue(entity_name, lock_duration=30, max_delivery_count=3, requires_session=True)
    yield entity_name
    servicebus.delete(entity_name)


def send(client: ServiceBusClient, queue: str, *pairs: tuple[str, str]) -> None:
    with client.get_queue_sender(queue) as sender:
        sender.send_messages([ServiceBusMessage(body, session_id=session) for session, body in pairs])


def bodies(messages: list[ServiceBusReceivedMessage]) -> list[str]:
    return [b"".join(m.body).decode() for m in messages]


def test_a_session_receiver_gets_one_session_in_order_and_holds_it(client: ServiceBusClient,
                                                                  session_queue: str) -> None:
    send(client, session_queue, ("a", "a1"), ("b", "b1"), ("a", "a2"), ("b", "b2"))
    with client.get_queue_receiver(session_queue, session_id=NEXT_AVAILABLE_SESSION, max_wait_time=1) as first:
        got = first.receive_messages(max_message_count=5, max_wait_time=1)
        assert first.session.session_id == "a" and bodies(got) == ["a1", "a2"]
        assert first.session.locked_until_utc is not None
        with client.get_queue_receiver(session_queue, session_id=NEXT_AVAILABLE_SESSION, max_wait_time=1) as second:
            assert bodies(second.receive_messages(max_message_count=5, max_wait_time=1)) == ["b1", "b2"]
            assert second.session.session_id == "b"
            for message in second.receive_messages(max_message_count=5, max_wait_time=0.1):
                raise AssertionError(f"a session receiver got more than its session held: {message}")
            with pytest.raises(OperationTimeoutError):  # a and b are both locked
                with client.get_queue_receiver(session_queue, session_id=NEXT_AVAILABLE_SESSION) as third:
                    third.receive_messages(max_message_count=1, max_wait_time=0.5)
        renewed = first.session.renew_lock()
        assert got[0].enqueued_time_utc is not None and renewed >= got[0].enqueued_time_utc
        first.complete_message(got[0])
        first.abandon_message(got[1])
    send(client, session_queue, ("a", "a3"))
    with client.get_queue_receiver(session_queue, session_id=NEXT_AVAILABLE_SESSION, max_wait_time=1) as again:
        got = again.receive_messages(max_message_count=5, max_wait_time=1)
        assert bodies(got) == ["a2", "a3"]  # the abandoned one first, counted
        assert got[0].delivery_count and got[0].delivery_count >= 1 and not got[1].delivery_count
        for message in got:
            again.complete_message(message)


def test_closing_a_session_receiver_gives_back_what_it_held_in_order(client: ServiceBusClient,
                                                                    session_queue: str) -> None:
    send(client, session_queue, ("k", "1"), ("k", "2"))
    with client.get_queue_receiver(session_queue, session_id=NEXT_AVAILABLE_SESSION, max_wait_time=1) as first:
        assert bodies(first.receive_messages(max_message_count=5, max_wait_time=1)) == ["1", "2"]
    with client.get_queue_receiver(session_queue, session_id="k", max_wait_time=1) as again:
        got = again.receive_messages(max_message_count=5, max_wait_time=1)
        assert bodies(got) == ["1", "2"] and all(m.delivery_count for m in got)


def test_a_session_queue_refuses_plain_receivers_and_messages_without_a_session(
        client: ServiceBusClient, session_queue: str) -> None:
    with pytest.raises(ServiceBusError, match="requires sessions"):
        with client.get_queue_receiver(session_queue) as plain:
            plain.receive_messages(max_message_count=1, max_wait_time=1)
    with pytest.raises(ServiceBusError, match="SessionId was not set"):
        with client.get_queue_sender(session_queue) as sender:
            sender.send_messages(ServiceBusMessage("no session"))
