"""Text edits for the fast path: spans from ``ast``, spliced into the original bytes.

The rules mirror what emit's LibCST rewrite prints: a removed import line goes with its
leading blank and comment lines (LibCST drops a statement line left empty, leading lines
included; the lines above a module's first statement are the module's header and stay);
imports and helpers go where placement.place says, for both paths. Layouts where LibCST's
ownership of blank and comment lines is not plain from the text (lines between a compound
statement and a removed import) raise Unsupported: the LibCST path handles them.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst

from infrar.erase import placement
from infrar.erase.ast_nodes import walked
from infrar.erase.names import UserNames
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
    for node in walked(tree):
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
    for node in walked(tree):
        for name in ("body", "orelse", "finalbody"):
            value = getattr(node, name, None)
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt) and node is not tree:
                found.append(value)
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def with_type_checking_blocks(tree: ast.Module, drop: list[ast.stmt]) -> list[ast.stmt]:
    """``drop``, where it empties an ``if TYPE_CHECKING:`` block, taking the whole ``if`` instead:
    the block held only infrar imports, and ``if TYPE_CHECKING: pass`` is a leftover."""
    dropped = {id(s) for s in drop}
    out = list(drop)
    for node in walked(tree):
        if (isinstance(node, ast.If) and not node.orelse and _is_type_checking(node.test)
                and all(id(s) in dropped for s in node.body)):
            gone = {id(s) for s in node.body}
            out = [s for s in out if id(s) not in gone] + [node]
    return out


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


def _spelled(text: Text) -> Callable[[placement.Statement], str | None]:
    def spelled(stmt: placement.Statement) -> str | None:
        assert isinstance(stmt, ast.stmt) and stmt.end_col_offset is not None
        rest = text.line(_end(stmt))[stmt.end_col_offset:].strip()
        if _start(stmt) != _end(stmt) or rest[:1] not in (b"", b"#"):
            return None
        return text.slice(*text.span(stmt))
    return spelled


def insertion(tree: ast.Module, text: Text, drop: list[ast.stmt], removed: Removed, imports: list[str],
              helpers: list[tuple[cst.BaseStatement, str]], user: UserNames) -> list[Edit]:
    """What placement adds, as text edits (emit._insert's counterpart): the user's imports that
    added ones merge into, and one insertion."""
    dropped = {id(s) for s in drop}
    body = [s for s in tree.body if id(s) not in dropped]
    for previous, stmt in itertools.pairwise(body):
        if _start(stmt) <= _end(previous):
            raise Unsupported("statements share a line")
    imports, merged = placement.merge(body, imports, user, _spelled(text))
    edits = [Edit(*text.span(body[index]), line) for index, line in merged.items()]
    where = placement.place(body, imports, [isinstance(node, cst.SimpleStatementLine) for node, _ in helpers])
    if where.empty:
        return edits
    parts = ["\n" * count + line + "\n" for count, line in where.imports]
    parts += ["\n" * count + code for count, (_node, code) in zip(where.helpers, helpers, strict=True)]
    at = where.at
    # right after the statement before, or after the module's header (what is above its first statement)
    start = _end(body[at - 1]) + 1 if at > 0 else _start(tree.body[0])
    if at < len(body):
        blank = 0
        for n in range(start, _start(body[at])):
            if n in removed.lines:
                continue
            kind = text.kind(n)
            if kind == "code":
                raise Unsupported("code between statements")
            if kind == "comment":
                break
            blank += 1
        parts.append("\n" * where.pad(blank))
    offset = text.starts[start - 1] if start - 1 < len(text.starts) else len(text.data)
    return [*edits, Edit(offset, offset, "".join(parts))]


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

