"""examples/corpus/paginated_inventory.py written by hand against boto3, for bench/erased_vs_boto3.py.

Same work and same output as the corpus program: 1005 PUTs, then listings through the
ListObjectsV2 paginator. Configured the way any boto3 program is (AWS_* variables,
AWS_ENDPOINT_URL for an emulator).
"""

import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import boto3

BUCKET = os.environ["APP_BUCKET"]
FOLDERS = ("audio", "images", "video")

s3 = boto3.client("s3")


def walk(bucket, prefix):
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            yield item["Key"], item["Size"], item["LastModified"], item["ETag"].strip('"')


def seed(count: int) -> None:
    def put(number: int) -> None:
        folder = FOLDERS[number % len(FOLDERS)]
        s3.put_object(Bucket=BUCKET, Key=f"inventory/{folder}/item-{number:04d}.dat", Body=b"x" * (number % 7 + 1))

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
