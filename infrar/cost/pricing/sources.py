"""The ``price_sources:`` of a cost model implementation: where each price is found in a price API.

Next to ``prices:``, each key a region's price can be fetched for names its filter::

    price_sources:
      storage_gb_month: {serviceName: Storage, productName: Blob Storage, skuName: Hot LRS,
                         meterName: Hot LRS Data Stored, per: gb_month, tier: 0}
      hours_per_month: fixed          # a constant of the formula, the same in every region
      instances:                      # each size row's field, ``{type}`` being the row's type
        hourly: {serviceName: Virtual Machines, armSkuName: "{type}", per: hour,
                 exclude: {productName: [Windows], skuName: [Spot, Low Priority]}}

A filter's plain fields are matched exactly by the API (or by the importer where the API cannot
filter); ``{contains: TEXT}`` matches a field containing TEXT; ``exclude:`` drops matches whose
field contains any listed text. ``per:`` is the unit of the model's price (the API's unit is
converted to it); ``tier:`` the start of the price tier to take (in the API's units) or
``first_paid`` (the first tier above zero: the free grant is not deducted); ``region: global``
takes a price the API records once for every region. ``sum: [filter, ...]`` adds prices recorded
as separate meters (Azure SQL's vCore compute and its SQL license), each ``times: N`` itself (per vCore);
parts in other units than the total (a VM's vCPU-hour and GiB-hour) give the total's ``per:`` beside ``sum:``::

      small: {per: hour, sum: [{service: ..., description: {contains: E2 Instance Core}, per: hour, times: 2},
                               {service: ..., description: {contains: E2 Instance Ram}, per: gb_hour, times: 8}]}

A key not listed has no source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from infrar.cost.model_yaml import CostModelError, at, error, mapping

__all__ = ["FIRST_PAID", "FIXED", "INSTANCES", "MODEL_UNITS", "PriceSource", "parse_sources", "to_model_unit"]

FIXED = "fixed"
FIRST_PAID = "first_paid"
INSTANCES = "instances"
_OPTIONS = ("per", "tier", "exclude", "region", "times")

# The model's units: (dimension, amount in the dimension's base unit). Base units: an hour of
# time, a GB of data, a GB-hour of stored data, one request or operation.
MODEL_UNITS: dict[str, tuple[str, float]] = {
    "hour": ("time", 1.0), "second": ("time", 1 / 3600), "month": ("time", 730.0),
    "mib": ("data", 1 / 1024), "gb": ("data", 1.0), "tb": ("data", 1024.0),
    "gb_hour": ("data_time", 1.0), "gb_second": ("data_time", 1 / 3600), "gb_month": ("data_time", 730.0),
    "request": ("count", 1.0), "1000": ("count", 1e3), "10000": ("count", 1e4), "million": ("count", 1e6),
}


@dataclass(frozen=True)
class PriceSource:
    """Where one price (``key``; ``instances.<field>`` for a size row's field) is found in the API."""

    key: str
    where: str  # ``file:line:col: implementations.x.price_sources.key`` for messages
    fields: Mapping[str, str] = field(hash=False)  # exact matches
    contains: Mapping[str, str] = field(hash=False)  # field -> text it contains
    exclude: Mapping[str, tuple[str, ...]] = field(hash=False)  # field -> texts it must not contain
    per: str = "hour"
    tier: float | str | None = None  # a tier start, FIRST_PAID, or None: the API must give one tier
    global_price: bool = False
    # A size row's field may name one filter per size instead (``small: {...}``): a SKU not derived from the type.
    sizes: Mapping[str, PriceSource] = field(default_factory=dict, hash=False)
    # A price the API records as several meters (``sum:``): the parts' prices, each times its ``times``.
    parts: tuple[PriceSource, ...] = ()
    times: float = 1.0

    def for_row(self, size: str, instance_type: str) -> PriceSource:
        """The filter of a size row: its own, else this one with ``{type}`` replaced by the row's type."""
        if self.sizes:
            return self.sizes[size]
        if self.parts:
            return PriceSource(self.key, self.where, {}, {}, {}, self.per,
                               parts=tuple(part.for_row(size, instance_type) for part in self.parts))
        fields = {k: v.replace("{type}", instance_type) for k, v in self.fields.items()}
        contains = {k: v.replace("{type}", instance_type) for k, v in self.contains.items()}
        return PriceSource(self.key, self.where, fields, contains, self.exclude, self.per, self.tier,
                           self.global_price, times=self.times)

    def shown(self) -> str:
        """The filter as written, for messages."""
        if self.parts:
            return " + ".join(part.shown() for part in self.parts)
        parts = [f"{k}={v!r}" for k, v in self.fields.items()]
        parts += [f"{k} contains {v!r}" for k, v in self.contains.items()]
        parts += [f"{k} excludes {list(v)}" for k, v in self.exclude.items()]
        if self.tier is not None:
            parts.append(f"tier={self.tier}")
        return "{" + ", ".join(parts) + "}" + (f" x {self.times:g}" if self.times != 1 else "")


def to_model_unit(price: float, api_unit: tuple[str, float], source: PriceSource) -> float:
    """``price`` per API unit, per the model's ``per:`` unit; units of another dimension are an error."""
    dimension, amount = MODEL_UNITS[source.per]
    if api_unit[0] != dimension:
        raise CostModelError(f"the API prices it per {api_unit[0]}, the model per {source.per} ({dimension}); "
                             "fix per: or the filter")
    return price / api_unit[1] * amount


def _tier(value: Any, file: str, key: str) -> float | str | None:
    if value is None or value == FIRST_PAID:
        return value  # type: ignore[no-any-return]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise error(file, key, f"give a tier's start (a number >= 0) or {FIRST_PAID}, not {value!r}")
    return float(value)


def _sum(key: str, raw: Any, per: Any, file: str, where: str) -> PriceSource:
    """``sum: [filter, ...]``: one price recorded as several meters. Parts in other units than the total
    (a VM's vCPU-hours and GiB-hours) need the total's ``per:`` beside ``sum:``; each part's ``times:``
    is then how many of its unit one of the total's holds (4 vCPUs, 16 GiB)."""
    if not isinstance(raw, list) or len(raw) < 2:
        raise error(file, f"{where}.sum", "give sum: a list of two or more filters, one per meter the price adds up")
    parts = tuple(_source(key, part, file, f"{where}.sum[{n}]") for n, part in enumerate(raw))
    units = sorted({part.per for part in parts})
    if per is None:
        if len(units) > 1:
            raise error(file, f"{where}.sum", f"the parts of a sum are priced per {' and per '.join(units)}; "
                        "give each the same per:, or the total's per: beside sum:")
        per = units[0]
    if per not in MODEL_UNITS:
        raise error(file, f"{where}.per", f"{per!r} is not a unit; allowed: {', '.join(MODEL_UNITS)}")
    return PriceSource(key, at(file, where), {}, {}, {}, str(per), parts=parts)


def _times(value: Any, file: str, where: str) -> float:
    if value is None:
        return 1.0
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1e6:
        raise error(file, where, f"give how many of the meter the price holds (a number above 0), not {value!r}")
    return float(value)


def _source(key: str, raw: Any, file: str, where: str) -> PriceSource:
    data = mapping(raw, file, where)
    if "sum" in data:
        if set(data) - {"sum", "per"}:
            raise error(file, where, "beside sum: only the total's per:; put tier:, times: and the fields in "
                        "each of its filters")
        return _sum(key, data["sum"], data.get("per"), file, where)
    fields: dict[str, str] = {}
    contains: dict[str, str] = {}
    for name, value in data.items():
        if name in _OPTIONS:
            continue
        if isinstance(value, dict) and set(value) == {"contains"}:
            contains[name] = str(value["contains"])
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            fields[name] = str(value)
        else:
            raise error(file, f"{where}.{name}", f"give the text the API's {name} equals, or {{contains: TEXT}}")
    if not fields and not contains:
        raise error(file, where, "give at least one field to match (e.g. serviceName, ServiceCode, service)")
    per = str(data.get("per", ""))
    if per not in MODEL_UNITS:
        raise error(file, f"{where}.per", f"{per!r} is not a unit; allowed: {', '.join(MODEL_UNITS)}")
    exclude = {str(k): tuple(str(t) for t in (v if isinstance(v, list) else [v]))
               for k, v in mapping(data.get("exclude"), file, f"{where}.exclude").items()}
    region = data.get("region")
    if region not in (None, "global"):
        raise error(file, f"{where}.region", "only `global` (a price recorded once for every region)")
    return PriceSource(key, at(file, where), fields, contains, exclude, per,
                       _tier(data.get("tier"), file, f"{where}.tier"), region == "global",
                       times=_times(data.get("times"), file, f"{where}.times"))


def _row_source(name: str, entry: Any, file: str, where: str) -> PriceSource:
    """A size row field's filter: one for every row (``{type}``), or one per size."""
    from infrar.cost.models import SIZES

    data = mapping(entry, file, where)
    if not data or not set(data) <= set(SIZES):
        return _source(name, entry, file, where)
    missing = [size for size in SIZES if size not in data]
    if missing:
        raise error(file, where, f"missing sizes: {', '.join(missing)}; give every size its filter")
    sizes = {size: _source(name, data[size], file, f"{where}.{size}") for size in SIZES}
    return PriceSource(name, at(file, where), {}, {}, {}, sizes["small"].per, sizes=sizes)


def parse_sources(raw: Any, prices: Mapping[str, float], instance_fields: set[str], file: str,
                  where: str) -> dict[str, PriceSource | None]:
    """An implementation's ``price_sources``: key -> its source (None: ``fixed``, the same everywhere)."""
    sources: dict[str, PriceSource | None] = {}
    for key, value in mapping(raw, file, where).items():
        if key == INSTANCES:
            for name, entry in mapping(value, file, f"{where}.{key}").items():
                if name not in instance_fields:
                    raise error(file, f"{where}.{key}.{name}", "not a number of the instances: rows; allowed: "
                                + (", ".join(sorted(instance_fields)) or "none"))
                sources[f"{INSTANCES}.{name}"] = (None if entry == FIXED
                                                  else _row_source(name, entry, file, f"{where}.{key}.{name}"))
            continue
        if key not in prices:
            raise error(file, f"{where}.{key}", "not a key of prices:; allowed: " + ", ".join(sorted(prices)))
        sources[key] = None if value == FIXED else _source(key, value, file, f"{where}.{key}")
    return sources
