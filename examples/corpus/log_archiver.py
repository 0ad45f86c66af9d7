"""Log archiver: rotate the day's log files from APP_WORKDIR into the bucket, then list the archive.

Covers: `from infrar.storage import ...`, upload from a path (str and pathlib.Path),
list_objects with a prefix, a list comprehension and a generator expression.
"""

import os
import tempfile
from pathlib import Path

from infrar.storage import list_objects, upload

BUCKET = os.environ["APP_BUCKET"]
# Local files go to APP_WORKDIR, or to a fresh temporary directory (never the current one).
WORKDIR = Path(os.environ.get("APP_WORKDIR") or tempfile.mkdtemp(prefix="corpus-"))
DAYS = ["2024-03-01", "2024-03-02", "2024-03-03"]


def write_fake_logs(directory: Path) -> list[Path]:
    """Stand-in for the application: one log file per day."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, day in enumerate(DAYS, start=1):
        path = directory / f"app-{day}.log"
        lines = [f"{day}T00:00:{second:02d} INFO request {number}-{second}" for second in range(number * 3)]
        path.write_text("\n".join(lines) + "\n")
        paths.append(path)
    return paths


def archive(paths: list[Path]) -> int:
    archived = 0
    for path in paths:
        day = path.stem.removeprefix("app-")
        # Alternate between a str path and a Path object: both are accepted.
        source = str(path) if archived % 2 else path
        upload(BUCKET, source, f"logs/{day}/{path.name}")
        archived += 1
    return archived


def main() -> None:
    paths = write_fake_logs(WORKDIR / "logs")
    print("archived", archive(paths), "files")
    keys = list_objects(BUCKET, prefix="logs/")
    for key in keys:
        print(" ", key)
    march = [key for key in keys if key.startswith("logs/2024-03-0")]
    print("march files:", len(march))
    print("total lines:", sum(len(p.read_text().splitlines()) for p in paths))
    print("nothing under tmp/:", list_objects(BUCKET, "tmp/") == [])


if __name__ == "__main__":
    main()
