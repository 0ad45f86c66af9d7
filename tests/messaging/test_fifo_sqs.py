"""A FIFO queue as ``infrar infra`` makes it on AWS (``fifo: true``): found, first in first out, on moto.

The queues are laid out as modules/aws/sqs_queue does: ``<name>.fifo`` with content-based
deduplication and a redrive after 5 receives to ``<name>-dead-letter.fifo``. The adapter is
not allowed to create anything (no INFRAR_CREATE_MISSING), so it must find them.
"""

from __future__ import annotations

import json

import boto3
import pytest

from infrar import messaging
from infrar.errors import InvalidArgument
from infrar.messaging.rules import MAX_DELIVERIES
from infrar.testing.aws import MotoEmulator
from infrar.testing.plugin import ServiceUser
from tests.messaging.conftest import Names


@pytest.fixture
def fifo_queue(infrar_service: ServiceUser, names: Names, monkeypatch: pytest.MonkeyPatch) -> str:
    moto = infrar_service("moto", MotoEmulator, provider="aws")
    monkeypatch.delenv("INFRAR_CREATE_MISSING", raising=False)
    sqs = boto3.client("sqs", endpoint_url=moto.endpoint, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    queue = names("jobs")
    dead = sqs.create_queue(QueueName=f"{queue}-dead-letter.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": MAX_DELIVERIES})
    sqs.create_queue(QueueName=f"{queue}.fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true", "RedrivePolicy": redrive})
    return queue


def test_messages_come_out_in_send_order_and_a_released_one_before_the_later_ones(fifo_queue: str) -> None:
    for n in (0, 1, 2, 3, 0):  # the same body twice: two messages (each send has its own deduplication id)
        messaging.send_message(fifo_queue, {"n": n})
    first = messaging.receive_messages(fifo_queue, 3, wait_seconds=1)
    assert [m["n"] for m in first] == [0, 1, 2]
    assert messaging.receive_messages(fifo_queue, wait_seconds=0) == []  # its group is in flight: the rest wait
    first[0].acknowledge()
    first[1].release()
    first[2].acknowledge()
    again = messaging.receive_messages(fifo_queue, 10, wait_seconds=1)
    assert [(m["n"], m.delivery_count) for m in again] == [(1, 2), (3, 1), (0, 1)]


def test_a_poison_message_reaches_the_fifo_dead_letter_queue(fifo_queue: str) -> None:
    messaging.send_message(fifo_queue, "poison")
    for _ in range(MAX_DELIVERIES):
        [message] = messaging.receive_messages(fifo_queue, 1, wait_seconds=1)
        message.release()
    assert messaging.receive_messages(fifo_queue, wait_seconds=0) == []
    [dead] = messaging.receive_messages(fifo_queue + "-dead-letter", wait_seconds=1)
    assert dead.body == "poison"


def test_a_delay_is_refused_naming_the_fifo_queue(fifo_queue: str) -> None:
    with pytest.raises(InvalidArgument, match=r"FIFO SQS queue .*\.fifo'.*delay_seconds=5"):
        messaging.send_message(fifo_queue, "later", delay_seconds=5)
