"""Checking project.yaml against project.schema.json, with messages a person can act on.

Each jsonschema error becomes an Issue at the line and column of the offending key or value,
saying what is wrong and how to fix it (allowed values, did-you-mean, the schema's ``x-hint``).
"""

from __future__ import annotations

import difflib
import json
import math
from functools import lru_cache
from importlib import resources
from typing import Any

from infrar.errors import MissingDependency
from infrar.infra.project_model import Issue
from infrar.infra.project_yaml import Marks, PathT, dotted, non_finite, shown, suggest

__all__ = ["SCHEMA_RESOURCE", "schema", "schema_issues"]

SCHEMA_RESOURCE = "project.schema.json"

_JSON_TYPES = {"object": "a mapping", "array": "a list", "string": "a string", "integer": "a whole number",
               "number": "a number", "boolean": "true or false", "null": "null"}


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The JSON Schema of project.yaml shipped in this package."""
    text = resources.files("infrar.infra").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _type_word(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{value!r} (true/false)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{shown(value)} ({'a string' if isinstance(value, str) else 'a number'})"


# .nan, .inf and over-long integers are checked as this number instead: larger than every bound
# of the schema and an integer, so the error jsonschema reports is the key's allowed range.
_PROBE = 10**30


def _probed(data: Any, paths: dict[PathT, float]) -> Any:
    """``data`` with the non-finite value at each of ``paths`` replaced by +/- _PROBE."""
    def replace(value: Any, path: PathT) -> Any:
        if path in paths:
            return -_PROBE if paths[path] < 0 else _PROBE
        if isinstance(value, dict):
            return {k: replace(v, (*path, str(k))) for k, v in value.items()}
        if isinstance(value, list):
            return [replace(v, (*path, i)) for i, v in enumerate(value)]
        return value
    return replace(data, ())


def _odd_problem(value: float) -> str:
    if math.isnan(value):
        return "is not a number"
    return "is too large" if value > 0 else "is too small"


def allowed_range(sub: dict[str, Any]) -> str:
    """``allowed: 10 to 16384`` (or ``> 0 and <= 16``) from a schema's bounds."""
    low = ("", sub["minimum"]) if "minimum" in sub else ("> ", sub.get("exclusiveMinimum"))
    high = ("", sub["maximum"]) if "maximum" in sub else ("< ", sub.get("exclusiveMaximum"))
    if low[1] is not None and high[1] is not None and not low[0] and not high[0]:
        return f"allowed: {low[1]:,} to {high[1]:,}"
    parts = [f"{'>=' if not low[0] else '>'} {low[1]:,}"] if low[1] is not None else []
    parts += [f"{'<=' if not high[0] else '<'} {high[1]:,}"] if high[1] is not None else []
    return "allowed: " + " and ".join(parts)


def schema_issues(data: Any, marks: Marks, file: str) -> list[Issue]:
    try:
        import jsonschema
    except ImportError as exc:
        raise MissingDependency(
            f"validating {file} needs the jsonschema package: pip install 'infrar[infra]'"
        ) from exc

    validator = jsonschema.Draft202012Validator(schema())
    issues: list[Issue] = []
    odd = non_finite(data)
    for error in validator.iter_errors(_probed(data, odd) if odd else data):
        path: PathT = tuple(error.absolute_path)
        kind, sub, value = error.validator, error.schema, error.instance
        value = odd.get(path, value)
        hint = f"; {sub['x-hint']}" if isinstance(sub, dict) and "x-hint" in sub else ""
        if kind == "additionalProperties" and isinstance(value, dict):
            allowed = list(sub.get("properties", {}))
            for key in value:
                if key not in allowed:
                    line, col = marks.at((*path, key), key=True)
                    msg = f"unknown key; {suggest(key, allowed)}"
                    issues.append(Issue(file, line, col, dotted((*path, key)), msg))
            continue
        if kind == "required":
            missing = [k for k in error.validator_value if isinstance(value, dict) and k not in value]
            for key in missing:
                line, col = marks.at(path)
                issues.append(Issue(file, line, col, dotted((*path, key)), "missing required key"))
            continue
        if "propertyNames" in error.absolute_schema_path:  # a key breaks a rule on key names
            line, col = marks.at((*path, str(value)), key=True)
            issues.append(Issue(file, line, col, dotted((*path, str(value))), f"invalid key{hint}"))
            continue
        if kind == "uniqueItems" and isinstance(value, list):  # point at each repeat, not at the list
            for index, item in enumerate(value):
                if item in value[:index]:
                    first = marks.at((*path, value.index(item)))[0]
                    line, col = marks.at((*path, index))
                    issues.append(Issue(file, line, col, dotted((*path, index)),
                                        f"{item!r} is already listed (line {first}); remove the duplicate"))
            continue
        if kind in ("enum", "const"):
            options = [str(v) for v in (error.validator_value if kind == "enum" else [error.validator_value])]
            msg = f"{shown(value)} is not allowed; allowed: {', '.join(options)}"
            close = difflib.get_close_matches(str(value), options, n=1, cutoff=0.6)
            if close and len(options) > 1:
                msg += f" (did you mean {close[0]!r}?)"
        elif kind == "type":
            wanted = error.validator_value
            wanted = wanted if isinstance(wanted, list) else [wanted]
            words = " or ".join(_JSON_TYPES.get(str(w), str(w)) for w in wanted)
            msg = f"expected {words}, got {_type_word(value)}{hint}"
        elif kind == "pattern" or (kind in ("minLength", "maxLength") and "x-hint" in sub):
            msg = f"{value!r} is not valid{hint}"
        elif kind in ("minLength", "maxLength"):
            msg = f"{value!r} is too {'short' if kind == 'minLength' else 'long'}; " \
                  f"{'at least' if kind == 'minLength' else 'at most'} {error.validator_value} characters"
        elif path in odd:
            msg = f"{shown(value)} {_odd_problem(value)}; {allowed_range(sub)}"
        elif kind in ("minimum", "exclusiveMinimum"):
            msg = f"{shown(value)} is too small; {allowed_range(sub)}"
        elif kind in ("maximum", "exclusiveMaximum"):
            msg = f"{shown(value)} is too large; {allowed_range(sub)}"
        else:  # pragma: no cover - every keyword the schema uses is handled above
            msg = error.message
        line, col = marks.at(path)
        issues.append(Issue(file, line, col, dotted(path), msg))
    reported = {(i.line, i.column) for i in issues}
    for path, value in odd.items():  # where the schema sets no bounds (env values)
        line, col = marks.at(path)
        if (line, col) not in reported:
            issues.append(Issue(file, line, col, dotted(path), f"{shown(value)} {_odd_problem(value)}; "
                                "write a finite number, or quote it to make it a string"))
    return issues
