"""Azure Blob-only features: each call warns once (LockInWarning) and needs INFRAR_PROVIDER=azure."""

from __future__ import annotations

from typing import Any

from infrar.lockin import provider_only_adapter

_DOMAIN = "azure.blob"


def set_access_tier(bucket: str, key: str, tier: str) -> None:
    """Move blob ``key`` of container ``bucket`` to access tier Hot, Cool, Cold or Archive."""
    adapter: Any = provider_only_adapter(_DOMAIN, "infrar.azure.blob.set_access_tier", "azure")
    adapter.set_access_tier(bucket, key, tier)
