"""The values a cache holds: one set for every provider."""

from __future__ import annotations

from typing import Any

Value = str | bytes | int | float | bool | list[Any] | dict[str, Any]
