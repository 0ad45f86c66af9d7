"""Cloud Storage-only bucket features (retention policy), behind ``infrar.gcp.storage``.

Same contract as every adapter: no instance state, the client from
``gcs.client()``, SDK errors translated by ``storage_errors.translate_error`` and
chained with ``from``.
"""

from __future__ import annotations

from infrar.errors import InvalidArgument
from infrar.providers._names import deployed_name
from infrar.providers.gcp import storage_errors
from infrar.providers.gcp._clients import gcs
from infrar.storage.rules import GCS_BUCKET, check_bucket

# Cloud Storage's upper bound on a retention period: 100 years, in seconds.
MAX_RETENTION_SECONDS = 3_155_760_000


def _check_retention(seconds: object, bucket: str) -> int:
    if isinstance(seconds, bool) or not isinstance(seconds, int):
        raise InvalidArgument(
            f"retention period for bucket {bucket!r} must be an int number of seconds, got {seconds!r}"
        )
    if not 1 <= seconds <= MAX_RETENTION_SECONDS:
        raise InvalidArgument(
            f"retention period {seconds} for bucket {bucket!r} is out of range; "
            f"it is 1 to {MAX_RETENTION_SECONDS} seconds (100 years)"
        )
    return seconds


class GcpStorageFeatures:
    """What only Cloud Storage offers; ``infrar.gcp.storage`` warns (LockInWarning) before calling these."""

    def set_retention_period(self, bucket: str, seconds: int) -> None:
        bucket = deployed_name("bucket", check_bucket(bucket, GCS_BUCKET))
        period = _check_retention(seconds, bucket)
        try:
            target = gcs.client().bucket(bucket)
            target.retention_period = period
            # PATCH sends only the changed retentionPolicy; setting the same period twice
            # is harmless, so the call may be retried.
            target.patch(retry=gcs.retry(), timeout=gcs.timeout())
        except storage_errors.SDK_ERRORS as exc:
            raise storage_errors.translate_error(exc, bucket) from exc
