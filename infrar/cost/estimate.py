"""Price a Project on every provider: one line per capability/resource and provider, and totals.

For each capability or resource the provider's implementation of its kind is evaluated with:
its settings (``cpu``, ``memory_gb``, ``storage_gb``, ``high_availability`` ..., see
``models.CONFIG_NAMES``), the implementation's ``prices``, the size's row of its ``instances``
table (as ``instance_<field>``), and usage figures: those in project.yaml's ``usage:`` for that
name, else the model's defaults. A line *depends on usage* when a traffic or volume figure
(requests, storage, egress, messages, scanned TB ...) came from a default; running hours
(the whole month) and instance counts (min_instances) are assumptions that are not marked.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from infrar.cost.components import Component, components
from infrar.cost.formula import evaluate
from infrar.cost.models import CostModel, CostModelError, Implementation, SharedCharge, load_models
from infrar.errors import InvalidArgument
from infrar.infra.project import Capability, Project, Resource

__all__ = ["ASSUMED_KEYS", "Estimate", "Line", "estimate", "settings_of"]

# Defaulted usage keys that describe how long things run rather than how much they are used.
ASSUMED_KEYS = frozenset({"hours", "average_instances"})


@dataclass(frozen=True)
class Line:
    """The monthly cost of one capability or resource on one provider."""

    name: str
    kind: str
    provider: str
    implementation: str | None  # None: the provider has no cost model for this kind
    title: str
    monthly: float | None
    instance_type: str | None = None
    defaulted: tuple[str, ...] = ()  # usage keys taken from the model's defaults
    inputs: Mapping[str, float] = field(default_factory=dict, hash=False)  # every name the formula read
    components: tuple[Component, ...] = ()  # quantity x unit price, summing to ``monthly``
    unpriced: str | None = None  # n/a: the implementation that has no prices recorded for the model's region

    @property
    def depends_on_usage(self) -> tuple[str, ...]:
        """Defaulted traffic/volume figures: the cost moves with them."""
        return tuple(k for k in self.defaulted if k not in ASSUMED_KEYS)


@dataclass(frozen=True)
class Estimate:
    project: Project
    providers: tuple[str, ...]
    models: Mapping[str, CostModel] = field(hash=False)
    lines: tuple[Line, ...] = ()

    @property
    def currency(self) -> str:
        currencies = {self.models[p].currency for p in self.providers}
        return currencies.pop() if len(currencies) == 1 else "/".join(sorted(currencies))

    def rows(self) -> list[tuple[str, str, dict[str, Line]]]:
        """(name, kind, {provider: line}) in project order."""
        rows: dict[str, tuple[str, str, dict[str, Line]]] = {}
        for line in self.lines:
            rows.setdefault(line.name, (line.name, line.kind, {}))[2][line.provider] = line
        return list(rows.values())

    def total(self, provider: str) -> float:
        return sum(line.monthly or 0.0 for line in self.lines if line.provider == provider)

    def complete(self, provider: str) -> bool:
        """Whether every line is priced on ``provider``."""
        return all(line.monthly is not None for line in self.lines if line.provider == provider)

    def depends_on_usage(self) -> dict[str, tuple[str, ...]]:
        """name -> defaulted traffic/volume figures (over all providers), for names that have any."""
        found: dict[str, list[str]] = {}
        for line in self.lines:
            keys = found.setdefault(line.name, [])
            keys.extend(k for k in line.depends_on_usage if k not in keys)
        return {name: tuple(keys) for name, keys in found.items() if keys}


def settings_of(entry: Capability | Resource) -> dict[str, float]:
    """The numbers a formula may read about one capability or resource (booleans as 0/1)."""
    if isinstance(entry, Capability):
        return {
            "cpu": float(entry.cpu),
            "memory_gb": entry.memory / 1024,
            "min_instances": float(entry.min_instances),
            "max_instances": float(entry.max_instances),
            "scheduled": 1.0 if entry.schedule else 0.0,
            "fractional_cpu": 1.0 if entry.cpu < 1 else 0.0,
            "node_count": float(entry.node_count),
        }
    values: dict[str, float] = {}
    for key, value in entry.settings.items():
        if isinstance(value, (bool, int, float)):
            values[key] = float(value)
    if entry.kind == "topic":
        values["subscriptions"] = float(len(entry.settings.get("subscriptions", ())))
        values["deliveries"] = values["subscriptions"]
    elif entry.kind == "queue":
        values["deliveries"] = 1.0
    return values


def _size_of(entry: Capability | Resource) -> str | None:
    if isinstance(entry, Capability):
        return entry.node_size if entry.type == "container_orchestrator" else None
    size = entry.settings.get("size")
    return str(size) if size is not None else None


def price(entry: Capability | Resource, impl: Implementation, usage: Mapping[str, float],
          allowance: list[float] | None = None) -> Line:
    """Evaluate ``impl`` for one capability or resource with the project's usage figures for it.

    ``allowance``: what is left of the shared charge's included amount (one item, used up here).
    """
    values: dict[str, float] = dict(settings_of(entry))
    values.update(impl.prices)
    defaulted: list[str] = []
    for key, default in impl.usage.items():
        if key in usage:
            values[key] = float(usage[key])
        else:
            values[key] = evaluate(default, values)
            defaulted.append(key)
    instance_type = None
    if impl.instances:
        size = _size_of(entry) or "small"
        row = impl.instances[size]
        instance_type = str(row["type"])
        values.update({f"instance_{k}": float(v) for k, v in row.items() if k != "type"})
    includes = impl.allowance
    if includes is not None:  # this line's part of the project's one allowance, in project order
        left = allowance if allowance is not None else [impl.prices[includes.amount]]
        values[includes.name] = evaluate(includes.quantity, values)
        values[includes.included_name] = min(left[0], values[includes.name])
        left[0] -= values[includes.included_name]
    assert impl.formula is not None
    monthly = evaluate(impl.formula, values)
    read = {name: values[name] for name in sorted(impl.formula.names | set(impl.usage))}
    priced = set(impl.prices) | {name for name in values if name.startswith("instance_")}
    return Line(name=entry.name, kind=entry.kind, provider=impl.provider, implementation=impl.id,
                title=impl.title, monthly=monthly, instance_type=instance_type,
                defaulted=tuple(defaulted), inputs=read,
                components=tuple(components(impl.formula, values, priced)))


def _shared_lines(lines: Sequence[Line], models: Mapping[str, CostModel]) -> list[Line]:
    """One line per shared charge of the implementations that priced a line: a namespace, or the private
    DNS zones several implementations declare, once per project (the first implementation's prices)."""
    shared: list[Line] = []
    seen: set[tuple[str, str]] = set()
    for line in lines:
        if line.implementation is None:
            continue
        impl = models[line.provider].implementations[line.implementation]
        for charge in impl.shared:
            if (line.provider, charge.name) not in seen:
                seen.add((line.provider, charge.name))
                shared.append(_shared_line(impl, charge))
    return shared


def _shared_line(impl: Implementation, charge: SharedCharge) -> Line:
    values = dict(impl.prices)
    return Line(name=charge.name, kind="shared", provider=impl.provider, implementation=impl.id,
                title=charge.title, monthly=evaluate(charge.formula, values),
                inputs={name: values[name] for name in sorted(charge.formula.names)},
                components=tuple(components(charge.formula, values, set(impl.prices))))


def _choose(requested: Sequence[str] | None, models: Mapping[str, CostModel]) -> tuple[str, ...]:
    if not requested:
        return tuple(models)
    chosen: list[str] = []
    for provider in requested:
        if provider not in models:
            close = difflib.get_close_matches(provider, list(models), n=1)
            hint = f"did you mean {close[0]!r}?" if close else "available: " + ", ".join(models)
            raise InvalidArgument(f"no cost model for provider {provider!r}; {hint}")
        if provider not in chosen:
            chosen.append(provider)
    return tuple(chosen)


def _regional(models: Mapping[str, CostModel], chosen: Sequence[str], project: Project,
              regions: Mapping[str, str] | None) -> dict[str, CostModel]:
    """Each chosen provider's model in its region: ``regions`` (--region) over project.yaml's ``regions:``."""
    for provider in regions or {}:
        if provider not in models:
            raise InvalidArgument(f"--region {provider}=...: no cost model for provider {provider!r}; "
                                  f"available: {', '.join(models)}")
    wanted = {**project.regions, **(regions or {})}
    regional = dict(models)
    for provider in chosen:
        try:
            regional[provider] = models[provider].in_region(wanted.get(provider))
        except CostModelError as exc:
            origin = "--region" if provider in (regions or {}) else f"regions.{provider} in {project.path}"
            raise InvalidArgument(f"{origin}: {exc}") from exc
    return regional


def _unpriced(entry: Capability | Resource, model: CostModel, engine: str | None) -> Line:
    """The line of a kind the model prices, but not in its region: n/a, never another region's price."""
    missing = model.unpriced_for(entry.kind, engine)
    if missing is None:
        return Line(entry.name, entry.kind, model.provider, None, "no cost model", None)
    return Line(entry.name, entry.kind, model.provider, None, f"no {model.region} prices recorded ({missing.id})",
                None, unpriced=missing.id)


def estimate(project: Project, providers: Sequence[str] | None = None,
             models: Mapping[str, CostModel] | None = None, regions: Mapping[str, str] | None = None) -> Estimate:
    """Price ``project`` on ``providers`` (default: every provider with a cost model), each in its region:
    ``regions`` (provider -> region) over the project's ``regions:``, else the model's base region."""
    base = dict(models if models is not None else load_models())
    chosen = _choose(providers, base)
    models = _regional(base, chosen, project, regions)
    allowances: dict[tuple[str, str], list[float]] = {}  # (provider, implementation) -> included amount left
    lines: list[Line] = []
    for entry in project.entries():
        usage = project.usage.get(entry.name, {})
        for provider in chosen:
            engine = entry.settings.get("engine") if isinstance(entry, Resource) else None
            try:
                impl = models[provider].for_kind(entry.kind, None if engine is None else str(engine))
            except CostModelError as exc:  # an engine this provider does not run
                raise InvalidArgument(f"{entry.location or entry.name}: {exc}") from exc
            if impl is None:
                lines.append(_unpriced(entry, models[provider], None if engine is None else str(engine)))
            else:
                includes = impl.allowance
                left = None if includes is None else allowances.setdefault(
                    (provider, impl.id), [impl.prices[includes.amount]])
                lines.append(price(entry, impl, usage, left))
    lines.extend(_shared_lines(lines, models))
    return Estimate(project=project, providers=chosen, models=models, lines=tuple(lines))
