"""S3-only bucket features (versioning, lifecycle rules), behind ``infrar.aws.s3``.

Same contract as every adapter: no instance state, the client from ``s3.client()``,
SDK errors translated by ``storage_errors.translate_error`` and chained with ``from``.
"""

from __future__ import annotations

from typing import Any

from infrar.errors import InvalidArgument
from infrar.providers._names import deployed_name
from infrar.providers.aws import storage_errors
from infrar.providers.aws._clients import s3
from infrar.storage.rules import S3_BUCKET, check_bucket

# Shown in messages: the smallest policy S3 accepts, in the shape boto3 takes.
_POLICY_EXAMPLE = (
    "{'Rules': [{'ID': 'expire-logs', 'Status': 'Enabled', 'Filter': {'Prefix': 'logs/'}, "
    "'Expiration': {'Days': 30}}]}"
)


def _check_lifecycle_policy(policy: object, bucket: str) -> dict[str, Any]:
    # Only the outer shape is checked here; S3 and botocore's parameter validation judge
    # each rule and name the field that is wrong.
    if not isinstance(policy, dict) or not isinstance(policy.get("Rules"), list):
        raise InvalidArgument(
            f"lifecycle policy for bucket {bucket!r} must be a dict with a 'Rules' list "
            f"(boto3's LifecycleConfiguration shape), got {policy!r}; e.g. {_POLICY_EXAMPLE}"
        )
    if not policy["Rules"] or not all(isinstance(rule, dict) for rule in policy["Rules"]):
        raise InvalidArgument(
            f"lifecycle policy for bucket {bucket!r} needs at least one rule, each a dict; "
            f"got {policy['Rules']!r}; e.g. {_POLICY_EXAMPLE}"
        )
    return policy


class AwsS3Features:
    """What only S3 offers; ``infrar.aws.s3`` warns (LockInWarning) before calling these."""

    def enable_versioning(self, bucket: str) -> None:
        bucket = deployed_name("bucket", check_bucket(bucket, S3_BUCKET))
        try:
            s3.client().put_bucket_versioning(
                Bucket=bucket, VersioningConfiguration={"Status": "Enabled"}
            )
        except storage_errors.SDK_ERRORS as exc:
            raise storage_errors.translate_error(exc, bucket) from exc

    def set_lifecycle_policy(self, bucket: str, policy: dict[str, Any]) -> None:
        bucket = deployed_name("bucket", check_bucket(bucket, S3_BUCKET))
        configuration = _check_lifecycle_policy(policy, bucket)
        try:
            # Replaces the bucket's whole lifecycle configuration, as S3's PUT does.
            s3.client().put_bucket_lifecycle_configuration(
                Bucket=bucket, LifecycleConfiguration=configuration
            )
        except storage_errors.SDK_ERRORS as exc:
            raise storage_errors.translate_error(exc, bucket) from exc
