"""What a price API returned for one filter (``Quote``s) and how one price is chosen from them.

Every API gives a price per its own unit, in tiers; a key's price is the tier its source names,
converted to the model's unit. Nothing matched, or several distinct prices, is an error that
names the key, the filter and what matched: never a guess.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from infrar.cost.model_yaml import CostModelError
from infrar.cost.pricing.sources import FIRST_PAID, PriceSource, to_model_unit

__all__ = ["PriceApi", "PriceFetchError", "Quote", "choose", "env_url", "parse_unit", "region_of", "selected"]

_SHOWN = 4  # matches listed in an error


class PriceFetchError(CostModelError):
    """A price API could not be reached or answered something else than its documented format."""


@dataclass(frozen=True)
class Quote:
    price: float  # per ``unit`` of the API
    unit: str  # the API's unit text, as it wrote it
    tier: float  # the tier's start, in the API's units
    item: str  # the priced item (tiers of one item share it): meter, SKU or product id
    label: str  # what matched, for messages


class PriceApi(Protocol):
    """One cloud's price source: ``quotes`` are every tier of every item ``source`` matches in ``region``."""

    name: str  # the API's address, written as ``source:`` of the fetched table

    def quotes(self, source: PriceSource, region: str) -> list[Quote]: ...

    def unit(self, text: str) -> tuple[str, float] | None: ...


def region_of(value: str, region: str) -> str:
    """A filter value with ``{region}`` replaced by the region being fetched."""
    return value.replace("{region}", region)


def selected(source: PriceSource, fields: Mapping[str, str]) -> bool:
    """Whether an item's ``fields`` pass the source's ``contains`` and ``exclude`` (matched by the importer)."""
    for name, text in source.contains.items():
        if text not in fields.get(name, ""):
            return False
    return not any(text in fields.get(name, "") for name, texts in source.exclude.items() for text in texts)


def parse_unit(text: str, words: Mapping[str, tuple[str, float]]) -> tuple[str, float] | None:
    """``100 Hours``, ``10K``, ``1 GB/Month`` -> (dimension, amount) through the API's ``words``."""
    found = re.fullmatch(r"\s*(?:(\d+(?:\.\d+)?)([KM]?))?\s*/?\s*(.*?)\s*", text)
    if found is None:
        return None
    count = float(found.group(1) or 1) * {"": 1, "K": 1e3, "M": 1e6}[found.group(2) or ""]
    unit = words.get(found.group(3).lower())
    return None if unit is None else (unit[0], unit[1] * count)


def _tier_of(tiers: Sequence[Quote], source: PriceSource) -> Quote | str | None:
    """The tier ``source`` takes of one item's tiers (a string: why none can be taken)."""
    ordered = sorted(tiers, key=lambda q: q.tier)
    if source.tier == FIRST_PAID:
        return next((q for q in ordered if q.price > 0), None)
    if source.tier is None:
        if len(ordered) == 1:
            return ordered[0]
        starts = ", ".join(f"{q.tier:g}" for q in ordered)
        return (f"{ordered[0].label} has tiers starting at {starts} {ordered[0].unit}; "
                f"give tier: (a start or {FIRST_PAID})")
    return next((q for q in ordered if q.tier == source.tier), None)


def choose(source: PriceSource, quotes: Sequence[Quote], api: PriceApi, region: str) -> float:
    """The one price of ``source`` in ``region``, per the model's unit."""
    what = f"{source.where}: {source.shown()} in {region} ({api.name})"
    if not quotes:
        raise CostModelError(f"{what} matched nothing; fix the filter (or the region has no such price)")
    items: dict[str, list[Quote]] = {}
    for quote in quotes:
        items.setdefault(quote.item, []).append(quote)
    prices: dict[float, list[str]] = {}
    for tiers in items.values():
        tier = _tier_of(tiers, source)
        if isinstance(tier, str):
            raise CostModelError(f"{what}: {tier}")
        if tier is None:
            continue
        unit = api.unit(tier.unit)
        if unit is None:
            raise CostModelError(f"{what}: {tier.label} is priced per {tier.unit!r}, a unit infrar does not "
                                 "convert; choose another price or extend the API's units")
        try:
            value = round(to_model_unit(tier.price, unit, source), 12)
        except CostModelError as exc:
            raise CostModelError(f"{what}: {tier.label}: {exc}") from exc
        prices.setdefault(value, []).append(f"{tier.label} {tier.price:g} per {tier.unit}")
    if not prices:
        raise CostModelError(f"{what}: no matched item has the tier {source.tier}; matched: "
                             + "; ".join(q.label for q in quotes[:_SHOWN]))
    if len(prices) > 1:
        shown = "; ".join(f"{labels[0]} (= {value:g} per {source.per})" for value, labels in prices.items())
        raise CostModelError(f"{what} matched {len(prices)} distinct prices: {shown}; narrow the filter")
    return next(iter(prices))


def env_url(name: str, default: str) -> str:
    """An API address, overridable (a price mirror, or the tests' local replay server)."""
    return os.environ.get(name) or default
