"""Small helpers the messaging tests share."""

from __future__ import annotations

import time
from typing import Any

from infrar import messaging
from infrar.messaging import Message


def receive_all(queue: str, count: int, *, within: float = 15, visibility_timeout: float = 30) -> list[Message]:
    """Receive until ``count`` messages came (or ``within`` seconds passed); none is settled."""
    got: list[Message] = []
    deadline = time.monotonic() + within
    while len(got) < count and time.monotonic() < deadline:
        got += messaging.receive_messages(queue, min(10, count - len(got)), wait_seconds=1,
                                          visibility_timeout=visibility_timeout)
    return got


def drain(queue: str, *, quiet: float = 0.5) -> list[Any]:
    """Every body left on ``queue``, acknowledged, until a receive of ``quiet`` seconds finds none."""
    bodies: list[Any] = []
    while True:
        batch = messaging.receive_messages(queue, 10, wait_seconds=quiet)
        if not batch:
            return bodies
        for message in batch:
            bodies.append(message.body)
            message.acknowledge()
