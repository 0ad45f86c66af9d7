"""Fixtures of the data suite: a provider set up for the catalog tests, with a bucket of its own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from infrar import dispatch

CATALOG_PROVIDERS = ["local"]


@pytest.fixture(params=CATALOG_PROVIDERS)
def catalog_provider(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """(provider, bucket): INFRAR_PROVIDER set, an empty bucket made for the table files."""
    provider: str = request.param
    bucket = f"data-{uuid.uuid4().hex[:10]}"
    if provider == "local":
        request.getfixturevalue("infrar_local")
    else:
        request.getfixturevalue(f"infrar_{provider}").create_bucket(bucket)
    dispatch.reset()
    yield provider, bucket
    dispatch.reset()
