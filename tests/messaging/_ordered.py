"""The ordered-delivery check shared by the local and the Service Bus tests.

Three keys' messages are published interleaved; the handler fails each key's ``n % 3 == 1``
message once (released: it must come back before the key's next one) and always fails POISON (it is
dead-lettered after five deliveries, then that key's later messages go on). Handlers of one key
must never overlap, and each key's messages must be handled in publish order.
"""

from __future__ import annotations

import threading
import time

from infrar import messaging
from infrar.messaging import Message
from infrar.messaging.rules import MAX_DELIVERIES

KEYS = ["ka", "kb", "kc"]
POISON = ("kc", 3)


def publish_interleaved(topic: str, per_key: int) -> None:
    for n in range(per_key):
        for key in KEYS:  # interleaved, so one key's messages sit between the others'
            messaging.publish(topic, {"key": key, "n": n}, ordering_key=key)


def handle_in_order_and_check(topic: str, subscription: str, per_key: int, *, concurrency: int,
                              timeout: float, dead_letter_wait: float) -> None:
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

    expected = len(KEYS) * per_key - 1
    with messaging.subscribe(topic, handle, subscription=subscription, max_messages=expected,
                             concurrency=concurrency, timeout=timeout) as running_subscription:
        running_subscription.wait()
    everything = list(range(per_key))
    assert handled == {"ka": everything, "kb": everything, "kc": [n for n in everything if n != POISON[1]]}
    assert overlaps == []
    assert poison_deliveries == list(range(1, MAX_DELIVERIES + 1))
    dead = messaging.receive_messages(subscription + "-dead-letter", wait_seconds=dead_letter_wait)
    assert [(m["key"], m["n"]) for m in dead] == [POISON]
