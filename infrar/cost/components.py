"""The cost components of one line (Infracost's breakdown): quantity x unit price, summed.

An implementation's formula is split into the terms it sums (products are distributed over the
sums they multiply: ``(1 + ha) * (hours * hourly + gb * gb_month)`` is four terms). In each term
the unit price is the price-like factor (``vcpu_second``, ``storage_gb_month``,
``instance_hourly``, ``put_per_1000`` ...) and the monthly quantity is the rest; terms with the
same unit price are added up. The components therefore always sum to the line's cost.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import dataclass

from infrar.cost.formula import Formula, evaluate

__all__ = ["Component", "components", "unit_of"]

# price-name patterns -> the unit its quantity is counted in (first match wins)
_UNITS = tuple((re.compile(pattern), unit) for pattern, unit in (
    (r"vcpu_hour$", "vCPU-hours"), (r"vcpu_second$", "vCPU-seconds"), (r"gi?b_second$", "GiB-seconds"),
    (r"gb_hour$", "GB-hours"), (r"gb_month$", "GB-months"), (r"gib_month$", "GiB-months"), (r"per_gb$", "GB"),
    (r"metric_month$", "metric-months"), (r"per_mib$", "MiB"), (r"per_million_spans$", "1M spans"),
    (r"per_million_traces$", "1M traces"),
    (r"per_1000$", "1k requests"), (r"per_10000$", "10k requests"), (r"operations$", "1M operations"),
    (r"per_million$", "1M requests"), (r"per_tb_scanned$", "TB scanned"), (r"per_tib$", "TiB"),
    (r"(^|_)hour$|hourly$", "hours"), (r"_month$", "months"), (r"_second$", "seconds"),
))


# names that are conversion factors or allowances, not prices
_CONSTANT = re.compile(r"(included_|hours_per_|kib_per_|[a-z]+_per_(month|tib)$)")


@dataclass(frozen=True)
class Component:
    name: str  # the unit price's name in the model, e.g. "storage_gb_month"
    unit: str
    quantity: float  # monthly, in ``unit``
    unit_price: float
    monthly: float


def unit_of(price: str) -> str | None:
    """The unit a price is per (None: the name is not a price but a constant such as ``zones``)."""
    if _CONSTANT.match(price):
        return None
    return next((unit for pattern, unit in _UNITS if pattern.search(price)), None)


def _terms(node: ast.expr) -> list[tuple[float, ast.expr]]:
    """``node`` as a sum of (sign, product) terms, products distributed over sums."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        sign = -1.0 if isinstance(node.op, ast.Sub) else 1.0
        return _terms(node.left) + [(s * sign, t) for s, t in _terms(node.right)]
    if isinstance(node, ast.UnaryOp):
        return [(-s if isinstance(node.op, ast.USub) else s, t) for s, t in _terms(node.operand)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
        left, right = _terms(node.left), _terms(node.right)
        if isinstance(node.op, ast.Div):
            right = [(1.0, node.right)]  # a quotient is distributed over its numerator only
        return [(ls * rs, ast.BinOp(left=lt, op=node.op, right=rt)) for ls, lt in left for rs, rt in right]
    return [(1.0, node)]


def _price_factor(node: ast.expr, prices: set[str]) -> str | None:
    """The price-like name multiplying ``node`` (searched through * and the numerator of /)."""
    if isinstance(node, ast.Name):
        return node.id if node.id in prices and unit_of(node.id) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return _price_factor(node.right, prices) or _price_factor(node.left, prices)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return _price_factor(node.left, prices)
    return None


def _value(node: ast.expr, values: Mapping[str, float], where: str) -> float:
    names = frozenset(n.id for n in ast.walk(node) if isinstance(n, ast.Name)) - {"min", "max"}
    tree = ast.Expression(body=node)
    return evaluate(Formula(ast.unparse(node), where, tree, names), values)


def components(formula: Formula, values: Mapping[str, float], prices: set[str]) -> list[Component]:
    """The components of ``formula`` at ``values``; ``prices`` are the names that may be unit prices."""
    found: dict[str, list[float]] = {}
    for sign, term in _terms(formula.tree.body):
        cost = sign * _value(term, values, formula.where)
        price = _price_factor(term, prices)
        key = price or "other"
        found.setdefault(key, [0.0, 0.0])
        found[key][0] += cost
    result: list[Component] = []
    for name, (cost, _) in found.items():
        if name == "other":
            result.append(Component("other", "month", 1.0, cost, cost))
            continue
        unit_price = values[name]
        quantity = cost / unit_price if unit_price else 0.0
        result.append(Component(name, unit_of(name) or "", quantity, unit_price, cost))
    return [c for c in result if c.monthly != 0 or c.quantity != 0]
