"""GCP only: protect audit records with a bucket retention period.

Covers: a provider-only feature (`import infrar.gcp.storage as gcs`,
gcs.set_retention_period) next to the portable API. Erasing this program for aws or azure fails.
"""

import os

import infrar.gcp.storage as gcs
from infrar.storage import iter_objects, write_bytes

BUCKET = os.environ["APP_BUCKET"]
ONE_DAY = 24 * 3600


def main() -> None:
    gcs.set_retention_period(BUCKET, ONE_DAY)
    print("retention set to", ONE_DAY, "seconds")
    for day in ("mon", "tue", "wed"):
        write_bytes(BUCKET, f"audit/{day}.log", f"audit log for {day}\n".encode())
    for info in iter_objects(BUCKET, "audit/"):
        print(info.key, info.size)


if __name__ == "__main__":
    main()
