"""The aws provider's S3 client: one per process, built on first use from boto3's own configuration.

Configuration is read from the environment and ~/.aws exactly as a hand-written boto3
program would read it: AWS_PROFILE, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
AWS_SESSION_TOKEN, AWS_DEFAULT_REGION, AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_S3 (boto3 >= 1.28
reads these natively). Two additions, both documented here because erased code does the same:

- AWS_REGION is used when AWS_DEFAULT_REGION is not set (botocore itself only reads
  AWS_DEFAULT_REGION; AWS_REGION is what Lambda, ECS and the other AWS SDKs set).
- With no region configured anywhere (variables or profile), the region is us-east-1,
  S3's global default, instead of botocore's NoRegionError.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

from infrar.errors import ConfigurationError
from infrar.storage import timeouts

DEFAULT_REGION = "us-east-1"
MIB = 1024 * 1024
# botocore "standard" mode pauses rand(0, 1) x 2**(n-1) s after the n-th failure: at most 1 s then 2 s.
ATTEMPTS = 3

_lock = threading.Lock()
_client: Any = None


def client() -> Any:
    """The process's S3 client, built on first use (boto3 clients are thread-safe)."""
    found = _client
    if found is None:
        found = _build_s3()
    return found


def _build_s3() -> Any:
    global _client
    with _lock:
        if _client is None:
            session = boto3.session.Session()
            region = _region(session.region_name)
            _client = session.client("s3", region_name=region, config=client_config())
        return _client


def _region(configured: str | None) -> str:
    # botocore resolved AWS_DEFAULT_REGION, then the profile's region, into `configured`;
    # an explicit AWS_DEFAULT_REGION still wins over AWS_REGION, as the AWS CLI does.
    if os.environ.get("AWS_DEFAULT_REGION"):
        return os.environ["AWS_DEFAULT_REGION"]
    return os.environ.get("AWS_REGION") or configured or DEFAULT_REGION


def client_config() -> Config:
    """Bounded retries and timeouts: no answer means Timeout within INFRAR_STORAGE_TIMEOUT (30 s).

    Three attempts in all (the first and two retries) in botocore's "standard" mode, with
    jittered backoff of at most 1 s then 2 s, retrying throttling, 5xx, connection errors
    and timeouts; each attempt has a 3 s connect and a 6 s read timeout, so 3 x (3 + 6) + 3
    = 30 s at most (``infrar.storage.timeouts.plan`` scales them to INFRAR_STORAGE_TIMEOUT).
    botocore's own AWS_MAX_ATTEMPTS, when set, replaces the three attempts (the timeouts
    shrink to keep the bound). SigV4 everywhere, so signed URLs are V4 in every region.
    """
    attempts = _configured_attempts()
    # Pauses of at most 1, 2, 4, ... s (botocore caps each at 20 s) between the attempts.
    pauses = sum(min(2.0**n, 20.0) for n in range(attempts - 1))
    attempts, connect, read = timeouts.plan(attempts, pauses)
    return Config(retries={"mode": "standard", "total_max_attempts": attempts}, connect_timeout=connect,
                  read_timeout=read, signature_version="s3v4")


def _configured_attempts() -> int:
    raw = os.environ.get("AWS_MAX_ATTEMPTS", "").strip() or str(ATTEMPTS)
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigurationError(f"AWS_MAX_ATTEMPTS={raw!r} is not a whole number of attempts of at least 1")
    return int(raw)


def transfer_config() -> TransferConfig:
    """How upload/download stream: 8 MiB parts, 4 at a time, never the whole file in memory.

    One download attempt at the transfer level: botocore's retries (``client_config``) are
    the only ones, so a transfer fails within the same bound as any other call.

    Files larger than 8 MiB go up as multipart uploads and come down as ranged GETs. A
    path is read part by part from disk; a file object is read into at most
    ``max_in_memory_upload_chunks`` parts at once (s3transfer's bound, lowered from 10).
    """
    config = TransferConfig(
        multipart_threshold=8 * MIB,
        multipart_chunksize=8 * MIB,
        max_concurrency=4,
        # s3transfer would retry a failed GET five more times on top of botocore's three
        # attempts, fifteen in all: botocore's retries are the bound.
        num_download_attempts=1,
    )
    # An s3transfer setting boto3's constructor does not expose (TransferManager reads it):
    # no read-ahead beyond the parts being sent, so a stream costs ~4 x 8 MiB, not 10 x.
    config.max_in_memory_upload_chunks = 4
    return config


def reset() -> None:
    """Drop the cached client and make a fresh lock (after fork, or for a new endpoint)."""
    global _client, _lock
    _client = None
    _lock = threading.Lock()
