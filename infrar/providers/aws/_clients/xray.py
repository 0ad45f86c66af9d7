"""The aws provider's X-Ray client: one per process, configured like every aws client (see ``cloudwatch``).

AWS_ENDPOINT_URL_XRAY (or AWS_ENDPOINT_URL) points it at another endpoint.
"""

from __future__ import annotations

from typing import Any

from infrar.providers.aws._clients import cloudwatch


def client() -> Any:
    return cloudwatch.shared("xray")


def reset() -> None:
    """Nothing of its own: the client lives in ``cloudwatch``'s table, reset there."""
