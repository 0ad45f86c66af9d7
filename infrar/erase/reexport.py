"""Names one module of the tree binds by importing infrar and another imports from it.

Erase removes the infrar import from the first module, so ``from lib import storage`` (or
``Missing``, an alias of an infrar error class) would fail with ImportError in the erased
tree: it is refused at erase time instead, where the import is.
"""

from __future__ import annotations

import ast
from pathlib import PurePosixPath

from infrar.erase import report
from infrar.erase.catalog import Catalog
from infrar.erase.report import Diagnostic


def module_of(rel: str, package: str | None) -> str:
    """The dotted module name of the file at ``rel`` (prefixed when SRC itself is a package)."""
    parts = list(PurePosixPath(rel).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join([package, *parts] if package else parts)


def infrar_bindings(tree: ast.Module, catalog: Catalog) -> dict[str, str]:
    """Module-level names bound by an infrar import -> what they import."""
    found: dict[str, str] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if catalog.is_ours(alias.name):
                    found[alias.asname or alias.name.partition(".")[0]] = alias.name
        elif isinstance(stmt, ast.ImportFrom) and not stmt.level and stmt.module and catalog.is_ours(stmt.module):
            for alias in stmt.names:
                found[alias.asname or alias.name] = f"{stmt.module}.{alias.name}"
    return found


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    base = parts[: len(parts) - node.level + (1 if is_package else 0)]
    return ".".join([*base, node.module] if node.module else base)


def check(files: dict[str, tuple[str, ast.Module]], exported: dict[str, dict[str, str]],
          package: str | None) -> list[Diagnostic]:
    """Diagnostics for every ``from <tree module> import <infrar-bound name>``.

    ``files``: rel -> (name shown to the user, its parsed tree); ``exported``: module ->
    its infrar_bindings.
    """
    found: list[Diagnostic] = []
    for rel, (shown, tree) in sorted(files.items()):
        module = module_of(rel, package)
        is_package = rel.endswith("__init__.py")
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom):
                continue
            source = _absolute(node, module, is_package)
            names = exported.get(source, {})
            for alias in node.names:
                target = names.get(alias.name)
                if target is None:
                    continue
                found.append(Diagnostic(
                    shown, node.lineno, node.col_offset + 1, report.REEXPORT,
                    f"'{alias.name}' is imported from {source}, which binds it by importing {target}; "
                    f"erase removes that import, so this line would raise ImportError",
                    f"import it from infrar where it is used: '{_spelling(target, alias.asname or alias.name)}'",
                ))
    return found


def _spelling(target: str, bound: str) -> str:
    module, _, name = target.rpartition(".")
    suffix = "" if name == bound else f" as {bound}"
    return f"from {module} import {name}{suffix}" if module else f"import {target}{suffix}"
