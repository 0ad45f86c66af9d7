"""Cloud Storage-only features: each call warns once (LockInWarning) and needs INFRAR_PROVIDER=gcp."""

from __future__ import annotations

from typing import Any

from infrar.lockin import provider_only_adapter

_DOMAIN = "gcp.storage"


def set_retention_period(bucket: str, seconds: int) -> None:
    """Set the retention policy of ``bucket``: objects cannot be deleted or replaced for ``seconds``."""
    adapter: Any = provider_only_adapter(_DOMAIN, "infrar.gcp.storage.set_retention_period", "gcp")
    adapter.set_retention_period(bucket, seconds)
