"""Messaging on SNS and SQS through boto3: the shared channel over SQS's primitives.

A queue is an SQS queue whose redrive policy sends a message to ``<queue>-dead-letter`` after
5 receives. A topic is an SNS topic; each subscription is an SQS queue of the subscription's
name, subscribed with raw message delivery, so fan-out is SNS's and every subscriber gets
plain bodies and attributes. Bodies travel as text: JSON as is, bytes as base64 (the
``content-type`` attribute says which). A missing topic, queue or subscription is NotFound
naming it, unless INFRAR_CREATE_MISSING=1, when it is created with its dead-letter wiring.

A queue made by ``infrar infra`` with ``fifo: true`` is the FIFO queue ``<queue>.fifo`` (dead
letters in ``<queue>-dead-letter.fifo``), found when ``<queue>`` does not exist. Its messages
are sent in one message group, so the queue is first in, first out: while a received message
is unsettled the later ones stay hidden, and a released one comes back before them. Each send
carries its own deduplication id (equal bodies are separate messages); SQS FIFO queues cannot
delay one message, so ``delay_seconds`` must be 0 there.
"""

from __future__ import annotations

import base64
import json
import math
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from infrar.errors import InvalidArgument, Unavailable
from infrar.messaging import subscriber
from infrar.messaging.channel import outgoing, receive
from infrar.messaging.codec import BYTES_TYPE
from infrar.messaging.rules import (
    CONTENT_TYPE,
    DEAD_LETTER_SUFFIX,
    KIB,
    MAX_COUNT,
    MAX_DELAY_SECONDS,
    MAX_DELIVERIES,
    check_name,
    check_ordering_key,
    check_queue,
    check_seconds,
    create_missing,
    dead_letter_name,
    missing,
    receive_settings,
    subscribe_settings,
)
from infrar.messaging.transport import Delivery, Transport
from infrar.messaging.types import Message, Subscription
from infrar.providers._names import deployed_name
from infrar.providers.aws._clients import sns, sqs
from infrar.providers.aws.messaging_errors import GONE, SDK_ERRORS, STALE, error_code, translate_error

_LIMIT = 256 * KIB
_WHERE = "AWS (SNS and SQS with raw delivery: 256 KiB)"
_RETENTION = "1209600"  # 14 days, SQS's longest, for dead-letter queues
_FIFO = ".fifo"  # what SQS requires a FIFO queue's name to end with


def _outgoing(message: Any, attributes: Mapping[str, str] | None, destination: str) -> tuple[str, dict[str, Any]]:
    data, sent = outgoing(message, attributes, destination, _LIMIT, _WHERE)
    return _text(data, sent[CONTENT_TYPE]), _wire_attributes(sent)


def _wire_attributes(attributes: Mapping[str, str]) -> dict[str, Any]:
    return {k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()}


def _text(data: bytes, content_type: str | None) -> str:
    return data.decode() if content_type != BYTES_TYPE else base64.b64encode(data).decode()


def _data(text: str, content_type: str | None) -> bytes:
    return text.encode() if content_type != BYTES_TYPE else base64.b64decode(text)


def _create_queue(queue: str) -> str:
    client, name = sqs.client(), deployed_name("queue", queue)
    if queue.endswith(DEAD_LETTER_SUFFIX):
        return str(client.create_queue(QueueName=name, Attributes={"MessageRetentionPeriod": _RETENTION})["QueueUrl"])
    dead = _queue_url(dead_letter_name(queue))
    arn = client.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": str(MAX_DELIVERIES)})
    return str(client.create_queue(QueueName=name, Attributes={"RedrivePolicy": redrive})["QueueUrl"])


def _queue_url(queue: str, kind: str = "queue") -> str:
    """The URL of ``queue``: looked up once per process; created when missing and allowed."""
    url = sqs.cached_url(queue)
    if url is not None:
        return url
    try:
        try:
            # the name infra deployed it under (QUEUE_NAME_<QUEUE>), dead letters by their own program name
            url = str(sqs.client().get_queue_url(QueueName=deployed_name("queue", queue))["QueueUrl"])
        except SDK_ERRORS as exc:
            if error_code(exc) not in GONE:
                raise
            found = _fifo_url(queue)
            if found is None and not create_missing():
                raise
            url = found or _create_queue(queue)
    except SDK_ERRORS as exc:
        raise translate_error(exc, kind, queue) from exc
    return sqs.remember_url(queue, url)


def _fifo_url(queue: str) -> str | None:
    """The URL of FIFO queue ``<queue>.fifo`` (infra's ``fifo: true``), None when there is none."""
    try:
        return str(sqs.client().get_queue_url(QueueName=deployed_name("queue", queue) + _FIFO)["QueueUrl"])
    except SDK_ERRORS as exc:
        if error_code(exc) not in GONE:
            raise
        return None


def _fifo_arguments(queue: str) -> dict[str, str]:
    """What a send to ``queue`` adds when it is a FIFO queue: one message group, a deduplication id per send."""
    if not _queue_url(queue).endswith(_FIFO):
        return {}
    return {"MessageGroupId": queue, "MessageDeduplicationId": uuid.uuid4().hex}


def _call(queue: str, operation: str, **arguments: Any) -> Any:
    """SQS ``operation`` on ``queue``, its errors translated (a vanished queue's URL forgotten)."""
    try:
        return getattr(sqs.client(), operation)(QueueUrl=_queue_url(queue), **arguments)
    except SDK_ERRORS as exc:
        if error_code(exc) in GONE:
            sqs.forget_url(queue)
        raise translate_error(exc, "queue", queue) from exc


def _settle(queue: str, operation: str, **arguments: Any) -> None:
    try:
        _call(queue, operation, **arguments)
    except Exception as exc:
        if error_code(exc.__cause__ or exc) not in STALE:  # a lost lease: the contract makes it a no-op
            raise


def _delivery(message: dict[str, Any]) -> Delivery:
    attributes = {k: v["StringValue"] for k, v in message.get("MessageAttributes", {}).items() if "StringValue" in v}
    data = _data(message["Body"], attributes.get(CONTENT_TYPE))
    count = int(message["Attributes"]["ApproximateReceiveCount"])
    return Delivery(message["MessageId"], data, attributes, count, message["ReceiptHandle"])


def _receive(queue: str, max_count: int, wait_seconds: float, visibility_timeout: float) -> list[Delivery]:
    answer = _call(queue, "receive_message", MaxNumberOfMessages=max_count, WaitTimeSeconds=math.ceil(wait_seconds),
                   VisibilityTimeout=math.ceil(visibility_timeout), MessageAttributeNames=["All"],
                   MessageSystemAttributeNames=["ApproximateReceiveCount"])
    return [_delivery(message) for message in answer.get("Messages", [])]


def _ack(queue: str, handle: Any) -> None:
    _settle(queue, "delete_message", ReceiptHandle=handle)


def _release(queue: str, handle: Any) -> None:
    _settle(queue, "change_message_visibility", ReceiptHandle=handle, VisibilityTimeout=0)


def _extend_lease(queue: str, handle: Any, seconds: float) -> None:
    _settle(queue, "change_message_visibility", ReceiptHandle=handle, VisibilityTimeout=math.ceil(seconds))


def _batch(queue: str, operation: str, entries: list[dict[str, Any]]) -> None:
    """SQS's batch ``operation`` over ``entries``, ten a call; an entry whose lease was lost is a no-op."""
    for start in range(0, len(entries), MAX_COUNT):
        chunk = [dict(entry, Id=str(number)) for number, entry in enumerate(entries[start:start + MAX_COUNT])]
        failed = [item for item in _call(queue, operation, Entries=chunk).get("Failed", [])
                  if item.get("Code") not in STALE]
        if failed:
            error = InvalidArgument if failed[0].get("SenderFault") else Unavailable
            raise error(f"SQS {operation} failed for {len(failed)} messages of queue {queue!r} "
                        f"({failed[0].get('Code')}: {failed[0].get('Message')}); they will be delivered again")


def _ack_many(queue: str, handles: list[Any]) -> None:
    _batch(queue, "delete_message_batch", [{"ReceiptHandle": handle} for handle in handles])


def _lease_many(queue: str, handles: list[Any], seconds: float) -> None:
    timeout = math.ceil(seconds)
    _batch(queue, "change_message_visibility_batch",
           [{"ReceiptHandle": handle, "VisibilityTimeout": timeout} for handle in handles])


def _dead_letter(queue: str, delivery: Delivery, reason: str) -> None:
    content_type = delivery.attributes.get(CONTENT_TYPE)
    dead = dead_letter_name(queue)
    _call(dead, "send_message", MessageBody=_text(delivery.data, content_type),
          MessageAttributes=_wire_attributes(delivery.attributes), **_fifo_arguments(dead))
    _settle(queue, "delete_message", ReceiptHandle=delivery.handle)


_SQS = Transport(receive=_receive, ack=_ack, release=_release, extend_lease=_extend_lease, dead_letter=_dead_letter,
                 ack_many=_ack_many, lease_many=_lease_many)


def _topic_arn(topic: str) -> str:
    """The ARN of the SNS topic ``topic`` was deployed as (TOPIC_NAME_<TOPIC>), else of ``topic``."""
    name = deployed_name("topic", topic)
    try:
        if create_missing():  # CreateTopic is idempotent; once per process is enough
            known = sns.created_arn(name)
            return known or sns.remember_created(name, str(sns.client().create_topic(Name=name)["TopicArn"]))
        return sns.topic_arn(name)
    except SDK_ERRORS as exc:
        raise translate_error(exc, "topic", topic) from exc


def _subscribed(topic_arn: str, queue_arn: str) -> bool:
    pages = sns.client().get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn)
    return any(item["Endpoint"] == queue_arn for page in pages for item in page["Subscriptions"])


def _wire(topic_arn: str, queue_url: str, queue_arn: str) -> None:
    """Subscribe the queue to the topic with raw delivery, and let the topic send to the queue."""
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": queue_arn, "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}}}]}
    sqs.client().set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps(policy)})
    sns.client().subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn,
                           Attributes={"RawMessageDelivery": "true"})


def _ensure_subscription(topic: str, name: str) -> None:
    url = _queue_url(name, "subscription")
    topic_arn = _topic_arn(topic)
    try:
        queue_arn = sqs.client().get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        queue_arn = queue_arn["Attributes"]["QueueArn"]
        if _subscribed(topic_arn, queue_arn):
            return
        if not create_missing():
            raise missing("subscription", name, "aws")
        _wire(topic_arn, url, queue_arn)
    except SDK_ERRORS as exc:
        raise translate_error(exc, "topic", topic) from exc


class AwsMessaging:
    """Adapter for INFRAR_PROVIDER=aws."""

    def publish(self, topic: str, message: Any, *, attributes: Mapping[str, str] | None = None,
                ordering_key: str | None = None) -> str:
        check_ordering_key(ordering_key)  # standard SNS topics keep no order
        body, sent = _outgoing(message, attributes, check_name("topic", topic))
        try:
            answer = sns.client().publish(TopicArn=_topic_arn(topic), Message=body, MessageAttributes=sent)
        except SDK_ERRORS as exc:
            raise translate_error(exc, "topic", topic) from exc
        return str(answer["MessageId"])

    def subscribe(self, topic: str, handler: Callable[[Message], Any], *, subscription: str | None = None,
                  max_messages: int | None = None, timeout: float | None = None,
                  concurrency: int = 1) -> Subscription:
        name, handler, limit, ends, workers = subscribe_settings(topic, handler, subscription, max_messages,
                                                                 timeout, concurrency)
        _ensure_subscription(topic, name)
        return subscriber.start(_SQS, name, topic, handler, limit, ends, workers)

    def send_message(self, queue: str, message: Any, *, delay_seconds: int = 0,
                     attributes: Mapping[str, str] | None = None) -> str:
        body, sent = _outgoing(message, attributes, check_queue(queue))
        delay = math.ceil(check_seconds("delay_seconds", delay_seconds, 0, MAX_DELAY_SECONDS))
        fifo = _fifo_arguments(queue)
        if fifo and delay:
            raise InvalidArgument(f"queue {queue!r} is the FIFO SQS queue {queue + _FIFO!r}, which cannot delay one "
                                  f"message (delay_seconds={delay_seconds}); send it later, or use delay_seconds=0")
        answer = _call(queue, "send_message", MessageBody=body, DelaySeconds=delay, MessageAttributes=sent, **fifo)
        return str(answer["MessageId"])

    def receive_messages(self, queue: str, max_count: int = 10, *, wait_seconds: float = 1,
                         visibility_timeout: float = 30) -> list[Message]:
        count, wait, lease = receive_settings(queue, max_count, wait_seconds, visibility_timeout)
        return receive(_SQS, queue, count, wait, lease)
