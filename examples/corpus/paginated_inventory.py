"""Paginated inventory: fill a bucket with more objects than one listing page holds on some
providers' emulators, then walk it lazily and summarise by folder.

Covers: iter_objects and every ObjectInfo field (key, size, last_modified, etag), a generator
function that wraps the SDK iterator, dict/set comprehensions, writes from a thread pool (a
nested function mapped over eight workers sharing one client), and `from infrar.storage import
iter_objects as walk` (an aliased import).
"""

import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from infrar.storage import iter_objects as walk
from infrar.storage import write_bytes

BUCKET = os.environ["APP_BUCKET"]
FOLDERS = ("audio", "images", "video")


def seed(count: int) -> None:
    def put(number: int) -> None:
        folder = FOLDERS[number % len(FOLDERS)]
        write_bytes(BUCKET, f"inventory/{folder}/item-{number:04d}.dat", b"x" * (number % 7 + 1))

    # Eight PUTs in flight at once, through the one client the threads share.
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(put, range(count)))


def large_items(prefix: str, min_size: int):
    for info in walk(BUCKET, prefix):
        if info.size >= min_size:
            yield info.key, info.size


def main() -> None:
    seed(1005)
    infos = list(walk(BUCKET, "inventory/"))
    print("objects:", len(infos))
    print("in key order:", [info.key for info in infos] == sorted(info.key for info in infos))
    print("total bytes:", sum(info.size for info in infos))
    per_folder = Counter(info.key.split("/")[1] for info in infos)
    print("per folder:", dict(sorted(per_folder.items())))
    sizes = {info.size for info in infos}
    print("distinct sizes:", sorted(sizes))
    print("all UTC:", all(info.last_modified.utcoffset() == timedelta(0) for info in infos))
    print("etags unquoted:", all(info.etag and '"' not in info.etag for info in infos))
    first = next(walk(BUCKET, "inventory/video/"))
    print("first video:", first.key, first.size)
    key, size, _modified, _etag = first
    print("unpacked:", key, size)
    big = dict(large_items("inventory/audio/", 7))
    print("large audio items:", len(big), min(big))
    print("empty prefix:", list(walk(BUCKET, "nothing-here/")))


if __name__ == "__main__":
    main()
