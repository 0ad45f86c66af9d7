"""Adapter-shaped code for tests/erase/test_fold.py: each method reaches the storage checks in
one of the ways literal folding must follow (or must refuse to). Not a plugin."""

from __future__ import annotations

from infrar.storage.rules import S3_BUCKET, check_bucket, check_key, check_prefix


def _helper(bucket: str, key: str) -> str:
    return check_key(key, check_bucket(bucket, S3_BUCKET))


def _only_key(key: str) -> str:
    return check_key(key, "some-bucket")


class Adapter:
    def both(self, bucket: str, key: str) -> str:
        return check_key(key, check_bucket(bucket, S3_BUCKET))

    def rebound(self, bucket: str, key: str) -> str:
        key = key.strip()
        return check_key(key, bucket)

    def walrus(self, bucket: str, key: str) -> str:
        return (key := key.upper()) + check_key(key, bucket)

    def branch(self, bucket: str, key: str, flag: bool = False) -> str:
        if flag:
            key = key + "/"
            return check_key(key, bucket)
        return check_key(key, bucket)

    def statement(self, bucket: str, key: str) -> str:
        check_key(key, bucket)
        return key

    def via_helper(self, bucket: str, key: str) -> str:
        return _helper(bucket, key)

    def as_callback(self, bucket: str, key: str) -> list[str]:
        return list(map(_only_key, [key]))

    def default(self, bucket: str, prefix: str = "") -> str:
        prefix = check_prefix(prefix, bucket)
        return prefix

    def by_keyword(self, bucket: str, key: str) -> str:
        return check_key(key=key, bucket=bucket)
