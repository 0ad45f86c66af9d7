"""A small, deterministic HCL writer for generated OpenTofu files.

Values are Python data: ``str`` (a quoted template string, ``${`` escaped), ``bool``, ``int``,
``float``, ``None`` (``null``), ``list``/``tuple``, ``dict`` (an object; keys kept in the order
given) and :class:`Expr` (an expression written verbatim: ``var.region``, ``module.x.y``).
A file is a sequence of :class:`Block` and :class:`Comment`. The layout follows ``tofu fmt``
(two-space indent, ``=`` aligned over runs of one-line attributes), so the output is stable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

__all__ = ["Block", "Comment", "Expr", "Value", "identifier", "render", "render_value"]

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Expr:
    """An HCL expression written as is (a reference, a function call)."""

    text: str


@dataclass(frozen=True)
class Comment:
    """A ``#`` comment line (or several, one per line of ``text``)."""

    text: str


Value: TypeAlias = "str | bool | int | float | Expr | Sequence[Value] | Mapping[str, Value] | None"


@dataclass(frozen=True)
class Block:
    """``type "label" ... { body }``; body items are (name, value) attributes, blocks or comments."""

    type: str
    labels: tuple[str, ...] = ()
    body: tuple[tuple[str, Value] | Block | Comment, ...] = field(default_factory=tuple)


def identifier(text: str) -> str:
    """``text`` as an HCL identifier: lowercase, non-alphanumerics to ``_``, never a leading digit."""
    name = re.sub(r"[^a-z0-9_]", "_", text.lower())
    return name if re.match(r"^[a-z_]", name) else f"_{name}"


def _string(text: str) -> str:
    escaped = json.dumps(text, ensure_ascii=False)[1:-1]
    return '"' + escaped.replace("${", "$${").replace("%{", "%%{") + '"'


def _key(key: str) -> str:
    return key if _IDENTIFIER.match(key) else _string(key)


def _is_scalar(value: Value) -> bool:
    return value is None or isinstance(value, (str, bool, int, float, Expr))


def render_value(value: Value, indent: int = 0) -> str:
    """HCL text of ``value``; nested objects and lists of objects span several lines."""
    pad = "  " * indent
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if not isinstance(value, float) or not value.is_integer() else str(int(value))
    if isinstance(value, Expr):
        return value.text
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        lines = _attribute_lines([(str(k), v) for k, v in value.items()], indent + 1, quote_keys=True)
        return "{\n" + "\n".join(lines) + f"\n{pad}}}"
    items = list(value)
    one_line = "[" + ", ".join(render_value(item) for item in items) + "]"
    if all(_is_scalar(item) and "\n" not in render_value(item) for item in items) and len(one_line) <= 80:
        return one_line
    inner = "  " * (indent + 1)
    body = "".join(f"{inner}{render_value(item, indent + 1)},\n" for item in items)
    return f"[\n{body}{pad}]"


def _attribute_lines(attributes: Sequence[tuple[str, Value]], indent: int, *, quote_keys: bool) -> list[str]:
    """Attribute lines with ``=`` aligned over each run of one-line values (as ``tofu fmt`` does)."""
    pad = "  " * indent
    rendered = [(_key(k) if quote_keys else k, render_value(v, indent)) for k, v in attributes]
    lines: list[str] = []
    run: list[tuple[str, str]] = []

    def flush() -> None:
        width = max((len(k) for k, _ in run), default=0)
        lines.extend(f"{pad}{k.ljust(width)} = {v}" for k, v in run)
        run.clear()

    for key, text in rendered:
        if "\n" in text:
            flush()
            lines.append(f"{pad}{key} = {text}")
        else:
            run.append((key, text))
    flush()
    return lines


def _block_lines(block: Block, indent: int) -> list[str]:
    pad = "  " * indent
    head = " ".join([block.type, *(_string(label) for label in block.labels)])
    if not block.body:
        return [f"{pad}{head} {{}}"]
    lines = [f"{pad}{head} {{"]
    attributes: list[tuple[str, Value]] = []
    previous_was_block = False

    def flush() -> None:
        lines.extend(_attribute_lines(attributes, indent + 1, quote_keys=False))
        attributes.clear()

    for item in block.body:
        if isinstance(item, tuple):
            if previous_was_block:
                lines.append("")
                previous_was_block = False
            attributes.append(item)
            continue
        flush()
        if isinstance(item, Comment):
            lines.extend(f"{pad}  # {text}".rstrip() for text in item.text.splitlines())
            continue
        if len(lines) > 1:
            lines.append("")
        lines.extend(_block_lines(item, indent + 1))
        previous_was_block = True
    flush()
    lines.append(f"{pad}}}")
    return lines


def render(items: Sequence[Block | Comment]) -> str:
    """A whole file: top-level blocks separated by blank lines, a final newline."""
    chunks: list[str] = []
    for item in items:
        if isinstance(item, Comment):
            chunks.append("\n".join(f"# {line}".rstrip() for line in item.text.splitlines()))
        else:
            chunks.append("\n".join(_block_lines(item, 0)))
    return "\n\n".join(chunks) + "\n"
