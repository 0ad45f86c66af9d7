"""The aws provider's SQS client, and the queue URLs it has looked up: one per process, built on first use.

Configured from boto3's own sources exactly as a hand-written boto3 program is: AWS_PROFILE,
AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, AWS_DEFAULT_REGION (else
AWS_REGION, else us-east-1), AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_SQS. The read timeout exceeds
SQS's longest long poll (20 s).
"""

from __future__ import annotations

import os
import threading
from typing import Any

import boto3
from botocore.config import Config

DEFAULT_REGION = "us-east-1"

_lock = threading.Lock()
_client: Any = None
_urls: dict[str, str] = {}  # queue name -> URL (a queue's URL never changes while it exists)


def region(configured: str | None) -> str:
    """AWS_DEFAULT_REGION, else AWS_REGION, else the profile's region, else us-east-1."""
    if os.environ.get("AWS_DEFAULT_REGION"):
        return os.environ["AWS_DEFAULT_REGION"]
    return os.environ.get("AWS_REGION") or configured or DEFAULT_REGION


def build(service: str) -> Any:
    """A new boto3 client for ``service`` (sqs, sns, sts) with bounded retries and timeouts."""
    session = boto3.session.Session()
    config = Config(retries={"mode": "standard", "total_max_attempts": 3}, connect_timeout=3, read_timeout=30,
                    max_pool_connections=32)
    return session.client(service, region_name=region(session.region_name), config=config)


def client() -> Any:
    """The process's SQS client (boto3 clients are thread-safe)."""
    global _client
    found = _client
    if found is None:
        with _lock:
            if _client is None:
                _client = build("sqs")
            found = _client
    return found


def cached_url(queue: str) -> str | None:
    return _urls.get(queue)


def remember_url(queue: str, url: str) -> str:
    _urls[queue] = url
    return url


def forget_url(queue: str) -> None:
    _urls.pop(queue, None)


def reset() -> None:
    """Drop the client and the URLs (after fork, or for a new endpoint); a fresh lock."""
    global _client, _lock
    _client = None
    _urls.clear()
    _lock = threading.Lock()
