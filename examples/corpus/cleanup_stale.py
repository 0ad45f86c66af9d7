"""Cleanup of stale uploads: delete everything under tmp/ and report deletes that find nothing.

Covers: `from infrar.storage import delete as remove, list_objects as ls`, `from infrar import
errors` with isinstance checks against both the infrar class and its builtin, delete of a
missing object, exists on a missing bucket, and a nested function that closes over a counter.
"""

import os

from infrar import errors
from infrar.storage import delete as remove
from infrar.storage import exists
from infrar.storage import list_objects as ls
from infrar.storage import write_bytes as put

BUCKET = os.environ["APP_BUCKET"]


def make_cleaner(bucket: str):
    removed = []

    def clean(key: str) -> None:
        try:
            remove(bucket, key)
        except Exception as exc:
            if isinstance(exc, errors.NotFound) and isinstance(exc, FileNotFoundError):
                print("  already gone:", key)
                return
            raise
        removed.append(key)

    return clean, removed


def main() -> None:
    for name in ("a.part", "b.part", "nested/c.part"):
        put(BUCKET, f"tmp/{name}", b"partial upload")
    put(BUCKET, "keep/final.bin", b"done")

    clean, removed = make_cleaner(BUCKET)
    stale = ls(BUCKET, "tmp/")
    for key in [*stale, "tmp/a.part", "tmp/never-existed"]:
        clean(key)
    print("removed:", removed)
    print("left:", ls(BUCKET))
    print("tmp gone:", not any(exists(BUCKET, key) for key in stale))
    print("missing bucket has nothing:", exists("no-such-bucket-for-corpus", "x"))
    try:
        ls("no-such-bucket-for-corpus")
    except errors.NotFound as exc:
        print("listing a missing bucket: NotFound, also OSError:", isinstance(exc, OSError))


if __name__ == "__main__":
    main()
