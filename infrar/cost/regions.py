"""Per-region price tables of a cost model: the ``regions:`` section.

A model's ``implementations:`` carry the prices of its base ``region:``. Another region is a
table of only what differs there, per implementation::

    region: us-east-1
    regions:
      us-west-2:
        title: US West (Oregon)
        taken: 2024-06-01
        implementations: same          # every price above is also this region's
      eu-west-1:
        title: Europe (Ireland)
        taken: 2024-06-01
        implementations:
          aws_sqs: same                # its prices are the base region's
          aws_eks:
            prices: {gp3_gb_month: 0.088}
            instances: {small: {hourly: 0.107}, ...}

An implementation a region's table does not list has no prices recorded for that region: its
lines are ``n/a`` there, never priced at another region's rates. A region no table names is an
error that names the regions that are priced and the file to add it to.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from infrar.cost.model_yaml import CostModelError, date, error, mapping, number, unknown_keys
from infrar.infra.project import known_regions

if TYPE_CHECKING:
    from infrar.cost.models import Implementation

__all__ = ["RegionPrices", "RegionTable", "merge_regions", "parse_regions", "unknown_region"]

SAME = "same"
_TABLE_KEYS = ("title", "source", "taken", "notes", "implementations")  # source: where fetched prices came from
_OVERRIDE_KEYS = ("prices", "instances")


@dataclass(frozen=True)
class RegionPrices:
    """One implementation's prices in a region: only those that differ from the base region's."""

    prices: Mapping[str, float] = field(default_factory=dict, hash=False)
    instances: Mapping[str, Mapping[str, float]] = field(default_factory=dict, hash=False)  # size -> numbers
    taken: dt.date | None = None
    file: str = ""


@dataclass(frozen=True)
class RegionTable:
    region: str
    title: str
    files: tuple[str, ...]
    priced: Mapping[str, RegionPrices] = field(hash=False)  # implementation id -> its prices there


def _differs(value: float, base: float, file: str, key: str, base_region: str) -> float:
    if value == base:
        raise error(file, key, f"{value:g} is {base_region}'s price too; list only prices that differ")
    return value


def _price_overrides(raw: Any, impl: Implementation, file: str, where: str, base_region: str) -> dict[str, float]:
    prices: dict[str, float] = {}
    for name, value in mapping(raw, file, where).items():
        if name not in impl.prices:
            close = difflib.get_close_matches(name, sorted(impl.prices), n=1)
            hint = f"did you mean {close[0]!r}?" if close else "allowed: " + ", ".join(sorted(impl.prices))
            raise error(file, f"{where}.{name}", f"not a price of {impl.id}; {hint}")
        key = f"{where}.{name}"
        prices[name] = _differs(number(value, file, key), impl.prices[name], file, key, base_region)
    return prices


def _instance_overrides(raw: Any, impl: Implementation, file: str, where: str,
                        base_region: str) -> dict[str, dict[str, float]]:
    instances: dict[str, dict[str, float]] = {}
    for size, row in mapping(raw, file, where).items():
        if size not in impl.instances:
            raise error(file, f"{where}.{size}", f"{impl.id} has no size {size!r}; "
                        f"allowed: {', '.join(impl.instances) or 'none (it has no instances: table)'}")
        base = impl.instances[size]
        numbers: dict[str, float] = {}
        for name, value in mapping(row, file, f"{where}.{size}").items():
            key = f"{where}.{size}.{name}"
            if name == "type" or name not in base:  # a region prices the same type: the modules deploy it
                fields = ", ".join(k for k in base if k != "type")
                raise error(file, key, f"not a number of {impl.id}'s {size} row (the instance type is the same "
                            f"in every region); allowed: {fields}")
            numbers[name] = _differs(number(value, file, key), float(base[name]), file, key, base_region)
        instances[size] = numbers
    return instances


def _override(raw: Any, impl: Implementation, taken: dt.date, file: str, where: str,
              base_region: str) -> RegionPrices:
    if raw == SAME:
        return RegionPrices(taken=taken, file=file)
    data = mapping(raw, file, where)
    unknown_keys(data, _OVERRIDE_KEYS, file, where)
    prices = _price_overrides(data.get("prices"), impl, file, f"{where}.prices", base_region)
    instances = _instance_overrides(data.get("instances"), impl, file, f"{where}.instances", base_region)
    if not prices and not instances:
        raise error(file, where, f"no price differs from {base_region}'s: write `{SAME}`")
    return RegionPrices(prices=prices, instances=instances, taken=taken, file=file)


def _table(region: str, raw: Any, impls: Mapping[str, Implementation], file: str, base_region: str) -> RegionTable:
    where = f"regions.{region}"
    data = mapping(raw, file, where)
    unknown_keys(data, _TABLE_KEYS, file, where)
    for required in ("title", "taken", "implementations"):
        if required not in data:
            raise error(file, f"{where}.{required}", "missing required key")
    taken = date(data["taken"], file, f"{where}.taken")
    listed = data["implementations"]
    if listed == SAME:
        priced = {impl_id: RegionPrices(taken=taken, file=file) for impl_id in impls}
        return RegionTable(region, str(data["title"]), (file,), priced)
    priced = {}
    for impl_id, entry in mapping(listed, file, f"{where}.implementations").items():
        if impl_id not in impls:
            close = difflib.get_close_matches(impl_id, sorted(impls), n=1)
            hint = f"did you mean {close[0]!r}?" if close else "allowed: " + ", ".join(sorted(impls))
            raise error(file, f"{where}.implementations.{impl_id}", f"not an implementation of this file; {hint}")
        priced[impl_id] = _override(entry, impls[impl_id], taken, file, f"{where}.implementations.{impl_id}",
                                    base_region)
    return RegionTable(region, str(data["title"]), (file,), priced)


def parse_regions(raw: Any, impls: Mapping[str, Implementation], provider: str, base_region: str,
                  file: str) -> dict[str, RegionTable]:
    """The ``regions:`` section of one model file, checked against its implementations."""
    tables: dict[str, RegionTable] = {}
    known = known_regions(provider)
    for region, entry in mapping(raw, file, "regions").items():
        if region == base_region:
            raise error(file, f"regions.{region}", "is the base region: its prices are the implementations' own")
        if known and region not in known:
            close = difflib.get_close_matches(region, known, n=1)
            hint = f"did you mean {close[0]!r}?" if close else "allowed: " + ", ".join(known)
            raise error(file, f"regions.{region}", f"not a region of {provider}; {hint}")
        tables[region] = _table(region, entry, impls, file, base_region)
    return tables


def merge_regions(first: Mapping[str, RegionTable], second: Mapping[str, RegionTable]) -> dict[str, RegionTable]:
    """The tables of two files of one provider: a region's priced implementations are both files'."""
    merged = dict(first)
    for region, table in second.items():
        seen = merged.get(region)
        merged[region] = table if seen is None else RegionTable(
            region, seen.title, seen.files + table.files, {**seen.priced, **table.priced})
    return merged


def unknown_region(provider: str, region: str, base_region: str, tables: Mapping[str, RegionTable],
                   file: str) -> CostModelError:
    """No table prices ``region``: name the priced ones and where to record it."""
    priced = ", ".join([f"{base_region} (base)", *sorted(tables)])
    return CostModelError(f"no {provider} prices are recorded for region {region!r}; priced regions: {priced}; "
                          f"price one of them (--region {provider}=REGION), or record {region}'s prices under "
                          f"regions: in {file} (docs/cost.md, Regions)")
