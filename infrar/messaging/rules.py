"""Argument checks and limits every messaging adapter applies first, so bad input fails alike everywhere.

Names: 3-68 characters, a letter first, then letters, digits, ``-`` or ``_``. That is what
SQS, SNS, Pub/Sub and Service Bus all accept, leaving room for the ``-dead-letter`` suffix
(SQS's 80-character limit). Sizes: a message (body plus attribute names and values) may be at
most 256 KiB on local, AWS (SNS) and Azure (Service Bus Standard), 10 MB on Pub/Sub.
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Mapping
from typing import Any

from infrar.errors import InvalidArgument, NotFound

KIB = 1024
MAX_LOCAL_SIZE = 256 * KIB  # the strictest cloud's limit (SNS, Service Bus Standard): local refuses it too
MAX_DELIVERIES = 5  # a message delivered this many times without acknowledgement is dead-lettered
DEFAULT_VISIBILITY_TIMEOUT = 30.0
MAX_WAIT_SECONDS = 20.0  # SQS's long-poll ceiling
MAX_COUNT = 10  # SQS's per-receive ceiling
MAX_DELAY_SECONDS = 900  # SQS's DelaySeconds ceiling
MAX_ATTRIBUTES = 8  # SQS and SNS carry 10; content-type and traceparent take two
MAX_VISIBILITY_TIMEOUT = 43200.0  # SQS's ceiling (12 hours)
DEAD_LETTER_SUFFIX = "-dead-letter"
CONTENT_TYPE = "content-type"  # the attribute telling JSON bodies from bytes; not shown in Message.attributes
TRACEPARENT = "traceparent"
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{2,67}$")
_ATTRIBUTE = re.compile(r"^[A-Za-z0-9_.-]{1,256}$")


# What erase may run once, at erase time, on a literal argument (infrar/erase/fold.py): each check
# returns the argument at the first position listed unchanged when it is valid, and whether it is
# depends only on the arguments at the positions listed (the others only word the message).
ERASE_TIME_CHECKS = {"check_name": (1, 0), "check_queue": (0,), "check_ordering_key": (0,)}


def check_name(kind: str, name: Any) -> str:
    """``name`` of a topic, queue or subscription, or InvalidArgument saying what a name may hold."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidArgument(
            f"invalid {kind} name {name!r}: 3-68 letters, digits, '-' or '_', starting with a letter"
        )
    return name


def check_queue(queue: Any) -> str:
    """A queue's name, or a queue's or subscription's dead-letter queue (``<name>-dead-letter``)."""
    if isinstance(queue, str) and queue.endswith(DEAD_LETTER_SUFFIX):
        check_name("queue", queue[: -len(DEAD_LETTER_SUFFIX)])
        return queue
    return check_name("queue", queue)


def check_ordering_key(ordering_key: Any) -> str | None:
    if ordering_key is not None and (not isinstance(ordering_key, str) or not ordering_key):
        raise InvalidArgument(f"invalid ordering_key {ordering_key!r}: a non-empty str, or None")
    return ordering_key


def check_attributes(attributes: Any) -> dict[str, str]:
    """Attributes are str -> str; names are letters, digits, '_', '-' or '.' (SQS and SNS's rule)."""
    if attributes is None:
        return {}
    if not isinstance(attributes, Mapping):
        raise InvalidArgument(f"attributes must be a dict of str to str, not {type(attributes).__name__}")
    if len(attributes) > MAX_ATTRIBUTES:
        raise InvalidArgument(
            f"{len(attributes)} attributes is over the limit of {MAX_ATTRIBUTES} (SQS and SNS carry 10, "
            "two of which content-type and traceparent use)"
        )
    for key, value in attributes.items():
        if not isinstance(key, str) or not _ATTRIBUTE.match(key) or key == CONTENT_TYPE:
            raise InvalidArgument(
                f"invalid attribute name {key!r}: 1-256 letters, digits, '_', '-' or '.', not {CONTENT_TYPE!r}"
            )
        if not isinstance(value, str) or not value:
            raise InvalidArgument(f"attribute {key!r} must be a non-empty str, not {value!r}")
    return dict(attributes)


def check_size(body_size: int, attributes: Mapping[str, str], limit: int, where: str) -> None:
    """InvalidArgument naming ``where``'s limit when body plus attributes exceed ``limit`` bytes.

    ``body_size`` is the body as it travels (``codec.wire_size``: bytes count as base64).
    """
    size = body_size + sum(len(k.encode()) + len(v.encode()) for k, v in attributes.items())
    if size > limit:
        raise InvalidArgument(
            f"message of {size} bytes (body and attributes) is over {where}'s limit of {limit} bytes; "
            "put the payload in storage and send its key"
        )


def check_seconds(what: str, value: Any, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not low <= value <= high:
        raise InvalidArgument(f"invalid {what} {value!r}: a number of seconds from {low:g} to {high:g}")
    return float(value)


def check_count(what: str, value: Any, high: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1 or (high is not None and value > high):
        limit = f"from 1 to {high}" if high is not None else "of at least 1"
        raise InvalidArgument(f"invalid {what} {value!r}: an int {limit}")
    return value


def check_handler(handler: Any) -> Any:
    if not callable(handler):
        raise InvalidArgument(f"handler must be callable (it receives each Message), not {type(handler).__name__}")
    return handler


def subscribe_settings(topic: Any, handler: Any, subscription: Any, max_messages: Any, timeout: Any,
                       concurrency: Any) -> tuple[str, Any, int | None, float | None, int]:
    """``subscribe``'s arguments checked: (subscription name, handler, max_messages, timeout, concurrency)."""
    name = check_name("subscription", subscription or default_subscription(check_name("topic", topic)))
    limit = None if max_messages is None else check_count("max_messages", max_messages, None)
    ends = None if timeout is None else check_seconds("timeout", timeout, 0, math.inf)
    return name, check_handler(handler), limit, ends, check_count("concurrency", concurrency, 100)


def receive_settings(queue: Any, max_count: Any, wait_seconds: Any,
                     visibility_timeout: Any) -> tuple[int, float, float]:
    """``receive_messages``'s arguments checked: (max_count, wait_seconds, visibility_timeout)."""
    check_queue(queue)
    return (check_count("max_count", max_count, MAX_COUNT),
            check_seconds("wait_seconds", wait_seconds, 0, MAX_WAIT_SECONDS),
            check_seconds("visibility_timeout", visibility_timeout, 0, MAX_VISIBILITY_TIMEOUT))


def default_subscription(topic: str) -> str:
    """``<topic>-<program>``: the program is the running script's name, so each program has its own.

    ``python worker.py`` subscribing to ``orders`` gets ``orders-worker``; without a script
    (``python -c``, a REPL) the program is ``main``. Cut to the 68-character name limit.
    """
    script = os.path.basename(sys.argv[0]) if sys.argv else ""
    program = re.sub(r"[^A-Za-z0-9_-]", "-", script.removesuffix(".py")).strip("-_")
    if not program or script.startswith("-"):
        program = "main"
    return f"{topic}-{program}"[:68].rstrip("-_")


def dead_letter_name(name: str) -> str:
    """The dead-letter queue of queue or subscription ``name``."""
    return name + DEAD_LETTER_SUFFIX


def create_missing() -> bool:
    """INFRAR_CREATE_MISSING=1: clouds create a missing topic, queue or subscription on first use."""
    return os.environ.get("INFRAR_CREATE_MISSING") == "1"


def missing(kind: str, name: str, provider: str) -> NotFound:
    """The NotFound for a topic, queue or subscription that does not exist on a cloud."""
    return NotFound(
        f"{kind} {name!r} does not exist on {provider}; create it (and its dead-letter queue) with "
        f"`infrar infra --provider {provider}` and apply that module, or set INFRAR_CREATE_MISSING=1 "
        "to create it on first use (tests, development)"
    )


def missing_erased(kind: str, name: str, provider: str) -> NotFound:
    """``missing`` as erased code has it (an erased twin, docs/adapters.md): an erased program no
    longer has the infrar command, so the fix it names is the OpenTofu module generated for it."""
    return NotFound(
        f"{kind} {name!r} does not exist on {provider}; create it (and its dead-letter queue) by "
        "applying the OpenTofu module generated for this program, or set INFRAR_CREATE_MISSING=1 "
        "to create it on first use (tests, development)"
    )
