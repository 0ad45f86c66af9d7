"""Which OpenTofu module implements each capability type and resource kind on each provider.

Built-in modules ship in ``modules/<provider>/<module>/`` (inside the wheel as ``infrar/_modules``).
A plugin contributes modules the same way, from its ``plugin.yaml``::

    infra_modules:
      database:                      # a capability type or resource kind
        azure: modules/azure/postgres_flexible   # a directory inside the plugin package
        gcp:                          # or a mapping with fixed arguments
          path: modules/gcp/alloydb
          arguments: {tier: standard}

A plugin's entry replaces the built-in one for that kind and provider; two plugins claiming the
same kind and provider are an error, as two plugins claiming one domain are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.abc import Traversable
from typing import Any

from infrar.errors import ConfigurationError

__all__ = ["BUILTIN", "CONTINUOUS_WORKERS", "ENGINES", "ModuleRef", "builtin_root", "continuous_worker",
           "declared_variables", "module_table", "resolve"]

# kind -> provider -> (module directory under modules/<provider>/, fixed arguments)
BUILTIN: dict[str, dict[str, tuple[str, dict[str, Any]]]] = {
    "web_application": {
        "aws": ("ecs_service", {"load_balanced": True}),
        "gcp": ("cloud_run_service", {"public": True}),
        "azure": ("container_app", {"external": True}),
    },
    "api_service": {
        "aws": ("ecs_service", {"load_balanced": True}),
        "gcp": ("cloud_run_service", {"public": True}),
        "azure": ("container_app", {"external": True}),
    },
    "background_worker": {
        "aws": ("ecs_service", {"load_balanced": False}),
        "gcp": ("cloud_run_job", {}),
        "azure": ("container_app_job", {}),
    },
    "container_orchestrator": {
        "aws": ("eks_cluster", {}),
        "gcp": ("gke_cluster", {}),
        "azure": ("aks_cluster", {}),
    },
    "bucket": {
        "aws": ("s3_bucket", {}),
        "gcp": ("gcs_bucket", {}),
        "azure": ("blob_container", {}),
    },
    "database": {  # engine: postgres; ENGINES lists the other engines' modules
        "aws": ("rds_postgres", {}),
        "gcp": ("cloud_sql_postgres", {}),
        "azure": ("postgres_flexible", {}),
    },
    "queue": {
        "aws": ("sqs_queue", {}),
        "gcp": ("pubsub_queue", {}),
        "azure": ("servicebus_queue", {}),
    },
    "topic": {
        "aws": ("sns_topic", {}),
        "gcp": ("pubsub_topic", {}),
        "azure": ("servicebus_topic", {}),
    },
    "cache": {
        "aws": ("elasticache_redis", {}),
        "gcp": ("memorystore_redis", {}),
        "azure": ("redis_cache", {}),
    },
    "warehouse": {
        "aws": ("athena_warehouse", {}),
        "gcp": ("bigquery_dataset", {}),
        "azure": ("synapse_workspace", {}),
    },
    "observability": {  # the top-level observability: key of project.yaml
        "aws": ("observability", {}),
        "gcp": ("observability", {}),
        "azure": ("observability", {}),
    },
}

# kind -> provider -> engine -> module: the built-in module that deploys each engine a resource's
# ``engine`` setting may name on that provider (an engine missing here is refused there).
ENGINES: dict[str, dict[str, dict[str, str]]] = {
    "database": {
        "aws": {"postgres": "rds_postgres"},
        "gcp": {"postgres": "cloud_sql_postgres"},
        "azure": {"postgres": "postgres_flexible", "sqlserver": "mssql_database"},
    },
    "cache": {provider: {"redis": module} for provider, (module, _) in BUILTIN["cache"].items()},
}

# provider -> module (and fixed arguments) of a background_worker without a schedule: it runs
# continuously; BUILTIN's module (a job) runs a scheduled one once per tick.
CONTINUOUS_WORKERS: dict[str, tuple[str, dict[str, Any]]] = {
    "gcp": ("cloud_run_worker_pool", {}),
    "azure": ("container_app", {"ingress": False, "external": False}),
}

_SOURCE_REFERENCE = re.compile(r'source\s*=\s*"\.\./([A-Za-z0-9_-]+)"')
_VARIABLE = re.compile(r'^variable\s+"([A-Za-z0-9_-]+)"', re.MULTILINE)


@dataclass(frozen=True)
class ModuleRef:
    """One module directory and the fixed arguments a kind passes to it."""

    provider: str
    name: str  # directory name, unique per provider in the generated tree
    directory: Traversable = field(compare=False)
    arguments: Mapping[str, Any] = field(default_factory=dict, compare=False)
    origin: str = "infrar"  # plugin name that contributed it

    def files(self) -> dict[str, str]:
        """Every file of the module (name -> text), sorted by name."""
        return {
            entry.name: entry.read_text(encoding="utf-8")
            for entry in sorted(self.directory.iterdir(), key=lambda e: e.name)
            if entry.is_file() and not entry.name.startswith(".")
        }

    def variables(self) -> frozenset[str]:
        return declared_variables(self.files())

    def siblings(self) -> tuple[str, ...]:
        """Modules this one calls as ``../<name>`` (they must be copied beside it)."""
        found = {m for text in self.files().values() for m in _SOURCE_REFERENCE.findall(text)}
        return tuple(sorted(found))


def declared_variables(files: Mapping[str, str]) -> frozenset[str]:
    """Names of the ``variable`` blocks in a module's .tf files."""
    return frozenset(v for name, text in files.items() if name.endswith(".tf") for v in _VARIABLE.findall(text))


def builtin_root() -> Traversable:
    """``modules/`` as shipped: ``infrar/_modules`` (a link to the repository's ``modules/``)."""
    return resources.files("infrar").joinpath("_modules")


def _plugin_entries() -> dict[tuple[str, str], ModuleRef]:
    from infrar import plugins

    found: dict[tuple[str, str], ModuleRef] = {}
    for plugin in sorted(plugins.registry().values(), key=lambda p: p.name):
        table = plugin.extra.get("infra_modules") or {}
        where = f"{plugin.package}/plugin.yaml: infra_modules"
        if not isinstance(table, dict):
            raise ConfigurationError(f"{where} must map a kind to {{provider: module path}}")
        for kind, per_provider in table.items():
            if not isinstance(per_provider, dict):
                raise ConfigurationError(f"{where}.{kind} must map a provider to a module path")
            for provider, spec in per_provider.items():
                path, arguments = (spec, {}) if isinstance(spec, str) else (
                    str((spec or {}).get("path", "")), dict((spec or {}).get("arguments") or {}))
                if not path:
                    raise ConfigurationError(f"{where}.{kind}.{provider} needs a module path")
                key = (str(kind), str(provider))
                if key in found:
                    raise ConfigurationError(
                        f"plugins {found[key].origin} and {plugin.name} both provide the {provider} module "
                        f"for {kind!r}; uninstall one of them"
                    )
                directory = resources.files(plugin.package).joinpath(path)
                if not directory.is_dir():
                    raise ConfigurationError(f"{where}.{kind}.{provider}: {path!r} is not a directory of "
                                             f"package {plugin.package}; ship the module inside the package")
                name = f"{re.sub(r'[^a-z0-9_]', '_', plugin.name.lower())}__{path.rstrip('/').split('/')[-1]}"
                found[key] = ModuleRef(str(provider), name, directory, arguments, plugin.name)
    return found


def module_table(provider: str, *, with_plugins: bool = True) -> dict[str, ModuleRef]:
    """kind -> module for ``provider``: the built-in table, then what plugins contribute."""
    root = builtin_root().joinpath(provider)
    table = {
        kind: ModuleRef(provider, name, root.joinpath(name), arguments)
        for kind, per_provider in BUILTIN.items()
        if provider in per_provider
        for name, arguments in [per_provider[provider]]
    }
    if with_plugins:
        for (kind, plugin_provider), ref in _plugin_entries().items():
            if plugin_provider == provider:
                table[kind] = ref
    return table


def continuous_worker(ref: ModuleRef) -> ModuleRef:
    """The built-in module that runs an unscheduled background worker continuously (``ref`` if none)."""
    if ref.origin != "infrar" or ref.provider not in CONTINUOUS_WORKERS:
        return ref
    name, arguments = CONTINUOUS_WORKERS[ref.provider]
    return ModuleRef(ref.provider, name, builtin_root().joinpath(ref.provider).joinpath(name), arguments)


def resolve(table: Mapping[str, ModuleRef], kind: str, provider: str, engine: str | None = None,
            where: str = "") -> ModuleRef:
    """The module for ``kind`` on ``provider``; for a built-in one, the module of ``engine``."""
    try:
        ref = table[kind]
    except KeyError:
        raise ConfigurationError(
            f"no {provider} module implements {kind!r}; install a plugin whose plugin.yaml maps "
            f"infra_modules.{kind}.{provider}, or choose another provider"
        ) from None
    engines = ENGINES.get(kind, {}).get(provider)
    if engine is None or ref.origin != "infrar" or engines is None:
        return ref  # a plugin's module serves whatever engine it was written for
    if engine not in engines:
        raise ConfigurationError(
            f"{where}: engine {engine!r} is not available for a {kind} on {provider}; "
            f"allowed: {', '.join(sorted(engines))}")
    name = engines[engine]
    return ModuleRef(provider, name, builtin_root().joinpath(provider).joinpath(name), ref.arguments)
