"""The erased tree's private errors module: one set of error classes for every module.

An ``except NotFound`` in one module must catch the NotFound another module's erased code
raises, as it did at run time, so a tree in which several modules need the classes gets them
from one private module (``_errors.py`` at its root) instead of a copy each.
"""

from __future__ import annotations

from pathlib import PurePosixPath

import libcst as cst

from infrar.erase.adapters import Code, Library
from infrar.erase.catalog import ERRORS_MODULE
from infrar.erase.emit import closure
from infrar.erase.names import Namer, UserNames, render
from infrar.errors import BUILTIN_OF

_DOC = '"""Errors the cloud calls of this program raise; each is also the builtin it names."""\n'


def module_name(existing: set[str]) -> str:
    """``_errors``, or ``_errors_2`` ... if the tree already has a file or package of that name."""
    name, n = "_errors", 2
    while f"{name}.py" in existing or any(p.startswith(f"{name}/") for p in existing):
        name, n = f"_errors_{n}", n + 1
    return name


def import_path(rel: str, name: str, package_root: bool) -> str:
    """How the module at ``rel`` imports ``name``: relative inside a package, else absolute
    (the tree's root is on sys.path when its programs run from there)."""
    if not package_root:
        return name
    depth = len(PurePosixPath(rel).parts) - 1
    return "." * (depth + 1) + name


def module_text(library: Library) -> bytes:
    roots = [Code(ERRORS_MODULE, name) for name in BUILTIN_OF]
    codes, _externals = closure(library, roots)
    definitions = [library.definition(code) for code in codes]
    namer = Namer(UserNames(), codes, [], definitions)
    module = cst.Module([])
    classes = [module.code_for_node(render(d, namer)) for d in definitions]
    return (_DOC + "".join(f"\n\n{text.strip()}\n" for text in classes)).encode("utf-8")
