"""JSON over HTTPS for the price APIs (standard library only: no cloud SDK is needed for prices)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from infrar.cost.pricing.quotes import PriceFetchError

__all__ = ["get_json"]

TIMEOUT_S = 60


def get_json(url: str, shown: str, headers: Mapping[str, str] | None = None) -> dict[str, Any]:
    """GET ``url`` as a JSON object; ``shown`` is the address named in errors (without any key)."""
    request = urllib.request.Request(url, headers={"Accept": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:300].decode("utf-8", "replace")
        raise PriceFetchError(f"{shown}: HTTP {exc.code}: {detail}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise PriceFetchError(f"{shown}: cannot be reached ({exc}); check the network or the proxy") from exc
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise PriceFetchError(f"{shown}: the answer is not JSON") from exc
    if not isinstance(data, dict):
        raise PriceFetchError(f"{shown}: the answer is not a JSON object")
    return data
