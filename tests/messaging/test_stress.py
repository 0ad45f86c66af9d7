"""Thousands of messages through a subscriber that fails at random and crashes once: none is lost.

The worker (``_stress_worker.py``) runs in its own process, as a deployed worker does; it
fails 20% of deliveries at random, always fails the poison messages, and kills its own process
once in the middle of a handler. The test restarts it, as a supervisor would, and reads the
dead-letter queue while it runs. At the end every message was handled at least once or is in
the dead-letter queue, every poison message is there and was never handled, and nothing else
is there unless it failed five deliveries in a row. 10,000 messages on local, 1,000 on the Pub/Sub
emulator and on the Service Bus test broker; on moto fewer,
because moto's SQS scans its whole queue on every call (a receive on 2,000 queued messages
takes seconds here), which would make 10,000 take far longer than the suite may.

On Service Bus the lock duration belongs to the entity, and a shorter per-call lease is kept by
an abandon timer in the consuming process, which dies with it: a crashed worker's messages come
back when the entity's lock ends. The test therefore creates the subscription with a 2 s lock,
the lease every other provider's worker gets from INFRAR_MESSAGING_LEASE_SECONDS.
"""

from __future__ import annotations

import json
import logging
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest

from infrar import messaging
from infrar.messaging.rules import MAX_DELIVERIES
from infrar.testing.aws import MotoEmulator
from infrar.testing.plugin import ServiceUser
from tests.erase._support import ROOT
from tests.messaging._stress_worker import FAILURE_RATE
from tests.messaging.azure_provider import configure as use_broker
from tests.messaging.conftest import Names, use_cloud

COUNT = {"local": 10_000, "aws": 200, "gcp": 1_000, "azure": 1_000}
POISON_EVERY = 97  # a hundred poison messages in 10,000, two in 200


def _bodies(count: int) -> list[dict[str, object]]:
    return [{"n": n, "poison": n % POISON_EVERY == 5} for n in range(count)]


def _publish_local(topic: str, count: int) -> None:
    for body in _bodies(count):
        messaging.publish(topic, body)


def _publish_moto(moto: MotoEmulator, subscription: str, count: int) -> None:
    """Straight onto the subscription's queue in batches of ten (the test is of the subscriber)."""
    sqs = boto3.client("sqs", endpoint_url=moto.endpoint, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    url = sqs.get_queue_url(QueueName=subscription)["QueueUrl"]
    attributes = {"content-type": {"DataType": "String", "StringValue": "application/json"}}
    bodies = _bodies(count)
    for start in range(0, count, 10):
        entries = [{"Id": str(i), "MessageBody": json.dumps(body), "MessageAttributes": attributes}
                   for i, body in enumerate(bodies[start:start + 10])]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)


def _create_on_broker(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, topic: str,
                      subscription: str) -> None:
    """The Service Bus entities, made on the broker with a 2 s lock (see the module docstring)."""
    broker = use_broker(request, monkeypatch).broker
    dead = subscription + "-dead-letter"
    broker.create_queue(dead)
    broker.create_topic(topic)
    broker.create_subscription(topic, subscription, lock_duration=2, forward_dead_letters_to=dead)


def _worker(topic: str, subscription: str, tmp_path: Path, crash_at: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, INFRAR_MESSAGING_LEASE_SECONDS="2")
    if env.get("INFRAR_PROVIDER") == "azure":  # the entities exist; the faked administration client is not here
        env.pop("INFRAR_CREATE_MISSING")
    command = [sys.executable, "-m", "tests.messaging._stress_worker", topic, subscription,
               str(tmp_path / "handled.txt"), str(tmp_path / "crashed"), str(crash_at)]
    log = open(tmp_path / "worker.log", "ab")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)


def _handled(tmp_path: Path) -> set[int]:
    path = tmp_path / "handled.txt"
    return {int(line) for line in path.read_text().split()} if path.exists() else set()


def _may_die_of_bad_luck(number: int) -> bool:
    """Whether random failures alone can dead-letter ``number``: all five deliveries fail, or all but
    one, that one being a delivery to the crashed process (which counts but never ran its handler)."""
    failures = sum(random.Random(f"{number}:{count}").random() < FAILURE_RATE
                   for count in range(1, MAX_DELIVERIES + 1))
    return failures >= MAX_DELIVERIES - 1


@pytest.mark.parametrize("provider", ["local", "aws", "gcp", "azure"])
def test_random_failures_and_a_crash_lose_nothing(provider: str, names: Names, tmp_path: Path,
                                                  infrar_local: Path, infrar_service: ServiceUser,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  request: pytest.FixtureRequest) -> None:
    logging.getLogger("infrar.messaging").setLevel(logging.CRITICAL)
    count, topic, subscription = COUNT[provider], names("orders"), names("worker")
    if provider == "aws":
        moto = infrar_service("moto", MotoEmulator, provider="aws")
    elif provider == "gcp":
        use_cloud("gcp", infrar_service)
    elif provider == "azure":
        _create_on_broker(request, monkeypatch, topic, subscription)
    if provider != "local":
        monkeypatch.setenv("INFRAR_CREATE_MISSING", "1")
    messaging.subscribe(topic, print, subscription=subscription, timeout=0).wait()  # the subscription first
    if provider == "aws":
        _publish_moto(moto, subscription, count)
    else:
        _publish_local(topic, count)
    everything = set(range(count))
    poison = {body["n"] for body in _bodies(count) if body["poison"]}
    crash_at = count // 2
    worker = _worker(topic, subscription, tmp_path, crash_at)
    dead: set[int] = set()
    restarts = 0
    deadline = time.monotonic() + 240
    try:
        while _handled(tmp_path) | dead != everything and time.monotonic() < deadline:
            if worker.poll() is not None:  # it crashed: restart it, as a supervisor would
                assert worker.returncode == 3, (tmp_path / "worker.log").read_text()[-3000:]
                restarts += 1
                worker = _worker(topic, subscription, tmp_path, crash_at)
            for message in messaging.receive_messages(subscription + "-dead-letter", wait_seconds=0.5):
                dead.add(message["n"])
                message.acknowledge()
    finally:
        worker.kill()
        worker.wait()
    handled = _handled(tmp_path)
    assert handled | dead == everything, f"lost: {sorted(everything - handled - dead)[:20]}"
    assert restarts == 1 and (tmp_path / "crashed").exists()
    assert poison <= dead and not poison & handled
    assert dead - poison <= {n for n in everything if _may_die_of_bad_luck(n)} | {crash_at}
