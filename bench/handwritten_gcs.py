"""examples/corpus/paginated_inventory.py written by hand against google-cloud-storage.

Same work and output as the corpus program (and bench/handwritten_boto3.py): 1005 uploads,
then listings through the client's page iterator. Configured the way any google-cloud-storage
program is (Application Default Credentials, GOOGLE_CLOUD_PROJECT, STORAGE_EMULATOR_HOST for an
emulator).
"""

import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta, timezone

from google.cloud import storage

BUCKET = os.environ["APP_BUCKET"]
FOLDERS = ("audio", "images", "video")

gcs = storage.Client()

def walk(bucket, prefix):
    for blob in gcs.list_blobs(bucket, prefix=prefix or None):
        yield blob.name, blob.size, blob.updated.astimezone(timezone.utc), blob.etag.strip('"')

def seed(count: int) -> None:
    def put(number: int) -> None:
        folder = FOLDERS[number % len(FOLDERS)]
        blob = gcs.bucket(BUCKET).blob(f"inventory/{folder}/item-{number:04d}.dat")
        blob.upload_from_string(b"x" * (number % 7 + 1), content_type="application/octet-stream")

    # Eight PUTs in flight at once, through the one client the threads share.
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
