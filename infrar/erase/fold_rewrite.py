"""The rewrite fold.py applies to one statement of a copied function: a declared check of a
parameter known to hold only valid literals becomes the parameter, an ``isinstance()`` of one, or
whether it ``is None``, is decided (and the branch it decides is the only one kept), and every
other call of copied code is recorded with what it passes, for the function it calls."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any, Protocol

import libcst as cst

from infrar.erase.adapters import Code, Definition, Target
from infrar.erase.inline import is_simple
from infrar.erase.literals import UNKNOWN, Site, literal, site
from infrar.errors import InfrarError

_PLACEHOLDER = "x"  # for an argument that only words a check's message


class Owner(Protocol):
    """What the rewrite reports to (fold._Fold)."""

    folded: int
    made: list[Site]
    alive: list[cst.CSTNode]
    # (type name, literal) -> why a declared check refused it ("" if it passed), and whether that
    # check certainly ran
    refused: dict[tuple[str, object], tuple[str, bool]]

    def callee(self, target: Target | None) -> Definition | None: ...


def _check(code: Code) -> tuple[Any, tuple[int, ...]] | None:
    """The runtime check ``code`` names and the positions deciding its verdict, if it declares them."""
    try:
        module = importlib.import_module(code.module)
    except Exception:  # a module erase cannot import is a module it does not fold
        return None
    positions = getattr(module, "ERASE_TIME_CHECKS", {}).get(code.name)
    return None if positions is None else (getattr(module, code.name), tuple(positions))


def _constant(target: Target | None) -> object:
    """The value of a module-level constant of copied code (a rule), else UNKNOWN."""
    if not isinstance(target, Code) or "." in target.name:
        return UNKNOWN
    try:
        return getattr(importlib.import_module(target.module), target.name, UNKNOWN)
    except Exception:  # see _check
        return UNKNOWN


def passes(check: Any, args: list[object], kwargs: dict[str, object], subject: int) -> bool | str:
    """Whether the check returns ``args[subject]`` unchanged (the same type, an equal value); where
    it refuses the value (raises an infrar error), why, as "Class: message"."""
    try:
        result = check(*args, **kwargs)
    except InfrarError as exc:  # the check's own verdict: it stays in the copy, and erase says so
        return f"{type(exc).__name__}: {exc}"
    except Exception:  # any other failure keeps the check in the copy
        return False
    return type(result) is type(args[subject]) and result == args[subject]


# Parts of a statement that may not run when the statement does (or run after what they read changed).
_CONDITIONAL = (cst.IfExp, cst.BooleanOperation, cst.If, cst.For, cst.While, cst.Try, cst.TryStar, cst.Match,
                cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp, cst.Lambda, cst.FunctionDef,
                cst.ClassDef)
# The key of a recorded call's facts that says whether the call certainly runs when its caller does
# (not a parameter name: fold._merge reads only those).
REACHED = "<reached>"
PASS = cst.SimpleStatementLine([cst.Pass()])
_SINGLETONS = {"None": None, "True": True, "False": False}
TYPES = {"str": str, "bytes": bytes, "int": int, "float": float, "bool": bool}


def decided(expr: cst.BaseExpression) -> bool | None:
    """True or False for the Name a decided test (``isinstance()``, ``is None``) became, else None."""
    if isinstance(expr, cst.Name) and expr.value in ("True", "False") and not expr.lpar:
        return expr.value == "True"
    return None


class Folder(cst.CSTTransformer):
    """Replaces a declared check of a known parameter by the parameter; records every other call."""

    def __init__(self, owner: Owner, definition: Definition, known: dict[str, frozenset[object]],
                 refs: dict[int, Target], *, fold: bool, types: bool = False, certain: bool = False) -> None:
        super().__init__()
        # whether the statement certainly runs when its function does (only then is a refused
        # literal certainly refused at run time), and how deep in a part that may not run it is
        self.certain = certain
        self.conditional = 0
        self.types = types  # whether isinstance() of a known parameter may be decided
        self.lambdas = 0  # inside a lambda, which may run after the names it reads are rebound
        self.owner = owner
        self.definition = definition
        self.known = known
        self.refs = refs  # carried over to the rebuilt nodes, so copied names still resolve
        self.fold = fold
        self.called: set[int] = set()  # the func nodes of calls
        # every node given a ref stays alive until the refs are pruned (_Fold.run), so that the id
        # of one dropped with a folded call is not reused by a node of the new tree meanwhile
        self.alive: list[cst.CSTNode] = owner.alive

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, _CONDITIONAL):
            self.conditional += 1
        return super().on_visit(node)

    def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode) -> Any:
        if isinstance(original, _CONDITIONAL):
            self.conditional -= 1
        result = super().on_leave(original, updated)
        target = self.definition.refs.get(id(original))
        if target is not None and isinstance(result, cst.CSTNode):
            self.refs[id(result)] = target
            self.alive.append(result)
        return result

    def visit_Call(self, node: cst.Call) -> None:
        self.called.add(id(node.func))

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.lambdas += 1

    def leave_Lambda(self, original: cst.Lambda, updated: cst.Lambda) -> cst.BaseExpression:
        self.lambdas -= 1
        return updated

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if self.lambdas:
            self._record(original, updated, {})
            return updated
        verdict = self._isinstance(original, updated) if self.fold and self.types else None
        if verdict is not None:
            self.owner.folded += 1
            return cst.Name(str(verdict), lpar=updated.lpar, rpar=updated.rpar)
        target = self.definition.refs.get(id(original.func))
        callee = self.owner.callee(target)
        if callee is None or not isinstance(target, Code):
            return updated
        subject = self._checked(target, original, updated) if self.fold else None
        if subject is not None:
            self.owner.folded += 1
            return cst.Name(subject, lpar=updated.lpar, rpar=updated.rpar)
        self._record(original, updated, self.known)
        return updated

    def _record(self, original: cst.Call, updated: cst.Call, known: dict[str, frozenset[object]]) -> None:
        """What a call of copied code passes, for the function it calls."""
        callee = self.owner.callee(self.definition.refs.get(id(original.func)))
        if callee is not None:
            code, held = site(callee, updated, known)
            self.owner.made.append((code, {**held, REACHED: frozenset([self.reached])}))

    @property
    def reached(self) -> bool:
        """Whether the node being left certainly runs when its function does."""
        return self.certain and not self.conditional and not self.lambdas

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        self._used_as_value(original)
        return updated

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        self._used_as_value(original)
        return updated

    def _used_as_value(self, original: cst.CSTNode) -> None:
        """A copied function used other than by a call (a callback): nothing is known of its calls."""
        if id(original) in self.called:
            return
        callee = self.owner.callee(self.definition.refs.get(id(original)))
        if callee is not None and isinstance(callee.node, cst.FunctionDef):
            self.owner.made.append((callee.key, {}))

    def _isinstance(self, original: cst.Call, updated: cst.Call) -> bool | None:
        """``isinstance(p, str)`` (or a tuple of builtin types) decided for every literal ``p`` holds."""
        if not (isinstance(original.func, cst.Name) and original.func.value == "isinstance"
                and id(original.func) not in self.definition.refs and len(updated.args) == 2):
            return None
        subject, kinds = (arg.value for arg in updated.args)
        if any(arg.star or arg.keyword for arg in updated.args) or not isinstance(subject, cst.Name):
            return None
        names = [e.value for e in kinds.elements] if isinstance(kinds, cst.Tuple) else [kinds]
        if subject.value not in self.known or not all(isinstance(n, cst.Name) and n.value in TYPES for n in names):
            return None
        classes = tuple(TYPES[n.value] for n in names if isinstance(n, cst.Name))
        verdicts = {isinstance(value, classes) for value in self.known[subject.value]}
        return verdicts.pop() if len(verdicts) == 1 else None

    def leave_Comparison(self, original: cst.Comparison, updated: cst.Comparison) -> cst.BaseExpression:
        """``p is None`` / ``p is not None`` (or True, False) decided for every literal ``p`` holds:
        those three cannot be rebound, so no builtin is involved. A chain is left as written."""
        if not self.fold or self.lambdas or len(updated.comparisons) != 1:
            return updated
        subject, (part,) = updated.left, updated.comparisons
        if not (isinstance(subject, cst.Name) and subject.value in self.known and not subject.lpar
                and isinstance(part.comparator, cst.Name) and part.comparator.value in _SINGLETONS
                and isinstance(part.operator, (cst.Is, cst.IsNot))):
            return updated
        negate, singleton = isinstance(part.operator, cst.IsNot), _SINGLETONS[part.comparator.value]
        verdicts = {(value is singleton) != negate for value in self.known[subject.value]}
        if len(verdicts) != 1:
            return updated
        self.owner.folded += 1
        return cst.Name(str(verdicts.pop()), lpar=updated.lpar, rpar=updated.rpar)

    def leave_UnaryOperation(self, original: cst.UnaryOperation,
                             updated: cst.UnaryOperation) -> cst.BaseExpression:
        verdict = decided(updated.expression) if isinstance(original.expression, (cst.Call, cst.Comparison)) else None
        if isinstance(updated.operator, cst.Not) and verdict is not None:
            return cst.Name(str(not verdict), lpar=updated.lpar, rpar=updated.rpar)
        return updated

    def leave_BooleanOperation(self, original: cst.BooleanOperation,
                               updated: cst.BooleanOperation) -> cst.BaseExpression:
        """``False or x`` is ``x``, ``True or x`` is True (and so on): exactly what Python evaluates."""
        verdict = decided(updated.left)
        if verdict is None:
            return updated
        either = isinstance(updated.operator, cst.Or)
        chosen = updated.left if verdict == either else updated.right
        return chosen.with_changes(lpar=updated.lpar, rpar=updated.rpar) if updated.lpar else chosen

    def leave_IfExp(self, original: cst.IfExp, updated: cst.IfExp) -> cst.BaseExpression:
        verdict = decided(updated.test) if not isinstance(original.test, cst.Name) else None
        if verdict is None:
            return updated
        chosen = updated.body if verdict else updated.orelse
        return chosen.with_changes(lpar=updated.lpar, rpar=updated.rpar) if updated.lpar else chosen

    def leave_If(self, original: cst.If, updated: cst.If) -> Any:
        verdict = decided(updated.test) if not isinstance(original.test, cst.Name) else None
        if verdict is None:
            return updated
        statements = taken(updated, verdict)
        return cst.FlattenSentinel(statements) if statements else cst.RemoveFromParent()

    def leave_Expr(self, original: cst.Expr, updated: cst.Expr) -> cst.Expr | cst.RemovalSentinel:
        if isinstance(original.value, cst.Call) and isinstance(updated.value, cst.Name):
            return cst.RemoveFromParent()  # a check called for its verdict only, now known
        return updated

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign | cst.RemovalSentinel:
        target, value = updated.targets[0].target, updated.value
        if (len(updated.targets) == 1 and isinstance(original.value, cst.Call) and isinstance(target, cst.Name)
                and isinstance(value, cst.Name) and target.value == value.value):
            return cst.RemoveFromParent()  # `prefix = check_prefix(prefix, ...)` with the check folded
        return updated

    def leave_SimpleStatementLine(
        self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine | cst.RemovalSentinel:
        return updated if updated.body else cst.RemoveFromParent()

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        return updated if updated.body else updated.with_changes(body=[PASS])

    def _checked(self, target: Code, original: cst.Call, updated: cst.Call) -> str | None:
        """The parameter a declared check ``target`` returns here, if every literal it can hold
        passes the check; else None."""
        found = _check_of(target)
        if found is None or any(arg.star for arg in updated.args):
            return None
        check, deciding = found
        if not deciding or max(deciding) >= sum(1 for arg in updated.args if arg.keyword is None):
            return None  # a deciding argument passed by keyword: not followed
        subject = updated.args[deciding[0]].value
        if not isinstance(subject, cst.Name) or subject.value not in self.known:
            return None
        if not all(is_simple(arg.value) for arg in updated.args):
            return None  # leaving the call out would leave out what evaluating an argument does
        args: list[object] = []
        kwargs: dict[str, object] = {}
        placeholders = False  # an argument erase cannot read stands in the message: not shown to the user
        for index, (old, new) in enumerate(zip(original.args, updated.args, strict=True)):
            value = literal(new.value)
            if value is UNKNOWN:
                value = _constant(self.definition.refs.get(id(old.value)))
            if value is UNKNOWN and index in deciding[1:]:
                return None  # a rule erase cannot read: the verdict is not known
            placeholders = placeholders or (value is UNKNOWN and index != deciding[0])
            value = _PLACEHOLDER if value is UNKNOWN else value
            if new.keyword is None:
                args.append(value)
            else:
                kwargs[new.keyword.value] = value
        for value in self.known[subject.value]:
            args[deciding[0]] = value
            verdict = passes(check, args, kwargs, deciding[0])
            key = (type(value).__name__, value)
            if isinstance(verdict, str):  # the class alone where the message would show a stand-in
                why = verdict.partition(":")[0] if placeholders else verdict
                if not self.owner.refused.get(key, ("", False))[1]:
                    self.owner.refused[key] = (why, self.reached)
            else:
                self.owner.refused.setdefault(key, ("", False))  # checked, and passed (or not decided)
            if verdict is not True:
                return None
        return subject.value


def taken(stmt: cst.If, verdict: bool) -> list[cst.BaseStatement]:
    """What an ``if`` whose test is ``verdict`` runs: the branch a literal takes is the only one copied."""
    if verdict:
        return _statements(stmt.body, stmt.leading_lines)
    if isinstance(stmt.orelse, cst.If):
        return [stmt.orelse.with_changes(leading_lines=stmt.leading_lines)]
    if isinstance(stmt.orelse, cst.Else):
        return _statements(stmt.orelse.body, stmt.leading_lines)
    return []


def _statements(block: cst.BaseSuite, leading: Sequence[cst.EmptyLine]) -> list[cst.BaseStatement]:
    """The statements of an ``if`` branch, to stand in its place (its comments kept above them)."""
    if isinstance(block, cst.SimpleStatementSuite):
        return [cst.SimpleStatementLine(list(block.body), leading_lines=leading)]
    assert isinstance(block, cst.IndentedBlock)
    statements = list(block.body)
    if statements:
        first = statements[0]
        statements[0] = first.with_changes(leading_lines=[*leading, *getattr(first, "leading_lines", ())])
    return statements


_CHECKS: dict[Code, tuple[Any, tuple[int, ...]] | None] = {}


def _check_of(code: Code) -> tuple[Any, tuple[int, ...]] | None:
    if code not in _CHECKS:
        _CHECKS[code] = _check(code)
    return _CHECKS[code]
