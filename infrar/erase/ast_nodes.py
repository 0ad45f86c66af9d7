"""Every node of a module's ``ast``, listed once: the fast path's passes (layout, constants,
refused forms) each read all of them, and ``ast.walk`` is a Python generator, so walking the
same tree five times cost a fifth of a file's erase."""

from __future__ import annotations

import ast

_last: tuple[ast.AST, list[ast.AST]] | None = None  # the module erased now (one at a time per process)


def walked(tree: ast.AST) -> list[ast.AST]:
    """``list(ast.walk(tree))``, kept for the last tree asked about."""
    global _last
    if _last is None or _last[0] is not tree:
        _last = (tree, list(ast.walk(tree)))
    return _last[1]
