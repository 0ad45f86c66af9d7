"""Specialise the copied code on the literals a program passes: a check an adapter runs on an
argument (``check_bucket``, ``check_key`` ...) is run once, at erase time, on every literal that
argument can hold, and where each passes, the copy no longer calls the check there (so the check
is not copied at all when nothing else reaches it).

What an argument can hold is followed from the program's calls into the copied functions and on
through their calls of each other: a parameter holds a set of literals when every call of its
function, in the program and in the copied code, passes one (or a parameter holding them), and
nothing in the function rebinds it before the check. A check folds only where a rules module
declares it in ``ERASE_TIME_CHECKS``: it returns its argument unchanged when the argument is valid,
and whether it is depends on nothing but the arguments named there (the others only word the
message). A literal that fails its check keeps the check, so the program still raises where and
as it did.
"""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst

from infrar.erase import forward, tables
from infrar.erase.adapters import Code, Definition, Library, Target
from infrar.erase.fold_rewrite import PASS, REACHED, TYPES, Folder, decided, taken
from infrar.erase.inline import is_generator, names_in, node_ids
from infrar.erase.literals import UNKNOWN, Site, Values, constants, literal, signature, site
from infrar.erase.reach import closure

__all__ = ["Refusals", "constants", "literal", "refused_at", "site", "specialise"]


Refusals = dict[tuple[str, object], str]  # (type name, literal) -> "InvalidArgument: why"


def specialise(library: Library, sites: list[Site], roots: Iterable[Code]) -> tuple[Library, list[Refusals]]:
    """``library`` with every definition the program reaches folded on what the sites pass, the
    error tables it reaches cut to the codes its calls can meet (tables.py), and its calls of a
    function that now only forwards its arguments made to what it forwards to (forward.py); and,
    per site, the literals a declared check refuses (``refused_at`` words them)."""
    if library.shared is not None or library.errors_module is not None or not library.fold:
        return library, [{} for _site in sites]  # a tree's shared module holds one copy for every module
    roots = list(roots)
    folded, refused, checked = _on_literals(library, sites, roots)
    # The sites whose literals no check met above (another call of the same function passes
    # something erase cannot know, so nothing folded there) are followed once more, without the
    # others, for their warnings only.
    unmet = [one for one in sites if not _keys(one) <= checked]
    if unmet:
        refused = {**_on_literals(library, unmet, [code for code, _held in unmet])[1], **refused}
    return forward.skip(tables.cut(folded, roots), roots), [refused for _site in sites]


def _keys(one: Site) -> set[tuple[str, object]]:
    return {(type(value).__name__, value) for values in one[1].values() for value in values or ()
            if value is not UNKNOWN}


def refused_at(sites: list[Site], refused: list[Refusals]) -> list[tuple[int, str, object, str]]:
    """(index of the site, parameter, literal, why) for each literal a site passes that a check
    refused: the erased program raises there at run time, as the runtime does, and erase warns."""
    found = []
    for index, ((_code, held), refusals) in enumerate(zip(sites, refused, strict=True)):
        for name, values in held.items():
            for value in sorted(values or (), key=repr):
                why = refusals.get((type(value).__name__, value))
                if why is not None:
                    found.append((index, name, value, why))
    return found


def _on_literals(library: Library, sites: list[Site],
                 roots: list[Code]) -> tuple[Library, Refusals, set[tuple[str, object]]]:
    """The library folded on what ``sites`` pass; the literals a check certainly refused; every
    literal a check met."""
    refused: Refusals = {}
    checked: set[tuple[str, object]] = set()
    if not any(values for _code, held in sites for values in held.values()):
        return library, refused, checked
    order, _externals = closure(library, roots)
    definitions = {code: library.definition(code) for code in order}
    callers: dict[Code, set[Code]] = {code: set() for code in order}
    for code, definition in definitions.items():
        for target in definition.targets:
            if isinstance(target, Code) and target in callers:
                callers[target].add(code)
    calls: dict[Code, list[dict[str, Values]]] = {}
    for code, held in sites:
        calls.setdefault(code, []).append(held)
    done: set[Code] = set()
    folded: dict[Code, Definition] = {}
    for code in reversed(order):  # callers before what they call
        definition = definitions[code]
        facts = _merge(definition, calls.get(code, [])) if callers[code] - {code} <= done else {}
        # run certainly when the program's call does: every call of it does (a site's always)
        reached = bool(calls.get(code)) and all(held.get(REACHED, _YES) == _YES for held in calls[code])
        done.add(code)
        changed, made, refusals = _folded(library, definitions, code, facts, reached)
        while (closed := _closed(facts, [held for made_code, held in made if made_code == code])) != facts:
            facts = closed  # it calls itself with something else there: that parameter is not known
            changed, made, refusals = _folded(library, definitions, code, facts, reached)
        refused.update((key, why) for key, (why, certain) in refusals.items() if why and certain and key not in refused)
        checked.update(refusals)
        for made_code, held in made:
            calls.setdefault(made_code, []).append(held)
        if changed is not definition:
            folded[code] = changed
    return (library.with_definitions(folded) if folded else library), refused, checked


def _folded(library: Library, definitions: dict[Code, Definition], code: Code, facts: dict[str, frozenset[object]],
            reached: bool) -> tuple[Definition, list[Site], dict[tuple[str, object], tuple[str, bool]]]:
    # the same definition on the same facts folds the same way: modules of one run share it
    variant = frozenset((name, frozenset((type(v).__name__, v) for v in values)) for name, values in facts.items())
    cached = library.folds.get((code, (variant, reached)))
    if cached is None:
        folding = _Fold(definitions, facts, reached)
        changed, made = folding.run(definitions[code])
        cached = library.folds[(code, (variant, reached))] = (changed, made, folding.refused)
    return cached


def _closed(facts: dict[str, frozenset[object]], own_calls: list[dict[str, Values]]) -> dict[str, frozenset[object]]:
    """The facts a function's calls of itself keep: where each passes no more than its callers do
    (``key`` on as ``key``)."""
    unknown = frozenset([UNKNOWN])
    return {name: values for name, values in facts.items()
            if all((held.get(name) or unknown) <= values for held in own_calls)}


def _merge(definition: Definition, held: list[dict[str, Values]]) -> dict[str, frozenset[object]]:
    """The parameters every call passes a known literal (the union of them), by name."""
    fn = signature(definition)
    if fn is None or not held:
        return {}
    names = [p.name.value for p in (*fn.params.posonly_params, *fn.params.params, *fn.params.kwonly_params)]
    facts: dict[str, frozenset[object]] = {}
    for name in names:
        values = [one.get(name) for one in held]
        if all(v is not None for v in values):
            union = frozenset().union(*[v for v in values if v is not None])
            # 0 == False and 1 == 1.0 == True: a set holding one of them is not told which
            if len({(type(v), v) for one in values if one is not None for v in one}) == len(union):
                facts[name] = union
    return facts


# The part of each binding node holding what it binds, and whether it binds within a simple
# statement before the statement's own assignment does (a walrus, a comprehension's variable).
_BINDS: dict[type[cst.CSTNode], tuple[str, bool]] = {
    cst.AssignTarget: ("target", False), cst.AnnAssign: ("target", False), cst.AugAssign: ("target", False),
    cst.For: ("target", False), cst.AsName: ("name", False), cst.Del: ("target", False),
    cst.ImportAlias: ("name", False), cst.CompFor: ("target", True), cst.NamedExpr: ("target", True),
}


_REBOUND: dict[int, tuple[cst.CSTNode, tuple[set[str], set[str]]]] = {}
_KEPT = 20_000  # entries per cache: the adapters' statements many times over


def _rebound(node: cst.BaseStatement) -> tuple[set[str], set[str]]:
    """The names a statement may rebind while it runs, and all the names it binds or deletes.

    A simple statement evaluates its right-hand side first: only a walrus or a comprehension's
    variable can change a name before then. Inside a compound statement anything can. Kept per
    node (nodes do not change, and each fold of a definition asks again of its statements); the
    node is kept with its answer so that its id is not reused meanwhile."""
    found = _REBOUND.get(id(node))
    if found is None or found[0] is not node:
        if len(_REBOUND) > _KEPT:
            _REBOUND.clear()  # a long-lived process (a test session) would keep every fold's nodes
        found = _REBOUND[id(node)] = (node, _rebound_now(node))
    return set(found[1][0]), set(found[1][1])


def _rebound_now(node: cst.BaseStatement) -> tuple[set[str], set[str]]:
    every: set[str] = set()
    early: set[str] = set()

    class _Binds(cst.CSTVisitor):
        def on_visit(self, n: cst.CSTNode) -> bool:
            found = _BINDS.get(type(n))
            if found is not None:
                part = getattr(n, found[0])
                if isinstance(n, cst.ImportAlias) and n.asname is not None:
                    part = n.asname.name
                (early if found[1] else every).update(names_in(part))
            return True

    node.visit(_Binds())
    every |= early
    return (early if isinstance(node, cst.SimpleStatementLine) else every), every


_SCOPED: dict[int, tuple[cst.CSTNode, bool]] = {}


def _has_scope(node: cst.CSTNode) -> bool:
    """A nested function or class, or a global/nonlocal statement: names may change later.

    (A lambda cannot rebind the function's names; inside one nothing is folded, see Folder.)
    Kept per node, as ``_rebound``."""
    kept = _SCOPED.get(id(node))
    if kept is None or kept[0] is not node:
        if len(_SCOPED) > _KEPT:
            _SCOPED.clear()
        kept = _SCOPED[id(node)] = (node, _has_scope_now(node))
    return kept[1]


def _has_scope_now(node: cst.CSTNode) -> bool:
    return _holds(node, (cst.FunctionDef, cst.ClassDef, cst.Global, cst.Nonlocal))


def _holds(node: cst.CSTNode, kinds: tuple[type[cst.CSTNode], ...],
           opaque: tuple[type[cst.CSTNode], ...] = ()) -> bool:
    """Whether ``node`` or a node within it is one of ``kinds``, not looking inside ``opaque`` ones."""
    found = False

    class _Find(cst.CSTVisitor):
        def on_visit(self, n: cst.CSTNode) -> bool:
            nonlocal found
            found = found or isinstance(n, kinds)
            return not found and not isinstance(n, opaque)

    node.visit(_Find())
    return found


class _Fold:
    """One definition folded on what its parameters hold; the calls it makes, for what they call."""

    def __init__(self, definitions: dict[Code, Definition], facts: dict[str, frozenset[object]],
                 reached: bool = False) -> None:
        self.definitions = definitions
        self.facts = facts
        self.reached = reached  # whether it certainly runs when the program's call does
        self.made: list[Site] = []
        self.folded = 0
        self.alive: list[cst.CSTNode] = []
        self.refused: dict[tuple[str, object], tuple[str, bool]] = {}

    def run(self, definition: Definition) -> tuple[Definition, list[Site]]:
        node = definition.node
        if not isinstance(node, cst.FunctionDef) or not isinstance(node.body, cst.IndentedBlock) or any(
            _has_scope(stmt) for stmt in node.body.body
        ):
            node.visit(Folder(self, definition, {}, {}, fold=False))  # its calls, all but literals unknown
            return definition, self.made
        known = dict(self.facts)
        refs: dict[int, Target] = dict(definition.refs)
        body: list[cst.BaseStatement] = []
        bound = {param.name.value for param in _params(node)}
        for stmt in node.body.body:
            bound |= _rebound(stmt)[1]
        types = not bound & {"isinstance", *TYPES}  # the builtins, so isinstance() can be decided
        certain = self.reached  # until a statement that may return or raise before the rest runs
        pending = list(node.body.body)
        while pending:
            stmt = pending.pop(0)
            branch = self._branch(stmt, definition, known, refs, types)
            if branch is not None:  # its test decided: the branch taken stands in its place
                pending[:0] = branch
                continue
            early, every = _rebound(stmt)
            here = {name: values for name, values in known.items() if name not in early}
            new = stmt.visit(Folder(self, definition, here, refs, fold=True, types=types, certain=certain))
            certain = certain and not (isinstance(stmt, cst.BaseCompoundStatement) and _may_leave(stmt))
            if isinstance(new, cst.FlattenSentinel):
                body.extend(new.nodes)
            elif isinstance(new, cst.BaseStatement):
                body.append(new)
            known = {name: values for name, values in known.items() if name not in every}
            bound_to = _assigned(new, here)
            if bound_to is not None:  # `checked = source` or `exists = False`: what it holds, it holds
                known[bound_to[0]] = bound_to[1]
            if body and _ends(body[-1]) and _droppable(node, pending, body):
                break  # what follows an unconditional return or raise never runs
        if not self.folded:
            return definition, self.made
        body = _live(body)
        new_node = node.with_changes(body=node.body.with_changes(body=body or [PASS]))
        alive = node_ids(new_node)  # refs of nodes dropped with a folded call must not outlive them
        kept = {key: target for key, target in refs.items() if key in alive}
        self.alive.clear()
        variant = tuple(sorted((name, tuple(sorted(map(repr, values)))) for name, values in self.facts.items()))
        return Definition(definition.key, new_node, kept, definition.is_method, definition.locals,
                          variant=variant), self.made

    def _branch(self, stmt: cst.BaseStatement, definition: Definition, known: dict[str, frozenset[object]],
                refs: dict[int, Target], types: bool) -> list[cst.BaseStatement] | None:
        """The statements an ``if`` runs when its test is decided by what is known before it.

        The test runs before its branches, so what they rebind does not matter to it (only what
        the test itself binds); the statements then fold one by one, as the body's do."""
        if not isinstance(stmt, cst.If) or isinstance(stmt.test, cst.Name):
            return None
        here = {name: values for name, values in known.items() if name not in _bound_in(stmt.test)}
        mark, folded = len(self.made), self.folded
        test = stmt.test.visit(Folder(self, definition, here, refs, fold=True, types=types))
        verdict = decided(test) if isinstance(test, cst.BaseExpression) else None
        if verdict is None:
            del self.made[mark:]  # the statement is folded as a whole next, recording its calls again
            self.folded = folded
            return None
        self.folded += 1
        return taken(stmt, verdict)

    def callee(self, target: Target | None) -> Definition | None:
        if isinstance(target, Code) and target in self.definitions:
            return self.definitions[target]
        return None


def _bound_in(test: cst.BaseExpression) -> set[str]:
    """The names an expression binds: a walrus's, a comprehension's variables (which shadow a
    parameter of the same name inside it)."""
    found: set[str] = set()

    class _Binds(cst.CSTVisitor):
        def visit_NamedExpr(self, n: cst.NamedExpr) -> bool:
            found.update(names_in(n.target))
            return True

        def visit_CompFor(self, n: cst.CompFor) -> bool:
            found.update(names_in(n.target))
            return True

    test.visit(_Binds())
    return found


def _params(fn: cst.FunctionDef) -> list[cst.Param]:
    star = [fn.params.star_arg] if isinstance(fn.params.star_arg, cst.Param) else []
    kwargs = [fn.params.star_kwarg] if fn.params.star_kwarg is not None else []
    return [*fn.params.posonly_params, *fn.params.params, *star, *fn.params.kwonly_params, *kwargs]


def _assigned(stmt: object, known: dict[str, frozenset[object]]) -> tuple[str, frozenset[object]] | None:
    """(target, what it holds) after ``target = source`` of a known name, or ``target = literal``."""
    if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1):
        return None
    small = stmt.body[0]
    if not (isinstance(small, cst.Assign) and len(small.targets) == 1
            and isinstance(small.targets[0].target, cst.Name)):
        return None
    target, value = small.targets[0].target.value, small.value
    if isinstance(value, cst.Name) and value.value in known:
        return target, known[value.value]
    held = literal(value)
    return None if held is UNKNOWN else (target, frozenset([held]))


def _droppable(fn: cst.FunctionDef, rest: list[cst.BaseStatement], kept: list[cst.BaseStatement]) -> bool:
    """Whether leaving out the unreachable ``rest`` of ``fn`` changes nothing: no ``yield`` in it
    (which makes the function a generator), and no name it binds is local only through it and read
    in ``kept``."""
    if rest and is_generator(fn.with_changes(body=fn.body.with_changes(body=rest))):
        return False
    lost = set().union(*(_rebound(stmt)[1] for stmt in rest)) - {param.name.value for param in _params(fn)}
    lost -= set().union(*(_rebound(stmt)[1] for stmt in kept))
    return not lost & set().union(*(names_in(stmt) for stmt in kept))


def _live(body: list[cst.BaseStatement]) -> list[cst.BaseStatement]:
    """``body`` without the ``name = literal`` lines nothing else in it reads (``exists = False``
    once the branch reading it was decided)."""
    def dead(index: int, stmt: cst.BaseStatement) -> bool:
        bound = _assigned(stmt, {})
        return bound is not None and not any(bound[0] in names_in(other) for n, other in enumerate(body) if n != index)

    return [stmt for index, stmt in enumerate(body) if not dead(index, stmt)]


def _may_leave(stmt: cst.BaseCompoundStatement) -> bool:
    """Whether ``stmt`` holds a ``return``, ``raise``, ``break`` or ``continue``: what follows it may not run."""
    return _holds(stmt, (cst.Return, cst.Raise, cst.Break, cst.Continue), (cst.FunctionDef, cst.ClassDef, cst.Lambda))


_YES = frozenset([True])


def _ends(stmt: object) -> bool:
    """Whether ``stmt`` is a line ending in ``return`` or ``raise``."""
    return isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[-1], (cst.Return, cst.Raise))
