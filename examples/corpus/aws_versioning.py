"""AWS only: keep every version of a settings document by turning on S3 versioning.

Covers: a provider-only feature (`from infrar.aws import s3`, s3.enable_versioning) next to the
portable API (`from infrar import storage`). Erasing this program for gcp or azure fails.
"""

import os

from infrar import storage
from infrar.aws import s3

BUCKET = os.environ["APP_BUCKET"]


def main() -> None:
    s3.enable_versioning(BUCKET)
    print("versioning enabled")
    for revision in range(1, 4):
        storage.write_bytes(BUCKET, "settings.json", f'{{"revision": {revision}}}'.encode())
    print("latest:", storage.read_bytes(BUCKET, "settings.json").decode())
    print("one key listed:", storage.list_objects(BUCKET) == ["settings.json"])
    storage.delete(BUCKET, "settings.json")
    print("deleted; exists:", storage.exists(BUCKET, "settings.json"))


if __name__ == "__main__":
    main()
