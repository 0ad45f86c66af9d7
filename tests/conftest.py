"""Fixtures shared by infrar's own tests; users get theirs from infrar.testing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from infrar import dispatch
from infrar.lockin import reset_warnings

PROVIDERS = ("local", "aws", "gcp", "azure")


@dataclass
class Store:
    """A provider ready for a storage test: an existing empty bucket and a missing one."""

    provider: str
    bucket: str
    missing_bucket: str


@pytest.fixture(autouse=True)
def _fresh_dispatch() -> Iterator[None]:
    dispatch.reset()
    reset_warnings()
    _forget_boto3_default_session()
    yield
    dispatch.reset()


def _forget_boto3_default_session() -> None:
    # boto3.client() reuses one default session, which read AWS_CONFIG_FILE and AWS_PROFILE
    # when an earlier test made it; a test's own environment must be what it sees.
    import sys

    boto3 = sys.modules.get("boto3")
    if boto3 is not None:
        boto3.DEFAULT_SESSION = None


def _new_bucket_name() -> str:
    return f"test-{uuid.uuid4().hex[:20]}"


@pytest.fixture(params=PROVIDERS)
def store(request: pytest.FixtureRequest) -> Store:
    """Every test using this runs once per provider against its real backend."""
    provider: str = request.param
    if provider == "local":
        root: Path = request.getfixturevalue("infrar_local")
        bucket = _new_bucket_name()
        # A local bucket is a directory; infra makes the cloud ones, the test makes this one.
        (root / "storage" / bucket).mkdir(parents=True)
    else:
        bucket = request.getfixturevalue(f"infrar_{provider}").create_bucket()
    return Store(provider=provider, bucket=bucket, missing_bucket=_new_bucket_name())
