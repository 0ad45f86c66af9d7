"""Which names of a module are bound to infrar, per scope, found with the stdlib ``ast``.

One walk binds every name in the scope Python binds it in (module, function, class body,
comprehension; ``global``/``nonlocal`` redirect to the scope they name) and records every
read. Erase's fast path (scan.py) and ``infrar scan`` (infra/scan.py) both resolve names
with it, so a local ``storage = {}`` that shadows ``from infrar import storage`` is not infrar
to either. Erase walks strictly: whatever LibCST's path would report (a star import, an
unknown infrar name) raises Unsupported there. ``infrar scan`` walks leniently: such names are
still bound, and a read that may see an infrar import (``try: from infrar import storage``
``except ImportError: storage = None``) counts as infrar, since declaring a resource the code
might use is harmless and missing one is not.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from infrar.erase.catalog import Catalog, Function, ModuleRef

__all__ = ["Calls", "Scope", "Unsupported", "Walk", "attribute_chain", "infrar_calls", "lookup"]


class Unsupported(Exception):
    """The fast path cannot reproduce the LibCST path's result here."""


@dataclass
class Scope:
    kind: str  # "module" | "function" | "class" | "comprehension"
    parent: Scope | None
    bound: dict[str, list[str | None]] = field(default_factory=dict)  # name -> qualified or None
    # names of a global/nonlocal statement in this scope -> "global" | "nonlocal"
    redirect: dict[str, str] = field(default_factory=dict)


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class Walk:
    """One walk that binds names per scope and records every read of a name.

    A qualified name starting with "=" is bound by ``import a.b``: it binds ``a``, and only
    reads spelled ``a.b...`` resolve through it.
    """

    def __init__(self, catalog: Catalog, tree: ast.Module, strict: bool = True) -> None:
        self.catalog = catalog
        self.tree = tree
        self.strict = strict
        self.module = Scope("module", None)
        self.reads: list[tuple[ast.Name, Scope, list[ast.AST]]] = []  # name, scope, ancestors
        self.imports: list[tuple[ast.Import | ast.ImportFrom, Scope]] = []
        self.stars: list[ast.ImportFrom] = []  # `from <infrar module> import *` (lenient walks only)
        self.declared: set[str] = set()  # names in global/nonlocal statements
        self.seen: set[str] = set()
        self.other: set[str] = set()  # bound other than by an import
        self.ours: set[str] = set()  # bound by an infrar import
        self._nonlocal: list[tuple[Scope, str, str | None]] = []  # bound once every scope is known

    def bind(self, scope: Scope, name: str, qualified: str | None = None, imported: bool = False) -> None:
        """Record that ``name`` is bound in ``scope`` (or where its global/nonlocal sends it)."""
        target: Scope | None = scope
        if scope.redirect and name in scope.redirect:
            if scope.redirect[name] == "global":
                target = self.module
            else:  # nonlocal: the enclosing function may bind it further down, so bind it after the walk
                self._nonlocal.append((scope, name, qualified))
                target = None
        if target is not None:
            target.bound.setdefault(name, []).append(qualified)
        if qualified is not None:
            self.ours.add(name)
        elif not imported:  # erase's names analysis counts imports apart
            self.other.add(name)

    def run(self) -> None:
        self.visit(self.tree, self.module, [])
        for scope, name, qualified in self._nonlocal:
            target = _enclosing_binder(scope, name)
            if target is not None:
                target.bound.setdefault(name, []).append(qualified)

    def visit(self, node: ast.AST, scope: Scope, path: list[ast.AST]) -> None:
        seen = self.seen
        if isinstance(node, ast.Name):
            seen.add(node.id)
            if isinstance(node.ctx, ast.Load):
                self.reads.append((node, scope, path))
            elif isinstance(node.ctx, ast.Store):
                self.bind(self._target_scope(scope, path), node.id)
            return
        if isinstance(node, ast.Attribute):
            seen.add(node.attr)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            self._import(node, scope)
            return
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            seen.update(node.names)
            self.declared.update(node.names)
            how = "global" if isinstance(node, ast.Global) else "nonlocal"
            scope.redirect.update(dict.fromkeys(node.names, how))
            return
        elif isinstance(node, _FUNCTIONS):
            self._function(node, scope, path)
            return
        elif isinstance(node, ast.ClassDef):
            seen.add(node.name)
            inner = [*path, node]
            for child in (*node.decorator_list, *node.bases, *node.keywords):
                self.visit(child, scope, inner)
            self.bind(scope, node.name)
            body = Scope("class", scope)
            for stmt in node.body:
                self.visit(stmt, body, inner)
            return
        elif isinstance(node, _COMPREHENSIONS):
            self._comprehension(node, scope, path)
            return
        elif isinstance(node, ast.keyword) and node.arg is not None:
            seen.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name is not None:
            seen.add(node.name)
            self.bind(scope, node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name is not None:
            seen.add(node.name)
            self._capture(scope, node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest is not None:
            seen.add(node.rest)
            self._capture(scope, node.rest)
        elif isinstance(node, ast.MatchClass):
            seen.update(node.kwd_attrs)
        inner = [*path, node]
        for child in ast.iter_child_nodes(node):
            self.visit(child, scope, inner)

    def _capture(self, scope: Scope, name: str) -> None:
        # LibCST's scopes do not bind match captures, and the strict walk must agree with them
        if not self.strict:
            self.bind(scope, name)

    def _target_scope(self, scope: Scope, path: list[ast.AST]) -> Scope:
        # a walrus in a comprehension binds in the enclosing function or module
        if path and isinstance(path[-1], ast.NamedExpr):
            while scope.kind == "comprehension" and scope.parent is not None:
                scope = scope.parent
        return scope

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, scope: Scope,
                  path: list[ast.AST]) -> None:
        inner = [*path, node]
        args = node.args
        outside: list[ast.AST] = [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        params += [a for a in (args.vararg, args.kwarg) if a is not None]
        if not isinstance(node, ast.Lambda):
            self.seen.add(node.name)
            outside[:0] = node.decorator_list
            outside += [a.annotation for a in params if a.annotation is not None]
            if node.returns is not None:
                outside.append(node.returns)
        for child in outside:
            self.visit(child, scope, inner)
        if not isinstance(node, ast.Lambda):
            self.bind(scope, node.name)
        body = Scope("function", scope)
        for param in params:
            self.seen.add(param.arg)
            self.bind(body, param.arg)
        for stmt in node.body if isinstance(node.body, list) else [node.body]:
            self.visit(stmt, body, inner)

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp,
                       scope: Scope, path: list[ast.AST]) -> None:
        inner = [*path, node]
        self.visit(node.generators[0].iter, scope, inner)  # evaluated in the enclosing scope
        body = Scope("comprehension", scope)
        for index, gen in enumerate(node.generators):
            if index:
                self.visit(gen.iter, body, inner)
            self.visit(gen.target, body, [*inner, gen])
            for cond in gen.ifs:
                self.visit(cond, body, [*inner, gen])
        parts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        for part in parts:
            self.visit(part, body, inner)

    def _import(self, node: ast.Import | ast.ImportFrom, scope: Scope) -> None:
        self.imports.append((node, scope))
        catalog = self.catalog
        if isinstance(node, ast.ImportFrom):  # its module is not a name it binds or reads (as names.analyse)
            ours = not node.level and node.module is not None and catalog.is_ours(node.module)
            for alias in node.names:
                if alias.name == "*":
                    if ours:
                        self._unsupported("star import")
                        self.stars.append(node)
                    continue
                self.seen.add(alias.name)
                bound = alias.asname or alias.name
                self.seen.add(bound)
                if ours:
                    qualified = f"{node.module}.{alias.name}"
                    if catalog.resolve(qualified) is None:
                        self._unsupported("unknown name")
                    self.bind(scope, bound, qualified)
                else:
                    self.bind(scope, bound, imported=True)
            return
        for alias in node.names:
            self.seen.update(alias.name.split("."))
            if alias.asname:
                self.seen.add(alias.asname)
            if catalog.is_ours(alias.name):
                if not isinstance(catalog.resolve(alias.name), ModuleRef):
                    self._unsupported("unknown module")
                if alias.asname is None and "." in alias.name:
                    self.bind(scope, alias.name.partition(".")[0], "=" + alias.name)
                else:
                    self.bind(scope, alias.asname or alias.name, alias.name)
            else:
                self.bind(scope, alias.asname or alias.name.partition(".")[0], imported=True)

    def _unsupported(self, why: str) -> None:
        if self.strict:
            raise Unsupported(why)


def _enclosing_binder(scope: Scope, name: str) -> Scope | None:
    """The function scope a ``nonlocal name`` in ``scope`` refers to."""
    current = scope.parent
    while current is not None:
        if current.kind == "function" and name not in current.redirect and name in current.bound:
            return current
        current = current.parent
    return None


def lookup(scope: Scope, name: str) -> list[str | None] | None:
    """The bindings a read of ``name`` in ``scope`` may see (LibCST's rule: any binding in the
    nearest scope that has one, class bodies skipped from inner scopes)."""
    current: Scope | None = scope
    first = True
    while current is not None:
        if current.redirect and name in current.redirect:
            if current.redirect[name] == "global":
                return _module_of(current).bound.get(name)
        elif (first or current.kind != "class") and name in current.bound:
            return current.bound[name]
        first = False
        current = current.parent
    return None


def _module_of(scope: Scope) -> Scope:
    while scope.parent is not None:
        scope = scope.parent
    return scope


def attribute_chain(name: ast.Name, path: list[ast.AST]) -> list[ast.expr]:
    """``name`` and the attributes read on it: [a, a.b, a.b.c] for a read of ``a.b.c``."""
    chain: list[ast.expr] = [name]
    for parent in reversed(path):
        if isinstance(parent, ast.Attribute) and parent.value is chain[-1]:
            chain.append(parent)
        else:
            break
    return chain


@dataclass
class Calls:
    """Every call of an infrar function in a module, found by a lenient walk."""

    calls: list[tuple[ast.Call, Function]]
    walk: Walk
    scopes: dict[int, Scope]  # id(Name read) -> the scope it is read in


def infrar_calls(tree: ast.Module, catalog: Catalog) -> Calls:
    """The calls of catalogued functions in ``tree``, in source order.

    A call counts when the dotted name it calls, resolved through the bindings its first name
    may see, is a function of an installed plugin; a function only passed around is not a call.
    """
    walk = Walk(catalog, tree, strict=False)
    walk.run()
    found: list[tuple[ast.Call, Function]] = []
    for name, scope, path in walk.reads:
        bindings = lookup(scope, name.id)
        qualified = sorted({q for q in bindings or () if q is not None})
        if not qualified:
            continue
        chain = attribute_chain(name, path)
        call = path[-len(chain)] if len(path) >= len(chain) else None
        if not isinstance(call, ast.Call) or call.func is not chain[-1]:
            continue
        attrs = [a.attr for a in chain[1:] if isinstance(a, ast.Attribute)]
        functions: dict[str, Function] = {}
        for bound in qualified:
            # `import a.b` binds the package `a`: the read names whatever it spells
            entity = catalog.resolve(".".join([name.id if bound.startswith("=") else bound, *attrs]))
            if isinstance(entity, Function):
                functions[entity.qualified] = entity
        found.extend((call, function) for function in functions.values())
    found.sort(key=lambda item: (item[0].lineno, item[0].col_offset))
    return Calls(found, walk, {id(name): scope for name, scope, _path in walk.reads})
