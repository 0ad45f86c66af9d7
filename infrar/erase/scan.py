"""The fast path's analysis: a module's infrar uses found with the stdlib ``ast``.

LibCST's metadata (scopes, qualified names, parents, positions) costs about ten times a
LibCST parse + print of the module; ``ast.parse`` is ~15x cheaper than that parse, and one
walk over its tree finds the same bindings for the common programs. This module only handles
what it can resolve exactly as ``bindings.Bindings`` does; anything else (a diagnostic to
report, an ambiguous or ``global`` binding, a use it does not recognise) raises Unsupported
and emit falls back to the LibCST path, which stays the reference.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from infrar.erase.catalog import Catalog, ErrorClass, Function, ModuleRef, TypeDef
from infrar.erase.names import Identity, UserNames


class Unsupported(Exception):
    """The fast path cannot reproduce the LibCST path's result here."""


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


@dataclass
class _Scope:
    kind: str  # "module" | "function" | "class" | "comprehension"
    parent: _Scope | None
    bound: dict[str, list[str | None]] = field(default_factory=dict)  # name -> qualified or None


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class _Walk:
    """One walk that binds names per scope and records every read of a name."""

    def __init__(self, catalog: Catalog, tree: ast.Module) -> None:
        self.catalog = catalog
        self.tree = tree
        self.module = _Scope("module", None)
        self.reads: list[tuple[ast.Name, _Scope, list[ast.AST]]] = []  # name, scope, ancestors
        self.imports: list[tuple[ast.Import | ast.ImportFrom, _Scope]] = []
        self.declared: set[str] = set()  # names in global/nonlocal statements
        self.seen: set[str] = set()
        self.other: set[str] = set()  # bound other than by an import
        self.ours: set[str] = set()  # bound by an infrar import

    def bind(self, scope: _Scope, name: str, qualified: str | None = None) -> None:
        scope.bound.setdefault(name, []).append(qualified)
        if qualified is None:
            self.other.add(name)
        else:
            self.ours.add(name)

    def run(self) -> None:
        self.visit(self.tree, self.module, [])

    def visit(self, node: ast.AST, scope: _Scope, path: list[ast.AST]) -> None:
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
            body = _Scope("class", scope)
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
        elif isinstance(node, ast.MatchMapping) and node.rest is not None:
            seen.add(node.rest)
        elif isinstance(node, ast.MatchClass):
            seen.update(node.kwd_attrs)
        inner = [*path, node]
        for child in ast.iter_child_nodes(node):
            self.visit(child, scope, inner)

    def _target_scope(self, scope: _Scope, path: list[ast.AST]) -> _Scope:
        # a walrus in a comprehension binds in the enclosing function or module
        if path and isinstance(path[-1], ast.NamedExpr):
            while scope.kind == "comprehension" and scope.parent is not None:
                scope = scope.parent
        return scope

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, scope: _Scope,
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
        body = _Scope("function", scope)
        for param in params:
            self.seen.add(param.arg)
            self.bind(body, param.arg)
        for stmt in node.body if isinstance(node.body, list) else [node.body]:
            self.visit(stmt, body, inner)

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp,
                       scope: _Scope, path: list[ast.AST]) -> None:
        inner = [*path, node]
        self.visit(node.generators[0].iter, scope, inner)  # evaluated in the enclosing scope
        body = _Scope("comprehension", scope)
        for index, gen in enumerate(node.generators):
            if index:
                self.visit(gen.iter, body, inner)
            self.visit(gen.target, body, [*inner, gen])
            for cond in gen.ifs:
                self.visit(cond, body, [*inner, gen])
        parts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        for part in parts:
            self.visit(part, body, inner)

    def _import(self, node: ast.Import | ast.ImportFrom, scope: _Scope) -> None:
        self.imports.append((node, scope))
        catalog = self.catalog
        if isinstance(node, ast.ImportFrom):
            if node.module:
                self.seen.update(node.module.split("."))
            ours = not node.level and node.module is not None and catalog.is_ours(node.module)
            for alias in node.names:
                if alias.name == "*":
                    if ours:
                        raise Unsupported("star import")
                    continue
                self.seen.add(alias.name)
                bound = alias.asname or alias.name
                self.seen.add(bound)
                if ours:
                    qualified = f"{node.module}.{alias.name}"
                    if catalog.resolve(qualified) is None:
                        raise Unsupported("unknown name")
                    self.bind(scope, bound, qualified)
                else:
                    scope.bound.setdefault(bound, []).append(None)
            return
        for alias in node.names:
            self.seen.update(alias.name.split("."))
            if alias.asname:
                self.seen.add(alias.asname)
            if catalog.is_ours(alias.name):
                if not isinstance(catalog.resolve(alias.name), ModuleRef):
                    raise Unsupported("unknown module")
                if alias.asname is None and "." in alias.name:
                    # binds the root; only reads spelled out as the whole dotted name resolve
                    self.bind(scope, alias.name.partition(".")[0], "=" + alias.name)
                else:
                    self.bind(scope, alias.asname or alias.name, alias.name)
            else:
                scope.bound.setdefault(alias.asname or alias.name.partition(".")[0], []).append(None)


def _resolve(scope: _Scope, name: str) -> list[str | None] | None:
    """The bindings a read of ``name`` in ``scope`` may see (LibCST's rule: any binding in the
    nearest scope that has one, class bodies skipped from inner scopes)."""
    current: _Scope | None = scope
    first = True
    while current is not None:
        if (first or current.kind != "class") and name in current.bound:
            return current.bound[name]
        first = False
        current = current.parent
    return None


def scan(tree: ast.Module, catalog: Catalog) -> Scan:
    walk = _Walk(catalog, tree)
    walk.run()
    found = Scan()
    for node, _scope in walk.imports:
        _drop(node, catalog, found)
    if walk.ours & walk.declared:
        raise Unsupported("global/nonlocal of an infrar name")
    for name, scope, path in walk.reads:
        bindings = _resolve(scope, name.id)
        if not bindings or all(q is None for q in bindings):
            continue
        if len(bindings) > 1 and not all(q is not None and q.startswith("=") for q in bindings):
            raise Unsupported("ambiguous")
        _use(name, [q for q in bindings if q is not None], path, catalog, found)
    found.user = _user_names(walk, tree, found.drop)
    return found


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
    chain: list[ast.expr] = [name]
    for parent in reversed(path):
        if isinstance(parent, ast.Attribute) and parent.value is chain[-1]:
            chain.append(parent)
        else:
            break
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


def _user_names(walk: _Walk, tree: ast.Module, drop: list[ast.stmt]) -> UserNames:
    """names.analyse, from the ast: what the user's module binds and imports."""
    names = UserNames(seen=set(walk.seen), other=set(walk.other))
    dropped = {id(s) for s in drop}
    top = {id(s) for s in tree.body}
    freed: set[str] = set()
    for node, _scope in walk.imports:
        for alias in node.names:
            if alias.name == "*":
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
