"""Calls inside calls, keyword and starred arguments, a call as a statement and in a lambda."""
import os

from infrar import storage
from infrar.errors import InvalidArgument, NotFound

BUCKET = os.environ.get("B", "b")


def copy(src: str, dst: str) -> None:
    storage.write_bytes(BUCKET, dst, storage.read_bytes(BUCKET, src))
    storage.write_bytes(bucket=BUCKET, key=dst + ".bak", data=storage.read_bytes(BUCKET, src))
    print(*storage.list_objects(BUCKET, prefix=dst), sep="\n")
    later = lambda: storage.exists(BUCKET, dst)  # noqa: E731
    try:
        storage.delete(BUCKET, src)
    except (NotFound, InvalidArgument):
        pass
    return later()
