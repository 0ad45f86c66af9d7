"""A small, safe formula language for cost models: never ``eval``.

A formula is an arithmetic expression over numbers and names::

    average_instances * hours * (cpu * vcpu_hour + memory_gb * gb_hour) + egress_gb * egress_per_gb

Allowed: numbers, names, ``+ - * /``, unary ``-`` and ``+``, ``min(...)``, ``max(...)`` and
parentheses. The text is parsed with ``ast.parse(mode="eval")`` and every node is checked against
that whitelist before anything is evaluated; anything else (``**``, attribute access, other calls,
strings, comparisons, subscripts, lambdas ...) is a ``FormulaError`` that names where the formula
lives (file and implementation), the formula and the offending construct.
"""

from __future__ import annotations

import ast
import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass

from infrar.errors import InfrarError

__all__ = ["FUNCTIONS", "Formula", "FormulaError", "compile_formula", "evaluate"]

FUNCTIONS = ("min", "max")
MAX_LENGTH = 4000
MAX_DEPTH = 60
HELP = "formulas may use numbers, names, + - * /, min(), max() and parentheses"

_OPERATORS: dict[type[ast.operator], str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}

# What to call a construct that is not allowed, by AST node class.
_DESCRIPTIONS: dict[type[ast.AST], str] = {
    ast.Pow: "'**' (power)", ast.FloorDiv: "'//' (floor division)", ast.Mod: "'%' (modulo)",
    ast.MatMult: "'@'", ast.BitAnd: "'&'", ast.BitOr: "'|'", ast.BitXor: "'^'",
    ast.LShift: "'<<'", ast.RShift: "'>>'", ast.Invert: "'~'", ast.Not: "'not'",
    ast.Attribute: "attribute access", ast.Subscript: "subscript", ast.Compare: "a comparison",
    ast.BoolOp: "'and'/'or'", ast.IfExp: "a conditional expression", ast.Lambda: "a lambda",
    ast.List: "a list", ast.Tuple: "a tuple", ast.Dict: "a dict", ast.Set: "a set",
    ast.ListComp: "a comprehension", ast.GeneratorExp: "a generator", ast.DictComp: "a comprehension",
    ast.SetComp: "a comprehension", ast.JoinedStr: "an f-string", ast.NamedExpr: "':=' (assignment)",
    ast.Starred: "'*' unpacking", ast.Await: "'await'", ast.Yield: "'yield'",
}


class FormulaError(InfrarError, ValueError):
    """A cost formula is not allowed, cannot be parsed, or cannot be evaluated."""


@dataclass(frozen=True)
class Formula:
    """A checked formula: its text, where it comes from, and the names it reads."""

    text: str
    where: str  # e.g. "cost_models/aws.yaml: implementations.aws_s3.formula"
    tree: ast.Expression
    names: frozenset[str]

    def __call__(self, values: Mapping[str, float]) -> float:
        return evaluate(self, values)


def _fail(text: str, where: str, problem: str) -> FormulaError:
    return FormulaError(f"{where}: formula {text!r}: {problem}")


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.Constant):
        kind = "a string" if isinstance(node.value, (str, bytes)) else f"the constant {node.value!r}"
        return kind
    if isinstance(node, ast.Call):
        func = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
        return f"a call to {func!r} (only {', '.join(FUNCTIONS)} may be called)"
    return _DESCRIPTIONS.get(type(node), f"{type(node).__name__!r}")


def _check(node: ast.AST, text: str, where: str, names: set[str], depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise _fail(text, where, f"nested more than {MAX_DEPTH} levels deep; simplify it")

    def bad(culprit: ast.AST) -> FormulaError:
        column = getattr(culprit, "col_offset", None)
        at = f" at column {column + 1}" if column is not None else ""
        return _fail(text, where, f"{_describe(culprit)}{at} is not allowed; {HELP}")

    if isinstance(node, ast.Expression):
        _check(node.body, text, where, names, depth + 1)
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise bad(node)
    elif isinstance(node, ast.Name):
        names.add(node.id)
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _OPERATORS:
            raise _fail(text, where, f"{_describe(node.op)} in {ast.unparse(node)!r} is not allowed; {HELP}")
        _check(node.left, text, where, names, depth + 1)
        _check(node.right, text, where, names, depth + 1)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise _fail(text, where, f"{_describe(node.op)} at column {node.col_offset + 1} "
                                     f"is not allowed; {HELP}")
        _check(node.operand, text, where, names, depth + 1)
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            raise bad(node)
        if node.keywords:
            raise _fail(text, where, f"keyword arguments in {ast.unparse(node)!r} are not allowed; {HELP}")
        if not node.args:
            raise _fail(text, where, f"{node.func.id}() needs at least one argument")
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise bad(arg)
            _check(arg, text, where, names, depth + 1)
    else:
        raise bad(node)


def compile_formula(text: object, where: str) -> Formula:
    """Parse and check ``text``; FormulaError names ``where``, the formula and what is wrong."""
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise FormulaError(f"{where}: formula must be a string or a number, got {type(text).__name__}")
    source = " ".join(str(text).split())  # YAML block scalars may span lines
    if not source:
        raise _fail(source, where, "is empty; write an expression such as 'storage_gb * price_per_gb'")
    if len(source) > MAX_LENGTH:
        raise _fail(source[:60] + "...", where, f"is longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        column = f" at column {exc.offset}" if exc.offset else ""
        raise _fail(source, where, f"is not a valid expression{column} ({exc.msg}); {HELP}") from None
    names: set[str] = set()
    _check(tree, source, where, names)
    return Formula(text=source, where=where, tree=tree, names=frozenset(names - set(FUNCTIONS)))


def evaluate(formula: Formula, values: Mapping[str, float]) -> float:
    """The value of ``formula`` with ``values`` for its names."""
    missing = sorted(name for name in formula.names if name not in values)
    if missing:
        close = difflib.get_close_matches(missing[0], list(values), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else "; define it under prices: or usage:"
        raise _fail(formula.text, formula.where, f"unknown name {missing[0]!r}{hint}")
    result = _eval(formula.tree.body, values, formula)
    if not math.isfinite(result):
        raise _fail(formula.text, formula.where, f"result is not a finite number ({result})")
    return result


def _eval(node: ast.expr, values: Mapping[str, float], formula: Formula) -> float:
    if isinstance(node, ast.Constant):
        assert isinstance(node.value, (int, float))  # guaranteed by _check
        return float(node.value)
    if isinstance(node, ast.Name):
        value = values[node.id]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _fail(formula.text, formula.where, f"name {node.id!r} is {value!r}, not a number")
        return float(value)
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values, formula)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left = _eval(node.left, values, formula)
        right = _eval(node.right, values, formula)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if right == 0:
            raise _fail(formula.text, formula.where,
                        f"division by zero: {ast.unparse(node.right)!r} is 0; give it a non-zero value "
                        "or guard it with max(..., 1)")
        return left / right
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        args = [_eval(arg, values, formula) for arg in node.args]
        return min(args) if node.func.id == "min" else max(args)
    raise _fail(formula.text, formula.where, f"{_describe(node)} is not allowed")  # pragma: no cover
