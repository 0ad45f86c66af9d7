"""Text edits for the fast path: spans from ``ast``, spliced into the original bytes.

The rules mirror what emit's LibCST rewrite prints: a removed import line goes with its
leading blank and comment lines (LibCST drops a statement line left empty, leading lines
included; the lines above a module's first statement are the module's header and stay);
helpers go after the module's leading imports (emit._insert). Layouts where LibCST's
ownership of blank and comment lines is not plain from the text (lines between a compound
statement and a removed import) raise Unsupported: the LibCST path handles them.
"""

from __future__ import annotations

import ast
import itertools
import sys
from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst

from infrar.erase.scan import Unsupported


@dataclass
class Edit:
    start: int  # byte offsets into the source
    end: int
    text: str
    build: Callable[[str], str] | None = None  # text from the span's text after inner edits


class Text:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.starts = [0]
        at = data.find(b"\n")
        while at != -1:
            self.starts.append(at + 1)
            at = data.find(b"\n", at + 1)

    def offset(self, line: int, col: int) -> int:
        return self.starts[line - 1] + col  # ast columns are UTF-8 byte offsets

    def span(self, node: ast.AST) -> tuple[int, int]:
        n: ast.expr = node  # type: ignore[assignment]
        assert n.end_lineno is not None and n.end_col_offset is not None
        return self.offset(n.lineno, n.col_offset), self.offset(n.end_lineno, n.end_col_offset)

    def slice(self, start: int, end: int) -> str:
        return self.data[start:end].decode("utf-8")

    def line(self, number: int) -> bytes:
        return self.data[self.starts[number - 1]:self.starts[number]]

    def kind(self, number: int) -> str:
        stripped = self.line(number).strip()
        return "blank" if not stripped else "comment" if stripped.startswith(b"#") else "code"

    def parenthesised(self, start: int, end: int, owner: int) -> bool:
        """Whether parentheses other than the ones at ``owner`` (a parent call's) enclose the span."""
        before = start - 1
        while before >= 0 and self.data[before] in b" \t\f\\\n":
            if self.data[before] == 10 and b"#" in self.data[self.data.rfind(b"\n", 0, before) + 1:before]:
                raise Unsupported("comment before a call")
            before -= 1
        after = end
        while after < len(self.data) and self.data[after] in b" \t\f\\\n#":
            if self.data[after] == 35:  # a comment: skip to its line's end
                after = self.data.index(b"\n", after)
            after += 1
        opens = before >= 0 and self.data[before] == 40
        closes = after < len(self.data) and self.data[after] == 41
        return opens and closes and before != owner


def default_indent(tree: ast.Module, text: Text) -> str:
    """LibCST's Module.default_indent: the indentation of the first indented block."""
    first: tuple[int, str] | None = None
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and node.col_offset > 0:
            prefix = text.line(node.lineno)[:node.col_offset]
            if not prefix.strip() and (first is None or node.lineno < first[0]):
                first = (node.lineno, prefix.decode("utf-8"))
    return "    " if first is None else first[1]


def _start(stmt: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(stmt, "decorator_list", None) or []
    return min([stmt.lineno, *(d.lineno for d in decorators)])


def _end(stmt: ast.stmt) -> int:
    assert stmt.end_lineno is not None
    return stmt.end_lineno


def _blocks(tree: ast.Module) -> list[list[ast.stmt]]:
    found: list[list[ast.stmt]] = [tree.body]
    for node in ast.walk(tree):
        for name in ("body", "orelse", "finalbody"):
            value = getattr(node, name, None)
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt) and node is not tree:
                found.append(value)
    return found


@dataclass
class Removed:
    edits: list[Edit]
    lines: set[int]  # line numbers deleted


def removals(tree: ast.Module, text: Text, drop: list[ast.stmt]) -> Removed:
    dropped = {id(s) for s in drop}
    lines: set[int] = set()
    for block in _blocks(tree) if dropped else []:
        gone = [i for i, s in enumerate(block) if id(s) in dropped]
        if not gone:
            continue
        if len(gone) == len(block):
            raise Unsupported("a block would be left empty")
        for i in gone:
            stmt = block[i]
            first, last = _start(stmt), _end(stmt)
            assert stmt.end_col_offset is not None
            rest = text.line(last)[stmt.end_col_offset:].strip()
            if text.line(first)[:stmt.col_offset].strip() or rest[:1] not in (b"", b"#"):
                raise Unsupported("an import shares its line")
            above = first - 1
            while above >= 1 and text.kind(above) != "code":
                above -= 1
            if i == 0 and block is tree.body:
                # LibCST keeps every line above a module's first statement as Module.header
                lines.update(range(first, last + 1))
                continue
            if i > 0:
                previous = block[i - 1]
                if above != _end(previous) or (hasattr(previous, "body") and above + 1 < first):
                    raise Unsupported("lines after a compound statement")
            # LibCST drops a statement line left empty with its leading lines, comments too
            lines.update(range(above + 1, last + 1))
    edits = [Edit(text.starts[n - 1], text.starts[n], "") for n in sorted(lines)]
    return Removed(edits, lines)


def _is_import(stmt: ast.stmt) -> bool:
    return isinstance(stmt, (ast.Import, ast.ImportFrom))


def _is_docstring(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.JoinedStr):
        raise Unsupported("an f-string where LibCST may see a docstring")
    return (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, (str, bytes)))


def insertion(tree: ast.Module, text: Text, drop: list[ast.stmt], removed: Removed, imports: list[str],
              helpers: list[tuple[cst.BaseStatement, str]]) -> Edit | None:
    """emit._insert as a text insertion: imports after the leading imports, then helpers."""
    dropped = {id(s) for s in drop}
    body = [s for s in tree.body if id(s) not in dropped]
    for previous, stmt in itertools.pairwise(body):
        if _start(stmt) <= _end(previous):
            raise Unsupported("statements share a line")
    at = 0
    while at < len(body) and (_is_import(body[at]) or (at == 0 and _is_docstring(body[at]))):
        at += 1
    if not imports and not helpers:
        return None
    parts: list[str] = []
    stdlib = [line for line in imports if _is_stdlib(line)]
    other = [line for line in imports if not _is_stdlib(line)]
    after_docstring = at > 0 and not _is_import(body[at - 1])
    for group_index, group in enumerate(g for g in (stdlib, other) if g):
        for i, line in enumerate(group):
            separate = (i == 0) and (group_index > 0 or after_docstring)
            parts.append(("\n" if separate else "") + line + "\n")
    previous_simple: bool | None = None
    for node, code in helpers:
        simple = isinstance(node, cst.SimpleStatementLine)
        if previous_simple is None:
            count = 2 if (parts or at > 0) else 0
        else:
            count = 0 if simple and previous_simple else 2
        parts.append("\n" * count + code)
        previous_simple = simple
    # right after the statement before, or after the module's header (what is above its first statement)
    where = _end(body[at - 1]) + 1 if at > 0 else _start(tree.body[0])
    if at < len(body):
        nxt = body[at]
        blank = 0
        for n in range(where, _start(nxt)):
            if n in removed.lines:
                continue
            kind = text.kind(n)
            if kind == "code":
                raise Unsupported("code between statements")
            if kind == "comment":
                break
            blank += 1
        need = 2 if helpers else (1 if not _is_import(nxt) else 0)
        parts.append("\n" * max(0, need - blank))
    offset = text.starts[where - 1] if where - 1 < len(text.starts) else len(text.data)
    return Edit(offset, offset, "".join(parts))


def apply(text: Text, edits: list[Edit]) -> str:
    ordered = sorted(edits, key=lambda e: (e.start, e.start != e.end, -e.end))
    return _splice(text, 0, len(text.data), ordered)


def _splice(text: Text, start: int, end: int, edits: list[Edit]) -> str:
    parts: list[str] = []
    pos = start
    i = 0
    while i < len(edits):
        edit = edits[i]
        if edit.start < pos or edit.end > end:
            raise Unsupported("overlapping edits")
        parts.append(text.slice(pos, edit.start))
        j = i + 1
        while j < len(edits) and edits[j].start < edit.end:
            j += 1
        inner = edits[i + 1:j]
        if edit.build is not None:
            parts.append(edit.build(_splice(text, edit.start, edit.end, inner)))
        elif inner:
            raise Unsupported("an edit inside a replaced name")
        else:
            parts.append(edit.text)
        pos = edit.end
        i = j
    parts.append(text.slice(pos, end))
    return "".join(parts)


def _is_stdlib(line: str) -> bool:
    root = line.split()[1].partition(".")[0]
    return root in sys.stdlib_module_names or root == "__future__"
