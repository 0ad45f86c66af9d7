"""Cost models: ``cost_models/<provider>.yaml``, built in and contributed by plugins.

A model file prices each *implementation* (``aws_s3``, ``gcp_cloud_run`` ...) of the capability
or resource kinds it ``serves``::

    provider: aws
    region: us-east-1
    currency: USD
    implementations:
      aws_s3:
        serves: [bucket]
        title: S3 Standard
        source: https://aws.amazon.com/s3/pricing/
        taken: 2024-06-01
        prices: {storage_gb_month: 0.023, put_per_1000: 0.005, ...}
        usage: {storage_gb: 10, ...}          # usage keys read, with defaults (numbers or formulas)
        instances: {small: {type: ..., hourly: ...}, ...}   # optional, by size
        formula: storage_gb * storage_gb_month + ...

Built-in models are the top-level ``cost_models/`` directory, shipped in the wheel through
the link ``infrar/_cost_models``. A plugin contributes models by listing them under
``cost_models:`` in its ``plugin.yaml`` (paths inside its package), e.g.
``cost_models: [cost_models/oci.yaml]``; a new provider becomes a new column of ``infrar cost``.
Every (provider, kind) pair is served by at most one implementation.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from infrar.cost.formula import FUNCTIONS, Formula, FormulaError, compile_formula
from infrar.cost.model_yaml import CostModelError, at, date, error, mapping, number, source_of, unknown_keys
from infrar.cost.pricing.sources import PriceSource, parse_sources
from infrar.cost.regions import RegionTable, merge_regions, parse_regions, unknown_region
from infrar.cost.shared import Allowance, SharedCharge, check_shared_agree, parse_shared
from infrar.infra.project import CAPABILITY_TYPES, OBSERVABILITY, RESOURCE_KINDS, USAGE_KEYS
from infrar.infra.project_yaml import Loader

__all__ = [
    "CONFIG_NAMES",
    "SIZES",
    "Allowance",
    "CostModel",
    "CostModelError",
    "Implementation",
    "SharedCharge",
    "load_models",
    "parse_model",
]

KINDS = (*CAPABILITY_TYPES, *RESOURCE_KINDS, OBSERVABILITY)
SIZES = ("small", "medium", "large", "xlarge")
BUILTIN_DIR = "_cost_models"
PROVIDER_ORDER = ("aws", "gcp", "azure")  # column order of the built-in providers; plugins follow
PLUGIN_KEY = "cost_models"

# Names the estimator derives from a capability's or resource's settings, by kind (numbers;
# booleans are 0 or 1). Formulas may use them beside their prices and usage keys.
CONFIG_NAMES: dict[str, tuple[str, ...]] = {
    # fractional_cpu: 1 below one vCPU (Cloud Run then bills per request), else 0
    "web_application": ("cpu", "memory_gb", "min_instances", "max_instances", "fractional_cpu"),
    "api_service": ("cpu", "memory_gb", "min_instances", "max_instances", "fractional_cpu"),
    "background_worker": ("cpu", "memory_gb", "min_instances", "max_instances", "scheduled"),
    "container_orchestrator": ("node_count",),
    "bucket": ("versioning",),
    "database": ("storage_gb", "high_availability", "backup_retention_days"),
    "queue": ("fifo", "deliveries"),  # deliveries: 1 for a queue, subscriptions for a topic
    "topic": ("subscriptions", "deliveries"),
    "cache": ("high_availability",),
    "warehouse": (),
    OBSERVABILITY: ("retention_days",),
}

_MODEL_KEYS = ("provider", "region", "currency", "description", "implementations", "regions")
_IMPL_KEYS = ("serves", "engine", "title", "source", "taken", "notes", "prices", "usage", "instances", "formula",
              "shared", "price_sources")


@dataclass(frozen=True)
class Implementation:
    id: str
    provider: str
    serves: tuple[str, ...]
    title: str
    sources: tuple[str, ...]
    taken: dt.date
    prices: Mapping[str, float] = field(hash=False)
    usage: Mapping[str, Formula] = field(hash=False)  # usage key -> default (a formula)
    instances: Mapping[str, Mapping[str, Any]] = field(hash=False)  # size -> {type, numbers}
    formula: Formula | None = None
    notes: str = ""
    file: str = ""
    engine: str | None = None  # the engine it prices (``engine:`` of a database); None: any
    # Charged once per project, each on a line of its own; a charge of the same name that several
    # implementations declare (one set of private DNS zones for databases, caches and buckets) once.
    shared: tuple[SharedCharge, ...] = ()
    # Where each price is found in the provider's price API (None: fixed), for --fetch-prices.
    price_sources: Mapping[str, PriceSource | None] = field(default_factory=dict, hash=False)

    @property
    def allowance(self) -> Allowance | None:
        """What its shared charges include once per project, used up by its lines."""
        return next((charge.includes for charge in self.shared if charge.includes is not None), None)


@dataclass(frozen=True)
class CostModel:
    provider: str
    region: str
    currency: str
    file: str
    implementations: Mapping[str, Implementation] = field(hash=False)
    regions: Mapping[str, RegionTable] = field(default_factory=dict, hash=False)  # other regions than ``region``
    # In a region's view (``in_region``): the implementations with no prices recorded for it.
    unpriced: Mapping[str, Implementation] = field(default_factory=dict, hash=False)
    base_region: str = ""  # in a region's view: the region the implementations' own prices are for

    @property
    def priced_regions(self) -> tuple[str, ...]:
        """The base region, then every region a table records prices for."""
        return (self.base_region or self.region, *sorted(self.regions))

    def in_region(self, region: str | None) -> CostModel:
        """This model with ``region``'s prices (None: the base region); an unpriced region is an error."""
        if not region or region == self.region:
            return self
        table = self.regions.get(region)
        if table is None:
            raise unknown_region(self.provider, region, self.region, self.regions, self.file)
        impls: dict[str, Implementation] = {}
        for impl_id, impl in self.implementations.items():
            there = table.priced.get(impl_id)
            if there is None:
                continue
            instances = {size: {**row, **there.instances.get(size, {})} for size, row in impl.instances.items()}
            impls[impl_id] = replace(impl, prices={**impl.prices, **there.prices}, instances=instances,
                                     taken=there.taken or impl.taken)
        unpriced = {i: impl for i, impl in self.implementations.items() if i not in impls}
        return replace(self, region=region, implementations=impls, unpriced=unpriced,
                       base_region=self.base_region or self.region)

    def unpriced_for(self, kind: str, engine: str | None = None) -> Implementation | None:
        """The implementation that would price ``kind`` had its prices been recorded for this region."""
        found = [i for i in self.unpriced.values() if kind in i.serves]
        return next((i for i in found if engine is None or i.engine in (None, engine)), None)

    def for_kind(self, kind: str, engine: str | None = None) -> Implementation | None:
        """The implementation pricing ``kind`` (with ``engine``, when implementations name engines)."""
        found = [i for i in self.implementations.values() if kind in i.serves]
        engines = sorted(i.engine for i in found if i.engine is not None)
        if engine is None or not engines:
            return found[0] if found else None
        chosen = next((i for i in found if i.engine == engine), None)
        if chosen is None:
            raise CostModelError(f"engine {engine!r} is not available for a {kind} on {self.provider}; "
                                 f"allowed: {', '.join(engines)}")
        return chosen


def _parse_implementation(impl_id: str, raw: Any, provider: str, file: str) -> Implementation:
    where = f"implementations.{impl_id}"
    data = mapping(raw, file, where)
    unknown_keys(data, _IMPL_KEYS, file, where)
    for required in ("serves", "title", "source", "taken", "formula"):
        if required not in data:
            raise error(file, f"{where}.{required}", "missing required key")
    serves = data["serves"] if isinstance(data["serves"], list) else [data["serves"]]
    for kind in serves:
        if kind not in KINDS:
            close = difflib.get_close_matches(str(kind), KINDS, n=1)
            hint = f"did you mean {close[0]!r}?" if close else "allowed: " + ", ".join(KINDS)
            raise error(file, f"{where}.serves", f"{kind!r} is not a capability or resource kind; {hint}")
    sources = data["source"] if isinstance(data["source"], list) else [data["source"]]
    if not sources or not all(isinstance(s, str) and s.startswith("https://") for s in sources):
        raise error(file, f"{where}.source", "give the https:// URL of the public price page (or a list)")
    taken = date(data["taken"], file, f"{where}.taken")
    prices = {k: number(v, file, f"{where}.prices.{k}") for k, v in mapping(data.get("prices"), file,
                                                                                 f"{where}.prices").items()}
    allowed_usage = set.intersection(*(set(USAGE_KEYS[k]) for k in serves))
    usage: dict[str, Formula] = {}
    for key, default in mapping(data.get("usage"), file, f"{where}.usage").items():
        if key not in allowed_usage:
            close = difflib.get_close_matches(key, sorted(allowed_usage), n=1)
            hint = f"did you mean {close[0]!r}?" if close else "allowed: " + ", ".join(sorted(allowed_usage))
            raise error(file, f"{where}.usage.{key}", f"not a usage key of {', '.join(serves)}; {hint}")
        usage[key] = compile_formula(default, at(file, f"{where}.usage.{key}"))
    instances: dict[str, dict[str, Any]] = {}
    for size, entry in mapping(data.get("instances"), file, f"{where}.instances").items():
        if size not in SIZES:
            raise error(file, f"{where}.instances.{size}", f"unknown size; allowed: {', '.join(SIZES)}")
        row = mapping(entry, file, f"{where}.instances.{size}")
        if not isinstance(row.get("type"), str):
            raise error(file, f"{where}.instances.{size}.type", "give the provider's instance type name")
        instances[size] = {k: (v if k == "type" else number(v, file, f"{where}.instances.{size}.{k}"))
                           for k, v in row.items()}
    if instances and set(instances) != set(SIZES):
        missing = ", ".join(s for s in SIZES if s not in instances)
        raise error(file, f"{where}.instances", f"missing sizes: {missing}; price every size")
    formula = compile_formula(data["formula"], at(file, f"{where}.formula"))
    listed = data.get("shared") or []
    shared = tuple(parse_shared(raw, prices, file, f"{where}.shared")
                   for raw in (listed if isinstance(listed, list) else [listed]))
    if sum(charge.includes is not None for charge in shared) > 1:
        raise error(file, f"{where}.shared", "at most one shared charge may have includes:")
    allowance = next((charge.includes for charge in shared if charge.includes is not None), None)
    _check_names(formula, prices, usage, instances, serves, file, where, allowance)
    fields = {k for row in instances.values() for k in row if k != "type"}
    price_sources = parse_sources(data.get("price_sources"), prices, fields, file, f"{where}.price_sources")
    return Implementation(
        id=impl_id, provider=provider, serves=tuple(serves), title=str(data["title"]),
        sources=tuple(sources), taken=taken, prices=prices, usage=usage, instances=instances,
        formula=formula, notes=str(data.get("notes", "")), file=file,
        engine=None if data.get("engine") is None else str(data["engine"]),
        shared=shared, price_sources=price_sources,
    )


def _check_names(formula: Formula, prices: Mapping[str, float], usage: Mapping[str, Formula],
                 instances: Mapping[str, Mapping[str, Any]], serves: list[str], file: str, where: str,
                 includes: Allowance | None = None) -> None:
    config = set.intersection(*(set(CONFIG_NAMES[k]) for k in serves))
    fields = {f"instance_{k}" for row in instances.values() for k in row if k != "type"}
    groups = {"prices": set(prices), "usage": set(usage), "settings": config, "instances": fields}
    if includes is not None:
        groups["shared.includes"] = {includes.name, includes.included_name}
    seen: dict[str, str] = {}
    for group, names in groups.items():
        for name in names:
            if name in seen or name in FUNCTIONS:
                raise error(file, f"{where}.{group}.{name}",
                             f"name also used by {seen.get(name, 'a function')}; rename one of them")
            seen[name] = group
    for key, default in usage.items():  # defaults may read settings and earlier usage keys
        earlier = set(list(usage)[: list(usage).index(key)])
        for name in sorted(default.names - config - earlier - set(prices)):
            raise FormulaError(f"{default.where}: formula {default.text!r}: unknown name {name!r}; "
                               f"defaults may read settings ({', '.join(sorted(config)) or 'none'}), "
                               "prices and earlier usage keys")
    read = set(formula.names).union(*(d.names for d in usage.values()))
    if includes is not None:  # what a line uses of the allowance is over its settings, prices and usage
        read |= includes.quantity.names
        for name in sorted(includes.quantity.names - set(seen) | (includes.quantity.names & groups["shared.includes"])):
            raise FormulaError(f"{includes.quantity.where}: formula {includes.quantity.text!r}: unknown name "
                               f"{name!r}; the quantity may read settings, prices, usage and instance fields")
    for key in usage:
        if key not in read:
            raise error(file, f"{where}.usage.{key}", "the formula never reads this usage key; remove it")
    for name in sorted(formula.names - set(seen)):
        close = difflib.get_close_matches(name, sorted(seen), n=1)
        hint = f"did you mean {close[0]!r}?" if close else "define it under prices:, usage: or instances:"
        raise FormulaError(f"{formula.where}: formula {formula.text!r}: unknown name {name!r}; {hint}")


def parse_model(text: str, file: str) -> CostModel:
    """Validate the text of one cost model file; ``file`` is used in messages."""
    try:
        raw = yaml.load(text, Loader=Loader)  # a SafeLoader that reads integers of any length
    except yaml.YAMLError as exc:
        raise CostModelError(f"{file}: not valid YAML: {exc}") from exc
    file = source_of(file, text)  # parsed once more, for the line and column of each key in messages
    data = mapping(raw, file, "(top level)")
    unknown_keys(data, _MODEL_KEYS, file, "")
    for required in ("provider", "implementations"):
        if required not in data:
            raise error(file, required, "missing required key")
    provider = str(data["provider"])
    impls = {str(k): _parse_implementation(str(k), v, provider, file)
             for k, v in mapping(data["implementations"], file, "implementations").items()}
    served: dict[tuple[str, str | None], str] = {}
    for impl in impls.values():
        for kind in impl.serves:
            if (kind, impl.engine) in served:
                raise error(file, f"implementations.{impl.id}.serves",
                             f"{kind} is already served by {served[kind, impl.engine]}; "
                             "one implementation per kind (and engine)")
            served[kind, impl.engine] = impl.id
    check_shared_agree(impls.values(), file)
    region = str(data.get("region", ""))
    tables = parse_regions(data.get("regions"), impls, provider, region, file) if data.get("regions") else {}
    return CostModel(provider=provider, region=region, currency=str(data.get("currency", "USD")), file=file,
                     implementations=impls, regions=tables)


def merge(models: Iterable[CostModel]) -> dict[str, CostModel]:
    """Combine models by provider; a kind or implementation id may be defined only once."""
    merged: dict[str, CostModel] = {}
    for model in models:
        base = merged.get(model.provider)
        if base is None:
            merged[model.provider] = model
            continue
        if model.region and model.region != base.region:  # one file's prices would be another region's
            raise CostModelError(f"{model.file}: region: {model.region!r}, but {base.file} prices "
                                 f"{base.region!r}; write {base.region}'s prices, other regions under regions:")
        impls = dict(base.implementations)
        for impl in model.implementations.values():
            clash = impls.get(impl.id) or next((i for k in impl.serves if (i := base.for_kind(k))), None)
            if clash is not None:
                raise CostModelError(f"{impl.file}: implementations.{impl.id}: conflicts with {clash.id} "
                                     f"in {clash.file} (same id or kind); remove one of them")
            impls[impl.id] = impl
        merged[model.provider] = CostModel(base.provider, base.region, base.currency, base.file, impls,
                                           merge_regions(base.regions, model.regions))
    return merged


def _builtin_files() -> list[tuple[str, str]]:
    # infrar/_cost_models links to the top-level cost_models/ in a checkout and is a real
    # directory inside the wheel, so one lookup serves both.
    try:
        root: Any = resources.files("infrar").joinpath(BUILTIN_DIR)
        return [(f"cost_models/{p.name}", p.read_text(encoding="utf-8"))
                for p in sorted(root.iterdir(), key=lambda p: p.name) if p.name.endswith(".yaml")]
    except (FileNotFoundError, NotADirectoryError):
        return []


def _plugin_files() -> list[tuple[str, str]]:
    from infrar import plugins

    found: list[tuple[str, str]] = []
    for plugin in plugins.registry().values():
        listed = plugin.extra.get(PLUGIN_KEY) or []
        if isinstance(listed, str):
            listed = [listed]
        for rel in listed:
            where = f"{plugin.package}/{rel}"
            try:
                text = resources.files(plugin.package).joinpath(str(rel)).read_text(encoding="utf-8")
            except (FileNotFoundError, ModuleNotFoundError) as exc:
                raise CostModelError(f"plugin {plugin.name}: plugin.yaml lists cost model {rel!r}, "
                                     f"but {where} does not exist; fix the path or ship the file") from exc
            found.append((where, text))
    return found


@lru_cache(maxsize=1)
def load_models(include_plugins: bool = True) -> dict[str, CostModel]:
    """Every cost model by provider: built-in first, then plugin contributions."""
    files = _builtin_files()
    if not files:
        raise CostModelError("no built-in cost models found (infrar/_cost_models); reinstall infrar")
    if include_plugins:
        files += _plugin_files()
    merged = merge(parse_model(text, name) for name, text in files)
    order = {name: i for i, name in enumerate(PROVIDER_ORDER)}
    return dict(sorted(merged.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))
