"""The default subscription name: ``<topic>-<program>``, so each program has a durable subscription of its own."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from infrar import messaging
from infrar.messaging.rules import default_subscription


@pytest.mark.parametrize(("argv", "expected"), [
    (["/srv/app/worker.py"], "orders-worker"),
    (["billing job.py"], "orders-billing-job"),
    (["-c"], "orders-main"),
    ([""], "orders-main"),
    ([], "orders-main"),
    (["/x/" + "w" * 80 + ".py"], ("orders-" + "w" * 80)[:68]),
])
def test_the_default_subscription_is_named_after_topic_and_program(argv: list[str], expected: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", argv)
    assert default_subscription("orders") == expected


def test_subscribe_without_a_name_uses_the_default_and_it_is_durable(infrar_local: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["/srv/app/worker.py"])
    running = messaging.subscribe("orders", print, timeout=0)
    running.wait()
    messaging.publish("orders", {"order_id": 7})  # while nothing runs: kept for orders-worker
    [message] = messaging.receive_messages("orders-worker", wait_seconds=0)
    assert message["order_id"] == 7
