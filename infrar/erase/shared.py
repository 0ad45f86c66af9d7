"""The erased tree's private module: what several modules copy, written once for all of them.

When two or more modules of a tree need copied definitions, the union of them goes into one
private module (``_cloud.py`` at the tree's root) and every module imports what it uses from
there: the machinery (clients, checks, error translation) exists once, so the process builds
one client per service, not one per module; and the error classes exist once, so an
``except NotFound`` in one module catches the NotFound another module's code raised, as it
did at run time. The definitions get names that no module of the tree uses, so each module
imports them under the same name; error classes keep their own (``NotFound``, ``ServiceError``).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable
from pathlib import PurePosixPath

import libcst as cst

from infrar.erase.adapters import Code, Library
from infrar.erase.catalog import ERRORS_MODULE, Catalog
from infrar.erase.names import Namer, UserNames, native_error_name, render
from infrar.erase.reach import closure
from infrar.errors import BUILTIN_OF

_DOC = '"""What this program\'s cloud calls share: clients, checks and errors (each error is also its builtin)."""\n'
BASE = "_cloud"


def module_name(existing: set[str]) -> str:
    """``_cloud``, or ``_cloud_2`` ... if the tree already has a file or package of that name."""
    name, n = BASE, 2
    while f"{name}.py" in existing or any(p.startswith(f"{name}/") for p in existing):
        name, n = f"{BASE}_{n}", n + 1
    return name


def import_path(rel: str, name: str, package_root: bool) -> str:
    """How the module at ``rel`` imports ``name``: relative inside a package, else absolute
    (the tree's root is on sys.path when its programs run from there)."""
    if not package_root:
        return name
    depth = len(PurePosixPath(rel).parts) - 1
    return "." * (depth + 1) + name


def reserved_names(source: bytes, catalog: Catalog) -> set[str]:
    """The names a module binds or reads, other than those it binds by importing infrar (erase
    removes those imports and rewrites every use): a shared definition named like one of them
    would be shadowed by it, or shadow it, where the module imports the definition."""
    tree = ast.parse(source)
    bound: set[str] = set()
    loads: set[str] = set()
    ours: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loads if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            bound.update(node.names)
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            bound.add(node.rest)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.asname or alias.name.partition(".")[0]
                (ours if catalog.is_ours(alias.name) else bound).add(name)
        elif isinstance(node, ast.ImportFrom):
            infrar = not node.level and node.module is not None and catalog.is_ours(node.module)
            for alias in node.names:
                (ours if infrar else bound).add(alias.asname or alias.name)
    return bound | (loads - ours)


def _grouped(lines: list[str]) -> list[str]:
    """Import lines as isort groups them: the standard library, then everything else."""
    def stdlib(line: str) -> bool:
        return line.split()[1].partition(".")[0] in sys.stdlib_module_names

    groups = [[line for line in lines if stdlib(line)], [line for line in lines if not stdlib(line)]]
    return ["\n".join(group) for group in groups if group]


def module_text(library: Library, codes: Iterable[Code], reserved: set[str]) -> tuple[bytes, dict[Code, str]]:
    """The shared module holding ``codes`` (with what they reach and every error class), and
    the name each definition has there; no definition takes a name in ``reserved``."""
    errors = [Code(ERRORS_MODULE, name) for name in BUILTIN_OF]
    ordered, externals = closure(library, [*errors, *codes])
    definitions = [library.definition(code) for code in ordered]
    fixed = {code: native_error_name(code.name) for code in errors}
    namer = Namer(UserNames(), ordered, externals, definitions, fixed, reserved, public=True)
    module = cst.Module([])
    parts = [_DOC]
    parts += [f"\n{group}\n" for group in _grouped(namer.import_lines(externals))]
    previous_simple = False
    for definition in definitions:
        node = render(definition, namer)
        simple = isinstance(node, cst.SimpleStatementLine)
        text = module.code_for_node(node).strip("\n")
        parts.append(("" if simple and previous_simple else "\n\n") + text + "\n")
        previous_simple = simple
    names = {code: namer.name(code) for code in ordered}
    return "".join(parts).encode("utf-8"), names
