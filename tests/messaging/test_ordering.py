"""Ordered delivery: one ordering key's messages reach a subscription's handler one at a time, in publish order.

Proven where the provider keeps order (``ORDERED``): local (SQLite holds back a key's later
messages while an earlier one is in the subscription) and Pub/Sub (subscriptions made with
message ordering, publishes carrying the key). Standard SNS topics and Service Bus entities
without sessions keep no order; docs/messaging.md says so.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from infrar import messaging
from infrar.providers.local._clients import queue_db
from tests.messaging._ordered import handle_in_order_and_check, publish_interleaved
from tests.messaging.conftest import Names

ORDERED = ["local"]
PER_KEY = 8


@pytest.mark.parametrize("provider", ORDERED, indirect=True)
@pytest.mark.usefixtures("quiet_messaging")  # the failures below are meant
def test_a_keys_messages_are_handled_one_at_a_time_in_publish_order(provider: str, names: Names) -> None:
    topic, subscription = names("orders"), names("ordered")
    messaging.subscribe(topic, print, subscription=subscription, timeout=0).wait()  # the subscription first
    publish_interleaved(topic, PER_KEY)
    handle_in_order_and_check(topic, subscription, PER_KEY, concurrency=4, timeout=90, dead_letter_wait=5)


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
