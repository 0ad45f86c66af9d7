"""Manifest checker: publish a release with a manifest of SHA-256 digests, then verify the
bucket against it, reporting missing and corrupted files.

Covers: `from infrar.errors import NotFound`, `except NotFound`, json, hashlib, a dict
comprehension, and a parameter named `exists` that shadows the imported SDK function.
"""

import hashlib
import json
import os

from infrar.errors import NotFound
from infrar.storage import exists, read_bytes, write_bytes

BUCKET = os.environ["APP_BUCKET"]
RELEASE = "releases/1.4.0"

FILES = {
    "app.bin": b"\x7fELF" + bytes(range(64)),
    "README.txt": b"Release 1.4.0\n",
    "config/default.json": b'{"retries": 3}\n',
}


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def publish() -> None:
    for name, data in FILES.items():
        write_bytes(BUCKET, f"{RELEASE}/{name}", data)
    manifest = {name: digest(data) for name, data in FILES.items()}
    manifest["CHANGELOG.txt"] = digest(b"never uploaded")
    write_bytes(BUCKET, f"{RELEASE}/manifest.json", json.dumps(manifest, sort_keys=True).encode())


def describe(name: str, exists: bool, ok: bool) -> str:
    # `exists` is a plain bool parameter here, not the storage function.
    if not exists:
        return f"{name}: missing"
    return f"{name}: {'ok' if ok else 'CORRUPT'}"


def verify() -> int:
    manifest = json.loads(read_bytes(BUCKET, f"{RELEASE}/manifest.json"))
    problems = 0
    for name, expected in sorted(manifest.items()):
        key = f"{RELEASE}/{name}"
        try:
            data = read_bytes(BUCKET, key)
        except NotFound:
            print(describe(name, exists(BUCKET, key), False))
            problems += 1
            continue
        ok = digest(data) == expected
        problems += not ok
        print(describe(name, True, ok))
    return problems


def main() -> None:
    publish()
    print("problems:", verify())
    write_bytes(BUCKET, f"{RELEASE}/README.txt", b"tampered\n")
    print("after tampering, problems:", verify())


if __name__ == "__main__":
    main()
