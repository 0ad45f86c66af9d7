"""Audit logger: append audit records from several threads, one object per record, behind a
module lock, then read the trail back in order.

Covers: module-level private names that erase's own helpers also use (`_lock`, `_s3`,
`_region`, `_CHUNK`, `_check_key`, `_write_bytes`, `_read_bytes`, `_DEFAULT_REGION`): the
erased file must keep the program's meaning for each, and `from infrar.storage import
list_objects, read_bytes, write_bytes` used only inside those helpers.
"""

import os
import threading

from infrar.storage import list_objects, read_bytes, write_bytes

BUCKET = os.environ["APP_BUCKET"]
_lock = threading.Lock()
_s3 = {"records": 0}  # not a client: this program's own counter
_region = "eu-audit"
_DEFAULT_REGION = "nowhere"
_CHUNK = 3


def _check_key(sequence: int) -> str:
    return f"audit/{_region}/{sequence:05d}.txt"


def _write_bytes(actor: str, action: str) -> None:
    with _lock:
        _s3["records"] += 1
        write_bytes(BUCKET, _check_key(_s3["records"]), f"{actor} {action}".encode())


def _read_bytes(keys: list[str]) -> list[str]:
    return [read_bytes(BUCKET, key).decode() for key in keys]


def worker(actor: str) -> None:
    for step in range(_CHUNK):
        _write_bytes(actor, f"step-{step}")


def main() -> None:
    threads = [threading.Thread(target=worker, args=(f"user{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    keys = list_objects(BUCKET, f"audit/{_region}/")
    print("records:", _s3["records"], "stored:", len(keys), "region:", _region, _DEFAULT_REGION)
    trail = _read_bytes(keys)
    print("per actor:", {actor: sum(line.startswith(actor + " ") for line in trail) for actor in sorted(
        {line.split()[0] for line in trail})})
    print("first key:", keys[0].rsplit("/", 1)[-1], "last key:", keys[-1].rsplit("/", 1)[-1])


if __name__ == "__main__":
    main()
