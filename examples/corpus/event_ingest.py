"""Event ingest: batch click and view events into hourly JSON-lines files, then count them
under a staging lock.

Covers: `from infrar import storage as store` (an aliased module), `from infrar.storage import
ObjectInfo` in annotations and isinstance checks, calls with every argument by keyword and in
a different order, a decorator, a context manager whose `finally` calls the SDK, a
generator expression and a walrus over SDK calls, and a `global` counter.
"""

import functools
import json
import os
from contextlib import contextmanager

from infrar import storage as store
from infrar.storage import ObjectInfo

BUCKET = os.environ["APP_BUCKET"]
batches_written = 0


def counted(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        global batches_written
        batches_written += 1
        return function(*args, **kwargs)

    return wrapper


@counted
def put_batch(kind: str, hour: int, events: list[dict]) -> None:
    lines = "".join(json.dumps(event, sort_keys=True) + "\n" for event in events)
    store.write_bytes(bucket=BUCKET, key=f"events/{kind}/{hour:02d}.jsonl", data=lines.encode())


@contextmanager
def staging_lock(name: str):
    key = f"staging/{name}"
    store.write_bytes(BUCKET, key, b"locked")
    try:
        yield key
    finally:
        store.delete(path=key, bucket=BUCKET)


def describe(info: ObjectInfo) -> str:
    return f"{info.key}: {info.size} bytes"


def main() -> None:
    events = [
        {"kind": kind, "hour": hour, "user": f"u{user}"}
        for kind in ("click", "view")
        for hour in (9, 10, 11)
        for user in range(hour % 4 + 1)
    ]
    batches: dict[tuple[str, int], list[dict]] = {}
    for event in events:
        batches.setdefault((event["kind"], event["hour"]), []).append(event)
    for (kind, hour), batch in sorted(batches.items()):
        put_batch(kind, hour, batch)
    print("batches written:", batches_written)

    with staging_lock("count.lock") as lock:
        print("lock held:", store.exists(key=lock, bucket=BUCKET))
        keys = store.list_objects(prefix="events/", bucket=BUCKET)
        total = sum(len(store.read_bytes(BUCKET, key).splitlines()) for key in keys)
        print("events stored:", total, "in", len(keys), "files")
    print("lock released:", not store.exists(BUCKET, "staging/count.lock"))

    if clicks := list(store.iter_objects(prefix="events/click/", bucket=BUCKET)):
        for info in clicks:
            print(describe(info))
    print("ObjectInfo values:", all(isinstance(info, ObjectInfo) for info in clicks))
    print("fields:", ObjectInfo._fields)


if __name__ == "__main__":
    main()
