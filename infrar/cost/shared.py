"""Charges a project pays once however many of its resources an implementation prices (``shared:``),
and what such a charge includes once per project (``includes:``), used up by the lines in order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from infrar.cost.formula import Formula, FormulaError, compile_formula
from infrar.cost.model_yaml import at, error, mapping, unknown_keys

if TYPE_CHECKING:
    from infrar.cost.models import Implementation

__all__ = ["Allowance", "SharedCharge", "check_shared_agree", "parse_allowance", "parse_shared"]

_SHARED_KEYS = ("name", "title", "formula", "includes")
_ALLOWANCE_KEYS = ("name", "quantity", "amount")


@dataclass(frozen=True)
class Allowance:
    """What a shared charge includes once per project (a namespace's 13 M operations a month), used
    up by the implementation's lines in project order. Each line's formula reads ``name`` (what the
    line uses, ``quantity`` evaluated for it) and ``<name>_included`` (the part the allowance still
    covered), so the project as a whole, not each resource, gets the allowance once."""

    name: str
    quantity: Formula
    amount: str  # the price that is the allowance

    @property
    def included_name(self) -> str:
        return f"{self.name}_included"


@dataclass(frozen=True)
class SharedCharge:
    """What a project pays once however many of its resources an implementation prices (a shared
    namespace's base charge): its own line, ``name``, reading the implementation's prices only."""

    name: str
    title: str
    formula: Formula
    includes: Allowance | None = None


def parse_shared(raw: Any, prices: Mapping[str, float], file: str, where: str) -> SharedCharge:
    data = mapping(raw, file, where)
    unknown_keys(data, _SHARED_KEYS, file, where)
    for required in _SHARED_KEYS[:3]:
        if required not in data:
            raise error(file, f"{where}.{required}", "missing required key")
    formula = compile_formula(data["formula"], at(file, f"{where}.formula"))
    for name in sorted(formula.names - set(prices)):  # once per project: no resource's settings or usage
        raise FormulaError(f"{formula.where}: formula {formula.text!r}: unknown name {name!r}; a shared charge "
                           "reads the implementation's prices only")
    includes = None if data.get("includes") is None else parse_allowance(data["includes"], prices, file,
                                                                             f"{where}.includes")
    return SharedCharge(name=str(data["name"]), title=str(data["title"]), formula=formula, includes=includes)


def parse_allowance(raw: Any, prices: Mapping[str, float], file: str, where: str) -> Allowance:
    data = mapping(raw, file, where)
    unknown_keys(data, _ALLOWANCE_KEYS, file, where)
    for required in _ALLOWANCE_KEYS:
        if required not in data:
            raise error(file, f"{where}.{required}", "missing required key")
    if data["amount"] not in prices:
        raise error(file, f"{where}.amount", f"{data['amount']!r} is not one of the implementation's prices; "
                    "name the price that is the included amount")
    quantity = compile_formula(data["quantity"], at(file, f"{where}.quantity"))
    return Allowance(name=str(data["name"]), quantity=quantity, amount=str(data["amount"]))


def check_shared_agree(impls: Iterable[Implementation], file: str) -> None:
    """A shared charge several implementations declare is charged once: they must price it alike."""
    first: dict[str, tuple[Implementation, float]] = {}
    for impl in impls:
        for charge in impl.shared:
            value = charge.formula(impl.prices)
            seen = first.setdefault(charge.name, (impl, value))
            if seen[1] != value:
                raise error(file, f"implementations.{impl.id}.shared", f"{charge.name} costs {value:g} here but "
                            f"{seen[1]:g} in {seen[0].id}; it is charged once, so price it alike")
