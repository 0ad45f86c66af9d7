"""Public API of the example key-value plugin: dispatched exactly like infrar.storage."""

from __future__ import annotations

from typing import Any

from infrar.dispatch import adapter as _adapter


def put(table: str, key: str, value: Any) -> None:
    """Store a JSON-serialisable ``value`` under ``key`` in ``table``."""
    _adapter("kv").put(table, key, value)


def get(table: str, key: str) -> Any:
    """The value stored under ``key``; NotFound if there is none."""
    return _adapter("kv").get(table, key)
