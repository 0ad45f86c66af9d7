"""Backup with retries: copy a directory of settings files into the bucket, retrying on
transient errors, skipping files whose names are not valid keys, and checking each copy.

Covers: `import infrar.storage` (used fully qualified), `from infrar import errors`,
`except errors.Unavailable` / `except errors.InvalidArgument` / `except errors.InfrarError`,
write_bytes, read_bytes, exists, and an invalid bucket name.
"""

import os
import tempfile
import time
from pathlib import Path

import infrar.storage
from infrar import errors

BUCKET = os.environ["APP_BUCKET"]
# Local files go to APP_WORKDIR, or to a fresh temporary directory (never the current one).
WORKDIR = Path(os.environ.get("APP_WORKDIR") or tempfile.mkdtemp(prefix="corpus-"))


def with_retries(action, attempts: int = 3, delay: float = 0.01):
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except errors.Unavailable:
            if attempt == attempts:
                raise
            time.sleep(delay * attempt)
    return None


def backup_file(path: Path, key: str) -> bool:
    data = path.read_bytes()
    try:
        with_retries(lambda: infrar.storage.write_bytes(BUCKET, key, data))
    except errors.InvalidArgument:
        print("  skipped (invalid key):", repr(key))
        return False
    copy = with_retries(lambda: infrar.storage.read_bytes(BUCKET, key))
    return copy == data


def main() -> None:
    source = WORKDIR / "settings"
    source.mkdir(parents=True, exist_ok=True)
    files = {"app.toml": "debug = false\n", "db.toml": "pool = 5\n", "cache.toml": "ttl = 60\n"}
    for name, text in files.items():
        (source / name).write_text(text)

    results = {}
    for path in sorted(source.iterdir()):
        results[path.name] = backup_file(path, f"backup/settings/{path.name}")
    # A key with a line break is rejected before any request is made, on every provider.
    results["broken"] = backup_file(source / "app.toml", "backup/bad\nname")
    for name, ok in results.items():
        print(name, "verified" if ok else "not backed up")

    print("present:", infrar.storage.exists(BUCKET, "backup/settings/db.toml"))
    try:
        infrar.storage.write_bytes("Not_A_Valid_Bucket!", "x.txt", b"x")
    except errors.InvalidArgument:
        print("invalid bucket name rejected")
    try:
        infrar.storage.write_bytes(BUCKET, "backup/text.txt", "not bytes")
    except errors.InfrarError as exc:
        print("text rejected, is ValueError:", isinstance(exc, ValueError))


if __name__ == "__main__":
    main()
