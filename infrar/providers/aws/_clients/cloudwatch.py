"""The aws provider's CloudWatch Logs and CloudWatch (metrics) clients: one each per process, built on first use.

Configured from boto3's own sources exactly as a hand-written boto3 program is: AWS_PROFILE,
AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, AWS_DEFAULT_REGION (else
AWS_REGION, else us-east-1), AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_CLOUDWATCH_LOGS /
AWS_ENDPOINT_URL_CLOUDWATCH. Exporting runs off the caller's thread, and a dead endpoint must
cost seconds, not minutes: two attempts, short timeouts.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import boto3
from botocore.config import Config

DEFAULT_REGION = "us-east-1"

_lock = threading.Lock()
_clients: dict[str, Any] = {}


def region(configured: str | None) -> str:
    """AWS_DEFAULT_REGION, else AWS_REGION, else the profile's region, else us-east-1."""
    if os.environ.get("AWS_DEFAULT_REGION"):
        return os.environ["AWS_DEFAULT_REGION"]
    return os.environ.get("AWS_REGION") or configured or DEFAULT_REGION


def build(service: str) -> Any:
    """A new boto3 client for ``service`` with bounded retries and timeouts fit for background export."""
    session = boto3.session.Session()
    config = Config(retries={"mode": "standard", "total_max_attempts": 2}, connect_timeout=2, read_timeout=10)
    return session.client(service, region_name=region(session.region_name), config=config)


def shared(service: str) -> Any:
    """The process's client for ``service`` (boto3 clients are thread-safe)."""
    found = _clients.get(service)
    if found is None:
        with _lock:
            found = _clients.get(service)
            if found is None:
                found = _clients[service] = build(service)
    return found


def logs() -> Any:
    return shared("logs")


def metrics() -> Any:
    return shared("cloudwatch")


def reset() -> None:
    """Drop the cached clients and make a fresh lock (after fork, or for a new endpoint)."""
    global _lock
    _clients.clear()
    _lock = threading.Lock()
