"""Builtins copied code reads, and which of them the user's module rebinds (``type = "daily"``,
``def open``, ``from os import *``): those the copy reads through ``from builtins import``."""

from __future__ import annotations

import builtins
import keyword
from collections.abc import Iterable
from typing import TYPE_CHECKING

import libcst as cst
from libcst.metadata import MetadataWrapper, ScopeProvider

from infrar.erase.adapters import Definition, External

if TYPE_CHECKING:
    from infrar.erase.names import UserNames


def builtin_import(name: str) -> External:
    """``from builtins import <name>``: how copied code reads a builtin the user's module rebinds."""
    return External("builtins", name, name)


_BUILTIN_READS: dict[int, tuple[cst.CSTNode, dict[int, str]]] = {}


def builtin_reads(definition: Definition) -> dict[int, str]:
    """id -> name of each Name in ``definition`` that reads a builtin (``open``, ``type``), cached per node."""
    found = _BUILTIN_READS.get(id(definition.node))
    if found is None or found[0] is not definition.node:
        statement = definition.node
        assert isinstance(statement, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
        module = cst.Module([statement])
        scope = MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider)[module]
        reads: dict[int, str] = {}
        for assignment in scope.parent.assignments if scope is not None else ():
            reads.update((id(access.node), assignment.name) for access in assignment.references
                         if isinstance(access.node, cst.Name) and id(access.node) not in definition.refs)
        found = _BUILTIN_READS[id(definition.node)] = (definition.node, reads)
    return found[1]


def builtins_read(definitions: Iterable[Definition]) -> set[str]:
    """The builtins the ``definitions`` read."""
    return {name for definition in definitions for name in builtin_reads(definition).values()}


# what a module can rebind: not True, False, None (keywords LibCST reads as names)
_BUILTIN_NAMES = frozenset(name for name in dir(builtins) if not keyword.iskeyword(name))


def rebound_builtins(user: UserNames, definitions: Iterable[Definition]) -> set[str]:
    """The builtins the copied ``definitions`` read and the user's module binds (read through
    ``from builtins import`` instead); the scopes of the copies are read only when the user
    binds a builtin's name at all."""
    bound = user.shadowing(_BUILTIN_NAMES)
    return bound & builtins_read(definitions) if bound else set()
