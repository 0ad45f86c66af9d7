"""Adapter-shaped code for tests/erase/test_fold.py: each method reaches the storage checks in
one of the ways literal folding must follow (or must refuse to). Not a plugin."""

from __future__ import annotations

from typing import Any

from infrar.storage.rules import S3_BUCKET, check_bucket, check_key, check_prefix


def _helper(bucket: str, key: str) -> str:
    return check_key(key, check_bucket(bucket, S3_BUCKET))


def _only_key(key: str) -> str:
    return check_key(key, "some-bucket")


def _target(bucket: str, key: str | None = None) -> str:
    return f"{bucket}/{key}"


def _forwarder(bucket: str, key: str | None = None) -> str:
    """Says nothing _target does not."""
    return _target(bucket, key)


def _other_default(bucket: str, key: str | None = "x") -> str:
    return _target(bucket, key)


def _reordered(key: str | None = None, bucket: str = "b") -> str:
    return _target(bucket, key)


def _target_more(bucket: str, key: str | None = None, extra: int = 0) -> str:
    return f"{bucket}/{key}/{extra}"


def _to_more(bucket: str, key: str | None = None) -> str:
    return _target_more(bucket, key)


class Adapter:
    def forwarded(self, bucket: str) -> str:
        return _forwarder(bucket) + _forwarder(bucket, key="k") + _other_default(bucket) + _reordered() + _to_more(
            bucket)

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

    def optional(self, bucket: str, key: str | None = None) -> str:
        # the test is decided before its branch runs, though the branch rebinds `key`
        if key is not None and key.endswith("/"):
            key = None
        target = f"object {key!r}" if key is not None else f"bucket {bucket!r}"
        return target + (check_key(key, bucket) if key is not None else "")

    def rebinds_in_test(self, bucket: str, key: str | None = None) -> str:
        if len(key := bucket) > 0 and key is None:
            return "none"
        return "some"

    def flags(self, bucket: str, flag: object = None) -> str:
        if flag is None:
            return "none"
        if isinstance(flag, bool):
            return "bool"
        return "other"

    def local_literal(self, bucket: str, key: str | None = None) -> str:
        exists = False if key is None else bucket.startswith("b")
        if exists is False:
            return check_key("k/fixed", bucket)
        unsure = "?" if exists is None else "!"
        return unsure

    def generator_after_return(self, bucket: str, key: str | None = None) -> Any:
        if key is None:
            return
        yield key

    def local_read_after_return(self, bucket: str, key: str | None = None) -> str:
        if key is None:
            return bucket
        bucket = "other"
        return bucket

    def local_made_by_dead_code(self, bucket: str, key: str | None = None) -> int:
        if key is None:
            return total  # type: ignore[has-type,used-before-def,no-any-return]  # noqa: F821
        total = 1
        return total

    def recurse_other(self, bucket: str, key: str | None = None) -> str:
        if key is None:
            return self.recurse_other(bucket, "k/a")
        return check_key(key, bucket)

    def recurse_same(self, bucket: str, key: str | None = None, depth: int = 1) -> str:
        if depth:
            return self.recurse_same(bucket, key, depth - 1)
        return "bucket" if key is None else "object"

    def shadowed_in_test(self, bucket: str, key: str | None = None, keys: tuple[str, ...] = ("a",)) -> str:
        if any(key is None for key in keys):
            return "a missing key"
        return "all there"
