"""Report exporter: build a CSV sales report, export it to the bucket two ways, and pull it back.

Covers: `from infrar import storage`, upload from a binary file object (io.BytesIO and an open
file), download to a path and to a file object, nested functions (a closure calling the SDK),
and a parameter named `storage` in a helper that shadows the module.
"""

import csv
import io
import os
import tempfile
from pathlib import Path

from infrar import storage

BUCKET = os.environ["APP_BUCKET"]
# Local files go to APP_WORKDIR, or to a fresh temporary directory (never the current one).
WORKDIR = Path(os.environ.get("APP_WORKDIR") or tempfile.mkdtemp(prefix="corpus-"))

SALES = [
    ("north", "widgets", 120),
    ("north", "gadgets", 45),
    ("south", "widgets", 80),
    ("east", "gizmos", 12),
    ("south", "gizmos", 33),
]


def render(rows: list[tuple[str, str, int]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["region", "product", "units"])
    writer.writerows(rows)
    return text.getvalue().encode()


def totals(storage: dict[str, int], rows: list[tuple[str, str, int]]) -> dict[str, int]:
    """`storage` here is a plain dict: the parameter shadows the module inside this function."""
    for region, _, units in rows:
        storage[region] = storage.get(region, 0) + units
    return storage


def make_exporter(prefix: str):
    def export(name: str, payload: bytes) -> str:
        key = f"{prefix}/{name}"
        storage.upload(BUCKET, io.BytesIO(payload), key)
        return key

    return export


def main() -> None:
    export = make_exporter("reports/2024-q1")
    csv_key = export("sales.csv", render(SALES))
    summary = "".join(f"{region}={units}\n" for region, units in sorted(totals({}, SALES).items()))
    summary_path = WORKDIR / "summary.txt"
    summary_path.write_text(summary)
    with open(summary_path, "rb") as handle:
        storage.upload(BUCKET, handle, "reports/2024-q1/summary.txt")
    print("exported:", storage.list_objects(BUCKET, "reports/"))

    target = WORKDIR / "downloaded.csv"
    storage.download(BUCKET, csv_key, target)
    print("csv rows:", len(target.read_text().splitlines()) - 1)

    buffer = io.BytesIO()
    storage.download(BUCKET, "reports/2024-q1/summary.txt", buffer)
    print("summary:", buffer.getvalue().decode().split())

    with open(WORKDIR / "copy.csv", "wb") as out:
        storage.download(BUCKET, csv_key, out)
    print("copies equal:", (WORKDIR / "copy.csv").read_bytes() == target.read_bytes())


if __name__ == "__main__":
    main()
