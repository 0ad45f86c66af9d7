"""Where erase puts what it adds to a module, and the blank lines around it.

The imports the copied code needs go after the module's leading docstring and imports
(standard library first, then the rest), the copied definitions after them; an added
``from M import ...`` joins the user's own plain one from M instead (merge). Both paths
follow these rules: emit (LibCST nodes) and layout (the fast path's text spans) only
measure the module and render the result, so they cannot drift apart. The statement
predicates take either tree because the fast path must see a module exactly as LibCST does.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import libcst as cst

from infrar.erase.names import UserNames
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


def _leading(body: Sequence[Statement]) -> int:
    """How many statements the module's leading docstring and imports take."""
    at = 0
    while at < len(body) and (is_import(body[at]) or (at == 0 and is_docstring(body[at]))):
        at += 1
    return at


def _plain_from(text: str, user: UserNames) -> tuple[str, list[str]] | None:
    """(module, names) if ``text`` is exactly ``from M import a, b`` as erase writes it (absolute,
    no alias, one line) and each name it binds means only that import in the module."""
    try:
        stmt = ast.parse(text).body[0]
    except SyntaxError:
        return None
    if not isinstance(stmt, ast.ImportFrom) or stmt.level or stmt.module is None:
        return None
    names = [alias.name for alias in stmt.names]
    if any(alias.asname for alias in stmt.names) or text != f"from {stmt.module} import {', '.join(names)}":
        return None
    if not all(user.compatible(name, ("from", stmt.module, name)) for name in names):
        return None
    return stmt.module, names


def merge(body: Sequence[Statement], imports: Sequence[str], user: UserNames,
          spelled: Callable[[Statement], str | None]) -> tuple[list[str], dict[int, str]]:
    """Fold each added ``from M import ...`` line into the user's own plain import from M among
    the module's leading imports. ``spelled`` gives a statement's text when it is alone on its
    line. Returns the lines still to add and the new text of each user import (by index in body).
    """
    found: dict[str, tuple[int, list[str]]] = {}
    for index in range(_leading(body)):
        text = spelled(body[index]) if is_import(body[index]) else None
        plain = _plain_from(text, user) if text else None
        if plain is not None and plain[0] not in found:
            found[plain[0]] = (index, plain[1])
    left: list[str] = []
    merged: dict[int, str] = {}
    for line in imports:
        module, _, added = line.removeprefix("from ").partition(" import ")
        if not line.startswith("from ") or "(" in added or module not in found:
            left.append(line)
            continue
        index, names = found[module]
        new = [*names, *added.split(", ")]
        if names == sorted(names, key=str.lower):
            new.sort(key=str.lower)
        text = f"from {module} import {', '.join(new)}"
        if len(text) > 99:
            left.append(line)
            continue
        merged[index] = text
    return left, merged


def place(body: Sequence[Statement], imports: Sequence[str], simple: Sequence[bool]) -> Placement:
    """Where ``imports`` and helpers go in ``body`` (the module's statements once erased).

    ``simple`` says, per helper, whether it is a simple statement line (a constant): runs of
    those stay together, anything else is separated by two blank lines as PEP 8 asks.
    """
    at = _leading(body)
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
