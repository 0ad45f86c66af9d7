"""The fast path's analysis: a module's infrar uses found with the stdlib ``ast``.

LibCST's metadata (scopes, qualified names, parents, positions) costs about ten times a
LibCST parse + print of the module; ``ast.parse`` is ~15x cheaper than that parse, and one
walk over its tree (resolve.Walk, shared with ``infrar scan``) finds the same bindings for the
common programs. This module only handles what it can resolve exactly as ``bindings.Bindings``
does; anything else (a diagnostic to report, an ambiguous or ``global`` binding, a use it does
not recognise) raises Unsupported and emit falls back to the LibCST path, which stays the
reference.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from infrar.erase.ast_nodes import walked
from infrar.erase.catalog import Catalog, ErrorClass, Function, ModuleRef, TypeDef
from infrar.erase.names import Identity, UserNames
from infrar.erase.resolve import Unsupported, Walk, attribute_chain, lookup

__all__ = ["BARE", "NESTED", "STATEMENT", "Scan", "Unsupported", "scan"]


# Where a call sits, as the inliner needs it (see emit._NO_PARENS): a statement of its own,
# a place that needs no parentheses around an expression, or anywhere else.
STATEMENT, BARE, NESTED = "statement", "bare", "nested"


@dataclass
class Scan:
    # call, its function, its context, its parent
    calls: list[tuple[ast.Call, Function, str, ast.AST | None]] = field(default_factory=list)
    replace: list[tuple[ast.expr, ErrorClass | TypeDef]] = field(default_factory=list)
    drop: list[ast.stmt] = field(default_factory=list)  # whole import statements to remove
    user: UserNames = field(default_factory=UserNames)


def scan(tree: ast.Module, catalog: Catalog) -> Scan:
    walk = Walk(catalog, tree)
    walk.run()
    found = Scan()
    for node, scope in walk.imports:
        plain = isinstance(node, ast.Import) and any("." not in a.name and catalog.is_ours(a.name) for a in node.names)
        if plain or (scope.kind == "class" and _is_ours(node, catalog)):
            raise Unsupported("an import in a class body, or `import infrar` alone: bindings.py refuses them")
        _drop(node, catalog, found)
    _refused_forms(tree, found.drop)
    if walk.ours & walk.declared:
        raise Unsupported("global/nonlocal of an infrar name")
    for name, scope, path in walk.reads:
        bindings = lookup(scope, name.id)
        if not bindings or all(q is None for q in bindings):
            continue
        if len(bindings) > 1 and not all(q is not None and q.startswith("=") for q in bindings):
            raise Unsupported("ambiguous")
        _use(name, [q for q in bindings if q is not None], path, catalog, found)
    found.user = _user_names(walk, tree, found.drop)
    return found


def _refused_forms(tree: ast.Module, dropped: list[ast.stmt]) -> None:
    """`del` of a name an infrar import binds, an infrar import under `try`: the LibCST path
    reports them (bindings.py)."""
    if not dropped:
        return
    ours = {id(s) for s in dropped}
    bound = {(a.asname or a.name).partition(".")[0] for s in dropped for a in s.names}  # type: ignore[attr-defined]
    for node in walked(tree):
        if isinstance(node, ast.Delete) and any(isinstance(t, ast.Name) and t.id in bound for t in node.targets):
            raise Unsupported("del of an infrar name")
        if isinstance(node, ast.Try) and any(id(n) in ours for s in node.body for n in ast.walk(s)):
            raise Unsupported("an infrar import under try")


def _is_ours(node: ast.Import | ast.ImportFrom, catalog: Catalog) -> bool:
    if isinstance(node, ast.ImportFrom):
        return not node.level and node.module is not None and catalog.is_ours(node.module)
    return any(catalog.is_ours(alias.name) for alias in node.names)


def _drop(node: ast.Import | ast.ImportFrom, catalog: Catalog, found: Scan) -> None:
    if isinstance(node, ast.ImportFrom):
        ours = [not node.level and node.module is not None and catalog.is_ours(node.module)] * len(node.names)
    else:
        ours = [catalog.is_ours(alias.name) for alias in node.names]
    if all(ours):
        found.drop.append(node)
    elif any(ours):
        raise Unsupported("an import keeps some names and drops others")


def _use(name: ast.Name, bindings: list[str], path: list[ast.AST], catalog: Catalog, found: Scan) -> None:
    """Mirror Bindings._reference from the outermost attribute of the chain inwards."""
    chain = attribute_chain(name, path)
    # `import a.b` and `import a.c` both bind `a`: a read resolves by the dotted name it spells
    text = ".".join([name.id, *(a.attr for a in chain[1:] if isinstance(a, ast.Attribute)), ""])
    matching = [q for q in bindings if len(bindings) == 1 or text.startswith(q[1:] + ".")]
    if len(matching) != 1:
        raise Unsupported("ambiguous")
    qualified = matching[0]
    if any(isinstance(p, ast.JoinedStr) for p in path):
        raise Unsupported("inside an f-string, whose ast positions Python 3.11 may get wrong")
    depth = len(chain) - 1
    outer = chain[-1]
    if not isinstance(getattr(outer, "ctx", ast.Load()), ast.Load):
        raise Unsupported("assignment to an attribute of infrar")
    spelled = qualified.startswith("=")  # `import a.b`: the read must start with `a.b`
    for index in range(depth, -1, -1):
        node = chain[index]
        attrs = [a.attr for a in chain[1:index + 1] if isinstance(a, ast.Attribute)]
        if spelled:
            full = ".".join([name.id, *attrs])
            if not full.startswith(qualified[1:] + "."):
                raise Unsupported("a prefix of a dotted import is read")
        else:
            full = ".".join([qualified, *attrs])
        if not catalog.is_ours(full):
            continue
        entity = catalog.resolve(full)
        if entity is None:
            if catalog.has_entity_prefix(full):
                continue
            raise Unsupported("unknown name")
        if isinstance(entity, Function):
            call, grand, great = (path[-k] if len(path) >= k else None for k in (depth + 1, depth + 2, depth + 3))
            if index != depth or not isinstance(call, ast.Call) or call.func is not node:
                raise Unsupported("function used as a value")
            found.calls.append((call, entity, _context(call, grand, great), grand))
        elif isinstance(entity, ModuleRef):
            raise Unsupported("module used as a value")
        else:
            found.replace.append((node, entity))
        return


def _context(call: ast.expr, parent: ast.AST | None, grand: ast.AST | None) -> str:
    if isinstance(parent, ast.Expr):
        return STATEMENT
    if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.Return)) and parent.value is call:
        return BARE
    if isinstance(parent, ast.keyword):
        return BARE  # a LibCST Arg, in a call or a class's keywords
    if isinstance(parent, ast.Call) and call in parent.args:
        return BARE
    if isinstance(parent, ast.ClassDef) and call in parent.bases:
        return BARE
    if isinstance(parent, ast.Starred) and isinstance(grand, ast.Call) and parent in grand.args:
        return BARE
    return NESTED


def _user_names(walk: Walk, tree: ast.Module, drop: list[ast.stmt]) -> UserNames:
    """names.analyse, from the ast: what the user's module binds and imports."""
    names = UserNames(seen=set(walk.seen), other=set(walk.other))
    dropped = {id(s) for s in drop}
    top = {id(s) for s in tree.body}
    freed: set[str] = set()
    for node, _scope in walk.imports:
        for alias in node.names:
            if alias.name == "*":
                assert isinstance(node, ast.ImportFrom)
                names.star_import(node.module, node.level)
                continue
            ident: Identity
            if isinstance(node, ast.Import):
                root = alias.name.partition(".")[0]
                if alias.asname is None and "." in alias.name:
                    names.other.add(root)  # LibCST also binds "a" for "import a.b", as a plain name
                if id(node) in dropped:
                    freed.add(alias.asname or root)
                    continue
                bound = alias.asname or root
                ident = ("mod", alias.name if alias.asname else root, None)
            else:
                bound = alias.asname or alias.name
                if id(node) in dropped:
                    freed.add(bound.partition(".")[0])
                    continue
                if node.level or node.module is None:
                    names.other.add(bound)
                    continue
                ident = ("from", node.module, alias.name)
            names.imported.setdefault(bound, set()).add(ident)
            if id(node) in top:
                names.top_imports[bound] = ident
    names.seen -= freed - names.other - set(names.imported)
    return names
