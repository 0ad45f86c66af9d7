"""Ordered delivery: one ordering key's messages reach a subscription's handler one at a time, in publish order.

Proven where the provider keeps order (``ORDERED``): local (SQLite holds back a key's later
messages while an earlier one is in the subscription) and Pub/Sub (subscriptions made with
message ordering, publishes carrying the key). Standard SNS topics and Service Bus entities
without sessions keep no order; docs/messaging.md says so.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from infrar import messaging
from infrar.messaging import Message
from infrar.messaging.rules import MAX_DELIVERIES
from infrar.providers.local._clients import queue_db
from tests.messaging.conftest import Names

ORDERED = ["local"]
KEYS = ["ka", "kb", "kc"]
PER_KEY = 8
POISON = ("kc", 3)  # always fails: dead-lettered after five deliveries, then kc's later messages go on


@pytest.mark.parametrize("provider", ORDERED, indirect=True)
def test_a_keys_messages_are_handled_one_at_a_time_in_publish_order(provider: str, names: Names) -> None:
    logging.getLogger("infrar.messaging").setLevel(logging.CRITICAL)  # the failures below are meant
    topic, subscription = names("orders"), names("ordered")
    messaging.subscribe(topic, print, subscription=subscription, timeout=0).wait()  # the subscription first
    for n in range(PER_KEY):
        for key in KEYS:  # interleaved, so a batch of ten holds several messages of each key
            messaging.publish(topic, {"key": key, "n": n}, ordering_key=key)
    handled: dict[str, list[int]] = {key: [] for key in KEYS}
    running: set[str] = set()
    overlaps: list[tuple[str, int]] = []
    failed_once: set[tuple[str, int]] = set()
    poison_deliveries: list[int] = []
    lock = threading.Lock()

    def handle(message: Message) -> None:
        key, n = message["key"], message["n"]
        with lock:
            if key in running:
                overlaps.append((key, n))
            running.add(key)
        try:
            time.sleep(0.01)  # widen the window in which a second handler of the key could start
            if (key, n) == POISON:
                poison_deliveries.append(message.delivery_count)
                raise RuntimeError("poison")
            if n % 3 == 1 and (key, n) not in failed_once:  # released: it must come back before the next
                failed_once.add((key, n))
                raise RuntimeError("fails once")
            handled[key].append(n)
        finally:
            with lock:
                running.discard(key)

    expected = len(KEYS) * PER_KEY - 1
    with messaging.subscribe(topic, handle, subscription=subscription, max_messages=expected, concurrency=4,
                             timeout=90) as running_subscription:
        running_subscription.wait()
    everything = list(range(PER_KEY))
    assert handled == {"ka": everything, "kb": everything, "kc": [n for n in everything if n != POISON[1]]}
    assert overlaps == []
    assert poison_deliveries == list(range(1, MAX_DELIVERIES + 1))
    dead = messaging.receive_messages(subscription + "-dead-letter", wait_seconds=5)
    assert [(m["key"], m["n"]) for m in dead] == [POISON]


def test_a_local_database_made_before_ordering_keys_gets_the_column(infrar_local: Path) -> None:
    path = infrar_local / "messaging" / "messaging.db"
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as old:  # the schema of databases written before ordering keys
        old.executescript(
            "CREATE TABLE messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, queue TEXT NOT NULL, id TEXT NOT NULL, "
            "data BLOB NOT NULL, attributes TEXT NOT NULL, visible_at REAL NOT NULL, deliveries INTEGER NOT NULL "
            "DEFAULT 0, lease TEXT, reason TEXT);"
            "CREATE TABLE subscriptions (name TEXT PRIMARY KEY, topic TEXT NOT NULL);"
            "INSERT INTO messages (queue, id, data, attributes, visible_at) VALUES ('jobs', 'old', '1', "
            "'{\"content-type\": \"application/json\"}', 0);")
    queue_db.reset()
    messaging.subscribe("orders", print, subscription="orders-ordered", timeout=0).wait()
    messaging.publish("orders", 2, ordering_key="k")
    assert [m.body for m in messaging.receive_messages("jobs", wait_seconds=0)] == [1]
    assert [m.body for m in messaging.receive_messages("orders-ordered", wait_seconds=0)] == [2]
