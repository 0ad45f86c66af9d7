"""Names one module of the tree binds by importing infrar and another imports from it.

Erase removes the infrar import from the first module, so ``from lib import storage`` (or
``Missing``, an alias of an infrar error class) would fail with ImportError in the erased
tree, ``import lib`` then ``lib.storage`` with AttributeError, ``from lib import *`` with
NameError where ``storage`` is used, and ``__all__ = ["storage"]`` in lib makes every star
import of lib fail: each is refused at erase time instead, where it is written.
"""

from __future__ import annotations

import ast
import collections
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from infrar.erase import report
from infrar.erase.catalog import Catalog
from infrar.erase.report import Diagnostic

_WORD = re.compile(rb"[A-Za-z_]\w*")
_RELATIVE = re.compile(rb"\bfrom[ \t]+\.")


def in_tree(source: Path, texts: dict[str, bytes], modules: dict[str, bytes], catalog: Catalog,
            show: Callable[[Path, str], str]) -> list[Diagnostic]:
    """The refusals of the directory tree ``source``: ``texts`` are its files that mention infrar,
    ``modules`` every Python file's text; ``show`` gives a file's name as the user is shown it."""
    package = source.name if (source / "__init__.py").is_file() else None
    files = {rel: data for rel, data in modules.items() if rel in texts or rel.endswith(".py")}
    # Only a module another file names can be imported from, and only a file naming one can
    # import it: the rest need no parse (most files of a tree never mention infrar).
    # A relative import (``from . import storage``) names no module: a package's __init__ always
    # counts as named, and a file importing relatively as naming it.
    words = {rel: set(_WORD.findall(data)) for rel, data in files.items()}
    naming = collections.Counter(word for found in words.values() for word in found)
    short = {rel: module_of(rel, package).rpartition(".")[2].encode() for rel in texts}
    named = {rel for rel, name in short.items()
             if not name or rel.endswith("__init__.py") or naming[name] > (name in words[rel])}
    names = {short[rel] for rel in named}
    parsed: dict[str, tuple[str, ast.Module]] = {}
    for rel, data in files.items():
        if rel in named or b"" in names or words[rel] & names or _RELATIVE.search(data):
            try:
                parsed[rel] = (show(source, rel), ast.parse(data))
            except (SyntaxError, ValueError):
                continue  # reported by the file's own erase, or copied as it is
    exported = {module_of(rel, package): infrar_bindings(parsed[rel][1], catalog)
                for rel in named if rel in parsed}
    if not any(exported.values()):
        return []
    return check(parsed, exported, package)


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
    """Diagnostics for every use from another module of a name a tree module binds by
    importing infrar: ``from m import name``, ``from m import *``, ``m.name`` after
    ``import m``, and the name listed in m's own ``__all__``.

    ``files``: rel -> (name shown to the user, its parsed tree); ``exported``: module ->
    its infrar_bindings.
    """
    found: list[Diagnostic] = []
    for rel, (shown, tree) in sorted(files.items()):
        module = module_of(rel, package)
        is_package = rel.endswith("__init__.py")
        found += _listed(shown, tree, exported.get(module, {}))
        modules: dict[str, str] = {}  # local name -> tree module it is bound to
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    local = alias.asname or alias.name.partition(".")[0]
                    modules[local] = alias.name if alias.asname else local
            elif isinstance(node, ast.ImportFrom):
                source = _absolute(node, module, is_package)
                found += _from_import(shown, node, source, exported.get(source, {}))
                for alias in node.names:
                    if f"{source}.{alias.name}" in exported:
                        modules[alias.asname or alias.name] = f"{source}.{alias.name}"
        found += _attributes(shown, tree, modules, exported)
    return found


def _from_import(shown: str, node: ast.ImportFrom, source: str, names: dict[str, str]) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for alias in node.names:
        starred = {n: t for n, t in names.items() if not n.startswith("_")}  # __all__ is refused apart
        if alias.name == "*" and starred:
            listed = ", ".join(sorted(starred))
            found.append(Diagnostic(
                shown, node.lineno, node.col_offset + 1, report.REEXPORT,
                f"'from {source} import *' would bring {listed}, which {source} binds by importing infrar; "
                "erase removes those imports, so the names would be unbound here",
                "import each infrar name from infrar where it is used, e.g. "
                f"'{_spelling(*sorted(starred.items())[0][::-1])}'",
            ))
            continue
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


def _dotted(node: ast.expr) -> list[str] | None:
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return None if head is None else [*head, node.attr]
    return None


def _attributes(shown: str, tree: ast.Module, modules: dict[str, str],
                exported: dict[str, dict[str, str]]) -> list[Diagnostic]:
    """``lib.storage`` (``import lib``, ``import pkg.lib``, ``from pkg import lib`` ...)."""
    found: list[Diagnostic] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        parts = _dotted(node.value)
        if parts is None or parts[0] not in modules:
            continue
        owner = ".".join([modules[parts[0]], *parts[1:]])
        target = exported.get(owner, {}).get(node.attr)
        if target is None:
            continue
        found.append(Diagnostic(
            shown, node.lineno, node.col_offset + 1, report.REEXPORT,
            f"'{'.'.join(parts)}.{node.attr}' is {target}, bound in {owner} by importing it; erase removes "
            "that import, so this would raise AttributeError",
            f"import it from infrar here: '{_spelling(target, node.attr)}'",
        ))
    return found


def _listed(shown: str, tree: ast.Module, names: dict[str, str]) -> list[Diagnostic]:
    """Names of ``__all__`` that the module binds by importing infrar."""
    found: list[Diagnostic] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign)) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        else:
            continue
        if not any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            continue
        for element in ast.walk(value):
            if isinstance(element, ast.Constant) and element.value in names:
                found.append(Diagnostic(
                    shown, element.lineno, element.col_offset + 1, report.REEXPORT,
                    f"__all__ lists '{element.value}', bound here by importing {names[element.value]}; "
                    "erase removes that import, so 'from ... import *' of this module would raise AttributeError",
                    f"remove '{element.value}' from __all__; modules that need it import it from infrar",
                ))
    return found


def _spelling(target: str, bound: str) -> str:
    module, _, name = target.rpartition(".")
    suffix = "" if name == bound else f" as {bound}"
    return f"from {module} import {name}{suffix}" if module else f"import {target}{suffix}"
