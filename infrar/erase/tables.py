"""Cut a copied error table to the codes the program's calls can meet.

An errors module declares, in ``ERASE_TIME_TABLES``, the codes of a table that only some of the
copied functions meet, with those functions::

    ERASE_TIME_TABLES = {"_MEANINGS": {"NoSuchKey NoSuchVersion": "storage:S3Storage.read_bytes ..."}}

(each function as ``module:name``, the module relative to the errors module's package). Where a
program reaches none of a code's functions, the copy leaves the code out: from a string of
codes (``"NoSuchKey NoSuchVersion HTTP404"``), a row whose string of codes is then empty, and a
dict entry keyed by the code. The declaration is the adapter author's word that no other copied
call can meet the code (docs/adapters.md, contract 8); tests/erase/test_tables.py checks that
each named function and code exists.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from typing import Any, TypeVar

import libcst as cst

from infrar.erase.adapters import Code, Definition, Library, Target
from infrar.erase.inline import node_ids
from infrar.erase.reach import closure

_CODE = re.compile(r"[A-Za-z0-9_.]+")
_Element = TypeVar("_Element", cst.Element, cst.BaseDictElement)


def declared(module: str) -> dict[str, dict[frozenset[str], frozenset[Code]]]:
    """The tables ``module`` declares: table name -> {codes: the functions meeting them}."""
    try:
        tables = getattr(importlib.import_module(module), "ERASE_TIME_TABLES", {})
    except Exception:  # a module erase cannot import is one whose tables it does not cut
        return {}
    package = module.rpartition(".")[0]
    found: dict[str, dict[frozenset[str], frozenset[Code]]] = {}
    for table, rows in tables.items():
        found[table] = {
            frozenset(codes.split()): frozenset(
                Code(f"{package}.{where.partition(':')[0]}", where.partition(":")[2]) for where in functions.split()
            )
            for codes, functions in rows.items()
        }
    return found


def cut(library: Library, roots: Iterable[Code]) -> Library:
    """``library`` with each declared table the program reaches cut to the codes it can meet."""
    order, _externals = closure(library, list(roots))
    reached = set(order)
    changed: dict[Code, Definition] = {}
    for code in order:
        tables = _declared(code.module)
        if code.name not in tables:
            continue
        dropped = frozenset().union(*(codes for codes, functions in tables[code.name].items()
                                      if not functions & reached))
        definition = library.definition(code)
        if dropped:
            changed[code] = _without(definition, dropped)
    return library.with_definitions(changed) if changed else library


_DECLARED: dict[str, dict[str, dict[frozenset[str], frozenset[Code]]]] = {}


def _declared(module: str) -> dict[str, dict[frozenset[str], frozenset[Code]]]:
    if module not in _DECLARED:
        _DECLARED[module] = declared(module)
    return _DECLARED[module]


def _without(definition: Definition, dropped: frozenset[str]) -> Definition:
    refs: dict[int, Target] = {}
    keep: list[cst.CSTNode] = []  # the nodes refs point at stay alive, so their ids stay theirs
    node = definition.node.visit(_Cut(dropped, definition.refs, refs, keep))
    assert isinstance(node, cst.CSTNode)  # the table's statement itself is never removed
    alive = node_ids(node)  # a dropped row's references go with it
    refs = {key: target for key, target in refs.items() if key in alive}
    return Definition(definition.key, node, refs, definition.is_method, definition.locals,
                      variant=("codes cut", tuple(sorted(dropped))))


def _codes(node: cst.BaseExpression) -> list[str] | None:
    """The codes a string of codes names (``"NoSuchKey NoSuchVersion "``), else None."""
    if not isinstance(node, cst.SimpleString) or node.prefix:
        return None
    value = node.evaluated_value
    tokens = value.split() if isinstance(value, str) else []
    return tokens if tokens and all(_CODE.fullmatch(t) for t in tokens) else None


class _Cut(cst.CSTTransformer):
    def __init__(self, dropped: frozenset[str], old: dict[int, Target], refs: dict[int, Target],
                 keep: list[cst.CSTNode]) -> None:
        super().__init__()
        self.dropped = dropped
        self.old = old
        self.refs = refs
        self.keep = keep
        self.emptied: set[int] = set()  # the strings of codes left with none

    def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode) -> Any:
        result = super().on_leave(original, updated)
        target = self.old.get(id(original))
        if target is not None and isinstance(result, cst.CSTNode):
            self.refs[id(result)] = target
            self.keep.append(result)
        return result

    def leave_SimpleString(self, original: cst.SimpleString, updated: cst.SimpleString) -> cst.BaseExpression:
        tokens = _codes(original)
        if tokens is None or not self.dropped.intersection(tokens):
            return updated
        kept = " ".join(t for t in tokens if t not in self.dropped)
        trailing = " " if str(original.evaluated_value).endswith(" ") and kept else ""
        result = updated.with_changes(value=f"{original.quote}{kept}{trailing}{original.quote}")
        if not kept:
            self.emptied.add(id(result))
        return result

    def leave_ConcatenatedString(self, original: cst.ConcatenatedString,
                                 updated: cst.ConcatenatedString) -> cst.BaseExpression:
        # implicit concatenation nests to the right: an emptied part gives way to the other
        if id(updated.left) in self.emptied:
            chosen: cst.BaseExpression = updated.right
        elif id(updated.right) in self.emptied:
            chosen = updated.left
        else:
            return updated
        return chosen.with_changes(lpar=updated.lpar, rpar=updated.rpar) if updated.lpar else chosen

    def leave_Tuple(self, original: cst.Tuple, updated: cst.Tuple) -> cst.BaseExpression:
        rows = [e for e in updated.elements if not (isinstance(e.value, cst.Tuple) and e.value.elements
                                                    and id(e.value.elements[-1].value) in self.emptied)]
        if len(rows) == len(updated.elements):
            return updated
        return updated.with_changes(elements=_last(rows, updated.elements[-1].comma))

    def leave_Dict(self, original: cst.Dict, updated: cst.Dict) -> cst.BaseExpression:
        entries = [e for e in updated.elements if not (isinstance(e, cst.DictElement) and id(e.key) in self.emptied)]
        if len(entries) == len(updated.elements):
            return updated
        return updated.with_changes(elements=_last(entries, updated.elements[-1].comma))


def _last(elements: list[_Element], comma: cst.Comma | cst.MaybeSentinel) -> list[_Element]:
    """``elements`` ending as the whole list ended: with the old last one's comma (or none)."""
    ended = list(elements)
    if ended:
        ended[-1] = ended[-1].with_changes(comma=comma)
    return ended


