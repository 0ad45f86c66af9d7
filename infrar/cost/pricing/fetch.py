"""Build a region's price table from a cloud's price API: ``infrar cost --fetch-prices``.

Every implementation whose every price (and every number of its size rows) has a source or is
``fixed`` is fetched; the others are left out of the table (their lines are n/a there) and named.
The table lists only what differs from the base region, in the ``regions:`` format of cost
models, with ``source`` (the API) and ``taken`` (the fetch date).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from infrar.cost.model_yaml import CostModelError
from infrar.cost.models import CostModel, Implementation
from infrar.cost.pricing.quotes import PriceApi, Quote, choose
from infrar.cost.pricing.sources import INSTANCES, PriceSource

__all__ = ["Fetched", "api_for", "fetch_table", "unmapped_keys"]

MAX_FACTOR = 4.0  # regions' list prices differ by well under this; a unit mistake is 1000x, 730x, 3600x


@dataclass(frozen=True)
class Fetched:
    text: str  # the price file
    priced: tuple[str, ...]  # implementations fetched
    unmapped: Mapping[str, tuple[str, ...]]  # implementation -> its keys without a source
    failed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # with partial: implementation -> errors


def api_for(provider: str) -> PriceApi:
    if provider == "azure":
        from infrar.cost.pricing.azure import AzureRetailPrices

        return AzureRetailPrices()
    if provider == "aws":
        from infrar.cost.pricing.aws import AwsPriceList

        return AwsPriceList()
    if provider == "gcp":
        from infrar.cost.pricing.gcp import GcpBillingCatalog

        return GcpBillingCatalog()
    raise CostModelError(f"--fetch-prices knows the price APIs of aws, gcp and azure, not {provider!r}")


def _numbers(impl: Implementation) -> list[str]:
    """Every key a region's table may set: its prices and its size rows' numbers (``instances.<field>``)."""
    fields = sorted({k for row in impl.instances.values() for k in row if k != "type"})
    return [*impl.prices, *(f"{INSTANCES}.{name}" for name in fields)]


def unmapped_keys(impl: Implementation) -> tuple[str, ...]:
    return tuple(key for key in _numbers(impl) if key not in impl.price_sources)


def _plausible(value: float, base: float, source: PriceSource, row: str, region: str) -> None:
    """A region's price is within a factor of the base region's; beyond it a wrong filter or unit."""
    if base > 0 and not base / MAX_FACTOR <= value <= base * MAX_FACTOR:
        raise CostModelError(f"{source.where}{row}: {source.shown()} gives {value:g} in {region}, the base "
                             f"region's price is {base:g} (more than {MAX_FACTOR:g}x apart): a wrong filter or unit; "
                             "check the filter")


class _Asked:
    """Each filter asked once per fetch: implementations share sources (egress, KMS keys, log ingestion)."""

    def __init__(self, api: PriceApi, region: str) -> None:
        self.api, self.region = api, region
        self._seen: dict[str, list[Quote]] = {}

    def price(self, source: PriceSource) -> float:
        if source.parts:  # one price recorded as several meters: each resolved alone, then added
            return sum(self.price(part) for part in source.parts)
        key = replace(source, times=1.0).shown() + repr(source.global_price)  # a meter asked once, whatever its times
        if key not in self._seen:
            self._seen[key] = self.api.quotes(source, self.region)
        return choose(source, self._seen[key], self.api, self.region) * source.times


def _prices(impl: Implementation, asked: _Asked, errors: list[str]) -> dict[str, Any] | None:
    prices: dict[str, float] = {}
    instances: dict[str, dict[str, float]] = {}
    for key, source in impl.price_sources.items():
        if source is None:
            continue  # fixed: the same in every region
        try:
            if key.startswith(f"{INSTANCES}."):
                name = key.partition(".")[2]
                for size, row in impl.instances.items():
                    each = source.for_row(size, str(row["type"]))
                    value = asked.price(each)
                    _plausible(value, float(row[name]), each, f" ({size}: {row['type']})", asked.region)
                    if value != float(row[name]):
                        instances.setdefault(size, {})[name] = value
            else:
                value = asked.price(source)
                _plausible(value, impl.prices[key], source, "", asked.region)
                if value != impl.prices[key]:
                    prices[key] = value
        except CostModelError as exc:
            errors.append(str(exc))
    override: dict[str, Any] = {}
    if prices:
        override["prices"] = prices
    if instances:
        override["instances"] = instances
    return override or None


def fetch_table(model: CostModel, region: str, api: PriceApi, today: dt.date | None = None,
                partial: bool = False) -> Fetched:
    """``region``'s table for ``model``'s provider; every key that cannot be resolved is an error, or with
    ``partial`` leaves its implementation out of the table (n/a there), its errors in ``failed``."""
    if region == model.region:
        raise CostModelError(f"{region} is the base region of {model.file}: its prices are the model's own "
                             "(fetch another region)")
    taken = today or dt.date.today()
    implementations: dict[str, Any] = {}
    unmapped: dict[str, tuple[str, ...]] = {}
    failed: dict[str, tuple[str, ...]] = {}
    asked = _Asked(api, region)
    for impl in model.implementations.values():
        missing = unmapped_keys(impl)
        if missing:
            unmapped[impl.id] = missing
            continue
        errors: list[str] = []
        override = _prices(impl, asked, errors)
        if errors:
            failed[impl.id] = tuple(errors)
        else:
            implementations[impl.id] = "same" if override is None else override
    every = [error for errors in failed.values() for error in errors]
    if every and not (partial and implementations):
        raise CostModelError(f"{len(every)} price(s) of {model.provider} {region} could not be fetched "
                             "(nothing written; --partial writes the implementations that were):\n  "
                             + "\n  ".join(every))
    if not implementations:
        raise CostModelError(f"no implementation of {model.provider} has a source for every price; "
                             f"declare price_sources: in {model.file}")
    notes = "Fetched by `infrar cost --fetch-prices`; only prices that differ from the base region are listed."
    if unmapped:
        notes += " Not fetched (a price without a source; their lines are n/a here): " + "; ".join(
            f"{impl} ({', '.join(keys)})" for impl, keys in unmapped.items())
    if failed:
        notes += " Not fetched (--partial; a price could not be resolved): " + "; ".join(failed) + "."
    table = {"title": f"{region} (fetched)", "source": api.name, "taken": taken, "notes": notes,
             "implementations": implementations}
    head = (f"# {model.provider} prices for {region}, fetched from {api.name} on {taken.isoformat()}.\n"
            "# `infrar cost` reads this file from cost_prices/ beside project.yaml or through --prices FILE.\n")
    text = head + yaml.safe_dump({"provider": model.provider, "currency": model.currency,
                                  "regions": {region: table}}, sort_keys=False, width=110)
    return Fetched(text, tuple(implementations), unmapped, failed)
