"""The aws provider's SNS client and topic ARNs: one per process, built on first use.

Configured like ``sqs.py`` (AWS_ENDPOINT_URL_SNS overrides the endpoint for SNS alone). A
topic's ARN is ``arn:<partition>:sns:<region>:<account>:<topic>``; the account comes from STS
``GetCallerIdentity``, asked once per process.
"""

from __future__ import annotations

import threading
from typing import Any

from infrar.providers.aws._clients.sqs import build

_lock = threading.Lock()
_client: Any = None
_account: list[str] = []
_created: dict[str, str] = {}  # topic -> ARN of topics this process created (INFRAR_CREATE_MISSING=1)


def client() -> Any:
    """The process's SNS client (boto3 clients are thread-safe)."""
    global _client
    found = _client
    if found is None:
        with _lock:
            if _client is None:
                _client = build("sns")
            found = _client
    return found


def topic_arn(topic: str) -> str:
    """The ARN ``topic`` has (or would have) in this account and region."""
    sns = client()
    if not _account:
        with _lock:
            if not _account:
                _account.append(build("sts").get_caller_identity()["Account"])
    return f"arn:{sns.meta.partition}:sns:{sns.meta.region_name}:{_account[0]}:{topic}"


def created_arn(topic: str) -> str | None:
    return _created.get(topic)


def remember_created(topic: str, arn: str) -> str:
    _created[topic] = arn
    return arn


def reset() -> None:
    """Drop the client and the account (after fork, or for a new endpoint); a fresh lock."""
    global _client, _lock
    _client = None
    _account.clear()
    _created.clear()
    _lock = threading.Lock()
