"""What a program passes into the copied code, as erase can know it: literal arguments, the
program's module-level constants, and what each parameter of a called function holds at a call
(fold.py specialises the copies on it)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from typing import Any

import libcst as cst

from infrar.erase.adapters import Code, Definition
from infrar.erase.ast_nodes import walked
from infrar.erase.inline import bind

UNKNOWN: Any = object()  # what a parameter holds when it is not one of known literals
Values = frozenset[object] | None  # every literal a parameter can hold; None: not known
Site = tuple[Code, dict[str, Values]]  # a call of a copied function: what each parameter holds
_LITERALS = (cst.SimpleString, cst.ConcatenatedString, cst.Integer, cst.Float)


def literal(expr: cst.BaseExpression) -> object:
    """The value of a literal argument (a string, bytes, number, True, False, None), else UNKNOWN."""
    if isinstance(expr, cst.Name) and expr.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[expr.value]
    numeric = isinstance(expr, cst.UnaryOperation) and isinstance(expr.expression, (cst.Integer, cst.Float))
    if not (isinstance(expr, _LITERALS) or numeric):
        return UNKNOWN
    try:
        return ast.literal_eval(cst.Module([]).code_for_node(expr))
    except (ValueError, SyntaxError):  # an f-string part of a concatenation
        return UNKNOWN


def constants(tree: ast.Module) -> dict[str, object]:
    """The program's module-level names bound once, to a literal, and nowhere else in any scope
    (``BUCKET = "reports"``, ``B, K = "b", "k"``): every read of one reads that literal. None at all
    where the module reaches its namespace another way (``globals()``, ``exec``, ``import *``), and
    not a name it sets as an attribute (``sys.modules[__name__].BUCKET = ...``, ``setattr(m, "BUCKET", v)``).

    A name another module of the tree may set (``patched_names``) is left out by the caller."""
    bindings: dict[str, int] = {}
    for node in walked(tree):
        for name in _bound_by(node) + _sets(node) * 2:  # set on a module (this one?): never one binding
            bindings[name] = bindings.get(name, 0) + 1
        if isinstance(node, ast.Name) and node.id in ("globals", "vars", "exec", "eval", "locals"):
            return {}
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            return {}  # binds names no one can see here
    found: dict[str, object] = {}
    for stmt in tree.body:
        pairs: list[tuple[ast.expr, ast.expr]] = []
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
            if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) and len(target.elts) == len(value.elts):
                pairs = list(zip(target.elts, value.elts, strict=True))
            else:
                pairs = [(target, value)]
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            pairs = [(stmt.target, stmt.value)]
        for target, value in pairs:
            if isinstance(target, ast.Name) and bindings.get(target.id) == 1 and _is_literal(value):
                found[target.id] = ast.literal_eval(value)
    return found


# calls that set or delete an attribute named by a string: setattr(m, "B", v), monkeypatch.setattr(m, "B", v),
# monkeypatch.setattr("app.B", v), mock.patch("app.B"), mock.patch.object(m, "B"), delattr(m, "B")
_SETTERS = {"setattr", "delattr", "patch", "object", "delitem", "setitem"}


# Read from the bytes of every file of a tree, most of which never mention infrar: parsing
# them all would cost more than erasing the rest. Each pattern may find more than is set,
# which only leaves a constant unfolded.
_ATTRIBUTE_SET = re.compile(rb"\.[ \t]*([A-Za-z_]\w*)[ \t]*(?::[^=\n]+)?(?:\*\*|//|>>|<<|[-+*/%&|^@])?=(?!=)")
_DELETED = re.compile(rb"\bdel\b([^\n;#]*)")
_ATTRIBUTE = re.compile(rb"\.[ \t]*([A-Za-z_]\w*)")
_NAME_STRING = re.compile(rb"""(["'])([A-Za-z_][\w.]*)\1""")


def patched_names(sources: Iterable[bytes]) -> frozenset[str]:
    """Names any of ``sources`` may set on another module: ``app.BUCKET = ...`` (or ``+=``,
    ``del app.BUCKET``), and every string that could name one for a ``setattr``-like call
    (``monkeypatch.setattr(app, "BUCKET", v)``, ``mock.patch("app.BUCKET")``: its last part).
    A module constant of that name is not taken for its literal (``constants``): a test or a
    caller may replace it before the program's calls read it."""
    found: set[bytes] = set()
    for source in sources:
        found.update(_ATTRIBUTE_SET.findall(source))
        for deleted in _DELETED.findall(source):
            found.update(_ATTRIBUTE.findall(deleted))
        found.update(name.rpartition(b".")[2] for _quote, name in _NAME_STRING.findall(source))
    return frozenset(name.decode("ascii") for name in found)


def _sets(node: ast.AST) -> list[str]:
    """The attribute names ``node`` may set on some module (see ``patched_names``)."""
    if isinstance(node, ast.Attribute) and not isinstance(node.ctx, ast.Load):
        return [node.attr]
    if isinstance(node, ast.Call) and _callee(node.func) in _SETTERS:
        return [arg.value.rpartition(".")[2] for arg in node.args[:2]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
    return []


def _callee(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _bound_by(node: ast.AST) -> list[str]:
    """The names ``node`` binds, deletes or declares global/nonlocal."""
    if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
        return [node.id]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.arg):
        return [node.arg]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [(a.asname or a.name).partition(".")[0] for a in node.names]
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return list(node.names) * 2  # never one binding: another scope assigns it
    if isinstance(node, ast.ExceptHandler) and node.name:
        return [node.name]
    if isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
        return [node.name]
    if isinstance(node, ast.MatchMapping) and node.rest:
        return [node.rest]
    return []


def _is_literal(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return not isinstance(node.value, type(...))
    return (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant)
            and type(node.operand.value) in (int, float))


def signature(definition: Definition) -> cst.FunctionDef | None:
    """The function as its callers call it (a method without ``self``)."""
    node = definition.node
    if not isinstance(node, cst.FunctionDef):
        return None
    if definition.is_method:
        node = node.with_changes(params=node.params.with_changes(params=node.params.params[1:]))
    return node


def site(definition: Definition, call: cst.Call, known: dict[str, frozenset[object]] | None = None,
         named: dict[str, object] | None = None) -> Site:
    """What each parameter of ``definition`` holds at ``call``; ``known``: what the caller's
    parameters hold; ``named``: the program's constants (a call in the program)."""
    fn = signature(definition)
    bound = bind(fn, call) if fn is not None else None
    if bound is None:
        return definition.key, {}
    held: dict[str, Values] = {}
    for name, expr in bound.items():
        value = literal(expr)
        if value is not UNKNOWN:
            held[name] = frozenset([value])
        elif known and isinstance(expr, cst.Name) and expr.value in known:
            held[name] = known[expr.value]
        elif named and isinstance(expr, cst.Name) and expr.value in named:
            held[name] = frozenset([named[expr.value]])
        else:
            held[name] = None
    return definition.key, held
