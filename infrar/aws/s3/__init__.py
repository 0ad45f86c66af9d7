"""S3-only features: each call warns once (LockInWarning) and needs INFRAR_PROVIDER=aws."""

from __future__ import annotations

from typing import Any

from infrar.lockin import provider_only_adapter

_DOMAIN = "aws.s3"


def enable_versioning(bucket: str) -> None:
    """Turn on S3 object versioning for ``bucket``."""
    adapter: Any = provider_only_adapter(_DOMAIN, "infrar.aws.s3.enable_versioning", "aws")
    adapter.enable_versioning(bucket)


def set_lifecycle_policy(bucket: str, policy: dict[str, Any]) -> None:
    """Replace the lifecycle configuration of ``bucket`` (boto3's LifecycleConfiguration shape)."""
    adapter: Any = provider_only_adapter(_DOMAIN, "infrar.aws.s3.set_lifecycle_policy", "aws")
    adapter.set_lifecycle_policy(bucket, policy)
