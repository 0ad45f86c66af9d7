"""examples/corpus/paginated_inventory.py written by hand against the file system.

Same work and output as the corpus program (and bench/handwritten_boto3.py): 1005 files
written atomically (a temporary file renamed into place), then walks of the tree in key
order. The bucket is a directory under STORAGE_ROOT (default ./data).
"""

import os
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

BUCKET = os.environ["APP_BUCKET"]
FOLDERS = ("audio", "images", "video")

ROOT = Path(os.environ.get("STORAGE_ROOT", "data"))

def walk(bucket, prefix):
    base = ROOT / bucket
    for path in sorted(base.rglob("*"), key=lambda p: p.relative_to(base).as_posix()):
        key = path.relative_to(base).as_posix()
        if path.is_file() and key.startswith(prefix):
            stat = path.stat()
            modified = datetime.fromtimestamp(stat.st_mtime, tz=timezone.utc)
            yield key, stat.st_size, modified, f"{stat.st_mtime_ns:x}-{stat.st_size:x}"

def seed(count: int) -> None:
    def put(number: int) -> None:
        folder = FOLDERS[number % len(FOLDERS)]
        path = ROOT / BUCKET / f"inventory/{folder}/item-{number:04d}.dat"
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as file:
            file.write(b"x" * (number % 7 + 1))
        os.replace(file.name, path)

    # Eight writes in flight at once, as the corpus program does.
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(put, range(count)))


def large_items(prefix: str, min_size: int):
    for key, size, _, _ in walk(BUCKET, prefix):
        if size >= min_size:
            yield key, size


def main() -> None:
    seed(1005)
    infos = list(walk(BUCKET, "inventory/"))
    print("objects:", len(infos))
    print("in key order:", [key for key, *_ in infos] == sorted(key for key, *_ in infos))
    print("total bytes:", sum(size for _, size, _, _ in infos))
    per_folder = Counter(key.split("/")[1] for key, *_ in infos)
    print("per folder:", dict(sorted(per_folder.items())))
    sizes = {size for _, size, _, _ in infos}
    print("distinct sizes:", sorted(sizes))
    print("all UTC:", all(modified.utcoffset() == timedelta(0) for _, _, modified, _ in infos))
    print("etags unquoted:", all(etag and '"' not in etag for *_, etag in infos))
    first = next(walk(BUCKET, "inventory/video/"))
    print("first video:", first[0], first[1])
    key, size, _modified, _etag = first
    print("unpacked:", key, size)
    big = dict(large_items("inventory/audio/", 7))
    print("large audio items:", len(big), min(big))
    print("empty prefix:", list(walk(BUCKET, "nothing-here/")))


if __name__ == "__main__":
    main()
