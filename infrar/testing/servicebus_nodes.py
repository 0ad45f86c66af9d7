"""The Service Bus test broker's request/response nodes: ``<entity>/$management`` and ``$infrar/control``.

Each takes the decoded request message and returns ``(status, body)``; ``servicebus_broker``
sends the reply. Service Bus's status codes: 200 done, 204 nothing to return, 404 no such
entity, 410 lock lost, 501 not served by this broker.
"""

from __future__ import annotations

import time
from typing import Any

from proton import Array, Data, timestamp

from infrar.testing.servicebus_store import Entity, Namespace, NoEntity


def text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _tokens(body: dict[Any, Any]) -> list[bytes]:
    tokens = next((v for k, v in body.items() if text(k) == "lock-tokens"), None) or []
    return [token.bytes_le for token in tokens]


def management(namespace: Namespace, path: str, request: Any) -> tuple[int, Any]:
    """The answer (status, body) of ``<path>/$management`` to ``request``."""
    operation = text((request.properties or {}).get("operation", ""))
    body = request.body if isinstance(request.body, dict) else {}
    try:
        entity = namespace.source(path)
    except NoEntity:
        return 404, f"no entity {path}"
    now = time.time()
    if operation == "com.microsoft:renew-lock":
        expirations = [entity.renew(token, now) for token in _tokens(body)]
        if any(until is None for until in expirations):
            return 410, "lock lost"
        stamps = [timestamp(int(until * 1000)) for until in expirations if until is not None]
        return 200, {"expirations": Array(Data.NULL, Data.TIMESTAMP, *stamps)}
    if operation == "com.microsoft:renew-session-lock":
        until = entity.renew_session(text(body.get("session-id", "")), now)
        if until is None:
            return 410, "session lock lost"
        return 200, {"expiration": timestamp(int(until * 1000))}
    if operation == "com.microsoft:peek-message":
        return 204, None  # "no messages": peeking here only proves the entity exists
    if operation == "com.microsoft:update-disposition":
        return _update_disposition(entity, body, now)
    return 501, f"operation {operation} is not served by the test broker"

def _update_disposition(entity: Entity, body: dict[Any, Any], now: float) -> tuple[int, Any]:
    fields = {text(k): v for k, v in body.items()}
    status = text(fields.get("disposition-status", ""))
    reason, description = fields.get("deadletter-reason"), fields.get("deadletter-description")
    for token in _tokens(body):
        if status == "completed":
            held = entity.complete(token, now)
        elif status == "abandoned":
            held = entity.abandon(token, now)
        elif status == "suspended":
            held = entity.reject(token, now, reason, description)
        else:
            return 501, f"disposition {status} is not served by the test broker"
        if not held:
            return 410, "lock lost"
    return 200, {}

def control(namespace: Namespace, request: Any) -> tuple[int, Any]:
    """The answer (status, body) of ``$infrar/control`` to ``request``."""
    operation = text((request.properties or {}).get("operation", ""))
    args = {text(k): v for k, v in (request.body or {}).items()}
    lock_duration = float(args.get("lock-duration", 30.0))
    max_delivery_count = int(args.get("max-delivery-count", 10))
    forward = args.get("forward-dead-letters-to")
    sessions = bool(args.get("requires-session", False))
    try:
        if operation == "create-queue":
            namespace.create_queue(args["name"], lock_duration, max_delivery_count, forward, sessions)
        elif operation == "create-topic":
            namespace.create_topic(args["name"])
        elif operation == "create-subscription":
            namespace.create_subscription(args["topic"], args["name"], lock_duration, max_delivery_count,
                                          forward, args.get("forward-to"), sessions)
        elif operation == "delete":
            namespace.delete(args["path"])
        elif operation == "exists":
            return 200, {"exists": namespace.exists(args["path"])}
        elif operation == "count":
            return 200, {"count": namespace.source(args["path"]).count()}
        else:
            return 501, f"unknown control operation {operation}"
    except NoEntity as exc:
        return 404, f"no entity {exc}"
    return 200, {}
