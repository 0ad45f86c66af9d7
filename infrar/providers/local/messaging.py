"""Messaging on an embedded SQLite database: durable, shared by threads and processes, no server.

A queue is the rows whose ``queue`` column names it; publishing to a topic writes one row per
subscription of that topic (fan-out). Receiving leases rows: it sets ``visible_at`` to the end
of the visibility timeout, adds one to ``deliveries`` and stamps a fresh ``lease`` token, all in
one ``BEGIN IMMEDIATE`` transaction, so two consumers never hold the same message. Settling
names that token, so a consumer whose lease expired (and was re-leased to another) changes
nothing. Topics, queues and subscriptions are created on first use.

Ordering: a message published with an ``ordering_key`` is not handed out while an earlier
message of the same key is still in its subscription (in a handler, waiting for redelivery,
or not yet received), so each subscription handles one key's messages one at a time, in
publish order, across threads and processes. Acknowledging or dead-lettering it lets the next one go.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from infrar.errors import InvalidArgument, Unavailable
from infrar.messaging import subscriber
from infrar.messaging.channel import outgoing, receive
from infrar.messaging.rules import (
    MAX_DELAY_SECONDS,
    MAX_LOCAL_SIZE,
    check_name,
    check_ordering_key,
    check_queue,
    check_seconds,
    dead_letter_name,
    receive_settings,
    subscribe_settings,
)
from infrar.messaging.transport import Delivery, Transport
from infrar.messaging.types import Message, Subscription
from infrar.providers.local._clients import queue_db

_POLL_S = 0.02  # how often an empty long poll looks again (another process may have sent)
_WHERE = "local (256 KiB, the strictest cloud's limit: SNS and Service Bus Standard)"


def _begin() -> sqlite3.Connection:
    connection = queue_db.client()
    try:
        connection.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise Unavailable(f"local messaging database is locked or unusable: {exc}; check INFRAR_LOCAL_ROOT") from exc
    return connection


def _encoded(message: Any, attributes: Mapping[str, str] | None, destination: str) -> tuple[bytes, str]:
    data, sent = outgoing(message, attributes, destination, MAX_LOCAL_SIZE, _WHERE)
    return data, json.dumps(sent)


# Visible now, and no earlier message of its ordering key left in the queue.
_DELIVERABLE = ("FROM messages AS m WHERE queue = ? AND visible_at <= ? AND (ordering_key IS NULL OR NOT EXISTS "
                "(SELECT 1 FROM messages AS e WHERE e.queue = m.queue AND e.ordering_key = m.ordering_key "
                "AND e.seq < m.seq))")


def _ready(queue: str) -> bool:
    row = queue_db.client().execute(f"SELECT 1 {_DELIVERABLE} LIMIT 1", (queue, time.time())).fetchone()
    return row is not None


def _lease(queue: str, max_count: int, visibility_timeout: float) -> list[Delivery]:
    connection = _begin()
    try:
        now = time.time()
        rows = connection.execute(
            f"SELECT seq, id, data, attributes, deliveries {_DELIVERABLE} ORDER BY seq LIMIT ?", (queue, now, max_count)
        ).fetchall()
        lease = uuid.uuid4().hex
        connection.executemany(
            "UPDATE messages SET visible_at = ?, deliveries = deliveries + 1, lease = ? WHERE seq = ?",
            [(now + visibility_timeout, lease, row[0]) for row in rows],
        )
    finally:
        connection.execute("COMMIT")
    return [Delivery(row[1], row[2], json.loads(row[3]), row[4] + 1, (row[0], lease)) for row in rows]


def _receive(queue: str, max_count: int, wait_seconds: float, visibility_timeout: float) -> list[Delivery]:
    deadline = time.monotonic() + wait_seconds
    while True:
        if _ready(queue):  # a plain read first: an empty poll never takes the write lock
            leased = _lease(queue, max_count, visibility_timeout)
            if leased:
                return leased
        left = deadline - time.monotonic()
        if left <= 0:
            return []
        time.sleep(min(_POLL_S, left))


def _settle(statement: str, parameters: tuple[Any, ...]) -> None:
    try:
        queue_db.client().execute(statement, parameters)
    except sqlite3.OperationalError as exc:
        raise Unavailable(f"local messaging database is unusable: {exc}; check INFRAR_LOCAL_ROOT") from exc


def _ack(queue: str, handle: Any) -> None:
    _settle("DELETE FROM messages WHERE seq = ? AND lease = ?", handle)


def _release(queue: str, handle: Any) -> None:
    _settle("UPDATE messages SET visible_at = ?, lease = NULL WHERE seq = ? AND lease = ?", (time.time(), *handle))


def _extend_lease(queue: str, handle: Any, seconds: float) -> None:
    _settle("UPDATE messages SET visible_at = ? WHERE seq = ? AND lease = ?", (time.time() + seconds, *handle))


def _dead_letter(queue: str, delivery: Delivery, reason: str) -> None:
    _settle(
        "UPDATE messages SET queue = ?, visible_at = ?, deliveries = 0, lease = NULL, reason = ?, ordering_key = NULL "
        "WHERE seq = ? AND lease = ?", (dead_letter_name(queue), time.time(), reason, *delivery.handle)
    )


_LOCAL = Transport(receive=_receive, ack=_ack, release=_release, extend_lease=_extend_lease,
                   dead_letter=_dead_letter)


def _ensure_subscription(topic: str, name: str) -> None:
    connection = _begin()
    try:
        connection.execute("INSERT OR IGNORE INTO subscriptions (name, topic) VALUES (?, ?)", (name, topic))
        owner = connection.execute("SELECT topic FROM subscriptions WHERE name = ?", (name,)).fetchone()[0]
    finally:
        connection.execute("COMMIT")
    if owner != topic:
        raise InvalidArgument(f"subscription {name!r} belongs to topic {owner!r}, not {topic!r}; name another one")


class LocalMessaging:
    """Adapter for INFRAR_PROVIDER=local."""

    def publish(self, topic: str, message: Any, *, attributes: Mapping[str, str] | None = None,
                ordering_key: str | None = None) -> str:
        data, sent = _encoded(message, attributes, check_name("topic", topic))
        key = check_ordering_key(ordering_key)
        message_id = str(uuid.uuid4())
        connection = _begin()
        try:
            names = connection.execute("SELECT name FROM subscriptions WHERE topic = ?", (topic,)).fetchall()
            connection.executemany(
                "INSERT INTO messages (queue, id, data, attributes, visible_at, ordering_key) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(name, message_id, data, sent, time.time(), key) for (name,) in names],
            )
        finally:
            connection.execute("COMMIT")
        return message_id

    def subscribe(self, topic: str, handler: Callable[[Message], Any], *, subscription: str | None = None,
                  max_messages: int | None = None, timeout: float | None = None,
                  concurrency: int = 1) -> Subscription:
        name, handler, limit, ends, workers = subscribe_settings(topic, handler, subscription, max_messages,
                                                                 timeout, concurrency)
        _ensure_subscription(topic, name)
        return subscriber.start(_LOCAL, name, topic, handler, limit, ends, workers)

    def send_message(self, queue: str, message: Any, *, delay_seconds: int = 0,
                     attributes: Mapping[str, str] | None = None) -> str:
        data, sent = _encoded(message, attributes, check_queue(queue))
        delay = check_seconds("delay_seconds", delay_seconds, 0, MAX_DELAY_SECONDS)
        message_id = str(uuid.uuid4())
        _settle("INSERT INTO messages (queue, id, data, attributes, visible_at) VALUES (?, ?, ?, ?, ?)",
                (queue, message_id, data, sent, time.time() + delay))
        return message_id

    def receive_messages(self, queue: str, max_count: int = 10, *, wait_seconds: float = 1,
                         visibility_timeout: float = 30) -> list[Message]:
        count, wait, lease = receive_settings(queue, max_count, wait_seconds, visibility_timeout)
        return receive(_LOCAL, queue, count, wait, lease)
