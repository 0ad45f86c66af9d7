"""Config loader that fails loudly: the service reads its settings from the bucket and, when a
required file is absent, lets the NotFound propagate so the process exits with a traceback.

Covers: imports inside a function (`from infrar.storage import read_bytes, write_bytes`), an
optional file handled with `except FileNotFoundError`, and a program that deliberately ends
with an uncaught infrar error (NotFound; FileNotFoundError once erased).
"""

import json
import os

BUCKET = os.environ["APP_BUCKET"]


def load(name: str, required: bool = True) -> dict:
    from infrar.storage import read_bytes

    try:
        return json.loads(read_bytes(BUCKET, f"config/{name}.json"))
    except FileNotFoundError:
        if required:
            raise
        return {}


def main() -> None:
    from infrar.storage import write_bytes

    write_bytes(BUCKET, "config/base.json", json.dumps({"workers": 4, "region": "eu"}).encode())
    base = load("base")
    print("base:", sorted(base.items()))
    overrides = load("overrides", required=False)
    print("overrides:", overrides)
    print("loading secrets (required, absent)...", flush=True)
    secrets = load("secrets")
    print("never printed", secrets)


if __name__ == "__main__":
    main()
