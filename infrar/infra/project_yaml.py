"""Reading project.yaml with the line and column of every key and value, and message helpers.

``read(text, file)`` returns the plain data (what ``yaml.safe_load`` gives) and the ``Marks`` that
locate each part of it by path, so every later check can report ``file:line:col``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

import yaml

from infrar.infra.project_model import Issue, ProjectError

__all__ = ["Marks", "PathT", "dotted", "read", "suggest"]

PathT = tuple[str | int, ...]


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
    loader = yaml.SafeLoader(text)
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
