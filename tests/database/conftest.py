"""A database ready for a test on each provider (local for now)."""

from __future__ import annotations

import uuid

import pytest

PROVIDERS = ("local",)


@pytest.fixture(params=PROVIDERS)
def db(request: pytest.FixtureRequest) -> str:
    """The name of a fresh, empty database on the provider under test."""
    request.getfixturevalue("infrar_local")
    return f"test_{uuid.uuid4().hex[:16]}"

