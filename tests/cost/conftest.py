"""Fixtures of the price import tests (tests/cost/test_price_import*.py): the local price API replay server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.cost._price_server import PriceServer, point_at, serve


@pytest.fixture(scope="module")
def price_server() -> Iterator[PriceServer]:
    """One replay server on 127.0.0.1 per test module."""
    yield from serve()


@pytest.fixture
def price_api(price_server: PriceServer, monkeypatch: pytest.MonkeyPatch) -> PriceServer:
    """The importers pointed at the replay server, its record and replay cleared."""
    return point_at(price_server, monkeypatch)
