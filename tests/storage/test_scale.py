"""Large objects, many keys and many threads, on every provider."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from infrar import storage
from tests.bigfiles import sha256_of, write_big_file
from tests.conftest import Store

LARGE_BYTES = 50 * 1024 * 1024 + 12345  # over 50 MiB and not a multiple of any part size


@pytest.mark.slow
def test_large_file_streams_up_and_down(store: Store, tmp_path: Path) -> None:
    source = tmp_path / "large.bin"
    expected = write_big_file(source, LARGE_BYTES)
    storage.upload(store.bucket, str(source), "large/large.bin")
    info = next(storage.iter_objects(store.bucket, "large/"))
    assert info.size == LARGE_BYTES
    target = tmp_path / "large.copy"
    storage.download(store.bucket, "large/large.bin", str(target))
    assert sha256_of(target) == expected


# aws and azure list past a page through the public API in tests/providers/test_aws_storage.py
# (test_iter_objects_pages_past_1000_keys_lazily) and test_azure_storage.py (..._blobs_in_order)
@pytest.mark.parametrize("store", ["local", "gcp"], indirect=True)
def test_listing_pages_past_one_thousand_keys(store: Store) -> None:
    keys = [f"many/{i:05d}.txt" for i in range(1100)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(lambda key: storage.write_bytes(store.bucket, key, b"."), keys))
    assert storage.list_objects(store.bucket, "many/") == keys
    counted = sum(1 for _ in storage.iter_objects(store.bucket, "many/"))
    assert counted == 1100


def test_sixteen_threads_share_one_adapter(store: Store) -> None:
    def work(worker: int) -> list[bytes]:
        seen = []
        for round_ in range(5):
            key = f"threads/{worker:02d}/{round_}"
            payload = f"{worker}:{round_}".encode() * 100
            storage.write_bytes(store.bucket, key, payload)
            seen.append(storage.read_bytes(store.bucket, key) == payload)
        storage.delete(store.bucket, f"threads/{worker:02d}/0")
        return [bytes([all(seen)])]

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(work, range(16)))
    assert results == [[b"\x01"]] * 16
    remaining = storage.list_objects(store.bucket, "threads/")
    assert len(remaining) == 16 * 4
    assert not any(key.endswith("/0") for key in remaining)
