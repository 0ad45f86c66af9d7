"""Reading cost model YAML: keys with their line and column, and checked numbers and mappings.

Shared by the implementation parser (``models``) and the per-region price tables (``regions``):
every problem is a ``CostModelError`` at ``file:line:col: key``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from infrar.errors import InfrarError
from infrar.infra.project_yaml import Loader, shown

__all__ = ["MAX_FIGURE", "CostModelError", "at", "date", "error", "mapping", "number", "source_of", "unknown_keys"]

MAX_FIGURE = 10**12  # no price or instance figure is larger; beyond it a typo, not a price


class CostModelError(InfrarError, ValueError):
    """A cost model file is malformed; the message names the file and key and the fix."""


class Source(str):
    """A cost model's file name that knows the line and column of each key (``implementations.x.prices.y``)."""

    positions: dict[str, tuple[int, int]]


def source_of(file: str, text: str) -> Source:
    source = Source(file)
    source.positions = {}
    pending: list[tuple[yaml.Node | None, str]] = [(yaml.compose(text, Loader=Loader), "")]
    while pending:
        node, path = pending.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = f"{path}.{key.value}" if path else str(key.value)
                source.positions[name] = (key.start_mark.line + 1, key.start_mark.column + 1)
                pending.append((value, name))
    return source


def at(file: str, key: str) -> str:
    """``file:line:col: key`` at the key (or the nearest enclosing one that is written), else ``file: key``."""
    positions = getattr(file, "positions", {})
    probe = key
    while probe and probe not in positions:
        probe = probe.rpartition(".")[0]
    if not probe:
        return f"{file}: {key}"
    line, column = positions[probe]
    return f"{file}:{line}:{column}: {key}"


def error(file: str, key: str, problem: str) -> CostModelError:
    return CostModelError(f"{at(file, key)}: {problem}")


def unknown_keys(data: Mapping[str, Any], allowed: Iterable[str], file: str, where: str) -> None:
    options = sorted(allowed)
    for key in data:
        if key not in options:
            close = difflib.get_close_matches(str(key), options, n=1)
            hint = f"did you mean {close[0]!r}?" if close else "allowed: " + ", ".join(options)
            raise error(file, f"{where}.{key}" if where else str(key), f"unknown key; {hint}")


def date(value: Any, file: str, key: str) -> dt.date:
    """A ``taken:`` date (YAML reads 2024-06-01 as one; a quoted one is parsed)."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            pass
    if not isinstance(value, dt.date):
        raise error(file, key, f"{value!r} is not a date; write it as YYYY-MM-DD")
    return value


def number(value: Any, file: str, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise error(file, key, f"expected a number, got {value!r}")
    if not math.isfinite(value) or value > MAX_FIGURE:
        raise error(file, key, f"{shown(value)} is out of range; allowed: 0 to {MAX_FIGURE:,}")
    if value < 0:
        raise error(file, key, f"{value!r} is negative; prices and figures are >= 0")
    return float(value)


def mapping(value: Any, file: str, key: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise error(file, key, f"expected a mapping, got {type(value).__name__}")
    return {str(k): v for k, v in value.items()}
