"""Which argument of an infrar call names its resource, and its value when the module fixes it.

A plugin's ``plugin.yaml`` says which parameter of each function names which kind of resource
(``{parameter: bucket, kind: bucket}``). The call's arguments are bound to that function's
parameter list, read from the source of its module (or, failing that, of an adapter, whose
methods have the same signature), exactly as Python binds them: ``query(sql)`` of
``query(sql, database="main")`` passes no database, so the default ``"main"`` is used.

A passed value is a name when it is a literal string, a module-level constant assigned once
and read where no other binding shadows it, or an f-string or ``+`` of those; anything else
stays an expression to report.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from functools import lru_cache

from infrar.erase.catalog import Function, module_file
from infrar.erase.resolve import Calls, lookup
from infrar.plugins import method_name

__all__ = ["Constants", "default", "parameters", "passed"]

# f-string conversions: none, !s, !r, !a
_CONVERSIONS: dict[int, Callable[[object], str]] = {-1: str, 115: str, 114: repr, 97: ascii}


@lru_cache(maxsize=256)
def _definition(module: str, names: tuple[str, ...]) -> ast.arguments | None:
    """The parameters of the function ``names`` (a function, or a class then a method) of ``module``."""
    path = module_file(module)
    if path is None:
        return None
    try:
        body: list[ast.stmt] = ast.parse(path.read_bytes(), str(path)).body
    except (SyntaxError, ValueError, OSError):
        return None
    for name in names:
        found = next((s for s in body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                      and s.name == name), None)
        if found is None:
            return None
        if not isinstance(found, ast.ClassDef):
            return found.args if name == names[-1] else None
        body = found.body
    return None


def parameters(function: Function) -> ast.arguments | None:
    """The parameter list of ``function``, as its api module (or else an adapter) defines it."""
    module, _, name = function.qualified.rpartition(".")
    found = _definition(module, (name,))
    if found is not None:
        return found
    method = method_name(function.plugin, function.qualified)
    for target in function.plugin.adapters.values():
        adapter_module, _, cls = target.partition(":")
        found = _definition(adapter_module, (cls, method))
        if found is not None and (found.posonlyargs or found.args):
            # the same parameters without `self` (defaults align to the end, so they still match)
            posonly, args = (found.posonlyargs[1:], found.args) if found.posonlyargs else ([], found.args[1:])
            return ast.arguments(posonlyargs=posonly, args=args, vararg=found.vararg,
                                 kwonlyargs=found.kwonlyargs, kw_defaults=found.kw_defaults,
                                 kwarg=found.kwarg, defaults=found.defaults)
    return None


def passed(call: ast.Call, params: ast.arguments, parameter: str) -> ast.expr | ast.keyword | None:
    """What ``call`` passes as ``parameter``: its argument, a ``*args``/``**kwargs`` that may hold
    it, or None when the call leaves it to its default."""
    positional_only = parameter in {a.arg for a in params.posonlyargs}
    if not positional_only:
        for keyword in call.keywords:
            if keyword.arg == parameter:
                return keyword.value
    positional = [a.arg for a in (*params.posonlyargs, *params.args)]
    if parameter in positional:
        index = positional.index(parameter)
        for position, argument in enumerate(call.args):
            if isinstance(argument, ast.Starred) or position == index:
                return argument
    if not positional_only:
        return next((k for k in call.keywords if k.arg is None), None)
    return None


def default(params: ast.arguments, parameter: str) -> ast.expr | None:
    """The default value of ``parameter``, as written in the function's definition."""
    positional = [*params.posonlyargs, *params.args]
    offset = len(positional) - len(params.defaults)
    for index, arg in enumerate(positional):
        if arg.arg == parameter:
            return params.defaults[index - offset] if index >= offset else None
    for arg, value in zip(params.kwonlyargs, params.kw_defaults, strict=True):
        if arg.arg == parameter:
            return value
    return None


class Constants:
    """Values of a module's expressions that the module's own text fixes."""

    def __init__(self, calls: Calls) -> None:
        self._scopes = calls.scopes
        self._module = calls.walk.module
        self._assigned: dict[str, ast.expr] = {}  # top-level `NAME = value`
        for stmt in calls.walk.tree.body:
            if isinstance(stmt, ast.Assign):
                pairs = [(target, stmt.value) for target in stmt.targets]
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                pairs = [(stmt.target, stmt.value)]
            else:
                continue
            self._assigned.update((t.id, value) for t, value in pairs if isinstance(t, ast.Name))

    def string(self, node: ast.AST) -> str | None:
        """The literal string ``node`` evaluates to, or None if it is not fixed by the module."""
        found = self._value(node, frozenset())
        return found if isinstance(found, str) else None

    def _value(self, node: ast.AST, seen: frozenset[str]) -> str | int | None:
        if isinstance(node, ast.Constant):
            value = node.value
            return value if isinstance(value, (str, int)) and not isinstance(value, bool) else None
        if isinstance(node, ast.Name):
            return self._constant(node, seen)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self._value(node.left, seen), self._value(node.right, seen)
            return left + right if isinstance(left, str) and isinstance(right, str) else None
        if isinstance(node, ast.JoinedStr):
            parts = [self._value(v, seen) for v in node.values]
            strings = [p for p in parts if isinstance(p, str)]
            return "".join(strings) if len(strings) == len(parts) else None
        if isinstance(node, ast.FormattedValue):
            return self._formatted(node, seen)
        return None

    def _formatted(self, node: ast.FormattedValue, seen: frozenset[str]) -> str | None:
        value = self._value(node.value, seen)
        spec = "" if node.format_spec is None else self._value(node.format_spec, seen)
        convert = _CONVERSIONS.get(node.conversion)
        if value is None or not isinstance(spec, str) or convert is None:
            return None
        try:
            return format(convert(value) if node.conversion != -1 else value, spec)
        except ValueError:
            return None

    def _constant(self, name: ast.Name, seen: frozenset[str]) -> str | int | None:
        scope = self._scopes.get(id(name))
        bindings = self._module.bound.get(name.id)
        # assigned once at the top of the module, and that is the binding this read sees
        if (scope is None or name.id in seen or bindings is None or len(bindings) != 1
                or lookup(scope, name.id) is not bindings or name.id not in self._assigned):
            return None
        return self._value(self._assigned[name.id], seen | {name.id})
