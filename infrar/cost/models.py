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
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from infrar.cost.formula import FUNCTIONS, Formula, FormulaError, compile_formula
from infrar.errors import InfrarError
from infrar.infra.project import CAPABILITY_TYPES, OBSERVABILITY, RESOURCE_KINDS, USAGE_KEYS
from infrar.infra.project_yaml import Loader, shown

__all__ = [
    "CONFIG_NAMES",
    "SIZES",
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
MAX_FIGURE = 10**12  # no price or instance figure is larger; beyond it a typo, not a price

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

_MODEL_KEYS = ("provider", "region", "currency", "description", "implementations")
_IMPL_KEYS = ("serves", "engine", "title", "source", "taken", "notes", "prices", "usage", "instances", "formula",
              "shared")
_SHARED_KEYS = ("name", "title", "formula")


class CostModelError(InfrarError, ValueError):
    """A cost model file is malformed; the message names the file and key and the fix."""


@dataclass(frozen=True)
class SharedCharge:
    """What a project pays once however many of its resources an implementation prices (a shared
    namespace's base charge): its own line, ``name``, reading the implementation's prices only."""

    name: str
    title: str
    formula: Formula


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
    shared: SharedCharge | None = None  # charged once per project, on a line of its own


@dataclass(frozen=True)
class CostModel:
    provider: str
    region: str
    currency: str
    file: str
    implementations: Mapping[str, Implementation] = field(hash=False)

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


class _Source(str):
    """A cost model's file name that knows the line and column of each key (``implementations.x.prices.y``)."""

    positions: dict[str, tuple[int, int]]


def _source(file: str, text: str) -> _Source:
    source = _Source(file)
    source.positions = {}
    pending: list[tuple[yaml.Node | None, str]] = [(yaml.compose(text, Loader=Loader), "")]
    while pending:
        node, path = pending.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = f"{path}.{key.value}" if path else str(key.value)
                source.positions[name] = (key.start_mark.line + 1, key.start_mark.column + 1)
                pending.append((value, name))
    return source


def _at(file: str, key: str) -> str:
    """``file:line:col: key`` at the key (or the nearest enclosing one that is written), else ``file: key``."""
    positions = getattr(file, "positions", {})
    probe = key
    while probe and probe not in positions:
        probe = probe.rpartition(".")[0]
    if not probe:
        return f"{file}: {key}"
    line, column = positions[probe]
    return f"{file}:{line}:{column}: {key}"


def _error(file: str, key: str, problem: str) -> CostModelError:
    return CostModelError(f"{_at(file, key)}: {problem}")


def _unknown_keys(data: Mapping[str, Any], allowed: Iterable[str], file: str, where: str) -> None:
    options = sorted(allowed)
    for key in data:
        if key not in options:
            close = difflib.get_close_matches(str(key), options, n=1)
            hint = f"did you mean {close[0]!r}?" if close else "allowed: " + ", ".join(options)
            raise _error(file, f"{where}.{key}" if where else str(key), f"unknown key; {hint}")


def _number(value: Any, file: str, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _error(file, key, f"expected a number, got {value!r}")
    if not math.isfinite(value) or value > MAX_FIGURE:
        raise _error(file, key, f"{shown(value)} is out of range; allowed: 0 to {MAX_FIGURE:,}")
    if value < 0:
        raise _error(file, key, f"{value!r} is negative; prices and figures are >= 0")
    return float(value)


def _mapping(value: Any, file: str, key: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _error(file, key, f"expected a mapping, got {type(value).__name__}")
    return {str(k): v for k, v in value.items()}


def _parse_implementation(impl_id: str, raw: Any, provider: str, file: str) -> Implementation:
    where = f"implementations.{impl_id}"
    data = _mapping(raw, file, where)
    _unknown_keys(data, _IMPL_KEYS, file, where)
    for required in ("serves", "title", "source", "taken", "formula"):
        if required not in data:
            raise _error(file, f"{where}.{required}", "missing required key")
    serves = data["serves"] if isinstance(data["serves"], list) else [data["serves"]]
    for kind in serves:
        if kind not in KINDS:
            close = difflib.get_close_matches(str(kind), KINDS, n=1)
            hint = f"did you mean {close[0]!r}?" if close else "allowed: " + ", ".join(KINDS)
            raise _error(file, f"{where}.serves", f"{kind!r} is not a capability or resource kind; {hint}")
    sources = data["source"] if isinstance(data["source"], list) else [data["source"]]
    if not sources or not all(isinstance(s, str) and s.startswith("https://") for s in sources):
        raise _error(file, f"{where}.source", "give the https:// URL of the public price page (or a list)")
    taken = data["taken"]
    if isinstance(taken, str):
        try:
            taken = dt.date.fromisoformat(taken)
        except ValueError:
            pass
    if not isinstance(taken, dt.date):
        raise _error(file, f"{where}.taken", f"{taken!r} is not a date; write it as YYYY-MM-DD")
    prices = {k: _number(v, file, f"{where}.prices.{k}") for k, v in _mapping(data.get("prices"), file,
                                                                                 f"{where}.prices").items()}
    allowed_usage = set.intersection(*(set(USAGE_KEYS[k]) for k in serves))
    usage: dict[str, Formula] = {}
    for key, default in _mapping(data.get("usage"), file, f"{where}.usage").items():
        if key not in allowed_usage:
            close = difflib.get_close_matches(key, sorted(allowed_usage), n=1)
            hint = f"did you mean {close[0]!r}?" if close else "allowed: " + ", ".join(sorted(allowed_usage))
            raise _error(file, f"{where}.usage.{key}", f"not a usage key of {', '.join(serves)}; {hint}")
        usage[key] = compile_formula(default, _at(file, f"{where}.usage.{key}"))
    instances: dict[str, dict[str, Any]] = {}
    for size, entry in _mapping(data.get("instances"), file, f"{where}.instances").items():
        if size not in SIZES:
            raise _error(file, f"{where}.instances.{size}", f"unknown size; allowed: {', '.join(SIZES)}")
        row = _mapping(entry, file, f"{where}.instances.{size}")
        if not isinstance(row.get("type"), str):
            raise _error(file, f"{where}.instances.{size}.type", "give the provider's instance type name")
        instances[size] = {k: (v if k == "type" else _number(v, file, f"{where}.instances.{size}.{k}"))
                           for k, v in row.items()}
    if instances and set(instances) != set(SIZES):
        missing = ", ".join(s for s in SIZES if s not in instances)
        raise _error(file, f"{where}.instances", f"missing sizes: {missing}; price every size")
    formula = compile_formula(data["formula"], _at(file, f"{where}.formula"))
    _check_names(formula, prices, usage, instances, serves, file, where)
    return Implementation(
        id=impl_id, provider=provider, serves=tuple(serves), title=str(data["title"]),
        sources=tuple(sources), taken=taken, prices=prices, usage=usage, instances=instances,
        formula=formula, notes=str(data.get("notes", "")), file=file,
        engine=None if data.get("engine") is None else str(data["engine"]),
        shared=None if data.get("shared") is None else _parse_shared(data["shared"], prices, file, f"{where}.shared"),
    )


def _parse_shared(raw: Any, prices: Mapping[str, float], file: str, where: str) -> SharedCharge:
    data = _mapping(raw, file, where)
    _unknown_keys(data, _SHARED_KEYS, file, where)
    for required in _SHARED_KEYS:
        if required not in data:
            raise _error(file, f"{where}.{required}", "missing required key")
    formula = compile_formula(data["formula"], _at(file, f"{where}.formula"))
    for name in sorted(formula.names - set(prices)):  # once per project: no resource's settings or usage
        raise FormulaError(f"{formula.where}: formula {formula.text!r}: unknown name {name!r}; a shared charge "
                           "reads the implementation's prices only")
    return SharedCharge(name=str(data["name"]), title=str(data["title"]), formula=formula)


def _check_names(formula: Formula, prices: Mapping[str, float], usage: Mapping[str, Formula],
                 instances: Mapping[str, Mapping[str, Any]], serves: list[str], file: str, where: str) -> None:
    config = set.intersection(*(set(CONFIG_NAMES[k]) for k in serves))
    fields = {f"instance_{k}" for row in instances.values() for k in row if k != "type"}
    groups = {"prices": set(prices), "usage": set(usage), "settings": config, "instances": fields}
    seen: dict[str, str] = {}
    for group, names in groups.items():
        for name in names:
            if name in seen or name in FUNCTIONS:
                raise _error(file, f"{where}.{group}.{name}",
                             f"name also used by {seen.get(name, 'a function')}; rename one of them")
            seen[name] = group
    for key, default in usage.items():  # defaults may read settings and earlier usage keys
        earlier = set(list(usage)[: list(usage).index(key)])
        for name in sorted(default.names - config - earlier - set(prices)):
            raise FormulaError(f"{default.where}: formula {default.text!r}: unknown name {name!r}; "
                               f"defaults may read settings ({', '.join(sorted(config)) or 'none'}), "
                               "prices and earlier usage keys")
    read = set(formula.names).union(*(d.names for d in usage.values()))
    for key in usage:
        if key not in read:
            raise _error(file, f"{where}.usage.{key}", "the formula never reads this usage key; remove it")
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
    file = _source(file, text)  # parsed once more, for the line and column of each key in messages
    data = _mapping(raw, file, "(top level)")
    _unknown_keys(data, _MODEL_KEYS, file, "")
    for required in ("provider", "implementations"):
        if required not in data:
            raise _error(file, required, "missing required key")
    provider = str(data["provider"])
    impls = {str(k): _parse_implementation(str(k), v, provider, file)
             for k, v in _mapping(data["implementations"], file, "implementations").items()}
    served: dict[tuple[str, str | None], str] = {}
    for impl in impls.values():
        for kind in impl.serves:
            if (kind, impl.engine) in served:
                raise _error(file, f"implementations.{impl.id}.serves",
                             f"{kind} is already served by {served[kind, impl.engine]}; "
                             "one implementation per kind (and engine)")
            served[kind, impl.engine] = impl.id
    return CostModel(provider=provider, region=str(data.get("region", "")),
                     currency=str(data.get("currency", "USD")), file=file, implementations=impls)


def merge(models: Iterable[CostModel]) -> dict[str, CostModel]:
    """Combine models by provider; a kind or implementation id may be defined only once."""
    merged: dict[str, CostModel] = {}
    for model in models:
        base = merged.get(model.provider)
        if base is None:
            merged[model.provider] = model
            continue
        impls = dict(base.implementations)
        for impl in model.implementations.values():
            clash = impls.get(impl.id) or next((i for k in impl.serves if (i := base.for_kind(k))), None)
            if clash is not None:
                raise CostModelError(f"{impl.file}: implementations.{impl.id}: conflicts with {clash.id} "
                                     f"in {clash.file} (same id or kind); remove one of them")
            impls[impl.id] = impl
        merged[model.provider] = CostModel(base.provider, base.region, base.currency, base.file, impls)
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
