"""The messaging guarantees, on every provider (the ``provider`` fixture in conftest.py)."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest

from infrar import messaging
from infrar.errors import InvalidArgument
from infrar.messaging import Message
from tests.messaging._helpers import drain, receive_all
from tests.messaging.conftest import Names

BODIES: list[Any] = [{"order_id": 123, "items": [1, "a", None]}, [1, 2.5], "text", "", 0, -7, 1.5, True, None,
                     b"\x00\xffraw", b""]


def test_bodies_and_attributes_come_back_as_sent(provider: str, names: Names) -> None:
    queue = names("jobs")
    ids = [messaging.send_message(queue, body, attributes={"n": str(i)}) for i, body in enumerate(BODIES)]
    got = sorted(receive_all(queue, len(BODIES)), key=lambda m: int(m.attributes["n"]))
    assert [m.body for m in got] == BODIES
    assert [type(m.body) for m in got] == [type(b) for b in BODIES]
    assert [m.id for m in got] == ids
    assert all(m.delivery_count == 1 and m.attributes == {"n": m.attributes["n"]} for m in got)
    assert got[0]["order_id"] == 123
    for message in got:
        message.acknowledge()
    assert messaging.receive_messages(queue, wait_seconds=0.3) == []


def test_unacknowledged_message_comes_back_after_its_visibility_timeout(provider: str, names: Names) -> None:
    queue = names("jobs")
    messaging.send_message(queue, {"job": 1})
    first = receive_all(queue, 1, visibility_timeout=1)
    assert [m.delivery_count for m in first] == [1]
    again = receive_all(queue, 1)
    assert [(m.id, m.body, m.delivery_count) for m in again] == [(first[0].id, {"job": 1}, 2)]
    again[0].acknowledge()


def test_release_makes_it_visible_at_once_with_a_higher_count(provider: str, names: Names) -> None:
    queue = names("jobs")
    messaging.send_message(queue, "x")
    for expected in (1, 2, 3):
        [message] = receive_all(queue, 1)
        assert message.delivery_count == expected
        message.release()
    [message] = receive_all(queue, 1)
    message.acknowledge()
    assert message.outcome == "acknowledged"


def test_settling_twice_or_after_the_lease_was_lost_is_a_no_op(provider: str, names: Names) -> None:
    queue = names("jobs")
    messaging.send_message(queue, "once")
    [lost] = receive_all(queue, 1, visibility_timeout=1)
    [holder] = receive_all(queue, 1)  # the lease of `lost` expired: another consumer holds it now
    lost.acknowledge()
    lost.release()
    lost.dead_letter("late")
    assert lost.outcome == "acknowledged"
    holder.acknowledge()
    holder.acknowledge()
    assert drain(queue) == []
    assert drain(queue + "-dead-letter") == []


def test_poison_message_moves_to_the_dead_letter_queue_after_five_deliveries(provider: str, names: Names) -> None:
    queue = names("jobs")
    messaging.send_message(queue, {"poison": True})
    for expected in range(1, 6):
        [message] = receive_all(queue, 1)
        assert message.delivery_count == expected
        message.release()
    assert messaging.receive_messages(queue, wait_seconds=0.3) == []
    [dead] = receive_all(queue + "-dead-letter", 1)
    assert dead.body == {"poison": True}
    dead.acknowledge()


def test_dead_letter_moves_it_at_once(provider: str, names: Names) -> None:
    queue = names("jobs")
    messaging.send_message(queue, b"bad", attributes={"kind": "x"})
    [message] = receive_all(queue, 1)
    message.dead_letter("cannot parse")
    assert messaging.receive_messages(queue, wait_seconds=0.3) == []
    [dead] = receive_all(queue + "-dead-letter", 1)
    assert (dead.body, dead.attributes["kind"]) == (b"bad", "x")


def test_fan_out_every_subscription_gets_every_message(provider: str, names: Names) -> None:
    topic = names("orders")
    seen: dict[str, list[Any]] = {"a": [], "b": []}

    def recorder(key: str) -> Any:
        return lambda message: seen[key].append(message["n"])

    subscriptions = [messaging.subscribe(topic, recorder(key), subscription=names(key), max_messages=3)
                     for key in seen]
    ids = {messaging.publish(topic, {"n": n}) for n in range(3)}
    assert len(ids) == 3
    for subscription in subscriptions:
        assert subscription.wait(30) and subscription.acknowledged == 3
    assert sorted(seen["a"]) == sorted(seen["b"]) == [0, 1, 2]


def test_messages_published_before_a_subscription_exists_are_not_delivered(provider: str, names: Names) -> None:
    topic = names("orders")
    messaging.publish(topic, "early")
    got: list[Any] = []
    with messaging.subscribe(topic, lambda m: got.append(m.body), subscription=names("late")) as subscription:
        messaging.publish(topic, "after")
        deadline = time.monotonic() + 20
        while subscription.acknowledged < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert got == ["after"]


def test_handler_that_raises_releases_and_the_exception_is_logged(provider: str, names: Names,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    topic = names("orders")
    deliveries: list[int] = []

    def handler(message: Message) -> None:
        deliveries.append(message.delivery_count)
        if message.delivery_count == 1:
            raise RuntimeError("first attempt fails")

    subscription = messaging.subscribe(topic, handler, subscription=names("w"), max_messages=1)
    messaging.publish(topic, {"order_id": 1})
    with caplog.at_level(logging.ERROR, logger="infrar.messaging"):
        assert subscription.wait(30)
    assert deliveries == [1, 2] and subscription.acknowledged == 1
    assert any("first attempt fails" in (r.exc_text or "") or r.exc_info for r in caplog.records)


def test_a_handler_longer_than_the_lease_keeps_its_message(provider: str, names: Names,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRAR_MESSAGING_LEASE_SECONDS", "1")
    topic, name = names("orders"), names("slow")
    started, stolen = threading.Event(), []

    def slow(message: Message) -> None:
        started.set()
        deadline = time.monotonic() + 2.5  # two and a half leases
        while time.monotonic() < deadline:
            stolen.extend(messaging.receive_messages(name, wait_seconds=0.5))

    subscription = messaging.subscribe(topic, slow, subscription=name, max_messages=1)
    messaging.publish(topic, "long job")
    assert subscription.wait(30) and started.is_set()
    assert stolen == [] and subscription.acknowledged == 1
    assert messaging.receive_messages(name, wait_seconds=1.5) == []  # acknowledged, not just held


def test_stop_lets_the_handler_in_flight_finish(provider: str, names: Names) -> None:
    topic = names("orders")
    started, finished = threading.Event(), threading.Event()

    def handler(message: Message) -> None:
        started.set()
        time.sleep(0.5)
        finished.set()

    subscription = messaging.subscribe(topic, handler, subscription=names("w"))
    messaging.publish(topic, 1)
    assert started.wait(20)
    subscription.stop()
    assert finished.is_set() and subscription.acknowledged == 1
    assert subscription.wait(0) and not any(t.is_alive() for t in subscription.threads)


def test_timeout_ends_the_subscription(provider: str, names: Names) -> None:
    subscription = messaging.subscribe(names("quiet"), lambda m: None, subscription=names("w"), timeout=0.5)
    assert subscription.wait(20) and subscription.acknowledged == 0


def test_concurrent_workers_handle_every_message(provider: str, names: Names) -> None:
    topic, seen, lock = names("orders"), [], threading.Lock()

    def handler(message: Message) -> None:
        with lock:
            seen.append(message.body)

    subscription = messaging.subscribe(topic, handler, subscription=names("w"), max_messages=20, concurrency=4)
    for n in range(20):
        messaging.publish(topic, n)
    assert subscription.wait(60)
    assert sorted(seen) == list(range(20)) and subscription.acknowledged == 20


def test_delayed_message_is_invisible_until_due(provider: str, names: Names) -> None:
    queue = names("later")
    if provider == "gcp":
        with pytest.raises(InvalidArgument, match="Pub/Sub cannot delay"):
            messaging.send_message(queue, "x", delay_seconds=2)
        return
    messaging.send_message(queue, "x", delay_seconds=2)
    assert messaging.receive_messages(queue, wait_seconds=0) == []
    [message] = receive_all(queue, 1)
    assert message.body == "x"
    message.acknowledge()


LIMIT = {"local": 256 * 1024, "aws": 256 * 1024, "gcp": 10_000_000, "azure": 256 * 1024}


def test_size_limit_is_the_providers_and_local_refuses_what_the_strictest_cloud_refuses(
        provider: str, names: Names) -> None:
    queue, limit = names("big"), LIMIT[provider]
    body = "x" * (limit - 2 - len("content-type") - len("application/json"))  # the JSON quotes count
    messaging.send_message(queue, body)
    with pytest.raises(InvalidArgument, match=f"limit of {limit} bytes"):
        messaging.send_message(queue, body + "x")
    with pytest.raises(InvalidArgument, match=f"limit of {limit} bytes"):
        messaging.publish(names("t"), b"\x00" * (limit * 3 // 4 + 1))  # bytes count as base64
    [message] = receive_all(queue, 1)
    assert message.body == body


NOT_STR: Any = {"a": 1}
NOT_CALLABLE: Any = "nope"
BAD_CALLS: list[tuple[str, Any]] = [
    ("bad queue name", lambda: messaging.send_message("x", 1)),
    ("queue name starting with a digit", lambda: messaging.send_message("1abc", 1)),
    ("unencodable body", lambda: messaging.send_message("jobs", {1, 2})),
    ("NaN body", lambda: messaging.send_message("jobs", float("nan"))),
    ("attribute value not str", lambda: messaging.send_message("jobs", 1, attributes=NOT_STR)),
    ("reserved attribute", lambda: messaging.publish("orders", 1, attributes={"content-type": "x"})),
    ("too many attributes", lambda: messaging.publish("orders", 1, attributes={f"a{i}": "v" for i in range(9)})),
    ("max_count over 10", lambda: messaging.receive_messages("jobs", 11)),
    ("wait over 20 s", lambda: messaging.receive_messages("jobs", wait_seconds=21)),
    ("negative delay", lambda: messaging.send_message("jobs", 1, delay_seconds=-1)),
    ("handler not callable", lambda: messaging.subscribe("orders", NOT_CALLABLE)),
    ("concurrency 0", lambda: messaging.subscribe("orders", print, concurrency=0)),
    ("empty ordering key", lambda: messaging.publish("orders", 1, ordering_key="")),
]


@pytest.mark.parametrize(("what", "call"), BAD_CALLS, ids=[what for what, _ in BAD_CALLS])
def test_bad_input_is_invalid_argument_everywhere(provider: str, what: str, call: Any) -> None:
    with pytest.raises(InvalidArgument):
        call()
