"""The example plugin's local adapter: one JSON file per table under INFRAR_LOCAL_ROOT/kv."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from infrar.errors import InvalidArgument, NotFound


def _table_file(table: str) -> Path:
    if not table.isidentifier():
        raise InvalidArgument(f"table name {table!r} must be a Python identifier, e.g. 'sessions'")
    return Path(os.environ.get("INFRAR_LOCAL_ROOT") or ".infrar") / "kv" / f"{table}.json"


def _read_table(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


class LocalKv:
    def put(self, table: str, key: str, value: Any) -> None:
        path = _table_file(table)
        data = _read_table(path)
        data[key] = value
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_suffix(".tmp")
        temp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
        os.replace(temp, path)

    def get(self, table: str, key: str) -> Any:
        data = _read_table(_table_file(table))
        if key not in data:
            raise NotFound(f"key {key!r} not found in table {table!r}")
        return data[key]
