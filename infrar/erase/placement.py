"""Where erase puts what it adds to a module, and the blank lines around it.

The imports the copied code needs go after the module's leading docstring and imports
(standard library first, then the rest), the copied definitions after them. Both paths
follow these rules: emit (LibCST nodes) and layout (the fast path's text spans) only
measure the module and render the result, so they cannot drift apart. The statement
predicates take either tree because the fast path must see a module exactly as LibCST does.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from infrar.erase.scan import Unsupported

Statement = ast.stmt | cst.BaseStatement


def is_import(stmt: Statement) -> bool:
    """An import statement (LibCST: a line of nothing but imports)."""
    if isinstance(stmt, ast.stmt):
        return isinstance(stmt, (ast.Import, ast.ImportFrom))
    return isinstance(stmt, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
    )


def is_docstring(stmt: Statement) -> bool:
    """A statement that is one string literal, implicitly concatenated ones included."""
    if isinstance(stmt, ast.stmt):
        value = stmt.value if isinstance(stmt, ast.Expr) else None
        if isinstance(value, ast.JoinedStr):
            # ast merges "a" f"b" into one f-string: LibCST's answer is not visible from here
            raise Unsupported("an f-string where LibCST may see a docstring")
        return isinstance(value, ast.Constant) and isinstance(value.value, (str, bytes))
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def is_stdlib(line: str) -> bool:
    """Whether an ``import x`` / ``from x import y`` line imports from the standard library."""
    root = line.split()[1].partition(".")[0]
    return root in sys.stdlib_module_names or root == "__future__"


@dataclass(frozen=True)
class Placement:
    at: int  # index into the module's body: what is added goes before this statement
    imports: tuple[tuple[int, str], ...]  # (blank lines above, import line), in order
    helpers: tuple[int, ...]  # blank lines above each helper, in order
    need: int  # blank lines the statement at ``at`` must have above it afterwards

    @property
    def empty(self) -> bool:
        return not self.imports and not self.helpers

    def pad(self, blank: int) -> int:
        """Blank lines to add above the statement at ``at``, which has ``blank`` of them."""
        return max(0, self.need - blank)


def place(body: Sequence[Statement], imports: Sequence[str], simple: Sequence[bool]) -> Placement:
    """Where ``imports`` and helpers go in ``body`` (the module's statements once erased).

    ``simple`` says, per helper, whether it is a simple statement line (a constant): runs of
    those stay together, anything else is separated by two blank lines as PEP 8 asks.
    """
    at = 0
    while at < len(body) and (is_import(body[at]) or (at == 0 and is_docstring(body[at]))):
        at += 1
    after_docstring = at > 0 and not is_import(body[at - 1])
    groups = [g for g in ([i for i in imports if is_stdlib(i)], [i for i in imports if not is_stdlib(i)]) if g]
    placed: list[tuple[int, str]] = []
    for group_index, group in enumerate(groups):
        for i, line in enumerate(group):
            separate = i == 0 and (group_index > 0 or after_docstring)
            placed.append((1 if separate else 0, line))
    helpers: list[int] = []
    for i, is_simple in enumerate(simple):
        if i == 0:
            helpers.append(2 if (placed or at > 0) else 0)
        else:
            helpers.append(0 if is_simple and simple[i - 1] else 2)
    # the statement at ``at`` is never an import: the loop above took them all
    return Placement(at, tuple(placed), tuple(helpers), 2 if helpers else 1)
