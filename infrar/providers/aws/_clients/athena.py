"""The aws provider's Athena client and query settings: one client per process, built on first use.

Configured from boto3's own sources as a hand-written boto3 program is (AWS_PROFILE,
AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, AWS_DEFAULT_REGION else
AWS_REGION else us-east-1, AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_ATHENA), plus what
``infrar infra`` outputs for the warehouse:

- ATHENA_WORKGROUP: the workgroup queries run in (default ``primary``);
- ATHENA_OUTPUT_LOCATION: ``s3://bucket/prefix/`` for query results, used when the workgroup
  does not enforce a result location of its own (one that enforces it wins).
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from botocore.config import Config

from infrar.providers._keyed import PerResource

DEFAULT_REGION = "us-east-1"


def region(configured: str | None) -> str:
    """AWS_DEFAULT_REGION, else AWS_REGION, else the profile's region, else us-east-1."""
    if os.environ.get("AWS_DEFAULT_REGION"):
        return os.environ["AWS_DEFAULT_REGION"]
    return os.environ.get("AWS_REGION") or configured or DEFAULT_REGION


def build(service: str) -> Any:
    """A new boto3 client for ``service`` (athena, glue, scheduler) with bounded retries and timeouts."""
    session = boto3.session.Session()
    config = Config(retries={"mode": "standard", "total_max_attempts": 3}, connect_timeout=3, read_timeout=60)
    return session.client(service, region_name=region(session.region_name), config=config)


_clients: PerResource[Any] = PerResource(build)


def client() -> Any:
    """The process's Athena client (boto3 clients are thread-safe)."""
    return _clients.get("athena")


def workgroup() -> str:
    return os.environ.get("ATHENA_WORKGROUP") or "primary"


def output_location() -> str | None:
    return os.environ.get("ATHENA_OUTPUT_LOCATION") or None


def reset() -> None:
    _clients.reset()
