"""Parallel uploader: push a directory of exports with a thread pool, then fetch them back
concurrently and compare.

Covers: SDK calls from worker threads (the lazily built client is shared by every thread),
`pool.map` over a lambda that calls the SDK (the way to pass an SDK function around: erase
replaces calls, not function values), upload from paths and download into io.BytesIO, and
`import infrar.storage as storage` (an alias equal to the module's own name).
"""

import hashlib
import io
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import infrar.storage as storage

BUCKET = os.environ["APP_BUCKET"]
# Local files go to APP_WORKDIR, or to a fresh temporary directory (never the current one).
WORKDIR = Path(os.environ.get("APP_WORKDIR") or tempfile.mkdtemp(prefix="corpus-"))


def make_exports(directory: Path, count: int) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        path = directory / f"export-{number:02d}.csv"
        path.write_text("".join(f"{number},{row},{row * number}\n" for row in range(number * 10)))
        paths.append(path)
    return paths


def fetch(key: str) -> bytes:
    buffer = io.BytesIO()
    storage.download(BUCKET, key, buffer)
    return buffer.getvalue()


def main() -> None:
    paths = make_exports(WORKDIR / "exports", 16)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda path: storage.upload(BUCKET, path, f"exports/{path.name}"), paths))
        keys = storage.list_objects(BUCKET, "exports/")
        print("uploaded:", len(keys))
        contents = dict(zip(keys, pool.map(fetch, keys), strict=True))
    same = all(contents[f"exports/{path.name}"] == path.read_bytes() for path in paths)
    print("round trip identical:", same)
    digest = hashlib.sha256(b"".join(contents[key] for key in sorted(contents))).hexdigest()
    print("digest:", digest[:16])
    print("empty export size:", len(contents["exports/export-00.csv"]))


if __name__ == "__main__":
    main()
