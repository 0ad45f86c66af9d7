"""Thousands of messages through a subscriber that fails at random and crashes once: none is lost.

The worker (``_stress_worker.py``) runs in its own process, as a deployed worker does; it
fails 20% of deliveries at random, always fails the poison messages, and kills its own process
once in the middle of a handler. The test restarts it, as a supervisor would, and reads the
dead-letter queue while it runs. At the end every message was handled at least once or is in
the dead-letter queue, every poison message is there and was never handled, and nothing else
is there unless it failed five deliveries in a row. 10,000 messages on local and on moto, 1,000
on the Pub/Sub emulator and on the Service Bus test broker.

On moto the cost of a message grows with the queue's depth: for every message it receives,
moto's SQS reads the queue's attributes three times (its retention check), each read counting
every message in the queue, in flight or not (measured: ~0.1 ms of server CPU per queued
message per delivery). So a feeder keeps at most ``_MotoFeeder.DEPTH`` messages unsettled, as a
steady producer would, instead of queueing all 10,000 at once. The worker runs one consumer
thread there: moto's DeleteMessage rebuilds the queue's message list from a snapshot, so two
deletes interleaved with a send can drop the sent message (measured: 6 of 2,000 lost with four
threads), a moto race that real SQS does not have and that would make this test flaky.

On Service Bus the lock duration belongs to the entity, and a shorter per-call lease is kept by
an abandon timer in the consuming process, which dies with it: a crashed worker's messages come
back when the entity's lock ends. The test therefore creates the subscription with a 2 s lock,
the lease every other provider's worker gets from INFRAR_MESSAGING_LEASE_SECONDS.
"""

from __future__ import annotations

import json
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

COUNT = {"local": 10_000, "aws": 10_000, "gcp": 1_000, "azure": 1_000}
CONSUMERS = {"aws": 1}  # the worker's concurrency, else 4 (see the module docstring on moto)
POISON_EVERY = 97  # a hundred poison messages in 10,000, two in 200


def _bodies(count: int) -> list[dict[str, object]]:
    return [{"n": n, "poison": n % POISON_EVERY == 5} for n in range(count)]


def _publish_local(topic: str, count: int) -> None:
    for body in _bodies(count):
        messaging.publish(topic, body)


class _MotoFeeder:
    """Puts the messages straight onto the subscription's queue, ten a batch (the test is of the
    subscriber), keeping at most DEPTH of them unsettled (see the module docstring)."""

    DEPTH = 10  # one receive batch (measured per message on moto: 10: 7.8 ms server CPU, 40: 12.1 ms)

    def __init__(self, moto: MotoEmulator, subscription: str, count: int) -> None:
        self.sqs = boto3.client("sqs", endpoint_url=moto.endpoint, region_name="us-east-1",
                                aws_access_key_id="testing", aws_secret_access_key="testing")
        self.url = self.sqs.get_queue_url(QueueName=subscription)["QueueUrl"]
        self.bodies = _bodies(count)
        self.sent = 0

    def feed(self, settled: int) -> None:
        """Send batches until DEPTH messages beyond the ``settled`` ones are out, or all are."""
        attributes = {"content-type": {"DataType": "String", "StringValue": "application/json"}}
        while self.sent < len(self.bodies) and self.sent - settled < self.DEPTH:
            batch = self.bodies[self.sent:self.sent + 10]
            entries = [{"Id": str(i), "MessageBody": json.dumps(body), "MessageAttributes": attributes}
                       for i, body in enumerate(batch)]
            self.sqs.send_message_batch(QueueUrl=self.url, Entries=entries)
            self.sent += len(batch)


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
               str(tmp_path / "handled.txt"), str(tmp_path / "crashed"), str(crash_at),
               str(CONSUMERS.get(env.get("INFRAR_PROVIDER", "local"), 4))]
    log = open(tmp_path / "worker.log", "ab")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)


class _Record:
    """The numbers the worker recorded as handled, read as the file grows (whole lines only), so
    polling it often costs little."""

    def __init__(self, path: Path) -> None:
        self.path, self.offset, self.numbers = path, 0, set[int]()

    def read(self) -> set[int]:
        if self.path.exists():
            with self.path.open("rb") as record:
                record.seek(self.offset)
                chunk = record.read()
            complete = chunk[:chunk.rfind(b"\n") + 1]
            self.offset += len(complete)
            self.numbers.update(int(number) for number in complete.split())
        return self.numbers


def _read_dead(subscription: str, dead: set[int], wait: float) -> None:
    for message in messaging.receive_messages(subscription + "-dead-letter", wait_seconds=wait):
        dead.add(message["n"])
        message.acknowledge()


def _may_die_of_bad_luck(number: int) -> bool:
    """Whether random failures alone can dead-letter ``number``: all five deliveries fail, or all but
    one, that one being a delivery to the crashed process (which counts but never ran its handler)."""
    failures = sum(random.Random(f"{number}:{count}").random() < FAILURE_RATE
                   for count in range(1, MAX_DELIVERIES + 1))
    return failures >= MAX_DELIVERIES - 1


@pytest.mark.parametrize("provider", ["local", "aws", "gcp", "azure"])
@pytest.mark.usefixtures("quiet_messaging")  # the failures it injects are meant
def test_random_failures_and_a_crash_lose_nothing(provider: str, names: Names, tmp_path: Path,
                                                  infrar_local: Path, infrar_service: ServiceUser,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  request: pytest.FixtureRequest) -> None:
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
    feeder = _MotoFeeder(moto, subscription, count) if provider == "aws" else None
    if feeder is None:
        _publish_local(topic, count)
    everything = set(range(count))
    poison = {body["n"] for body in _bodies(count) if body["poison"]}
    crash_at = count // 2
    worker = _worker(topic, subscription, tmp_path, crash_at)
    dead: set[int] = set()
    restarts = 0
    next_dead, deadline = time.monotonic(), time.monotonic() + 480  # generous: only a broken run gets there
    record = _Record(tmp_path / "handled.txt")
    try:
        while (settled := len(handled := record.read()) + len(dead - handled)) < count \
                and time.monotonic() < deadline:
            if feeder is not None:
                feeder.feed(settled)
            if worker.poll() is not None:  # it crashed: restart it, as a supervisor would
                assert worker.returncode == 3, (tmp_path / "worker.log").read_text()[-3000:]
                restarts += 1
                worker = _worker(topic, subscription, tmp_path, crash_at)
            if feeder is None:
                _read_dead(subscription, dead, 0.5)
            else:  # short polls, so the feeder keeps up (SQS long polls by whole seconds)
                if time.monotonic() >= next_dead:
                    _read_dead(subscription, dead, 0)
                    next_dead = time.monotonic() + 1
                time.sleep(0.02)
    finally:
        worker.kill()
        worker.wait()
    handled = record.read()
    assert handled | dead == everything, f"lost: {sorted(everything - handled - dead)[:20]}"
    assert restarts == 1 and (tmp_path / "crashed").exists()
    assert poison <= dead and not poison & handled
    assert dead - poison <= {n for n in everything if _may_die_of_bad_luck(n)} | {crash_at}
