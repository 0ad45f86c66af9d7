"""A worker process for the stress test: subscribes and handles until killed.

    python -m tests.messaging._stress_worker TOPIC SUBSCRIPTION RECORD CRASH_MARKER CRASH_AT CONCURRENCY

The handler fails at random 20% of the time (decided by the message number and its delivery
count, so a run can be reasoned about), always fails for a message marked poison, and hard-exits
the process (``os._exit``, no cleanup, leases left to expire) the first time it meets message
``CRASH_AT`` while ``CRASH_MARKER`` does not exist yet. Each success appends the message number
to RECORD with one ``write`` of an O_APPEND file, so several processes may record at once.
"""

from __future__ import annotations

import os
import random
import sys
import threading

from infrar import messaging
from infrar.messaging import Message

FAILURE_RATE = 0.2


def main(topic: str, subscription: str, record: str, marker: str, crash_at: int, concurrency: int) -> None:
    out = os.open(record, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def handle(message: Message) -> None:
        number = message["n"]
        if message["poison"]:
            raise ValueError(f"message {number} is poison")
        if number == crash_at and not os.path.exists(marker):
            open(marker, "w").close()
            os._exit(3)
        if random.Random(f"{number}:{message.delivery_count}").random() < FAILURE_RATE:
            raise RuntimeError(f"random failure of {number}")
        os.write(out, f"{number}\n".encode())

    messaging.subscribe(topic, handle, subscription=subscription, concurrency=concurrency)
    threading.Event().wait()  # until the test kills this process


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]))
