"""Azure Blob-only features behind ``infrar.azure.blob`` (they tie a program to Azure)."""

from __future__ import annotations

from azure.core.exceptions import AzureError

from infrar.errors import InvalidArgument
from infrar.providers._names import deployed_name
from infrar.providers.azure import storage_errors
from infrar.providers.azure._clients import blob_service
from infrar.storage.rules import AZURE_CONTAINER, check_bucket, check_key

# Azure's standard tiers for block blobs; Premium accounts have none of these.
ACCESS_TIERS = ("Hot", "Cool", "Cold", "Archive")


def _check_tier(tier: object, bucket: str, key: str) -> str:
    if tier not in ACCESS_TIERS:
        raise InvalidArgument(
            f"access tier {tier!r} for {bucket}/{key} is not one of {', '.join(ACCESS_TIERS)} "
            "(names are case-sensitive)"
        )
    return str(tier)


class AzureBlobFeatures:
    """Operations only Azure Blob Storage has."""

    def set_access_tier(self, bucket: str, key: str, tier: str) -> None:
        bucket = deployed_name("bucket", check_bucket(bucket, AZURE_CONTAINER))
        check_key(key, bucket)
        standard_tier = _check_tier(tier, bucket, key)
        blob = blob_service.client().get_blob_client(bucket, key)
        try:
            blob.set_standard_blob_tier(standard_tier)
        except AzureError as exc:
            raise storage_errors.translate_error(exc, bucket, key) from exc
