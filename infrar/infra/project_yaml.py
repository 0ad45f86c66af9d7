"""Reading project.yaml with the line and column of every key and value, and message helpers.

``read(text, file)`` returns the plain data (what ``yaml.safe_load`` gives) and the ``Marks`` that
locate each part of it by path, so every later check can report ``file:line:col``.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from typing import Any

import yaml

from infrar.infra.project_model import Issue, ProjectError

__all__ = ["HugeInt", "Loader", "Marks", "PathT", "dotted", "non_finite", "read", "shown", "suggest"]

PathT = tuple[str | int, ...]

# Python refuses to turn more than 4300 digits into an int (ValueError deep inside PyYAML); any
# integer this long is far outside every range project.yaml allows, so it is read as infinity
# and reported like one, with its digit count.
_MAX_DIGITS = 4000
_SHOWN_DIGITS = 15


class HugeInt(float):
    """An integer literal too long to read: +/- infinity that remembers how many digits it had."""

    digits: int

    def __new__(cls, sign: int, digits: int) -> HugeInt:
        value = super().__new__(cls, math.copysign(math.inf, sign))
        value.digits = digits
        return value


class Loader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that reads integers of any length without raising."""

    def construct_yaml_int(self, node: yaml.ScalarNode) -> Any:
        text = str(self.construct_scalar(node)).replace("_", "")
        digits = sum(ch.isdigit() for ch in text)
        if digits > _MAX_DIGITS:
            return HugeInt(-1 if text.startswith("-") else 1, digits)
        return super().construct_yaml_int(node)


Loader.add_constructor("tag:yaml.org,2002:int", Loader.construct_yaml_int)


def shown(value: Any) -> str:
    """A value for a message: long numbers by their digit count, YAML's words for nan and inf."""
    if isinstance(value, HugeInt):
        return f"{'-' if value < 0 else ''}a {value.digits}-digit number"
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else ("-.inf" if value < 0 else ".inf")
    if isinstance(value, int) and not isinstance(value, bool):
        digits = len(str(abs(value)))
        if digits > _SHOWN_DIGITS:
            return f"{'-' if value < 0 else ''}a {digits}-digit number"
    return repr(value)


def non_finite(data: Any, path: PathT = ()) -> dict[PathT, float]:
    """Every .nan, .inf and over-long integer in ``data``, by path."""
    if isinstance(data, float) and not math.isfinite(data):
        return {path: data}
    found: dict[PathT, float] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            found.update(non_finite(value, (*path, str(key))))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.update(non_finite(value, (*path, index)))
    return found


class Marks:
    """Line/column of every key and value of a composed YAML document, by path."""

    def __init__(self) -> None:
        self.key: dict[PathT, tuple[int, int]] = {}
        self.value: dict[PathT, tuple[int, int]] = {}
        self.duplicates: list[tuple[PathT, tuple[int, int]]] = []

    def walk(self, node: yaml.Node, path: PathT = ()) -> None:
        self.value[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                where = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                if key in seen:
                    self.duplicates.append(((*path, key), where))
                seen.add(key)
                self.key[(*path, key)] = where
                self.walk(value_node, (*path, key))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.key[(*path, index)] = (item.start_mark.line + 1, item.start_mark.column + 1)
                self.walk(item, (*path, index))

    def at(self, path: PathT, *, key: bool = False) -> tuple[int, int]:
        """Position of ``path`` (its key if ``key``), else of its nearest ancestor."""
        while True:
            found = (self.key if key else self.value).get(path) or self.value.get(path)
            if found is not None or not path:
                return found or (1, 1)
            path = path[:-1]


def dotted(path: Iterable[str | int]) -> str:
    """``("resources", 1, "engine")`` -> ``resources[1].engine``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def suggest(word: str, choices: Iterable[str], *, none: str = "no keys are allowed here") -> str:
    """``did you mean 'x'?`` for a close choice, else the list of choices (``none`` if empty)."""
    options = sorted(str(c) for c in choices)
    close = difflib.get_close_matches(str(word), options, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    return "allowed: " + ", ".join(options) if options else none


def read(text: str, file: str) -> tuple[Any, Marks, list[Issue]]:
    """The data of a YAML document, its marks, and its duplicate keys as issues.

    A syntax error or an empty document raises ProjectError: nothing else can be checked.
    """
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "invalid YAML"
        raise ProjectError([Issue(file, line, col, "(yaml)", f"{problem}; fix the YAML syntax")]) from exc
    finally:
        loader.dispose()
    if data is None or node is None:
        raise ProjectError([Issue(file, 1, 1, "(top level)",
                                  "the file is empty; declare at least capabilities: or resources:")])
    marks = Marks()
    marks.walk(node)
    duplicates = [Issue(file, line, col, dotted(p), "duplicate key; each key may appear once per mapping")
                  for p, (line, col) in marks.duplicates]
    return data, marks, duplicates
